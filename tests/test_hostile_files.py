"""Hostile and clumsy files: each way a file was made to look valid, or to break the
intake, refused with a finding (file, line, column) and never a traceback."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from etl.domain.periods import parse_quarter
from etl.intake.validate import validate_bytes
from etl.store.load import Source, load_sources
from tests.conftest import (
    AGREEMENT_HEADER,
    AGREEMENT_ROW,
    ROOT,
    TODAY,
    fixture_bytes,
    normscores_csv,
    run_etl,
    run_process,
)


def _workbook(sheets: list[tuple[str, str, list[list[str]]]]) -> bytes:
    """A workbook of (name, state, rows) sheets, as Excel would save it."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, state, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _norm_rows(verdict: str) -> list[list[str]]:
    rows = [["departement", "periode", "norm", "oordeel", "toelichting"]]
    return rows + [["FIN", "2025-Q3", str(n), verdict, ""] for n in range(1, 16)]


@pytest.mark.parametrize(
    "periode",
    ["٢٠٢٥-Q3", "２０２５-Q3", "2025-Q٣", "0000-Q1", "0999-Q4", "1999-Q4"],
    ids=["arabic-indic", "full-width", "arabic-quarter", "year-0", "year-999", "year-1999"],
)
def test_a_period_in_other_digits_or_before_2000_is_refused(periode: str) -> None:
    assert parse_quarter(periode) is None
    findings = validate_bytes(normscores_csv(periode=periode), "f.csv", TODAY).findings
    assert {(f.column, f.code) for f in findings} == {("periode", "ongeldige_periode")}
    assert findings[0].line == 2


def test_a_code_in_ligatures_or_full_width_letters_is_refused() -> None:
    findings = validate_bytes(normscores_csv(departement="ＦＩＮ"), "f.csv", TODAY).findings
    assert findings[0].code == "onbekende_code" and findings[0].column == "departement"
    # 'ﬁn' upper-cases to 'FIN': it was silently taken for FIN.
    findings = validate_bytes(normscores_csv(departement="ﬁn"), "f.csv", TODAY).findings
    assert findings[0].code == "niet_ascii" and findings[0].column == "departement"


def test_a_norm_in_other_digits_is_refused() -> None:
    """Norm 3 written with the Arabic-Indic digit three was read as norm 3."""
    data = normscores_csv().replace(b"FIN,2025-Q3,3,", "FIN,2025-Q3,٣,".encode())
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(4, "norm", "ongeldige_norm")]


@pytest.mark.parametrize(
    ("cell", "column", "data"),
    [
        ("periode", "periode", normscores_csv(periode="2025-Q3\u00a0")),
        ("departement", "departement", normscores_csv(departement="FIN\x1c")),
        ("oordeel", "oordeel", normscores_csv().replace(b"voldoet", "voldoet\u00a0deels".encode())),
        ("groep", "groep",
         "departement,periode,groep,item,antwoord,aantal\nFIN,2025-Q4,medewer\u212aers,CUL3,"
         "enkele,12\n".encode()),
        ("antwoord", "antwoord",
         "departement,periode,groep,item,antwoord,aantal\nFIN,2025-Q4,medewerkers,CUL3,"
         "en\u212aele,12\n".encode()),
        ("jaar", "jaar",
         "".join(["departement,jaar,norm,oordeel\n"] + [f"BZK,\u20032025,C{n},voldoet\n"
                                                      for n in range(1, 6)]).encode()),
    ],
    ids=["nbsp-period", "control-in-code", "nbsp-verdict", "kelvin-group", "kelvin-answer",
         "em-space-year"],
)  # fmt: skip
def test_a_value_that_only_looks_like_the_contracts_is_refused_not_normalised(
    cell: str, column: str, data: bytes
) -> None:
    """A non-breaking space that `strip` dropped, a Kelvin sign that `lower` made a 'k', a
    control character: each was quietly turned into a valid value and stored."""
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert findings and {f.column for f in findings} == {column}
    assert all(f.code == "niet_ascii" and f.line and "U+" in f.message for f in findings)


def test_a_header_name_with_a_non_breaking_space_is_refused() -> None:
    data = "departement,periode\u00a0,medewerkers\nFIN,2025-Q3,100\n".encode()
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert "kolom_niet_ascii" in {f.code for f in findings}


def test_free_text_keeps_any_script() -> None:
    data = normscores_csv().replace(
        b",x\n", ",Financi\u00ebn \u2014 \u00a0\u2028ok\n".encode("utf-8"), 1
    )
    validation = validate_bytes(data, "f.csv", TODAY)
    assert validation.submission is not None, validation.findings


def test_an_agreement_due_far_beyond_any_plan_is_refused() -> None:
    """9999-Q4 passed, and the quarter after it is no quarter at all."""
    header = "id,departement,norm,afspraak,vastgesteld,gremium,gereed,status\n"
    data = (header + "A1,FIN,3,iets,2026-01-05,IPIM,9999-Q4,open\n").encode()
    findings = validate_bytes(data, "a.csv", TODAY).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(2, "gereed", "te_ver_vooruit")]


