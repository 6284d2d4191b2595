"""A real browser (Debian's headless Chromium, driven by Playwright) against a served dashboard."""

from __future__ import annotations

import gzip
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dashboard import web
from etl.reads.readmodel import ReadModel
from etl.store import accounts
from scripts import browser, national_samples
from tests.conftest import ARTIFACTS, ROOT, run_etl

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
    browser.sign_in(page, server, username, PASSWORDS[username], path)


@pytest.fixture(scope="module")
def server(served_db: Path) -> Iterator[str]:
    with browser.serve(served_db) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(server: str) -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = browser.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page(server: str, chromium: Browser) -> Page:
    """Signed in as the IPIM secretary (coordinator); the cookie keeps later visits signed in."""
    signed_in = browser.new_page(chromium)
    sign_in(signed_in, server, "ipim.secretaris")
    return signed_in


def test_a_deep_link_asks_to_sign_in_and_then_opens_the_linked_view(
    server: str, chromium: Browser
) -> None:
    """The first visit, before anyone opened the app: sign-in, then the app's own navigation."""
    fresh = browser.new_page(chromium)
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
        label.strip()
        for label in fresh.locator(
            "[data-testid=stSidebar] [data-testid=stPageLink-NavLink]"
        ).all_inner_texts()
    ]
    assert nav[:2] == ["Overzicht", "Ministerie"]
    assert "Aanleveren" not in nav  # a reader has no upload page
    fresh.context.close()


def test_clicking_a_heatmap_cell_opens_the_ministry_page(server: str, page: Page) -> None:
    page.goto(server)
    page.get_by_role("heading", name="Integriteitsmonitor Rijk").wait_for(timeout=30000)
    page.get_by_text("Oordeel per ministerie en norm, 2026-Q3").wait_for(timeout=30000)
    page.get_by_text("14 van 15", exact=True).wait_for(timeout=30000)
    cell = page.locator(browser.VOLDOET_CELL).first
    cell.wait_for(timeout=30000)
    browser.settle(page)
    page.screenshot(path=str(ARTIFACTS / "overzicht.png"), full_page=True)
    # Click the centre, where the cell's text label sits, as a person would.
    box = cell.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/ministerie?*", timeout=30000)
    assert "ministerie=" in page.url and "periode=2026-Q3" in page.url
    page.get_by_text("De vijftien normen in 2026-Q3").wait_for(timeout=30000)
    assert page.get_by_role("heading", name="Ministerie van").first.is_visible()
    browser.settle(page)
    page.screenshot(path=str(ARTIFACTS / "ministerie.png"), full_page=True)


def test_ministry_lead_is_refused_another_ministry_and_stores_its_own(
    server: str, chromium: Browser, served_db: Path
) -> None:
    lead = browser.new_page(chromium)
    sign_in(lead, server, "lead.bzk")
    lead.get_by_role("link", name="Aanleveren", exact=True).click()
    lead.get_by_role("heading", name="Aanleveren").wait_for(timeout=30000)
    upload = lead.locator("input[type=file]")
    upload.set_input_files(str(ROOT / "tests" / "fixtures" / "normscores_valid.csv"))
    lead.get_by_text("met uw account mag u alleen voor BZK aanleveren").wait_for(timeout=30000)
    assert not lead.get_by_role("button", name="Opslaan").count()
    # Excel as it is: an error value is named by its sheet and cell.
    upload.set_input_files(str(ROOT / "tests" / "fixtures" / "normscores_fouten.xlsx"))
    lead.get_by_text("Cel Blad1!D7 bevat de foutwaarde #N/B").wait_for(timeout=30000)
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
    assert len(refused) == 2  # the other ministry's file and the workbook with errors
    lead.context.close()


