"""Derived tables: figures computed once per load instead of on every page view.

The published survey figures need complementary suppression over tables with a row
per organisation, which at national scale takes seconds: too slow for a page, cheap
once per load. The writer refreshes these tables in the same transaction as the data
they come from, so they are never out of step with it. They also depend on the
catalogues (predecessors, survey items, wave thresholds) and on this code, so they
carry a fingerprint of both; when it does not match (a catalogue was edited after the
last load), `etl.readmodel.read_survey` says so and the dashboard computes the figures
itself. This module is the writing side; the read model reads them.
"""

from __future__ import annotations

import duckdb

from etl import survey
from etl.readmodel import DERIVED_PREFIX, derived_fresh, fingerprint, survey_data_from

SURVEY_KINDS = frozenset({"enquete", "respons"})  # the kinds the derived tables come from


def needed(connection: duckdb.DuckDBPyConnection, stored_kinds: set[str]) -> bool:
    """Whether a batch that stored these kinds must recompute the derived tables: it stored
    survey data, or it stored anything while they are stale (a catalogue changed since)."""
    return bool(stored_kinds & SURVEY_KINDS) or (
        bool(stored_kinds) and not derived_fresh(connection)
    )


def refresh(connection: duckdb.DuckDBPyConnection) -> None:
    """Recompute every derived table from the current data (inside the writer's transaction)."""
    tables = survey.published_tables(*survey_data_from(connection))
    for name, frame in tables.items():
        # Table names come from SURVEY_TABLES, never from input.
        connection.execute(f"DROP TABLE IF EXISTS {DERIVED_PREFIX}{name}")
        if frame.empty:
            continue
        connection.register("derived", frame)
        try:
            connection.execute(f"CREATE TABLE {DERIVED_PREFIX}{name} AS SELECT * FROM derived")
        finally:
            connection.unregister("derived")
    connection.execute("CREATE OR REPLACE TABLE derived_meta (fingerprint VARCHAR NOT NULL)")
    connection.execute("INSERT INTO derived_meta VALUES (?)", [fingerprint()])