@pytest.mark.parametrize("count", ["2147483648", "9" * 5000, "١٠"])
def test_a_count_beyond_storage_or_in_other_digits_is_a_finding_not_a_crash(
    count: str, tmp_path: Path
) -> None:
    lines = [
        "departement,periode,groep,uitgenodigd,deelgenomen",
        f"FIN,2025-Q4,medewerkers,{count},1",
    ]
    data = ("\n".join(lines) + "\n").encode()
    validation = validate_bytes(data, "r.csv", TODAY)
    assert [f.column for f in validation.findings] == ["uitgenodigd"]
    # And a batch with such a file beside a good one stores the good one.
    good = normscores_csv()
    results = load_sources(
        [Source("r.csv", data), Source("f.csv", good)], tmp_path / "db.duckdb", "t", TODAY
    )
    assert [r.status for r in results] == ["geweigerd", "opgeslagen"]


def test_many_empty_header_columns_are_checked_in_one_pass() -> None:
    """6,000 unnamed columns and 6,000 short rows took two seconds (a pass over the rows per
    unnamed column); one pass over the cells gives the same findings."""
    header = "departement,periode,norm,oordeel" + "," * 6000
    rows = [f"FIN,2025-Q3,{i % 15 + 1},voldoet" for i in range(6000)]
    rows[0] += "," * 5000 + "waarde"
    data = ("\n".join([header, *rows]) + "\n").encode()
    findings = validate_bytes(data, "f.csv", TODAY).findings
    unnamed = [f for f in findings if f.code == "kolom_zonder_naam"]
    assert [(f.line, f.column) for f in unnamed] == [(1, "5004")]


def test_a_file_starting_with_a_blank_line_is_read() -> None:
    data = b"\n" + normscores_csv()
    validation = validate_bytes(data, "f.csv", TODAY)
    assert validation.findings == [] and validation.submission is not None
    assert validation.submission.records[0].line == 3


def test_cr_only_line_ends_after_sep_are_read() -> None:
    data = b"sep=;\r" + normscores_csv().replace(b",", b";").replace(b"\n", b"\r")
    validation = validate_bytes(data, "f.csv", TODAY)
    assert validation.findings == [] and validation.submission is not None


def test_an_emoji_beside_a_windows_1252_byte_is_refused_not_garbled() -> None:
    data = normscores_csv().replace(b",x\n", ",\U0001f600 en caf".encode() + b"\xe9\n")
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert [(f.line, f.code) for f in findings] == [(2, "gemengde_codering")]


def test_a_folder_named_like_a_csv_and_a_dutch_receipt_date_are_no_tracebacks(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "aanleveringen"
    (folder / "map.csv").mkdir(parents=True)
    (folder / "fin.csv").write_bytes(normscores_csv())
    (tmp_path / "ontvangen.tsv").write_text("bestand\tontvangen\nfin.csv\t15-10-2025\n")
    done = run_etl(
        "load", str(folder), "--ontvangstlijst", str(tmp_path / "ontvangen.tsv"),
        "--db", str(tmp_path / "db.duckdb"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == [
        f"{folder / 'fin.csv'}: opgeslagen (FIN 2025-Q3 versie 1)."
    ]
    wrong = run_process("validate", str(folder / "map.csv"))
    assert "Traceback" not in wrong.stderr
    (tmp_path / "fout.tsv").write_text("bestand\tontvangen\nfin.csv\tgisteren\n")
    bad = run_etl("load", str(folder), "--ontvangstlijst", str(tmp_path / "fout.tsv"))
    assert bad.returncode == 2
    assert "fout.tsv:2: 'gisteren' is geen datum; schrijf bijvoorbeeld 2025-10-15." in bad.stderr


def test_a_file_that_outlasts_its_time_budget_is_refused_with_a_finding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = (ROOT / "tests" / "fixtures" / "normscores_valid.csv").read_bytes()
    assert validate_bytes(data, "ok.csv").submission is not None
    monkeypatch.setenv("INTEGRITEIT_SECONDEN_PER_BESTAND", "0.000000001")
    validation = validate_bytes(data, "traag.csv")
    assert validation.submission is None
    [finding] = validation.findings
    assert finding.code == "te_traag" and "1e-09 seconden" in finding.message
    result = run_etl("load", str(ROOT / "tests" / "fixtures" / "normscores_valid.csv"),
                     "--db", str(tmp_path / "db.duckdb"))  # fmt: skip
    assert result.returncode == 1 and "te_traag" not in result.stderr
    assert "duurde langer dan" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["jaarrapport", "--jaar", "0", "--rijk"], "geen jaartal van 2000 of later"),
        (["jaarrapport", "--jaar", "١٩٩٩", "--rijk"], "geen jaartal van 2000 of later"),
        (["jaarrapport", "--jaar", "1900", "--rijk"], "geen jaartal van 2000 of later"),
        (["intrekken", "normscores", "--departement", "FIN", "--periode", "2025-Q3",
          "--versie", "١", "--reden", "x"], "geen versienummer"),
    ],
    ids=["year-0", "arabic-year", "year-1900", "arabic-version"],
)  # fmt: skip
def test_command_line_numbers_are_ascii_and_in_range(
    sample_db: Path, tmp_path: Path, args: list[str], said: str
) -> None:
    """Year 0 gave a traceback; click's own int read Arabic-Indic digits; 1900 gave a report."""
    out = ["--out", str(tmp_path / "j.pdf")] if args[0] == "jaarrapport" else []
    result = run_etl(*args, *out, "--db", str(sample_db))
    assert result.returncode == 2 and said in result.stderr