def test_a_ministry_lead_updates_its_own_agreement_and_cannot_reach_another(
    server: str, chromium: Browser, served_db: Path
) -> None:
    lead = browser.new_page(chromium)
    sign_in(lead, server, "lead.bzk", "ipim")
    lead.get_by_role("heading", name="IPIM").wait_for(timeout=30000)
    lead.get_by_text("Afspraak over de termijn", exact=True).wait_for(timeout=30000)
    assert not lead.get_by_text("Afspraak vastleggen of wijzigen (coördinator)").count()
    lead.get_by_text("Status van een afspraak van BZK bijwerken").click()
    # The agreement is chosen above the form, which then opens with its current status and
    # toelichting.
    section = lead.locator("[data-testid=stExpander]", has_text="Status van een afspraak")
    offered = browser.options_of(lead, "Afspraak", within=section)
    form = lead.locator("[data-testid=stForm]")
    assert offered == ["2025-02"]  # AZ's agreement 2025-01 is not offered to BZK
    form.get_by_label("Toelichting").fill("Nog niet in het jaarplan opgenomen")
    form.get_by_role("button", name="Opslaan").click()
    lead.get_by_text("BZK afspraak 2025-02 versie").wait_for(timeout=30000)
    history = ReadModel(served_db).agreements(history=True)
    bzk = history[(history["departement"] == "BZK") & (history["id"] == "2025-02")]
    assert bzk["door"].iloc[0] == "lead.bzk"
    az = history[history["departement"] == "AZ"]
    assert "lead.bzk" not in set(az["door"])
    lead.context.close()


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """400 organisations (the national generator, one quarter) and a coordinator account."""
    folder = tmp_path_factory.mktemp("nationaal")
    catalogue, submissions = national_samples.generate(folder, quarters=("2026-Q3",), waves=())
    env = {"INTEGRITEIT_ORGANISATIES": str(catalogue)}
    db = folder / "nationaal.duckdb"
    run_etl("load", str(submissions), db=db, env=env)
    accounts.add_user(db, "ipim.secretaris", "coordinator", PASSWORDS["ipim.secretaris"])
    return db, env


def test_overview_with_400_organisations_pages_and_keeps_the_norm_headers(
    national: tuple[Path, dict[str, str]], chromium: Browser
) -> None:
    db, env = national
    with browser.serve(db, env) as url:
        page = browser.new_page(chromium)
        sign_in(page, url, "ipim.secretaris", "?periode=2026-Q3")
        page.get_by_text("Aangeleverd").first.wait_for(timeout=30000)
        # 400 organisations, less ten merged into five new municipalities on 1 January 2025.
        page.get_by_text("395 van 395").wait_for(timeout=30000)
        page.locator(browser.VOLDOET_CELL).first.wait_for(timeout=30000)
        assert page.get_by_role("combobox", name="Pagina").input_value() == "1 van 10"
        labels = page.locator(".vega-embed svg").first.text_content() or ""
        for header in ("Preventie", "Detectie", "Respons", "1. Risicoanalyse", "15."):
            assert header in labels, header
        page.get_by_label("Zoeken (code of naam)").fill("GM0343")
        page.get_by_label("Zoeken (code of naam)").press("Enter")
        page.get_by_text("GM0343").first.wait_for(timeout=30000)
        browser.settle(page)
        page.screenshot(path=str(ARTIFACTS / "overzicht-nationaal.png"), full_page=True)
        page.context.close()


