"""The command line through its real entry point, `python -m etl`: exit codes and exact text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.conftest import FIXTURES, fixture, run_etl


def test_validate_valid_file_exits_zero_and_stores_nothing(db: Path) -> None:
    result = run_etl("validate", str(fixture("normscores_dutch_excel.csv")), db=db)
    assert result.returncode == 0
    assert result.stdout == f"{fixture('normscores_dutch_excel.csv')}: in orde (normscores).\n"
    assert not db.exists()


def test_validate_prints_file_line_column_findings_on_stderr_and_exits_one() -> None:
    path = fixture("duplicate_norm.csv")
    result = run_etl("validate", str(path))
    assert result.returncode == 1
    assert result.stderr == (
        f"{path}:17:norm: Norm 7 staat meer dan één keer in het bestand voor FIN 2025-Q3: "
        "regels 8 en 17.\n"
    )
    assert result.stdout == f"{path}: geweigerd (1 fout).\n"


def test_whole_file_errors_leave_line_and_column_empty() -> None:
    path = fixture("empty.csv")
    result = run_etl("validate", str(path))
    assert result.returncode == 1
    assert result.stderr == f"{path}::: Het bestand is leeg.\n"


def test_load_folder_stores_each_valid_file_and_exits_one_when_any_is_refused(
    db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("normscores_valid.csv", "bad_oordeel.csv"):
        (folder / name).write_bytes(fixture(name).read_bytes())
    (folder / "notitie.txt").write_text("geen csv")
    result = run_etl("load", str(folder), "--door", "A. de Vries", db=db)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{folder / 'bad_oordeel.csv'}: geweigerd (1 fout); er is niets opgeslagen.",
        f"{folder / 'normscores_valid.csv'}: opgeslagen (FIN 2025-Q3 versie 1).",
    ]
    assert f"{folder / 'bad_oordeel.csv'}:6:oordeel: Oordeel 'voldoende'" in result.stderr


def test_load_identical_file_again_says_nothing_changed(db: Path) -> None:
    path = str(fixture("normscores_valid.csv"))
    assert run_etl("load", path, db=db).returncode == 0
    again = run_etl("load", path, db=db)
    assert again.returncode == 0
    assert (
        again.stdout == f"{path}: ongewijzigd; dit bestand is al geladen, er is niets veranderd.\n"
    )


def test_db_option_overrides_environment(db: Path, tmp_path: Path) -> None:
    other = tmp_path / "ander.duckdb"
    result = run_etl("load", str(fixture("normscores_valid.csv")), "--db", str(other), db=db)
    assert result.returncode == 0
    assert other.exists() and not db.exists()


def test_export_writes_contract_columns_filtered_by_period_and_department(db: Path) -> None:
    run_etl("load", str(fixture("normscores_two_departments.csv")), db=db)
    result = run_etl("export", "normscores", "--periode", "2025q3", "--departement", "az", db=db)
    assert result.returncode == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["departement", "periode", "norm", "oordeel", "toelichting", "bron"]
    assert rows[1] == ["AZ", "2025-Q3", "1", "", "Toelichting bij norm 1.", "zelf"]
    assert len(rows) == 16


def test_the_contract_export_is_exact_and_loads_back_unchanged(db: Path, tmp_path: Path) -> None:
    """Issue 24, point 6: `etl export` is the contract's file, not a spreadsheet download
    (those neutralise formulas, see test_exports): text starting with '-' or '+' came back
    with an apostrophe and was stored so when loaded again."""
    lines = ["departement,periode,norm,oordeel,toelichting"] + [
        f"FIN,2025-Q3,{n},voldoet,{text}"
        for n, text in zip(
            range(1, 16),
            ["=SUM(A1)", "+31 70", "- training gestart", "@mention"] + ["gewoon"] * 11,
            strict=True,
        )
    ]
    path = tmp_path / "formules.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_etl("load", str(path), db=db).returncode == 0
    exported = run_etl("export", "normscores", db=db).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [row["toelichting"] for row in rows[:5]] == [
        "=SUM(A1)", "+31 70", "- training gestart", "@mention", "gewoon",
    ]  # fmt: skip
    again = tmp_path / "terug.csv"
    again.write_text(exported, encoding="utf-8")
    assert run_etl("load", str(again), db=db).returncode == 0
    assert run_etl("export", "normscores", db=db).stdout == exported  # the same values


def test_history_lists_every_attempt_with_sha256_and_status(db: Path) -> None:
    run_etl("load", str(fixture("normscores_valid.csv")), "--door", "tester", db=db)
    run_etl("load", str(fixture("bad_norm.csv")), "--door", "tester", db=db)
    result = run_etl("history", db=db)
    assert result.returncode == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["door"], Path(r["bestand"]).name, r["soort"], r["status"]) for r in rows] == [
        ("tester", "normscores_valid.csv", "normscores", "opgeslagen"),
        ("tester", "bad_norm.csv", "normscores", "geweigerd"),
    ]
    assert len(rows[0]["sha256"]) == 64
    assert rows[0]["perioden"] == "2025-Q3"
    only_fin = run_etl("history", "--departement", "fin", db=db)
    assert len(list(csv.DictReader(io.StringIO(only_fin.stdout)))) == 1


def test_usage_errors_exit_two() -> None:
    assert run_etl("export", "onzin").returncode == 2
    assert run_etl("export", "normscores", "--periode", "vorig jaar").returncode == 2
    assert run_etl("load", str(FIXTURES / "bestaat-niet.csv")).returncode == 2
    assert run_etl("verwijder").returncode == 2


def test_load_records_the_date_a_batch_was_received(db: Path, tmp_path: Path) -> None:
    receipts = tmp_path / "ontvangen.tsv"
    receipts.write_text("bestand\tontvangen\nnormscores_valid.csv\t2025-10-20\n", encoding="utf-8")
    run_etl("load", str(fixture("normscores_valid.csv")), "--ontvangstlijst", str(receipts), db=db)
    run_etl("load", str(fixture("normscores_valid_v2.csv")), "--ontvangen", "03-11-2025", db=db)
    rows = list(csv.DictReader(io.StringIO(run_etl("history", db=db).stdout)))
    assert [row["ontvangen"] for row in rows] == ["2025-10-20", "2025-11-03"]


def test_received_date_in_the_future_is_a_usage_error(db: Path) -> None:
    result = run_etl("load", str(fixture("normscores_valid.csv")), "--ontvangen", "2999-01-01")
    assert result.returncode == 2
    assert "ligt in de toekomst" in result.stderr


def test_another_organisation_catalogue_needs_no_code_change(tmp_path: Path) -> None:
    catalogue = tmp_path / "gemeenten.csv"
    catalogue.write_text(
        "code,naam,soort,geldig_van,geldig_tot,voorganger\n"
        "RIJK,Alle gemeenten samen,rijksbreed,,,\n"
        "GM0363,Gemeente Amsterdam,gemeente,,,\n"
        "GM0518,Gemeente 's-Gravenhage,gemeente,,,\n",
        encoding="utf-8",
    )
    rows = "".join(f"gm0518,2025-Q3,{n},voldoet\n" for n in range(1, 16))
    submission = tmp_path / "denhaag.csv"
    submission.write_text("departement,periode,norm,oordeel\n" + rows, encoding="utf-8")
    env = {"INTEGRITEIT_ORGANISATIES": str(catalogue)}
    assert run_etl("validate", str(submission), env=env).returncode == 0
    ministry = run_etl("validate", str(fixture("normscores_valid.csv")), env=env)
    assert ministry.returncode == 1
    assert "Onbekende organisatiecode 'FIN'. Geldige codes: GM0363, GM0518." in ministry.stderr
