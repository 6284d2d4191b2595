"""Figures on how policy works (reports and their handling, confidential advisers), under
the privacy rule for small counts. Pure: DataFrames in, DataFrames out.

The rule: a count of 1 to `threshold - 1` of one organisation, type (or subject) and
quarter (or year) can point to a person. Only the coordinator and the organisation's own integrity
lead see it exactly; every other reader sees "minder dan 5". A total that includes such
counts is shown as a range (from every hidden count being 1 to every one being
`threshold - 1`), never as one number, so no shown total lets a hidden count be
recovered: everything shown is a function of the shown counts and the labels alone (a
test changes a hidden count and finds every published figure unchanged). Zero is shown:
it points to nobody. The price is a range where a total holds small counts; the
coordinator and the organisation itself see the exact figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import numpy as np
import pandas as pd

from etl import rates

# The handling chain, in order, with the words the screens use.
CHAIN: Final = {
    "meldingen": "gemeld",
    "onderzoeken": "onderzoek gestart",
    "afgerond": "onderzoek afgerond",
    "gegrond": "schending vastgesteld (gegrond)",
    "maatregelen": "maatregel opgelegd",
    "aangiften": "aangifte gedaan",
}
RULE_TEXT: Final = (
    "Aantallen van 1 tot en met {top} van één organisatie, soort en kwartaal kunnen naar een "
    "persoon wijzen: alleen de coördinator en de eigen integriteitsleiding zien ze; anderen "
    "zien 'minder dan {threshold}', en een totaal waarin zulke aantallen zitten als bereik "
    "(van–tot), zodat geen verborgen aantal terug te rekenen is."
)


def rule_text(threshold: int) -> str:
    return RULE_TEXT.format(top=threshold - 1, threshold=threshold)


def long_counts(frame: pd.DataFrame, measures: Sequence[str], keys: Sequence[str]) -> pd.DataFrame:
    """One row per (departement, periode, *keys, maat) with its `aantal`."""
    return frame.melt(
        id_vars=["departement", "periode", *keys],
        value_vars=list(measures),
        var_name="maat",
        value_name="aantal",
    )


def protect(long: pd.DataFrame, exact: frozenset[str] | None, threshold: int) -> pd.DataFrame:
    """`long` with `laag`, `hoog` and `verborgen`: the exact count where the reader may see
    it (`exact`: organisations seen exactly, None for all), else 1 to threshold - 1 for a
    small count. Each row stays; only what it shows changes."""
    counts = long["aantal"].astype(int).to_numpy()
    small = (counts >= 1) & (counts < threshold)
    if exact is None:
        small[:] = False
    else:
        small &= ~long["departement"].isin(exact).to_numpy()
    return long.assign(
        laag=np.where(small, 1, counts),
        hoog=np.where(small, threshold - 1, counts),
        verborgen=small.astype(int),
    ).drop(columns="aantal")


def total(protected: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Sums of what is shown: the range of the total and how many hidden counts are in it."""
    columns = ["laag", "hoog", "verborgen"]
    if not by:
        return pd.DataFrame([protected[columns].sum().astype(int)])
    return protected.groupby(list(by), as_index=False, sort=False)[columns].sum()


def count_text(laag: int, hoog: int, verborgen: int, threshold: int) -> str:
    """'12', 'minder dan 5' (one hidden count alone), or '8 tot 11' (a range)."""
    if laag == hoog:
        return _thousands(laag)
    if verborgen == 1 and laag == 1 and hoog == threshold - 1:
        return f"minder dan {threshold}"
    return f"{_thousands(laag)} tot {_thousands(hoog)}"


