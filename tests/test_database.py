"""Readers: one pooled read-only connection per file version, never a stale file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd

from etl.reads.base import remembered
from etl.store import database
from etl.store.database import reader, writer
from etl.store.load import load_sources, read_source
from tests.conftest import fixture


def _count(db: Path) -> int:
    with reader(db) as connection:
        assert connection is not None
        row = connection.execute("SELECT count(*) FROM loads").fetchone()
        assert row is not None
        return int(row[0])


def test_reader_sees_the_file_the_writer_renamed_into_place(db: Path) -> None:
    load_sources([read_source(fixture("normscores_valid.csv"))], db)
    assert _count(db) == 1
    load_sources([read_source(fixture("normscores_valid_v2.csv"))], db)
    assert _count(db) == 2


def test_a_busy_reader_of_the_old_file_finishes_and_the_next_reader_gets_the_new_one(
    db: Path,
) -> None:
    load_sources([read_source(fixture("normscores_valid.csv"))], db)
    seen: list[int] = []
    with reader(db) as old:
        assert old is not None
        load_sources([read_source(fixture("normscores_valid_v2.csv"))], db)
        other = threading.Thread(target=lambda: seen.append(_count(db)))
        other.start()
        time.sleep(0.2)  # the new reader waits for this one instead of getting the old file
        assert seen == []
        assert old.execute("SELECT count(*) FROM loads").fetchone() == (1,)
    other.join(timeout=10)
    assert seen == [2]


def test_no_database_file_gives_no_reader(tmp_path: Path) -> None:
    with reader(tmp_path / "ontbreekt.duckdb") as connection:
        assert connection is None


def test_a_kept_answer_is_given_only_for_the_same_file_version_and_as_a_copy(db: Path) -> None:
    load_sources([read_source(fixture("normscores_valid.csv"))], db)
    reads: list[int] = []

    def count() -> pd.DataFrame:
        reads.append(_count(db))
        return pd.DataFrame({"loads": [reads[-1]]})

    def loads(params: list[object]) -> list[int]:
        frame = remembered(db, "SELECT count(*) FROM loads", params, count)
        assert frame is not None
        answer = frame["loads"].tolist()
        frame["loads"] = -1  # a caller changing its frame changes no one else's
        return answer

    assert [loads([]), loads([])] == [[1], [1]]  # read, then given as kept
    assert reads == [1]
    assert loads([2]) == [1] and reads == [1, 1]  # other parameters: another read
    load_sources([read_source(fixture("normscores_valid_v2.csv"))], db)
    assert loads([]) == [2]  # the file the writer renamed into place: read anew


def test_a_file_whose_views_are_not_this_releases_gets_them_written_again(db: Path) -> None:
    """The writer skips redefining the views when the file holds exactly these; a file with
    a view missing or defined otherwise (another release's) gets this release's."""
    load_sources([read_source(fixture("normscores_valid.csv"))], db)
    with writer(db) as connection:
        connection.execute("DROP VIEW current_agreements")
        connection.execute("CREATE OR REPLACE VIEW current_measures AS SELECT 1 AS one")
    with writer(db) as connection:
        pass
    with reader(db) as connection:
        assert connection is not None
        views = dict(connection.execute(database._STORED_VIEWS).fetchall())
    assert "current_agreements" in views
    assert "SELECT 1 AS one" not in views["current_measures"]
    assert list(views.items()) == database._VIEWS_AS_STORED
