"""Validation of norm-score files: one test per finding kind, exact Dutch message and line."""

from __future__ import annotations

import pytest

from etl.intake.findings import Finding
from etl.intake.validate import Validation, validate_bytes
from tests.conftest import TODAY, fixture_bytes, norm_scores

FORMAT_NORMSCORES = (
    "Een normscores-bestand heeft de kolommen departement, periode, norm, oordeel "
    "(en optioneel toelichting, bron)."
)


def validate(name: str) -> Validation:
    return validate_bytes(fixture_bytes(name), name, TODAY)


def only(name: str) -> Finding:
    findings = validate(name).findings
    assert len(findings) == 1, [f.format() for f in findings]
    return findings[0]


def test_dutch_excel_file_loads_without_edits() -> None:
    result = validate("normscores_dutch_excel.csv")
    assert result.findings == []
    rows = norm_scores(result)
    assert [r.norm for r in rows] == list(range(1, 16))
    assert {r.departement for r in rows} == {"FIN"}
    assert {r.periode for r in rows} == {"2025-Q3"}
    # "Voldoet Deels" and "VOLDOET NIET" in mixed case; an empty cell is niet beoordeeld.
    assert [r.oordeel for r in rows[:5]] == [
        "voldoet deels",
        "voldoet niet",
        "niet beoordeeld",
        "voldoet",
        "voldoet",
    ]
    assert "Financiën" in rows[0].toelichting and "€" in rows[0].toelichting


def test_lowercase_code_and_compact_period_are_normalised() -> None:
    result = validate("normscores_utf8_bom_semicolon.csv")
    assert result.submission is not None
    assert result.submission.groups == [("BZK", "2025-Q2")]


def test_numeric_oordeel_codes_are_accepted() -> None:
    data = b"departement,periode,norm,oordeel\n" + b"".join(
        f"SZW,2025-Q1,{n},{n % 3}\n".encode() for n in range(1, 16)
    )
    result = validate_bytes(data, "f.csv", TODAY)
    assert [r.score for r in norm_scores(result)[:3]] == [1, 2, 0]


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("empty.csv", "leeg", "Het bestand is leeg."),
        (
            "header_only.csv",
            "geen_regels",
            "Het bestand bevat alleen een kopregel en geen gegevens.",
        ),
        (
            "xlsx_renamed.csv",
            "geen_csv",
            "Dit is geen CSV-bestand maar een Excel-werkmap (.xlsx) of ander zip-bestand. "
            "Sla het in Excel op als CSV ('Opslaan als' → 'CSV').",
        ),
        (
            "pdf_renamed.csv",
            "geen_csv",
            "Dit is geen CSV-bestand maar een PDF-bestand. "
            "Sla het in Excel op als CSV ('Opslaan als' → 'CSV').",
        ),
    ],
)
def test_file_that_is_no_csv_is_refused_as_a_whole(name: str, code: str, message: str) -> None:
    assert only(name) == Finding(name, None, None, code, message)


def test_file_over_the_size_limit_is_refused_before_parsing() -> None:
    data = b"x" * (3 * 512 * 1024)
    finding = validate_bytes(data, "groot.csv", TODAY, max_bytes=1024 * 1024).findings
    assert [f.message for f in finding] == ["Het bestand is te groot (1,5 MB); de grens is 1 MB."]


def test_undecodable_bytes_are_refused_with_their_line() -> None:
    finding = only("invalid_bytes.csv")
    assert finding.line == 10
    assert finding.message == (
        "Het bestand is niet te lezen als UTF-8 of Windows-1252 (byte 0x81). "
        "Sla het in Excel op als 'CSV UTF-8 (door komma's gescheiden)'."
    )


def test_header_that_fits_no_kind_lists_the_expected_columns() -> None:
    finding = only("unknown_kind.csv")
    assert finding.line == 1
    assert finding.message == (
        "De kolommen passen bij geen enkele soort aanlevering (gevonden: naam, adres, "
        "woonplaats). Verwachte kolommen per soort — normscores: departement, periode, norm, "
        "oordeel (en optioneel toelichting, bron); enquete: departement, periode, groep, item, "
        "antwoord, aantal; respons: departement, periode, groep, uitgenodigd, deelgenomen; "
        "afspraken: id, departement, afspraak, vastgesteld, gereed, status (en optioneel "
        "norm, gremium, toelichting); coordinatie: departement, jaar, norm, oordeel (en "
        "optioneel toelichting, bron); meldingen: departement, periode, soort, meldingen, "
        "onderzoeken, afgerond, gegrond, maatregelen, aangiften (en optioneel ongegrond, "
        "niet_vast_te_stellen, zonder_onderzoek); omvang: departement, periode, medewerkers "
        "(en optioneel reikwijdte); vertrouwenspersonen: departement, periode, onderwerp, "
        "gesprekken; maatregelen: departement, periode, maatregel, aantal; jaarcijfers: "
        "departement, jaar, onderwerp, aantal."
    )


