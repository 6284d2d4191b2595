"""Cell checks every kind of file shares: organisation codes, quarters, numbers, verdicts.

Each returns the normalised value or findings; none raises.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, NamedTuple, TypeVar

from etl.domain import catalog, vocabulary
from etl.domain.periods import parse_quarter, quarter_end, quarter_start
from etl.intake.findings import Finding

T = TypeVar("T")


class Verdicts:
    """Each distinct cell value judged once per batch, its findings repeated per file and line.

    Files repeat their departement and periode on row after row, and a batch of survey
    files repeats the same items and answers file after file; judging every repeat
    again was most of a national load. A verdict depends on the cell's text (and the
    key's other parts, such as the period an organisation must exist in), never on the
    file or the line, so reusing it with those swapped in gives the same findings.
    Keep one for a batch, not longer: the catalogues may change between batches.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[Hashable, ...], tuple[Any, list[Finding]]] = {}

    def column(
        self,
        file: str,
        rows: Sequence[Row],
        check: Callable[..., tuple[T, list[Finding]]],
        *columns: str | Sequence[Hashable],
        constants: tuple[Hashable, ...] = (),
    ) -> tuple[list[T], list[Finding]]:
        """`check(*cells, *constants, file, line)` down whole columns: a value per row, and
        the findings. A column is a name in `rows` or a list of earlier values per row."""
        lists = [
            [row.values[column] for row in rows] if isinstance(column, str) else column
            for column in columns
        ]
        values: list[T] = []
        findings: list[Finding] = []
        for row, cells in zip(rows, zip(*lists, strict=True), strict=True):
            key = (check, *cells, *constants)
            known = self._known.get(key)
            if known is None:
                known = self._known[key] = check(*cells, *constants, file, row.line)
            values.append(known[0])
            if known[1]:
                findings.extend(replace(f, file=file, line=row.line) for f in known[1])
        return values, findings


class Row(NamedTuple):
    """A record with its cells keyed on the contract's column names."""

    line: int
    values: dict[str, str]


# What a value of the contract's vocabulary may hold: printable ASCII, and spaces or tabs
# around it. Anything else (a non-breaking space, a zero-width space, a full-width or
# Arabic-Indic digit, a ligature, the Kelvin sign that lower-cases to 'k', a control
# character that `str.strip` would quietly drop) is refused, never normalised.
_CONTRACT_VALUE = re.compile(r"[\x20-\x7e\t]*")
_CHARACTER_NAMES = {"\u00a0": "vaste spatie", "\u200b": "onzichtbare spatie",
                    "\ufeff": "onzichtbaar teken (BOM)", "\u2013": "half kastlijntje"}  # fmt: skip


def strange_character(text: str) -> str | None:
    """The first character outside printable ASCII, described for a reader; None if none."""
    if text.isascii() and (text.isprintable() or _CONTRACT_VALUE.fullmatch(text)):
        return None  # the usual case, without a regular expression
    char = next(c for c in text if not _CONTRACT_VALUE.fullmatch(c))
    name = _CHARACTER_NAMES.get(char) or unicodedata.name(char, "besturingsteken").lower()
    return f"U+{ord(char):04X} ({name})"


def check_ascii(rows: Sequence[Row], free_text: frozenset[str], file: str) -> list[Finding]:
    """A finding for every cell outside the free-text columns that holds anything but
    printable ASCII: the contract's codes, quarters, numbers and dates are ASCII."""
    findings: list[Finding] = []
    for row in rows:
        for column, text in row.values.items():
            if column in free_text:
                continue
            strange = strange_character(text)
            if strange is not None:
                shown = text.strip()[:30]
                message = (
                    f"{column.capitalize()} '{shown}' bevat het teken {strange}; in deze kolom "
                    "staan alleen gewone letters, cijfers en leestekens (ASCII). Typ de waarde "
                    "opnieuw in plaats van haar te plakken."
                )
                findings.append(Finding(file, row.line, column, "niet_ascii", message))
    return findings


# Direction overrides and isolates (Trojan Source, CVE-2021-42574): a browser shows a
# stored "dnorefa" under U+202E as "afgerond". Free text may hold any language's letters,
# not these: refused with a finding, never dropped.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")  # fmt: skip


