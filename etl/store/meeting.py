"""The meeting: which agenda points the coordinator marked for the IPIM meeting of a quarter.

Marking is a recorded act, like every change: each mark and unmark is a row with who and
when (table `agenda_marks`, through the single writer); the newest row per point holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from etl.store.database import writer


def record_marks(db: Path, periode: str, marks: Mapping[str, bool], by: str) -> int:
    """Record the marks that changed (point key → to discuss or not); returns how many."""
    if not marks:
        return 0
    now = datetime.now(UTC).replace(tzinfo=None)
    with writer(db) as connection:
        current = dict(
            connection.execute(
                "SELECT punt, arg_max(bespreken, mark_id) FROM agenda_marks WHERE periode = ? "
                "GROUP BY punt",
                [periode],
            ).fetchall()
        )
        changed = {k: v for k, v in marks.items() if bool(current.get(k, False)) != v}
        if not changed:
            return 0
        row = connection.execute("SELECT coalesce(max(mark_id), 0) FROM agenda_marks").fetchone()
        first = int(row[0]) + 1 if row else 1
        connection.executemany(
            "INSERT INTO agenda_marks VALUES (?, ?, ?, ?, ?, ?)",
            [[first + i, periode, key, value, by, now]
             for i, (key, value) in enumerate(sorted(changed.items()))],
        )  # fmt: skip
    return len(changed)