def test_the_session_cookie_is_http_only_and_signing_out_ends_a_copied_cookie(
    server: str, chromium: Browser
) -> None:
    own = browser.new_page(chromium)
    sign_in(own, server, "lezer1")
    [cookie] = [c for c in own.context.cookies() if c["name"] == web.COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert web.COOKIE not in own.evaluate("document.cookie")
    copied = browser.new_context(chromium).new_page()
    copied.context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": server}])
    copied.goto(server)
    copied.get_by_text("Ingelogd als lezer1").wait_for(timeout=30000)
    own.get_by_role("button", name="Uitloggen").click()
    own.get_by_label("Gebruikersnaam").wait_for(timeout=30000)
    copied.goto(server)
    copied.get_by_label("Gebruikersnaam").wait_for(timeout=30000)
    assert copied.get_by_text("Ingelogd als").count() == 0
    own.context.close()
    copied.context.close()


def test_no_other_site_may_frame_the_dashboard(server: str) -> None:
    for path in ("/", "/overzicht", "/_stcore/health"):
        with urllib.request.urlopen(server + path, timeout=10) as response:
            assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
            assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
            assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_page_says_it_is_dutch_before_any_script_runs(server: str) -> None:
    """CI's loaded machine read `lang="en"` after 1.5 s: the frame script that set it came
    late. The server now sends `<html lang="nl">` itself, for bookmarks and reloads too."""
    for path in ("/", "/start", "/overzicht?periode=2026-Q2", "/werking?ministerie=BZK"):
        for asked in ("identity", "gzip, deflate, br"):  # as urllib asks, as a browser asks
            request = urllib.request.Request(server + path, headers={"Accept-Encoding": asked})
            with urllib.request.urlopen(request, timeout=10) as response:
                page = response.read()
                assert response.headers["Content-Length"] == str(len(page))
                if response.headers.get("Content-Encoding") == "gzip":
                    page = gzip.decompress(page)
            assert b'<html lang="nl">' in page and b'lang="en"' not in page, (path, asked)


@pytest.mark.parametrize(
    "path", ["/_stcore/metrics", "/_stcore/METRICS/", "/_stcore/script-health-check",
             "/_stcore/agent/openapi.json"],
)  # fmt: skip
def test_what_the_dashboard_does_not_need_answers_no_one(server: str, path: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server + path, timeout=10)
    assert refused.value.code == 404
    assert refused.value.headers["X-Frame-Options"] == "SAMEORIGIN"
    with urllib.request.urlopen(server + "/_stcore/health", timeout=10) as health:
        assert health.status == 200  # what a load balancer needs stays open


def test_a_lead_sends_an_unchanged_quarter_in_a_few_clicks(
    server: str, chromium: Browser, served_db: Path
) -> None:
    lead = browser.new_page(chromium)
    sign_in(lead, server, "lead.bzk")
    lead.get_by_role("link", name="Aanleveren", exact=True).click()
    lead.get_by_role("heading", name="Normscores invullen voor het kwartaal").wait_for(
        timeout=30000
    )
    # A changed verdict without a toelichting of its own is refused, clearly.
    browser.choose(lead, "Norm 1. Risicoanalyse", "voldoet niet")
    lead.get_by_role("button", name="Controleren", exact=True).click()
    lead.get_by_text("Norm 1: het oordeel is gewijzigd").first.wait_for(timeout=30000)
    assert not lead.get_by_role("button", name="Opslaan").count()
    browser.choose(lead, "Norm 1. Risicoanalyse", "voldoet")  # back as it was
    lead.get_by_role("button", name="Controleren", exact=True).click()
    lead.get_by_text("In orde (normscores, 15 regels)").wait_for(timeout=30000)
    lead.get_by_role("button", name="Opslaan").click()
    lead.get_by_text("BZK 2026-Q3 versie 2").wait_for(timeout=30000)
    ledger = run_etl("history", "--departement", "BZK", db=served_db).stdout
    assert ",lead.bzk,formulier-normscores-BZK-2026-Q3.csv," in ledger
    lead.context.close()


def test_a_lead_lands_on_start_and_bookmarks_open_without_an_error_in_dutch(
    server: str, chromium: Browser
) -> None:
    """A lead landed on Overzicht; /start opened under an English 'Page not found'; the
    page's language was English; the heatmap's Totaal column was cut off at 1280 px."""
    context = browser.new_context(chromium, width=1280, height=900)
    lead = context.new_page()
    sign_in(lead, server, "lead.bzk")
    lead.get_by_role(
        "heading", name="Integriteitsmonitor Rijk: Ministerie van Binnenlandse"
    ).wait_for(timeout=30000)
    assert lead.url.rstrip("/").endswith("/start")
    for path, heading in (("start", "Integriteitsmonitor Rijk: Ministerie van Binnenlandse"),
                          ("overzicht?periode=2026-Q2", "Integriteitsmonitor Rijk"),
                          ("werking?ministerie=BZK&jaar=2025", "Werking")):  # fmt: skip
        lead.goto(f"{server}/{path}")
        lead.get_by_role("heading", name=heading).first.wait_for(timeout=30000)
        browser.settle(lead)
        body = lead.inner_text("body")
        assert "Page not found" not in body and "Pagina niet gevonden" not in body, path
        assert lead.evaluate("document.documentElement.lang") == "nl"
    lead.goto(f"{server}/overzicht?periode=2026-Q3")
    lead.locator(browser.VOLDOET_CELL).first.wait_for(timeout=30000)
    fits = lead.evaluate(
        """() => {
          const chart = document.querySelector('[data-testid=stVegaLiteChart]');
          const main = document.querySelector('[data-testid=stMainBlockContainer]');
          return chart.getBoundingClientRect().right <= main.getBoundingClientRect().right;
        }"""
    )
    assert fits, "the heatmap, Totaal included, fits the page at 1280 pixels"
    context.close()
