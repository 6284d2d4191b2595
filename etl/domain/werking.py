"""Figures on how policy works (reports and their handling, confidential advisers), under
the privacy rule for small counts. Pure: DataFrames in, DataFrames out.

The rule (`../shared/CONTRACT.md`, "Disclosure rules"): the totals annual reports publish
are exact (an organisation's year per measure; the Rijk per type and per measure). A count
of 1 to `threshold - 1` of one organisation, type (or subject) and year can point to a
person: only the coordinator and the organisation's own integrity lead see it; everyone
else sees it "afgeschermd", together with just enough other cells that no exact total gives
it back (`etl.domain.werking_protection`). Zero is shown: it points to nobody. A publication never
prints a range where a count belongs.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import numpy as np
import pandas as pd

from etl.domain import catalog, rates, vocabulary, werking_protection

# The handling chain, in order, with the words the screens use.
CHAIN: Final = {
    "meldingen": "gemeld",
    "onderzoeken": "onderzoek gestart",
    "afgerond": "onderzoek afgerond",
    "gegrond": "schending vastgesteld (gegrond)",
    "maatregelen": "maatregel opgelegd",
    "aangiften": "aangifte gedaan",
}
HIDDEN: Final = "afgeschermd"
RULE_TEXT: Final = (
    "Totalen zijn exact: per organisatie en jaar, en voor het Rijk per soort. Aantallen van "
    "1 tot en met {top} van één organisatie en soort in een jaar kunnen naar een persoon "
    "wijzen: alleen de coördinator en de eigen integriteitsleiding zien ze. Anderen zien ze "
    "als '" + HIDDEN + "', samen met zo weinig mogelijk andere cellen (soms een 0 of een "
    "groter aantal), zodat geen getoond totaal een afgeschermd aantal terug laat rekenen."
)


def rule_text(threshold: int) -> str:
    return RULE_TEXT.format(top=threshold - 1)


def long_counts(frame: pd.DataFrame, measures: Sequence[str], keys: Sequence[str]) -> pd.DataFrame:
    """One row per (departement, periode, *keys, maat) with its `aantal`."""
    # A measure may itself be called `aantal` (kind `maatregelen`): melt under another name.
    return frame.melt(
        id_vars=["departement", "periode", *keys],
        value_vars=list(measures),
        var_name="maat",
        value_name="_aantal",
    ).rename(columns={"_aantal": "aantal"})


def protect(
    long: pd.DataFrame, exact: frozenset[str] | None, threshold: int, time: str, key: str
) -> tuple[pd.DataFrame, werking_protection.Protection]:
    """`long` with `laag` and `hoog` (both the exact count, or empty where hidden) and
    `verborgen`; and the plan, which also says which Rijk totals per key hide. `exact`:
    the organisations seen exactly (None for all). The plan is the same for every reader
    (`etl.domain.werking_protection`): only who sees their own cells differs."""
    counts = long["aantal"].astype(int).to_numpy()
    hidden = np.zeros(len(long), dtype=bool)
    protection = werking_protection.Protection()
    if exact is not None:
        protection = werking_protection.plan(long, time, key, threshold)
        cells = zip(long["departement"], long[time], long[key], long["maat"], strict=True)
        hidden = np.array([c in protection.hidden for c in cells], dtype=bool)
        hidden &= ~long["departement"].isin(exact).to_numpy()
    shown = np.where(hidden, np.nan, counts.astype(float))
    result = long.assign(laag=shown, hoog=shown, verborgen=hidden.astype(int))
    return result, protection


def count_text(count: float, verborgen: int) -> str:
    """'12', or 'afgeschermd' for a hidden count."""
    if verborgen or pd.isna(count):
        return HIDDEN
    return _thousands(int(count))


def texts(frame: pd.DataFrame) -> pd.Series:
    """`count_text` down a frame with laag and verborgen."""
    return pd.Series(
        [count_text(a, int(h)) for a, h in zip(frame["laag"], frame["verborgen"], strict=True)],
        index=frame.index, dtype=object,
    )  # fmt: skip


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Rate per 1,000 employees for a total shown as laag..hoog over `medewerkers`: the
    point (or the range of points) and the exact Poisson interval around it (from the
    lower limit of `laag` to the upper limit of `hoog`). NaN without a headcount."""
    result = frame.copy()
    staff = pd.to_numeric(frame["medewerkers"], errors="coerce").to_numpy(dtype=float)
    staff = np.where(staff > 0, staff, np.nan)
    low, high = frame["laag"].to_numpy(dtype=float), frame["hoog"].to_numpy(dtype=float)
    low_limit, _ = rates.intervals(low)
    _, high_limit = rates.intervals(high)
    result["tarief_laag_punt"] = rates.PER * low / staff
    result["tarief_hoog_punt"] = rates.PER * high / staff
    result["interval_laag"] = rates.PER * low_limit / staff
    result["interval_hoog"] = rates.PER * high_limit / staff
    return result


