"""Signing in and sessions: the sign-in limit, a session revoked everywhere, a cookie
checked on every run, a restored backup ending every session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from etl.reads.readmodel import ReadModel
from etl.store import accounts, sessions
from etl.store.accounts import User
from etl.store.load import Source, load_sources
from tests.conftest import AGREEMENT_HEADER, AGREEMENT_ROW, ROOT, TODAY, run_etl


def test_the_sign_in_limit_is_not_bypassed_by_whitespace_or_case_nor_forgotten_on_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "beheerder", "coordinator", "het-echte-wachtwoord")
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    for name in ["beheerder", " beheerder", "beheerder\t", "BEHEERDER ", "beheerder\u00a0"]:
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
        app.text_input[0].input(name)
        app.text_input[1].input("fout-wachtwoord")
        app.button[0].click().run()
        assert app.error[0].value == "Gebruikersnaam of wachtwoord klopt niet."
    # A new server process (a fresh AppTest reads the store from disk) still refuses,
    # even with the right password.
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    app.text_input[0].input("beheerder")
    app.text_input[1].input("het-echte-wachtwoord")
    app.button[0].click().run()
    assert "Te veel mislukte pogingen" in app.error[0].value
    assert auth.SESSION_KEY not in app.session_state


def test_signing_out_revokes_the_session_everywhere_a_cookie_was_copied(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "lead.bzk", "departement:BZK", "lang-genoeg-wachtwoord")
    made = accounts.account_made(db, "lead.bzk")
    assert made is not None
    token = sessions.create(db, "lead.bzk", made)
    copied = sessions.find(db, token)
    assert copied is not None and accounts.session_user(db, copied) is not None
    sessions.revoke(db, token)
    assert sessions.find(db, token) is None


def test_a_removed_and_recreated_user_does_not_inherit_old_sessions(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "piet", "lezer", "lang-genoeg-wachtwoord")
    made = accounts.account_made(db, "piet")
    assert made is not None
    old = sessions.create(db, "piet", made)
    stolen = sessions.find(db, old)
    accounts.remove_user(db, "piet")
    accounts.add_user(db, "piet", "coordinator", "ander-wachtwoord-1")
    assert sessions.find(db, old) is None  # removed with the account
    # Even a session row that somehow survived names the old account, not the new one.
    assert stolen is not None and accounts.session_user(db, stolen) is None


def test_a_session_cookie_is_checked_on_every_run_of_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "lezer1", "lezer", "lang-genoeg-wachtwoord")
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    app.text_input[0].input("lezer1")
    app.text_input[1].input("lang-genoeg-wachtwoord")
    app.button[0].click().run()
    assert app.session_state[auth.SESSION_KEY] == User("lezer1", "lezer")
    accounts.remove_user(db, "lezer1")  # e.g. from the command line, while the page is open
    app.run()
    assert auth.SESSION_KEY not in app.session_state
    assert [t.label for t in app.text_input] == ["Gebruikersnaam", "Wachtwoord"]


def test_a_password_over_72_bytes_is_a_failed_sign_in_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "lezer1", "lezer", "lang-genoeg-wachtwoord")
    assert accounts.authenticate(db, "lezer1", "x" * 200) is None
    assert accounts.authenticate(db, " LEZER1 ", "lang-genoeg-wachtwoord") is not None
    with pytest.raises(accounts.AccountError, match="hoogstens 72 bytes"):
        accounts.add_user(db, "lezer2", "lezer", "é" * 40)


def test_restoring_a_backup_ends_every_session(sample_db: Path, tmp_path: Path) -> None:
    from etl.store import sessions

    db = tmp_path / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    accounts.add_user(db, "lead.fin", "departement:FIN", "fin-lead-2026")
    backup = tmp_path / "kopie.duckdb"
    assert run_etl("backup", "--naar", str(backup), db=db).returncode == 0
    made = str(accounts.list_users(db)[0].username)
    token = sessions.create(db, made, "2026-01-01 00:00:00")
    kept = ReadModel(db).history()
    load_sources(
        [Source("bzk.csv", AGREEMENT_HEADER + AGREEMENT_ROW)], db, "coordinator", TODAY
    )  # after it
    ran = run_etl("terugzetten", "--van", str(backup), db=db)
    assert ran.returncode == 0, ran.stderr
    assert "iedereen logt opnieuw in" in ran.stdout
    assert sessions.find(db, token) is None
    pd.testing.assert_frame_equal(ReadModel(db).history(), kept)  # the backup's ledger again
    damaged = tmp_path / "kapot.duckdb"
    damaged.write_bytes(b"geen database" * 100)
    before = db.read_bytes()
    refused = run_etl("terugzetten", "--van", str(damaged), db=db)
    assert refused.returncode == 1 and "geen database van de monitor" in refused.stderr
    assert db.read_bytes() == before
