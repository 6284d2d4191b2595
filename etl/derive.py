"""Derived tables: figures computed once per load instead of on every page view.

The published survey figures need complementary suppression over tables with a row
per organisation, which at national scale takes seconds: too slow for a page, cheap
once per load. The writer refreshes these tables in the same transaction as the data
they come from, so they are never out of step with it. They also depend on the
catalogues (predecessors, survey items, wave thresholds) and on this code, so they
carry a fingerprint of both; when it does not match (a catalogue was edited after the
last load), `stored_survey` says so and the dashboard computes the figures itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from etl import catalog, survey
from etl.database import reader
from etl.export import survey_data_from

# Bump when a computation behind the derived tables changes, so old copies go stale.
DERIVED_VERSION = "1"
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


def stored_survey(db_path: Path) -> dict[str, pd.DataFrame] | None:
    """The published survey figures as stored by the last load; None when absent or stale."""
    with reader(db_path) as connection:
        if connection is None:
            return None
        present = {
            name
            for (name,) in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        if "derived_meta" not in present:
            return None
        row = connection.execute("SELECT fingerprint FROM derived_meta").fetchone()
        if row is None or row[0] != fingerprint():
            return None
        return {
            name: (
                connection.execute(f"SELECT * FROM {_PREFIX}{name}").df()
                if f"{_PREFIX}{name}" in present
                else pd.DataFrame()
            )
            for name in survey.SURVEY_TABLES
        }
