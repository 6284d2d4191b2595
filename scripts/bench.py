"""`make bench`: load throughput and query times at the ministries' and at national scale.

Prints figures measured in one run on this machine; the last line is
`BENCH load_ratio=X query_p95_ms=Y scale_ratio=Z`. Targets (issue 7): load within 3x of
DuckDB's own read_csv, query p95 <= 100 ms nationally, national/ministries <= 3x.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from streamlit import logger as streamlit_logger

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "data" / "bench"
REPEATS = 5
LOAD_RUNS = 3


def _load(folder: Path, db: Path, env: dict[str, str], *options: str) -> tuple[float, float]:
    """Seconds and peak memory (MB) of `python -m etl load` of a folder into a fresh file."""
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "load", str(folder), "--db", str(db), *options],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # 1: some file refused, which the figures include
        raise SystemExit(f"etl load failed with exit status {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


# One glob per kind, so each file is read exactly once (a norm-score file is QUARTER_CODE.csv).
KIND_GLOBS = {
    "normscores": "*-Q?_??[0-9][0-9][0-9][0-9].csv",
    "enquete": "*_enquete_*.csv",
    "respons": "*_respons_*.csv",
    "meldingen": "*_meldingen_*.csv",
    "omvang": "*_omvang_*.csv",
    "vertrouwenspersonen": "*_vertrouwenspersonen_*.csv",
}


# DuckDB's own read_csv into plain tables in a database file, run as a process like the
# load is, so both sides pay for starting Python and writing a file.
READ_CSV = """
import sys, duckdb
folder, target, globs = sys.argv[1], sys.argv[2], sys.argv[3:]
connection = duckdb.connect(target)
for number, pattern in enumerate(globs):
    connection.execute(
        f"CREATE TABLE t{number} AS SELECT * FROM read_csv('{folder}/{pattern}', all_varchar=true)"
    )
counts = [connection.execute(f"SELECT count(*) FROM t{n}").fetchone() for n in range(len(globs))]
print(sum(count[0] for count in counts))
connection.close()
"""


def _read_csv(folder: Path, target: Path) -> tuple[float, int]:
    """Seconds for DuckDB's own read_csv (sniffing, all text) of every file into plain tables
    of a fresh database file, as a whole process; and the number of rows it read."""
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", READ_CSV, str(folder), str(target), *KIND_GLOBS.values()],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, int(done.stdout)


def _timed(db: Path, call: Callable[[Any], object]) -> list[float]:
    """Milliseconds per call, each with a fresh cache key (the data version)."""
    from dashboard import queries

    times = []
    for repeat in range(REPEATS):
        data = queries.Data(db, f"bench-{time.time_ns()}-{repeat}")
        started = time.perf_counter()
        call(data)
        times.append(1000 * (time.perf_counter() - started))
    return times


def _queries(db: Path, periode: str, code: str) -> dict[str, dict[str, list[float]]]:
    """Every query behind each page, as the page calls it, timed with a cold cache."""
    from dashboard import queries

    today = date.today()
    wave = queries.survey_waves(queries.Data(db, "bench"))[0]

    def timed(call: Callable[[Any], object]) -> list[float]:
        return _timed(db, call)

    return {
        "overzicht": {
            "periods": timed(lambda d: queries.periods(d)),
            "norm_grid": timed(lambda d: queries.norm_grid(d, periode, today)),
            "norm_totals": timed(lambda d: queries.norm_totals(d, periode, today)),
            "submission_states": timed(lambda d: queries.submission_states(d, periode, today)),
        },
        "ministerie": {
            "norm_grid": timed(lambda d: queries.norm_grid(d, periode, today)),
            "ministry_history": timed(lambda d: queries.ministry_history(d, code)),
            "ministry_survey": timed(lambda d: queries.ministry_survey(d, code, periode)),
            "submissions": timed(lambda d: queries.submissions(d)),
        },
        "norm": {"norm_history": timed(lambda d: queries.norm_history(d, 9, today))},
        "trends": {
            "onderdeel_shares": timed(lambda d: queries.onderdeel_shares(d)),
            "ministry_shares": timed(lambda d: queries.ministry_shares(d)),
        },
        "aanleverstatus": {
            "submission_status": timed(lambda d: queries.submission_status(d, today)),
            "loads": timed(lambda d: queries.loads(d)),
        },
        "werking": {
            "meldingen_jaar": timed(
                lambda d: queries.werking(d, "meldingen", "jaar", today, alle=True)
            ),
            "meldingen_soorten": timed(
                lambda d: queries.werking(d, "meldingen", "jaar", today, departement=code)
            ),
            "meldingen_kwartaal": timed(
                lambda d: queries.werking(d, "meldingen", "periode", today, alle=True)
            ),
            "vertrouwenspersonen": timed(
                lambda d: queries.werking(d, "vertrouwenspersonen", "jaar", today)
            ),
        },
        "enquete": {
            "survey_waves": timed(lambda d: queries.survey_waves(d)),
            "survey_cells": timed(lambda d: queries.survey_cells(d, wave, "alle")),
            "survey_response": timed(lambda d: queries.survey_response(d, wave, "alle")),
            "survey_distribution": timed(
                lambda d: queries.survey_distribution(d, wave, "alle", code)
            ),
            "survey_blocks": timed(lambda d: queries.survey_blocks(d, wave, "alle")),
        },
    }


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """These environment variables for a while (the catalogue of one scale), then as before."""
    before = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _apptest(db: Path, env: dict[str, str]) -> float:
    from streamlit.testing.v1 import AppTest

    from etl.store.accounts import User

    with _environment({"INTEGRITEIT_DB": str(db), **env}):
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
        app.session_state["gebruiker"] = User("bench", "coordinator")
        started = time.perf_counter()
        app.run()
        return time.perf_counter() - started


def _chromium_overview(db: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds until the overview's heatmap is on screen in Chromium: cold cache, then warm.

    Signed in on another page first, so the overview's own queries start cold.
    """
    from playwright.sync_api import sync_playwright

    from etl.store import accounts
    from scripts import browser

    password = secrets.token_urlsafe(16)
    with _environment(env):
        accounts.add_user(db, "bench.meting", "coordinator", password)
    with browser.serve(db, env, quiet=True) as url, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = browser.new_page(chromium, still=False)
        browser.sign_in(page, url, "bench.meting", password, "aanleverstatus")
        times = []
        for _ in range(2):
            started = time.perf_counter()
            page.goto(f"{url}/?periode=2026-Q3")
            page.locator(browser.VOLDOET_CELL).first.wait_for(timeout=120_000)
            times.append(time.perf_counter() - started)
        chromium.close()
    return times[0], times[1]


