"""Every database read of the dashboard, as cached functions that return DataFrames.

Results are cached per data version (the database file's identity and mtime):
the ETL writer renames a new file into place, so a new version means new data,
and a page rerun without a load costs no query at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from etl import catalog
from etl.database import LOCAL_TIME, database_path, reader
from etl.periods import quarter_end, quarter_start

NIET_AANGELEVERD = "niet aangeleverd"
NIET_BEOORDEELD = "niet beoordeeld"


def db_path() -> Path:
    """The database the dashboard reads: `$INTEGRITEIT_DB` or `data/integriteit.duckdb`."""
    return database_path()


def data_version(path: Path) -> str:
    """Changes whenever the writer swaps in a new database file; empty when there is none."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return ""
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


def _query(path: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame | None:
    with reader(path) as connection:
        if connection is None:
            return None
        return connection.execute(sql, params or []).df()


@st.cache_data(show_spinner=False)
def periods(path: Path, version: str) -> list[str]:
    """Quarters with at least one current norm-score submission, newest first."""
    frame = _query(
        path,
        "SELECT DISTINCT periode FROM current_submissions "
        "WHERE kind = 'normscores' ORDER BY periode DESC",
    )
    return [] if frame is None else frame["periode"].tolist()


def organisations_in(periode: str) -> pd.DataFrame:
    """Organisations (not RIJK) that existed during the quarter, from the catalogue."""
    start, end = quarter_start(periode), quarter_end(periode)
    rows = [
        {"departement": o.code, "naam": o.naam, "soort": o.soort}
        for o in catalog.organisations()
        if o.code != catalog.RESERVED_CODE and o.valid_during(start, end)
    ]
    return pd.DataFrame(rows, columns=["departement", "naam", "soort"])


def norms_frame() -> pd.DataFrame:
    """The norm catalogue as a DataFrame."""
    return pd.DataFrame(
        [{"norm": n.nummer, "pijler": n.pijler, "label": n.label} for n in catalog.norms()]
    )


@st.cache_data(show_spinner=False)
def norm_scores(path: Path, version: str, periode: str) -> pd.DataFrame:
    """Every organisation of the quarter × every norm, with oordeel or a missing state.

    Missing is never zero: a ministry that did not submit gets "niet aangeleverd",
    a norm submitted empty stays "niet beoordeeld"; both have score NaN.
    """
    frame = _query(
        path,
        "SELECT departement, norm, score, oordeel, toelichting, version "
        "FROM current_normscores WHERE periode = ?",
        [periode],
    )
    scores = frame if frame is not None else pd.DataFrame(columns=["departement", "norm"])
    grid = organisations_in(periode).merge(norms_frame(), how="cross")
    merged = grid.merge(scores, on=["departement", "norm"], how="left")
    submitted = set(scores["departement"])
    merged["aangeleverd"] = merged["departement"].isin(submitted)
    merged.loc[~merged["aangeleverd"], "oordeel"] = NIET_AANGELEVERD
    merged["toelichting"] = merged["toelichting"].fillna("")
    return merged


def oordeel_matrix(scores: pd.DataFrame) -> pd.DataFrame:
    """Ministries as rows, norms as columns, the oordeel as text in each cell."""
    table = scores.pivot(index="departement", columns="norm", values="oordeel")
    labels = norms_frame().set_index("norm")["label"]
    table.columns = [f"{n}. {labels[n]}" for n in table.columns]
    table.index.name = "Ministerie"
    return table


@st.cache_data(show_spinner=False)
def loads(path: Path, version: str) -> pd.DataFrame:
    """The ledger, newest first, with Amsterdam times."""
    frame = _query(
        path,
        "SELECT loaded_at, loaded_by, file_name, sha256, kind, periods, departments, status, "
        "findings FROM loads ORDER BY load_id DESC",
    )
    if frame is None:
        return pd.DataFrame()
    frame["loaded_at"] = (
        pd.to_datetime(frame["loaded_at"]).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME)
    )
    return frame.rename(
        columns={
            "loaded_at": "Geladen op",
            "loaded_by": "Door",
            "file_name": "Bestand",
            "sha256": "SHA-256",
            "kind": "Soort",
            "periods": "Perioden",
            "departments": "Departementen",
            "status": "Status",
            "findings": "Fouten",
        }
    )
