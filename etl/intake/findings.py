"""Findings: what validation and loading report, as values with file, line and column.

The command line prints them as `FILE:LINE:COLUMN: message`; the dashboard shows
them as a table. Same findings, same words, everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem in one file. `line` and `column` are None when it concerns the whole file."""

    file: str
    line: int | None
    column: str | None
    code: str
    message: str

    def format(self) -> str:
        """The contract's one-line form: `FILE:LINE:COLUMN: message`."""
        line = "" if self.line is None else str(self.line)
        column = self.column or ""
        return f"{self.file}:{line}:{column}: {self.message}"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """File order first, then by line (whole-file findings first), so reports read top-down."""
    return sorted(findings, key=lambda f: (f.file, -1 if f.line is None else f.line))


def count_rows(count: int) -> str:
    """'1 regel', '15 regels'."""
    return f"{count} regel" if count == 1 else f"{count} regels"


def count_errors(count: int) -> str:
    """'1 fout', '3 fouten'."""
    return f"{count} fout" if count == 1 else f"{count} fouten"
