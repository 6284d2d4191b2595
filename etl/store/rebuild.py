"""Rebuild a database from its archive and ledger (`python -m etl herbouw`).

Every stored file's original bytes are archived (`files`) and every attempt is in the
ledger (`loads`), so the data tables are a function of those two and the withdrawals
(`version_events`): replaying the ledger in time order through today's load path must
give the same versions. That makes the archive auditable (a test proves the exports of
a rebuilt database equal the original's), and it is the way back when derived tables or
data rows are in doubt, or to re-apply today's validation to everything ever received.

What the ledger does not hold is copied as recorded facts: refused attempts (their bytes
were never archived), accounts, the frozen disclosure thresholds of survey waves, the
reminders sent, the rows an upgrade quarantined, and the ledger rows themselves (who,
when, received on), so the history reads the same. Sessions are not copied: whoever
was signed in to the old file signs in again.
A file that today's rules refuse, or a version that comes out differently, is reported,
not hidden; the rebuilt database then holds what today's rules accept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.intake.findings import Finding
from etl.store.database import LOCAL_TIME, has_table, query_frame, reader, writer
from etl.store.load import Source, load_sources

_SUBMISSION_KEY = ["kind", "departement", "periode", "version", "sha256"]
# Tables of facts no archived file holds, copied as they are (when the source has them).
RECORDED_FACTS = ("reminders", "quarantined_rows", "survey_hidden")
BATCH_GAP_SECONDS = 2.0


class RebuildError(ValueError):
    """The rebuild cannot start; the message is Dutch."""


@dataclass
class RebuildReport:
    """What a rebuild did, and where it came out differently from the source."""

    replayed: int = 0  # archived files loaded again
    refused_copied: int = 0  # refused attempts, copied from the ledger
    events: int = 0  # withdrawals and restorations
    differences: list[str] = field(default_factory=list)


def rebuild(source: Path, target: Path) -> RebuildReport:
    """Build `target` (which must not exist) from the archive and ledger of `source`."""
    if target.exists():
        raise RebuildError(f"{target} bestaat al; kies een nieuw bestand om in te herbouwen.")
    if target.resolve() == source.resolve():
        raise RebuildError("Herbouw naar een ander bestand dan de bron.")
    with reader(source) as connection:
        if connection is None:
            raise RebuildError(f"{source} bestaat niet.")
        loads = query_frame(connection, "SELECT * FROM loads ORDER BY load_id")
        archive = {
            sha: (name, bytes(content))
            for sha, name, content in connection.execute(
                "SELECT sha256, file_name, content FROM files"
            ).fetchall()
        }
        events = query_frame(connection, "SELECT * FROM version_events ORDER BY event_id")
        users = query_frame(connection, "SELECT * FROM users")
        thresholds = query_frame(connection, "SELECT * FROM wave_thresholds")
        facts = {table: query_frame(connection, f"SELECT * FROM {table}")
                 for table in RECORDED_FACTS if has_table(connection, table)}  # fmt: skip
        original = query_frame(
            connection, f"SELECT {', '.join(_SUBMISSION_KEY)}, load_id FROM submissions"
        )
    report = RebuildReport()
    for _moment, kind, rows in _timeline(loads, events):
        if kind == "batch":
            _replay_batch(rows, archive, target, report)
        else:
            _replay_event(rows, target)
            report.events += 1
    with writer(target) as connection:
        connection.execute("BEGIN TRANSACTION")
        # The ledger as it was (who, when, received on), and the recorded facts.
        copied = {"loads": loads, "users": users, "wave_thresholds": thresholds, **facts}
        for table, frame in copied.items():
            connection.execute(f"DELETE FROM {table}")
            if not frame.empty:
                connection.register("rows_in", frame)
                columns = ", ".join(frame.columns)
                connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM rows_in")
                connection.unregister("rows_in")
        connection.execute("COMMIT")
        rebuilt = query_frame(
            connection, f"SELECT {', '.join(_SUBMISSION_KEY)}, load_id FROM submissions"
        )
    report.differences += _compare(original, rebuilt)
    return report


def _timeline(loads: Any, events: Any) -> list[tuple[datetime, str, list[dict[str, Any]]]]:
    """Ledger rows and withdrawals in the order they happened, with the rows of one
    original batch (one person, moments apart, nothing in between) replayed as one batch:
    the same versions as one by one, at a fraction of the cost."""
    single = [(row["loaded_at"], "batch", [row]) for row in loads.to_dict("records")]
    single += [(row["done_at"], "event", [row]) for row in events.to_dict("records")]
    items: list[tuple[datetime, str, list[dict[str, Any]]]] = []
    for moment, kind, rows in sorted(single, key=lambda item: (item[0], item[1] == "event")):
        last = items[-1] if items else None
        if (
            last is not None
            and kind == last[1] == "batch"
            and rows[0]["loaded_by"] == last[2][-1]["loaded_by"]
            and (moment - last[2][-1]["loaded_at"]).total_seconds() < BATCH_GAP_SECONDS
        ):
            last[2].append(rows[0])
        else:
            items.append((moment, kind, rows))
    return items


def _replay_batch(
    rows: list[dict[str, Any]],
    archive: dict[str, tuple[str, bytes]],
    target: Path,
    report: RebuildReport,
) -> None:
    sources = []
    for row in rows:
        received = row["received_on"]
        archived = archive.get(row["sha256"]) if row["status"] != "geweigerd" else None
        if archived is None:
            # Refused: never archived. A stand-in keeps the ledger's numbering; the row
            # itself is copied from the source afterwards.
            finding = Finding(row["file_name"], None, None, "herbouw", "geweigerd (overgenomen)")
            sources.append(Source(row["file_name"], None, (finding,), received))
            report.refused_copied += row["status"] == "geweigerd"
            if row["status"] != "geweigerd":
                report.differences.append(
                    f"laadactie {row['load_id']} ({row['file_name']}): bestand ontbreekt in het "
                    "archief"
                )
            continue
        sources.append(Source(row["file_name"], archived[1], (), received))
    # Judged as on the day it was loaded (a quarter then in the future stays refused).
    day = rows[0]["loaded_at"].replace(tzinfo=UTC).astimezone(LOCAL_TIME).date()
    results = load_sources(sources, target, rows[0]["loaded_by"], today=day)
    for row, result in zip(rows, results, strict=True):
        if row["status"] == "geweigerd":
            continue
        report.replayed += 1
        if result.status != row["status"]:
            first = result.findings[0].message if result.findings else ""
            report.differences.append(
                f"laadactie {row['load_id']} ({row['file_name']}): was {row['status']}, "
                f"nu {result.status}. {first}".strip()
            )


def _replay_event(rows: list[dict[str, Any]], target: Path) -> None:
    [row] = rows
    with writer(target) as connection:
        columns = list(row)
        connection.execute(
            f"INSERT INTO version_events ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )


def _compare(original: Any, rebuilt: Any) -> list[str]:
    """Versions that exist on one side only (kind, organisation, quarter, version, file)."""
    key = [*_SUBMISSION_KEY, "load_id"]
    before = set(map(tuple, original[key].itertuples(index=False)))
    after = set(map(tuple, rebuilt[key].itertuples(index=False)))
    lines = [
        f"versie {k} {d} {p} v{v} (laadactie {load}) {side}"
        for side, cells in (("ontbreekt na herbouw", before - after), ("is nieuw", after - before))
        for k, d, p, v, _, load in sorted(cells)
    ]
    return lines
