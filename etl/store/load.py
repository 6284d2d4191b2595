"""The only writer: store validated submissions as new versions, archive the bytes, keep a ledger.

Each file stands or falls on its own: a refused file stores nothing but its ledger
row, while the other files of the batch are stored. Every attempt, refused ones
included, is written to the ledger (`loads`), so the history answers "who tried
what, when". The batch is written in one transaction on the writer's copy, and the
derived tables (`etl.store.derive`) are refreshed in the same transaction.
"""

from __future__ import annotations

import csv
import ctypes
import getpass
import hashlib
import multiprocessing
import operator
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from etl.domain import catalog
from etl.domain.kinds import KINDS, QUARTERLY, Keyed, Kind
from etl.domain.periods import parse_day
from etl.intake.cells import Verdicts
from etl.intake.findings import Finding, count_errors
from etl.intake.read import MAX_BYTES
from etl.intake.validate import Submission, Validation, validate_bytes
from etl.intake.validate_agreements import Agreement
from etl.settings import settings
from etl.store import derive
from etl.store.database import LOCAL_TIME, crash_hook, writer

Status = Literal["opgeslagen", "ongewijzigd", "geweigerd"]


@dataclass(frozen=True)
class Source:
    """A file to load: the name to report and record, and its bytes (None if unreadable)."""

    name: str
    data: bytes | None
    findings: tuple[Finding, ...] = ()
    received_on: date | None = None


@dataclass
class LoadResult:
    """What happened to one file."""

    file: str
    status: Status
    sha256: str
    findings: list[Finding] = field(default_factory=list)
    versions: list[tuple[str, str, int]] = field(default_factory=list)

    def summary(self) -> str:
        """One Dutch line for the terminal."""
        if self.status == "geweigerd":
            errors = count_errors(len(self.findings))
            return f"{self.file}: geweigerd ({errors}); er is niets opgeslagen."
        if self.status == "ongewijzigd":
            return f"{self.file}: ongewijzigd; dit bestand is al geladen, er is niets veranderd."
        parts = ", ".join(f"{d} {p} versie {v}" for d, p, v in self.versions)
        return f"{self.file}: opgeslagen ({parts})."


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> Source:
    """Read a file's bytes, refusing before reading when it is over the size limit or is
    no file at all (a folder named like a CSV)."""
    if not path.is_file():
        message = "Dit is geen bestand (maar bijvoorbeeld een map); er is niets gelezen."
        return Source(str(path), None, (Finding(str(path), None, None, "geen_bestand", message),))
    size = path.stat().st_size
    if size > max_bytes:
        size_mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        message = (
            f"Het bestand is te groot ({size_mb} MB); de grens is {max_bytes // 1024 // 1024} MB."
        )
        return Source(str(path), None, (Finding(str(path), None, None, "te_groot", message),))
    return Source(str(path), path.read_bytes())


class ReceiptError(ValueError):
    """A receipt list that cannot be read, with a Dutch message naming the line."""


def read_receipts(path: Path) -> dict[str, date]:
    """A receipt list: tab-separated `bestand` and `ontvangen` (`2025-10-15`, or Dutch Excel's
    `15-10-2025`), keyed on file name.

    For batches loaded after they arrived: lateness counts from receipt, not from loading.
    """
    receipts: dict[str, date] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            text = (row.get("ontvangen") or "").strip()
            day = parse_day(text)
            if day is None or not row.get("bestand"):
                raise ReceiptError(
                    f"{path}:{line}: '{text}' is geen datum; schrijf bijvoorbeeld 2025-10-15."
                )
            receipts[row["bestand"]] = day
    return receipts


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder means every `.csv` file in it (not a folder named so), in
    name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
            )
        else:
            files.append(path)
    return files


def load_sources(
    sources: list[Source],
    db_path: Path,
    loaded_by: str | None = None,
    today: date | None = None,
    only_for: str | None = None,
    workers: int = 1,
) -> list[LoadResult]:
    """Validate and store each source; one transaction and one database swap for the batch.

    `only_for` is the organisation code a department account may submit for: the check
    lives here, in the load path, so no page or script can skip it. `workers` > 1
    validates a large batch in that many processes (the command line uses every core).
    """
    who = loaded_by or getpass.getuser()
    today = today or settings().today_or_real()  # one day for the whole batch, passed down
    validations = [
        check_department(validation, only_for)
        for validation in _validate_all(sources, today, workers)
    ]
    with writer(db_path) as connection:
        batch = _Batch(connection, who, only_for)
        results = [
            batch.add(source, validation)
            for source, validation in zip(sources, validations, strict=True)
        ]
        connection.execute("BEGIN TRANSACTION")
        try:
            batch.write(connection, today)
            crash_hook("after_insert")
            if derive.needed(connection, batch.stored_kinds):
                derive.refresh(connection, batch.stored_kinds)
            crash_hook("before_commit")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return results


