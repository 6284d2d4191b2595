"""A real browser (Debian's headless Chromium, driven by Playwright) against a served dashboard."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import ROOT

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


@pytest.fixture(scope="module")
def server(sample_db: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "INTEGRITEIT_DB": str(sample_db)}
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
def page(server: str) -> Iterator[Page]:
    assert CHROMIUM.exists(), "make test installs Debian's chromium (make browser)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser.new_page(viewport={"width": 1600, "height": 1400})
        browser.close()


def test_a_deep_link_as_the_first_visit_opens_inside_the_app(server: str, page: Page) -> None:
    """Before anyone opened the app, a link must still get the app's navigation."""
    page.goto(f"{server}/ministerie?ministerie=FIN&periode=2026-Q3&norm=9")
    page.get_by_role("heading", name="Ministerie van Financiën").wait_for(timeout=30000)
    page.get_by_text("Norm 9. Onderzoeksprotocol").first.wait_for(timeout=30000)
    nav = page.locator("[data-testid=stSidebarNav] a").all_inner_texts()
    assert [label.strip() for label in nav][:2] == ["Overzicht", "Ministerie"]


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
