"""Rates per 1,000 employees with exact Poisson intervals, and funnel-plot control limits.

The one place for these rules, so every screen, PDF and export says the same:

- A rate counts events (reports, established violations) in a period, divided by the
  headcount at the end of each quarter (kind `omvang`), per 1,000 employees. A year's rate
  divides the year's events by the mean headcount of its quarters. Without a headcount
  for every quarter counted there is no rate: never a rate of zero, never a guess.
- The interval is the exact (Garwood) Poisson interval for the count, divided by the
  same denominator: it assumes the events are independent and the headcount fixed.
- Organisations of very different sizes are compared by a funnel plot: the Rijk's rate,
  and around it the range a count would fall in by chance alone (Poisson quantiles at
  95% and 99.8%) for an organisation of each size; never a ranking.
- More reports need not mean more violations: it can mean a culture in which people
  dare to report. The rate says how often, not which way is good.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

PER: Final = 1000
CONFIDENCE: Final = 0.95
FUNNEL_LEVELS: Final = (0.95, 0.998)
READING: Final = (
    "Meer meldingen hoeft niet meer schendingen te betekenen: het kan ook betekenen dat "
    "medewerkers durven te melden. Een cijfer zegt hoe vaak, niet welke kant goed is."
)
ASSUMPTION: Final = (
    "Per 1.000 medewerkers (omvang aan het eind van het kwartaal; voor een jaar het gemiddelde "
    "van de kwartalen). Interval: exact 95%-Poisson-interval voor het aantal; het neemt aan dat "
    "meldingen onafhankelijk van elkaar zijn en de omvang vaststaat. Zonder opgave van de omvang "
    "voor elk kwartaal is er geen cijfer (nooit 0)."
)
OUTSIDE_WORDS: Final = {
    "boven": "hoger dan bij toeval te verwachten bij het rijksgemiddelde (boven de 99,8%-grens)",
    "onder": "lager dan bij toeval te verwachten bij het rijksgemiddelde (onder de 99,8%-grens)",
    "binnen": "binnen wat bij toeval te verwachten is bij het rijksgemiddelde",
}


def poisson_interval(count: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean given one observed count."""
    alpha = 1 - confidence
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return low, high


def intervals(counts: np.ndarray, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """`poisson_interval` for many counts at once (vectorised: a national table has
    hundreds of thousands)."""
    counts = np.asarray(counts, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(counts > 0, stats.chi2.ppf(alpha / 2, 2 * counts) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    return low, high


def rate(count: int, staff: float | None) -> tuple[float, float, float]:
    """Rate per 1,000 employees with its interval; NaN three times without a headcount."""
    if staff is None or pd.isna(staff) or staff <= 0:
        return (np.nan, np.nan, np.nan)
    low, high = poisson_interval(int(count))
    return (PER * count / staff, PER * low / staff, PER * high / staff)


def rates(frame: pd.DataFrame, count: str, staff: str = "medewerkers") -> pd.DataFrame:
    """`frame` with `tarief`, `tarief_laag`, `tarief_hoog` for the column `count` over the
    column `staff` (NaN where the headcount is missing)."""
    values = [rate(int(k), s) for k, s in zip(frame[count], frame[staff], strict=True)]
    result = frame.copy()
    result[["tarief", "tarief_laag", "tarief_hoog"]] = pd.DataFrame(
        values, index=frame.index, columns=["tarief", "tarief_laag", "tarief_hoog"]
    )
    return result


def yearly(
    counts: pd.DataFrame, headcount: pd.DataFrame, measure: str, by: list[str]
) -> pd.DataFrame:
    """Per group of `by` (which holds `departement`) and year: the year's count of `measure`,
    the mean headcount of its quarters, and how many of the quarters counted have a
    headcount. The mean is only kept when every quarter counted has one."""
    data = counts.assign(jaar=counts["periode"].str[:4].astype(int))
    per_quarter = data.groupby([*by, "jaar", "periode"], as_index=False)[measure].sum()
    joined = per_quarter.merge(headcount[["departement", "periode", "medewerkers"]],
                               on=["departement", "periode"], how="left")  # fmt: skip
    result: pd.DataFrame = joined.groupby([*by, "jaar"], as_index=False).agg(
        aantal=(measure, "sum"),
        kwartalen=("periode", "nunique"),
        met_omvang=("medewerkers", "count"),
        medewerkers=("medewerkers", "mean"),
    )
    result.loc[result["met_omvang"] < result["kwartalen"], "medewerkers"] = np.nan
    return result


def funnel_limits(rijk_rate: float, sizes: np.ndarray) -> pd.DataFrame:
    """For each headcount in `sizes`: the band of rates (per 1,000) a count falls in by
    chance alone at each level of `FUNNEL_LEVELS`, around the Rijk's rate per employee."""
    expected = rijk_rate * sizes
    frame = pd.DataFrame({"medewerkers": sizes, "rijk": PER * rijk_rate})
    for level in FUNNEL_LEVELS:
        tail = (1 - level) / 2
        low = stats.poisson.ppf(tail, expected)
        high = stats.poisson.ppf(1 - tail, expected)
        name = f"{round(level * 100, 1):g}".replace(".", ",")
        frame[f"laag_{name}"] = PER * low / sizes
        frame[f"hoog_{name}"] = PER * high / sizes
    return frame


def funnel_position(count: int, staff: float, rijk_rate: float) -> str:
    """'boven', 'onder' or 'binnen' the 99.8% band of the funnel, for one organisation."""
    expected = rijk_rate * staff
    tail = (1 - FUNNEL_LEVELS[-1]) / 2
    if count > stats.poisson.ppf(1 - tail, expected):
        return "boven"
    if count < stats.poisson.ppf(tail, expected):
        return "onder"
    return "binnen"
