"""The third attack on the product (issue 24): each case as the attacker tried it."""

from __future__ import annotations

import io
import shutil
import socket
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from etl import reminders
from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel
from etl.settings import settings
from etl.store import accounts
from etl.store.load import Source, load_sources

from .conftest import TODAY, fixture_bytes, run_etl

HEADER = b"id,departement,norm,afspraak,vastgesteld,gremium,gereed,status,toelichting\n"
MADE = b"2025-01,AZ,12,AZ legt de risicoanalyse vast,2025-03-13,IPIM,2026-Q1,open,\n"


def _agreements(db: Path) -> dict[str, dict[object, object]]:
    frame = ReadModel(db).agreements()
    return {str(row["id"]): dict(row) for row in frame.to_dict("records")}


def test_a_lead_changes_only_status_and_toelichting_of_its_own_agreements(db: Path) -> None:
    [made] = load_sources([Source("bzk.csv", HEADER + MADE)], db, "coordinator", TODAY)
    assert made.status == "opgeslagen"
    rewritten = b"2025-01,AZ,3,Iets anders,2024-01-01,bilateraal,2030-Q4,afgerond,klaar\n"
    backdated = b"2024-09,AZ,,AZ hoeft niets meer,2024-02-01,IPIM,2024-Q2,afgerond,\n"
    [result] = load_sources(
        [Source("az.csv", HEADER + rewritten + backdated)], db, "lead.az", TODAY, only_for="AZ"
    )
    assert result.status == "geweigerd"
    where = {(f.line, f.column) for f in result.findings}
    assert where == {(2, "norm"), (2, "afspraak"), (2, "vastgesteld"), (2, "gremium"),
                     (2, "gereed"), (3, "id")}  # fmt: skip
    assert "alleen de coördinator" in " ".join(f.message for f in result.findings)
    stored = _agreements(db)
    assert set(stored) == {"2025-01"}
    assert stored["2025-01"]["gereed"] == "2026-Q1" and stored["2025-01"]["status"] == "open"
    progress = (
        b"2025-01,AZ,12,AZ legt de risicoanalyse vast,2025-03-13,IPIM,2026-Q1,afgerond,klaar\n"
    )
    [ok] = load_sources([Source("az2.csv", HEADER + progress)], db, "lead.az", TODAY, only_for="AZ")
    assert ok.status == "opgeslagen", ok.findings
    stored = _agreements(db)
    assert (stored["2025-01"]["status"], stored["2025-01"]["toelichting"]) == ("afgerond", "klaar")


# Point 2: reminders are recorded before they are sent, per recipient, with timeouts.


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


class _Killed(BaseException):
    """The process ends here (nothing after it runs, as after kill -9)."""


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


# Points 3 and 4: workbooks.


