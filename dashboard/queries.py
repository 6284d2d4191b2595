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

from etl import catalog, derive, survey
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
    previous_quarter,
    quarter_end,
    quarter_start,
    submission_deadline,
)

VOLDOET, DEELS, NIET = "voldoet", "voldoet deels", "voldoet niet"
NIET_BEOORDEELD = "niet beoordeeld"
NIET_AANGELEVERD = "niet aangeleverd"
STATES = (VOLDOET, DEELS, NIET, NIET_BEOORDEELD, NIET_AANGELEVERD)
PILLARS = ("preventie", "detectie", "respons")

SCORE_COLUMNS = ["departement", "periode", "norm", "score", "oordeel", "toelichting", "versie"]


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
    """The norm catalogue: number, pillar, short label, the full question."""
    return pd.DataFrame(
        [
            {"norm": n.nummer, "pijler": n.pijler, "label": n.label, "vraag": n.vraag}
            for n in catalog.norms()
        ]
    )


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


def states(score: pd.Series, submitted: pd.Series) -> pd.Series:
    """The five visible states; missing is never a score."""
    labels = score.map({2.0: VOLDOET, 1.0: DEELS, 0.0: NIET}).fillna(NIET_BEOORDEELD)
    return labels.where(submitted, NIET_AANGELEVERD).astype(str)


# --- scores ------------------------------------------------------------------------------


