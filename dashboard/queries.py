"""Every database read of the dashboard, as cached functions that return DataFrames.

Results are cached per data version (the database file's identity and mtime):
the ETL writer renames a new file into place, so a new version means new data,
and a rerun without a load costs no query. Reads open a short-lived read-only
connection; if another program holds the file for writing, they retry briefly
and then raise `DatabaseBusy`, which the app shows as a message, not a traceback.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import streamlit as st

from etl import catalog, derive, normgrid, survey, vocabulary
from etl.database import (
    LOCAL_TIME,
    database_path,
    ensure_schema,
    file_identity,
    query_frame,
    reader,
)
from etl.export import history_frame, survey_data
from etl.periods import (
    FIRST_SUBMISSION_QUARTER,
    quarter_end,
    quarter_start,
    submission_deadline,
)

SCORE_COLUMNS = normgrid.SCORE_COLUMNS


class DatabaseBusy(RuntimeError):
    """Another program holds the database for writing; try again shortly."""


def db_path() -> Path:
    """The database the dashboard reads: `$INTEGRITEIT_DB` or `data/integriteit.duckdb`."""
    return database_path()


def data_version(path: Path) -> str:
    """Changes whenever the writer swaps in a new database file; empty when there is none."""
    return file_identity(path) or ""


T = TypeVar("T")


def _retrying(read: Callable[[], T]) -> T:
    """Run a read, retrying briefly while a foreign process holds the file for writing."""
    for attempt in range(6):
        try:
            return read()
        except duckdb.IOException as error:
            # Only a foreign read-write process (never our own writer) can cause this.
            if attempt == 5:
                raise DatabaseBusy(str(error)) from error
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def _query(path: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame | None:
    """Run one read; None when there is no database yet."""

    def read() -> pd.DataFrame | None:
        with reader(path) as connection:
            return None if connection is None else query_frame(connection, sql, params)

    return _retrying(read)


@st.cache_resource(show_spinner=False)
def schema_checked(path: str) -> bool:
    """Once per process: upgrade a database file made by an older version of the tool."""
    _retrying(lambda: ensure_schema(Path(path)))
    return True


# --- catalogue ---------------------------------------------------------------------------


def norms_frame() -> pd.DataFrame:
    """The norm catalogue: number, onderdeel, short label, the Court's question."""
    return normgrid.norms_frame()


def organisations_in(periode: str) -> pd.DataFrame:
    """Organisations (not RIJK) that existed during the quarter."""
    start, end = quarter_start(periode), quarter_end(periode)
    rows = [
        {"departement": o.code, "naam": o.naam, "soort": o.soort}
        for o in catalog.organisations()
        if o.code != catalog.RESERVED_CODE and o.valid_during(start, end)
    ]
    return pd.DataFrame(rows, columns=["departement", "naam", "soort"])


def organisations_frame(codes: list[str]) -> pd.DataFrame:
    """These organisations (in this order) with their name and kind, for filters."""
    by_code = {o.code: o for o in catalog.organisations()}
    rows = [
        {"departement": c, "naam": by_code[c].naam if c in by_code else c,
         "soort": by_code[c].soort if c in by_code else ""}
        for c in codes
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["departement", "naam", "soort"])


def organisation_names() -> dict[str, str]:
    """Code → full name, for labels."""
    return {o.code: o.naam for o in catalog.organisations()}


# --- scores ------------------------------------------------------------------------------


def _read_scores(path: Path, where: str, params: list[object]) -> pd.DataFrame:
    """The newest version of the norm scores that match `where` (a condition from this module)."""
    frame = _query(
        path,
        "SELECT departement, periode, norm, score, oordeel, toelichting, "
        "coalesce(bron, 'zelf') AS bron, version AS versie "
        f"FROM current_normscores WHERE {where} ORDER BY periode, departement, norm",
        params,
    )
    if frame is None:
        return pd.DataFrame(columns=SCORE_COLUMNS).astype({"norm": int, "score": float})
    # Plain floats: NaN is "no score", and arithmetic (changes) needs no NA special cases.
    return frame.astype({"score": float})


@st.cache_data(show_spinner=False)
def periods(path: Path, version: str) -> list[str]:
    """Quarters with at least one submission, newest first."""
    frame = _query(path, "SELECT DISTINCT periode FROM current_normscores ORDER BY periode DESC")
    return [] if frame is None else [str(p) for p in frame["periode"]]


