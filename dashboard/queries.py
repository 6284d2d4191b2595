"""Every database read of the dashboard, as cached functions that return DataFrames.

Results are cached per data version (the database file's identity and mtime):
the ETL writer renames a new file into place, so a new version means new data,
and a rerun without a load costs no query. Reads open a short-lived read-only
connection; if another program holds the file for writing, they retry briefly
and then raise `DatabaseBusy`, which the app shows as a message, not a traceback.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import streamlit as st

from etl import catalog, survey
from etl.database import LOCAL_TIME, database_path, ensure_schema, reader
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
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return ""
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


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
            return None if connection is None else connection.execute(sql, params or []).df()

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


def organisation_names() -> dict[str, str]:
    """Code → full name, for labels."""
    return {o.code: o.naam for o in catalog.organisations()}


def state_of(score: float | None, submitted: bool) -> str:
    """The five visible states; missing is never a score."""
    if not submitted:
        return NIET_AANGELEVERD
    if score is None or pd.isna(score):
        return NIET_BEOORDEELD
    return {2: VOLDOET, 1: DEELS, 0: NIET}[int(score)]


# --- scores ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def all_scores(path: Path, version: str) -> pd.DataFrame:
    """The newest version of every norm score, all quarters."""
    frame = _query(
        path,
        "SELECT departement, periode, norm, score, oordeel, toelichting, version AS versie "
        "FROM current_normscores ORDER BY periode, departement, norm",
    )
    if frame is None:
        return pd.DataFrame(columns=SCORE_COLUMNS).astype({"norm": int, "score": float})
    # Plain floats: NaN is "no score", and arithmetic (changes) needs no NA special cases.
    return frame.astype({"score": float})


def periods(path: Path, version: str) -> list[str]:
    """Quarters with at least one submission, newest first."""
    return sorted(set(all_scores(path, version)["periode"]), reverse=True)


def _scores_of(scores: pd.DataFrame, periode: str) -> pd.DataFrame:
    return scores[scores["periode"] == periode]


@st.cache_data(show_spinner=False)
def norm_grid(path: Path, version: str, periode: str) -> pd.DataFrame:
    """Every organisation of the quarter × every norm: state, toelichting and change.

    The change compares with the previous quarter, through the predecessor when the
    organisation did not exist then (EZ in 2024-Q3 compares with EZK in 2024-Q2).
    """
    scores = all_scores(path, version)
    current = _scores_of(scores, periode)
    before = _scores_of(scores, previous_quarter(periode))
    grid = organisations_in(periode).merge(norms_frame(), how="cross")
    grid = grid.merge(
        current[["departement", "norm", "score", "toelichting", "versie"]],
        on=["departement", "norm"],
        how="left",
    )
    submitted = set(current["departement"])
    grid["aangeleverd"] = grid["departement"].isin(submitted)
    grid["staat"] = [
        state_of(s, a) for s, a in zip(grid["score"], grid["aangeleverd"], strict=True)
    ]
    grid["toelichting"] = grid["toelichting"].fillna("")
    previous = {
        (d, n): s for d, n, s in before[["departement", "norm", "score"]].itertuples(index=False)
    }
    grid["vorige_score"] = [
        _previous_score(previous, code, norm)
        for code, norm in zip(grid["departement"], grid["norm"], strict=True)
    ]
    grid["wijziging"] = grid["score"] - grid["vorige_score"]
    return grid


def _previous_score(previous: dict[tuple[str, int], float], code: str, norm: int) -> float:
    for ancestor in catalog.lineage(code):
        if (ancestor, norm) in previous:
            return float(previous[(ancestor, norm)])
    return float("nan")


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
    scores = all_scores(path, version)
    chain = catalog.lineage(code)
    own = scores[scores["departement"] == code]
    parts = [own]
    covered = set(own["periode"])
    for ancestor in chain[1:]:
        earlier = scores[(scores["departement"] == ancestor) & ~scores["periode"].isin(covered)]
        parts.append(earlier)
        covered |= set(earlier["periode"])
    frame = pd.concat(parts, ignore_index=True) if parts else scores.iloc[0:0]
    frame = frame.rename(columns={"departement": "bron"})
    frame["ministerie"] = code
    frame["via_voorganger"] = frame["bron"] != code
    frame["staat"] = [state_of(s, True) for s in frame["score"]]
    frame = frame.merge(norms_frame(), on="norm", how="left")
    return frame.sort_values(["periode", "norm"]).reset_index(drop=True)


# --- one norm ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def norm_history(path: Path, version: str, norm: int) -> pd.DataFrame:
    """Every ministry × quarter on one norm, with the missing states filled in."""
    scores = all_scores(path, version)
    rows = []
    for periode in sorted(set(scores["periode"])):
        grid = norm_grid(path, version, periode)
        rows.append(grid[grid["norm"] == norm].assign(periode=periode))
    if not rows:
        return pd.DataFrame()
    return pd.concat(rows, ignore_index=True)


# --- trends ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def pillar_shares(path: Path, version: str) -> pd.DataFrame:
    """Government-wide share of judged norms met, per pillar and quarter."""
    scores = all_scores(path, version).merge(norms_frame(), on="norm")
    return share_met(scores, ["periode", "pijler"])


@st.cache_data(show_spinner=False)
def ministry_shares(path: Path, version: str) -> pd.DataFrame:
    """Share met per ministry and quarter, continued through predecessors (marked)."""
    latest = max(periods(path, version), default=None)
    if latest is None:
        return pd.DataFrame()
    codes = organisations_in(latest)["departement"].tolist()
    frames = [
        share_met(
            ministry_history(path, version, code),
            ["ministerie", "periode", "bron", "via_voorganger"],
        )
        for code in codes
    ]
    return pd.concat(frames, ignore_index=True)


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
    stored = submissions(path, version)
    quarters = sorted(p for p in set(stored["periode"]) if p >= FIRST_SUBMISSION_QUARTER)
    first = stored.groupby(["departement", "periode"]).agg(
        ontvangen=("ontvangen", "min"), versies=("versie", "max"), laatst=("geladen_op", "max")
    )
    rows = []
    for periode in quarters:
        deadline = submission_deadline(periode)
        for code in organisations_in(periode)["departement"]:
            key = (code, periode)
            if key in first.index:
                received, versions, last = first.loc[key]
                status = OP_TIJD if received <= deadline else TE_LAAT
            else:
                received, versions, last = None, 0, None
                status = OPEN if today <= deadline else NIET_AANGELEVERD_STATUS
            rows.append(
                {
                    "departement": code,
                    "periode": periode,
                    "status": status,
                    "ontvangen": received,
                    "versies": int(versions),
                    "laatst_geladen": last,
                    "termijn": deadline,
                }
            )
    return pd.DataFrame(rows)


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
    """All survey figures, after the disclosure rule: headlines (with RIJK, median and change),
    distributions, block scores and response. Hidden cells carry no figures at all."""
    counts, response, thresholds = _retrying(lambda: survey_data(path))
    full = survey.complete_counts(counts)
    if full.empty:
        empty = pd.DataFrame()
        return {"kop": empty, "verdeling": empty, "blokken": empty, "respons": empty}
    population = survey.populations(response)
    headline = survey.headlines(full, population, thresholds)
    items = pd.DataFrame([{"item": i.item, "stelling": i.stelling} for i in catalog.survey_items()])
    headline = headline.merge(items, on="item", how="left")
    headline = headline.merge(survey.medians(headline), on=["periode", "groep", "item"], how="left")
    headline = _with_changes(headline)
    return {
        "kop": headline,
        "verdeling": survey.distributions(full, headline),
        "blokken": survey.block_scores(headline),
        "respons": survey.response_table(response, thresholds),
    }


def _with_changes(headline: pd.DataFrame) -> pd.DataFrame:
    """Change against the previous wave of the same cell (through predecessors), when both shown."""
    waves = sorted(set(headline["periode"]))
    shown = {
        (r["departement"], r["periode"], r["groep"], r["item"]): r
        for r in headline[~headline["verborgen"]].to_dict("records")
    }
    changes, significant, compared = [], [], []
    for row in headline.to_dict("records"):
        result: survey.Change | None = None
        source = ""
        index = waves.index(row["periode"])
        if not row["verborgen"] and index > 0:
            earlier = waves[index - 1]
            for code in catalog.lineage(str(row["departement"])):
                key = (code, earlier, row["groep"], row["item"])
                if key in shown:
                    before = shown[key]
                    result = survey.change(
                        (int(before["kop"]), int(before["n"]), _population(before["N"])),
                        (int(row["kop"]), int(row["n"]), _population(row["N"])),
                    )
                    source = earlier + ("" if code == row["departement"] else f" ({code})")
                    break
        changes.append(result.difference if result else math.nan)
        significant.append(bool(result and result.significant))
        compared.append(source)
    return headline.assign(verschil=changes, significant=significant, vergeleken_met=compared)


def _population(value: float | None) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def survey_waves(path: Path, version: str) -> list[str]:
    """Waves with survey data, newest first."""
    headline = survey_tables(path, version)["kop"]
    return [] if headline.empty else sorted(set(headline["periode"]), reverse=True)


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


def block_pairs(blocks: pd.DataFrame, wave: str, group: str) -> pd.DataFrame:
    """Per ministry with both shown: the cultuur and voorbeeldgedrag block scores."""
    chosen = blocks[
        (blocks["periode"] == wave) & (blocks["groep"] == group) & (blocks["departement"] != "RIJK")
    ]
    wide = chosen.pivot(index="departement", columns="blok", values="score")
    if not {"cultuur", "voorbeeldgedrag"} <= set(wide.columns):
        return pd.DataFrame(columns=["departement", "cultuur", "voorbeeldgedrag"])
    return wide[["cultuur", "voorbeeldgedrag"]].dropna().reset_index()


KEY_ITEMS = ("VBG1", "CUL1", "CUL3", "CUL4", "MEL1", "LEI1")  # the Court of Audit's headlines


def ministry_survey(path: Path, version: str, code: str) -> tuple[str, str, pd.DataFrame] | None:
    """The newest wave with survey figures for this ministry (or its predecessor): the key items."""
    headline = survey_tables(path, version)["kop"]
    if headline.empty:
        return None
    for wave in survey_waves(path, version):
        for source in catalog.lineage(code):
            cells = headline[
                (headline["periode"] == wave)
                & (headline["groep"] == "alle")
                & headline["item"].isin(KEY_ITEMS)
            ]
            own = cells[cells["departement"] == source]
            if not own.empty:
                rijk = cells[cells["departement"] == "RIJK"].set_index("item")
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
