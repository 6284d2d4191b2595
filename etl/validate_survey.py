"""Rows of survey files (`enquete`, `respons`) → typed records and findings.

Counts, never percentages: percentages are derived later, under the disclosure rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from etl import catalog
from etl.cells import Row, Verdicts, check_organisation, check_period, check_whole_number
from etl.findings import Finding

GROUPS = ("medewerkers", "leidinggevenden")


@dataclass(frozen=True)
class SurveyCount:
    """Respondents of one group who gave one answer to one item."""

    departement: str
    periode: str
    groep: str
    item: str
    antwoord: str
    aantal: int
    line: int


@dataclass(frozen=True)
class SurveyResponse:
    """Invited and participating staff of one group."""

    departement: str
    periode: str
    groep: str
    uitgenodigd: int
    deelgenomen: int
    line: int


def _check_group(text: str, file: str, line: int) -> tuple[str | None, list[Finding]]:
    value = text.strip().lower()
    if value in GROUPS:
        return value, []
    shown = text.strip() or "(leeg)"
    message = f"Groep '{shown}' is ongeldig; gebruik medewerkers of leidinggevenden."
    return None, [Finding(file, line, "groep", "ongeldige_groep", message)]


def _common(
    row: Row, file: str, today: date, verdicts: Verdicts
) -> tuple[str | None, str | None, str | None, list[Finding]]:
    findings: list[Finding] = []
    cells, line = row.values, row.line
    periode, found = verdicts.judge(line, check_period, cells["periode"], today)
    findings += found
    code, found = verdicts.judge(line, check_organisation, cells["departement"], periode)
    findings += found
    groep, found = verdicts.judge(line, _check_group, cells["groep"])
    findings += found
    return code, periode, groep, findings


def _check_item(
    text: str, groep: str | None, file: str, line: int
) -> tuple[catalog.SurveyItem | None, list[Finding]]:
    items = {item.item.upper(): item for item in catalog.survey_items()}
    item = items.get(text.strip().upper())
    if item is None:
        codes = ", ".join(i.item for i in catalog.survey_items())
        message = f"Onbekend item '{text.strip()}'. Geldige items: {codes}."
        return None, [Finding(file, line, "item", "onbekend_item", message)]
    if groep is not None and item.doelgroep not in ("alle", groep):
        message = f"Item {item.item} is alleen voor {item.doelgroep}, niet voor {groep}."
        return None, [Finding(file, line, "item", "item_niet_voor_groep", message)]
    return item, []


def _check_answer(
    text: str, item: catalog.SurveyItem, file: str, line: int
) -> tuple[str | None, list[Finding]]:
    answers = [a.code for a in catalog.survey_scales()[item.schaal]]
    wanted = "_".join(text.strip().lower().replace("(", "").replace(")", "").split())
    if wanted in answers:
        return wanted, []
    shown = text.strip() or "(leeg)"
    message = (
        f"Antwoord '{shown}' hoort niet bij item {item.item} (schaal {item.schaal}); "
        f"geldig zijn: {', '.join(answers)}."
    )
    return None, [Finding(file, line, "antwoord", "ongeldig_antwoord", message)]


def validate_enquete(
    rows: list[Row], file: str, today: date
) -> tuple[list[SurveyCount], list[Finding]]:
    """Every cell checked; the same (departement, periode, groep, item, antwoord) only once."""
    counts: list[SurveyCount] = []
    findings: list[Finding] = []
    seen: dict[tuple[str, str, str, str, str], int] = {}
    verdicts = Verdicts(file)
    for row in rows:
        code, periode, groep, found = _common(row, file, today, verdicts)
        findings += found
        cells, line = row.values, row.line
        item, found = verdicts.judge(line, _check_item, cells["item"], groep)
        findings += found
        answer = None
        if item is not None:
            answer, found = verdicts.judge(line, _check_answer, cells["antwoord"], item)
            findings += found
        aantal, found = verdicts.judge(line, check_whole_number, cells["aantal"], "aantal")
        findings += found
        if None in (code, periode, groep, item, answer, aantal):
            continue
        assert code and periode and groep and item and answer and aantal is not None
        key = (code, periode, groep, item.item, answer)
        if key in seen:
            message = (
                f"{item.item} '{answer}' staat meer dan één keer in het bestand voor {code} "
                f"{periode} {groep}: regels {seen[key]} en {row.line}."
            )
            findings.append(Finding(file, row.line, "antwoord", "dubbel_antwoord", message))
            continue
        seen[key] = row.line
        counts.append(SurveyCount(code, periode, groep, item.item, answer, aantal, row.line))
    return counts, findings


def validate_respons(
    rows: list[Row], file: str, today: date
) -> tuple[list[SurveyResponse], list[Finding]]:
    """Invited and participants per group; participants never exceed invitations."""
    responses: list[SurveyResponse] = []
    findings: list[Finding] = []
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    verdicts = Verdicts(file)
    for row in rows:
        code, periode, groep, found = _common(row, file, today, verdicts)
        findings += found
        invited, found = check_whole_number(
            row.values["uitgenodigd"], "uitgenodigd", file, row.line
        )
        findings += found
        took_part, found = check_whole_number(
            row.values["deelgenomen"], "deelgenomen", file, row.line
        )
        findings += found
        if invited is not None and took_part is not None and took_part > invited:
            message = f"Deelgenomen ({took_part}) is groter dan uitgenodigd ({invited})."
            findings.append(Finding(file, row.line, "deelgenomen", "meer_dan_uitgenodigd", message))
            continue
        if code is None or periode is None or groep is None or invited is None or took_part is None:
            continue
        key = (code, periode, groep)
        if seen[key]:
            message = (
                f"Groep {groep} staat meer dan één keer in het bestand voor {code} {periode}: "
                f"regels {seen[key]} en {row.line}."
            )
            findings.append(Finding(file, row.line, "groep", "dubbele_groep", message))
            continue
        seen[key] = row.line
        responses.append(SurveyResponse(code, periode, groep, invited, took_part, row.line))
    return responses, findings
