"""The journeys of issue 23 in Chromium, each from sign-in to its end without a detour: the
coordinator prepares the IPIM meeting, a reader reads a ministry against the Rijk. (The
lead's quarter is `test_dashboard_browser.test_a_lead_sends_an_unchanged_quarter_in_a_few_clicks`.)

Each step is what a person does: a link in the sidebar, a choice in a list, a box ticked, a
button; a reload where a person would bookmark. The time of each journey is printed, never
asserted (`make bench` measures speed).
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pypdf import PdfReader

from etl.store import accounts
from scripts import browser

ACCOUNTS = {
    "ipim.secretaris": ("coordinator", "coordinator-2026"),
    "lezer1": ("lezer", "lezen-2026"),
}


@pytest.fixture(scope="module")
def server(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("journeys") / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    for name, (role, password) in ACCOUNTS.items():
        accounts.add_user(db, name, role, password)
    # The pack's build beside the page (as deployed) is `make bench`'s and test_agenda's;
    # here it took 25 s of a 2-core machine that the other tests shared.
    with browser.serve(db) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(server: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = browser.launch(playwright)
        yield launched
        launched.close()


def _signed_in(chromium: Browser, server: str, name: str, path: str = "") -> Page:
    page = browser.new_page(chromium)
    page.set_default_timeout(30000)
    browser.sign_in(page, server, name, ACCOUNTS[name][1], path)
    return page


def _in_view(page: Page, text: str) -> bool:
    """Whether the text is on screen now (not scrolled away)."""
    found = page.get_by_text(text).first
    found.wait_for()
    box = found.bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 900
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_coordinator_prepares_the_meeting_without_a_detour(
    server: str, chromium: Browser
) -> None:
    started = time.perf_counter()
    page = _signed_in(chromium, server, "ipim.secretaris")
    page.get_by_role("link", name="IPIM").first.click()
    page.get_by_role("heading", name="IPIM").first.wait_for()
    period = page.get_by_role("heading", name="Agenda ").first.inner_text().split()[-1]
    # Ranked by urgency with the reason for the rank; norms named in words.
    page.get_by_text("Plaats: ").first.wait_for()
    browser.open_expander(page, "Punten voor de vergadering markeren")
    form = page.locator("[data-testid=stForm]").filter(has_text="Punten voor de vergadering")
    form.get_by_role("button", name="Markering vastleggen").wait_for()
    form.locator("[data-testid=stCheckbox]").nth(2).wait_for()  # the form renders in parts
    boxes = form.get_by_role("checkbox")
    chosen = [boxes.nth(i).get_attribute("aria-label") or "" for i in (0, 2)]
    for i in (0, 2):
        form.locator("[data-testid=stCheckbox]").nth(i).click()
    form.get_by_role("button", name="Markering vastleggen").click()
    assert _in_view(page, f"2 markering(en) vastgelegd voor {period}.")
    form.get_by_text("(2 van").wait_for()  # the form stays open, with the new count
    # A bookmark of the page opens with the marks kept (a recorded act, not a session's).
    page.reload()
    page.get_by_text("Op de vergadering").first.wait_for()
    assert page.get_by_text("★ Op de vergadering").count() == 2
    browser.open_expander(page, "Punten voor de vergadering markeren")
    form = page.locator("[data-testid=stForm]").filter(has_text="Punten voor de vergadering")
    form.locator("[data-testid=stCheckbox]").nth(2).wait_for()
    assert [form.get_by_role("checkbox").nth(i).is_checked() for i in range(3)] == [
        True, False, True,
    ]  # fmt: skip
    # One download: the marked points, the heatmap, the praatplaten and the slides.
    with page.expect_download(timeout=120000) as download:
        page.get_by_role("button", name="Vergaderset (één PDF)").click()
    pack = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    first = pack.pages[0].extract_text()
    assert "IPIM" in first and period in first
    ministries = {label.split(" · ")[0] for label in chosen}
    text = "\n".join(p.extract_text() for p in pack.pages)
    for code in ministries:
        assert f"Praatplaat {code}" in text or code in text
    assert len(pack.pages) >= 2 + len(ministries)
    print(f"\nthe meeting prepared in {time.perf_counter() - started:.1f} s")
    page.close()


def test_a_reader_reads_a_ministry_against_the_rijk_without_a_detour(
    server: str, chromium: Browser
) -> None:
    started = time.perf_counter()
    page = _signed_in(chromium, server, "lezer1")
    page.get_by_role("link", name="Ministerie").first.click()
    page.get_by_role("button", name="Praatplaat (PDF, één A4)").wait_for()  # the page is there
    browser.choose(page, "Ministerie", "IenW — Ministerie van Infrastructuur en Waterstaat")
    page.get_by_role("heading", name="Ministerie van Infrastructuur en Waterstaat").wait_for()
    assert "ministerie=IenW" in page.url  # the choice is in the address: a bookmark keeps it
    survey = page.locator("[data-testid=stTable] tr").filter(has_text="VBG1").first
    row = survey.inner_text().replace("\n", " ")
    # The verdict against the rest of the Rijk beside the figure, in words.
    assert "procentpunt [" in row and "toeval" in row
    # The ministry stays chosen on the next page, and the chart marks the difference.
    page.get_by_role("link", name="Enquête").first.click()
    page.get_by_role("heading", name="Enquête").first.wait_for()
    page.wait_for_url("**ministerie=IenW**")
    chart_marks = page.locator("[data-testid=stVegaLiteChart]").first
    chart_marks.wait_for()
    print(f"\nread IenW against the Rijk in {time.perf_counter() - started:.1f} s")
    page.close()
