"""Rows of files on how policy works (`meldingen`, `omvang`, `vertrouwenspersonen`) → typed
records and findings (contract kinds 5-7).

Counts, whole numbers of 0 or more. A data steward's checks on top of the contract's:
of the investigations completed, no more can be established than were completed
(gegrond ≤ afgerond); a headcount is at least 1 (it is the denominator of every rate);
one row per (departement, periode) and type, subject or headcount. A quarter with reports
but no headcount is no error: it is stored and shown without a rate (see `etl.rates`).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from etl import catalog
from etl.cells import (
    Member,
    Row,
    Verdicts,
    check_each_once,
    check_organisation,
    check_period,
    check_whole_number,
)
from etl.findings import Finding
from etl.kinds import REPORT_MEASURES


class ReportCounts(NamedTuple):
    """Reports of one type of violation in one quarter, and how they were handled."""

    departement: str
    periode: str
    soort: str
    meldingen: int
    onderzoeken: int
    afgerond: int
    gegrond: int
    maatregelen: int
    aangiften: int
    line: int


class Headcount(NamedTuple):
    """Employees at the end of the quarter: the denominator of every rate."""

    departement: str
    periode: str
    medewerkers: int
    line: int


class AdviserTalks(NamedTuple):
    """Conversations with confidential advisers on one subject in one quarter."""

    departement: str
    periode: str
    onderwerp: str
    gesprekken: int
    line: int


def _check_code(
    text: str, column: str, options: tuple[catalog.Coded, ...], file: str, line: int
) -> tuple[str | None, list[Finding]]:
    """A code of a catalogue (any case); ASCII only, like every code of the contract."""
    value = text.strip()
    codes = {option.code.lower(): option.code for option in options}
    if value.isascii() and value.lower() in codes:
        return codes[value.lower()], []
    if not value:
        return None, [Finding(file, line, column, "leeg", f"{column.capitalize()} ontbreekt.")]
    listed = ", ".join(option.code for option in options)
    message = f"{column.capitalize()} '{value[:30]}' is onbekend; gebruik {listed}."
    return None, [Finding(file, line, column, f"onbekende_{column}", message)]


def _where(
    rows: list[Row], file: str, today: date, verdicts: Verdicts
) -> tuple[list[str | None], list[str | None], list[Finding]]:
    """Departement and periode of every row (None where refused), and the findings."""
    periods, findings = verdicts.column(file, rows, check_period, "periode", constants=(today,))
    codes, found = verdicts.column(file, rows, check_organisation, "departement", periods)
    return codes, periods, findings + found


def _counts(
    rows: list[Row], columns: tuple[str, ...], file: str, verdicts: Verdicts
) -> tuple[list[list[int | None]], list[Finding]]:
    """Each count column as whole numbers (None where refused)."""
    values: list[list[int | None]] = []
    findings: list[Finding] = []
    for column in columns:
        found_values, found = verdicts.column(file, rows, check_whole_number, column,
                                              constants=(column,))  # fmt: skip
        values.append(found_values)
        findings += found
    return values, findings


def validate_meldingen(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[ReportCounts], list[Finding]]:
    """Every count a whole number, gegrond ≤ afgerond, and each (departement, periode) holds
    each of the nine types exactly once (zeros written out)."""
    codes, periods, findings = _where(rows, file, today, verdicts)
    types = catalog.violation_types()
    kinds, found = verdicts.column(file, rows, _check_code, "soort", constants=("soort", types))
    findings += found
    counts, found = _counts(rows, REPORT_MEASURES, file, verdicts)
    findings += found
    records: list[ReportCounts] = []
    for index, row in enumerate(rows):
        numbers = [column[index] for column in counts]
        figures = dict(zip(REPORT_MEASURES, numbers, strict=True))
        afgerond, gegrond = figures["afgerond"], figures["gegrond"]
        if afgerond is not None and gegrond is not None and gegrond > afgerond:
            message = (
                f"Gegrond ({gegrond}) is meer dan afgerond ({afgerond}); gegrond telt de "
                "afgeronde onderzoeken waarin de schending is vastgesteld."
            )
            findings.append(Finding(file, row.line, "gegrond", "gegrond_boven_afgerond", message))
        code, periode, soort = codes[index], periods[index], kinds[index]
        if code is None or periode is None or soort is None:
            complete = False
            continue
        if all(n is not None for n in numbers):
            records.append(ReportCounts._make((code, periode, soort, *numbers, row.line)))
    members = [Member(f"{r.departement} {r.periode}", r.soort, r.line) for r in records]
    # A row refused for a count still holds its type: count it as present.
    members += [
        Member(f"{codes[i]} {periods[i]}", kinds[i], row.line)
        for i, row in enumerate(rows)
        if codes[i] and periods[i] and kinds[i] and any(column[i] is None for column in counts)
    ]
    expected = [kind.code for kind in types]
    findings += check_each_once(members, expected, file, complete, "soort", "de soorten")
    return records, findings


def validate_omvang(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[Headcount], list[Finding]]:
    """One headcount of at least 1 per (departement, periode)."""
    codes, periods, findings = _where(rows, file, today, verdicts)
    [values], found = _counts(rows, ("medewerkers",), file, verdicts)
    findings += found
    records: list[Headcount] = []
    seen: dict[tuple[str, str], int] = {}
    for row, code, periode, value in zip(rows, codes, periods, values, strict=True):
        if value == 0:
            message = (
                "Medewerkers is 0; het aantal medewerkers aan het eind van het kwartaal is de "
                "noemer van elk cijfer per 1.000 medewerkers en moet minstens 1 zijn."
            )
            findings.append(Finding(file, row.line, "medewerkers", "geen_medewerkers", message))
            continue
        if code is None or periode is None:
            continue
        first = seen.setdefault((code, periode), row.line)
        if first != row.line:
            message = (
                f"{code} {periode} staat meer dan één keer in het bestand: regels {first} en "
                f"{row.line}."
            )
            findings.append(Finding(file, row.line, "departement", "dubbele_omvang", message))
        elif value is not None:
            records.append(Headcount(code, periode, value, row.line))
    return records, findings


def validate_vertrouwenspersonen(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[AdviserTalks], list[Finding]]:
    """Whole numbers of conversations per subject; a subject at most once per
    (departement, periode). A subject left out is not reported, never read as zero."""
    codes, periods, findings = _where(rows, file, today, verdicts)
    subjects = catalog.adviser_subjects()
    topics, found = verdicts.column(
        file, rows, _check_code, "onderwerp", constants=("onderwerp", subjects)
    )
    findings += found
    [values], found = _counts(rows, ("gesprekken",), file, verdicts)
    findings += found
    records: list[AdviserTalks] = []
    members: list[Member] = []
    for row, code, periode, topic, value in zip(rows, codes, periods, topics, values,
                                                strict=True):  # fmt: skip
        if code is None or periode is None or topic is None:
            continue
        members.append(Member(f"{code} {periode}", topic, row.line))
        if value is not None:
            records.append(AdviserTalks(code, periode, topic, value, row.line))
    findings += check_each_once(members, [], file, False, "onderwerp", "de onderwerpen")
    return records, findings
