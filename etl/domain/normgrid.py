"""Norm-score figures as plain functions of DataFrames: the grid, changes, like-for-like shares.

The rules the Court's reader checks live here once and every screen, paper and
export calls them: a change compares with the last *judged* verdict (through
niet beoordeeld and through predecessors); a verdict that became niet beoordeeld
is marked; a cell without a file is nog open until the quarter's deadline; a
share over time compares like with like. No Streamlit, no database.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from etl.domain import catalog
from etl.domain.periods import previous_quarter, quarter_end, quarter_start, submission_deadline
from etl.domain.vocabulary import (
    BRON_AUDIT,
    JUDGED,
    NIET_BEOORDEELD,
    VOLDOET,
    met_and_judged,
    share_met,
    states,
)

KEYS = ["departement", "periode", "norm"]
SCORE_COLUMNS = [*KEYS, "score", "oordeel", "toelichting", "bron", "versie"]


def norms_frame() -> pd.DataFrame:
    """The norm catalogue: number, onderdeel, short label, the Court's question."""
    return pd.DataFrame(
        [
            {"norm": n.nummer, "onderdeel": n.onderdeel, "label": n.label, "vraag": n.vraag}
            for n in catalog.norms()
        ]
    )


def organisations_during(quarters: list[str]) -> pd.DataFrame:
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