PAGE_ROUNDS = 3  # measured visits of each page
CLICK_ROUNDS = 2  # measured rounds of the clicks
READING_SECONDS = 30  # how long the coordinator reads the agenda before the pack is clicked
# Fresh pages: (a ministry's lead, path); the coordinator visits the rest.
JOURNEY_PAGES = (
    (True, "start"), (True, "aanleveren"),
    *((False, p) for p in ("overzicht", "ministerie", "norm", "trends", "enquete", "werking",
                           "aanleverstatus", "ipim")),
)  # fmt: skip
# Clicks that change the period or the ministry: (page, selector, [(option, in the address)]).
_PERIODS = [(p, f"periode={p}") for p in ("2026-Q2", "2026-Q1", "2025-Q4", "2026-Q3")]


def _clicks() -> tuple[tuple[str, str, list[tuple[str, str]]], ...]:
    """The measured clicks; the ministries named as the page's selector names them."""
    from etl.domain import catalog

    names = catalog.organisations_by_code()
    ministries = [
        (f"{c} — {names[c.upper()].naam}", f"ministerie={c}") for c in ("BZK", "IenW", "FIN")
    ]
    return (
        ("ministerie?ministerie=FIN&periode=2026-Q3", "Periode", _PERIODS),
        ("ministerie?ministerie=FIN&periode=2026-Q3", "Ministerie", ministries),
        ("overzicht?periode=2026-Q3", "Periode", _PERIODS),
        ("norm?norm=12&periode=2026-Q3", "Periode", _PERIODS),
    )