def check_department(validation: Validation, only_for: str | None) -> Validation:
    """Refuse a file with rows for any organisation but `only_for`, naming those rows."""
    if only_for is None or validation.submission is None:
        return validation
    if validation.submission.kind == "coordinatie":
        message = (
            "Het oordeel over de coördinerende rol legt alleen de coördinator vast, niet een "
            "account van een organisatie."
        )
        validation.findings.append(
            Finding(validation.file, None, None, "alleen_coordinator", message)
        )
        validation.attempted = validation.submission.groups
        validation.submission = None
        return validation
    foreign: dict[str, list[int]] = {}
    for record in validation.submission.records:
        if record.departement != only_for:
            foreign.setdefault(record.departement, []).append(record.line)
    for code, lines in sorted(foreign.items()):
        message = (
            f"{_lines(lines).capitalize()} {'gaat' if len(lines) == 1 else 'gaan'} over {code}; "
            f"met uw account mag u alleen voor {only_for} aanleveren."
        )
        validation.findings.append(
            Finding(validation.file, lines[0], "departement", "ander_departement", message)
        )
    if foreign:
        validation.attempted = validation.submission.groups
        validation.submission = None
    return validation


def _lines(lines: list[int]) -> str:
    """'regel 4' or 'regels 2-16, 19'."""
    ranges: list[str] = []
    start = previous = lines[0]
    for line in [*lines[1:], None]:
        if line is not None and line == previous + 1:
            previous = line
            continue
        ranges.append(str(start) if start == previous else f"{start}-{previous}")
        if line is not None:
            start = previous = line
    return ("regel " if len(lines) == 1 else "regels ") + ", ".join(ranges)


PARALLEL_FROM = 200  # files: below this a second process costs more than it saves


def _validate_all(sources: list[Source], today: date | None, workers: int) -> list[Validation]:
    """Every source validated, in order, sharing one judgement per distinct cell value.

    With `workers` > 1 and a large batch, forked processes validate all but the first
    share while this process does that one. Validation is pure Python over bytes and
    the catalogues, so it parallelises cleanly; results travel back as plain tuples,
    which pickle several times faster than the record classes.
    """
    if workers < 2 or len(sources) < PARALLEL_FROM:
        return _validate_share(sources, today)
    # Interleaved shares hold the same mix of kinds, so they take about as long.
    shares = [sources[start::workers] for start in range(workers)]
    context = multiprocessing.get_context("fork")  # the catalogues come along, no re-import
    with ProcessPoolExecutor(
        max_workers=workers - 1, mp_context=context, initializer=_die_with_parent
    ) as pool:
        others = [pool.submit(_validate_packed, share, today) for share in shares[1:]]
        crash_hook("validating")
        results = [_validate_share(shares[0], today)]
        results += [[_unpack(packed) for packed in other.result()] for other in others]
    validations: list[Validation] = [None] * len(sources)  # type: ignore[list-item]
    for start, share in enumerate(results):
        validations[start::workers] = share
    return validations


def _die_with_parent() -> None:
    """In a worker: let the kernel kill this process when the load that started it dies
    (kill -9 included), so a killed load leaves no orphaned workers behind (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the line above took effect
        os._exit(1)


def _validate_share(sources: list[Source], today: date | None) -> list[Validation]:
    verdicts = Verdicts()
    return [_validate(source, today, verdicts) for source in sources]


_Packed = tuple[Validation, type | None, list[tuple[object, ...]]]


def _validate_packed(sources: list[Source], today: date | None) -> list[_Packed]:
    """In a worker: validate, and take each submission's records apart into plain tuples."""
    packed: list[_Packed] = []
    for validation in _validate_share(sources, today):
        submission = validation.submission
        if submission is None or not submission.records:
            packed.append((validation, None, []))
            continue
        rows: list[tuple[object, ...]] = [tuple(record) for record in submission.records]
        record_type: type = type(submission.records[0])
        validation.submission = replace(submission, records=())
        packed.append((validation, record_type, rows))
    return packed


def _unpack(packed: _Packed) -> Validation:
    validation, record_type, rows = packed
    if validation.submission is not None and record_type is not None:
        records = tuple(map(record_type._make, rows))  # type: ignore[attr-defined]
        validation.submission = replace(validation.submission, records=records)
    return validation