def _read_scores(path: Path, where: str, params: list[object]) -> pd.DataFrame:
    """The newest version of the norm scores that match `where` (a condition from this module)."""
    frame = _query(
        path,
        "SELECT departement, periode, norm, score, oordeel, toelichting, version AS versie "
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


def _organisations_during(quarters: list[str]) -> pd.DataFrame:
    """Organisations × the quarters they existed in, quarter by quarter in catalogue order."""
    columns = ["departement", "naam", "soort", "periode"]
    if not quarters:
        return pd.DataFrame(columns=columns)
    spans = pd.DataFrame(
        {
            "periode": quarters,
            "begin": pd.to_datetime([quarter_start(q) for q in quarters]),
            "einde": pd.to_datetime([quarter_end(q) for q in quarters]),
        }
    )
    pairs = spans.merge(catalog.organisations_table(), how="cross")
    existed = (pairs["van"].isna() | (pairs["van"] <= pairs["einde"])) & (
        pairs["tot"].isna() | (pairs["tot"] >= pairs["begin"])
    )
    return pairs.loc[existed, columns].reset_index(drop=True)


@st.cache_data(show_spinner=False)
def norm_grid(path: Path, version: str, periode: str) -> pd.DataFrame:
    """Every organisation of the quarter × every norm: state, toelichting and change.

    The change compares with the previous quarter, through the predecessor when the
    organisation did not exist then (EZ in 2024-Q3 compares with EZK in 2024-Q2).
    """
    scores = _read_scores(path, "list_contains(?, periode)", [[periode, previous_quarter(periode)]])
    return _grid(scores, [periode], norms_frame())


def _grid(scores: pd.DataFrame, quarters: list[str], norms: pd.DataFrame) -> pd.DataFrame:
    """Organisations × quarters × norms, set-based: 400 organisations cost what 12 do."""
    keys = ["departement", "periode", "norm"]
    grid = _organisations_during(quarters).merge(norms, how="cross")
    current = scores[scores["periode"].isin(quarters)]
    grid = grid.merge(current[[*keys, "score", "toelichting", "versie"]], on=keys, how="left")
    submitted = current[["departement", "periode"]].drop_duplicates()
    grid = grid.merge(submitted.assign(aangeleverd=True), on=["departement", "periode"], how="left")
    grid["aangeleverd"] = grid["aangeleverd"].notna() & grid["aangeleverd"].astype(bool)
    grid["staat"] = states(grid["score"], grid["aangeleverd"])
    grid["toelichting"] = grid["toelichting"].fillna("").astype(str)
    grid["vorige_score"] = _previous_scores(grid[keys], scores)
    grid["wijziging"] = grid["score"] - grid["vorige_score"]
    return grid


def _previous_scores(keys: pd.DataFrame, scores: pd.DataFrame) -> pd.Series:
    """Each cell's score a quarter earlier: its own, else its nearest predecessor's.

    Most organisations have no predecessor, so one merge answers most cells; only the
    cells without a score of their own go through the lineage table.
    """
    columns = list(keys.columns)  # departement, periode, norm
    following = {previous_quarter(q): q for q in keys["periode"].unique()}
    before = scores.loc[scores["periode"].isin(following), [*columns, "score"]]
    before = before.assign(periode=before["periode"].map(following))
    own = keys.merge(before, on=columns, how="left", indicator=True)
    values = own["score"].astype(float).set_axis(keys.index)
    missing = keys[(own["_merge"] == "left_only").to_numpy()]
    lineage = catalog.lineage_frame(sorted(missing["departement"].unique()))
    lineage = lineage[lineage["diepte"] > 0]
    if missing.empty or lineage.empty:
        return values
    found = (
        missing.rename_axis("rij")
        .reset_index()
        .merge(lineage, on="departement")
        .merge(before.rename(columns={"departement": "bron"}), on=["bron", "periode", "norm"])
        .sort_values("diepte", kind="stable")
        .drop_duplicates("rij")
    )
    values.loc[found["rij"].to_numpy()] = found["score"].astype(float).to_numpy()
    return values


def share_met(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Share of judged norms that are met; niet beoordeeld and niet aangeleverd are left out.

    Missing is never zero: dividing by judged norms keeps a ministry that left a norm
    empty from looking worse than one that judged it "voldoet niet".
    """
    judged = frame[frame["score"].notna()]
    result = (
        judged.assign(voldaan=judged["score"].eq(2))
        .groupby(by, as_index=False)
        .agg(voldaan=("voldaan", "sum"), beoordeeld=("score", "size"))
    )
    result["aandeel"] = result["voldaan"] / result["beoordeeld"]
    return result


# --- one ministry ------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def ministry_history(path: Path, version: str, code: str) -> pd.DataFrame:
    """All quarters of one ministry, continued through its predecessors before it existed."""
    chain = catalog.lineage(code)
    scores = _read_scores(path, "list_contains(?, departement)", [chain])
    depth = scores["departement"].map({source: i for i, source in enumerate(chain)})
    nearest = depth == depth.groupby(scores["periode"]).transform("min")
    frame = scores[nearest].rename(columns={"departement": "bron"})
    frame = frame.assign(ministerie=code, via_voorganger=frame["bron"] != code)
    frame["staat"] = states(frame["score"], pd.Series(True, index=frame.index))
    frame = frame.merge(norms_frame(), on="norm", how="left")
    return frame.sort_values(["periode", "norm"]).reset_index(drop=True)


# --- one norm ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def norm_history(path: Path, version: str, norm: int) -> pd.DataFrame:
    """Every ministry × quarter on one norm, with the missing states filled in."""
    scores = _read_scores(path, "norm = ?", [norm])
    quarters = sorted(scores["periode"].unique())
    if not quarters:
        return pd.DataFrame()
    norms = norms_frame()
    return _grid(scores, quarters, norms[norms["norm"] == norm])


# --- trends ------------------------------------------------------------------------------

_COUNTED = (
    "count(*) FILTER (WHERE score = 2) AS voldaan, count(score) AS beoordeeld "
    "FROM current_normscores"
)


def _with_share(counts: pd.DataFrame) -> pd.DataFrame:
    """Keep groups with a judged norm and add the share met (see `share_met`)."""
    counts = counts[counts["beoordeeld"] > 0].reset_index(drop=True)
    return counts.assign(aandeel=counts["voldaan"] / counts["beoordeeld"])


@st.cache_data(show_spinner=False)
def pillar_shares(path: Path, version: str) -> pd.DataFrame:
    """Government-wide share of judged norms met, per pillar and quarter."""
    counts = _query(path, f"SELECT periode, norm, {_COUNTED} GROUP BY periode, norm")
    if counts is None or counts.empty:
        return pd.DataFrame(columns=["periode", "pijler", "voldaan", "beoordeeld", "aandeel"])
    counts = counts.merge(norms_frame(), on="norm")
    pillars = counts.groupby(["periode", "pijler"], as_index=False)[["voldaan", "beoordeeld"]]
    return _with_share(pillars.sum())


@st.cache_data(show_spinner=False)
def ministry_shares(path: Path, version: str) -> pd.DataFrame:
    """Share met per ministry and quarter, continued through predecessors (marked)."""
    latest = max(periods(path, version), default=None)
    counts = _query(
        path, f"SELECT departement AS bron, periode, {_COUNTED} GROUP BY departement, periode"
    )
    if latest is None or counts is None:
        return pd.DataFrame()
    codes = organisations_in(latest)["departement"].tolist()
    lineage = catalog.lineage_frame(codes).rename(columns={"departement": "ministerie"})
    # Per quarter the nearest organisation of the chain with scores, as on the ministry page.
    chosen = (
        lineage.merge(counts, on="bron")
        .sort_values("diepte", kind="stable")
        .drop_duplicates(["ministerie", "periode"])
    )
    chosen["via_voorganger"] = chosen["bron"] != chosen["ministerie"]
    chosen["volgorde"] = chosen["ministerie"].map({code: i for i, code in enumerate(codes)})
    chosen = chosen.sort_values(["volgorde", "periode"])
    columns = ["ministerie", "periode", "bron", "via_voorganger", "voldaan", "beoordeeld"]
    return _with_share(chosen[columns])


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


OP_TIJD, TE_LAAT, NIET_AANGELEVERD_STATUS, OPEN = (
    "op tijd",
    "te laat",
    "niet aangeleverd",
    "nog open",
)


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
    grid = _organisations_during(quarters)[["departement", "periode"]]
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
    return frame.assign(
        stelling=frame["item"].map(statements),
        itemlabel=[_item_label(i, statements[i]) for i in frame["item"]],
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
def ministry_survey(path: Path, version: str, code: str) -> tuple[str, str, pd.DataFrame] | None:
    """The newest wave with survey figures for this ministry (or its predecessor): the key items."""
    chain = catalog.lineage(code)
    cells = _survey_rows(
        path, version, "kop", groep="alle", item=list(KEY_ITEMS), departement=[*chain, "RIJK"]
    )
    if cells.empty:
        return None
    for wave in sorted(set(cells["periode"]), reverse=True):
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