def texts(frame: pd.DataFrame, threshold: int) -> pd.Series:
    """`count_text` down a frame with laag, hoog and verborgen."""
    return pd.Series(
        [count_text(int(a), int(b), int(h), threshold)
         for a, b, h in zip(frame["laag"], frame["hoog"], frame["verborgen"], strict=True)],
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
    """'6,3 (1,3–18,3)' or 'tussen 2,1 en 8,3 (1,0–19,0)' per 1,000; '–' without headcount."""
    if pd.isna(row["tarief_laag_punt"]):
        return "– (geen omvang opgegeven)"
    interval = f"({decimal(row['interval_laag'])}–{decimal(row['interval_hoog'])})"
    if row["tarief_laag_punt"] == row["tarief_hoog_punt"]:
        return f"{decimal(row['tarief_laag_punt'])} {interval}"
    low, high = decimal(row["tarief_laag_punt"]), decimal(row["tarief_hoog_punt"])
    return f"tussen {low} en {high} {interval}"


def decimal(value: float) -> str:
    """One decimal, half up as Dutch readers round (31,25 → 31,3), with a decimal comma."""
    rounded = Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", ",")


def _thousands(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


RIJK: Final = "RIJK"
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
    """Every total a screen shows, per organisation and RIJK, per `time` (periode or jaar),
    per `key` value and `alle`, per maat: laag, hoog, verborgen, the headcount and the rate.

    `long` holds the exact counts per quarter (`long_counts`). For `jaar` the quarters are
    summed first and the privacy rule applies to the year's counts: the counts protected
    are those of the granularity shown, so figures of one granularity never combine with
    another's to pin a hidden count (see `ReadModel.werking` for who gets which). RIJK's
    rate counts only the organisations with a headcount (numerator and denominator
    alike), so one missing headcount does not blank the Rijk."""
    quarters = long[["departement", "periode"]].drop_duplicates()
    if time == "jaar":
        long = long.assign(jaar=long["periode"].str[:4].astype(int))
        columns = ["departement", "jaar", key, "maat"]
        long = long.groupby(columns, as_index=False)[["aantal"]].sum()
    shown = protect(long, exact, threshold)
    per_key = total(shown, ["departement", time, key, "maat"])
    per_all = total(shown, ["departement", time, "maat"]).assign(**{key: ALL})
    orgs = pd.concat([per_key, per_all], ignore_index=True)
    orgs = orgs.merge(_staff(headcount, time, quarters), on=["departement", time], how="left")
    known = orgs["medewerkers"].notna()
    orgs["laag_met_omvang"] = orgs["laag"].where(known, 0)
    orgs["hoog_met_omvang"] = orgs["hoog"].where(known, 0)
    sums = ["laag", "hoog", "verborgen", "laag_met_omvang", "hoog_met_omvang"]
    rijk = orgs.groupby([time, key, "maat"], as_index=False, sort=False)[sums].sum()
    staff = (
        orgs.drop_duplicates(["departement", time]).groupby(time)["medewerkers"].sum(min_count=1)
    )
    rijk["medewerkers"] = rijk[time].map(staff)
    rijk["departement"] = RIJK
    result = pd.concat([orgs, rijk], ignore_index=True)
    if time == "jaar":  # how many quarters a year's figures cover (a running year: fewer)
        per_year = quarters.assign(jaar=quarters["periode"].str[:4].astype(int))
        result["kwartalen"] = result["jaar"].map(per_year.groupby("jaar")["periode"].nunique())
    counted = result.assign(laag=result["laag_met_omvang"], hoog=result["hoog_met_omvang"])
    rated = with_rates(counted)
    for column in ("tarief_laag_punt", "tarief_hoog_punt", "interval_laag", "interval_hoog"):
        result[column] = rated[column]
    return result


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


def newest_complete_year(reports: pd.DataFrame, code: str, periode: str) -> int | None:
    """The newest complete year (four quarters) with reports of `code`, in or before the
    year of `periode`; None when there is none the reader may see."""
    if reports.empty:
        return None
    mine = reports[(reports["departement"] == code) & (reports["kwartalen"] == 4)
                   & (reports["jaar"] <= int(periode[:4]))]  # fmt: skip
    return int(mine["jaar"].max()) if not mine.empty else None
