"""Reminders of a quarter's missing submissions: who is still open, the e-mail, sending it
through the SMTP server named in the settings, and the record of who was reminded when.

The text says which organisation, which quarter, what is still missing and the deadline,
and nothing of other organisations. Without an SMTP server the dashboard shows the same
text to copy. Every attempt is written to the `reminders` table through the writer, sent
or failed, so the ledger answers "was FIN reminded, and when".
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pandas as pd

from etl import accounts, catalog
from etl.database import writer
from etl.periods import submission_deadline
from etl.settings import Settings

OPEN = ("nog open", "niet aangeleverd")
KIND_WORDS = {
    "normscores": "de oordelen op de vijftien normen (normscores)",
    "meldingen": "de meldingen en hun afhandeling (meldingen)",
    "omvang": "het aantal medewerkers (omvang)",
    "vertrouwenspersonen": "de gesprekken met vertrouwenspersonen (vertrouwenspersonen)",
}


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


def send(reminder: Reminder, config: Settings) -> tuple[str, str]:
    """Send one reminder; ('verzonden', '') or ('mislukt', why), never an exception."""
    if not config.smtp_server:
        return "mislukt", "geen mailserver ingesteld"
    if not reminder.recipients:
        return "mislukt", "geen e-mailadres bekend bij de accounts van deze organisatie"
    message = EmailMessage()
    message["From"] = config.smtp_sender
    message["To"] = ", ".join(reminder.recipients)
    message["Subject"] = reminder.subject
    message.set_content(reminder.body)
    host, _, port = config.smtp_server.partition(":")
    try:
        with smtplib.SMTP(host, int(port or 25), timeout=20) as server:
            if config.smtp_user:
                server.starttls(context=ssl.create_default_context())
                server.login(config.smtp_user, config.smtp_password or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        return "mislukt", f"{type(error).__name__}: {error}"[:300]
    return "verzonden", ""


def record(db_path: Path, sent: list[tuple[Reminder, str, str]], by: str) -> None:
    """The reminders' lines in the ledger of reminders, in one write through the single
    writer (which works on a copy: one write for a whole round, not one per organisation)."""
    if not sent:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    with writer(db_path) as connection:
        row = connection.execute("SELECT coalesce(max(reminder_id), 0) FROM reminders").fetchone()
        first = int(row[0]) + 1 if row else 1
        connection.executemany(
            "INSERT INTO reminders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[first + index, now, by, reminder.departement, reminder.periode,
              ",".join(reminder.recipients), ",".join(reminder.missing), status, detail]
             for index, (reminder, status, detail) in enumerate(sent)],
        )  # fmt: skip


def remind(db_path: Path, reminders: list[Reminder], by: str, config: Settings) -> list[str]:
    """Send each reminder, record them all; one line per organisation for the reader."""
    sent = [(reminder, *send(reminder, config)) for reminder in reminders]
    record(db_path, sent, by)
    lines = []
    for reminder, status, detail in sent:
        to = ", ".join(reminder.recipients) or "(geen adres)"
        lines.append(f"{reminder.departement}: {status} aan {to}" + (f" ({detail})" if detail
                                                                      else ""))  # fmt: skip
    return lines
