"""Quarters (`YYYY-Qn`): parsing the spellings departments use, and their date ranges."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

# Departments submit a quarter's files at the latest this many days after it ends.
SUBMISSION_DAYS = 30
# The first quarter of the quarterly cycle; earlier data (the Court of Audit's 2023
# baseline) was not a department's submission and has no deadline.
FIRST_SUBMISSION_QUARTER = "2024-Q1"

# ASCII digits only: `\d` would also take Arabic-Indic or full-width digits, which `int`
# then reads, and a phantom quarter that sorts after every real one would be stored.
_QUARTER = re.compile(r"^[ \t]*([0-9]{4})[ \t]*-?[ \t]*[Qq]([1-4])[ \t]*$")
FIRST_YEAR = 2000  # no integrity quarter before it: an earlier year is a typo
# How every stored period looks (RE2, for the database's own CHECK): ASCII digits, 2000 on.
STORED_QUARTER = "[2-9][0-9]{3}-Q[1-4]"


def parse_quarter(text: str) -> str | None:
    """Normalise `2025-Q3`, `2025-q3` or `2025Q3` to `2025-Q3`; None when it is no quarter
    (non-ASCII digits, or a year before 2000, included)."""
    match = _QUARTER.match(text)
    if match is None or int(match.group(1)) < FIRST_YEAR:
        return None
    return f"{match.group(1)}-Q{match.group(2)}"


def quarter_start(quarter: str) -> date:
    """First day of a normalised quarter."""
    year, q = int(quarter[:4]), int(quarter[-1])
    return date(year, 3 * (q - 1) + 1, 1)


def quarter_end(quarter: str) -> date:
    """Last day of a normalised quarter."""
    return quarter_start(next_quarter(quarter)) - timedelta(days=1)


def quarter_of(day: date) -> str:
    """The quarter a day falls in."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    """The quarter before the given one."""
    year, q = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def next_quarter(quarter: str) -> str:
    """The quarter after the given one."""
    year, q = int(quarter[:4]), int(quarter[-1])
    return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"


def quarters_between(first: str, last: str) -> list[str]:
    """Every quarter from `first` to `last`, both included."""
    result: list[str] = []
    current = first
    while current <= last:
        result.append(current)
        current = next_quarter(current)
    return result


def submission_deadline(quarter: str) -> date:
    """The last day on which a quarter's submission counts as on time."""
    return quarter_end(quarter) + timedelta(days=SUBMISSION_DAYS)


def parse_day(text: str) -> date | None:
    """`2025-10-15` or `15-10-2025` as a date; None when it is neither."""
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def due_quarters(today: date) -> list[str]:
    """The quarters one may still submit for or be reminded of: the last one that ended
    first, then the two before it."""
    last = previous_quarter(quarter_of(today))
    return [last, previous_quarter(last), previous_quarter(previous_quarter(last))]
