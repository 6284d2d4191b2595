"""Rows → findings and typed records: every rule of the contract, every finding, not the first.

A file is all-or-nothing, so validation returns either a complete `Submission`
or the findings that refuse it. Nothing here touches the database.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from etl.domain import catalog, vocabulary
from etl.domain.kinds import FREE_TEXT, KINDS, KindSpec, detect_kind, expected_columns_message
from etl.intake import budget
from etl.intake.cells import (
    Member,
    Row,
    Verdicts,
    check_ascii,
    check_bron,
    check_each_once,
    check_free_text,
    check_oordeel,
    check_organisation,
    check_period,
    strange_character,
)
from etl.intake.findings import Finding, sort_findings
from etl.intake.read import MAX_BYTES, Record, Table
from etl.intake.read_xlsx import locate, read_any
from etl.intake.validate_agreements import Agreement
from etl.intake.validate_coordination import CoordinationScore
from etl.intake.validate_survey import SurveyCount, SurveyResponse
from etl.intake.validate_werking import (
    AdviserTalks,
    Headcount,
    MeasureCounts,
    ReportCounts,
    YearFigure,
)
from etl.settings import settings

MAX_TOELICHTING = 2000


class NormScore(NamedTuple):
    """One norm's judgement: a verdict, niet beoordeeld, or onbekend; and who judged it."""

    departement: str
    periode: str
    norm: int
    oordeel: str  # one of `vocabulary.OORDELEN`
    toelichting: str
    bron: str  # a code of schemas/bronnen.csv
    line: int

    @property
    def score(self) -> int | None:
        """2, 1, 0 for a verdict; None (no score) for niet beoordeeld and onbekend."""
        return vocabulary.score_of(self.oordeel)


StoredRecord = (
    NormScore
    | SurveyCount
    | SurveyResponse
    | Agreement
    | CoordinationScore
    | ReportCounts
    | Headcount
    | AdviserTalks
    | MeasureCounts
    | YearFigure
)


@dataclass(frozen=True)
class Submission:
    """The validated content of one file, ready to store."""

    file: str
    kind: str
    encoding: str
    delimiter: str
    records: tuple[StoredRecord, ...] = ()

    @property
    def groups(self) -> list[tuple[str, str]]:
        """The (departement, periode) pairs this file submits, sorted (for agreements the
        quarter each should be done by, for coordination judgements the year)."""
        return sorted(
            {(row.departement, row.gereed if isinstance(row, Agreement) else row.periode)
             for row in self.records}
        )  # fmt: skip

    @property
    def row_count(self) -> int:
        return len(self.records)


@dataclass
class Validation:
    """Outcome of validating one file: a submission or findings (never both)."""

    file: str
    kind: str | None = None
    submission: Submission | None = None
    findings: list[Finding] = field(default_factory=list)
    # What a file refused after validation (another ministry's rows) tried to submit,
    # so the ledger can say which departments and periods the attempt was about.
    attempted: list[tuple[str, str]] = field(default_factory=list)


def validate_bytes(
    data: bytes,
    file: str,
    today: date | None = None,
    max_bytes: int = MAX_BYTES,
    verdicts: Verdicts | None = None,
) -> Validation:
    """Validate one file's bytes against the contract (`verdicts`: shared by a batch), within
    the time budget per file (`etl.intake.budget`, the setting `seconds_per_file`)."""
    seconds = settings().seconds_per_file
    try:
        with budget.limit(seconds):
            return _validate_bytes(data, file, today, max_bytes, verdicts)
    except budget.OverBudget:
        message = (
            f"De controle van dit bestand duurde langer dan {seconds:g} seconden en is "
            "gestopt; het bestand is geweigerd. Controleer of er niet veel lege kolommen of "
            "regels in staan, of splits het bestand."
        )
        return Validation(file, findings=[Finding(file, None, None, "te_traag", message)])


