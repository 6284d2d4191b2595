"""Read the newest versions back out as CSV, and the ledger as a history listing.

Text cells that a spreadsheet would run as a formula are neutralised (OWASP's
CSV-injection advice); numbers stay numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from etl.database import LOCAL_TIME, reader

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

NORMSCORES_COLUMNS = ["departement", "periode", "norm", "oordeel", "toelichting"]
HISTORY_COLUMNS = [
    "geladen_op",
    "door",
    "bestand",
    "sha256",
    "soort",
    "perioden",
    "departementen",
    "status",
    "fouten",
    "ontvangen",
]


def neutralise(value: object) -> object:
    """Prefix a text cell with `'` when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; numeric columns untouched."""
    result = frame.copy()
    for column in result.columns:
        if not pd.api.types.is_numeric_dtype(result[column]):
            result[column] = result[column].map(neutralise)
    return result


def to_csv(frame: pd.DataFrame) -> str:
    """UTF-8-ready CSV text with comma delimiter and header row, neutralised."""
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def normscores_frame(
    db_path: Path, periode: str | None = None, departement: str | None = None
) -> pd.DataFrame:
    """The newest version of every (departement, periode), in the contract's columns."""
    sql = """
        SELECT departement, periode, norm,
               CASE WHEN score IS NULL THEN '' ELSE oordeel END AS oordeel, toelichting
        FROM current_normscores
        WHERE (CAST(? AS VARCHAR) IS NULL OR periode = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR departement = ?)
        ORDER BY periode, departement, norm
    """
    with reader(db_path) as connection:
        if connection is None:
            return pd.DataFrame(columns=NORMSCORES_COLUMNS)
        return connection.execute(sql, [periode, periode, departement, departement]).df()


def history_frame(db_path: Path, departement: str | None = None) -> pd.DataFrame:
    """Every load attempt, oldest first, with local times."""
    sql = """
        SELECT loaded_at, loaded_by, file_name, sha256, coalesce(kind, ''), periods,
               departments, status, findings, CAST(received_on AS VARCHAR)
        FROM loads
        WHERE CAST(? AS VARCHAR) IS NULL OR list_contains(string_split(departments, ','), ?)
        ORDER BY load_id
    """
    with reader(db_path) as connection:
        if connection is None:
            return pd.DataFrame(columns=HISTORY_COLUMNS)
        frame = connection.execute(sql, [departement, departement]).df()
    frame.columns = HISTORY_COLUMNS
    frame["geladen_op"] = (
        pd.to_datetime(frame["geladen_op"])
        .dt.tz_localize("UTC")
        .dt.tz_convert(LOCAL_TIME)
        .map(lambda moment: moment.isoformat(timespec="seconds"))
    )
    return frame
