"""Serve the dashboard and drive Debian's headless Chromium: shared by the browser tests
and `make bench` (which times the overview in a real browser at both scales)."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard import charts, web
from etl.domain.vocabulary import VOLDOET

ROOT = Path(__file__).resolve().parent.parent
# Debian's Chromium headless shell (`make browser`): the engine of its chromium without the
# window, and Playwright's own choice for headless runs. `CHROMIUM=/usr/bin/chromium` drives
# the full browser instead; where only that is installed, it is used.
_INSTALLED = [Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium")]
CHROMIUM = Path(
    os.environ.get("CHROMIUM") or next((p for p in _INSTALLED if p.exists()), _INSTALLED[0])
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Streamlit renders Vega charts as SVG; a "voldoet" cell is a path with voldoet's fill.
VOLDOET_CELL = f'.vega-embed svg path[fill="{charts.STYLE[VOLDOET][1]}"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    db: Path,
    env: dict[str, str] | None = None,
    quiet: bool = False,
    port: int | None = None,
    options: tuple[str, ...] = (),
    prebuild: bool = False,
) -> Iterator[str]:
    """`streamlit run` on a free port (or `port`) against this database, with Streamlit's
    own `options` (`--secrets.files F`); yields the base URL. The meeting pack is built
    ahead only with `prebuild` (as deployed): that build costs some 20 s of a 2-core
    machine, which every test visiting /ipim paid without needing the pack."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "serve.py"),
        "--server.port", str(port), "--server.headless", "true", *options,
    ]  # fmt: skip
    environment = {**os.environ, "INTEGRITEIT_VERGADERSET_VOORAF": "ja" if prebuild else "nee",
                   **(env or {}),
                   "INTEGRITEIT_DB": str(db)}  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("Streamlit did not start within 60 seconds")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a meeting pack still being built holds the exit
            process.kill()
            process.wait(timeout=20)


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless (Playwright's own browser download is not available)."""
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing; `make browser` installs Debian's chromium-headless-shell"
        )
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


# For the tests: no CSS animation or transition. Streamlit draws a shimmering placeholder
# while a page's run is under way; in a headless browser without a GPU every frame of it is
# composited in software (measured on the survey page: the GPU process's 0.4 CPU-seconds per
# visit fell to 0.1). What a page shows once it has settled is the same. `make bench` keeps
# them: it times what a person waits for, animations included.
STILL = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { animation: none !important; '
    + 'transition: none !important; }';
  document.head.appendChild(style);
});"""


def new_context(
    browser: Browser, width: int = 1600, height: int = 1400, still: bool = True
) -> BrowserContext:
    """A fresh browser profile (no cookies) with a window of this size; `still`: no
    animations (see `STILL`)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    if still:
        context.add_init_script(STILL)
    return context


def new_page(browser: Browser, still: bool = True) -> Page:
    return new_context(browser, still=still).new_page()


