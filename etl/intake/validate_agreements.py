"""Rows of agreement files (`afspraken`) → typed records and findings.

An agreement is what BZK and a ministry agreed at the IPIM or in a bilateral talk, so
the next quarter can check it. Its code is unique within its organisation; a row for a
(departement, id) that exists makes a new version of that agreement (see `etl.store.load`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from etl.domain import catalog
from etl.domain.periods import parse_day, parse_quarter
from etl.domain.vocabulary import AGREEMENT_STATES
from etl.intake.cells import Row, Verdicts, check_organisation
from etl.intake.findings import Finding

MAX_TEXT = 2000
MAX_GREMIUM = 100
# A letter or digit first: a code starting with '-' would be neutralised as a formula in
# every export ("'-1025-01") and no longer be the same code when read back.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,29}")


class Agreement(NamedTuple):
    """One version of one agreement, as a file or the dashboard states it."""

    departement: str
    id: str
    norm: int | None
    afspraak: str
    vastgesteld: date
    gremium: str
    gereed: str
    status: str
    toelichting: str
    line: int


def _finding(file: str, line: int, column: str, code: str, message: str) -> list[Finding]:
    return [Finding(file, line, column, code, message)]


def _check_id(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    value = text.strip()
    if _ID.fullmatch(value) and value.isascii():
        return value, []
    if not value:
        return None, _finding(file, line, "id", "leeg", "De code van de afspraak (id) ontbreekt.")
    message = (
        f"Code '{value[:30]}' is ongeldig: 1 tot 30 letters, cijfers of . _ -, beginnend "
        "met een letter of cijfer (bijvoorbeeld 2026-03)."
    )
    return None, _finding(file, line, "id", "ongeldige_id", message)


def _check_norm(text: str, file: str, line: int) -> tuple[int | None, list[Finding]]:
    value = text.strip()
    if not value:
        return None, []  # a general agreement, on no single norm
    numbers = [norm.nummer for norm in catalog.norms()]
    if re.fullmatch(r"[0-9]{1,2}", value) and int(value) in numbers:
        return int(value), []
    shown = value if len(value) <= 20 else value[:20] + "…"
    message = (
        f"Norm '{shown}' is geen normnummer van {min(numbers)} tot en met {max(numbers)}; "
        "laat de cel leeg voor een algemene afspraak."
    )
    return None, _finding(file, line, "norm", "ongeldige_norm", message)


def _check_text(
    text: str, column: str, required: bool, limit: int, file: str, line: int
) -> tuple[str | None, list[Finding]]:
    value = text.strip()
    if required and not value:
        return None, _finding(file, line, column, "leeg", f"{column.capitalize()} ontbreekt.")
    if len(value) > limit:
        message = f"{column.capitalize()} is {len(value)} tekens; het maximum is {limit}."
        return None, _finding(file, line, column, "te_lang", message)
    return value, []


def _check_day(text: str, today: date, file: str, line: int) -> tuple[date | None, list[Finding]]:
    value = text.strip()
    if not value:
        return None, _finding(file, line, "vastgesteld", "leeg", "Vastgesteld ontbreekt.")
    day = parse_day(value) if value.isascii() else None
    if day is None or day.year < 2000:
        message = f"Vastgesteld '{value[:20]}' is geen datum; schrijf JJJJ-MM-DD of DD-MM-JJJJ."
        return None, _finding(file, line, "vastgesteld", "ongeldige_datum", message)
    if day > today:
        message = f"Vastgesteld {day:%d-%m-%Y} ligt in de toekomst."
        return None, _finding(file, line, "vastgesteld", "toekomstige_datum", message)
    return day, []


# How far ahead an agreement's deadline may lie: further is a typo (9999-Q4), and a quarter
# the product would have to count on from.
MAX_YEARS_AHEAD = 10


def _check_quarter(
    text: str, today: date, file: str, line: int
) -> tuple[str | None, list[Finding]]:
    value = text.strip()
    quarter = parse_quarter(value) if value else None
    if quarter is not None and int(quarter[:4]) > today.year + MAX_YEARS_AHEAD:
        message = (
            f"Gereed {quarter} ligt meer dan {MAX_YEARS_AHEAD} jaar vooruit; is het jaartal "
            "goed getypt?"
        )
        return None, _finding(file, line, "gereed", "te_ver_vooruit", message)
    if quarter is not None:
        return quarter, []
    if not value:
        return None, _finding(file, line, "gereed", "leeg", "Gereed (kwartaal) ontbreekt.")
    message = f"Gereed '{value[:20]}' is geen kwartaal; schrijf bijvoorbeeld 2026-Q2."
    return None, _finding(file, line, "gereed", "ongeldig_kwartaal", message)


def _check_status(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    value = " ".join(text.strip().lower().split())
    if value in AGREEMENT_STATES:
        return value, []
    message = f"Status '{text.strip()[:30]}' is ongeldig; gebruik {', '.join(AGREEMENT_STATES)}."
    return None, _finding(file, line, "status", "ongeldige_status", message)


def validate_agreements(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[Agreement], list[Finding]]:
    """Every row an agreement; one (departement, id) once per file (with both lines)."""
    findings: list[Finding] = []
    agreements: list[Agreement] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        cells = row.values
        checks = (
            check_organisation(cells["departement"], None, file, row.line),
            _check_id(cells["id"], file, row.line),
            _check_norm(cells.get("norm", ""), file, row.line),
            _check_text(cells["afspraak"], "afspraak", True, MAX_TEXT, file, row.line),
            _check_day(cells["vastgesteld"], today, file, row.line),
            _check_text(cells.get("gremium", ""), "gremium", False, MAX_GREMIUM, file, row.line),
            _check_quarter(cells["gereed"], today, file, row.line),
            _check_status(cells["status"], file, row.line),
            _check_text(cells.get("toelichting", ""), "toelichting", False, MAX_TEXT, file,
                        row.line),
        )  # fmt: skip
        problems = [finding for _, found in checks for finding in found]
        code, key, norm, text, day, gremium, gereed, status, note = (v for v, _ in checks)
        if isinstance(code, str) and isinstance(key, str):
            # A second row for the same agreement, whatever else is wrong with either.
            first = seen.setdefault((code, key), row.line)
            if first != row.line:
                message = (
                    f"Afspraak {key} van {code} staat meer dan één keer in het bestand: "
                    f"regels {first} en {row.line}."
                )
                problems.append(Finding(file, row.line, "id", "dubbele_afspraak", message))
        if problems:
            findings += problems
            continue
        assert isinstance(code, str) and isinstance(key, str) and isinstance(day, date)
        agreements.append(
            Agreement(code, key, norm if isinstance(norm, int) else None, str(text), day,
                      _gremium(str(gremium)), str(gereed), str(status), str(note), row.line)
        )  # fmt: skip
    return agreements, findings


def _gremium(text: str) -> str:
    """`IPIM` and `bilateraal` as the contract spells them, any other text as given."""
    known = {"ipim": "IPIM", "bilateraal": "bilateraal"}
    return known.get(text.strip().lower(), text.strip())
