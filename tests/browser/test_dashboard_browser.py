"""A real browser (Debian's headless Chromium, driven by Playwright) against a served dashboard."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dashboard import auth
from etl import accounts
from tests.conftest import ROOT, run_etl

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Streamlit renders Vega charts as SVG; a "voldoet" cell is a path with the lintblauw fill.
VOLDOET_CELL = '.vega-embed svg path[fill="#01689B"]'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PASSWORDS = {
    "ipim.secretaris": "coordinator-2026",
    "lead.bzk": "bzk-lead-2026",
    "lezer1": "lezen-2026",
}


@pytest.fixture(scope="module")
def served_db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the sample database with one account per role."""
    path = tmp_path_factory.mktemp("browser") / "integriteit.duckdb"
    shutil.copy(sample_db, path)
    roles = {"ipim.secretaris": "coordinator", "lead.bzk": "departement:BZK", "lezer1": "lezer"}
    for name, role in roles.items():
        accounts.add_user(path, name, role, PASSWORDS[name])
    return path


def sign_in(page: Page, server: str, username: str, path: str = "") -> None:
    page.goto(f"{server}/{path}")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORDS[username])
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text(f"Ingelogd als {username}").wait_for(timeout=30000)
    # The sign-in cookie is set by a script in a frame that renders just after the rerun.
    for _ in range(100):
        if any(c["name"] == auth.COOKIE for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the sign-in cookie was never set")


@pytest.fixture(scope="module")
def server(served_db: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "INTEGRITEIT_DB": str(served_db)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
        "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
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
            pytest.fail("Streamlit did not start within 60 seconds")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    assert CHROMIUM.exists(), "make test installs Debian's chromium (make browser)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _new_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1600, "height": 1400}).new_page()


@pytest.fixture(scope="module")
def page(server: str, browser: Browser) -> Page:
    """Signed in as the IPIM secretary (coordinator); the cookie keeps later visits signed in."""
    signed_in = _new_page(browser)
    sign_in(signed_in, server, "ipim.secretaris")
    return signed_in


def test_a_deep_link_asks_to_sign_in_and_then_opens_the_linked_view(
    server: str, browser: Browser
) -> None:
    """The first visit, before anyone opened the app: sign-in, then the app's own navigation."""
    fresh = _new_page(browser)
    fresh.goto(f"{server}/ministerie?ministerie=FIN&periode=2026-Q3&norm=9")
    fresh.get_by_label("Gebruikersnaam").wait_for(timeout=30000)
    assert not fresh.get_by_text("Ministerie van Financiën").count()
    fresh.screenshot(path=str(ARTIFACTS / "inloggen.png"))
    fresh.get_by_label("Gebruikersnaam").fill("lezer1")
    fresh.get_by_label("Wachtwoord").fill(PASSWORDS["lezer1"])
    fresh.get_by_role("button", name="Inloggen").click()
    fresh.get_by_role("heading", name="Ministerie van Financiën").wait_for(timeout=30000)
    fresh.get_by_text("Norm 9. Onderzoeksprotocol").first.wait_for(timeout=30000)
    nav = [
        label.strip() for label in fresh.locator("[data-testid=stSidebarNav] a").all_inner_texts()
    ]
    assert nav[:2] == ["Overzicht", "Ministerie"]
    assert "Aanleveren" not in nav  # a reader has no upload page
    fresh.context.close()


def test_clicking_a_heatmap_cell_opens_the_ministry_page(server: str, page: Page) -> None:
    page.goto(server)
    page.get_by_role("heading", name="Integriteitsmonitor Rijk").wait_for(timeout=30000)
    page.get_by_text("Oordeel per ministerie en norm, 2026-Q3").wait_for(timeout=30000)
    page.get_by_text("14 van 15", exact=True).wait_for(timeout=30000)
    cell = page.locator(VOLDOET_CELL).first
    cell.wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "overzicht.png"), full_page=True)
    # Click the centre, where the cell's text label sits, as a person would.
    box = cell.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/ministerie?*", timeout=30000)
    assert "ministerie=" in page.url and "periode=2026-Q3" in page.url
    page.get_by_text("De vijftien normen in 2026-Q3").wait_for(timeout=30000)
    assert page.get_by_role("heading", name="Ministerie van").first.is_visible()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "ministerie.png"), full_page=True)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("norm?norm=9&periode=2026-Q3", "Norm 9. Onderzoeksprotocol"),
        ("trends", "Trends"),
        ("enquete?golf=2025-Q4&ministerie=FIN", "Enquête integriteit"),
        ("aanleverstatus", "Aanleverstatus"),
    ],
)
def test_every_page_renders_in_chromium(server: str, page: Page, path: str, heading: str) -> None:
    page.goto(f"{server}/{path}")
    page.get_by_role("heading", name=heading).wait_for(timeout=30000)
    page.locator(".vega-embed svg").first.wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    assert not page.get_by_text("Traceback").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"{path.split('?')[0]}.png"), full_page=True)


def test_ministry_lead_is_refused_another_ministry_and_stores_its_own(
    server: str, browser: Browser, served_db: Path
) -> None:
    lead = _new_page(browser)
    sign_in(lead, server, "lead.bzk")
    lead.get_by_role("link", name="Aanleveren").click()
    lead.get_by_role("heading", name="Aanleveren").wait_for(timeout=30000)
    upload = lead.locator("input[type=file]")
    upload.set_input_files(str(ROOT / "tests" / "fixtures" / "normscores_valid.csv"))
    lead.get_by_text("met uw account mag u alleen voor BZK aanleveren").wait_for(timeout=30000)
    assert not lead.get_by_role("button", name="Opslaan").count()
    upload.set_input_files(str(ROOT / "tests" / "fixtures" / "normscores_utf8_bom_semicolon.csv"))
    lead.get_by_text("In orde (normscores, 15 regels).").wait_for(timeout=30000)
    lead.screenshot(path=str(ARTIFACTS / "aanleveren.png"), full_page=True)
    lead.get_by_role("button", name="Opslaan").click()
    lead.get_by_text("opgeslagen (BZK 2025-Q2 versie 2)").wait_for(timeout=30000)
    history = accounts.list_users(served_db)  # the database is readable while served
    assert {user.username for user in history} >= {"lead.bzk"}
    ledger = [
        line.split(",")
        for line in run_etl("history", "--departement", "BZK", db=served_db).stdout.splitlines()[1:]
    ]
    mine = [row for row in ledger if row[1] == "lead.bzk"]
    assert [row[7] for row in mine] == ["opgeslagen"]
    refused = [
        row
        for row in run_etl("history", db=served_db).stdout.splitlines()
        if ",lead.bzk," in row and ",geweigerd," in row
    ]
    assert len(refused) == 1
    lead.context.close()