def _validate(source: Source, today: date | None, verdicts: Verdicts) -> Validation:
    if source.data is None:
        return Validation(source.name, findings=list(source.findings))
    return validate_bytes(source.data, source.name, today, verdicts=verdicts)


class _Batch:
    """The rows a batch of files adds, collected in memory and written set-based at the end.

    Each file still stands or falls on its own (validation decides), but writing the
    whole batch as a handful of inserts in one transaction costs milliseconds where a
    transaction and a dozen statements per file cost seconds at national scale. The
    writer's copy-and-rename already makes the batch all-or-nothing on disk.
    """

    def __init__(
        self, connection: duckdb.DuckDBPyConnection, who: str, only_for: str | None = None
    ) -> None:
        self.who = who
        self.only_for = only_for
        self.next_load = _next_id(connection, "loads", "load_id")
        self.next_submission = _next_id(connection, "submissions", "submission_id")
        # (kind, departement, periode) -> (newest version number, the current version's
        # SHA-256): a new version numbers on from the newest, withdrawn ones included, while
        # "identical" compares with the version in force (a withdrawn one is not).
        in_force = {
            (kind, departement, periode): sha
            for kind, departement, periode, sha in connection.execute(
                "SELECT kind, departement, periode, sha256 FROM current_submissions"
            ).fetchall()
        }
        self.current: dict[tuple[str, str, str], tuple[int, str]] = {
            (kind, departement, periode): (
                int(version),
                in_force.get((kind, departement, periode), ""),
            )
            for kind, departement, periode, version in connection.execute(
                "SELECT kind, departement, periode, max(version) FROM submissions GROUP BY ALL"
            ).fetchall()
        }
        # Per kind versioned by row (agreements, coordination judgements): key -> (newest
        # version, its content), so a row whose content differs makes the next version.
        self.keyed: dict[str, dict[tuple[object, ...], tuple[int, tuple[object, ...]]]] = {}
        self.keyed_rows: dict[str, list[tuple[object, ...]]] = {}
        for kind, keyed in KEYED.items():
            width = len(keyed.key)
            self.keyed[kind] = {
                tuple(row[:width]): (int(row[width]), tuple(row[width + 1 :]))
                for row in connection.execute(
                    f"SELECT {', '.join(keyed.key)}, version, {', '.join(keyed.content)} "
                    f"FROM {KINDS[kind].current_view}"  # names from this module only
                ).fetchall()
            }
            self.keyed_rows[kind] = []
        self.loads: list[tuple[object, ...]] = []
        self.files: dict[str, tuple[object, ...]] = {}
        self.submissions: list[tuple[object, ...]] = []
        self.records: dict[str, list[tuple[object, ...]]] = {kind: [] for kind in KINDS}
        self.stored_kinds: set[str] = set()
        self.survey_periods: set[str] = set()

    def add(self, source: Source, validation: Validation) -> LoadResult:
        """Decide what one file stores (new versions, or nothing) and queue its rows."""
        data = source.data or b""
        sha = hashlib.sha256(data).hexdigest()
        load_id = self.next_load
        self.next_load += 1
        submission = validation.submission
        if submission is None or validation.findings:
            result = LoadResult(source.name, "geweigerd", sha, validation.findings)
            self._ledger(load_id, result, validation, 0, source.received_on)
            return result
        if submission.kind == "afspraken" and self.only_for is not None:
            refusals = self._lead_agreements(source.name, submission)
            if refusals:
                validation.findings.extend(refusals)
                validation.attempted = submission.groups
                result = LoadResult(source.name, "geweigerd", sha, validation.findings)
                self._ledger(load_id, result, validation, 0, source.received_on)
                return result
        if submission.kind in KEYED:
            result = self._keyed(load_id, source.name, data, sha, submission)
        else:
            result = self._versions(source.name, sha, submission)
            if result.versions:
                self._queue(load_id, source.name, data, sha, submission, result)
        self._ledger(load_id, result, validation, submission.row_count, source.received_on)
        return result

    def _lead_agreements(self, name: str, submission: Submission) -> list[Finding]:
        """What an organisation's lead may not change in an agreements file: an agreement is
        made by the coordinator (at the IPIM or bilaterally); its lead reports progress, the
        status and the toelichting of an existing agreement, and nothing else."""
        known = self.keyed["afspraken"]
        spec = KEYED["afspraken"]
        findings: list[Finding] = []
        for record in submission.records:
            assert isinstance(record, Agreement)  # the caller checked the kind
            key = tuple(getattr(record, column) for column in spec.key)
            newest = known.get(key)
            if newest is None:
                findings.append(Finding(name, record.line, "id", "afspraak_alleen_coordinator", (
                    f"Afspraak {record.id} bestaat niet; een nieuwe afspraak legt alleen de "
                    "coördinator vast. U kunt de status en toelichting van bestaande "
                    "afspraken bijwerken."
                )))  # fmt: skip
                continue
            for column, before in zip(spec.content, newest[1], strict=True):
                if column in LEAD_MAY_CHANGE or getattr(record, column) == before:
                    continue
                findings.append(Finding(name, record.line, column, "afspraak_alleen_coordinator", (
                    f"Afspraak {record.id}: '{column}' legt de coördinator vast (nu: "
                    f"{_shown(before)}); u kunt alleen de status en de toelichting bijwerken."
                )))  # fmt: skip
        return findings

    def _keyed(
        self, load_id: int, name: str, data: bytes, sha: str, submission: Submission
    ) -> LoadResult:
        """A new version for each row whose content differs from its key's newest version;
        the identical row again changes nothing (contract, kind 4; coordination alike)."""
        spec = KEYED[submission.kind]  # type: ignore[index]  # the caller checked the kind
        known = self.keyed[submission.kind]
        result = LoadResult(name, "ongewijzigd", sha)
        for record in submission.records:
            key = tuple(getattr(record, column) for column in spec.key)
            content = tuple(getattr(record, column) for column in spec.content)
            newest = known.get(key)
            if newest is not None and newest[1] == content:
                continue
            version = 1 if newest is None else newest[0] + 1
            known[key] = (version, content)
            self.keyed_rows[submission.kind].append(
                (*key, version, *content, load_id, sha, record.line)
            )
            result.versions.append((str(key[0]), spec.label(record), version))
        if result.versions:
            result.status = "opgeslagen"
            self.files.setdefault(sha, (sha, Path(name).name, len(data), data))
            self.stored_kinds.add(submission.kind)
        return result

    def _versions(self, name: str, sha: str, submission: Submission) -> LoadResult:
        """New version for each (departement, periode) whose current version is another file."""
        result = LoadResult(name, "ongewijzigd", sha)
        for departement, periode in submission.groups:
            current = self.current.get((submission.kind, departement, periode))
            if current is not None and current[1] == sha:
                continue
            version = 1 if current is None else current[0] + 1
            result.versions.append((departement, periode, version))
        if result.versions:
            result.status = "opgeslagen"
        return result

    def _queue(
        self,
        load_id: int,
        name: str,
        data: bytes,
        sha: str,
        submission: Submission,
        result: LoadResult,
    ) -> None:
        self.files.setdefault(sha, (sha, Path(name).name, len(data), data))
        columns = KINDS[submission.kind].stored  # type: ignore[index]
        ids: dict[tuple[str, str], int] = {}
        for departement, periode, version in result.versions:
            ids[(departement, periode)] = self.next_submission
            self.submissions.append(
                (self.next_submission, submission.kind, departement, periode, version, load_id, sha)
            )
            self.current[(submission.kind, departement, periode)] = (version, sha)
            self.next_submission += 1
        queue = self.records[submission.kind]
        values = operator.attrgetter(*columns)
        for record in submission.records:
            assert not isinstance(record, Agreement)  # agreements are stored by `_keyed`
            submission_id = ids.get((record.departement, record.periode))
            if submission_id is not None:
                queue.append((submission_id, *values(record)))
        self.stored_kinds.add(submission.kind)
        if submission.kind == "enquete":
            self.survey_periods |= {periode for _, periode in submission.groups}

    def _ledger(
        self,
        load_id: int,
        result: LoadResult,
        validation: Validation,
        row_count: int,
        received_on: date | None,
    ) -> None:
        groups = validation.submission.groups if validation.submission else validation.attempted
        now = datetime.now(UTC)
        self.loads.append(
            (
                load_id,
                now.replace(tzinfo=None),
                self.who,
                result.file,
                result.sha256,
                validation.kind,
                ",".join(sorted({p for _, p in groups})),
                ",".join(sorted({d for d, _ in groups})),
                result.status,
                len(result.findings),
                row_count,
                received_on or now.astimezone(LOCAL_TIME).date(),
            )
        )

    def write(self, connection: duckdb.DuckDBPyConnection, today: date) -> None:
        """Everything queued, one insert per table."""
        _insert(connection, "files", _FILE_COLUMNS, list(self.files.values()))
        _insert(connection, "submissions", _SUBMISSION_COLUMNS, self.submissions)
        for kind in QUARTERLY:
            spec = KINDS[kind]
            _insert(connection, spec.table, ("submission_id", *spec.stored), self.records[kind])
        for name, keyed in KEYED.items():
            _insert(connection, KINDS[name].table, keyed.columns, self.keyed_rows[name])
        _insert(connection, "loads", _LOAD_COLUMNS, self.loads)
        _freeze_thresholds(connection, self.survey_periods, today)