def _validate_bytes(
    data: bytes,
    file: str,
    today: date | None,
    max_bytes: int,
    verdicts: Verdicts | None,
) -> Validation:
    today = today or settings().today_or_real()
    verdicts = verdicts or Verdicts()
    table, findings = read_any(data, file, max_bytes, tuple(KINDS))
    if table is None:
        return Validation(file, findings=findings)
    budget.check()
    spec, columns, header_findings = check_header(table, file)
    budget.check()
    findings.extend(header_findings)
    if spec is None or columns is None:
        return Validation(file, findings=sort_findings(findings))
    rows, shape_findings = shape_rows(table, columns, file)
    budget.check()
    findings.extend(shape_findings)
    if not table.records:
        message = "Het bestand bevat alleen een kopregel en geen gegevens."
        findings.append(Finding(file, None, None, "geen_regels", message))
    validation = Validation(file, kind=spec.name)
    complete = len(rows) == len(table.records)
    records: list[StoredRecord]
    records, row_findings = list_of(spec.validate()(rows, file, today, verdicts, complete))
    budget.check()
    findings.extend(row_findings)
    # A cell outside the free text that is not ASCII and that the kind's checks let through
    # (a non-breaking space around a quarter, a Kelvin sign that lower-cases to 'k'): refused
    # too, with its own finding. Where the kind already refused the cell, its message is
    # the more precise one ("is geen kwartaal", "Bedoelt u 'FIN'?").
    refused = {(f.line, f.column) for f in row_findings}
    findings.extend(
        f for f in check_ascii(rows, FREE_TEXT, file) if (f.line, f.column) not in refused
    )
    findings.extend(check_free_text(rows, FREE_TEXT, file))
    submission = Submission(file, spec.name, table.encoding, table.delimiter, tuple(records))
    validation.findings = sort_findings(locate(findings, table, columns))
    validation.submission = None if findings else submission
    return validation


def list_of(
    result: tuple[Sequence[StoredRecord], list[Finding]],
) -> tuple[list[StoredRecord], list[Finding]]:
    """Widen a kind's typed records to the stored-record union."""
    return list(result[0]), result[1]