@st.cache_data(show_spinner=False)
def norm_grid(path: Path, version: str, periode: str, today: date) -> pd.DataFrame:
    """Every organisation of the quarter × every norm: state, toelichting, source and change.

    The change compares with the last judged verdict before the quarter, through the
    predecessor when the organisation did not exist then (`etl.normgrid.grid`).
    """
    scores = _read_scores(path, "periode <= ?", [periode])
    return normgrid.grid(scores, [periode], norms_frame(), today)


@st.cache_data(show_spinner=False)
def period_sources(path: Path, version: str) -> dict[str, str]:
    """Quarter → who judged it, in words (the Court's audit or self-assessment)."""
    frame = _query(
        path,
        "SELECT periode, list_distinct(list(coalesce(bron, 'zelf'))) AS bronnen "
        "FROM current_normscores GROUP BY periode",
    )
    if frame is None:
        return {}
    return {
        str(p): normgrid.source_label(frozenset(b))
        for p, b in zip(frame["periode"], frame["bronnen"], strict=True)
    }


# --- one ministry ------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def ministry_history(path: Path, version: str, code: str) -> pd.DataFrame:
    """All quarters of one ministry, continued through its predecessors before it existed."""
    chain = catalog.lineage(code)
    scores = _read_scores(path, "list_contains(?, departement)", [chain])
    depth = scores["departement"].map({source: i for i, source in enumerate(chain)})
    nearest = depth == depth.groupby(scores["periode"]).transform("min")
    frame = scores[nearest].rename(columns={"departement": "door"})
    frame = frame.assign(ministerie=code, via_voorganger=frame["door"] != code)
    frame["staat"] = vocabulary.states(frame["oordeel"], pd.Series(True, index=frame.index))
    frame = frame.merge(norms_frame(), on="norm", how="left")
    return frame.sort_values(["periode", "norm"]).reset_index(drop=True)


def ministry_onderdeel_shares(history: pd.DataFrame, start: str | None = None) -> pd.DataFrame:
    """Share met per onderdeel and quarter of one ministry from `start` on, like for like:
    over the norms judged in every quarter shown (`etl.normgrid.panel_shares`)."""
    chosen = history if start is None else history[history["periode"] >= start]
    return normgrid.panel_shares(chosen, ["onderdeel"], ["norm"])


# --- one norm ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def norm_history(path: Path, version: str, norm: int, today: date) -> pd.DataFrame:
    """Every ministry × quarter on one norm, with the missing states filled in."""
    scores = _read_scores(path, "norm = ?", [norm])
    quarters = sorted(scores["periode"].unique())
    if not quarters:
        return pd.DataFrame()
    norms = norms_frame()
    return normgrid.grid(scores, quarters, norms[norms["norm"] == norm], today)


# --- trends ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def onderdeel_shares(path: Path, version: str, start: str | None = None) -> pd.DataFrame:
    """Government-wide share met per onderdeel and quarter from `start` on, like for like: over
    the (ministry, norm) pairs judged in every quarter shown, with "x van y" and the assessor."""
    scores = _read_scores(path, "periode >= coalesce(CAST(? AS VARCHAR), '')", [start])
    cells = scores.merge(norms_frame(), on="norm").assign(staat=lambda c: c["oordeel"])
    return normgrid.panel_shares(cells, ["onderdeel"], ["departement", "norm"])


@st.cache_data(show_spinner=False)
def onderdeel_quarters(path: Path, version: str) -> pd.DataFrame:
    """Government-wide share met per onderdeel and quarter over every judged norm (a table:
    the set judged differs per quarter)."""
    scores = _read_scores(path, "true", [])
    cells = scores.merge(norms_frame(), on="norm").assign(staat=lambda c: c["oordeel"])
    return normgrid.quarter_shares(cells, ["onderdeel"])


