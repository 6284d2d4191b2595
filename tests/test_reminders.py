"""Reminders: who is still open for the quarter, the e-mail with the right organisation and
deadline, sent to a real SMTP server the test starts on localhost, and recorded."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from etl import reminders
from etl.reads.readmodel import ReadModel
from etl.store import accounts
from etl.store.accounts import User
from tests.conftest import TODAY, open_page, run_etl


class _Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, _Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
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