def grid(
    scores: pd.DataFrame, quarters: list[str], norms: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Organisations × quarters × norms, set-based: state, toelichting, source and change.

    `scores` holds the newest version of every earlier quarter too, so a change can
    reach back past niet beoordeeld to the last judged verdict.
    """
    result = organisations_during(quarters).merge(norms, how="cross")
    current = scores[scores["periode"].isin(quarters)]
    columns = [*KEYS, "score", "oordeel", "toelichting", "bron", "versie"]
    result = result.merge(current[columns], on=KEYS, how="left")
    submitted = current[["departement", "periode"]].drop_duplicates().assign(aangeleverd=True)
    result = result.merge(submitted, on=["departement", "periode"], how="left")
    result["aangeleverd"] = result["aangeleverd"].notna() & result["aangeleverd"].astype(bool)
    deadline = result["periode"].map({q: submission_deadline(q) for q in quarters})
    result["staat"] = states(result["oordeel"], result["aangeleverd"], deadline >= today)
    result["toelichting"] = result["toelichting"].fillna("").astype(str)
    result["bron"] = result["bron"].fillna("").astype(str)
    earlier = last_judged(result[KEYS], scores)
    result["vorige_score"] = earlier["vorige_score"]
    result["vorige_periode"] = earlier["vorige_periode"]
    result["wijziging"] = result["score"] - result["vorige_score"]
    following = result["periode"].map({q: previous_quarter(q) for q in quarters})
    result["niet_meer_beoordeeld"] = (result["staat"] == NIET_BEOORDEELD) & (
        result["vorige_periode"] == following
    )
    return result


def last_judged(keys: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Each cell's last judged verdict before its quarter, and that quarter.

    Its own, else its nearest predecessor's (EZ in 2024-Q3 compares with EZK in
    2024-Q2); niet beoordeeld and onbekend are skipped, so ja → n.b. → nee is worse.
    """
    out = pd.DataFrame(
        {"vorige_score": float("nan"), "vorige_periode": None}, index=keys.index
    ).astype({"vorige_score": float, "vorige_periode": object})
    judged = scores.loc[scores["oordeel"].isin(JUDGED), ["departement", "periode", "norm", "score"]]
    if keys.empty or judged.empty:
        return out
    judged = judged.rename(columns={"departement": "bron_code", "periode": "eerder"})
    lineage = catalog.lineage_frame(sorted(keys["departement"].unique())).rename(
        columns={"bron": "bron_code"}
    )
    left = keys.rename_axis("rij").reset_index().merge(lineage, on="departement")
    left = left.assign(_q=_quarter_numbers(left["periode"])).sort_values("_q", kind="stable")
    right = judged.assign(_q=_quarter_numbers(judged["eerder"])).sort_values("_q", kind="stable")
    by = ["bron_code", "norm"]
    left[by] = left[by].astype({"bron_code": object, "norm": np.int64})
    right[by] = right[by].astype({"bron_code": object, "norm": np.int64})
    # Per cell and source, the latest judged quarter strictly before the cell's own.
    found = pd.merge_asof(
        left, right, on="_q", by=by, allow_exact_matches=False, direction="backward"
    ).dropna(subset=["eerder"])
    found = found.sort_values(["eerder", "diepte"], ascending=[False, True], kind="stable")
    found = found.drop_duplicates("rij")
    rows = found["rij"].to_numpy()
    out.loc[rows, "vorige_score"] = found["score"].astype(float).to_numpy()
    out.loc[rows, "vorige_periode"] = found["eerder"].astype(str).to_numpy()
    return out


def _quarter_numbers(periods: pd.Series) -> np.ndarray:
    """'2025-Q3' → 2025·4 + 3: quarters as ordered integers (for `merge_asof`)."""
    text = periods.astype(str)
    years = text.str.slice(0, 4).astype(int).to_numpy()
    quarters = text.str.slice(6, 7).astype(int).to_numpy()
    return np.asarray(years * 4 + quarters, dtype=np.int64)


def regressions(cells: pd.DataFrame) -> pd.DataFrame:
    """Who went backwards: worse than the last judged verdict, or no longer judged."""
    return cells[(cells["wijziging"] < 0) | cells["niet_meer_beoordeeld"]]


def improvements(cells: pd.DataFrame) -> pd.DataFrame:
    """Better than the last judged verdict."""
    return cells[cells["wijziging"] > 0]


def panel_shares(cells: pd.DataFrame, by: list[str], unit: list[str]) -> pd.DataFrame:
    """Share met per group and quarter over a fixed panel: like for like across the series.

    The panel is every `unit` (a norm, or a ministry and norm) judged in *every* quarter
    its group has cells in (a ministry that began in July 2024 or skipped a quarter keeps
    its own line over its own quarters); a unit judged in some of them only would make the
    share jump for that reason alone (BZK respons 0 of 1 → 2 of 3 while norm 15 stayed
    nee). Each row says "x van y", who judged the quarter, and how many units the panel
    left out. `cells`
    hold one row per unit and quarter. Counted with integer codes and `bincount`: the
    trends count every cell of every quarter, tens of thousands nationally.
    """
    columns = ["periode", *by, "voldaan", "beoordeeld", "aandeel", "x_van_y", "bron", "weggelaten"]
    met, judged = met_and_judged(cells["staat"])
    if not judged.any():
        return pd.DataFrame(columns=columns)
    group, groups = _codes(cells, by)
    unit_code, units = _codes(cells, [*by, *unit])
    quarter, quarters = pd.factorize(cells["periode"], sort=True)
    n_groups, n_quarters = len(groups), len(quarters)
    key = group * n_quarters + quarter
    size = n_groups * n_quarters
    # Quarters per group: each (group, quarter) pair with any cell counts once.
    group_quarters = np.bincount(np.unique(key) // n_quarters, minlength=n_groups)
    group_of_unit = np.zeros(len(units), dtype=np.int64)
    group_of_unit[unit_code] = group
    judged_quarters = np.bincount(unit_code[judged], minlength=len(units))
    complete = judged_quarters == group_quarters[group_of_unit]
    in_panel = judged & complete[unit_code]
    voldaan = np.bincount(key[in_panel], weights=met[in_panel], minlength=size).astype(int)
    beoordeeld = np.bincount(key[in_panel], minlength=size)
    audit = (cells["bron"].to_numpy() == BRON_AUDIT)[judged]
    audited = np.bincount(key[judged], weights=audit, minlength=size)
    any_judged = np.bincount(key[judged], minlength=size)
    all_units = np.bincount(group_of_unit, minlength=n_groups)
    panel_units = np.bincount(group_of_unit[complete], minlength=n_groups)
    shown = np.nonzero(beoordeeld > 0)[0]
    result = groups.iloc[shown // n_quarters].reset_index(drop=True)
    result["periode"] = np.asarray(quarters)[shown % n_quarters]
    result["voldaan"] = voldaan[shown]
    result["beoordeeld"] = beoordeeld[shown]
    result["aandeel"] = result["voldaan"] / result["beoordeeld"]
    result["x_van_y"] = (
        result["voldaan"].astype(str) + " van " + result["beoordeeld"].astype(str)
    ).astype(object)
    # Who judged, from the share of judged cells the Court audited: all, some, or none.
    share = audited[shown] / any_judged[shown]
    sources = [frozenset({BRON_AUDIT}), frozenset({BRON_AUDIT, "zelf"}), frozenset({"zelf"})]
    kind = np.select([share == 1, share > 0], [0, 1], 2)
    result["bron"] = [source_label(sources[k]) for k in kind]
    group_index = shown // n_quarters
    result["weggelaten"] = (all_units - panel_units)[group_index]
    return result[columns].sort_values([*by, "periode"]).reset_index(drop=True)


def _codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """An integer code per row for the combination of `columns`, and the combinations."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(frame[column])
        combined = combined * (len(uniques) + 1) + codes
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    return inverse.astype(np.int64), frame[columns].iloc[first].reset_index(drop=True)


def ministry_onderdeel_shares(history: pd.DataFrame, start: str | None = None) -> pd.DataFrame:
    """One ministry's share met per onderdeel and quarter from `start` on, like for like
    (its norms judged in every quarter shown): the ministry page and its praatplaat."""
    chosen = history if start is None else history[history["periode"] >= start]
    return panel_shares(chosen, ["onderdeel"], ["norm"])


def quarter_shares(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Share met per group and quarter over every judged norm, with "x van y" (for tables:
    the set differs per quarter, so these are not for a line)."""
    shares = share_met(cells, [*by, "periode"])
    shares["x_van_y"] = [
        f"{m} van {j}" for m, j in zip(shares["voldaan"], shares["beoordeeld"], strict=True)
    ]
    return shares.sort_values([*by, "periode"]).reset_index(drop=True)


def source_label(sources: frozenset[str] | None) -> str:
    """Which assessor a quarter's figures come from, in words."""
    if not sources:
        return ""
    if sources == {BRON_AUDIT}:
        return "audit Algemene Rekenkamer"
    if BRON_AUDIT in sources:
        return "audit Algemene Rekenkamer en zelfbeoordeling"
    return "zelfbeoordeling (niet geaudit)"


def like_for_like(cells: pd.DataFrame, start: str, end: str, by: list[str]) -> pd.DataFrame:
    """Share met at two quarters over the same norms: those judged at both ends.

    `cells` holds one organisation's (or a set's) cells with `staat`, `norm` and
    `periode`. Returns per group the share at start and at end, with how many norms
    were comparable and how many were left out because either end was not judged.
    """
    first = cells[(cells["periode"] == start) & cells["staat"].isin(JUDGED)]
    last = cells[(cells["periode"] == end) & cells["staat"].isin(JUDGED)]
    keys = [*by, "norm"]
    both = first[[*keys, "staat"]].merge(last[[*keys, "staat"]], on=keys, suffixes=("_b", "_e"))
    everything = cells[cells["periode"].isin([start, end])].drop_duplicates(keys)
    rows = []
    for values, group in everything.groupby(by, sort=False) if by else [((), everything)]:
        key = values if isinstance(values, tuple) else (values,)
        mask = pd.Series(True, index=both.index)
        for column, value in zip(by, key, strict=True):
            mask &= both[column] == value
        pair = both[mask]
        row = dict(zip(by, key, strict=True))
        n = len(pair)
        met_start = int((pair["staat_b"] == VOLDOET).sum())
        met_end = int((pair["staat_e"] == VOLDOET).sum())
        row.update(
            {
                "vergelijkbaar": n,
                "weggelaten": int(group["norm"].nunique()) - n,
                "voldaan_begin": met_start,
                "voldaan_eind": met_end,
                "aandeel_begin": met_start / n if n else float("nan"),
                "aandeel_eind": met_end / n if n else float("nan"),
                "normen": ", ".join(str(v) for v in sorted(pair["norm"].unique())),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)
