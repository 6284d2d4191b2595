"""`python -m etl herbouw`: a database rebuilt from its archive and ledger exports the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import reminders
from etl.domain.kinds import KINDS
from etl.reminders import Reminder
from etl.store.database import reader
from tests.conftest import fixture, run_etl


@pytest.fixture(scope="module")
def lived(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, then a quarter's life: new versions, a refusal, withdrawals, an account."""
    db = tmp_path_factory.mktemp("herbouw") / "origineel.duckdb"
    shutil.copy(sample_db, db)
    for name in ("normscores_valid.csv", "normscores_valid_v2.csv", "bad_norm.csv",
                 "respons_valid.csv"):  # fmt: skip
        run_etl("load", str(fixture(name)), "--db", str(db), "--door", "lead.fin")
    withdraw = ["intrekken", "normscores", "--departement", "FIN", "--periode", "2025-Q3"]
    assert run_etl(*withdraw, "--versie", "2", "--reden", "fout", "--db", str(db)).returncode == 0
    # The first version is in force now; loading the second again makes it a third.
    run_etl("load", str(fixture("normscores_valid_v2.csv")), "--db", str(db))
    account = ["gebruikers", "add", "lead.fin", "--rol", "departement:FIN"]
    account += ["--email", "lead@minfin.nl", "--zonder-wachtwoord", "--db", str(db)]
    assert run_etl(*account).returncode == 0
    # A round of reminders, as `herinner` records it (one sent, one the server refused).
    sent = [(Reminder(code, "2026-Q3", (f"lead@{code.lower()}.nl",), ("normscores",), "s", "b"),
             f"lead@{code.lower()}.nl", status, detail) for code, status, detail in
            (("FIN", "verstuurd", ""), ("AZ", "mislukt", "550 onbekend adres"))]  # fmt: skip
    reminders.record(db, sent, "bzk")
    return db


@pytest.fixture
def lived_in(lived: Path, tmp_path: Path) -> Path:
    db = tmp_path / "origineel.duckdb"
    shutil.copy(lived, db)
    return db


def _table(db: Path, sql: str) -> list[tuple[object, ...]]:
    with reader(db) as connection:
        assert connection is not None
        return connection.execute(sql).fetchall()


def test_a_rebuilt_database_exports_exactly_what_the_original_does(
    lived_in: Path, tmp_path: Path
) -> None:
    rebuilt = tmp_path / "herbouwd.duckdb"
    result = run_etl("herbouw", "--naar", str(rebuilt), "--db", str(lived_in))
    assert result.returncode == 0, result.stderr
    assert "1 weigeringen en 1 intrekkingen" in result.stdout
    assert "Alle versies zijn gelijk" in result.stdout
    for kind in KINDS:
        before = run_etl("export", kind, "--db", str(lived_in)).stdout
        assert before.count("\n") > 5, kind
        assert run_etl("export", kind, "--db", str(rebuilt)).stdout == before
    assert (
        run_etl("history", "--db", str(rebuilt)).stdout
        == run_etl("history", "--db", str(lived_in)).stdout
    )
    for sql in (
        "SELECT * FROM submissions ORDER BY ALL",
        "SELECT * EXCLUDE (submission_id) FROM normscores ORDER BY ALL",
        "SELECT * FROM loads ORDER BY ALL",
        "SELECT sha256, content FROM files ORDER BY ALL",
        "SELECT * FROM version_events ORDER BY ALL",
        "SELECT * FROM users ORDER BY ALL",
        "SELECT * FROM reminders ORDER BY ALL",
        "SELECT * FROM quarantined_rows ORDER BY ALL",
    ):
        assert _table(rebuilt, sql) == _table(lived_in, sql), sql


def test_herbouw_reports_an_archived_file_that_todays_rules_refuse(
    lived_in: Path, tmp_path: Path
) -> None:
    """A file an earlier release accepted, with a quarter in Arabic-Indic digits."""
    from etl.store.database import writer

    with writer(lived_in) as connection:
        connection.execute(
            "UPDATE files SET content = encode(replace(decode(content), '2025-Q3', "
            "'٢٠٢٥-Q3')) WHERE file_name = 'normscores_valid.csv'"
        )
    rebuilt = tmp_path / "herbouwd.duckdb"
    result = run_etl("herbouw", "--naar", str(rebuilt), "--db", str(lived_in))
    assert result.returncode == 1
    assert "normscores_valid.csv): was opgeslagen, nu geweigerd" in result.stderr
    assert "verschillen met het origineel" in result.stderr


def test_herbouw_never_overwrites_a_file(lived_in: Path) -> None:
    result = run_etl("herbouw", "--naar", str(lived_in), "--db", str(lived_in))
    assert result.returncode == 2 and "bestaat al" in result.stderr