_FILE_COLUMNS = ("sha256", "file_name", "size_bytes", "content")


# Kinds versioned per key (`KindSpec.keyed`): agreements, BZK's own judgement.
KEYED: dict[Kind, Keyed] = {k: s.keyed for k, s in KINDS.items() if s.keyed is not None}
# What an organisation's lead may change in an agreement BZK made (issue 24, point 1).
LEAD_MAY_CHANGE = frozenset({"status", "toelichting"})


def _shown(value: object) -> str:
    """A stored agreement value as a finding quotes it."""
    if value is None or value == "":
        return "leeg"
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


_SUBMISSION_COLUMNS = (
    "submission_id",
    "kind",
    "departement",
    "periode",
    "version",
    "load_id",
    "sha256",
)
_LOAD_COLUMNS = (
    "load_id",
    "loaded_at",
    "loaded_by",
    "file_name",
    "sha256",
    "kind",
    "periods",
    "departments",
    "status",
    "findings",
    "row_count",
    "received_on",
)


def _insert(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple[object, ...]],
) -> None:
    """One set-based insert (DuckDB's executemany costs about a millisecond a row)."""
    if not rows:
        return
    incoming = pd.DataFrame(rows, columns=list(columns))
    connection.register("incoming", incoming)
    try:
        # Table and column names come from this module, never from input. An archived
        # file loaded again (same SHA-256) is already there: keep the first copy.
        conflict = " ON CONFLICT (sha256) DO NOTHING" if table == "files" else ""
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming{conflict}")
    finally:
        connection.unregister("incoming")