@st.cache_data(show_spinner=False)
def ministry_shares(path: Path, version: str, start: str | None = None) -> pd.DataFrame:
    """Share met per ministry and quarter from `start` on, continued through predecessors
    (marked), like for like: over the norms the ministry judged in every quarter shown."""
    latest = max(periods(path, version), default=None)
    scores = _read_scores(path, "periode >= coalesce(CAST(? AS VARCHAR), '')", [start])
    if latest is None or scores.empty:
        return pd.DataFrame()
    codes = organisations_in(latest)["departement"].tolist()
    lineage = catalog.lineage_frame(codes).rename(columns={"departement": "ministerie"})
    # Per quarter the nearest organisation of the chain with scores, as on the ministry page.
    sources = scores[["departement", "periode"]].drop_duplicates()
    chosen = (
        lineage.merge(sources.rename(columns={"departement": "door"}), left_on="bron",
                      right_on="door")
        .sort_values("diepte", kind="stable")
        .drop_duplicates(["ministerie", "periode"])
    )  # fmt: skip
    chosen = chosen.assign(via_voorganger=chosen["door"] != chosen["ministerie"])
    chosen = chosen[["ministerie", "periode", "door", "via_voorganger"]]
    cells = chosen.merge(
        scores.rename(columns={"departement": "door"}), on=["door", "periode"]
    ).assign(staat=lambda c: c["oordeel"])
    shares = normgrid.panel_shares(cells, ["ministerie"], ["norm"])
    shares = shares.merge(chosen, on=["ministerie", "periode"], how="left")
    order = {code: i for i, code in enumerate(codes)}
    shares = shares.assign(volgorde=shares["ministerie"].map(order))
    shares = shares.sort_values(["volgorde", "periode"]).drop(columns="volgorde")
    return shares.reset_index(drop=True)


# --- submissions -------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def submissions(path: Path, version: str) -> pd.DataFrame:
    """Every stored version with when it was received and loaded, by whom, from which file."""
    frame = _query(
        path,
        "SELECT s.departement, s.periode, s.version AS versie, l.loaded_at, "
        "coalesce(l.received_on, CAST(l.loaded_at AS DATE)) AS ontvangen, l.loaded_by AS door, "
        "l.file_name AS bestand, s.sha256 FROM submissions s JOIN loads l USING (load_id) "
        "WHERE s.kind = 'normscores' ORDER BY s.periode, s.departement, s.version",
    )
    if frame is None:
        return pd.DataFrame(
            columns=[
                "departement",
                "periode",
                "versie",
                "geladen_op",
                "ontvangen",
                "door",
                "bestand",
                "sha256",
            ]
        )
    frame["geladen_op"] = _local(frame.pop("loaded_at"))
    frame["ontvangen"] = pd.to_datetime(frame["ontvangen"]).dt.date
    return frame


def _local(moments: pd.Series) -> pd.Series:
    return pd.to_datetime(moments).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME)


OP_TIJD, TE_LAAT = "op tijd", "te laat"
NIET_AANGELEVERD_STATUS, OPEN = vocabulary.NIET_AANGELEVERD, vocabulary.NOG_OPEN


@st.cache_data(show_spinner=False)
def submission_status(path: Path, version: str, today: date) -> pd.DataFrame:
    """Ministries × quarters: on time, late, not submitted, or still open before the deadline."""
    first = _query(
        path,
        "SELECT s.departement, s.periode, "
        "min(coalesce(l.received_on, CAST(l.loaded_at AS DATE))) AS ontvangen, "
        "max(s.version) AS versies, max(l.loaded_at) AS laatst_geladen "
        "FROM submissions s JOIN loads l USING (load_id) "
        "WHERE s.kind = 'normscores' AND s.periode >= ? GROUP BY s.departement, s.periode",
        [FIRST_SUBMISSION_QUARTER],
    )
    columns = ["departement", "periode", "status", "ontvangen", "versies", "laatst_geladen"]
    if first is None or first.empty:
        return pd.DataFrame(columns=[*columns, "termijn"])
    first["ontvangen"] = pd.to_datetime(first["ontvangen"]).dt.date
    first["laatst_geladen"] = _local(first["laatst_geladen"])
    quarters = sorted(first["periode"].unique())
    grid = normgrid.organisations_during(quarters)[["departement", "periode"]]
    grid = grid.merge(first, on=["departement", "periode"], how="left")
    grid["termijn"] = grid["periode"].map({q: submission_deadline(q) for q in quarters})
    grid["status"] = [
        _status(received, deadline, today)
        for received, deadline in zip(grid["ontvangen"], grid["termijn"], strict=True)
    ]
    grid["ontvangen"] = grid["ontvangen"].astype(object).where(grid["ontvangen"].notna(), None)
    grid["versies"] = grid["versies"].fillna(0).astype(int)
    return grid[[*columns, "termijn"]]


