"""What a load derives and stores for the screens to read: the norm grid and trends, the
survey's published tables (and the history of what publications hid), and the werking
cubes, with the fingerprint that says when they are stale. The write path (`etl.store.derive`)
computes and stores them; the read model (`etl.reads.readmodel`) reads them. Neither this module
nor the write path imports the read model.
"""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from etl.domain import adversary, catalog, normgrid, publication, survey, vocabulary, werking
from etl.domain.kinds import KINDS, WERKING
from etl.domain.periods import submission_deadline
from etl.settings import SCHEMAS_DIR, settings
from etl.store.database import has_table, query_frame

# Bump when a computation behind the derived tables changes, so old copies go stale.
DERIVED_VERSION = "10"  # 10: survey plan by MIP; person-years


DERIVED_PREFIX = "derived_survey_"


DERIVED_GRID = "derived_grid"


DERIVED_TRENDS = {
    "onderdelen": "derived_trend_onderdelen",
    "ministeries": "derived_trend_ministeries",
}


def fingerprint() -> str:
    """Identifies the code version and the catalogues the derived tables were computed with."""
    digest = hashlib.sha256(DERIVED_VERSION.encode())
    digest.update(str(settings().small_count).encode())  # the werking tables' threshold
    for path in (
        catalog.organisations_path(),
        SCHEMAS_DIR / "enquete_items.csv",
        SCHEMAS_DIR / "enquete_schalen.csv",
        SCHEMAS_DIR / "enquete_golven.csv",
        SCHEMAS_DIR / "normen.csv",
        SCHEMAS_DIR / "bronnen.csv",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def derived_table_exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
    ).fetchone()
    return found is not None and found[0] > 0


