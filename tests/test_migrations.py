"""Upgrades lose nothing: a database file of release 2026-11 opens in this release with
every version, ledger row, account and archived file intact, through numbered migrations.

The fixture `release-2026-11.duckdb.gz` was made with that release's own commands: the
Court's baseline, 2024-Q1 of every ministry, two survey files and their response, a
second version, a refused file, two accounts, a version withdrawn and one withdrawn and
restored.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.reads.readmodel import ReadModel
from etl.store import accounts, migrations
from etl.store.database import DATA_TABLES, ensure_schema, reader, writer
from tests.conftest import fixture, run_etl

# Tables later migrations add, which a release-2026-11 file has not got.
NEWER = (
    "agreements",
    "coordination",
    "reports",
    "headcount",
    "adviser_talks",
    "reminders",
    "survey_hidden",
    "measures",
    "year_figures",
    "agenda_marks",
)
TABLES = (*[t for t in DATA_TABLES if t not in NEWER], "users")


@pytest.fixture
def release_db(tmp_path: Path) -> Path:
    path = tmp_path / "integriteit.duckdb"
    with gzip.open(fixture("release-2026-11.duckdb.gz")) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def _contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with reader(path) as connection:
        assert connection is not None
        return {t: connection.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def test_a_release_2026_11_database_keeps_every_row_after_the_upgrade(release_db: Path) -> None:
    before = _contents(release_db)
    assert len(before["loads"]) == 21 and len(before["submissions"]) == 31
    assert len(before["users"]) == 2 and len(before["version_events"]) == 3
    ensure_schema(release_db)
    assert _contents(release_db) == before
    with reader(release_db) as connection:
        assert connection is not None
        assert migrations.applied(connection) == list(range(1, migrations.LATEST + 1))
        files = connection.execute("SELECT sha256, content FROM files").fetchall()
    assert len(files) == 20
    assert all(hashlib.sha256(content).hexdigest() == sha for sha, content in files)


def test_accounts_versions_and_withdrawals_of_the_old_release_still_work(release_db: Path) -> None:
    assert accounts.authenticate(release_db, "ipim.secretaris", "coordinator-2026") is not None
    assert accounts.user_for_email(release_db, "lead@minfin.nl") is not None
    versions = ReadModel(release_db).submissions()
    fin = versions[(versions["departement"] == "FIN") & (versions["periode"] == "2025-Q3")]
    assert sorted(fin["versie"]) == [1, 2]
    bzk = versions[(versions["departement"] == "BZK") & (versions["periode"] == "2024-Q1")]
    assert bzk["ingetrokken"].tolist() == [True]
    exported = run_etl("export", "normscores", "--periode", "2025-Q3", "--db", str(release_db))
    assert exported.returncode == 0
    assert "Toelichting bij norm 1" in exported.stdout  # version 2 is current again


def test_the_database_itself_refuses_a_period_it_does_not_understand(release_db: Path) -> None:
    ensure_schema(release_db)
    with pytest.raises(duckdb.ConstraintException), writer(release_db) as connection:
        connection.execute(
            "INSERT INTO submissions VALUES (999, 'normscores', 'FIN', '٢٠٢٥-Q4', 1, 1, 'x')"
        )
    with reader(release_db) as connection:
        assert connection is not None
        assert connection.execute("SELECT count(*) FROM submissions").fetchone() == (31,)


def test_a_stored_phantom_quarter_is_quarantined_not_lost(release_db: Path) -> None:
    """A release before the ASCII rule stored a quarter in Arabic-Indic digits."""
    connection = duckdb.connect(str(release_db))
    connection.execute(
        "INSERT INTO submissions VALUES (900, 'normscores', 'FIN', '٢٠٢٥-Q4', 1, 1, 'abc')"
    )
    connection.execute(
        "INSERT INTO normscores (submission_id, departement, periode, norm, score, oordeel, "
        "toelichting, line) VALUES (900, 'FIN', '٢٠٢٥-Q4', 1, 2, 'voldoet', 'spook', 2)"
    )
    connection.close()
    ensure_schema(release_db)
    with reader(release_db) as reading:
        assert reading is not None
        moved = reading.execute(
            "SELECT table_name, row_json FROM quarantined_rows ORDER BY table_name"
        ).fetchall()
        periods = reading.execute("SELECT DISTINCT periode FROM submissions").fetchall()
    assert [table for table, _ in moved] == ["normscores", "submissions"]
    assert "spook" in moved[0][1]
    assert all(period.isascii() for (period,) in periods)


def test_a_database_of_a_newer_release_is_refused_and_left_as_it_was(release_db: Path) -> None:
    with writer(release_db) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (99, 'toekomst', now())")
    before = release_db.read_bytes()
    with pytest.raises(migrations.NewerDatabase, match="nieuwere versie"):
        ensure_schema(release_db)
    result = run_etl("load", str(fixture("normscores_valid.csv")), "--db", str(release_db))
    assert result.returncode == 1
    assert "nieuwere versie" in result.stderr and "Traceback" not in result.stderr
    assert release_db.read_bytes() == before


def test_migrations_are_numbered_one_by_one() -> None:
    numbers = [m.number for m in migrations.MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1))
    assert numbers[-1] == migrations.LATEST


# Every release's database kept as a fixture; the newest is the current schema, so the
# next migration is tested against it the day it is written.
RELEASES = ("release-2026-11.duckdb.gz", "release-2026-11-28.duckdb.gz")


def _unpacked(name: str, tmp_path: Path) -> Path:
    path = tmp_path / name.removesuffix(".gz")
    with gzip.open(fixture(name)) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def _every_table(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every stored table but what a load derives again (`derived_*`) and the migrations'
    own bookkeeping."""
    with reader(path) as connection:
        assert connection is not None
        names = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
            if not name.startswith("derived_") and name != "schema_migrations"
        ]
        return {n: connection.execute(f"SELECT * FROM {n} ORDER BY ALL").fetchall() for n in names}