def _chromium_journeys(db: Path) -> dict[str, list[float]]:
    """Warm figures of the people's journeys in Chromium on the samples (issue 23): a click
    that changes the period or the ministry until the page shows it again, a fresh page
    until its heading and its first chart or table show, and the meeting pack."""
    from playwright.sync_api import sync_playwright

    from etl.reads.readmodel import ReadModel
    from etl.store import accounts
    from papers.meetingpack import meeting_pack
    from scripts import browser

    password = secrets.token_urlsafe(16)
    accounts.add_user(db, "bench.reis", "coordinator", password)
    accounts.add_user(db, "bench.lead", "departement:BZK", password)
    times: dict[str, list[float]] = {
        "klik": [], "klik_eerst": [], "pagina": [], "pagina_klaar": [], "vergaderset": [],
        "na_markering": [], "koud": [],
    }  # fmt: skip
    with browser.serve(db, quiet=True, prebuild=True) as url, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = browser.new_page(chromium, still=False)
        browser.sign_in(page, url, "bench.reis", password, "overzicht")
        # Clocks in the page itself (`browser.timed_visit`, `browser.timed_choice`): the
        # time a person waits, without Playwright's polling (up to 0.5 s per step).
        lead = browser.new_page(chromium, still=False)
        browser.sign_in(lead, url, "bench.lead", password, "start")
        # The first round warms the caches; the next rounds count (one sample of each page
        # made its p95 the slowest page's one visit).
        for warming in (True, *[False] * PAGE_ROUNDS):
            for who, name in JOURNEY_PAGES:
                shown, settled = browser.timed_visit(lead if who else page, f"{url}/{name}")
                times["pagina"].append(shown)
                times["pagina_klaar"].append(settled)
            if warming:  # the visit of IPIM started the pack's build: measure after it
                page.wait_for_timeout(READING_SECONDS * 1000)
                times["pagina"].clear()
                times["pagina_klaar"].clear()
        for warming in (True, *[False] * CLICK_ROUNDS):  # again a warming round first
            for path, combobox, choices in _clicks():
                page.goto(f"{url}/{path}")
                browser.settle(page, timeout=120_000)
                for choice, param in choices:
                    seconds = browser.timed_choice(page, combobox, choice, param)
                    (times["klik_eerst"] if warming else times["klik"]).append(seconds)
        # The meeting pack as the coordinator gets it: the IPIM page open while the agenda is
        # read (the pack is built beside it), then the click until the file has arrived.
        page.goto(f"{url}/ipim?periode=2026-Q3")
        button = page.get_by_role("button", name="Vergaderset (één PDF)")
        button.wait_for(timeout=120_000)
        page.wait_for_timeout(READING_SECONDS * 1000)
        for _ in range(3):
            started = time.perf_counter()
            with page.expect_download(timeout=300_000) as download:
                button.click()
            download.value.path()
            times["vergaderset"].append(time.perf_counter() - started)
        # Two points marked, saved, and the pack at once (only the agenda is made again).
        browser.open_expander(page, "Punten voor de vergadering markeren")
        form = page.locator("[data-testid=stForm]").filter(has_text="Punten voor de vergadering")
        form.locator("[data-testid=stCheckbox]").nth(2).wait_for(timeout=120_000)
        for i in (0, 2):
            form.locator("[data-testid=stCheckbox]").nth(i).click()
        form.get_by_role("button", name="Markering vastleggen").click()
        page.get_by_text("markering(en) vastgelegd").wait_for(timeout=120_000)
        started = time.perf_counter()
        with page.expect_download(timeout=300_000) as download:
            page.get_by_role("button", name="Vergaderset (één PDF)").click()
        download.value.path()
        times["na_markering"].append(time.perf_counter() - started)
        chromium.close()
    model = ReadModel(db)
    started = time.perf_counter()
    meeting_pack(model, "2026-Q3", date(2026, 11, 28), frozenset())  # every point: 15 papers
    times["koud"].append(time.perf_counter() - started)
    return times


def _journey_line(journeys: dict[str, list[float]]) -> str:
    """The journeys' figures in one line (seconds; targets 1 / 2 / 5)."""
    clicks, first = journeys["klik"], journeys["klik_eerst"]
    return (
        "Chromium journeys on the samples, warm, timed in the page (s; targets 1 / 2 / 5): "
        f"a click that changes the period or the ministry p95 {_p95(clicks):.2f} (median "
        f"{statistics.median(clicks):.2f}, {len(clicks)} clicks; the first time each: median "
        f"{statistics.median(first):.2f}, slowest {max(first):.2f}); a fresh page until its "
        f"heading and first chart or table p95 {_p95(journeys['pagina']):.2f}, until it has "
        f"settled p95 {_p95(journeys['pagina_klaar']):.2f}; the meeting pack after "
        f"{READING_SECONDS} s on the agenda p95 {_p95(journeys['vergaderset']):.2f}, right "
        f"after marking two points {journeys['na_markering'][0]:.2f}; the pack of every "
        f"point built cold, in process {journeys['koud'][0]:.2f}"
    )


