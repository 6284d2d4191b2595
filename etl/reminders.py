"""Reminders of a quarter's missing submissions: who is still open, the e-mail, sending it
through the SMTP server named in the settings, and the record of who was reminded when.

The text says which organisation, which quarter, what is still missing and the deadline,
and nothing of other organisations. Without an SMTP server the dashboard shows the same
text to copy. Every attempt is written to the `reminders` table through the writer, sent
or failed, so the ledger answers "was FIN reminded, and when".
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd

from etl.domain import catalog, vocabulary
from etl.domain.kinds import EVERY_QUARTER, KINDS
from etl.domain.periods import submission_deadline
from etl.settings import Settings
from etl.store import accounts
from etl.store.database import LOCAL_TIME, reader, writer

OPEN = vocabulary.STILL_OPEN
KIND_WORDS: dict[str, str] = {kind: f"{KINDS[kind].words} ({kind})" for kind in EVERY_QUARTER}


@dataclass(frozen=True)
class Reminder:
    """One organisation's reminder: to whom, about what, and the message."""

    departement: str
    periode: str
    recipients: tuple[str, ...]
    missing: tuple[str, ...]
    subject: str
    body: str


def open_organisations(due: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Organisation → the kinds it has not sent for the quarter (nog open or too late)."""
    missing = due[due["status"].isin(OPEN)]
    return {str(code): tuple(str(k) for k in group["soort"])
            for code, group in missing.groupby("departement", sort=True)}  # fmt: skip


def contacts(users: list[accounts.User]) -> dict[str, tuple[str, ...]]:
    """Organisation → the e-mail addresses of its accounts (its leads)."""
    found: dict[str, list[str]] = {}
    for user in users:
        if user.department and user.email:
            found.setdefault(user.department, []).append(user.email)
    return {code: tuple(sorted(set(addresses))) for code, addresses in found.items()}


def compose(code: str, periode: str, deadline: date, missing: tuple[str, ...],
            recipients: tuple[str, ...], today: date) -> Reminder:  # fmt: skip
    """The reminder for one organisation, in Dutch."""
    name = catalog.organisations_by_code().get(code.upper())
    naam = name.naam if name else code
    overdue = today > deadline
    when = (f"De termijn was {deadline:%d-%m-%Y}; de aanlevering is te laat." if overdue
            else f"De termijn is {deadline:%d-%m-%Y}.")  # fmt: skip
    lines = [
        f"Beste integriteitscoördinator van {naam},",
        "",
        f"Voor de Integriteitsmonitor Rijk hebben wij over {periode} nog niet ontvangen:",
        *[f"- {KIND_WORDS.get(kind, kind)}" for kind in missing],
        "",
        when,
        "U kunt aanleveren in de Integriteitsmonitor (pagina Aanleveren: het formulier voor "
        "het kwartaal, een CSV-bestand of een Excel-werkmap).",
        "",
        "Met vriendelijke groet,",
        "De coördinator integriteit, ministerie van BZK",
    ]
    subject = f"Herinnering: aanlevering integriteitsmonitor {periode} ({code})"
    return Reminder(code, periode, recipients, missing, subject, "\n".join(lines))


def plan(
    due: pd.DataFrame, users: list[accounts.User], periode: str, today: date
) -> list[Reminder]:
    """A reminder for every organisation still open for the quarter, to its leads' addresses
    (`due`: the read model's `due` of that quarter)."""
    addresses = contacts(users)
    deadline = submission_deadline(periode)
    return [compose(code, periode, deadline, kinds, addresses.get(code, ()), today)
            for code, kinds in open_organisations(due).items()]  # fmt: skip


SEND_TIMEOUT = 30.0  # seconds one recipient may take, slow server or not


class _Refused(Exception):
    """The server took the message but refused this recipient."""


class _Watched(smtplib.SMTP):
    """SMTP whose socket is handed out the moment it exists (the greeting is read inside
    the constructor), so a round that gives up on a slow server can shut it."""

    def __init__(self, sockets: list[socket.socket], *args: Any, **kwargs: Any) -> None:
        self._sockets = sockets
        super().__init__(*args, **kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        connection = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self._sockets.append(connection)
        return connection  # type: ignore[no-any-return]


def _deliver(message: EmailMessage, config: Settings, sockets: list[socket.socket],
             given_up: threading.Event) -> None:  # fmt: skip
    """One message through the configured server (runs in a worker thread)."""
    host, _, port = (config.smtp_server or "").partition(":")
    with _Watched(sockets, host, int(port or 25), timeout=SEND_TIMEOUT) as server:
        if config.smtp_user:
            server.starttls(context=ssl.create_default_context())
            if server.sock is not None:
                sockets.append(server.sock)
            server.login(config.smtp_user, config.smtp_password or "")
        if given_up.is_set():  # the round has recorded a time-out: send nothing after it
            raise TimeoutError("afgebroken")
        refused = server.send_message(message)
        if refused:
            raise _Refused(", ".join(f"{code} {text!r}" for code, text in refused.values()))


def send_one(reminder: Reminder, recipient: str, config: Settings,
             timeout: float = SEND_TIMEOUT) -> tuple[str, str]:  # fmt: skip
    """Send one reminder to one recipient: ('verzonden', '') or ('mislukt', why), never an
    exception. A server that answers too slowly (or trickles its answer for ever) is cut off
    after `timeout` seconds: the worker's socket is shut, the round goes on."""
    if not config.smtp_server:
        return "mislukt", "geen mailserver ingesteld"
    problem = accounts.email_problem(recipient)
    if problem:
        return "mislukt", f"ongeldig e-mailadres: {problem}"
    try:
        message = EmailMessage()
        message["From"] = config.smtp_sender
        message["To"] = recipient
        message["Subject"] = reminder.subject
        message.set_content(reminder.body)
    except (ValueError, TypeError) as error:
        return "mislukt", f"bericht niet op te stellen: {error}"[:300]
    sockets: list[socket.socket] = []
    given_up = threading.Event()
    outcome: list[tuple[str, str]] = []

    def work() -> None:
        try:
            _deliver(message, config, sockets, given_up)
        except smtplib.SMTPRecipientsRefused as error:
            codes = "; ".join(f"{code} {text!r}" for code, text in error.recipients.values())
            outcome.append(("mislukt", f"geweigerd door de mailserver: {codes}"[:300]))
        except _Refused as error:
            outcome.append(("mislukt", f"geweigerd door de mailserver: {error}"[:300]))
        except Exception as error:  # any failure is this recipient's outcome
            outcome.append(("mislukt", f"{type(error).__name__}: {error}"[:300]))
        else:
            outcome.append(("verzonden", ""))

    worker = threading.Thread(target=work, name=f"herinnering {reminder.departement}",
                              daemon=True)  # fmt: skip
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        given_up.set()
        for sock in sockets:  # interrupt a blocked read or write; the worker then ends
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        worker.join(5)
        return "mislukt", f"de mailserver antwoordde niet binnen {timeout:.0f} seconden"
    return outcome[0] if outcome else ("mislukt", "onbekende fout")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _begin(db_path: Path, reminder: Reminder, recipient: str, by: str) -> int:
    """Record an attempt before it is made ('bezig'): a crash mid-send leaves a trace, and
    a retry does not send again what may already have gone out."""
    with writer(db_path) as connection:
        row = connection.execute("SELECT coalesce(max(reminder_id), 0) FROM reminders").fetchone()
        number = int(row[0]) + 1 if row else 1
        connection.execute(
            "INSERT INTO reminders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [number, _now(), by, reminder.departement, reminder.periode, recipient,
             ",".join(reminder.missing), BUSY, ""],
        )  # fmt: skip
    return number


def _finish(db_path: Path, number: int, status: str, detail: str) -> None:
    with writer(db_path) as connection:
        connection.execute(
            "UPDATE reminders SET status = ?, detail = ? WHERE reminder_id = ?",
            [status, detail, number],
        )


def record(db_path: Path, rows: list[tuple[Reminder, str, str, str]], by: str) -> None:
    """Outcomes known without sending (no address at all), in one write."""
    if not rows:
        return
    with writer(db_path) as connection:
        row = connection.execute("SELECT coalesce(max(reminder_id), 0) FROM reminders").fetchone()
        first = int(row[0]) + 1 if row else 1
        connection.executemany(
            "INSERT INTO reminders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[first + index, _now(), by, reminder.departement, reminder.periode, recipient,
              ",".join(reminder.missing), status, detail]
             for index, (reminder, recipient, status, detail) in enumerate(rows)],
        )  # fmt: skip


