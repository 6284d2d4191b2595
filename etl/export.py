"""Read the newest versions back out as CSV, and the ledger as a history listing.

Text cells that a spreadsheet would run as a formula are neutralised (OWASP's
CSV-injection advice); numbers stay numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from etl import catalog, survey
from etl.database import LOCAL_TIME, query_frame, reader

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

NORMSCORES_COLUMNS = ["departement", "periode", "norm", "oordeel", "toelichting", "bron"]
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
               -- niet beoordeeld is an empty cell in the contract; onbekend is written out.
               CASE WHEN oordeel = 'niet beoordeeld' THEN '' ELSE oordeel END AS oordeel,
               toelichting, coalesce(bron, 'zelf') AS bron
        FROM current_normscores
        WHERE (CAST(? AS VARCHAR) IS NULL OR periode = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR departement = ?)
        ORDER BY periode, departement, norm
    """
    with reader(db_path) as connection:
        if connection is None:
            return pd.DataFrame(columns=NORMSCORES_COLUMNS)
        return query_frame(connection, sql, [periode, periode, departement, departement])


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
        frame = query_frame(connection, sql, [departement, departement])
    frame.columns = HISTORY_COLUMNS
    frame["geladen_op"] = local_iso(frame["geladen_op"])
    return frame


def local_iso(utc: pd.Series) -> pd.Series:
    """UTC moments as Dutch local time in ISO 8601 with the offset (2026-07-01T14:00:00+02:00).

    Set-based, without a Python call per row: the ledger has a row per file ever offered.
    """
    moments = pd.to_datetime(utc).astype("datetime64[us]")
    local = moments.dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME).dt.tz_localize(None)
    text = np.datetime_as_string(local.to_numpy(), unit="s")
    minutes = ((local - moments).dt.total_seconds() // 60).astype(int)
    offsets = minutes.map(lambda m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}")
    return pd.Series(text, index=utc.index, dtype=object) + offsets.astype(object)


ENQUETE_COLUMNS = ["departement", "periode", "groep", "item", "antwoord", "aantal"]
RESPONS_COLUMNS = ["departement", "periode", "groep", "uitgenodigd", "deelgenomen"]


def survey_data(db_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Newest survey counts and response, and each wave's threshold (frozen ones first)."""
    with reader(db_path) as connection:
        if connection is None:
            return (
                pd.DataFrame(columns=ENQUETE_COLUMNS),
                pd.DataFrame(columns=RESPONS_COLUMNS),
                {},
            )
        return survey_data_from(connection)


def survey_data_from(
    connection: duckdb.DuckDBPyConnection,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """`survey_data` on an open connection (the writer's, when refreshing derived tables)."""
    counts = query_frame(
        connection, f"SELECT {', '.join(ENQUETE_COLUMNS)} FROM current_survey_counts"
    )
    response = query_frame(
        connection, f"SELECT {', '.join(RESPONS_COLUMNS)} FROM current_survey_response"
    )
    frozen = connection.execute("SELECT periode, drempel FROM wave_thresholds").fetchall()
    waves = set(counts["periode"]) | set(response["periode"])
    thresholds = {periode: catalog.wave_threshold(periode) for periode in waves}
    thresholds.update({str(periode): int(drempel) for periode, drempel in frozen})
    return counts, response, thresholds


def _filtered(frame: pd.DataFrame, periode: str | None, departement: str | None) -> pd.DataFrame:
    if periode is not None:
        frame = frame[frame["periode"] == periode]
    if departement is not None:
        frame = frame[frame["departement"] == departement]
    return frame


def enquete_frame(
    db_path: Path, periode: str | None = None, departement: str | None = None
) -> pd.DataFrame:
    """Counts per ministry and RIJK, groups and `alle`, with every hidden cell left out.

    Hidden cells are dropped whole (no row, so no count to subtract); RIJK still
    includes them, which the complementary suppression has made safe.
    """
    counts, _, thresholds = survey_data(db_path)
    full = survey.complete_counts(counts)
    if full.empty:
        return pd.DataFrame(columns=ENQUETE_COLUMNS)
    hidden = survey.hidden_cells(full, thresholds)
    keys = full[survey.CELL].itertuples(index=False)
    shown = full[[tuple(key) not in hidden for key in keys]]
    order = {g: i for i, g in enumerate(survey.GROUP_ORDER)}
    answers = survey.scale_frame()[["item", "antwoord", "volgorde"]]
    result = _filtered(shown, periode, departement).merge(answers, on=["item", "antwoord"])
    result = result.assign(
        rijk=result["departement"] == "RIJK", groep_volgorde=result["groep"].map(order)
    ).sort_values(["periode", "rijk", "departement", "item", "groep_volgorde", "volgorde"])
    return result[ENQUETE_COLUMNS].reset_index(drop=True)


def respons_frame(
    db_path: Path, periode: str | None = None, departement: str | None = None
) -> pd.DataFrame:
    """Invited and participants per group, `alle` and RIJK; small groups' participation left out."""
    _, response, thresholds = survey_data(db_path)
    table = survey.response_table(response, thresholds)
    if table.empty:
        return pd.DataFrame(columns=RESPONS_COLUMNS)
    table = _filtered(table[~table["verborgen"]], periode, departement)
    table = table.assign(
        deelgenomen=table["deelgenomen"].astype(int), rijk=table["departement"] == "RIJK"
    )
    return table.sort_values(["periode", "rijk", "departement", "groep"])[
        RESPONS_COLUMNS
    ].reset_index(drop=True)
