"""The plumbing every subject of the read model shares: one read with its retry while a
foreign process writes, the stored derived tables, and `Access` (who sees whose detail)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

from etl.domain import catalog
from etl.store.database import LOCAL_TIME, file_identity, query_frame, reader
from etl.store.derived import (
    derived_fresh,
    derived_table_exists,
)

T = TypeVar("T")


GOVERNMENT = (catalog.RESERVED_CODE, "Rijksbreed")


class DatabaseBusy(RuntimeError):
    """Another program holds the database for writing; try again shortly."""


@dataclass(frozen=True)
class Access:
    """Whose detail a reader may see: `visible` codes (None: every organisation), and the
    reader's own name, so a ledger shows the reader's own attempts too."""

    visible: frozenset[str] | None = None
    reader: str | None = None
    # Organisations whose small counts of how policy works (1 to the threshold) the reader
    # sees exactly: None for all (the coordinator, the command line), the own organisation
    # for its lead, none for anyone else (see `etl.domain.werking`).
    exact: frozenset[str] | None = None
    # Organisations whose survey figures the reader sees exactly, small groups included:
    # None for all (the coordinator's screens), the own one for its lead, none (the default)
    # for anyone else and for everything that leaves the product (exports, papers).
    survey_exact: frozenset[str] | None = frozenset()

    def allows(self, code: str) -> bool:
        return self.visible is None or code in self.visible or code in GOVERNMENT

    def require(self, code: str) -> None:
        """Raise `NotAllowed` unless this reader may see `code`'s detail."""
        if not self.allows(code):
            raise NotAllowed(f"De gegevens van {code} zijn voor u niet zichtbaar.")

    def published(self) -> Access:
        """The same reader's view of what leaves the product (papers, the yearly report):
        protected figures only, for the reader's own organisation too."""
        return replace(self, exact=frozenset(), survey_exact=frozenset())

    def rows(self, frame: pd.DataFrame, column: str = "departement") -> pd.DataFrame:
        """Only rows of organisations this reader may see (government-wide rows always)."""
        if self.visible is None or frame.empty or column not in frame:
            return frame
        return frame[frame[column].isin(self.visible | set(GOVERNMENT))]


EVERYONE = Access()


class NotAllowed(ValueError):
    """A paper asked for an organisation whose detail the reader may not see (the pages
    never offer one; this keeps a paper from printing 'niets aangeleverd' for it)."""


def retrying(read: Callable[[], T]) -> T:
    """Run a read, retrying briefly while a foreign process holds the file for writing."""
    for attempt in range(6):
        try:
            return read()
        except duckdb.IOException as error:
            # Only a foreign read-write process (never our own writer) holds a lock; any
            # other I/O error (a truncated file) is no reason to wait.
            if "lock" not in str(error).lower():
                raise
            if attempt == 5:
                raise DatabaseBusy(str(error)) from error
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


# A read's answer is a function of the file's version alone: the writer never writes the
# live file in place but renames a new copy over it (`etl.store.database`), and no read
# asks for the time. So the last answers are kept per file version, as the pooled
# connection is: the yearly reports of one year each read the Rijk's four quarters (8 of a
# report's reads of the norm grid), the sixteen papers of `rapport --alle` the same grid.
# Each caller gets its own frame (a shallow copy: pandas copies on write), so a caller that
# adds a column changes no one else's. Large answers are not kept: at most 64 answers of
# 100,000 cells (a national quarter's grid is 90,000), some 50 MB.
_ANSWERS: OrderedDict[tuple[str, str, str, str], pd.DataFrame | None] = OrderedDict()
_ANSWERS_LOCK = threading.Lock()
_ANSWERS_KEPT = 64
_LARGEST_KEPT = 100_000  # cells: rows × columns


def remembered(
    path: Path, sql: str, params: Sequence[object], read: Callable[[], pd.DataFrame | None]
) -> pd.DataFrame | None:
    """`read()`'s answer to `sql` with `params` on this version of `path`, read once."""
    identity = file_identity(path)
    if identity is None:
        return read()
    key = (str(path.resolve()), identity, sql, repr(list(params)))
    with _ANSWERS_LOCK:
        if key in _ANSWERS:
            _ANSWERS.move_to_end(key)
            kept = _ANSWERS[key]
            return None if kept is None else kept.copy(deep=False)
    frame = read()
    if frame is None or frame.size <= _LARGEST_KEPT:
        with _ANSWERS_LOCK:
            _ANSWERS[key] = None if frame is None else frame.copy(deep=False)
            while len(_ANSWERS) > _ANSWERS_KEPT:
                _ANSWERS.popitem(last=False)
    return frame


_FILTERABLE = ("departement", "periode", "groep", "item")


def _filtered(frame: pd.DataFrame, periode: str | None, departement: str | None) -> pd.DataFrame:
    if periode is not None:
        frame = frame[frame["periode"] == periode]
    if departement is not None:
        frame = frame[frame["departement"] == departement]
    return frame


def _local(moments: pd.Series) -> pd.Series:
    return pd.to_datetime(moments).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME)


def local_iso(utc: pd.Series) -> pd.Series:
    """UTC moments as Dutch local time in ISO 8601 with the offset (2026-07-01T14:00:00+02:00).

    Set-based, without a Python call per row: the ledger has a row per file ever offered.
    """
    moments = pd.to_datetime(utc).astype("datetime64[us]")
    local = moments.dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME).dt.tz_localize(None)
    text = np.datetime_as_string(local.to_numpy(), unit="s")
    minutes = ((local - moments).dt.total_seconds() // 60).astype(int)
    # Two offsets in a year (+01:00, +02:00): formatted once each, not once per row.
    spelled = {m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
               for m in minutes.unique()}  # fmt: skip
    offsets = minutes.map(spelled)
    return pd.Series(text, index=utc.index, dtype=object) + offsets.astype(object)


class Reader:
    """The reading side of one database file, seen with one `Access`."""

    def __init__(self, path: Path, access: Access = EVERYONE) -> None:
        self.path = path
        self.access = access

    def _query(self, sql: str, params: Sequence[object] | None = None) -> pd.DataFrame | None:
        """Run one read; None when there is no database yet."""

        def read() -> pd.DataFrame | None:
            with reader(self.path) as connection:
                return None if connection is None else query_frame(connection, sql, params)

        return remembered(self.path, sql, params or [], lambda: retrying(read))

    def _stored_table(
        self, table: str, where: str = "true", params: Sequence[object] = ()
    ) -> pd.DataFrame | None:
        """Rows of a derived table (a constant of this module; `where` a condition of this
        module, values bound) in stored order, None when it is missing or stale."""

        def read() -> pd.DataFrame | None:
            with reader(self.path) as connection:
                if connection is None or not derived_fresh(connection):
                    return None
                if not derived_table_exists(connection, table):
                    return None
                return query_frame(
                    connection, f"SELECT * FROM {table} WHERE {where} ORDER BY rij", params
                )

        sql = f"stored {table} WHERE {where}"
        frame = remembered(self.path, sql, params, lambda: retrying(read))
        return None if frame is None else frame.drop(columns="rij")