def _earlier_today(db_path: Path, periode: str, day: date) -> dict[str, str]:
    """Recipient -> status of today's attempts for this quarter that sent, or may have sent
    (an attempt cut off mid-send): a retry leaves them alone."""
    with reader(db_path) as connection:
        if connection is None:
            return {}
        rows = connection.execute(
            "SELECT recipients, status, sent_at FROM reminders WHERE periode = ? "
            "AND status IN (?, ?)",
            [periode, SENT, BUSY],
        ).fetchall()
    rows = [(r, s) for r, s, at in rows
            if at.replace(tzinfo=UTC).astimezone(LOCAL_TIME).date() == day]  # fmt: skip
    found: dict[str, str] = {}
    for recipients, status in rows:
        for address in str(recipients).split(","):
            if found.get(address) != SENT:
                found[address] = str(status)
    return found


@dataclass(frozen=True)
class Outcome:
    """What a round did for one recipient (or an organisation without one)."""

    departement: str
    recipient: str
    status: str  # verzonden | mislukt | al verzonden | onzeker
    detail: str

    @property
    def line(self) -> str:
        to = self.recipient or "(geen adres)"
        return f"{self.departement}: {self.status} aan {to}" + (
            f" ({self.detail})" if self.detail else ""
        )


def remind(db_path: Path, reminders: list[Reminder], by: str, config: Settings) -> list[Outcome]:
    """Send each reminder to each of its recipients, one message each: recorded as 'bezig'
    before it is sent, then its outcome. A retry on the same day sends only to whom nothing
    was sent yet; an attempt cut off mid-send (a killed round) is reported as 'onzeker' and
    not sent again, since it may have gone out."""
    # A retry is one of the same real day (the recorded times are real), whatever day the
    # deadlines are judged against (a setting for demonstrations).
    day = datetime.now(UTC).astimezone(LOCAL_TIME).date()
    outcomes: list[Outcome] = []
    nobody = [(r, "", "mislukt", NO_ADDRESS) for r in reminders if not r.recipients]
    record(db_path, nobody, by)
    outcomes += [Outcome(r.departement, "", status, detail) for r, _, status, detail in nobody]
    for reminder in reminders:
        earlier = _earlier_today(db_path, reminder.periode, day)
        for recipient in reminder.recipients:
            if earlier.get(recipient) == SENT:
                outcomes.append(Outcome(reminder.departement, recipient, "al verzonden",
                                        "eerder vandaag"))  # fmt: skip
                continue
            if earlier.get(recipient) == BUSY:
                outcomes.append(Outcome(
                    reminder.departement, recipient, "onzeker",
                    "een eerdere poging vandaag werd afgebroken tijdens het verzenden; niet "
                    "opnieuw verstuurd",
                ))  # fmt: skip
                continue
            number = _begin(db_path, reminder, recipient, by)
            status, detail = send_one(reminder, recipient, config)
            _finish(db_path, number, status, detail)
            outcomes.append(Outcome(reminder.departement, recipient, status, detail))
    return outcomes


SENT, BUSY = "verzonden", "bezig"
NO_ADDRESS = "geen e-mailadres bekend bij de accounts van deze organisatie"
