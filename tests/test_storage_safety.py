"""The store holds: backups, a withdrawn and restored version, a damaged database, a full
or read-only disk, a killed load, an output that cannot be written."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from etl.reads.readmodel import ReadModel
from etl.store.accounts import User
from etl.store.database import reader
from etl.store.load import Source, load_sources
from tests.conftest import ROOT, TODAY, normscores_csv, run_etl


def _sample_load(db: Path) -> None:
    result = run_etl(
        "load", str(ROOT / "tests" / "fixtures" / "normscores_valid.csv"), "--db", str(db)
    )
    assert result.returncode == 0


def _marked(marker: str) -> list[int]:
    """Processes whose environment carries this marker (a load and the workers it forked)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def test_a_backup_taken_while_readers_serve_restores_every_version(
    sample_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    with reader(db) as busy:  # the dashboard holds the file open meanwhile
        assert busy is not None
        done = run_etl("backup", "--naar", str(tmp_path / "kopie.duckdb"), "--db", str(db))
        assert busy.execute("SELECT count(*) FROM loads").fetchone() is not None
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Back-up van {db} in {tmp_path / 'kopie.duckdb'} (")
    original, copy = ReadModel(db), ReadModel(tmp_path / "kopie.duckdb")
    pd.testing.assert_frame_equal(original.normscores(), copy.normscores())
    pd.testing.assert_frame_equal(original.enquete(), copy.enquete())
    pd.testing.assert_frame_equal(original.history(), copy.history())
    missing = run_etl("backup", "--naar", str(tmp_path / "x.duckdb"), "--db", str(tmp_path / "nee"))
    assert missing.returncode == 1 and "bestaat nog niet" in missing.stderr


def test_a_mistaken_version_can_be_withdrawn_and_restored_without_losing_anything(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.duckdb"
    first = normscores_csv()
    second = first.replace(b"FIN,2025-Q3,1,voldoet,x", b"FIN,2025-Q3,1,voldoet niet,vergissing")
    load_sources([Source("v1.csv", first)], db, "t", TODAY)
    load_sources([Source("v2.csv", second)], db, "t", TODAY)

    def norm_1() -> str:
        frame = ReadModel(db).normscores()
        return str(frame.loc[frame["norm"] == 1, "oordeel"].iloc[0])

    def cell_1() -> str:
        grid = ReadModel(db).norm_grid("2025-Q3", TODAY)
        return str(grid.loc[(grid["departement"] == "FIN") & (grid["norm"] == 1), "staat"].iloc[0])

    assert norm_1() == "voldoet niet" and cell_1() == "voldoet niet"
    args = ["intrekken", "normscores", "--departement", "fin", "--periode", "2025q3"]
    args += ["--versie", "2", "--reden", "verkeerd bestand", "--door", "coord", "--db", str(db)]
    done = run_etl(*args)
    assert (done.returncode, done.stdout) == (0, "normscores FIN 2025-Q3 versie 2 ingetrokken.\n")
    assert norm_1() == "voldoet" and cell_1() == "voldoet"  # version 1 is in force again
    versions = ReadModel(db).submissions()
    assert versions[["versie", "ingetrokken"]].values.tolist() == [[1, False], [2, True]]
    again = run_etl(*args)
    assert again.returncode == 1 and "is al ingetrokken" in again.stderr
    # Loading the withdrawn file again is a new version, not "unchanged".
    [reloaded] = load_sources([Source("v2.csv", second)], db, "t", TODAY)
    assert reloaded.versions == [("FIN", "2025-Q3", 3)]
    restored = run_etl(*args[:-4], "--herstel", "--db", str(db))
    assert restored.returncode == 0 and restored.stdout.endswith("versie 2 hersteld.\n")
    assert len(ReadModel(db).history()) == 3  # three loads; the acts are their own record


@pytest.mark.parametrize("damage", ["afgekapt", "vervangen"])
def test_a_truncated_or_replaced_database_file_is_a_message_not_a_traceback(
    tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    _sample_load(db)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3] if damage == "afgekapt" else b"departement,periode\n")
    before = db.read_bytes()
    for command in (["load", str(ROOT / "tests" / "fixtures" / "respons_valid.csv")],
                    ["export", "normscores"], ["history"]):  # fmt: skip
        result = run_etl(*command, "--db", str(db))
        assert result.returncode == 1, command
        assert "beschadigd" in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.startswith(f"{db}:::")
    assert db.read_bytes() == before
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert "kan op dit moment niet worden gelezen" in app.error[0].value


def test_a_full_disk_leaves_neither_a_partial_copy_nor_a_changed_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    _sample_load(db)
    before = db.read_bytes()

    def half_a_copy(source: Path, target: Path) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr("etl.store.database.shutil.copy2", half_a_copy)
    result = run_etl(
        "load", str(ROOT / "tests" / "fixtures" / "respons_valid.csv"), "--db", str(db)
    )
    assert result.returncode == 1
    assert "De schijf is vol" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []
    backup = run_etl("backup", "--naar", str(tmp_path / "kopie.duckdb"), "--db", str(db))
    assert backup.returncode == 1 and "De schijf is vol" in backup.stderr
    assert [p.name for p in tmp_path.iterdir() if "kopie" in p.name] == []


def test_a_read_only_disk_is_a_message_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    _sample_load(db)
    before = db.read_bytes()

    def refuse(source: object, target: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(target))

    monkeypatch.setattr("etl.store.database.os.replace", refuse)
    result = run_etl(
        "load", str(ROOT / "tests" / "fixtures" / "respons_valid.csv"), "--db", str(db)
    )
    assert result.returncode == 1
    assert "Geen schrijfrechten" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_killed_load_leaves_no_orphaned_worker_processes(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    import uuid

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the load validates in its own process, without workers")
    folder = tmp_path / "veel"
    folder.mkdir()
    data = (ROOT / "tests" / "fixtures" / "normscores_valid.csv").read_bytes()
    for number in range(210):  # more than PARALLEL_FROM, so workers are forked
        (folder / f"bestand_{number:03}.csv").write_bytes(data)
    marker = f"INTEGRITEIT_TESTMERK_{uuid.uuid4().hex}"
    env = {**os.environ, marker: "1", "INTEGRITEIT_PAUSE_AT": "validating:30",
           "INTEGRITEIT_DB": str(tmp_path / "db.duckdb")}  # fmt: skip
    load = subprocess.Popen([sys.executable, "-m", "etl", "load", str(folder)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while len(_marked(marker)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_marked(marker)) >= 2, "the load forked no worker"
    load.send_signal(signal.SIGKILL)
    load.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _marked(marker) == []
    assert not (tmp_path / "db.duckdb").exists()


def test_the_coordinator_withdraws_and_restores_a_version_in_the_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    for name in ("normscores_valid.csv", "normscores_valid_v2.csv"):
        loaded = run_etl("load", str(ROOT / "tests" / "fixtures" / name), "--db", str(db))
        assert loaded.returncode == 0
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("ipim.secretaris", "coordinator")
    app.switch_page("screens/aanleveren.py").run()

    def record(restore: bool) -> None:
        inputs = {t.label: t for t in app.text_input}
        inputs["Organisatiecode"].input("fin")
        inputs["Kwartaal"].input("2025-q3")
        next(n for n in app.number_input if n.label == "Versie").set_value(2)
        inputs["Reden"].input("verkeerd bestand" if not restore else "toch goed")
        app.checkbox[0].set_value(restore)
        [submit] = [b for b in app.button if b.label == "Vastleggen"]
        submit.click().run()
        assert not app.exception

    record(restore=False)
    assert app.success[-1].value == "normscores FIN 2025\\-Q3 versie 2 ingetrokken\\."
    versions = ReadModel(db).submissions()
    assert versions.loc[versions["versie"] == 2, "ingetrokken"].tolist() == [True]
    record(restore=True)
    assert ReadModel(db).submissions()["ingetrokken"].tolist() == [False, False]
    record(restore=True)  # not withdrawn (any more): a Dutch message, nothing recorded
    assert "is niet ingetrokken" in app.error[-1].value


def test_an_output_file_that_cannot_be_written_is_one_dutch_line(sample_db: Path) -> None:
    for args in (["jaarrapport", "--jaar", "2025", "--rijk"],
                 ["rapport", "--periode", "2025-Q3", "--departement", "FIN"],
                 ["agenda", "--periode", "2025-Q3"]):  # fmt: skip
        result = run_etl(*args, "--out", "/geen/map/uit.pdf", "--db", str(sample_db))
        assert result.returncode == 1, args
        assert result.stderr.strip() == (
            "/geen/map/uit.pdf::: Dit bestand kan niet worden geschreven of gelezen: de map "
            "bestaat niet."
        )
