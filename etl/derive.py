"""Derived tables: figures computed once per load instead of on every page view.

The published survey figures need complementary suppression over tables with a row
per organisation, which at national scale takes seconds: too slow for a page, cheap
once per load. The writer refreshes these tables in the same transaction as the data
they come from, so they are never out of step with it. They also depend on the
catalogues (predecessors, survey items, wave thresholds) and on this code, so they
carry a fingerprint of both; when it does not match (a catalogue was edited after the
last load), `read_survey` says so and the dashboard computes the figures itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl import catalog, survey
from etl.database import query_frame, reader
from etl.export import survey_data_from

# Bump when a computation behind the derived tables changes, so old copies go stale.
DERIVED_VERSION = "3"
_PREFIX = "derived_survey_"


def fingerprint() -> str:
    """Identifies the code version and the catalogues the derived tables were computed with."""
    digest = hashlib.sha256(DERIVED_VERSION.encode())
    for path in (
        catalog.organisations_path(),
        catalog.SCHEMAS_DIR / "enquete_items.csv",
        catalog.SCHEMAS_DIR / "enquete_schalen.csv",
        catalog.SCHEMAS_DIR / "enquete_golven.csv",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()


SURVEY_KINDS = frozenset({"enquete", "respons"})  # the kinds the derived tables come from


def needed(connection: duckdb.DuckDBPyConnection, stored_kinds: set[str]) -> bool:
    """Whether a batch that stored these kinds must recompute the derived tables: it stored
    survey data, or it stored anything while they are stale (a catalogue changed since)."""
    return bool(stored_kinds & SURVEY_KINDS) or (bool(stored_kinds) and not _fresh(connection))


def refresh(connection: duckdb.DuckDBPyConnection) -> None:
    """Recompute every derived table from the current data (inside the writer's transaction)."""
    tables = survey.published_tables(*survey_data_from(connection))
    for name, frame in tables.items():
        # Table names come from SURVEY_TABLES, never from input.
        connection.execute(f"DROP TABLE IF EXISTS {_PREFIX}{name}")
        if frame.empty:
            continue
        connection.register("derived", frame)
        try:
            connection.execute(f"CREATE TABLE {_PREFIX}{name} AS SELECT * FROM derived")
        finally:
            connection.unregister("derived")
    connection.execute("CREATE OR REPLACE TABLE derived_meta (fingerprint VARCHAR NOT NULL)")
    connection.execute("INSERT INTO derived_meta VALUES (?)", [fingerprint()])


SurveyFilters = Mapping[str, str | Sequence[str]]
_FILTERABLE = ("departement", "periode", "groep", "item")


def read_survey(db_path: Path, name: str, filters: SurveyFilters) -> pd.DataFrame | None:
    """Rows of one stored survey table (`kop`, `verdeling`, `blokken`, `respons`), filtered on
    equality or membership; None when there are none stored or they are stale."""
    if name not in survey.SURVEY_TABLES or not set(filters) <= set(_FILTERABLE):
        raise ValueError(f"unknown survey table or column: {name} {sorted(filters)}")
    with reader(db_path) as connection:
        if connection is None or not _fresh(connection):
            return None
        table = f"{_PREFIX}{name}"
        if not _has_table(connection, table):
            return pd.DataFrame()
        conditions = [
            f"{column} = ?" if isinstance(value, str) else f"list_contains(?, {column})"
            for column, value in filters.items()
        ]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        params = [value if isinstance(value, str) else list(value) for value in filters.values()]
        # Table and column names were checked against the lists above; values are parameters.
        return query_frame(connection, f"SELECT * FROM {table}{where}", params)


def read_survey_waves(db_path: Path) -> list[str] | None:
    """Waves with stored survey figures, newest first; None when none are stored or stale."""
    with reader(db_path) as connection:
        if connection is None or not _fresh(connection):
            return None
        if not _has_table(connection, f"{_PREFIX}kop"):
            return []
        rows = connection.execute(
            f"SELECT DISTINCT periode FROM {_PREFIX}kop ORDER BY periode DESC"
        ).fetchall()
        return [str(periode) for (periode,) in rows]


def _has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
    ).fetchone()
    return found is not None and found[0] > 0


def _fresh(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether derived tables exist and were made with this code and these catalogues."""
    if not _has_table(connection, "derived_meta"):
        return False
    row = connection.execute("SELECT fingerprint FROM derived_meta").fetchone()
    return row is not None and row[0] == fingerprint()
