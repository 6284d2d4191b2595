"""Shared test data: fixture files, a fixed 'today', and a database with the samples loaded."""

from __future__ import annotations

import fcntl
import functools
import gc
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings

from etl.cli import main
from etl.intake.validate import NormScore, Validation
from etl.store.database import reader
from etl.store.load import expand_paths, load_sources, read_receipts, read_source

# `make test` draws nothing at random that can fail it: every property test runs the same
# examples each time (derandomised, no example database carried between runs). Wider
# random sweeps live in their own targets (`make sweep`, `make fuzz`), seeded.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None)
hypothesis_settings.load_profile("deterministic")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ARTIFACTS = ROOT / "tests" / "artifacts"  # the browser tests' screenshots, for a person
SAMPLES = ROOT / "sample_submissions"
TODAY = date(2026, 11, 28)


# The fast lane (`make check`): a test that took half a second or more when the durations were
# last stored (`make durations`, every phase summed) is marked slow, as the ones marked by
# hand are. A new test counts as fast until the durations are stored again.
DURATIONS = ROOT / "tests" / "durations.json"
SLOW_SECONDS = 0.5


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-durations",
        action="store_true",
        help=f"write every test's seconds to {DURATIONS.name} (the fast lane's list)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks the slow tests, and puts the files in the order their tests took, longest
    first: `make test`'s two workers take one file at a time in this order (pytest-xdist's
    `--dist loadfile --no-loadscope-reorder`), so the run ends with short files on both
    cores, not with one browser file on one core while the other waits (14 s of a run, as
    pytest-xdist's own order by number of tests had it). A file never measured goes last."""
    measured = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.exists() else {}
    per_file: dict[Path, float] = {}
    for item in items:
        seconds = measured.get(item.nodeid, 0.0)
        if seconds >= SLOW_SECONDS:
            item.add_marker(pytest.mark.slow)
        per_file[item.path] = per_file.get(item.path, 0.0) + seconds
    items.sort(key=lambda item: -per_file[item.path])  # stable: a file's own order stays


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (every module, the catalogues, Altair's
    schema) lives until the run ends: frozen, Python's full collections no longer walk it
    again and again (they took half as long in the page tests, 5.6 s against 3.0 s)."""
    gc.collect()
    gc.freeze()


_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Only the controlling process writes (pytest-xdist's workers report to it).
    if session.config.getoption("--store-durations") and not hasattr(session.config, "workerinput"):
        rounded = {node: round(seconds, 2) for node, seconds in sorted(_seconds.items())}
        DURATIONS.write_text(json.dumps(rounded, indent=0, ensure_ascii=False) + "\n",
                             encoding="utf-8")  # fmt: skip


def fixture(name: str) -> Path:
    return FIXTURES / name


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Every row of one query on the database, through the readers the product uses."""
    with reader(db) as connection:
        assert connection is not None, f"no database at {db}"
        return connection.execute(sql).fetchall()


def norm_scores(validation: Validation) -> list[NormScore]:
    """The norm-score records of a validated file (the others are survey records)."""
    assert validation.submission is not None, validation.findings
    return [r for r in validation.submission.records if isinstance(r, NormScore)]


def pdf_text(data: bytes) -> str:
    """Every page's text of a PDF, as a reader's copy-and-paste would give it: PDFium's
    text (pypdfium2), what Chromium's PDF viewer copies, ten times faster than pypdf's."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return text.replace("\r\n", "\n")


def fixture_bytes(name: str) -> bytes:
    return fixture(name).read_bytes()


def normscores_csv(departement: str = "FIN", periode: str = "2025-Q3", norm: str = "{n}") -> bytes:
    """A valid norm-score file of fifteen rows (voldoet, toelichting x), to be broken."""
    lines = ["departement,periode,norm,oordeel,toelichting"] + [
        f"{departement},{periode},{norm.format(n=n)},voldoet,x" for n in range(1, 16)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


# An agreements file (kind 4): its header and one agreement of AZ made by the coordinator.
AGREEMENT_HEADER = b"id,departement,norm,afspraak,vastgesteld,gremium,gereed,status,toelichting\n"
AGREEMENT_ROW = b"2025-01,AZ,12,AZ legt de risicoanalyse vast,2025-03-13,IPIM,2026-Q1,open,\n"


@dataclass(frozen=True)
class Ran:
    """What a command did: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


def run_etl(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None, input: str | None = None
) -> Ran:
    """Run a command of `python -m etl` in this process with click's CliRunner, as
    sqlite-utils tests its CLI: exit status and exact text, fast. An exception that escapes
    the command fails the test (a user would have seen a traceback)."""
    environment = dict(env or {})
    if db is not None:
        environment["INTEGRITEIT_DB"] = str(db)
    result = CliRunner().invoke(main, list(args), env=environment, input=input,
                                catch_exceptions=False)  # fmt: skip
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_process(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real entry point, `python -m etl`, as a separate process: for the few tests
    where the process boundary is the point (locks, a killed load, what a process imports)."""
    environment = {**os.environ, **(env or {})}
    if db is not None:
        environment["INTEGRITEIT_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "integriteit.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every sample submission loaded through the real load path: built once
    per test run (parallel workers share the build, under a lock) and copied per worker, so
    no worker sees another's writes."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # this run's folder, above every worker's own
    built = shared / "samples-built.duckdb"
    with (shared / "samples.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            staging = shared / "samples-staging.duckdb"
            staging.unlink(missing_ok=True)
            receipts = read_receipts(SAMPLES / "ontvangen.tsv")
            sources = [
                replace(read_source(p), received_on=receipts[p.name])
                for p in expand_paths([SAMPLES])
            ]
            results = load_sources(sources, staging, loaded_by="pytest", today=TODAY)
            assert all(r.status == "opgeslagen" for r in results), [r.summary() for r in results]
            staging.rename(built)
    path = tmp_path_factory.mktemp("samples") / "integriteit.duckdb"
    shutil.copyfile(built, path)
    return path


def open_page(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    user: Any,
    page: str,
    opened: tuple[str, ...] = (),
    tables: bool = True,
) -> Any:
    """The dashboard signed in as `user` on `page` (e.g. 'screens/ipim.py'), on `db`, with
    the expanders keyed `opened` open (`dashboard.view.lazy_expander`) and, unless `tables`
    is False, every chart's table shown (the sidebar's switch: the strictest reading)."""
    from streamlit.testing.v1 import AppTest

    from dashboard import auth, view

    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    monkeypatch.setenv("INTEGRITEIT_VANDAAG", TODAY.isoformat())
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = user
    app.session_state[view.SHOW_TABLES] = tables
    for key in opened:
        app.session_state[key] = True
    return app.switch_page(page).run()


def shown_tables(app: Any) -> list[Any]:
    """Every table a page shows as a DataFrame: the interactive ones (`st.dataframe`) and the
    static ones (`st.table`, their index a column again), so a check of what a page shows
    reads both kinds."""
    frames = [frame.value for frame in app.dataframe]
    return frames + [table.value.reset_index() for table in app.table]


@pytest.fixture(scope="session", autouse=True)
def _installed_components_scanned_once() -> Iterator[None]:
    """Every new AppTest scans the metadata of every installed package for Streamlit
    components (`BidiComponentManager.discover_and_register_components`): a fifth of a
    second each, some 300 times a run, for an answer that cannot change within one run. A
    served dashboard scans once at its start, as before."""
    from streamlit.components.v2 import manifest_scanner

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests",
                      functools.cache(manifest_scanner.scan_component_manifests))  # fmt: skip
        yield


@pytest.fixture(scope="session", autouse=True)
def _accounts_hashed_cheaply() -> Iterator[None]:
    """The accounts the tests make (a few hundred, each signed in with) are hashed at
    bcrypt's lowest work factor: at the product's a hash and each sign-in took a quarter of
    a second of CPU. The work factor is what it is for (`test_accounts` checks the product
    stores its own); no test measures it."""
    from etl.store import accounts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "ROUNDS", 4)
        yield


@pytest.fixture(autouse=True)
def _no_pack_built_beside_a_page_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """Page tests render the IPIM page many times: building its meeting pack beside each
    render would only load the machine. Only the journeys' browser test serves the dashboard
    as `make run` does, with it (`scripts.browser.serve(prebuild=True)`)."""
    monkeypatch.setenv("INTEGRITEIT_VERGADERSET_VOORAF", "nee")