def _closest(word: str, options: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return matches[0] if matches else None


def check_header(
    table: Table, file: str
) -> tuple[KindSpec | None, dict[str, int] | None, list[Finding]]:
    """Map contract column names to positions, recognising the kind of file."""
    line = table.header_line
    findings: list[Finding] = []
    positions: dict[str, int] = {}
    # Which columns hold a value anywhere: one pass over the cells (linear in the file),
    # not a pass over the rows per unnamed column (which made many empty columns quadratic).
    unnamed = {index for index, raw in enumerate(table.header) if not raw.strip()}
    filled = {
        index
        for record in table.records
        for index, cell in enumerate(record.cells)
        if index in unnamed and cell.strip()
    } if unnamed else set()  # fmt: skip
    for index, raw in enumerate(table.header):
        name = raw.strip().lower()
        if not name:
            if index in filled:
                message = (
                    f"Kolom {index + 1} heeft geen naam in de kopregel maar bevat wel waarden."
                )
                findings.append(Finding(file, line, str(index + 1), "kolom_zonder_naam", message))
            continue
        strange = strange_character(raw)
        if strange is not None:
            message = (
                f"Kolomnaam '{raw.strip()[:30]}' bevat het teken {strange}; kolomnamen zijn "
                "gewone letters (ASCII), zoals het contract ze schrijft."
            )
            findings.append(Finding(file, line, str(index + 1), "kolom_niet_ascii", message))
            continue
        if name in positions:
            message = f"Kolom '{name}' staat meer dan één keer in de kopregel."
            findings.append(Finding(file, line, name, "dubbele_kolom", message))
            continue
        positions[name] = index
    spec = detect_kind(set(positions))
    if spec is None:
        names = ", ".join(raw.strip() for raw in table.header if raw.strip()) or "(geen)"
        message = (
            f"De kolommen passen bij geen enkele soort aanlevering (gevonden: {names}). "
            + expected_columns_message()
        )
        findings.append(Finding(file, line, None, "onbekende_soort", message))
        return None, None, findings
    for name in positions:
        if name not in spec.columns:
            suggestion = _closest(name, spec.columns)
            hint = f" Bedoelt u '{suggestion}'?" if suggestion else ""
            message = (
                f"Onbekende kolom '{name}'.{hint} Een {spec.name}-bestand heeft de kolommen "
                f"{spec.describe()}."
            )
            findings.append(Finding(file, line, name, "onbekende_kolom", message))
    missing = [name for name in spec.required if name not in positions]
    for name in missing:
        message = (
            f"Verplichte kolom '{name}' ontbreekt. Een {spec.name}-bestand heeft de kolommen "
            f"{spec.describe()}."
        )
        findings.append(Finding(file, line, name, "kolom_ontbreekt", message))
    if missing:
        return None, None, findings
    return spec, {name: positions[name] for name in spec.columns if name in positions}, findings


def shape_rows(table: Table, columns: dict[str, int], file: str) -> tuple[list[Row], list[Finding]]:
    """Key each record's cells by column name; a record of the wrong width is a finding."""
    width = len(table.header)
    rows: list[Row] = []
    findings: list[Finding] = []
    header = [cell.strip().lower() for cell in table.header]
    names = list(columns)
    pick = operator.itemgetter(*columns.values())
    for record in table.records:
        budget.check()
        if (
            record.cells
            and record.cells[0].strip().lower() == header[0]
            and [cell.strip().lower() for cell in record.cells] == header
        ):
            message = (
                f"De kopregel staat hier nog een keer (eerst op regel {table.header_line}); "
                "zijn twee bestanden aan elkaar geplakt?"
            )
            findings.append(Finding(file, record.line, None, "kopregel_herhaald", message))
            continue
        if len(record.cells) != width and not _only_empty_tail(record, width):
            findings.append(_width_finding(record, width, table, file))
            continue
        # A record here has every column of the header (and maybe empty cells after them).
        picked = pick(record.cells)
        values = dict(zip(names, picked if len(names) > 1 else (picked,), strict=True))
        rows.append(Row(record.line, values))
    return rows, findings


def _only_empty_tail(record: Record, width: int) -> bool:
    """Excel pads rows with empty cells beyond the last named column; those are harmless."""
    return len(record.cells) > width and not any(c.strip() for c in record.cells[width:])


def _width_finding(record: Record, width: int, table: Table, file: str) -> Finding:
    count = len(record.cells)
    fields = "1 veld" if count == 1 else f"{count} velden"
    if count > width:
        message = (
            f"Deze regel heeft {fields}, de kopregel {width}. Staat er een "
            f"{table.delimiter_name} in een tekst zonder aanhalingstekens eromheen?"
        )
    else:
        message = f"Deze regel heeft {fields}, de kopregel {width}. Er ontbreken velden."
    return Finding(file, record.line, None, "aantal_velden", message)


def _check_norm(text: str, file: str, line: int) -> tuple[int | None, list[Finding]]:
    value = text.strip()
    numbers = [norm.nummer for norm in catalog.norms()]
    if not value:
        return None, [Finding(file, line, "norm", "leeg", "Norm ontbreekt.")]
    if re.fullmatch(r"[0-9]{1,3}", value) and int(value) in numbers:
        return int(value), []
    shown = value if len(value) <= 20 else value[:20] + "…"
    message = f"Norm '{shown}' is geen normnummer van {min(numbers)} tot en met {max(numbers)}."
    return None, [Finding(file, line, "norm", "ongeldige_norm", message)]


def validate_normscores(
    rows: list[Row], file: str, today: date, verdicts: Verdicts, complete: bool = True
) -> tuple[list[NormScore], list[Finding]]:
    """Check every cell of every row, then each (departement, periode) holds all norms once.

    Missing norms are only reported when every row could be read: a row refused
    for its shape or its departement, periode or norm may well hold the "missing"
    norm, and a second finding about it would send the reader on a false trail.
    """
    periods, findings = verdicts.column(file, rows, check_period, "periode", constants=(today,))
    codes, found = verdicts.column(file, rows, check_organisation, "departement", periods)
    findings += found
    norms, found = verdicts.column(file, rows, _check_norm, "norm")
    findings += found
    judgements, found = verdicts.column(file, rows, check_oordeel, "oordeel")
    findings += found
    if any("bron" in row.values for row in rows[:1]):
        sources, found = verdicts.column(file, rows, check_bron, "bron")
        findings += found
    else:
        sources = [vocabulary.BRON_ZELF] * len(rows)
    scores: list[NormScore] = []
    for row, code, periode, norm, oordeel, bron in zip(
        rows, codes, periods, norms, judgements, sources, strict=True
    ):
        toelichting = row.values.get("toelichting", "")
        if len(toelichting) > MAX_TOELICHTING:
            message = (
                f"Toelichting is {len(toelichting)} tekens lang; het maximum is {MAX_TOELICHTING}."
            )
            findings.append(Finding(file, row.line, "toelichting", "te_lang", message))
        if code and periode and norm is not None:
            # An invalid oordeel or bron is a finding already; the row still holds its norm.
            stored = oordeel or vocabulary.NIET_BEOORDEELD
            scores.append(NormScore(code, periode, norm, stored, toelichting, bron or "", row.line))
        else:
            complete = False
    members = [Member(f"{s.departement} {s.periode}", s.norm, s.line) for s in scores]
    expected = [norm.nummer for norm in catalog.norms()]
    findings.extend(check_each_once(members, expected, file, report_missing=complete))
    return scores, findings
