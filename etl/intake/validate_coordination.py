"""Rows of files on BZK's own coordinating role (`coordinatie`) → typed records and findings.

The Court judged BZK's coordination on five norms of its own (schemas/coordinatienormen.csv).
BZK records its own judgement on them once a year; a row for a (jaar, norm) that exists
makes a new version of that judgement (see `etl.store.load`), nothing is overwritten.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from etl.domain import catalog, vocabulary
from etl.intake.cells import (
    Member,
    Row,
    Verdicts,
    check_bron,
    check_each_once,
    check_oordeel,
    check_organisation,
    check_year,
)
from etl.intake.findings import Finding

MAX_TEXT = 2000


class CoordinationScore(NamedTuple):
    """BZK's judgement of one coordination norm in one year."""

    departement: str
    jaar: int
    norm: str  # a code of schemas/coordinatienormen.csv, C1..C5
    oordeel: str  # one of `vocabulary.OORDELEN`
    toelichting: str
    bron: str
    line: int

    @property
    def periode(self) -> str:
        """The year, where the ledger lists the periods a file is about."""
        return str(self.jaar)


def _check_coordinator(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    code, findings = check_organisation(text, None, file, line)
    if code is None or code == vocabulary.COORDINATOR:
        return code, findings
    message = (
        f"Het oordeel over de coördinerende rol gaat over {vocabulary.COORDINATOR}, "
        f"niet over {code}."
    )
    return None, [Finding(file, line, "departement", "niet_coordinator", message)]


def _check_norm(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    value = text.strip().upper()
    codes = [norm.code for norm in catalog.coordination_norms()]
    if value in codes:
        return value, []
    if re.fullmatch(r"[0-9]", value) and f"C{value}" in codes:
        return f"C{value}", []
    shown = text.strip()[:20]
    message = f"Norm '{shown}' is geen norm over de coördinerende rol; gebruik {', '.join(codes)}."
    return None, [Finding(file, line, "norm", "ongeldige_norm", message)]


def validate_coordination(
    rows: list[Row],
    file: str,
    today: date,
    verdicts: Verdicts | None = None,
    complete: bool = True,
) -> tuple[list[CoordinationScore], list[Finding]]:
    """Every row a judgement; each year holds each of the five norms exactly once
    (`complete`: every record of the file could be read into a row)."""
    findings: list[Finding] = []
    scores: list[CoordinationScore] = []
    for row in rows:
        cells = row.values
        checks = (
            _check_coordinator(cells["departement"], file, row.line),
            check_year(cells["jaar"], today, file, row.line),
            _check_norm(cells["norm"], file, row.line),
            check_oordeel(cells["oordeel"], file, row.line),
            check_bron(cells.get("bron", ""), file, row.line),
        )
        problems = [finding for _, found in checks for finding in found]
        note = cells.get("toelichting", "").strip()
        if len(note) > MAX_TEXT:
            message = f"Toelichting is {len(note)} tekens; het maximum is {MAX_TEXT}."
            problems.append(Finding(file, row.line, "toelichting", "te_lang", message))
        code, jaar, norm, oordeel, bron = (value for value, _ in checks)
        findings += problems
        if isinstance(code, str) and isinstance(jaar, int) and isinstance(norm, str):
            scores.append(
                CoordinationScore(code, jaar, norm, str(oordeel or vocabulary.NIET_BEOORDEELD),
                                  note, str(bron or ""), row.line)
            )  # fmt: skip
        else:
            complete = False
    members = [Member(str(score.jaar), score.norm, score.line) for score in scores]
    expected = [norm.code for norm in catalog.coordination_norms()]
    findings += check_each_once(members, expected, file, report_missing=complete)
    return scores, findings
