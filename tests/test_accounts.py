"""Accounts, roles and sign-in: the CLI, the role matrix, enforcement in the load path."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, view
from etl.domain import catalog
from etl.store import accounts, sessions
from etl.store.accounts import User
from etl.store.load import load_sources, read_source
from tests.conftest import ROOT, TODAY, fixture, query, run_etl, shown_tables

APP = str(ROOT / "dashboard" / "app.py")
READ = [
    "overzicht",
    "ministerie",
    "norm",
    "trends",
    "enquete",
    "werking",
    "aanleverstatus",
    "presentatie",
    "ipim",
]


def add(
    db: Path, name: str, role: str, password: str = "correct-paard"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", "gebruikers", "add", name, "--rol", role, "--db", str(db)],
        input=f"{password}\n{password}\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip


def test_add_stores_a_bcrypt_hash_never_the_password(db: Path) -> None:
    result = add(db, "lead.bzk", "departement:bzk")
    assert result.returncode == 0
    assert result.stdout == "Gebruiker lead.bzk aangemaakt met rol departement:BZK.\n"
    assert "correct-paard" not in result.stdout + result.stderr
    ((stored,),) = query(db, "SELECT password_hash FROM users")
    # bcrypt at the product's work factor (the tests' own accounts use a lower one).
    assert stored.startswith("$2b$12$") and "correct-paard" not in stored


def test_passwords_that_differ_are_refused(db: Path) -> None:
    command = ["gebruikers", "add", "x.y", "--rol", "lezer", "--db", str(db)]
    result = subprocess.run(
        [sys.executable, "-m", "etl", *command],
        input="een-wachtwoord\nander-wachtwoord\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "De wachtwoorden verschillen" in result.stderr
    assert accounts.list_users(db) == []


def test_unknown_role_is_a_usage_error(db: Path) -> None:
    result = add(db, "x.y", "baas")
    assert result.returncode == 2
    assert "Onbekende rol 'baas'" in result.stderr


def test_list_and_remove(db: Path) -> None:
    add(db, "lezer1", "lezer")
    accounts.add_user(db, "coord", "coordinator", "correct-paard")  # the CLI's add is above
    listed = run_etl("gebruikers", "list", db=db)
    assert listed.stdout == "coord\tcoordinator\t\nlezer1\tlezer\t\n"
    assert run_etl("gebruikers", "remove", "lezer1", db=db).returncode == 0
    assert run_etl("gebruikers", "remove", "lezer1", db=db).returncode == 1
    assert [u.username for u in accounts.list_users(db)] == ["coord"]


def test_first_start_creates_beheerder_once_and_prints_the_password_once(db: Path) -> None:
    first = run_etl("gebruikers", "init", db=db)
    assert "Gebruikersnaam: beheerder" in first.stdout
    password = first.stdout.split("Wachtwoord:")[1].split()[0]
    assert accounts.authenticate(db, "beheerder", password) == User("beheerder", "coordinator")
    assert run_etl("gebruikers", "init", db=db).stdout == ""


def test_authenticate_refuses_wrong_password_and_unknown_user(db: Path) -> None:
    accounts.add_user(db, "lead.fin", "departement:FIN", "correct-paard")
    assert accounts.authenticate(db, "LEAD.FIN", "correct-paard") == User(
        "lead.fin", "departement:FIN"
    )
    assert accounts.authenticate(db, "lead.fin", "fout") is None
    assert accounts.authenticate(db, "niemand", "correct-paard") is None


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        (None, ["inloggen"]),
        (User("l", "lezer"), READ),
        (User("d", "departement:BZK"), ["start", *READ, "aanleveren"]),
        (User("c", "coordinator"), [*READ, "aanleveren"]),
    ],
)
def test_role_matrix(user: User | None, pages: list[str]) -> None:
    assert auth.pages_for(user) == pages


def test_other_ministries_detail_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    department = User("d", "departement:BZK")
    assert auth.visible_codes(department) is None
    monkeypatch.setenv("INTEGRITEIT_DETAIL_ANDERE_MINISTERIES", "nee")
    assert auth.visible_codes(department) == frozenset({"BZK"})
    assert auth.visible_codes(User("c", "coordinator")) is None
    assert auth.visible_codes(User("l", "lezer")) is None


def test_sign_in_is_rate_limited_per_user_name(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    for second in range(sessions.MAX_FAILURES):
        assert sessions.wait_seconds(db, "piet", now=second) == 0
        sessions.failed(db, "piet", now=second)
    assert sessions.wait_seconds(db, accounts.sign_in_key("PIET"), now=10) > 0
    assert sessions.wait_seconds(db, "klaas", now=10) == 0
    assert sessions.wait_seconds(db, "piet", now=10 + sessions.WINDOW_SECONDS) == 0


def test_department_file_for_another_ministry_is_refused_naming_the_rows(db: Path) -> None:
    results = load_sources(
        [read_source(fixture("normscores_two_departments.csv"))],
        db,
        "lead.fin",
        TODAY,
        only_for="FIN",
    )
    assert results[0].status == "geweigerd"
    assert [f.format() for f in results[0].findings] == [
        f"{fixture('normscores_two_departments.csv')}:17:departement: Regels 17-31 gaan over AZ; "
        "met uw account mag u alleen voor FIN aanleveren."
    ]
    assert query(db, "SELECT count(*) FROM submissions") == [(0,)]
    assert query(db, "SELECT status, loaded_by FROM loads") == [("geweigerd", "lead.fin")]


def test_department_file_for_its_own_ministry_is_stored(db: Path) -> None:
    results = load_sources(
        [read_source(fixture("normscores_valid.csv"))], db, "lead.fin", TODAY, only_for="FIN"
    )
    assert results[0].status == "opgeslagen"


# --- the dashboard --------------------------------------------------------------------------


@pytest.fixture
def accounts_db(sample_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "integriteit.duckdb"
    shutil.copy(sample_db, copy)
    # In process: the command line's `gebruikers add` has its own tests above.
    accounts.add_user(copy, "lezer1", "lezer", "correct-paard")
    accounts.add_user(copy, "lead.bzk", "departement:BZK", "correct-paard")
    return copy


def _open(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    return AppTest.from_file(APP, default_timeout=60).run()


def test_anonymous_visitor_sees_only_the_sign_in(
    accounts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _open(accounts_db, monkeypatch)
    assert not app.exception
    assert [t.label for t in app.text_input] == ["Gebruikersnaam", "Wachtwoord"]
    assert [b.label for b in app.button] == ["Inloggen"]
    assert not app.get("vega_lite_chart") and not app.dataframe


def test_sign_in_as_reader_shows_the_overview_without_upload(
    accounts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _open(accounts_db, monkeypatch)
    app.text_input[0].input("lezer1")
    app.text_input[1].input("correct-paard")
    app.button[0].click().run()
    assert not app.exception
    assert app.session_state[auth.SESSION_KEY] == User("lezer1", "lezer")
    assert app.title[0].value == "Integriteitsmonitor Rijk"
    assert app.get("vega_lite_chart")
    # The upload screen is not registered in a reader's navigation at all.
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        app.switch_page("screens/aanleveren.py")
    assert "screens/aanleverstatus.py" in str(refused.value)


def test_wrong_password_says_so_without_saying_which(
    accounts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _open(accounts_db, monkeypatch)
    app.text_input[0].input("lezer1")
    app.text_input[1].input("fout")
    app.button[0].click().run()
    assert app.error[0].value == "Gebruikersnaam of wachtwoord klopt niet."
    assert auth.SESSION_KEY not in app.session_state


def test_department_user_gets_the_upload_page(
    accounts_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEGRITEIT_DB", str(accounts_db))
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("lead.bzk", "departement:BZK")
    app.switch_page("screens/aanleveren.py").run()
    assert not app.exception
    assert app.title[0].value == "Aanleveren"
    assert "U levert aan voor **BZK**." in app.caption[0].value


def test_a_session_token_expires_and_only_its_hash_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "integriteit.duckdb"
    token = sessions.create(db, "lead.bzk", "2026-01-01 00:00:00", now=1_000_000)
    found = sessions.find(db, token, now=1_000_000)
    assert found == sessions.Session("lead.bzk", "2026-01-01 00:00:00")
    assert sessions.find(db, token, now=1_000_000 + sessions.SESSION_HOURS * 3600 + 1) is None
    assert sessions.find(db, token[:-1] + "x", now=1_000_000) is None
    store = sessions.store_path(db)
    assert token.encode() not in store.read_bytes()
    assert store.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "screen",
    ["overzicht", "ministerie", "norm", "trends", "enquete", "aanleverstatus", "presentatie",
     "ipim"],
)  # fmt: skip
def test_hidden_other_ministries_never_reach_a_department_screen(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    monkeypatch.setenv("INTEGRITEIT_DETAIL_ANDERE_MINISTERIES", "nee")
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("lead.bzk", "departement:BZK")
    for key in (*view.IPIM_EXPANDERS, view.SHOW_TABLES):  # everything open: the strictest
        app.session_state[key] = True
    app.switch_page(f"screens/{screen}.py").run()
    assert not app.exception
    others = {o.code for o in catalog.organisations()} - {"BZK", "RIJK"}
    shown = [
        pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
        for chart in app.get("vega_lite_chart")
    ] + shown_tables(app)
    assert shown, screen  # the screen showed something, so the check below checked something
    for data in shown:
        # Every text cell of every chart and table, split on commas (ledger lists codes).
        cells = (
            data.select_dtypes(include=["object", "str", "string"]).astype(str).to_numpy().ravel()
        )
        tokens = {token.strip() for cell in cells for token in str(cell).split(",")}
        assert not tokens & others, (screen, tokens & others)
    if screen == "ipim":  # the agenda is text: its points and the peers who meet a norm
        text = " ".join(m.value for m in (*app.markdown, *app.html))  # the agenda is HTML
        named = set(re.findall(r"<strong>([A-Za-z]+)</strong>", text))
        named |= set(re.findall(r"([A-Za-z]+) \((?:sinds|voldoet in)", text))
        assert named and not named & others, named & others


def test_oidc_identity_maps_to_its_role_by_email(db: Path) -> None:
    accounts.add_user(db, "j.jansen", "departement:FIN", None, "J.Jansen@minfin.nl")
    assert accounts.user_for_email(db, "j.jansen@minfin.nl") == User(
        "j.jansen", "departement:FIN", "J.Jansen@minfin.nl"
    )
    assert accounts.user_for_email(db, "onbekend@minfin.nl") is None
    assert accounts.get_user(db, "J.JANSEN") is not None
    assert accounts.authenticate(db, "j.jansen", "") is None  # no password: OIDC only