def test_rejects_unknown_extra_column() -> None:
    assert only("unknown_column.csv") == Finding(
        "unknown_column.csv",
        1,
        "opmerking",
        "onbekende_kolom",
        f"Onbekende kolom 'opmerking'. {FORMAT_NORMSCORES}",
    )


def test_misspelt_column_gets_a_suggestion_and_the_missing_column() -> None:
    findings = validate("misspelt_column.csv").findings
    assert [(f.line, f.column, f.message) for f in findings] == [
        (1, "oordel", f"Onbekende kolom 'oordel'. Bedoelt u 'oordeel'? {FORMAT_NORMSCORES}"),
        (1, "oordeel", f"Verplichte kolom 'oordeel' ontbreekt. {FORMAT_NORMSCORES}"),
    ]


def test_rejects_missing_required_column() -> None:
    finding = only("missing_column.csv")
    assert (finding.line, finding.column) == (1, "oordeel")
    assert finding.message == f"Verplichte kolom 'oordeel' ontbreekt. {FORMAT_NORMSCORES}"


def test_rejects_duplicate_norm_with_both_line_numbers() -> None:
    finding = only("duplicate_norm.csv")
    assert (finding.line, finding.column) == (17, "norm")
    assert finding.message == (
        "Norm 7 staat meer dan één keer in het bestand voor FIN 2025-Q3: regels 8 en 17."
    )


def test_rejects_missing_norms_naming_them() -> None:
    finding = only("missing_norms.csv")
    assert (finding.line, finding.column) == (2, "norm")
    assert finding.message == (
        "Voor FIN 2025-Q3 ontbreken de normen 4, 13; elke norm moet precies één keer voorkomen."
    )


def test_rejects_period_that_is_no_quarter_on_every_line() -> None:
    findings = validate("bad_period.csv").findings
    assert [f.line for f in findings] == list(range(2, 17))
    assert {f.message for f in findings} == {
        "Periode '2025-Q5' is geen kwartaal; schrijf bijvoorbeeld 2025-Q3."
    }


def test_rejects_quarter_that_has_not_started() -> None:
    findings = validate("future_period.csv").findings
    assert findings[0] == Finding(
        "future_period.csv",
        2,
        "periode",
        "toekomstige_periode",
        "Periode 2999-Q1 is nog niet begonnen.",
    )


def test_current_quarter_is_accepted_before_it_ends() -> None:
    data = b"departement,periode,norm,oordeel\n" + b"".join(
        f"FIN,2026-Q4,{n},voldoet\n".encode() for n in range(1, 16)
    )
    assert validate_bytes(data, "f.csv", TODAY).findings == []


def test_rejects_unknown_code_with_closest_and_valid_codes() -> None:
    finding = validate("unknown_code.csv").findings[0]
    assert (finding.line, finding.column) == (2, "departement")
    assert finding.message == (
        "Onbekende organisatiecode 'FINN'. Bedoelt u 'FIN'? Geldige codes: AZ, BZ, BZK, DEF, "
        "EZK, FIN, IenW, JenV, LNV, OCW, SZW, VWS, EZ, KGG, LVVN, VRO, AenM."
    )


def test_rejects_code_outside_its_validity_naming_successors() -> None:
    finding = validate("code_outside_validity.csv").findings[0]
    assert finding.line == 2
    assert finding.message == (
        "'EZK' bestond niet in 2025-Q1 (geldig tot en met 30-06-2024). Opgevolgd door EZ, KGG."
    )


def test_rejects_reserved_government_wide_code() -> None:
    finding = validate("reserved_code.csv").findings[0]
    assert finding.message == (
        "'RIJK' is gereserveerd voor rijksbrede cijfers en kan niet worden aangeleverd."
    )


def test_rejects_unknown_oordeel() -> None:
    assert only("bad_oordeel.csv") == Finding(
        "bad_oordeel.csv",
        6,
        "oordeel",
        "ongeldig_oordeel",
        "Oordeel 'voldoende' is ongeldig; gebruik voldoet, voldoet deels of voldoet niet "
        "(of 2, 1, 0), laat het leeg voor niet beoordeeld, of schrijf onbekend als de norm wel "
        "is beoordeeld maar het oordeel niet is gepubliceerd.",
    )


