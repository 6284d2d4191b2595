"""The six questions a coordinator asks before an IPIM meeting, answered in a real browser.

The dashboard is served as `make run` serves it, on a copy of the sample database, with
the day fixed to 15 October 2026 (`$INTEGRITEIT_VANDAAG`): 2026-Q3's deadline (30 October)
has not passed yet, 2025-Q2's has.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from pypdf import PdfReader

from etl.store import accounts
from scripts import browser

USER, PASSWORD = "ipim.voorzitter", "voorzitter-2026"


@pytest.fixture(scope="module")
def page(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    db = tmp_path_factory.mktemp("vragen") / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    accounts.add_user(db, USER, "coordinator", PASSWORD)
    with (
        browser.serve(db, env={"INTEGRITEIT_VANDAAG": "2026-10-15"}) as server,
        sync_playwright() as playwright,
    ):
        chromium = browser.launch(playwright)
        signed_in = browser.new_page(chromium)
        browser.sign_in(signed_in, server, USER, PASSWORD)
        signed_in.set_default_timeout(30000)
        signed_in.server = server  # type: ignore[attr-defined]
        yield signed_in
        chromium.close()


def _open(page: Page, path: str, heading: str) -> None:
    page.goto(f"{page.server}/{path}")  # type: ignore[attr-defined]
    page.get_by_role("heading", name=heading).first.wait_for()


def _metric(page: Page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_who_does_not_meet_norm_12(page: Page) -> None:
    _open(page, "norm?norm=12&periode=2026-Q3", "Wie voldoet niet in 2026-Q3")
    listing = page.locator("li").filter(has_text="voldoet niet (").first.inner_text()
    codes = set(re.findall(r"[A-Za-z]+", listing.split(":", 1)[1]))
    assert {"AZ", "BZK", "FIN", "KGG"} <= codes
    # The share divides by the ministries that judged the norm.
    assert re.fullmatch(r"\d+ van 14", _metric(page, "Ministeries die voldoen"))


def test_who_went_backwards_including_through_niet_beoordeeld(page: Page) -> None:
    _open(page, "norm?norm=12&periode=2026-Q3", "Wie ging achteruit in 2026-Q3")
    page.get_by_text("FIN: voldoet").first.wait_for()
    text = page.locator("[data-testid=stMarkdownContainer]").all_inner_texts()
    backwards = next(t for t in text if "FIN: voldoet" in t)
    assert "KGG: voldoet" in backwards and "voldoet niet: slechter" in backwards
    _open(page, "norm?norm=8&periode=2026-Q3", "Wie ging achteruit in 2026-Q3")
    page.get_by_text("was beoordeeld, nu niet beoordeeld").first.wait_for()
    assert _metric(page, "Achteruit") != "0"


def test_how_bzk_moved_on_preventie_since_2023_like_for_like(page: Page) -> None:
    _open(page, "ministerie?ministerie=BZK&periode=2026-Q3", "Aandeel voldaan per onderdeel")
    row = page.locator("[data-testid=stTable] tr").filter(has_text="preventie").first
    cells = row.inner_text()
    # Only norms 1, 2, 3 and 7: the Court did not publish 4, 5 and 6 per ministry in 2023.
    assert "1, 2, 3, 7" in cells
    assert re.search(r"\d van 4 \(\d+%\).*\d van 4 \(\d+%\)", cells.replace("\n", " ")), cells
    assert "audit van de Algemene Rekenkamer" in page.content()


def test_who_has_not_submitted_open_versus_missing(page: Page) -> None:
    _open(page, "?periode=2026-Q3", "Oordeel per ministerie en norm, 2026-Q3")
    assert _metric(page, "Niet aangeleverd (termijn verstreken)") == "geen"
    assert _metric(page, "Nog open") == "AenM"
    _open(page, "?periode=2025-Q2", "Oordeel per ministerie en norm, 2025-Q2")
    assert _metric(page, "Niet aangeleverd (termijn verstreken)") == "BZ"
    assert _metric(page, "Nog open") == "geen"


def test_is_ienw_voorbeeldgedrag_significantly_below_the_rest_of_the_rijk(page: Page) -> None:
    _open(page, "ministerie?ministerie=IenW&periode=2026-Q3", "Enquête")
    row = page.locator("[data-testid=stTable] tr").filter(has_text="VBG1").first
    text = row.inner_text().replace("\n", " ")
    assert "−4,6 procentpunt [" in text
    assert "toeval" in text  # the verdict in words, with the correction it assumes


def test_bzks_praatplaat_of_2023_shows_the_wave_of_its_period(page: Page) -> None:
    _open(page, "ministerie?ministerie=BZK&periode=2023-Q4", "Enquête")
    with page.expect_download() as download:
        page.get_by_role("button", name="Praatplaat (PDF, één A4)").click()
    data = Path(download.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert "golf 2023-Q4" in text and "2025-Q4" not in text
    assert "Oordelen van 2023-Q4: audit Algemene Rekenkamer." in text
