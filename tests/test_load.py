"""Loading: versions, archive, ledger, all-or-nothing, crash safety and concurrent writers."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.reads.export import to_csv
from etl.reads.readmodel import ReadModel
from etl.store.database import DATA_TABLES
from etl.store.load import PARALLEL_FROM, Source, expand_paths, load_sources, read_source
from tests.conftest import ROOT, TODAY, fixture, fixture_bytes, query


def load(db: Path, *names: str, who: str = "tester") -> list[str]:
    sources = [read_source(fixture(name)) for name in names]
    return [r.status for r in load_sources(sources, db, loaded_by=who, today=TODAY)]


def snapshot(
    db: Path, tables: tuple[str, ...] = DATA_TABLES
) -> dict[str, list[tuple[object, ...]]]:
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}


def test_load_then_export_round_trips_the_file(db: Path) -> None:
    assert load(db, "normscores_dutch_excel.csv") == ["opgeslagen"]
    exported = list(csv.DictReader(io.StringIO(to_csv(ReadModel(db).normscores()), newline="")))
    original = list(
        csv.DictReader(
            io.StringIO(fixture_bytes("normscores_dutch_excel.csv").decode("cp1252"), newline=""),
            delimiter=";",
        )
    )
    assert len(exported) == 15
    for out, given in zip(exported, original, strict=True):
        assert out["departement"] == given["Departement"].upper()
        assert out["periode"] == given["Periode"].upper()
        assert out["norm"] == given["Norm"]
        assert out["oordeel"] == {"2": "voldoet"}.get(given["Oordeel"], given["Oordeel"].lower())
        assert out["toelichting"] == given["Toelichting"]


def test_original_bytes_are_archived_with_their_sha256(db: Path) -> None:
    load(db, "normscores_dutch_excel.csv")
    data = fixture_bytes("normscores_dutch_excel.csv")
    row = query(db, "SELECT sha256, content FROM files")[0]
    assert row == (hashlib.sha256(data).hexdigest(), data)


def test_rejected_file_stores_no_data_and_is_recorded_as_refused(db: Path) -> None:
    load(db, "normscores_valid.csv")
    before = snapshot(db, ("files", "submissions", "normscores"))
    ledger_before = snapshot(db, ("loads",))["loads"]
    assert load(db, "duplicate_norm.csv") == ["geweigerd"]
    assert snapshot(db, ("files", "submissions", "normscores")) == before
    ledger = snapshot(db, ("loads",))["loads"]
    assert ledger[: len(ledger_before)] == ledger_before
    assert [(row[3], row[8], row[9]) for row in ledger[len(ledger_before) :]] == [
        (str(fixture("duplicate_norm.csv")), "geweigerd", 1)
    ]


def test_a_file_with_one_bad_line_stores_none_of_its_lines(db: Path) -> None:
    assert load(db, "bad_oordeel.csv") == ["geweigerd"]
    assert ReadModel(db).normscores().empty


def test_resubmission_makes_a_new_version_and_keeps_the_old(db: Path) -> None:
    assert load(db, "normscores_valid.csv", "normscores_valid_v2.csv") == ["opgeslagen"] * 2
    current = ReadModel(db).normscores()
    assert set(current["oordeel"]) == {"voldoet"}
    versions = query(
        db,
        "SELECT s.version, count(*), count(*) FILTER (WHERE n.oordeel = 'voldoet') "
        "FROM submissions s JOIN normscores n USING (submission_id) GROUP BY 1 ORDER BY 1",
    )
    assert versions == [(1, 15, 5), (2, 15, 15)]


def test_identical_file_twice_changes_nothing_and_says_so(db: Path) -> None:
    assert load(db, "normscores_valid.csv") == ["opgeslagen"]
    before = snapshot(db, ("files", "submissions", "normscores"))
    results = load_sources([read_source(fixture("normscores_valid.csv"))], db, today=TODAY)
    assert results[0].status == "ongewijzigd"
    assert "al geladen, er is niets veranderd" in results[0].summary()
    assert snapshot(db, ("files", "submissions", "normscores")) == before


def test_reloading_an_older_file_makes_it_current_again(db: Path) -> None:
    load(db, "normscores_valid.csv", "normscores_valid_v2.csv")
    assert load(db, "normscores_valid.csv") == ["opgeslagen"]
    assert sorted(set(ReadModel(db).normscores()["oordeel"])) == [
        "voldoet",
        "voldoet deels",
        "voldoet niet",
    ]


def test_each_file_stands_or_falls_on_its_own(db: Path) -> None:
    assert load(db, "bad_norm.csv", "normscores_two_departments.csv") == [
        "geweigerd",
        "opgeslagen",
    ]
    assert sorted(set(ReadModel(db).normscores()["departement"])) == ["AZ", "FIN"]


def test_ledger_records_who_when_file_kind_periods_and_status(db: Path) -> None:
    load(db, "normscores_two_departments.csv", who="j.jansen")
    (row,) = query(
        db,
        "SELECT loaded_by, file_name, kind, periods, departments, status, findings, row_count, "
        "loaded_at IS NOT NULL FROM loads",
    )
    assert row == (
        "j.jansen",
        str(fixture("normscores_two_departments.csv")),
        "normscores",
        "2025-Q3",
        "AZ,FIN",
        "opgeslagen",
        0,
        30,
        True,
    )


def test_unreadable_source_is_refused_without_reading(db: Path) -> None:
    source = read_source(fixture("normscores_valid.csv"), max_bytes=100)
    assert source.data is None
    results = load_sources([source], db, today=TODAY)
    assert results[0].status == "geweigerd"
    assert results[0].findings[0].code == "te_groot"


def _load_in_subprocess(db: Path, name: str, crash_at: str | None = None) -> int:
    env = {**os.environ, "INTEGRITEIT_DB": str(db)}
    if crash_at:
        env["INTEGRITEIT_CRASH_AT"] = crash_at
    process = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(fixture(name))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    return process.returncode


@pytest.mark.slow
def test_process_killed_mid_load_leaves_database_as_it_was(db: Path) -> None:
    load(db, "normscores_valid.csv")
    before = snapshot(db)
    for point in ("after_insert", "before_commit", "before_replace"):
        assert _load_in_subprocess(db, "normscores_valid_v2.csv", crash_at=point) == -9
        assert snapshot(db) == before, point
    assert list(db.parent.glob(".*.tmp*")), "a killed writer leaves its copy behind"
    # The next load still works and cleans up after the killed one.
    assert _load_in_subprocess(db, "normscores_valid_v2.csv") == 0
    assert set(ReadModel(db).normscores()["oordeel"]) == {"voldoet"}
    assert list(db.parent.glob(".*.tmp*")) == []


@pytest.mark.slow
def test_concurrent_loads_from_two_processes_both_land(db: Path) -> None:
    load(db, "normscores_dutch_excel.csv")
    env = {**os.environ, "INTEGRITEIT_DB": str(db)}
    names = ["normscores_valid.csv", "normscores_utf8_bom_semicolon.csv"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "etl", "load", str(fixture(name))],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in names * 2
    ]
    codes = [process.wait(timeout=120) for process in processes]
    assert codes == [0, 0, 0, 0]
    groups = ReadModel(db).normscores()[["departement", "periode"]].drop_duplicates()
    assert sorted(map(tuple, groups.to_numpy().tolist())) == [
        ("BZK", "2025-Q2"),
        ("FIN", "2025-Q3"),
    ]
    statuses = snapshot(db, ("loads",))["loads"]
    assert sorted(str(row[8]) for row in statuses) == [
        "ongewijzigd",
        "ongewijzigd",
        "opgeslagen",
        "opgeslagen",
        "opgeslagen",
    ]


def test_in_memory_source_loads_like_a_file(db: Path) -> None:
    data = fixture_bytes("normscores_valid.csv")
    results = load_sources([Source("upload.csv", data)], db, today=TODAY)
    assert results[0].status == "opgeslagen"
    assert results[0].versions == [("FIN", "2025-Q3", 1)]


@pytest.mark.slow
def test_a_batch_validated_in_two_processes_stores_exactly_what_one_process_stores(
    tmp_path: Path,
) -> None:
    files = expand_paths([ROOT / "sample_submissions"])
    broken = [fixture("many_errors.csv"), fixture("enquete_errors.csv")]
    sources = [read_source(path) for path in [*files, *broken]]
    assert len(sources) >= PARALLEL_FROM
    stored = {}
    for workers in (1, 2):
        db = tmp_path / f"{workers}.duckdb"
        results = load_sources(sources, db, loaded_by="tester", today=TODAY, workers=workers)
        stored[workers] = (
            [(r.file, r.status, r.findings, r.versions) for r in results],
            snapshot(
                db, ("files", "submissions", "normscores", "survey_counts", "survey_response")
            ),
        )
    assert stored[1] == stored[2]
    assert [status for _, status, _, _ in stored[2][0]][-2:] == ["geweigerd", "geweigerd"]