def rate_text(row: pd.Series) -> str:
    """'6,3 (1,3–18,3)' per 1,000; 'afgeschermd' for a hidden count; '–' without headcount."""
    if int(row.get("verborgen", 0) or 0):
        return HIDDEN
    if pd.isna(row["tarief_laag_punt"]):
        return "– (geen omvang opgegeven)"
    interval = f"({decimal(row['interval_laag'])}–{decimal(row['interval_hoog'])})"
    return f"{decimal(row['tarief_laag_punt'])} {interval}"


def decimal(value: float) -> str:
    """One decimal, half up as Dutch readers round (31,25 → 31,3), with a decimal comma."""
    rounded = Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", ",")


def _thousands(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


RIJK: Final = vocabulary.RIJK
ALL: Final = "alle"


def _staff(headcount: pd.DataFrame, time: str, quarters: pd.DataFrame) -> pd.DataFrame:
    """The denominator per (departement, time): a quarter's headcount, or a year's
    person-years (`rates.person_years`) when every quarter of it with counts has a headcount
    (else none: no rate rather than a guess)."""
    staff = headcount[["departement", "periode", "medewerkers"]]
    if time == "periode":
        return staff
    counted = quarters.merge(staff, on=["departement", "periode"], how="left")
    counted["jaar"] = counted["periode"].str[:4].astype(int)
    grouped = counted.groupby(["departement", "jaar"], as_index=False).agg(
        kwartalen=("periode", "nunique"),
        met_omvang=("medewerkers", "count"),
        medewerkers=("medewerkers", "sum"),
    )
    grouped["medewerkers"] = rates.person_years(grouped["medewerkers"])
    grouped.loc[grouped["met_omvang"] < grouped["kwartalen"], "medewerkers"] = np.nan
    return grouped[["departement", "jaar", "medewerkers"]]


def cube(
    long: pd.DataFrame,
    headcount: pd.DataFrame,
    key: str,
    exact: frozenset[str] | None,
    threshold: int,
    time: str = "periode",
) -> pd.DataFrame:
    """Every figure a screen shows, per organisation and RIJK, per `time` (periode or jaar),
    per `key` value and `alle`, per maat: the count (`laag` = `hoog`, empty where hidden),
    `verborgen`, the headcount and the rate.

    `long` holds the exact counts per quarter (`long_counts`). For `jaar` the quarters are
    summed first and the privacy rule applies to the year's cells: the counts protected
    are those of the granularity shown (see `ReadModel.werking` for who gets which). The
    totals (an organisation's `alle`, the Rijk per key and `alle`) are exact. RIJK's rate
    counts only the organisations with a headcount (numerator and denominator alike), so one
    missing headcount does not blank the Rijk; where cells are hidden, the Rijk's rate per
    key is left out then, since its numerator would give the missing organisations' cells."""
    quarters = long[["departement", "periode"]].drop_duplicates()
    if time == "jaar":
        long = long.assign(jaar=long["periode"].str[:4].astype(int))
        columns = ["departement", "jaar", key, "maat"]
        long = long.groupby(columns, as_index=False)[["aantal"]].sum()
    cells, protection = protect(long, exact, threshold, time, key)
    unprotected = protection.unprotected  # none known; should one occur, its totals hide
    per_all = cells.groupby(["departement", time, "maat"], as_index=False, sort=False).agg(
        aantal=("aantal", "sum")
    )
    per_all[key] = ALL
    total_hidden = np.array(
        [(d, t, m) in {(c[0], c[1], c[3]) for c in unprotected}
         for d, t, m in zip(per_all["departement"], per_all[time], per_all["maat"], strict=True)],
        dtype=bool,
    )  # fmt: skip
    shown = np.where(total_hidden, np.nan, per_all["aantal"].to_numpy(dtype=float))
    per_all = per_all.assign(laag=shown, hoog=shown, verborgen=total_hidden.astype(int))
    orgs = pd.concat([cells, per_all], ignore_index=True)
    orgs = orgs.merge(_staff(headcount, time, quarters), on=["departement", time], how="left")
    known = orgs["medewerkers"].notna()
    orgs["met_omvang"] = orgs["aantal"].where(known, 0)
    rijk = orgs.groupby([time, key, "maat"], as_index=False, sort=False)[
        ["aantal", "met_omvang"]
    ].sum()
    staff = (
        orgs.drop_duplicates(["departement", time]).groupby(time)["medewerkers"].sum(min_count=1)
    )
    rijk["medewerkers"] = rijk[time].map(staff)
    if exact is not None and orgs["verborgen"].any():
        incomplete = orgs[~known].groupby(time).size()
        guarded = rijk[time].isin(incomplete.index) & (rijk[key] != ALL)
        rijk.loc[guarded, "met_omvang"] = np.nan
    unsafe_columns = {(t, k, m) for _, t, k, m in unprotected}
    rijk_hidden = np.array(
        [k != ALL and ((t, m) in protection.rijk_hidden or (t, k, m) in unsafe_columns)
         for t, k, m in zip(rijk[time], rijk[key], rijk["maat"], strict=True)],
        dtype=bool,
    )  # fmt: skip
    rijk_shown = np.where(rijk_hidden, np.nan, rijk["aantal"].to_numpy(dtype=float))
    rijk = rijk.assign(laag=rijk_shown, hoog=rijk_shown, verborgen=rijk_hidden.astype(int),
                       departement=RIJK)  # fmt: skip
    rijk.loc[rijk_hidden, "met_omvang"] = np.nan
    result = pd.concat([orgs, rijk], ignore_index=True)
    if time == "jaar":  # how many quarters a year's figures cover (a running year: fewer)
        per_year = quarters.assign(jaar=quarters["periode"].str[:4].astype(int))
        result["kwartalen"] = result["jaar"].map(per_year.groupby("jaar")["periode"].nunique())
    is_rijk = (result["departement"] == RIJK).to_numpy()
    numerator = np.where(is_rijk, result["met_omvang"].to_numpy(dtype=float),
                         result["laag"].to_numpy(dtype=float))  # fmt: skip
    result["laag_met_omvang"] = numerator
    result["hoog_met_omvang"] = numerator
    rated = with_rates(result.assign(laag=numerator, hoog=numerator))
    for column in ("tarief_laag_punt", "tarief_hoog_punt", "interval_laag", "interval_hoog"):
        result[column] = rated[column]
    return result.drop(columns=["aantal", "met_omvang"])


def funnel(
    cube_year: pd.DataFrame, maat: str, jaar: int, sizes: int = 60
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """The funnel plot of one measure and year over all types: the organisations' points
    (a rate, or a range of rates where counts are hidden) with their position, the control
    limits over the range of sizes (widened where the organisations spread more than chance
    allows: `rates.overdispersion`, its φ in the limits' `phi` column), and the Rijk's rate
    per person-year (its range's middle)."""
    rows = cube_year[(cube_year["jaar"] == jaar) & (cube_year["maat"] == maat)
                     & (cube_year[_key(cube_year)] == ALL)]  # fmt: skip
    rijk = rows[rows["departement"] == RIJK]
    orgs = rows[(rows["departement"] != RIJK) & rows["medewerkers"].notna()].copy()
    if rijk.empty or orgs.empty or not rijk["medewerkers"].iloc[0] > 0:
        return orgs, pd.DataFrame(), float("nan")
    middle = (rijk["laag_met_omvang"].iloc[0] + rijk["hoog_met_omvang"].iloc[0]) / 2
    per_employee = float(middle / rijk["medewerkers"].iloc[0])
    middle_counts = (orgs["laag"].to_numpy(dtype=float) + orgs["hoog"].to_numpy(dtype=float)) / 2
    phi = rates.overdispersion(middle_counts, orgs["medewerkers"].to_numpy(dtype=float),
                               per_employee)  # fmt: skip
    orgs["positie"] = [
        _position(int(low), int(high), float(staff), per_employee, phi)
        for low, high, staff in zip(orgs["laag"], orgs["hoog"], orgs["medewerkers"], strict=True)
    ]
    grid = np.geomspace(max(50.0, orgs["medewerkers"].min() / 2), orgs["medewerkers"].max() * 1.5,
                        sizes)  # fmt: skip
    return orgs, rates.funnel_limits(per_employee, grid, phi), per_employee


def _key(frame: pd.DataFrame) -> str:
    return "soort" if "soort" in frame.columns else "onderwerp"


def _position(low: int, high: int, staff: float, per_employee: float, phi: float) -> str:
    """Above or below the 99.8% band only when the whole range is; else within."""
    above = rates.funnel_position(low, staff, per_employee, phi) == "boven"
    below = rates.funnel_position(high, staff, per_employee, phi) == "onder"
    return "boven" if above else "onder" if below else "binnen"


def newest_complete_year(reports: pd.DataFrame, code: str | None, periode: str) -> int | None:
    """The newest complete year (four quarters) with reports of `code` (None: of anyone), in
    or before the year of `periode`; None when there is none the reader may see. The one
    definition every screen and paper uses."""
    if reports.empty:
        return None
    mine = reports[(reports["kwartalen"] == 4) & (reports["jaar"] <= int(periode[:4]))]
    if code is not None:
        mine = mine[mine["departement"] == code]
    return int(mine["jaar"].max()) if not mine.empty else None


def measure_differences(reports: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Quarters where the disciplinary measures by kind (kind 8) do not add up to the
    measures imposed of kind 5 (`maatregelen`): a signal to the coordinator (contract), not a
    refusal. Columns departement, periode, maatregelen (kind 5), disciplinair (kind 8)."""
    columns = ["departement", "periode", "maatregelen", "disciplinair"]
    if reports.empty or measures.empty:
        return pd.DataFrame(columns=columns)
    disciplinary = {m.code for m in catalog.measures() if m.disciplinair}
    keys = ["departement", "periode"]
    imposed = reports.groupby(keys)["maatregelen"].sum().reset_index()
    chosen = measures[measures["maatregel"].isin(disciplinary)]
    by_kind = chosen.groupby(keys)["aantal"].sum().rename("disciplinair").reset_index()
    both = imposed.merge(by_kind, on=keys)
    differ = both[both["maatregelen"].astype(int) != both["disciplinair"].astype(int)]
    result: pd.DataFrame = differ[columns].sort_values(["periode", "departement"])
    return result.reset_index(drop=True)