def _p95(values: list[float]) -> float:
    """The 95th percentile of the samples, interpolated between them ("inclusive"): the
    default ("exclusive") extrapolates past the slowest of a few samples (of ten pages it
    gave the slowest plus half its gap to the next)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _all(times: dict[str, dict[str, list[float]]]) -> list[float]:
    return [t for page in times.values() for query in page.values() for t in query]


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it comes
    streamlit_logger.set_log_level(logging.ERROR)
    WORK.mkdir(parents=True, exist_ok=True)
    national = WORK / "nationaal"
    generator = (ROOT / "scripts" / "national_samples.py").read_bytes()
    stamp = national / "generator.sha256"
    if not stamp.exists() or stamp.read_text() != hashlib.sha256(generator).hexdigest():
        subprocess.run(
            [sys.executable, "-m", "scripts.national_samples", "--out", str(national)],
            cwd=ROOT,
            check=True,
        )
        stamp.write_text(hashlib.sha256(generator).hexdigest())
    folder = national / "aanleveringen"
    catalogue_env = {"INTEGRITEIT_ORGANISATIES": str(national / "organisaties.csv")}
    files = list(folder.glob("*.csv"))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    rows = sum(max(0, f.read_bytes().count(b"\n") - 1) for f in files)

    python = sys.version.split()[0]
    print(f"Machine: {os.cpu_count()} cores; Python {python}; DuckDB {duckdb.__version__}")
    print(f"National set: {len(files)} files, {rows} rows, {size_mb:.1f} MB")
    national_db = WORK / "nationaal.duckdb"
    # Three of each, alternating, and the medians: a 2-core machine is noisy.
    loads, reads, peaks = [], [], []
    for _ in range(LOAD_RUNS):
        seconds, peak = _load(folder, national_db, catalogue_env)
        read_seconds, read_rows = _read_csv(folder, WORK / "read_csv.duckdb")
        if read_rows != rows:
            raise SystemExit(
                f"read_csv read {read_rows} rows, the files hold {rows}: a glob is off"
            )
        loads.append(seconds)
        reads.append(read_seconds)
        peaks.append(peak)
    load_seconds, read_seconds = statistics.median(loads), statistics.median(reads)
    runs = ", ".join(f"{t:.2f}" for t in loads)
    print(
        f"python -m etl load: {load_seconds:.2f} s (median of {runs}), "
        f"{rows / load_seconds:,.0f} rows/s, {size_mb / load_seconds:.2f} MB/s, "
        f"peak memory {max(peaks):.0f} MB"
    )
    print(
        f"DuckDB read_csv of the same files: {read_seconds:.2f} s "
        f"(median of {', '.join(f'{t:.2f}' for t in reads)})"
    )
    load_ratio = load_seconds / read_seconds

    ministries_db = WORK / "ministeries.duckdb"
    samples = ROOT / "sample_submissions"
    receipts = ("--ontvangstlijst", str(samples / "ontvangen.tsv"))
    small_seconds, _ = _load(samples, ministries_db, {}, *receipts)
    print(f"python -m etl load of sample_submissions/ (ministries): {small_seconds:.1f} s")
    small = _queries(ministries_db, "2026-Q3", "FIN")
    with _environment(catalogue_env):
        big = _queries(national_db, "2026-Q3", "GM0343")  # a merged municipality
    print("Query times with a cold cache, p95 of 5 runs (ms):")
    print(f"{'page':<16}{'query':<22}{'ministries':>12}{'national':>12}")
    for page, page_queries in small.items():
        for query, times in page_queries.items():
            national_times = big[page][query]
            print(f"{page:<16}{query:<22}{_p95(times):>12.1f}{_p95(national_times):>12.1f}")
    national_p95 = _p95(_all(big))
    ministries_p95 = _p95(_all(small))
    print(f"{'all queries':<38}{ministries_p95:>12.1f}{national_p95:>12.1f}")
    _apptest(ministries_db, {})  # the first run pays for imports; measure the next ones
    print(
        f"AppTest overview: ministries {_apptest(ministries_db, {}):.2f} s, "
        f"national {_apptest(national_db, catalogue_env):.2f} s"
    )
    small_cold, small_warm = _chromium_overview(ministries_db, {})
    big_cold, big_warm = _chromium_overview(national_db, catalogue_env)
    print(
        f"Chromium overview until the heatmap shows (cold / warm cache): ministries "
        f"{small_cold:.2f} / {small_warm:.2f} s, national {big_cold:.2f} / {big_warm:.2f} s"
    )
    journeys = _chromium_journeys(ministries_db)
    print(_journey_line(journeys))
    print(
        f"BENCH load_ratio={load_ratio:.1f} query_p95_ms={national_p95:.0f} "
        f"scale_ratio={national_p95 / ministries_p95:.1f}"
    )


if __name__ == "__main__":
    main()
