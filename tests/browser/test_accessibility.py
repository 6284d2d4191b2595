"""WCAG 2.1 AA by an engine's measure: axe-core (from the npm registry, installed by
`make axe`) injected into every page of the served dashboard, signed in, in Chromium."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from etl.store import accounts
from scripts import browser
from tests.conftest import ROOT

AXE = ROOT / "tests" / "browser" / "vendor" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [
    ("", "Integriteitsmonitor Rijk"),
    ("ministerie?ministerie=BZK&periode=2026-Q3", "Ministerie van Binnenlandse Zaken"),
    ("norm?norm=12&periode=2026-Q3", "Norm 12."),
    ("trends", "Trends"),
    ("enquete?golf=2025-Q4&ministerie=FIN", "Enquête integriteit"),
    ("werking", "Werking"),
    ("aanleverstatus", "Aanleverstatus"),
    ("presentatie", "Integriteit bij het Rijk"),
    ("ipim", "IPIM"),
    ("aanleveren", "Aanleveren"),
]


@pytest.fixture(scope="module")
def signed_in(
    sample_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Page, Page]]:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing; `make axe` installs axe-core from npm")
    db = tmp_path_factory.mktemp("axe") / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    accounts.add_user(db, "ipim.secretaris", "coordinator", "coordinator-2026")
    accounts.add_user(db, "lead.bzk", "departement:BZK", "bzk-lead-2026")
    with browser.serve(db) as url, sync_playwright() as playwright:
        launched: Browser = browser.launch(playwright)
        page = browser.new_page(launched)
        browser.sign_in(page, url, "ipim.secretaris", "coordinator-2026")
        lead = browser.new_page(launched)
        browser.sign_in(lead, url, "lead.bzk", "bzk-lead-2026")
        yield url, page, lead
        launched.close()


# Each violation with the first three elements it was found on (selector and markup).
RUN_AXE = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
  .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 160))}))"""


def _violations(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(RUN_AXE, TAGS)
    return list(result)


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_every_page_has_no_wcag_21_aa_violation(
    signed_in: tuple[str, Page, Page], path: str, heading: str
) -> None:
    url, page, _ = signed_in
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=30000)
    browser.settle(page)
    found = _violations(page)
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize(
    ("path", "heading"),
    [("start", "Integriteitsmonitor Rijk: Ministerie van Binnenlandse"),
     ("aanleveren", "Normscores invullen voor het kwartaal")],
)  # fmt: skip
def test_the_leads_landing_page_and_form_have_no_wcag_21_aa_violation(
    signed_in: tuple[str, Page, Page], path: str, heading: str
) -> None:
    url, _, lead = signed_in
    lead.goto(f"{url}/{path}")
    lead.get_by_role("heading", name=heading).first.wait_for(timeout=30000)
    browser.settle(lead)
    found = _violations(lead)
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("code", ["FIN", None])
def test_the_yearly_report_as_html_has_no_wcag_21_aa_violation(
    signed_in: tuple[str, Page, Page], sample_db: Path, tmp_path: Path, code: str | None
) -> None:
    """The report a ministry puts online as it is (`jaarrapport --out F.html`), opened as a
    file in the same Chromium, measured by axe-core like every page of the dashboard."""
    from etl.reads.readmodel import ReadModel
    from papers.jaarrapport import year_report_html
    from tests.conftest import TODAY

    _, page, _ = signed_in
    out = tmp_path / "jaarrapport.html"
    out.write_text(year_report_html(ReadModel(sample_db), 2025, code, TODAY), encoding="utf-8")
    page.goto(out.as_uri())
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert page.title().startswith("Integriteit in 2025")
    found = _violations(page)
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