def test_rejects_norm_outside_the_catalogue() -> None:
    finding = only("bad_norm.csv")
    assert (finding.line, finding.column) == (16, "norm")
    assert finding.message == "Norm '16' is geen normnummer van 1 tot en met 15."


def test_rejects_toelichting_over_2000_characters() -> None:
    finding = only("long_toelichting.csv")
    assert (finding.line, finding.column) == (4, "toelichting")
    assert finding.message == "Toelichting is 2001 tekens lang; het maximum is 2000."


def test_rejects_row_with_unquoted_delimiter() -> None:
    finding = only("ragged_row.csv")
    assert finding.line == 7
    assert finding.message == (
        "Deze regel heeft 6 velden, de kopregel 5. Staat er een komma in een tekst zonder "
        "aanhalingstekens eromheen?"
    )


def test_rejects_unclosed_quote_at_its_first_line() -> None:
    finding = only("unclosed_quote.csv")
    assert finding.line == 11
    assert finding.message == (
        'Een aanhalingsteken (") opent een veld dat niet goed wordt afgesloten; '
        "controleer de aanhalingstekens vanaf deze regel."
    )


def test_reports_every_error_not_just_the_first() -> None:
    findings = validate("many_errors.csv").findings
    assert [(f.line, f.column) for f in findings] == [
        (15, "departement"),
        (16, "periode"),
        (16, "oordeel"),
    ]


def test_header_names_match_case_insensitively_with_spaces_and_any_order() -> None:
    data = b"  OORDEEL ;Norm;periode ; Departement\n" + b"".join(
        f"voldoet;{n};2025-Q3;Fin\n".encode() for n in range(1, 16)
    )
    result = validate_bytes(data, "f.csv", TODAY)
    assert result.findings == []
    assert result.submission is not None
    assert result.submission.groups == [("FIN", "2025-Q3")]


def test_rejects_column_named_twice() -> None:
    data = b"departement,periode,norm,norm,oordeel\nFIN,2025-Q3,1,1,voldoet\n"
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert findings[0] == Finding(
        "f.csv", 1, "norm", "dubbele_kolom", "Kolom 'norm' staat meer dan één keer in de kopregel."
    )


def test_unnamed_empty_column_from_excel_is_ignored_but_unnamed_values_are_not() -> None:
    rows = "".join(f"FIN;2025-Q3;{n};voldoet;\r\n" for n in range(1, 16))
    header = "departement;periode;norm;oordeel;\r\n"
    assert validate_bytes((header + rows).encode(), "f.csv", TODAY).findings == []
    with_value = header + rows.replace("FIN;2025-Q3;3;voldoet;", "FIN;2025-Q3;3;voldoet;x")
    findings = validate_bytes(with_value.encode(), "f.csv", TODAY).findings
    assert [(f.line, f.column, f.message) for f in findings] == [
        (1, "5", "Kolom 5 heeft geen naam in de kopregel maar bevat wel waarden.")
    ]


def test_rejects_row_with_too_few_fields() -> None:
    data = b"departement,periode,norm,oordeel\nFIN,2025-Q3,1\n"
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert [(f.line, f.message) for f in findings] == [
        (2, "Deze regel heeft 3 velden, de kopregel 4. Er ontbreken velden.")
    ]


def test_ministry_name_instead_of_code_suggests_the_code() -> None:
    rows = "".join(f"Financiën,2025-Q3,{n},voldoet\n" for n in range(1, 16))
    data = ("departement,periode,norm,oordeel\n" + rows).encode("windows-1252")
    finding = validate_bytes(data, "f.csv", TODAY).findings[0]
    assert finding.message.startswith("Onbekende organisatiecode 'Financiën'. Bedoelt u 'FIN'?")


def test_repeated_header_row_is_named_as_such() -> None:
    rows = "".join(f"FIN;2025-Q3;{n};voldoet\r\n" for n in range(1, 16))
    header = "Departement;Periode;Norm;Oordeel\r\n"
    findings = validate_bytes((header + rows + header).encode(), "f.csv", TODAY).findings
    assert [(f.line, f.message) for f in findings] == [
        (
            17,
            "De kopregel staat hier nog een keer (eerst op regel 1); "
            "zijn twee bestanden aan elkaar geplakt?",
        )
    ]