def _columns(path: Path) -> dict[str, list[str]]:
    with reader(path) as connection:
        assert connection is not None
        rows = connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "ORDER BY table_name, ordinal_position"
        ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(str(table), []).append(str(column))
    return columns


@pytest.mark.parametrize("name", RELEASES)
def test_every_kept_release_opens_with_every_row_of_every_table(name: str, tmp_path: Path) -> None:
    path = _unpacked(name, tmp_path)
    before, columns_before = _every_table(path), _columns(path)
    ensure_schema(path)
    # Columns a later migration adds come last (NULL: not reported): every old one is kept.
    after, columns_after = _every_table(path), _columns(path)
    for table, rows in before.items():
        old = columns_before[table]
        assert columns_after[table][: len(old)] == old, table
        assert sorted(row[: len(old)] for row in after[table]) == sorted(rows), table
    with reader(path) as connection:
        assert connection is not None
        assert migrations.applied(connection) == list(range(1, migrations.LATEST + 1))


def test_the_newest_kept_release_has_every_kind_and_record_of_this_one(tmp_path: Path) -> None:
    """The fixture of release 2026-11-28 (schema 6) holds every kind of file, an agreement
    with two versions, BZK's coordination, a withdrawal, a refusal, accounts and a reminder;
    all of it still reads and exports."""
    path = _unpacked(RELEASES[-1], tmp_path)
    tables = _every_table(path)
    for table in ("normscores", "survey_counts", "survey_response", "agreements", "coordination",
                  "reports", "headcount", "adviser_talks", "version_events", "reminders",
                  "users"):  # fmt: skip
        assert tables[table], table
    assert accounts.authenticate(path, "ipim.secretaris", "geheim-wachtwoord-2026") is not None
    assert any(status == "geweigerd" for status in ReadModel(path).history()["status"])
    for kind in ("normscores", "enquete", "respons", "afspraken", "coordinatie", "meldingen",
                 "omvang", "vertrouwenspersonen"):  # fmt: skip
        exported = run_etl("export", kind, "--db", str(path))
        assert exported.returncode == 0, kind
        # The survey of two ministries publishes nothing: each could subtract itself from
        # the Rijk's total (the insider audit); every other kind exports its rows.
        assert exported.stdout.count("\n") > 1 or kind in ("enquete", "respons"), kind
