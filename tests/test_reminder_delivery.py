"""Reminders as they are delivered: recipients checked where they enter, each one recorded,
a round cut off or a mail server that never answers, only for a quarter that is due."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from etl import reminders
from etl.reads.readmodel import ReadModel
from etl.settings import settings
from etl.store import accounts
from tests.conftest import run_etl


class _Inbox:
    """An SMTP server's handler that keeps what it took and refuses one address."""

    def __init__(self, refuse: str = "") -> None:
        self.to: list[str] = []
        self.refuse = refuse

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:  # fmt: skip
        if address == self.refuse:
            return "550 5.1.1 Onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.to += list(envelope.rcpt_tos)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailserver() -> Iterator[tuple[str, _Inbox]]:
    from aiosmtpd.controller import Controller

    port = _free_port()
    inbox = _Inbox(refuse="weg@minaenm.nl")
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"127.0.0.1:{port}", inbox
    finally:
        controller.stop()


@pytest.fixture
def open_db(sample_db: Path, tmp_path: Path) -> Path:
    """The samples, with AenM still open for 2026-Q3 and three addresses for it."""
    path = tmp_path / "db.duckdb"
    shutil.copy(sample_db, path)
    for name, email in (("a", "a@minaenm.nl"), ("b", "b@minaenm.nl"), ("c", "weg@minaenm.nl")):
        accounts.add_user(path, f"lead.{name}", "departement:AenM", None, email=email)
    return path


class _Killed(BaseException):
    """The process ends here (nothing after it runs, as after kill -9)."""


def test_an_address_with_a_line_break_is_refused_where_it_enters(db: Path) -> None:
    address = "x@minfin.nl\r\nBcc: iedereen@example.nl"
    ran = run_etl("gebruikers", "add", "lead.x", "--rol", "departement:FIN", "--email", address,
                  "--zonder-wachtwoord", db=db)  # fmt: skip
    assert ran.returncode != 0 and "Ongeldig e-mailadres" in ran.stderr
    assert accounts.list_users(db) == []
    assert accounts.email_problem("a@minfin.nl") is None
    assert accounts.email_problem("a b@minfin.nl") == "bevat het teken U+0020"


def test_each_recipient_is_recorded_and_a_refusal_is_not_called_sent(
    open_db: Path, mailserver: tuple[str, _Inbox]
) -> None:
    server, inbox = mailserver
    env = {"INTEGRITEIT_SMTP_SERVER": server}
    ran = run_etl("herinner", "--periode", "2026-Q3", "--door", "bzk", db=open_db, env=env)
    assert ran.returncode == 1  # one recipient was refused: not everyone was reminded
    assert sorted(inbox.to) == ["a@minaenm.nl", "b@minaenm.nl"]
    sent = ReadModel(open_db).reminders()
    outcome = dict(zip(sent["aan"], sent["status"], strict=True))
    assert outcome == {"a@minaenm.nl": "verzonden", "b@minaenm.nl": "verzonden",
                       "weg@minaenm.nl": "mislukt"}  # fmt: skip
    refused = sent[sent["aan"] == "weg@minaenm.nl"]["toelichting"].item()
    assert "geweigerd door de mailserver" in refused and "550" in refused
    # A retry the same day sends only what did not go out.
    again = run_etl("herinner", "--periode", "2026-Q3", "--door", "bzk", db=open_db, env=env)
    assert sorted(inbox.to) == ["a@minaenm.nl", "b@minaenm.nl"]
    assert "AenM: al verzonden aan a@minaenm.nl" in again.stdout


def test_a_round_cut_off_midway_left_its_trace_and_a_retry_sends_no_one_twice(
    open_db: Path, mailserver: tuple[str, _Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, inbox = mailserver
    real = reminders.send_one
    calls: list[str] = []

    def killed_at_the_second(reminder: Any, recipient: str, config: Any) -> tuple[str, str]:
        calls.append(recipient)
        if len(calls) == 2:
            real(reminder, recipient, config)  # it went out, then the process died
            raise _Killed  # as kill -9 between sending and recording
        return real(reminder, recipient, config)

    monkeypatch.setattr(reminders, "send_one", killed_at_the_second)
    env = {"INTEGRITEIT_SMTP_SERVER": server}
    with pytest.raises(_Killed):
        run_etl("herinner", "--periode", "2026-Q3", "--door", "bzk", db=open_db, env=env)
    recorded = ReadModel(open_db).reminders()
    assert dict(zip(recorded["aan"], recorded["status"], strict=True)) == {
        "a@minaenm.nl": "verzonden", "b@minaenm.nl": "bezig"}  # fmt: skip
    monkeypatch.setattr(reminders, "send_one", real)
    again = run_etl("herinner", "--periode", "2026-Q3", "--door", "bzk", db=open_db, env=env)
    assert sorted(inbox.to) == ["a@minaenm.nl", "b@minaenm.nl"]  # nobody twice
    assert "AenM: onzeker aan b@minaenm.nl" in again.stdout
    assert "AenM: mislukt aan weg@minaenm.nl" in again.stdout


def test_a_server_that_never_answers_costs_one_timeout_not_the_round() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    config = replace(settings({}), smtp_server=f"127.0.0.1:{port}")
    reminder = reminders.Reminder("FIN", "2026-Q3", ("a@minfin.nl",), ("normscores",), "s", "b")
    started = time.monotonic()
    try:
        status, detail = reminders.send_one(reminder, "a@minfin.nl", config, timeout=1.0)
    finally:
        listener.close()
    assert time.monotonic() - started < 5
    assert status == "mislukt" and "niet binnen 1 seconden" in detail


def test_reminders_are_only_for_a_quarter_that_is_due(open_db: Path) -> None:
    env = {"INTEGRITEIT_SMTP_SERVER": "127.0.0.1:25", "INTEGRITEIT_VANDAAG": "2026-11-28"}
    ran = run_etl("herinner", "--periode", "2031-Q1", db=open_db, env=env)
    assert ran.returncode == 2 and "niet over 2031-Q1" in ran.stderr
    assert ReadModel(open_db).reminders().empty