def _status(received: date | float | None, deadline: date, today: date) -> str:
    if isinstance(received, date):
        return OP_TIJD if received <= deadline else TE_LAAT
    return OPEN if today <= deadline else NIET_AANGELEVERD_STATUS


LEDGER_HEADINGS = {
    "geladen_op": "Geladen op",
    "door": "Door",
    "bestand": "Bestand",
    "sha256": "SHA-256",
    "soort": "Soort",
    "perioden": "Perioden",
    "departementen": "Departementen",
    "status": "Status",
    "fouten": "Fouten",
    "ontvangen": "Ontvangen",
}


@st.cache_data(show_spinner=False)
def loads(path: Path, version: str) -> pd.DataFrame:
    """The ledger of every load attempt, newest first: what `python -m etl history` lists."""
    frame = _retrying(lambda: history_frame(path))
    return frame.iloc[::-1].rename(columns=LEDGER_HEADINGS).reset_index(drop=True)


# --- survey ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def survey_tables(path: Path, version: str) -> dict[str, pd.DataFrame]:
    """All survey figures computed here from the raw counts, after the disclosure rule.

    Only for when the copy the last load stored is stale (a catalogue was edited since):
    at national scale this takes seconds, reading the stored rows milliseconds.
    """
    counts, response, thresholds = _retrying(lambda: survey_data(path))
    return survey.published_tables(counts, response, thresholds)


def _survey_rows(path: Path, version: str, name: str, **filters: str | list[str]) -> pd.DataFrame:
    """Rows of one survey table (see `survey_tables`), stored ones when they are current."""
    stored = _retrying(lambda: derive.read_survey(path, name, filters))
    if stored is not None:
        return stored
    frame = survey_tables(path, version)[name]
    for column, value in filters.items():
        if not frame.empty:
            frame = frame[frame[column].isin([value] if isinstance(value, str) else value)]
    return frame.reset_index(drop=True)


@st.cache_data(show_spinner=False)
def survey_waves(path: Path, version: str) -> list[str]:
    """Waves with survey data, newest first."""
    stored = _retrying(lambda: derive.read_survey_waves(path))
    if stored is not None:
        return stored
    headline = survey_tables(path, version)["kop"]
    return [] if headline.empty else sorted(set(headline["periode"]), reverse=True)


@st.cache_data(show_spinner=False)
def survey_cells(path: Path, version: str, wave: str, group: str) -> pd.DataFrame:
    """Headline figures of one wave and group: every organisation, RIJK, the median, change."""
    return _survey_rows(path, version, "kop", periode=wave, groep=group)


@st.cache_data(show_spinner=False)
def survey_blocks(path: Path, version: str, wave: str, group: str) -> pd.DataFrame:
    """Block scores of one wave and group."""
    return _survey_rows(path, version, "blokken", periode=wave, groep=group)


@st.cache_data(show_spinner=False)
def survey_response(path: Path, version: str, wave: str, group: str) -> pd.DataFrame:
    """Invited, participants and response of one wave and group (small groups hidden)."""
    return _survey_rows(path, version, "respons", periode=wave, groep=group)


@st.cache_data(show_spinner=False)
def survey_distribution(path: Path, version: str, wave: str, group: str, code: str) -> pd.DataFrame:
    """Every answer's count and share for one organisation's shown cells, with the answers'
    labels and order from the catalogue."""
    frame = _survey_rows(path, version, "verdeling", periode=wave, groep=group, departement=code)
    if frame.empty:
        return frame
    frame = frame.merge(survey.scale_frame(), on=["item", "antwoord"])
    return frame.sort_values(["item", "volgorde"]).reset_index(drop=True)


def survey_item_order() -> list[str]:
    """Items in catalogue order."""
    return [item.item for item in catalog.survey_items()]


def items_by_block(items: list[str]) -> dict[str, list[str]]:
    """The given items grouped by block, blocks in catalogue order."""
    blocks: dict[str, list[str]] = {}
    by_code = {item.item: item for item in catalog.survey_items()}
    for code in items:
        blocks.setdefault(by_code[code].blok, []).append(code)
    return blocks


def _item_label(code: str, statement: str) -> str:
    return f"{code} {statement}"


