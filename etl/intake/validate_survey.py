"""Rows of survey files (`enquete`, `respons`) → typed records and findings.

Counts, never percentages: percentages are derived later, under the disclosure rule.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from etl.domain import catalog
from etl.intake.cells import Row, Verdicts, check_organisation, check_period, check_whole_number
from etl.intake.findings import Finding

GROUPS = ("medewerkers", "leidinggevenden")


class SurveyCount(NamedTuple):
    """Respondents of one group who gave one answer to one item."""

    departement: str
    periode: str
    groep: str
    item: str
    antwoord: str
    aantal: int
    line: int


class SurveyResponse(NamedTuple):
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
    rows: list[Row], file: str, today: date, verdicts: Verdicts
) -> tuple[list[str | None], list[str | None], list[str | None], list[Finding]]:
    """Periode, departement and groep of every row (None where refused), and the findings."""
    periods, findings = verdicts.column(file, rows, check_period, "periode", constants=(today,))
    codes, found = verdicts.column(file, rows, check_organisation, "departement", periods)
    findings += found
    groups, found = verdicts.column(file, rows, _check_group, "groep")
    findings += found
    return codes, periods, groups, findings


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
    text: str, item: catalog.SurveyItem | None, file: str, line: int
) -> tuple[str | None, list[Finding]]:
    if item is None:  # the item was refused already; an answer to it means nothing
        return None, []
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
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[SurveyCount], list[Finding]]:
    """Every cell checked; the same (departement, periode, groep, item, antwoord) only once."""
    codes, periods, groups, findings = _common(rows, file, today, verdicts)
    items, found = verdicts.column(file, rows, _check_item, "item", groups)
    findings += found
    answers, found = verdicts.column(file, rows, _check_answer, "antwoord", items)
    findings += found
    numbers, found = verdicts.column(
        file, rows, check_whole_number, "aantal", constants=("aantal",)
    )
    findings += found
    counts: list[SurveyCount] = []
    seen: dict[tuple[str, str, str, str, str], int] = {}
    for row, code, periode, groep, item, answer, aantal in zip(
        rows, codes, periods, groups, items, answers, numbers, strict=True
    ):
        if code is None or periode is None or groep is None or item is None:
            continue
        if answer is None or aantal is None:
            continue
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
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[SurveyResponse], list[Finding]]:
    """Invited and participants per group; participants never exceed invitations."""
    codes, periods, groups, findings = _common(rows, file, today, verdicts)
    invitations, found = verdicts.column(
        file, rows, check_whole_number, "uitgenodigd", constants=("uitgenodigd",)
    )
    findings += found
    participants, found = verdicts.column(
        file, rows, check_whole_number, "deelgenomen", constants=("deelgenomen",)
    )
    findings += found
    responses: list[SurveyResponse] = []
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    for row, code, periode, groep, invited, took_part in zip(
        rows, codes, periods, groups, invitations, participants, strict=True
    ):
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
