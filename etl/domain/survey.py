"""Survey figures from counts: respondent-weighted shares, intervals, benchmarks, changes.

Pure functions over DataFrames. Government-wide (RIJK) figures add up the counts of
all ministries — a respondent-weighted figure, never a mean of ministry percentages;
the median ministry is the second benchmark. Every figure passes the disclosure rule
(`etl.domain.disclosure`) before anyone sees it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.domain import catalog, publication
from etl.domain.disclosure import TOTAL_COLUMN, TOTAL_ROW
from etl.domain.publication import Plan

Z95 = 1.959963984540054
CELL = ["departement", "periode", "groep", "item"]
GROUP_ORDER = ("alle", "medewerkers", "leidinggevenden")
COUNT_COLUMNS = [*CELL, "antwoord", "aantal"]
KEY_ITEMS = ("VBG1", "CUL1", "CUL3", "CUL4", "MEL1", "LEI1")  # the Court of Audit's headlines


def scale_frame() -> pd.DataFrame:
    """Item × answer with order, label and whether the answer counts for the headline."""
    scales = catalog.survey_scales()
    return pd.DataFrame(
        [
            {
                "item": item.item,
                "blok": item.blok,
                "schaal": item.schaal,
                "antwoord": answer.code,
                "volgorde": answer.volgorde,
                "antwoord_label": answer.label,
                "kopcijfer": answer.kopcijfer,
            }
            for item in catalog.survey_items()
            for answer in scales[item.schaal]
        ]
    )


def complete_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Every answer of every submitted cell (absent answers count 0), plus `alle` and RIJK rows.

    `alle` adds both groups of a ministry; RIJK adds all ministries, hidden ones included.
    """
    columns = [*CELL, "antwoord", "aantal"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    cells = counts[CELL].drop_duplicates()
    grid = cells.merge(scale_frame()[["item", "antwoord"]], on="item")
    full = grid.merge(counts[columns], on=[*CELL, "antwoord"], how="left")
    full["aantal"] = full["aantal"].fillna(0).astype(int)
    both = full.groupby(["departement", "periode", "item", "antwoord"], as_index=False)[
        "aantal"
    ].sum()
    full = pd.concat([full, both.assign(groep=TOTAL_COLUMN)], ignore_index=True)
    rijk = full.groupby(["periode", "groep", "item", "antwoord"], as_index=False)["aantal"].sum()
    result: pd.DataFrame = pd.concat([full, rijk.assign(departement=TOTAL_ROW)], ignore_index=True)
    return result[columns]


def populations(response: pd.DataFrame) -> pd.DataFrame:
    """Invited and participants per cell row, with `alle` and RIJK sums (for the correction)."""
    columns = ["departement", "periode", "groep", "uitgenodigd", "deelgenomen"]
    if response.empty:
        return pd.DataFrame(columns=columns)
    base = response[columns]
    both = base.groupby(["departement", "periode"], as_index=False)[
        ["uitgenodigd", "deelgenomen"]
    ].sum()
    full = pd.concat([base, both.assign(groep=TOTAL_COLUMN)], ignore_index=True)
    rijk = full.groupby(["periode", "groep"], as_index=False)[["uitgenodigd", "deelgenomen"]].sum()
    return pd.concat([full, rijk.assign(departement=TOTAL_ROW)], ignore_index=True)[columns]


def wilson(x: int, n: int, population: int | None = None, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for x of n, with the finite-population correction when N is known."""
    low, high = wilson_arrays(
        np.array([x], dtype=float),
        np.array([n], dtype=float),
        np.array([math.nan if population is None else population], dtype=float),
        z,
    )
    return float(low[0]), float(high[0])


def wilson_arrays(
    x: np.ndarray, n: np.ndarray, population: np.ndarray, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """`wilson` for whole columns at once (NaN population: unknown; n = 0: no interval).

    The correction shrinks the variance by (N − n)/(N − 1); applying it through an
    effective sample size n·(N − 1)/(N − n) keeps Wilson's good behaviour near 0 and 1.
    A census (n = N) has no sampling error: the interval is the share itself.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        known = np.isfinite(population) & (population > 1) & (n <= population)
        census = known & (n >= population)
        p = x / n
        effective = np.where(known & ~census, n * (population - 1) / (population - n), n)
        z2 = z * z
        centre = (p + z2 / (2 * effective)) / (1 + z2 / effective)
        half = z * np.sqrt(p * (1 - p) / effective + z2 / (4 * effective**2)) / (1 + z2 / effective)
        low = np.where(census, p, np.maximum(0.0, centre - half))
        high = np.where(census, p, np.minimum(1.0, centre + half))
    empty = n <= 0
    return np.where(empty, math.nan, low), np.where(empty, math.nan, high)


@dataclass(frozen=True)
class Change:
    """The difference between two shares with Newcombe's hybrid score interval."""

    difference: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def change(earlier: tuple[int, int, int | None], later: tuple[int, int, int | None]) -> Change:
    """Change from (x, n, N) to (x, n, N), significant when the 95% interval excludes 0."""
    columns = [
        np.array([math.nan if value is None else value], dtype=float)
        for value in (*earlier, *later)
    ]
    difference, low, high = change_arrays(*columns)
    return Change(float(difference[0]), float(low[0]), float(high[0]))


def change_arrays(
    x1: np.ndarray,
    n1: np.ndarray,
    big1: np.ndarray,
    x2: np.ndarray,
    n2: np.ndarray,
    big2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`change` for whole columns: difference and Newcombe's (1998) hybrid score interval
    (NaN where a side has no respondents)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_arrays(x1, n1, big1)
    l2, u2 = wilson_arrays(x2, n2, big2)
    d = p2 - p1
    return (
        d,
        d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
        d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2),
    )


def sensitive_cells(full: pd.DataFrame) -> set[tuple[str, ...]]:
    """Cells of a sensitive item (the melden items) with an answer count of 1 up to its
    minimum: such a count can point at a person, so the whole cell is hidden (showing n
    and the other counts would give that count away by subtraction)."""
    minimum = {i.item: i.minimum_antwoord for i in catalog.survey_items() if i.minimum_antwoord}
    if full.empty or not minimum:
        return set()
    floor = full["item"].map(minimum)
    small = full[floor.notna() & (full["aantal"] > 0) & (full["aantal"] < floor)]
    return set(small[CELL].astype(str).itertuples(index=False, name=None))


TE_WEINIG, GEVOELIG, BESCHERMING = "te_weinig", "gevoelig", "bescherming"


def hidden_reason(
    hidden: pd.Series, size: pd.Series, wave: pd.Series, thresholds: dict[str, int]
) -> pd.Series:
    """Why each hidden figure is hidden: `te_weinig` (fewer respondents than the wave's
    threshold), else `bescherming` (hidden to protect a small group elsewhere); empty for
    shown figures. Saying it is true to the reader, and the LP audit reads it too."""
    limit = wave.astype(str).map(lambda w: thresholds.get(w, catalog.wave_threshold(w)))
    small = pd.to_numeric(size, errors="coerce") < limit.astype(float)
    reason = np.where(small, TE_WEINIG, BESCHERMING)
    return pd.Series(np.where(hidden.astype(bool), reason, ""), index=hidden.index)


Kept = frozenset[tuple[str, str, str, str]]  # (departement, periode, groep, item)
# Per wave, the organisations whose survey files arrived or changed after the wave was
# first published (`etl.store.derived.changed_since_published`): two publications side by side
# give their difference away (see `etl.domain.publication`).
Changed = Mapping[str, frozenset[str] | publication.Republished]


def hidden_cells(
    full: pd.DataFrame,
    thresholds: dict[str, int],
    known_sensitive: set[tuple[str, ...]] | None = None,
    population: pd.DataFrame | None = None,
    kept: Kept = frozenset(),
    changed: Changed | None = None,
) -> set[tuple[str, ...]]:
    """(departement, periode, groep, item) cells that the disclosure rule hides: fewer
    respondents than the threshold, a sensitive count under its minimum, what protects
    either from subtraction, and what the linear-programming adversary needs hidden too
    (`population`: participants per group, as `populations` gives them)."""
    return set(disclosure_plan(full, thresholds, known_sensitive, population, kept, changed).cells)


def disclosure_plan(
    full: pd.DataFrame,
    thresholds: dict[str, int],
    known_sensitive: set[tuple[str, ...]] | None = None,
    population: pd.DataFrame | None = None,
    kept: Kept = frozenset(),
    changed: Changed | None = None,
) -> Plan:
    """What the disclosure rule hides in these counts and response figures (see
    `etl.domain.publication`): one plan for every screen, export and the response table. `changed`:
    per wave, the organisations that resubmitted since its first publication. `kept`:
    cells an earlier publication hid, which stay hidden (see `etl.domain.publication`)."""
    population = (
        population
        if population is not None
        else pd.DataFrame(columns=["departement", "periode", "groep", "uitgenodigd", "deelgenomen"])
    )
    if known_sensitive is None:
        known_sensitive = sensitive_cells(full) if not full.empty else set()
    answers = {str(i): list(rows["antwoord"]) for i, rows in scale_frame().groupby("item")}
    return publication.plan(full, thresholds, known_sensitive, population, answers, kept,
                            changed or {})  # fmt: skip


def _floats(column: pd.Series) -> np.ndarray:
    """A numeric column as float64, missing values as NaN."""
    return np.asarray(pd.to_numeric(column, errors="coerce"), dtype=float)


def _flagged(table: pd.DataFrame, keys: list[str], cells: Collection[tuple[str, ...]]) -> pd.Series:
    """Whether each row's key is one of `cells` (a merge, not a Python loop over rows)."""
    found = pd.DataFrame(list(cells), columns=keys).assign(_flag=True)
    if found.empty:
        return pd.Series(False, index=table.index)
    flags = table[keys].merge(found, on=keys, how="left")["_flag"]
    return flags.notna().set_axis(table.index)


def headlines(
    full: pd.DataFrame,
    population: pd.DataFrame,
    thresholds: dict[str, int],
    kept: Kept = frozenset(),
    exact: bool = False,
    changed: Changed | None = None,
) -> pd.DataFrame:
    """One row per cell: n, headline count and share with interval, neutral and weet-niet shares.

    Hidden cells keep their row, with `verborgen` set and every figure empty.
    """
    scales = scale_frame()
    data = full.merge(scales, on=["item", "antwoord"])
    grouped = data.groupby(CELL)
    table = (
        pd.DataFrame(
            {
                "n": grouped["aantal"].sum(),
                "kop": data[data["kopcijfer"]].groupby(CELL)["aantal"].sum(),
                "neutraal": data[data["antwoord"] == "neutraal"].groupby(CELL)["aantal"].sum(),
                "weet_niet": data[data["antwoord"] == "weet_niet"].groupby(CELL)["aantal"].sum(),
            }
        )
        .fillna(0)
        .reset_index()
    )
    table = table.merge(
        population[["departement", "periode", "groep", "uitgenodigd"]],
        on=["departement", "periode", "groep"],
        how="left",
    )
    table = table.merge(scales[["item", "blok", "schaal"]].drop_duplicates(), on="item")
    # No finite-population correction: at about 22% response the respondents are not a
    # random sample of the invited, and the correction would claim a precision that the
    # self-selection does not give. The interval assumes a random sample (said on screen).
    unknown = np.full(len(table), math.nan)
    low, high = wilson_arrays(_floats(table["kop"]), _floats(table["n"]), unknown)
    table["aandeel"] = table["kop"] / table["n"].where(table["n"] > 0)
    table["ondergrens"] = low
    table["bovengrens"] = high
    table["aandeel_neutraal"] = table["neutraal"] / table["n"].where(table["n"] > 0)
    table["aandeel_weet_niet"] = table["weet_niet"] / table["n"].where(table["n"] > 0)
    sensitive = sensitive_cells(full)
    hidden = (
        set() if exact else hidden_cells(full, thresholds, sensitive, population, kept, changed)
    )
    table["verborgen"] = _flagged(table, CELL, hidden)
    table["gevoelig"] = _flagged(table, CELL, sensitive)
    table["reden"] = hidden_reason(table["verborgen"], table["n"], table["periode"], thresholds)
    table.loc[table["gevoelig"] & (table["reden"] == BESCHERMING), "reden"] = GEVOELIG
    figures = ["n", "kop", "neutraal", "weet_niet", "aandeel", "ondergrens", "bovengrens",
               "aandeel_neutraal", "aandeel_weet_niet"]  # fmt: skip
    table[figures] = table[figures].astype(float)
    table.loc[table["verborgen"], figures] = math.nan
    return table


def distributions(full: pd.DataFrame, headline: pd.DataFrame) -> pd.DataFrame:
    """The full answer distribution per shown cell (hidden cells left out entirely).

    Counts and shares only; the answers' labels and order are in the catalogue
    (`scale_frame`), which keeps the table stored per load narrow.
    """
    shown = headline.loc[~headline["verborgen"], CELL]
    data = full.merge(shown, on=CELL)
    totals = data.groupby(CELL)["aantal"].transform("sum")
    data["aandeel"] = data["aantal"] / totals.where(totals > 0)
    return data.reset_index(drop=True)


def medians(headline: pd.DataFrame) -> pd.DataFrame:
    """The median ministry per wave, group and item, over ministries whose figure is shown."""
    ministries = headline[(headline["departement"] != TOTAL_ROW) & ~headline["verborgen"]]
    result = ministries.groupby(["periode", "groep", "item"], as_index=False).agg(
        mediaan=("aandeel", "median")
    )
    return result


def block_scores(headline: pd.DataFrame) -> pd.DataFrame:
    """Share (helemaal) eens over a block's agree-scale items, pooled by respondents.

    Only agree-scale items count (a frequency or yes/no headline means something
    else), and a block is hidden when any of its items is: the block total minus the
    shown items would otherwise give the hidden one away.
    """
    agree = headline[headline["schaal"] == "eens5"]
    grouped = agree.groupby(["departement", "periode", "groep", "blok"])
    blocks = grouped.agg(
        kop=("kop", "sum"), n=("n", "sum"), verborgen=("verborgen", "any"), items=("item", "size")
    )
    blocks = blocks.reset_index()
    blocks["score"] = (blocks["kop"] / blocks["n"]).where(~blocks["verborgen"])
    blocks.loc[blocks["verborgen"], ["kop", "n"]] = math.nan
    return blocks


def response_table(
    response: pd.DataFrame,
    thresholds: dict[str, int],
    full: pd.DataFrame | None = None,
    kept: Kept = frozenset(),
    exact: bool = False,
    changed: Changed | None = None,
) -> pd.DataFrame:
    """Invited, participants and response rate per cell row; small groups' participation
    hidden, and whatever the disclosure plan of the survey counts (`full`) hides as well."""
    table = populations(response)
    counts = full if full is not None else pd.DataFrame(columns=COUNT_COLUMNS)
    groups = (
        set() if exact else disclosure_plan(counts, thresholds, None, table, kept, changed).groups
    )
    table["verborgen"] = _flagged(table, ["departement", "periode", "groep"], groups)
    table["reden"] = hidden_reason(
        table["verborgen"], table["deelgenomen"], table["periode"], thresholds
    )
    table["respons"] = (table["deelgenomen"] / table["uitgenodigd"]).astype(float)
    table["deelgenomen"] = table["deelgenomen"].astype(float)
    table.loc[table["verborgen"], ["deelgenomen", "respons"]] = math.nan
    return table


SURVEY_TABLES = ("kop", "verdeling", "blokken", "respons")


def item_directions() -> pd.DataFrame:
    """Per item: what the headline counts (`kop_label`), which way is good (`richting`), and
    a sensitive item's smallest publishable answer count (`minimum_antwoord`)."""
    return pd.DataFrame(
        [
            {
                "item": i.item,
                "kop_label": i.kop,
                "richting": i.richting,
                "minimum_antwoord": i.minimum_antwoord,
            }
            for i in catalog.survey_items()
        ],
        columns=["item", "kop_label", "richting", "minimum_antwoord"],
    )


def published_tables(
    counts: pd.DataFrame,
    response: pd.DataFrame,
    thresholds: dict[str, int],
    kept: Kept = frozenset(),
    exact: bool = False,
    changed: Changed | None = None,
) -> dict[str, pd.DataFrame]:
    """All survey figures after the disclosure rule: headlines (with RIJK, the median ministry
    and the change since the previous wave), distributions, block scores and response.
    `exact`: every figure as it is, for the coordinator's own screens (the data are BZK's),
    never for a publication.

    Hidden cells keep no figures at all. Computed once per load (`etl.store.derive`); the
    dashboard computes it itself only when the stored copy is stale.
    """
    full = complete_counts(counts)
    if full.empty:
        return {name: pd.DataFrame() for name in SURVEY_TABLES}
    headline = headlines(full, populations(response), thresholds, kept, exact, changed)
    statements = pd.DataFrame(
        [{"item": i.item, "stelling": i.stelling} for i in catalog.survey_items()]
    )
    headline = headline.merge(statements, on="item", how="left")
    headline = headline.merge(medians(headline), on=["periode", "groep", "item"], how="left")
    headline = with_rest(with_changes(headline))
    headline = headline.merge(item_directions(), on="item", how="left")
    return {
        "kop": headline,
        "verdeling": distributions(full, headline),
        "blokken": block_scores(headline),
        "respons": response_table(response, thresholds, full, kept, exact, changed),
    }


def with_changes(headline: pd.DataFrame) -> pd.DataFrame:
    """Change against the previous wave of the same cell (through predecessors), when both shown.

    `vergeleken_met` names the wave, and the predecessor when the figure is its.
    """
    waves = sorted(set(headline["periode"]))
    earlier = dict(zip(waves[1:], waves[:-1], strict=True))
    shown = headline[~headline["verborgen"]]
    later = shown.assign(vorige=shown["periode"].map(earlier)).dropna(subset=["vorige"])
    candidates = later[[*CELL, "vorige", "kop", "n"]].merge(
        catalog.lineage_frame(sorted(later["departement"].unique())), on="departement"
    )
    before = shown[[*CELL, "kop", "n"]].rename(columns={"departement": "bron", "periode": "vorige"})
    pairs = (
        candidates.merge(before, on=["bron", "vorige", "groep", "item"], suffixes=("", "_eerder"))
        .sort_values("diepte")
        .drop_duplicates(CELL)
    )
    unknown = np.full(len(pairs), math.nan)
    x1, n1, x2, n2 = (_floats(pairs[c]) for c in ("kop_eerder", "n_eerder", "kop", "n"))
    difference, low, high = change_arrays(x1, n1, unknown, x2, n2, unknown)
    # A split or merger (KGG 2025 against EZK 2023) is another population: shown, never
    # called a change beyond chance.
    other = (pairs["bron"] != pairs["departement"]).to_numpy()
    pairs = pairs.assign(
        verschil=difference,
        verschil_onder=low,
        verschil_boven=high,
        p=np.where(other, math.nan, two_proportion_p(x1, n1, x2, n2)),
        andere_populatie=other,
        vergeleken_met=[
            wave + ("" if source == code else f" ({source})")
            for wave, source, code in zip(
                pairs["vorige"].tolist(), pairs["bron"].tolist(), pairs["departement"].tolist(),
                strict=True,
            )
        ],
    )  # fmt: skip
    pairs["significant"] = benjamini_hochberg(pairs, "p")
    columns = ["verschil", "verschil_onder", "verschil_boven", "significant", "andere_populatie"]
    result = headline.merge(pairs[[*CELL, *columns, "vergeleken_met"]], on=CELL, how="left")
    for column in ("verschil", "verschil_onder", "verschil_boven"):
        result[column] = result[column].astype(float)
    for column in ("significant", "andere_populatie"):
        result[column] = result[column].astype("boolean").fillna(False).astype(bool)
    result["vergeleken_met"] = result["vergeleken_met"].astype("string").fillna("").astype(str)
    return result


FALSE_DISCOVERY_RATE = 0.05
# The comparisons one screen shows: one organisation, wave and group, all items.
SCREEN = ["departement", "periode", "groep"]


def two_proportion_p(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p-value of the pooled two-proportion z-test (NaN where undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.abs(x2 / n2 - x1 / n1) / se
        z = np.where(se > 0, z, np.where(x1 / n1 == x2 / n2, 0.0, np.inf))
    erfc = np.frompyfunc(math.erfc, 1, 1)
    return np.asarray(erfc(z / math.sqrt(2)), dtype=float)


def benjamini_hochberg(table: pd.DataFrame, column: str) -> pd.Series:
    """Per screen (`SCREEN`): which p-values stay below the Benjamini–Hochberg line at a
    false discovery rate of 5%. With hundreds of comparisons per wave, 5% of them would
    look significant by chance alone; this keeps the expected share of false alarms
    among the flagged ones at 5%. Set-based: thousands of screens nationally."""
    flags = pd.Series(False, index=table.index, dtype=bool)
    valid = table[column].notna()
    if not valid.any():
        return flags
    ranked = table.loc[valid, SCREEN].assign(_p=table.loc[valid, column].astype(float))
    ranked = ranked.sort_values([*SCREEN, "_p"], kind="stable")
    groups = ranked.groupby(SCREEN, sort=False)
    rank = groups.cumcount() + 1
    size = groups["_p"].transform("size")
    below = ranked["_p"] <= FALSE_DISCOVERY_RATE * rank / size
    # Every p-value up to the largest rank under the line passes (step-up).
    largest = rank.where(below, 0).groupby([ranked[c] for c in SCREEN], sort=False)
    flags.loc[ranked.index] = (rank <= largest.transform("max")).to_numpy()
    return flags


def with_rest(headline: pd.DataFrame) -> pd.DataFrame:
    """Each shown organisation against the rest of the Rijk (RIJK without it), per item.

    Overlapping intervals of M and a RIJK that contains M are no test; Newcombe's interval
    of the difference M − rest is, and Benjamini–Hochberg per screen decides "groter dan
    toeval". The rest is RIJK − M, both shown, so nothing hidden is revealed.
    """
    keys = ["periode", "groep", "item"]
    rijk = headline[(headline["departement"] == TOTAL_ROW) & ~headline["verborgen"]]
    own = headline[(headline["departement"] != TOTAL_ROW) & ~headline["verborgen"]]
    pairs = own[[*CELL, "kop", "n"]].merge(
        rijk[[*keys, "kop", "n"]], on=keys, suffixes=("", "_rijk")
    )
    x1 = _floats(pairs["kop_rijk"]) - _floats(pairs["kop"])
    n1 = _floats(pairs["n_rijk"]) - _floats(pairs["n"])
    x2, n2 = _floats(pairs["kop"]), _floats(pairs["n"])
    valid = n1 > 0
    unknown = np.full(len(pairs), math.nan)
    difference, low, high = change_arrays(x1, n1, unknown, x2, n2, unknown)
    pairs = pairs.assign(
        rest_aandeel=np.where(valid, x1 / np.where(valid, n1, 1), math.nan),
        rest_n=np.where(valid, n1, math.nan),
        rest_verschil=np.where(valid, difference, math.nan),
        rest_onder=np.where(valid, low, math.nan),
        rest_boven=np.where(valid, high, math.nan),
        rest_p=np.where(valid, two_proportion_p(x1, n1, x2, n2), math.nan),
    )
    pairs["rest_afwijkend"] = benjamini_hochberg(pairs, "rest_p")
    columns = ["rest_aandeel", "rest_n", "rest_verschil", "rest_onder", "rest_boven",
               "rest_afwijkend"]  # fmt: skip
    result = headline.merge(pairs[[*CELL, *columns]], on=CELL, how="left")
    result["rest_afwijkend"] = result["rest_afwijkend"].astype("boolean").fillna(False)
    result["rest_afwijkend"] = result["rest_afwijkend"].astype(bool)
    return result


def correlation_interval(r: float, n: int, z: float = Z95) -> tuple[float, float]:
    """95% interval of a Pearson correlation by Fisher's z-transformation (needs n > 3)."""
    if n <= 3 or not -1 < r < 1:
        return math.nan, math.nan
    centre, half = math.atanh(r), z / math.sqrt(n - 3)
    return math.tanh(centre - half), math.tanh(centre + half)


def mean_rate(response: pd.DataFrame) -> tuple[float, int]:
    """The plain mean of the ministries' response rates over those shown, and how many:
    the Court's "gemiddeld 22,3%" is such a mean; the pooled rate weighs by invitations."""
    shown = response[(response["departement"] != TOTAL_ROW) & ~response["verborgen"]]
    rates = shown["respons"].dropna()
    return (float(rates.mean()) if len(rates) else math.nan), len(rates)