def sign_in(page: Page, server: str, username: str, password: str, path: str = "") -> None:
    """Sign in through the form and wait until the session cookie is set."""
    page.goto(f"{server}/{path}")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text(f"Ingelogd als {username}").wait_for(timeout=30000)
    # The sign-in cookie is set by a script in a frame that renders just after the rerun.
    for _ in range(100):
        if any(c["name"] == web.COOKIE for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the sign-in cookie was never set")


# Streamlit marks its app `data-test-script-state="notRunning"` once a run has ended; a chart
# is drawn after that, when its Vega view has put an <svg> in place.
_SETTLED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  return [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
    .every(chart => chart.querySelector('svg, canvas'));
}"""
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def settle(page: Page, timeout: float = 30000) -> None:
    """Wait until the page's run has ended and every chart is drawn, then two frames: what a
    person sees once the page stops changing (instead of a fixed sleep that is too long on
    a quiet machine and too short on a busy one)."""
    page.wait_for_function(_SETTLED, timeout=timeout)
    page.evaluate(_TWO_FRAMES)


# The time a person waits for a click, measured in the page itself: from the click on a
# list option (capture phase, before Streamlit sees it) until the run it starts has ended,
# the address shows the choice and every chart is drawn, plus two frames (painted).
# Playwright's own waiting polls and adds up to half a second that no person waits.
_ARM_CLICK = """(wanted) => {
  const app = document.querySelector('[data-testid=stApp]');
  window.__klik = new Promise(resolve => {
    let started = null, ran = false;
    const done = () => {
      const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];
      return ran && app.getAttribute('data-test-script-state') === 'notRunning'
        && decodeURIComponent(location.search).includes(wanted)
        && charts.every(chart => chart.querySelector('svg, canvas'));
    };
    const clicked = event => {
      if (started === null && event.target.closest('[role=option]')) started = performance.now();
    };
    document.addEventListener('click', clicked, {capture: true});
    // Every change of the run's state is seen, however short the run.
    const running = new MutationObserver(() => {
      if (started !== null && app.getAttribute('data-test-script-state') === 'running') ran = true;
    });
    running.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    const armed = performance.now();
    const check = () => {
      if (done() || performance.now() - armed > 120000) {  // a page that never settles: NaN
        document.removeEventListener('click', clicked, {capture: true});
        running.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(
          () => resolve(done() ? (performance.now() - started) / 1000 : NaN)));
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  });
}"""

# A fresh page, measured from the navigation's start (the page's own clock): until its
# heading and first chart or table show, and until its run has ended with every chart drawn.
_FRESH = """() => new Promise(resolve => {
  let shown = null;
  const check = () => {
    const app = document.querySelector('[data-testid=stApp]');
    const content = document.querySelector('h1, h2')
      && document.querySelector('[data-testid=stVegaLiteChart] svg, [data-testid=stDataFrame], '
                                + '[data-testid=stTable]');
    if (shown === null && content) shown = performance.now();
    const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];
    if (shown !== null && app && app.getAttribute('data-test-script-state') === 'notRunning'
        && charts.every(chart => chart.querySelector('svg, canvas'))) {
      resolve([shown / 1000, performance.now() / 1000]);
    } else if (performance.now() > 120000) {  // a page that never settles
      resolve([NaN, NaN]);
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
})"""


def timed_choice(page: Page, combobox: str, option: str, in_address: str) -> float:
    """Seconds a person waits after choosing `option`: until the page shows `in_address` in
    its address and has settled (see `_ARM_CLICK`)."""
    page.evaluate(_ARM_CLICK, in_address)
    choose(page, combobox, option)
    seconds = float(page.evaluate("() => window.__klik"))
    if math.isnan(seconds):
        raise AssertionError(f"choosing {option!r} in {combobox!r} never settled")
    return seconds


def timed_visit(page: Page, url: str) -> tuple[float, float]:
    """Seconds from the navigation's start until a fresh page's heading and first chart or
    table show, and until it has settled."""
    page.goto(url)
    shown, settled = page.evaluate(_FRESH)
    if math.isnan(settled):
        raise AssertionError(f"{url} never settled")
    return float(shown), float(settled)


def open_expander(page: Page, label: str) -> None:
    """Open a Streamlit expander whose label starts with `label` (a click on its summary)."""
    summary = page.locator("[data-testid=stExpander] summary").filter(has_text=label).first
    summary.wait_for(timeout=30000)
    if summary.locator("xpath=..").get_attribute("open") is None:
        summary.click()


def _open_list(page: Page, box: Locator, probe: Locator) -> bool:
    """Open a Streamlit selectbox's list until `probe` shows: a click can land while an
    expander still animates open and leave the list closed, so click, then keyboard."""
    for attempt in range(6):
        if attempt % 2 == 0:
            box.click()
        else:
            box.focus()
            page.keyboard.press("ArrowDown")
        try:
            probe.wait_for(timeout=5000)
        except PlaywrightTimeout:  # the list did not open: try again
            page.keyboard.press("Escape")
            continue
        return True
    return False


def options_of(page: Page, combobox: str, within: Locator | None = None) -> list[str]:
    """The options a Streamlit selectbox offers, read from its opened list."""
    box = (within or page).get_by_role("combobox", name=combobox)
    box.wait_for(timeout=30000)
    texts: list[str] = []
    # A run that ends just after the list opened (an expander's contents drawn on opening)
    # draws the box again, closed: the options are gone before they are read. Read again.
    for _ in range(3):
        if not _open_list(page, box, page.get_by_role("option").first):
            raise AssertionError(f"the list of {combobox!r} never opened")
        texts = [text.strip() for text in page.get_by_role("option").all_inner_texts()]
        page.keyboard.press("Escape")
        if texts:
            break
        settle(page)
    return texts


def choose(page: Page, combobox: str, option: str) -> None:
    """Pick `option` in a Streamlit selectbox."""
    box = page.get_by_role("combobox", name=combobox)
    box.wait_for(timeout=30000)
    wanted = page.get_by_role("option", name=option, exact=True)
    if not _open_list(page, box, wanted):
        raise AssertionError(f"could not choose {option!r} in {combobox!r}")
    wanted.click()
