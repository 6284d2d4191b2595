"""Rows of files on how policy works (`meldingen`, `omvang`, `vertrouwenspersonen`,
`maatregelen`, `jaarcijfers`) → typed records and findings (contract kinds 5-9).

Counts, whole numbers of 0 or more. A data steward's checks on top of the contract's:
of the investigations completed, no more can be established than were completed
(gegrond ≤ afgerond); a headcount is at least 1 (it is the denominator of every rate);
one row per (departement, periode) and type, subject or headcount. A quarter with reports
but no headcount is no error: it is stored and shown without a rate (see `etl.domain.rates`).
An optional column left out, or a cell of it left empty, is *not reported* (None, stored as
NULL), never a zero.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from etl.domain import catalog, vocabulary
from etl.domain.kinds import REPORT_MEASURES, REPORT_OUTCOMES
from etl.intake.cells import (
    Member,
    Row,
    Verdicts,
    check_each_once,
    check_organisation,
    check_period,
    check_whole_number,
    check_year,
)
from etl.intake.findings import Finding


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
    # The outcomes annual reports publish beside "gegrond" (optional: None = not reported).
    ongegrond: int | None = None
    niet_vast_te_stellen: int | None = None
    zonder_onderzoek: int | None = None


class Headcount(NamedTuple):
    """Employees at the end of the quarter: the denominator of every rate."""

    departement: str
    periode: str
    medewerkers: int
    line: int
    reikwijdte: str | None = None  # `vocabulary.SCOPES`; None: not said


class AdviserTalks(NamedTuple):
    """Conversations with confidential advisers on one subject in one quarter."""

    departement: str
    periode: str
    onderwerp: str
    gesprekken: int
    line: int


class MeasureCounts(NamedTuple):
    """Measures of one kind imposed in one quarter after an established violation."""

    departement: str
    periode: str
    maatregel: str  # a code of schemas/maatregelen.csv
    aantal: int
    line: int


class YearFigure(NamedTuple):
    """One yearly count of an organisation (advisers appointed, oaths, training, …)."""

    departement: str
    jaar: int
    onderwerp: str  # a code of schemas/jaaronderwerpen.csv
    aantal: int
    line: int

    @property
    def periode(self) -> str:
        """The year, where the ledger lists the periods a file is about."""
        return str(self.jaar)


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


def _optional_counts(
    rows: list[Row], columns: tuple[str, ...], file: str, verdicts: Verdicts
) -> tuple[list[list[int | None]], list[Finding]]:
    """Each optional count column as whole numbers; None where the column or cell is empty
    (not reported). A refused cell is a finding, and None."""
    values: list[list[int | None]] = []
    findings: list[Finding] = []
    for column in columns:
        present = [i for i, row in enumerate(rows) if row.values.get(column, "").strip()]
        found_values, found = verdicts.column(
            file, [rows[i] for i in present], check_whole_number, column, constants=(column,)
        )
        filled: list[int | None] = [None] * len(rows)
        for i, value in zip(present, found_values, strict=True):
            filled[i] = value
        values.append(filled)
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
    outcomes, found = _optional_counts(rows, REPORT_OUTCOMES, file, verdicts)
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
        ends = [column[index] for column in outcomes]
        findings += _outcomes_add_up(afgerond, gegrond, ends, file, row.line)
        code, periode, soort = codes[index], periods[index], kinds[index]
        if code is None or periode is None or soort is None:
            complete = False
            continue
        if all(n is not None for n in numbers):
            records.append(ReportCounts._make((code, periode, soort, *numbers, row.line, *ends)))
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


def _outcomes_add_up(
    afgerond: int | None, gegrond: int | None, ends: list[int | None], file: str, line: int
) -> list[Finding]:
    """Where gegrond, ongegrond and niet_vast_te_stellen are all given, they add up to
    afgerond (the contract); where only some are given, together they are at most afgerond."""
    ongegrond, undecided, _ = ends
    if afgerond is None or gegrond is None:
        return []
    given = [n for n in (ongegrond, undecided) if n is not None]
    total = gegrond + sum(given)
    if len(given) == 2 and total != afgerond:
        message = (
            f"Gegrond ({gegrond}), ongegrond ({ongegrond}) en niet vast te stellen ({undecided}) "
            f"tellen op tot {total}, niet tot afgerond ({afgerond}); elk afgerond onderzoek "
            "heeft één van deze drie uitkomsten."
        )
        return [Finding(file, line, "ongegrond", "uitkomsten_niet_gelijk_aan_afgerond", message)]
    if given and total > afgerond:
        message = (
            f"De uitkomsten ({total}) zijn meer dan afgerond ({afgerond}); ze tellen de "
            "afgeronde onderzoeken."
        )
        column = "ongegrond" if ongegrond is not None else "niet_vast_te_stellen"
        return [Finding(file, line, column, "uitkomsten_boven_afgerond", message)]
    return []


def _check_scope(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    value = text.strip().lower()
    if not value or value in vocabulary.SCOPES:
        return value or None, []
    message = (
        f"Reikwijdte '{text.strip()[:30]}' is onbekend; gebruik "
        + " of ".join(vocabulary.SCOPES)
        + " (of laat de cel leeg)."
    )
    return None, [Finding(file, line, "reikwijdte", "onbekende_reikwijdte", message)]


def validate_omvang(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[Headcount], list[Finding]]:
    """One headcount of at least 1 per (departement, periode)."""
    codes, periods, findings = _where(rows, file, today, verdicts)
    [values], found = _counts(rows, ("medewerkers",), file, verdicts)
    findings += found
    scopes, found = verdicts.column(
        file, rows, _check_scope, [row.values.get("reikwijdte", "") for row in rows]
    )
    findings += found
    records: list[Headcount] = []
    seen: dict[tuple[str, str], int] = {}
    for row, code, periode, value, scope in zip(rows, codes, periods, values, scopes,
                                                 strict=True):  # fmt: skip
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
            records.append(Headcount(code, periode, value, row.line, scope))
    return records, findings


def _per_code(
    rows: list[Row],
    file: str,
    today: date,
    verdicts: Verdicts,
    column: str,
    options: tuple[catalog.Coded, ...],
    count: str,
    plural: str,
) -> tuple[list[tuple[str, str, str, int, int]], list[Finding]]:
    """Counts per code of a catalogue (a subject, a kind of measure): whole numbers, each
    code at most once per (departement, periode), a code left out not reported. Returns
    (departement, periode, code, count, line) per stored row, and the findings."""
    codes, periods, findings = _where(rows, file, today, verdicts)
    chosen, found = verdicts.column(file, rows, _check_code, column, constants=(column, options))
    findings += found
    [values], found = _counts(rows, (count,), file, verdicts)
    findings += found
    records: list[tuple[str, str, str, int, int]] = []
    members: list[Member] = []
    for row, code, periode, key, value in zip(rows, codes, periods, chosen, values,
                                              strict=True):  # fmt: skip
        if code is None or periode is None or key is None:
            continue
        members.append(Member(f"{code} {periode}", key, row.line))
        if value is not None:
            records.append((code, periode, key, value, row.line))
    findings += check_each_once(members, [], file, False, column, plural)
    return records, findings


def validate_vertrouwenspersonen(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[AdviserTalks], list[Finding]]:
    """Whole numbers of conversations per subject; a subject at most once per
    (departement, periode). A subject left out is not reported, never read as zero."""
    found, findings = _per_code(rows, file, today, verdicts, "onderwerp",
                                catalog.adviser_subjects(), "gesprekken",
                                "de onderwerpen")  # fmt: skip
    return [AdviserTalks._make(record) for record in found], findings


def validate_maatregelen(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[MeasureCounts], list[Finding]]:
    """Whole numbers of measures per kind of measure; each kind at most once per
    (departement, periode). A kind left out is not reported. Whether the disciplinary
    counts add up to kind 5's `maatregelen` is a signal to the coordinator, not a refusal
    (`etl.domain.werking.measure_differences`)."""
    found, findings = _per_code(rows, file, today, verdicts, "maatregel", catalog.measures(),
                                "aantal", "de maatregelen")  # fmt: skip
    return [MeasureCounts._make(record) for record in found], findings


def _check_year_organisation(
    text: str, jaar: int | None, file: str, line: int
) -> tuple[str | None, list[Finding]]:
    """An organisation code that existed during at least part of the year."""
    code, findings = check_organisation(text, None, file, line)
    if code is None or jaar is None:
        return code, findings
    organisation = catalog.organisations_by_code()[code.upper()]
    if organisation.valid_during(date(jaar, 1, 1), date(jaar, 12, 31)):
        return code, findings
    message = f"{code} bestond niet in {jaar}; lever de cijfers aan onder de code van dat jaar."
    return None, [Finding(file, line, "departement", "code_niet_geldig", message)]


def validate_jaarcijfers(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[YearFigure], list[Finding]]:
    """Whole numbers per organisation, year and subject; each subject at most once per
    (departement, jaar). A subject left out is not reported."""
    years, findings = verdicts.column(file, rows, check_year, "jaar", constants=(today,))
    codes, found = verdicts.column(file, rows, _check_year_organisation, "departement", years)
    findings += found
    subjects, found = verdicts.column(
        file, rows, _check_code, "onderwerp", constants=("onderwerp", catalog.year_subjects())
    )
    findings += found
    [values], found = _counts(rows, ("aantal",), file, verdicts)
    findings += found
    records: list[YearFigure] = []
    members: list[Member] = []
    for row, code, jaar, subject, value in zip(rows, codes, years, subjects, values,
                                               strict=True):  # fmt: skip
        if code is None or jaar is None or subject is None:
            continue
        members.append(Member(f"{code} {jaar}", subject, row.line))
        if value is not None:
            records.append(YearFigure(code, jaar, subject, value, row.line))
    findings += check_each_once(members, [], file, False, "onderwerp", "de onderwerpen")
    return records, findings