def _workbook(sheets: list[tuple[str, str, list[list[str]]]]) -> bytes:
    """A workbook of (name, state, rows) sheets, as Excel would save it."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, state, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _norm_rows(verdict: str) -> list[list[str]]:
    rows = [["departement", "periode", "norm", "oordeel", "toelichting"]]
    return rows + [["FIN", "2025-Q3", str(n), verdict, ""] for n in range(1, 16)]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_named_after_the_kind_is_not_read(state: str) -> None:
    data = _workbook([("Blad1", "visible", _norm_rows("voldoet")),
                      ("normscores", state, _norm_rows("voldoet niet"))])  # fmt: skip
    validation = validate_bytes(data, "verborgen.xlsx", TODAY)
    assert validation.submission is not None, validation.findings
    assert {r.oordeel for r in validation.submission.records} == {"voldoet"}  # type: ignore[union-attr]
    only_hidden = _workbook([("Blad1", "visible", [["uitleg"]]),
                             ("normscores", state, _norm_rows("voldoet niet"))])  # fmt: skip
    assert validate_bytes(only_hidden, "verborgen.xlsx", TODAY).submission is None


def test_a_workbook_of_millions_of_shared_strings_is_refused_before_it_is_opened() -> None:
    """232 KB zipped, 5.5 million shared strings: openpyxl read them all (twice) before the
    time budget applied, two minutes of CPU and 800 MB per upload."""
    source = zipfile.ZipFile(io.BytesIO(fixture_bytes("normscores_formules.xlsx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/sharedStrings.xml":
                part = part.replace(b"</sst>", b"<si><t>x</t></si>" * 5_500_000 + b"</sst>")
            target.writestr(name, part)
    data = out.getvalue()
    assert len(data) < 400_000
    started = time.process_time()
    findings = validate_bytes(data, "tekst.xlsx", TODAY).findings
    assert time.process_time() - started < 5
    assert [f.code for f in findings] == ["werkblad_te_groot"]
    assert "verschillende teksten" in findings[0].message


# Point 5: direction overrides in free text.


@pytest.mark.parametrize("control", ["\u202e", "\u2067", "\u200f"])
def test_a_direction_override_in_free_text_is_refused_where_it_is(control: str) -> None:
    text = f"{control}dnorefa"
    data = (HEADER + MADE.replace(b"open,", b"open," + text.encode())).decode()
    validation = validate_bytes(data.encode("utf-8"), "afspraken.csv", TODAY)
    assert validation.submission is None
    [finding] = validation.findings
    assert (finding.line, finding.column, finding.code) == (2, "toelichting", "richtingteken")
    assert f"U+{ord(control):04X}" in finding.message
    arabic = data.replace(text, "مرحبا עברית")  # right-to-left letters themselves are welcome
    assert validate_bytes(arabic.encode("utf-8"), "afspraken.csv", TODAY).findings == []


# Point 6: the contract export is exact; spreadsheet downloads stay neutralised.


def test_an_agreement_exported_and_loaded_again_is_unchanged(db: Path, tmp_path: Path) -> None:
    row = b"2025-01,AZ,12,+ meer overleg,2025-03-13,IPIM,2026-Q1,open,- punt een\n"
    load_sources([Source("bzk.csv", HEADER + row)], db, "coordinator", TODAY)
    exported = run_etl("export", "afspraken", db=db).stdout
    assert "- punt een" in exported and "'-" not in exported and "'+" not in exported
    path = tmp_path / "terug.csv"
    path.write_text(exported, encoding="utf-8")
    ran = run_etl("load", str(path), db=db)
    assert ran.returncode == 0 and "ongewijzigd" in ran.stdout, ran.stdout


# Point 7: restoring a backup is a command, and everyone signs in again.


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
    load_sources([Source("bzk.csv", HEADER + MADE)], db, "coordinator", TODAY)  # after it
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


# Point 8: two encodings in one file, whatever the script of the UTF-8 part.


@pytest.mark.parametrize("text", ["中文", "Ελληνικά", "العربية", "İstanbul ğ ş ı", "Привет"])
def test_utf8_of_any_script_beside_a_windows_1252_byte_is_refused_not_garbled(text: str) -> None:
    lines = ["departement,periode,norm,oordeel,toelichting"]
    lines += [f"FIN,2025-Q3,{n},voldoet,{text if n == 1 else 'x'}" for n in range(1, 16)]
    data = "\n".join(lines).encode("utf-8").replace(b",x", b",caf\xe9", 1)  # é in 1252
    validation = validate_bytes(data, "gemengd.csv", TODAY)
    assert validation.submission is None
    [finding] = validation.findings
    assert finding.code == "gemengde_codering" and finding.line == 3
    alone = "\n".join(lines).encode("utf-8")
    assert validate_bytes(alone, "utf8.csv", TODAY).findings == []  # UTF-8 alone is fine


def test_a_windows_1252_file_with_dutch_letters_still_reads() -> None:
    lines = ["departement,periode,norm,oordeel,toelichting"]
    lines += [f"FIN,2025-Q3,{n},voldoet,Financiën – café “goed”" for n in range(1, 16)]
    validation = validate_bytes("\n".join(lines).encode("windows-1252"), "ansi.csv", TODAY)
    assert validation.findings == []


# Streamlit's magic writes any bare expression on the page (a conditional expression of two
# calls printed Python source and a DeltaGenerator docstring after every save on
# Aanleveren, issue 23): no page file may hold one.


def test_no_page_holds_a_bare_expression_streamlit_would_print() -> None:
    import ast

    from .conftest import ROOT

    pages = [ROOT / "dashboard" / "app.py", *sorted((ROOT / "dashboard" / "screens").glob("*.py"))]
    found = []
    for page in pages:
        tree = ast.parse(page.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            for index, statement in enumerate(body if isinstance(body, list) else []):
                if not isinstance(statement, ast.Expr):
                    continue
                value = statement.value
                docstring = index == 0 and isinstance(value, ast.Constant)
                if not docstring and not isinstance(value, ast.Call | ast.Await):
                    found.append(f"{page.name}:{statement.lineno}")
    assert found == []