def _freeze_thresholds(
    connection: duckdb.DuckDBPyConnection, periods: set[str], today: date
) -> None:
    """Record a published wave's threshold once; later catalogue edits cannot change it."""
    waves = catalog.survey_waves()
    for periode in sorted(periods):
        wave = waves.get(periode)
        if wave is None or wave.gepubliceerd_op is None or wave.gepubliceerd_op > today:
            continue
        connection.execute(
            "INSERT INTO wave_thresholds VALUES (?, ?, ?) ON CONFLICT (periode) DO NOTHING",
            [periode, wave.drempel, datetime.now(UTC).replace(tzinfo=None)],
        )


def _next_id(connection: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    # Table and column names come from this module, never from input.
    row = connection.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


class VersionError(ValueError):
    """A withdrawal (or its undoing) that cannot be done, with a Dutch message."""


WITHDRAWN, RESTORED = "ingetrokken", "hersteld"


def withdraw_version(
    db_path: Path,
    kind: str,
    departement: str,
    periode: str,
    version: int,
    by: str,
    reason: str,
    restore: bool = False,
) -> str:
    """Withdraw a stored version (or undo that): a recorded, reversible act, nothing deleted.

    The version in force becomes the newest one not withdrawn; its rows, file and ledger
    entry stay queryable. The derived tables follow in the same transaction.
    """
    if not reason.strip():
        raise VersionError("Geef een reden op; die wordt bij de intrekking bewaard.")
    action = RESTORED if restore else WITHDRAWN
    with writer(db_path) as connection:
        exists = connection.execute(
            "SELECT count(*) FROM submissions WHERE kind = ? AND departement = ? "
            "AND periode = ? AND version = ?",
            [kind, departement, periode, version],
        ).fetchone()
        if not exists or not exists[0]:
            raise VersionError(f"Er is geen {kind}-versie {version} van {departement} {periode}.")
        withdrawn = connection.execute(
            "SELECT count(*) FROM withdrawn_versions WHERE kind = ? AND departement = ? "
            "AND periode = ? AND version = ?",
            [kind, departement, periode, version],
        ).fetchone()
        is_withdrawn = bool(withdrawn and withdrawn[0])
        if is_withdrawn != restore:
            state = "is al ingetrokken" if is_withdrawn else "is niet ingetrokken"
            raise VersionError(f"Versie {version} van {departement} {periode} {state}.")
        connection.execute("BEGIN TRANSACTION")
        connection.execute(
            "INSERT INTO version_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                _next_id(connection, "version_events", "event_id"), kind, departement, periode,
                version, action, datetime.now(UTC).replace(tzinfo=None), by, reason.strip(),
            ],
        )  # fmt: skip
        derive.refresh(connection, {kind})
        connection.execute("COMMIT")
    verb = "hersteld" if restore else "ingetrokken"
    return f"{kind} {departement} {periode} versie {version} {verb}."