def test_an_agreement_code_starting_like_a_formula_is_refused() -> None:
    """'-1025-01' was stored, exported as "'-1025-01" (neutralised) and no longer read back
    as the same code (found by the fuzz run)."""
    header = "id,departement,norm,afspraak,vastgesteld,gremium,gereed,status\n"
    data = (header + "-1025-01,FIN,3,iets,2026-01-05,IPIM,2026-Q4,open\n").encode()
    findings = validate_bytes(data, "a.csv", TODAY).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(2, "id", "ongeldige_id")]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_named_after_the_kind_is_not_read(state: str) -> None:
    data = _workbook([("Blad1", "visible", _norm_rows("voldoet")),
                      ("normscores", state, _norm_rows("voldoet niet"))])  # fmt: skip
    validation = validate_bytes(data, "verborgen.xlsx", TODAY)
    assert validation.submission is not None, validation.findings
    assert {r.oordeel for r in validation.submission.records} == {"voldoet"}  # type: ignore[union-attr]
    only_hidden = _workbook([("Blad1", "visible", [["uitleg"]]),
                             ("normscores", state, _norm_rows("voldoet niet"))])  # fmt: skip
    assert validate_bytes(only_hidden, "verborgen.xlsx", TODAY).submission is None


def test_a_workbook_of_millions_of_shared_strings_is_refused_before_it_is_opened() -> None:
    """232 KB zipped, 5.5 million shared strings: openpyxl read them all (twice) before the
    time budget applied, two minutes of CPU and 800 MB per upload."""
    source = zipfile.ZipFile(io.BytesIO(fixture_bytes("normscores_formules.xlsx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/sharedStrings.xml":
                part = part.replace(b"</sst>", b"<si><t>x</t></si>" * 5_500_000 + b"</sst>")
            target.writestr(name, part)
    data = out.getvalue()
    assert len(data) < 400_000
    started = time.process_time()
    findings = validate_bytes(data, "tekst.xlsx", TODAY).findings
    assert time.process_time() - started < 5
    assert [f.code for f in findings] == ["werkblad_te_groot"]
    assert "verschillende teksten" in findings[0].message


@pytest.mark.parametrize("control", ["\u202e", "\u2067", "\u200f"])
def test_a_direction_override_in_free_text_is_refused_where_it_is(control: str) -> None:
    text = f"{control}dnorefa"
    data = (AGREEMENT_HEADER + AGREEMENT_ROW.replace(b"open,", b"open," + text.encode())).decode()
    validation = validate_bytes(data.encode("utf-8"), "afspraken.csv", TODAY)
    assert validation.submission is None
    [finding] = validation.findings
    assert (finding.line, finding.column, finding.code) == (2, "toelichting", "richtingteken")
    assert f"U+{ord(control):04X}" in finding.message
    arabic = data.replace(text, "مرحبا עברית")  # right-to-left letters themselves are welcome
    assert validate_bytes(arabic.encode("utf-8"), "afspraken.csv", TODAY).findings == []


@pytest.mark.parametrize("text", ["中文", "Ελληνικά", "العربية", "İstanbul ğ ş ı", "Привет"])
def test_utf8_of_any_script_beside_a_windows_1252_byte_is_refused_not_garbled(text: str) -> None:
    lines = ["departement,periode,norm,oordeel,toelichting"]
    lines += [f"FIN,2025-Q3,{n},voldoet,{text if n == 1 else 'x'}" for n in range(1, 16)]
    data = "\n".join(lines).encode("utf-8").replace(b",x", b",caf\xe9", 1)  # é in 1252
    validation = validate_bytes(data, "gemengd.csv", TODAY)
    assert validation.submission is None
    [finding] = validation.findings
    assert finding.code == "gemengde_codering" and finding.line == 3
    alone = "\n".join(lines).encode("utf-8")
    assert validate_bytes(alone, "utf8.csv", TODAY).findings == []  # UTF-8 alone is fine


def test_a_windows_1252_file_with_dutch_letters_still_reads() -> None:
    lines = ["departement,periode,norm,oordeel,toelichting"]
    lines += [f"FIN,2025-Q3,{n},voldoet,Financiën – café “goed”" for n in range(1, 16)]
    validation = validate_bytes("\n".join(lines).encode("windows-1252"), "ansi.csv", TODAY)
    assert validation.findings == []
