"""Every page of the served dashboard, signed in, in Chromium, visited once: WCAG 2.1 AA by an
engine's measure (axe-core, from the npm registry, installed by `make axe`), its charts drawn
without an error and none of their words cut off at a laptop's 1280 pixels, and Streamlit's
own English texts in Dutch, for the eye and the screen reader. Each visit is made once and
read by every test of that page (a page takes seconds of a 2-core machine to draw; the same
five pages were visited twice, on two servers)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dashboard import dutch
from etl.store import accounts
from scripts import browser
from tests.conftest import ARTIFACTS, ROOT

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
LEAD_PAGES = [
    ("start", "Integriteitsmonitor Rijk: Ministerie van Binnenlandse"),
    ("aanleveren", "Normscores invullen voor het kwartaal"),
]
# The pages whose charts `test_every_page_renders_in_chromium` sees drawn.
CHARTED = {
    "",
    "ministerie?ministerie=BZK&periode=2026-Q3",
    "norm?norm=12&periode=2026-Q3",
    "trends",
    "enquete?golf=2025-Q4&ministerie=FIN",
    "aanleverstatus",
    "werking",
}
HEADINGS = {("coordinator", path): heading for path, heading in PAGES} | {
    ("lead", path): heading for path, heading in LEAD_PAGES
}


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
    ARTIFACTS.mkdir(exist_ok=True)
    with browser.serve(db) as url, sync_playwright() as playwright:
        launched: Browser = browser.launch(playwright)
        # A laptop's window: the narrowest a chart is drawn beside the menu as a rule.
        page = browser.new_context(launched, width=1280, height=1400).new_page()
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


# What a person sees and a screen reader reads on a page: every text node (hidden ones too,
# the stricter reading) and every label, each trimmed.
_READ_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    texts.push(node.nodeValue.trim());
  }
  for (const element of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      texts.push((element.getAttribute(name) || '').trim());
    }
  }
  return texts.filter(text => text);
}"""


# Every word drawn in a chart (axis labels and titles, legend entries, marks' texts) that
# reaches past its chart's edge by more than 2 pixels, where the page cuts it off, and every
# label with a letter in it that Vega hid as overlapping its neighbour (an item or a
# quarter; a number on a scale may give way to the next one).
_CUT_OFF = """() => {
  const cut = [];
  for (const svg of document.querySelectorAll('.vega-embed svg')) {
    const edge = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll('text')) {
      const box = text.getBoundingClientRect();
      if (box.width && (box.right > edge.right + 2 || box.left < edge.left - 2)) {
        cut.push(text.textContent);
      } else if (text.getAttribute('opacity') === '0' && /[A-Za-z]/.test(text.textContent)) {
        cut.push('(verborgen) ' + text.textContent);
      }
    }
  }
  return cut;
}"""


@dataclass(frozen=True)
class Visit:
    """What one visit of a page showed once it stopped changing."""

    texts: set[str]  # every text and label, as `_READ_TEXTS` reads them
    charts: int  # charts drawn (a Vega view's <svg>)
    cut_off: list[str]  # the words of a chart past its edge or hidden (`_CUT_OFF`)
    skip_link: str | None  # the text of Streamlit's "Skip to main content" link
    violations: list[dict[str, object]]  # axe-core's, read last (it adds its script)


class _Visits(dict[tuple[str, str], Visit]):
    """Each page, by role ('coordinator' or 'lead') and path, visited when a test first asks."""

    def __init__(self, url: str, pages: dict[str, Page]) -> None:
        super().__init__()
        self.url, self.pages = url, pages

    def __missing__(self, key: tuple[str, str]) -> Visit:
        role, path = key
        page = self.pages[role]
        page.goto(f"{self.url}/{path}")
        page.get_by_role("heading", name=HEADINGS[key]).first.wait_for(timeout=30000)
        if path in CHARTED:  # its first chart, before the run can be read as ended
            page.locator(".vega-embed svg").first.wait_for(timeout=30000)
        browser.settle(page)
        if key == ("coordinator", "aanleveren"):  # the uploader's code loads after the run
            page.get_by_text("Uploaden", exact=True).wait_for(timeout=30000)
        if path in CHARTED:  # a chart's toolbar is made when the pointer or focus comes
            page.locator("[data-testid=stVegaLiteChart]").first.hover()
            page.locator("[data-testid=stElementToolbar] button").first.wait_for(timeout=30000)
        name = path.split("?")[0] or "overzicht"
        page.screenshot(path=str(ARTIFACTS / f"{role}-{name}.png"), full_page=True)
        self[key] = visit = Visit(
            texts=set(page.evaluate(_READ_TEXTS)),
            charts=page.locator(".vega-embed svg").count(),
            cut_off=page.evaluate(_CUT_OFF),
            skip_link=page.locator("[data-testid=stSkipToContent]").text_content(),
            violations=_violations(page),
        )
        return visit


@pytest.fixture(scope="module")
def visits(signed_in: tuple[str, Page, Page]) -> _Visits:
    url, page, lead = signed_in
    return _Visits(url, {"coordinator": page, "lead": lead})


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_every_page_has_no_wcag_21_aa_violation(visits: _Visits, path: str, heading: str) -> None:
    found = visits["coordinator", path].violations
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize(("path", "heading"), LEAD_PAGES)
def test_the_leads_landing_page_and_form_have_no_wcag_21_aa_violation(
    visits: _Visits, path: str, heading: str
) -> None:
    found = visits["lead", path].violations
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("path", sorted(CHARTED))
def test_every_page_renders_in_chromium(visits: _Visits, path: str) -> None:
    visit = visits["coordinator", path]
    assert visit.charts >= 1
    assert not any("Traceback" in text for text in visit.texts)


@pytest.mark.parametrize("path", sorted(CHARTED))
def test_no_word_of_a_chart_is_cut_off_at_1280_pixels(visits: _Visits, path: str) -> None:
    """A legend in one row lost "niet aangeleverd" past the ministry page's grid, and half the
    answers of the survey's distribution; the survey's verdict beside a point near 100% ran
    out of its chart; statements in two lines on 26-pixel bars hid every other one."""
    assert not visits["coordinator", path].cut_off


@pytest.mark.parametrize(
    "path", ["aanleveren", "ipim", "ministerie?ministerie=BZK&periode=2026-Q3"]
)
def test_streamlits_own_english_texts_are_dutch_for_the_eye_and_the_screen_reader(
    visits: _Visits, path: str
) -> None:
    """The file uploader's texts, "Skip to main content", a chart's toolbar ("Download as
    PNG: ..."), a help icon's "Help for ..." and the rest of `dashboard.dutch`: replaced as
    Streamlit adds them, in the text and in the labels a screen reader reads."""
    lines = visits["coordinator", path].texts
    composed = tuple(f"{word}: " for word in dutch.WORDS) + tuple(dutch.PREFIXES)
    english = set(dutch.WORDS) & lines | {line for line in lines for part in dutch.PARTS
                                          if part in line}  # fmt: skip
    english |= {line for line in lines if line.startswith(composed)}
    assert not english, english
    assert visits["coordinator", path].skip_link == "Naar de inhoud"
    if path == "aanleveren":
        assert "Uploaden" in lines and any("MB per bestand" in text for text in lines)
    if path.startswith("ministerie"):  # the toolbar was there, in Dutch
        assert any(line.startswith("Downloaden als PNG: ") for line in lines)


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