def with_item_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Add 'VBG1 Mijn leidinggevende …' labels and the statement, for charts."""
    statements = {item.item: item.stelling for item in catalog.survey_items()}
    headlines = {item.item: item.kop for item in catalog.survey_items()}
    return frame.assign(
        stelling=frame["item"].map(statements),
        itemlabel=[_item_label(i, statements[i]) for i in frame["item"]],
        kopcijfer=frame["item"].map(headlines),
    )


def interval_points(cells: pd.DataFrame, code: str, items: list[str]) -> pd.DataFrame:
    """Points for the interval chart: the ministry, RIJK and the median, shown figures only."""
    rows = []
    for item in items:
        for series, who in (("ministerie", code), ("rijksbreed", "RIJK")):
            match = cells[(cells["departement"] == who) & (cells["item"] == item)]
            if match.empty or bool(match["verborgen"].iloc[0]):
                continue
            row = match.iloc[0]
            rows.append(
                {
                    "item": item,
                    "reeks": series if who != code or code != "RIJK" else "rijksbreed",
                    "aandeel": row["aandeel"],
                    "ondergrens": row["ondergrens"],
                    "bovengrens": row["bovengrens"],
                    "n": row["n"],
                    "tekst": f"{round(100 * row['aandeel'])}% (n = {int(row['n'])})",
                }
            )
        median = cells.loc[cells["item"] == item, "mediaan"].dropna()
        if not median.empty:
            value = float(median.iloc[0])
            rows.append(
                {
                    "item": item,
                    "reeks": "mediaan ministeries",
                    "aandeel": value,
                    "ondergrens": value,
                    "bovengrens": value,
                    "n": math.nan,
                    "tekst": f"{round(100 * value)}%",
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    if code == "RIJK":
        frame = frame.drop_duplicates(["item", "reeks"])
    return with_item_labels(frame)


def block_pairs(blocks: pd.DataFrame) -> pd.DataFrame:
    """Per ministry with both shown: the cultuur and voorbeeldgedrag block scores.

    `blocks` holds one wave and group (`survey_blocks`).
    """
    if blocks.empty:
        return pd.DataFrame(columns=["departement", "cultuur", "voorbeeldgedrag"])
    chosen = blocks[blocks["departement"] != "RIJK"]
    wide = chosen.pivot(index="departement", columns="blok", values="score")
    if not {"cultuur", "voorbeeldgedrag"} <= set(wide.columns):
        return pd.DataFrame(columns=["departement", "cultuur", "voorbeeldgedrag"])
    return wide[["cultuur", "voorbeeldgedrag"]].dropna().reset_index()


KEY_ITEMS = ("VBG1", "CUL1", "CUL3", "CUL4", "MEL1", "LEI1")  # the Court of Audit's headlines


@st.cache_data(show_spinner=False)
def ministry_survey(
    path: Path, version: str, code: str, periode: str
) -> tuple[str, str, pd.DataFrame] | None:
    """The key items of the newest wave at or before `periode` with figures for this ministry
    (or its predecessor): a quarter's page never shows a later survey."""
    chain = catalog.lineage(code)
    cells = _survey_rows(
        path, version, "kop", groep="alle", item=list(KEY_ITEMS), departement=[*chain, "RIJK"]
    )
    if cells.empty:
        return None
    for wave in sorted({w for w in cells["periode"] if w <= periode}, reverse=True):
        in_wave = cells[cells["periode"] == wave]
        for source in chain:
            own = in_wave[in_wave["departement"] == source]
            if not own.empty:
                rijk = in_wave[in_wave["departement"] == "RIJK"].set_index("item")
                return wave, source, own.set_index("item").join(rijk.add_suffix("_rijk"))
    return None


@st.cache_data(show_spinner=False)
def current_records(
    path: Path, version: str, kind: str, groups: list[tuple[str, str]]
) -> pd.DataFrame:
    """The current version's rows for these (departement, periode) pairs, to preview a change."""
    table = {
        "normscores": "current_normscores",
        "enquete": "current_survey_counts",
        "respons": "current_survey_response",
    }[kind]
    wanted = [f"{d}|{p}" for d, p in groups]
    # The view name comes from the mapping above, never from input.
    frame = _query(
        path,
        f"SELECT * FROM {table} WHERE list_contains(?, departement || '|' || periode)",
        [wanted],
    )
    return (
        pd.DataFrame(columns=["departement", "periode", "norm", "oordeel"])
        if frame is None
        else frame
    )