def check_free_text(rows: Sequence[Row], free_text: frozenset[str], file: str) -> list[Finding]:
    """A finding for every free-text cell holding a bidirectional control character."""
    findings: list[Finding] = []
    for row in rows:
        for column, text in row.values.items():
            if column not in free_text or text.isascii() or _BIDI_CONTROLS.isdisjoint(text):
                continue
            char = next(c for c in text if c in _BIDI_CONTROLS)
            name = unicodedata.name(char, "richtingteken").lower()
            message = (
                f"{column.capitalize()} bevat het onzichtbare richtingteken U+{ord(char):04X} "
                f"({name}), dat de tekst anders laat lezen dan hij is opgeslagen. Typ de "
                "tekst opnieuw in plaats van haar te plakken."
            )
            findings.append(Finding(file, row.line, column, "richtingteken", message))
    return findings


def check_organisation(
    text: str, periode: str | None, file: str, line: int
) -> tuple[str | None, list[Finding]]:
    """Canonical organisation code, or a finding: unknown, reserved, or not valid in the period."""
    value = text.strip()
    if not value:
        return None, [Finding(file, line, "departement", "leeg", "Departement ontbreekt.")]
    by_code = catalog.organisations_by_code()
    organisation = by_code.get(value.upper())
    if organisation is None:
        return None, [Finding(file, line, "departement", "onbekende_code", _unknown_code(value))]
    if not value.isascii():
        # Codes are ASCII: a ligature or full-width letter that upper-cases to a code ('ﬁn'
        # → 'FIN') must not be read as that code.
        message = f"Departement '{value}' bevat tekens die geen gewone letters of cijfers zijn."
        return None, [Finding(file, line, "departement", "niet_ascii", message)]
    if organisation.code == catalog.RESERVED_CODE:
        message = (
            f"'{catalog.RESERVED_CODE}' is gereserveerd voor rijksbrede cijfers en kan niet "
            "worden aangeleverd."
        )
        return None, [Finding(file, line, "departement", "gereserveerde_code", message)]
    if periode is not None and not organisation.valid_during(
        quarter_start(periode), quarter_end(periode)
    ):
        message = _outside_validity(organisation, periode)
        return None, [Finding(file, line, "departement", "code_niet_geldig", message)]
    return organisation.code, []


def _unknown_code(value: str) -> str:
    codes = [o.code for o in catalog.organisations() if o.code != catalog.RESERVED_CODE]
    upper = {code.upper(): code for code in codes}
    close = difflib.get_close_matches(value.upper(), list(upper), n=3, cutoff=0.6)
    named = [o.code.upper() for o in catalog.organisations() if _names_match(value, o.naam)]
    close = list(dict.fromkeys(named + close))[:3]
    message = f"Onbekende organisatiecode '{value}'."
    if close:
        message += " Bedoelt u " + " of ".join(f"'{upper[c]}'" for c in close) + "?"
    if len(codes) <= 30:
        message += " Geldige codes: " + ", ".join(codes) + "."
    return message


def _names_match(value: str, name: str) -> bool:
    """'Financiën' or 'Ministerie van Financiën' for FIN: a name where a code belongs."""
    wanted = " ".join(value.lower().split())
    full = name.lower()
    return wanted in (full, full.removeprefix("ministerie van "))


def _outside_validity(organisation: catalog.Organisation, periode: str) -> str:
    parts = []
    if organisation.geldig_van:
        parts.append(f"vanaf {organisation.geldig_van:%d-%m-%Y}")
    if organisation.geldig_tot:
        parts.append(f"tot en met {organisation.geldig_tot:%d-%m-%Y}")
    message = f"'{organisation.code}' bestond niet in {periode} (geldig {' '.join(parts)})."
    successors = [o.code for o in catalog.organisations() if o.voorganger == organisation.code]
    if successors:
        message += " Opgevolgd door " + ", ".join(successors) + "."
    return message


def check_period(text: str, today: date, file: str, line: int) -> tuple[str | None, list[Finding]]:
    """Normalised quarter, or a finding when it is no quarter or has not started yet."""
    value = text.strip()
    if not value:
        return None, [Finding(file, line, "periode", "leeg", "Periode ontbreekt.")]
    quarter = parse_quarter(value)
    if quarter is None:
        message = f"Periode '{value}' is geen kwartaal; schrijf bijvoorbeeld 2025-Q3."
        return None, [Finding(file, line, "periode", "ongeldige_periode", message)]
    if quarter_start(quarter) > today:
        message = f"Periode {quarter} is nog niet begonnen."
        return None, [Finding(file, line, "periode", "toekomstige_periode", message)]
    return quarter, []


MAX_COUNT = 2**31 - 1  # the storage type of every count (DuckDB INTEGER)


