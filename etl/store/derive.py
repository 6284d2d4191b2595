"""Derived tables: figures computed once per load instead of on every page view.

The published survey figures need complementary suppression over tables with a row
per organisation, which at national scale takes seconds: too slow for a page, cheap
once per load. The writer refreshes these tables in the same transaction as the data
they come from, so they are never out of step with it. They also depend on the
catalogues (predecessors, survey items, wave thresholds) and on this code, so they
carry a fingerprint of both; when it does not match (a catalogue was edited after the
last load), `etl.reads.readmodel.read_survey` says so and the dashboard computes the figures
itself. This module is the writing side; the read model reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd

from etl.domain import survey
from etl.domain.kinds import deriving
from etl.domain.publication import GROUP_ITEM
from etl.store.derived import (
    DERIVED_GRID,
    DERIVED_PREFIX,
    HIDDEN_BEFORE,
    changed_since_published,
    derived_fresh,
    fingerprint,
    kept_hidden_from,
    scores_from,
    stored_grid,
    stored_trends,
    survey_data_from,
    werking_data_from,
    werking_tables,
)

SURVEY_KINDS = deriving("enquete")  # what the survey figures come from
GRID_KINDS = deriving("normen")  # what the norm grid comes from
# What the werking tables come from (reports, advisers' talks, and headcount for the rates).
WERKING_KINDS = deriving("werking")


def needed(connection: duckdb.DuckDBPyConnection, stored_kinds: set[str]) -> bool:
    """Whether a batch that stored these kinds must recompute derived tables: it stored
    what one of them comes from, or anything while they are stale (a catalogue changed)."""
    return bool(stored_kinds & (SURVEY_KINDS | GRID_KINDS | WERKING_KINDS)) or (
        bool(stored_kinds) and not derived_fresh(connection)
    )


def refresh(connection: duckdb.DuckDBPyConnection, stored_kinds: set[str] | None = None) -> None:
    """Recompute the derived tables the stored kinds feed (all of them when they are stale),
    inside the writer's transaction. A load of norm scores only leaves the survey figures."""
    stale = not derived_fresh(connection)
    everything = SURVEY_KINDS | GRID_KINDS | WERKING_KINDS
    kinds = set(stored_kinds) if stored_kinds is not None else set(everything)
    if stale or kinds & SURVEY_KINDS:
        counts, response, thresholds = survey_data_from(connection)
        kept = kept_hidden_from(connection)
        changed = changed_since_published(connection)
        tables = survey.published_tables(counts, response, thresholds, kept, changed=changed)
        for name, frame in tables.items():
            _replace(connection, f"{DERIVED_PREFIX}{name}", frame)
        _remember_hidden(connection, counts, response, thresholds, kept, changed)
    if stale or kinds & GRID_KINDS:
        scores = scores_from(connection)
        _replace(connection, DERIVED_GRID, stored_grid(scores))
        for table, frame in stored_trends(scores).items():
            _replace(connection, table, frame)
    if stale or kinds & WERKING_KINDS:
        for name, frame in werking_tables(*werking_data_from(connection)).items():
            _replace(connection, name, frame)
    connection.execute("CREATE OR REPLACE TABLE derived_meta (fingerprint VARCHAR NOT NULL)")
    connection.execute("INSERT INTO derived_meta VALUES (?)", [fingerprint()])


def _remember_hidden(
    connection: duckdb.DuckDBPyConnection,
    counts: pd.DataFrame,
    response: pd.DataFrame,
    thresholds: dict[str, int],
    kept: frozenset[tuple[str, str, str, str]],
    changed: survey.Changed,
) -> None:
    """Record every cell this publication hides, so later ones keep it hidden (the plan is
    the one just computed for the tables, taken from the plan's cache)."""
    full = survey.complete_counts(counts)
    if full.empty:
        return
    plan = survey.disclosure_plan(full, thresholds, None, survey.populations(response), kept,
                                  changed)  # fmt: skip
    # Groups (participants) too, as item '': later publications keep them hidden, and the
    # plan knows which groups an earlier publication showed.
    hidden_groups = {(d, w, g, GROUP_ITEM) for d, w, g in plan.groups}
    new = sorted((set(plan.cells) | hidden_groups) - kept)
    if new:
        frame = pd.DataFrame(new, columns=["departement", "periode", "groep", "item"])
        frame["first_hidden"] = datetime.now(UTC).replace(tzinfo=None)
        connection.register("hidden_now", frame)
        try:
            connection.execute(f"INSERT OR IGNORE INTO {HIDDEN_BEFORE} BY NAME FROM hidden_now")
        finally:
            connection.unregister("hidden_now")


def _replace(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Drop a derived table and write it again from a frame (none when the frame is empty)."""
    # Table names are this module's constants, never input.
    connection.execute(f"DROP TABLE IF EXISTS {table}")
    if frame.empty:
        return
    connection.register("derived", frame)
    try:
        connection.execute(f"CREATE TABLE {table} AS SELECT * FROM derived")
    finally:
        connection.unregister("derived")
