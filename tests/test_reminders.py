"""Reminders: who is still open for the quarter, the e-mail with the right organisation and
deadline, sent to a real SMTP server the test starts on localhost, and recorded; delivery:
recipients checked where they enter, each recorded, a round cut off or a silent server."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from etl import reminders
from etl.reads.readmodel import ReadModel
from etl.settings import settings
from etl.store import accounts
from etl.store.accounts import User
from tests.conftest import TODAY, open_page, run_etl


class _Inbox:
    """An aiosmtpd handler that keeps every message it receives and refuses one address."""

    def __init__(self, refuse: str = "") -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:  # fmt: skip
        if address == self.refuse:
            return "550 5.1.1 Onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    @property
    def to(self) -> list[str]:
        """Every address a message went to."""
        return [address for recipients, _ in self.messages for address in recipients]


@pytest.fixture
def smtp() -> Iterator[tuple[str, _Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox(refuse="weg@minaenm.nl")  # an address the server does not know
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"127.0.0.1:{port}", inbox
    finally:
        controller.stop()


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "db.duckdb"
    shutil.copy(sample_db, path)
    accounts.add_user(path, "lead.aenm", "departement:AenM", "aenm-lead-2026",
                      email="integriteit@minaenm.nl")  # fmt: skip
    accounts.add_user(path, "lead.fin", "departement:FIN", "fin-lead-2026", email="i@minfin.nl")
    return path


def test_only_organisations_still_open_are_reminded(db: Path) -> None:
    due = ReadModel(db).due("2026-Q3", TODAY)
    planned = reminders.plan(due, accounts.list_users(db), "2026-Q3", TODAY)
    assert [(r.departement, r.missing, r.recipients) for r in planned] == [
        ("AenM", ("normscores",), ("integriteit@minaenm.nl",))
    ]
    body = planned[0].body
    assert "Ministerie van Asiel en Migratie" in body and "over 2026-Q3" in body
    assert "De termijn was 30-10-2026; de aanlevering is te laat." in body


def test_the_command_sends_through_smtp_and_records_who_was_reminded(
    db: Path, smtp: tuple[str, _Inbox]
) -> None:
    server, inbox = smtp
    env = {"INTEGRITEIT_SMTP_SERVER": server, "INTEGRITEIT_SMTP_AFZENDER": "bzk@example.nl"}
    result = run_etl("herinner", "--periode", "2026-Q3", "--door", "ipim.secretaris", db=db,
                     env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "AenM: verzonden aan integriteit@minaenm.nl"
    [(to, message)] = inbox.messages
    assert to == ["integriteit@minaenm.nl"] and message["From"] == "bzk@example.nl"
    assert message["Subject"] == "Herinnering: aanlevering integriteitsmonitor 2026-Q3 (AenM)"
    assert "30-10-2026" in message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    sent = ReadModel(db).reminders()
    assert sent[["door", "departement", "periode", "status"]].values.tolist() == [
        ["ipim.secretaris", "AenM", "2026-Q3", "verzonden"]
    ]


def test_without_a_mail_server_nothing_is_sent_and_the_command_says_so(db: Path) -> None:
    result = run_etl("herinner", "--periode", "2026-Q3", db=db)
    assert result.returncode == 1 and "Geen mailserver ingesteld" in result.stderr
    assert ReadModel(db).reminders().empty


def test_an_unreachable_server_is_recorded_as_failed(db: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe closes
    env = {"INTEGRITEIT_SMTP_SERVER": f"127.0.0.1:{port}"}
    result = run_etl("herinner", "--periode", "2026-Q3", db=db, env=env)
    # Nobody was reminded: the command says so in its exit status (issue 24, point 2).
    assert result.returncode == 1 and "AenM: mislukt" in result.stdout
    assert ReadModel(db).reminders()["status"].tolist() == ["mislukt"]


def test_the_coordinator_previews_and_sends_reminders_from_the_dashboard(
    db: Path, smtp: tuple[str, _Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, inbox = smtp
    monkeypatch.setenv("INTEGRITEIT_SMTP_SERVER", server)
    app = open_page(db, monkeypatch, User("ipim.secretaris", "coordinator"),
                    "screens/aanleverstatus.py")  # fmt: skip
    assert not app.exception
    # The preview is text at full contrast, not a greyed-out disabled field (issue 23).
    assert not app.text_area
    assert any(m.value.startswith("**Onderwerp:** Herinnering") for m in app.markdown)
    assert any("Ministerie van Asiel en Migratie" in t.value for t in app.text)
    [send] = [b for b in app.button if b.label == "Herinneringen versturen (1)"]
    app = send.click().run()
    assert not app.exception
    assert [to for to, _ in inbox.messages] == [["integriteit@minaenm.nl"]]
    assert ReadModel(db).reminders()["door"].tolist() == ["ipim.secretaris"]


def test_without_a_mail_server_the_page_offers_the_text_to_copy(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(db, monkeypatch, User("ipim.secretaris", "coordinator"),
                    "screens/aanleverstatus.py")  # fmt: skip
    assert any("kopieer de tekst" in i.value for i in app.info)
    assert not [b for b in app.button if b.label.startswith("Herinneringen versturen")]
    reader = open_page(db, monkeypatch, User("lezer1", "lezer"), "screens/aanleverstatus.py")
    assert "Herinneren" not in [h.value for h in reader.subheader]


# --- delivery: recipients checked, each recorded, a round cut off, a silent server ---------


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


def test_an_address_with_a_line_break_is_refused_where_it_enters(tmp_path: Path) -> None:
    db = tmp_path / "leeg.duckdb"
    address = "x@minfin.nl\r\nBcc: iedereen@example.nl"
    ran = run_etl("gebruikers", "add", "lead.x", "--rol", "departement:FIN", "--email", address,
                  "--zonder-wachtwoord", db=db)  # fmt: skip
    assert ran.returncode != 0 and "Ongeldig e-mailadres" in ran.stderr
    assert accounts.list_users(db) == []
    assert accounts.email_problem("a@minfin.nl") is None
    assert accounts.email_problem("a b@minfin.nl") == "bevat het teken U+0020"


def test_each_recipient_is_recorded_and_a_refusal_is_not_called_sent(
    open_db: Path, smtp: tuple[str, _Inbox]
) -> None:
    server, inbox = smtp
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
    open_db: Path, smtp: tuple[str, _Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, inbox = smtp
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