def check_whole_number(
    text: str, column: str, file: str, line: int
) -> tuple[int | None, list[Finding]]:
    """A count: a whole number, 0 or more, without thousands separators (ambiguous in CSV)."""
    value = text.strip()
    if not value:
        return None, [Finding(file, line, column, "leeg", f"{column.capitalize()} ontbreekt.")]
    if re.fullmatch(r"[0-9]+", value):
        # Stored as INTEGER: a larger number is refused here, never by the database mid-load.
        if len(value.lstrip("0")) > len(str(MAX_COUNT)) or int(value) > MAX_COUNT:
            message = (
                f"{column.capitalize()} {value[:20]}{'…' if len(value) > 20 else ''} is te groot; "
                f"het grootste aantal is {MAX_COUNT:,}.".replace(",", ".")
            )
            return None, [Finding(file, line, column, "te_groot_getal", message)]
        return int(value), []
    message = f"{column.capitalize()} '{text.strip()}' is geen geheel getal van 0 of meer."
    return None, [Finding(file, line, column, "geen_aantal", message)]


def check_oordeel(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    value = " ".join(text.split()).lower()
    if value in vocabulary.OORDEEL_INPUT:
        return vocabulary.OORDEEL_INPUT[value], []
    message = (
        f"Oordeel '{text.strip()}' is ongeldig; gebruik voldoet, voldoet deels of voldoet niet "
        "(of 2, 1, 0), laat het leeg voor niet beoordeeld, of schrijf onbekend als de norm wel "
        "is beoordeeld maar het oordeel niet is gepubliceerd."
    )
    return None, [Finding(file, line, "oordeel", "ongeldig_oordeel", message)]


def check_bron(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    value = text.strip()
    codes = {code.lower(): code for code in catalog.sources()}
    if not value:
        return vocabulary.BRON_ZELF, []
    if value.lower() in codes:
        return codes[value.lower()], []
    message = f"Bron '{value}' is onbekend; gebruik {' of '.join(catalog.sources())}."
    return None, [Finding(file, line, "bron", "onbekende_bron", message)]


class Member(NamedTuple):
    """One row's place in a set that must be complete: its group (e.g. 'FIN 2025-Q3'), the
    member it holds (a norm, a type) and its line."""

    group: str
    member: Any
    line: int


def check_each_once(
    rows: Sequence[Member],
    expected: Sequence[Any],
    file: str,
    report_missing: bool,
    column: str = "norm",
    plural: str = "de normen",
) -> list[Finding]:
    """Each group holds each expected member exactly once: a duplicate names both lines; the
    missing ones are named at the group's first line (only when every row could be read,
    since an unreadable row may hold the "missing" member)."""
    findings: list[Finding] = []
    lines: dict[str, dict[Any, list[int]]] = {}
    for row in rows:
        lines.setdefault(row.group, {}).setdefault(row.member, []).append(row.line)
    noun = column.capitalize()
    for group, by_member in lines.items():
        for member, found in sorted(by_member.items()):
            for later in found[1:]:
                message = (
                    f"{noun} {member} staat meer dan één keer in het bestand voor {group}: "
                    f"regels {found[0]} en {later}."
                )
                findings.append(Finding(file, later, column, f"dubbele_{column}", message))
        missing = [m for m in expected if m not in by_member]
        if missing and report_missing:
            first = min(line for found in by_member.values() for line in found)
            word = f"ontbreekt {column}" if len(missing) == 1 else f"ontbreken {plural}"
            listed = ", ".join(str(m) for m in missing)
            message = (
                f"Voor {group} {word} {listed}; elke {column} moet precies één keer voorkomen."
            )
            findings.append(Finding(file, first, column, f"ontbrekende_{plural.split()[-1]}",
                                    message))  # fmt: skip
    return findings


FIRST_YEAR = 2000


def check_year(text: str, today: date, file: str, line: int) -> tuple[int | None, list[Finding]]:
    """A calendar year of four digits, from 2000, not in the future."""
    value = text.strip()
    if not value:
        return None, [Finding(file, line, "jaar", "leeg", "Jaar ontbreekt.")]
    if not re.fullmatch(r"[0-9]{4}", value) or int(value) < FIRST_YEAR:
        message = f"Jaar '{value[:20]}' is geen jaartal; schrijf bijvoorbeeld {today.year - 1}."
        return None, [Finding(file, line, "jaar", "ongeldig_jaar", message)]
    if int(value) > today.year:
        message = f"Jaar {value} is nog niet begonnen."
        return None, [Finding(file, line, "jaar", "toekomstig_jaar", message)]
    return int(value), []
