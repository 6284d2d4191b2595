"""How policy works (contract kinds 5-7: meldingen, omvang, vertrouwenspersonen): files load
or are refused with line and column, versions like every other kind."""

from __future__ import annotations

from pathlib import Path

from etl.intake.validate import validate_bytes
from tests.conftest import TODAY, fixture, fixture_bytes, run_etl


def _found(name: str) -> set[tuple[int | None, str | None, str]]:
    validation = validate_bytes(fixture_bytes(name), name, TODAY)
    assert validation.submission is None
    return {(f.line, f.column, f.code) for f in validation.findings}


def test_each_werking_kind_is_recognised_from_its_columns() -> None:
    for name, kind in (("meldingen_valid.csv", "meldingen"), ("omvang_valid.csv", "omvang"),
                       ("vertrouwenspersonen_valid.csv", "vertrouwenspersonen")):  # fmt: skip
        validation = validate_bytes(fixture_bytes(name), name, TODAY)
        assert validation.kind == kind and not validation.findings, validation.findings


def test_rejects_bad_report_rows_with_line_and_column() -> None:
    assert _found("meldingen_invalid.csv") == {
        (2, "gegrond", "gegrond_boven_afgerond"),
        (4, "meldingen", "geen_aantal"),
        (7, "aangiften", "te_groot_getal"),
        (9, "soort", "dubbele_soort"),
        (10, "soort", "onbekende_soort"),
    }


def test_a_missing_type_is_an_error_not_a_zero() -> None:
    lines = fixture("meldingen_valid.csv").read_text(encoding="utf-8").splitlines()
    data = "\n".join(line for line in lines if ";prive;" not in line) + "\n"
    validation = validate_bytes(data.encode(), "m.csv", TODAY)
    [finding] = validation.findings
    assert (finding.line, finding.column) == (2, "soort")
    assert "ontbreekt soort prive" in finding.message


def test_rejects_bad_headcounts_and_adviser_rows() -> None:
    assert _found("omvang_invalid.csv") == {
        (2, "medewerkers", "geen_medewerkers"),
        (4, "departement", "dubbele_omvang"),
        (5, "medewerkers", "geen_aantal"),
    }
    assert _found("vertrouwenspersonen_invalid.csv") == {
        (3, "onderwerp", "dubbele_onderwerp"),
        (4, "onderwerp", "onbekende_onderwerp"),
        (5, "gesprekken", "geen_aantal"),
    }


def test_werking_files_load_as_versions_and_export_in_the_contracts_columns(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.duckdb"
    names = ("meldingen_valid.csv", "omvang_valid.csv", "vertrouwenspersonen_valid.csv")
    result = run_etl("load", *(str(fixture(n)) for n in names), db=db)
    assert result.returncode == 0 and result.stdout.count("FIN 2025-Q3 versie 1") == 3
    meldingen = run_etl("export", "meldingen", "--periode", "2025-Q3", db=db).stdout.splitlines()
    assert meldingen[0] == (
        "departement,periode,soort,meldingen,onderzoeken,afgerond,gegrond,maatregelen,aangiften,"
        "ongegrond,niet_vast_te_stellen,zonder_onderzoek"
    )
    assert "FIN,2025-Q3,omgang,6,4,3,2,2,0,,," in meldingen and len(meldingen) == 10
    assert run_etl("export", "omvang", db=db).stdout.splitlines()[1] == "FIN,2025-Q3,11230,"
    changed = tmp_path / "omvang.csv"
    changed.write_text("departement,periode,medewerkers\nFIN,2025-Q3,11310\n", encoding="utf-8")
    assert "FIN 2025-Q3 versie 2" in run_etl("load", str(changed), db=db).stdout
    assert run_etl("export", "omvang", db=db).stdout.splitlines()[1] == "FIN,2025-Q3,11310,"
    exported = tmp_path / "terug.csv"
    exported.write_text(run_etl("export", "meldingen", db=db).stdout, encoding="utf-8")
    assert "in orde (meldingen)" in run_etl("validate", str(exported)).stdout  # loadable again
