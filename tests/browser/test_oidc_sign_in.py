"""Signing in as the product is meant to run: `st.login` with an OpenID Connect provider.

The provider is real and certified (panva's `oidc-provider` from the npm registry, pinned
in the Makefile), started on loopback by the test; the dashboard is served as `make run`
serves it, with a secrets file naming that provider. Chromium signs in through the
provider's own login and consent pages; the role comes from the account whose e-mail the
provider vouches for; an e-mail without an account gets no role; signing out ends it.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from etl.store import accounts
from scripts import browser
from tests.conftest import ROOT

PROVIDER = ROOT / "tests" / "browser" / "oidc" / "provider.mjs"
MODULE = ROOT / "tests" / "browser" / "vendor" / "node_modules" / "oidc-provider"
# Login names at the provider, and the e-mail address it vouches for.
IDENTITIES = {"fin": "lead@minfin.nl", "vreemd": "iemand@example.nl"}


@pytest.fixture(scope="module")
def provider_and_dashboard(
    sample_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if not MODULE.exists():
        pytest.fail("oidc-provider is missing; `make axe` installs it from the npm registry")
    folder = tmp_path_factory.mktemp("oidc")
    db = folder / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    accounts.add_user(db, "lead.fin", "departement:FIN", None, email="lead@minfin.nl")
    issuer_port, dashboard_port = browser.free_port(), browser.free_port()
    redirect = f"http://127.0.0.1:{dashboard_port}/oauth2callback"
    client_secret = secrets.token_hex(16)
    process = subprocess.Popen(
        ["node", str(PROVIDER), str(issuer_port), redirect, client_secret,
         json.dumps(IDENTITIES)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("ready"), "the OpenID provider did not start"
        issuer = f"http://127.0.0.1:{issuer_port}"
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration") as found:
            assert json.load(found)["issuer"] == issuer
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{redirect}"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "integriteitsmonitor"\n'
            f'client_secret = "{client_secret}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
            # OpenID Core's own prompt: Streamlit's default, select_account, is optional in
            # the standard and this provider (like others) refuses it (see the README).
            'client_kwargs = { prompt = "login" }\n',
            encoding="utf-8",
        )
        with browser.serve(db, port=dashboard_port,
                           options=("--secrets.files", str(secrets_file))) as url:  # fmt: skip
            yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = browser.launch(playwright)
        yield launched
        launched.close()


def _sign_in_at_the_provider(page: Page, server: str, login: str) -> None:
    page.goto(server)
    page.get_by_role("button", name="Inloggen met uw organisatie-account").click()
    page.locator("input[name=login]").fill(login)  # the provider's own login page
    page.locator("input[name=password]").fill("wat-dan-ook")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # its consent page: continue
    page.wait_for_url(f"{server}/**", timeout=30000)


def test_a_lead_signs_in_with_the_organisation_account_and_out_again(
    provider_and_dashboard: str, chromium: Browser
) -> None:
    server = provider_and_dashboard
    page = browser.new_page(chromium)
    _sign_in_at_the_provider(page, server, "fin")
    sidebar = page.get_by_text("Ingelogd als lead.fin (departement FIN)")
    sidebar.wait_for(timeout=30000)
    # A lead lands on its own Start page.
    page.get_by_role("heading", name="Integriteitsmonitor Rijk: Ministerie van Financiën").wait_for(
        timeout=30000
    )
    page.reload()  # the sign-in lasts beyond one page run
    sidebar.wait_for(timeout=30000)
    page.get_by_role("button", name="Uitloggen").click()
    # Streamlit ends its own session, then sends the browser to the provider's end-session
    # page, which asks whether to sign out there too.
    page.wait_for_url("**/session/end**", timeout=30000)
    page.locator("button[name=logout][value=yes]").click()
    page.wait_for_url(f"{server}/**", timeout=30000)
    page.get_by_role("button", name="Inloggen met uw organisatie-account").wait_for(timeout=30000)
    page.goto(server)  # signed out stays signed out
    page.get_by_role("button", name="Inloggen met uw organisatie-account").wait_for(timeout=30000)
    assert page.get_by_text("Ingelogd als").count() == 0
    page.context.close()


def test_an_email_without_an_account_gets_no_role(
    provider_and_dashboard: str, chromium: Browser
) -> None:
    server = provider_and_dashboard
    page = browser.new_page(chromium)
    _sign_in_at_the_provider(page, server, "vreemd")
    page.get_by_text("nog niet gekoppeld aan een rol").wait_for(timeout=30000)
    assert page.get_by_text("Ingelogd als").count() == 0
    page.goto(f"{server}/overzicht")  # no page of figures opens for it either
    page.get_by_text("nog niet gekoppeld aan een rol").wait_for(timeout=30000)
    assert page.get_by_role("heading", name="Overzicht").count() == 0
    page.context.close()