def derived_fresh(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether derived tables exist and were made with this code and these catalogues."""
    if not derived_table_exists(connection, "derived_meta"):
        return False
    row = connection.execute("SELECT fingerprint FROM derived_meta").fetchone()
    return row is not None and row[0] == fingerprint()


def scores_from(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every current norm score, on an open connection (the writer's, storing the grid)."""
    frame = query_frame(
        connection,
        "SELECT departement, periode, norm, score, oordeel, toelichting, "
        "coalesce(bron, 'zelf') AS bron, version AS versie FROM current_normscores "
        "ORDER BY periode, departement, norm",
    )
    return frame.astype({"score": float})


def onderdeel_panel(scores: pd.DataFrame) -> pd.DataFrame:
    """`ReadModel.onderdeel_shares` from the scores of the quarters to show."""
    cells = scores.merge(normgrid.norms_frame(), on="norm").assign(staat=lambda c: c["oordeel"])
    return normgrid.panel_shares(cells, ["onderdeel"], ["departement", "norm"])


def ministry_panel(scores: pd.DataFrame) -> pd.DataFrame:
    """`ReadModel.ministry_shares` (before access) from the scores of the quarters to show:
    every organisation of the newest quarter, continued through its predecessors."""
    if scores.empty:
        return pd.DataFrame()
    codes = catalog.organisations_in(str(scores["periode"].max()))["departement"].tolist()
    # Per quarter the nearest organisation of the chain with scores, as on the ministry
    # page: its own where it has them (nearly always), else a predecessor's. Decided on
    # the (organisation, quarter) pairs, then the cells are fetched in one merge.
    pairs = scores[["departement", "periode"]].drop_duplicates()
    own = pairs[pairs["departement"].isin(codes)].assign(ministerie=lambda p: p["departement"])
    lineage = catalog.lineage_frame(codes)
    lineage = lineage[lineage["diepte"] > 0].rename(
        columns={"departement": "ministerie", "bron": "departement"}
    )
    earlier = lineage.merge(pairs, on="departement").merge(
        own[["ministerie", "periode"]].assign(_own=True), on=["ministerie", "periode"],
        how="left",
    )  # fmt: skip
    earlier = earlier[earlier["_own"].isna()].sort_values("diepte", kind="stable")
    earlier = earlier.drop_duplicates(["ministerie", "periode"])
    chosen = pd.concat(
        [own, earlier[["departement", "periode", "ministerie"]]], ignore_index=True
    ).rename(columns={"departement": "door"})
    chosen = chosen.assign(via_voorganger=chosen["door"] != chosen["ministerie"])
    cells = (
        scores.rename(columns={"departement": "door"})
        .merge(chosen[["door", "periode", "ministerie"]], on=["door", "periode"])
        .assign(staat=lambda c: c["oordeel"])
    )
    shares = normgrid.panel_shares(cells, ["ministerie"], ["norm"])
    shares = shares.merge(chosen, on=["ministerie", "periode"], how="left")
    order = {code: i for i, code in enumerate(codes)}
    shares = shares.assign(volgorde=shares["ministerie"].map(order))
    shares = shares.sort_values(["volgorde", "periode"]).drop(columns="volgorde")
    return shares.reset_index(drop=True)


def stored_trends(scores: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The trends from the start of the series, as a load stores them (with a row order)."""
    tables = {"onderdelen": onderdeel_panel(scores), "ministeries": ministry_panel(scores)}
    return {
        DERIVED_TRENDS[name]: frame.assign(rij=np.arange(len(frame)))
        for name, frame in tables.items()
    }


def stored_grid(scores: pd.DataFrame) -> pd.DataFrame:
    """The grid of every quarter, as a load stores it: states decided as if every deadline
    were still to come (`from_stored_grid` decides nog open against the day of reading)."""
    quarters = sorted(scores["periode"].unique())
    if not quarters:
        return pd.DataFrame()
    grid = normgrid.grid(scores, quarters, normgrid.norms_frame(), date.min)
    return grid.assign(rij=np.arange(len(grid)))


def from_stored_grid(frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """Stored grid rows with each cell's state for the day of reading."""
    frame = frame.reset_index(drop=True)
    deadline = frame["periode"].map({q: submission_deadline(q) for q in set(frame["periode"])})
    frame["staat"] = vocabulary.states(frame["oordeel"], frame["aangeleverd"], deadline >= today)
    earlier = frame["vorige_periode"].astype(object)
    frame["vorige_periode"] = earlier.where(earlier.notna(), None)
    return frame.astype({"score": float, "vorige_score": float, "wijziging": float})


WERKING_KEYS: dict[str, str] = {k: str(KINDS[k].werking_key) for k in WERKING}


WERKING_MEASURES: dict[str, tuple[str, ...]] = {k: KINDS[k].werking_measures for k in WERKING}


# Who a derived werking table is for: everything exact (the coordinator; a lead's own rows),
# or under the privacy rule for everyone else (years only: see `ReadModel.werking`).
WERKING_VIEWS: tuple[tuple[str, frozenset[str] | None, tuple[str, ...]], ...] = (
    ("exact", None, ("periode", "jaar")),
    ("beschermd", frozenset(), ("jaar",)),
)


def derived_werking(kind: str, label: str, time: str) -> str:
    return f"derived_werking_{kind}_{label}_{time}"


def werking_tables(
    bases: dict[str, pd.DataFrame | None], staff: pd.DataFrame | None
) -> dict[str, pd.DataFrame]:
    """Every werking cube a page reads, per kind, audience and period (with a row order):
    computed once per load, since a national cube takes a second to compute."""
    if staff is None:
        staff = pd.DataFrame(columns=["departement", "periode", "medewerkers"])
    threshold = settings().small_count
    tables: dict[str, pd.DataFrame] = {}
    for kind, base in bases.items():
        if base is None or base.empty:
            continue
        long = werking.long_counts(base, WERKING_MEASURES[kind], [WERKING_KEYS[kind]])
        for label, exact, periods in WERKING_VIEWS:
            for period in periods:
                cube = werking.cube(long, staff, WERKING_KEYS[kind], exact, threshold, period)
                cube["tekst"] = werking.texts(cube)
                tables[derived_werking(kind, label, period)] = cube.assign(rij=np.arange(len(cube)))
    return tables


def werking_data_from(
    connection: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, pd.DataFrame | None], pd.DataFrame]:
    """The current reports, advisers' talks and headcounts, on the writer's connection."""
    bases: dict[str, pd.DataFrame | None] = {
        kind: query_frame(connection, f"SELECT * FROM {KINDS[kind].current_view}")
        for kind in WERKING
    }
    staff = query_frame(
        connection, "SELECT departement, periode, medewerkers FROM current_headcount"
    )
    return bases, staff


HIDDEN_BEFORE = "survey_hidden"


def kept_hidden_from(connection: duckdb.DuckDBPyConnection) -> frozenset[tuple[str, str, str, str]]:
    """(departement, periode, groep, item) of every survey cell a publication ever hid."""
    if not has_table(connection, HIDDEN_BEFORE):
        return frozenset()
    rows = connection.execute(
        f"SELECT departement, periode, groep, item FROM {HIDDEN_BEFORE}"
    ).fetchall()
    return frozenset((str(d), str(p), str(g), str(i)) for d, p, g, i in rows)


def changed_since_published(
    connection: duckdb.DuckDBPyConnection,
) -> dict[str, publication.Republished]:
    """Per wave, the organisations whose survey files (enquete, respons) were loaded after
    the wave was first published (the first publication that hid a cell recorded when):
    late arrivals and resubmissions, whose difference two publications side by side give
    away; with that first publication rebuilt (`first_publication`), so the plan attacks
    the two side by side (see `etl.domain.publication`)."""
    if not has_table(connection, HIDDEN_BEFORE):
        return {}
    rows = connection.execute(
        f"""
        WITH first AS (SELECT periode, min(first_hidden) AS at FROM {HIDDEN_BEFORE}
                       GROUP BY periode)
        SELECT DISTINCT s.periode, s.departement
        FROM submissions s JOIN loads l USING (load_id) JOIN first f USING (periode)
        WHERE s.kind IN ('enquete', 'respons') AND l.loaded_at > f.at
        """
    ).fetchall()
    changed: dict[str, set[str]] = {}
    for periode, departement in rows:
        changed.setdefault(str(periode), set()).add(str(departement))
    return {
        wave: publication.Republished(frozenset(codes), first_publication(connection, wave))
        for wave, codes in changed.items()
    }


def first_publication(connection: duckdb.DuckDBPyConnection, wave: str) -> adversary.Release | None:
    """The wave's first publication as it was: per organisation the newest survey files
    loaded by then, and the cells and groups it hid (recorded at that moment). Later
    publications (after a second resubmission) are not rebuilt: each is planned beside the
    first, and every cell any of them hid stays hidden (`kept_hidden_from`)."""
    first = connection.execute(
        f"SELECT min(first_hidden) FROM {HIDDEN_BEFORE} WHERE periode = ?", [wave]
    ).fetchone()
    if first is None or first[0] is None:
        return None
    frames = []
    for spec in (KINDS["enquete"], KINDS["respons"]):
        frames.append(query_frame(connection, f"""
            WITH by_then AS (
                SELECT s.submission_id
                FROM submissions s JOIN loads l USING (load_id)
                WHERE s.kind = ? AND s.periode = ? AND l.loaded_at <= ?
                QUALIFY s.version = max(s.version) OVER (PARTITION BY s.departement)
            )
            SELECT {', '.join(spec.columns)} FROM {spec.table} JOIN by_then USING (submission_id)
            """, [spec.name, wave, first[0]]))  # fmt: skip  # names from KINDS only
    full = survey.complete_counts(frames[0])
    people = survey.populations(frames[1])
    hidden = connection.execute(
        f"SELECT departement, groep, item FROM {HIDDEN_BEFORE} WHERE periode = ? "
        "AND first_hidden = ?", [wave, first[0]]
    ).fetchall()  # fmt: skip
    columns = people[["departement", "groep", "deelgenomen"]]
    participants = {
        (str(d), str(g)): int(n) for d, g, n in columns.itertuples(index=False, name=None)
    }
    groups = {(str(d), str(g)) for d, g, i in hidden if i == publication.GROUP_ITEM}
    return adversary.Release(
        {(str(d), str(g), str(i), str(a)): int(v) for d, g, i, a, v in
         full[["departement", "groep", "item", "antwoord", "aantal"]].itertuples(index=False)},
        {(str(d), str(g), str(i)) for d, g, i in hidden if i != publication.GROUP_ITEM},
        participants,
        set(participants) - groups,
    )  # fmt: skip


def survey_data_from(
    connection: duckdb.DuckDBPyConnection,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """`ReadModel.survey_data` on an open connection (the writer's, refreshing derived tables)."""
    counts = query_frame(
        connection, f"SELECT {', '.join(KINDS['enquete'].columns)} FROM current_survey_counts"
    )
    response = query_frame(
        connection, f"SELECT {', '.join(KINDS['respons'].columns)} FROM current_survey_response"
    )
    frozen = connection.execute("SELECT periode, drempel FROM wave_thresholds").fetchall()
    waves = set(counts["periode"]) | set(response["periode"])
    thresholds = {periode: catalog.wave_threshold(periode) for periode in waves}
    thresholds.update({str(periode): int(drempel) for periode, drempel in frozen})
    return counts, response, thresholds
