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
from playwright.sync_api import sync_playwright

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


def test_overview_renders_in_chromium_with_sample_data(server: str) -> None:
    assert CHROMIUM.exists(), "make test installs Debian's chromium; run `make browser`"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server)
        page.get_by_role("heading", name="Integriteitsmonitor Rijk").wait_for(timeout=30000)
        page.get_by_text("Oordeel per ministerie en norm, 2026-Q3").wait_for(timeout=30000)
        page.get_by_text("14 van 15", exact=True).wait_for(timeout=30000)
        page.screenshot(path=str(ARTIFACTS / "overzicht.png"), full_page=True)
        page.get_by_role("link", name="Aanleveringen").click()
        page.get_by_role("heading", name="Aanleveringen").wait_for(timeout=30000)
        page.screenshot(path=str(ARTIFACTS / "aanleveringen.png"), full_page=True)
        browser.close()
