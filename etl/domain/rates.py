"""Rates per 1,000 employees with exact Poisson intervals, and funnel-plot control limits.

The one place for these rules, so every screen, PDF and export says the same:

- A rate counts events (reports, established violations) in a period, divided by the
  headcount at the end of each quarter (kind `omvang`), per 1,000 employees. A year's rate
  divides the year's events by the year's person-years: the sum over the quarters counted
  of the headcount × ¼ (the contract, kind 6). So an organisation that existed half a year
  is not shown its half-year count as a yearly rate, and the Rijk's denominator counts each
  person once in a year of reorganisation. Without a headcount for every quarter counted
  there is no rate: never a rate of zero, never a guess.
- The interval is the exact (Garwood) Poisson interval for the count, divided by the
  same denominator: it assumes the events are independent and the headcount fixed.
- Organisations of very different sizes are compared by a funnel plot: the Rijk's rate,
  and around it the range a count would fall in by chance alone (Poisson quantiles at
  95% and 99.8%) for an organisation of each size; never a ranking.
- More reports need not mean more violations: it can mean a culture in which people
  dare to report. The rate says how often, not which way is good.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

PER: Final = 1000
CONFIDENCE: Final = 0.95
FUNNEL_LEVELS: Final = (0.95, 0.998)
READING: Final = (
    "Meer meldingen hoeft niet meer schendingen te betekenen: het kan ook betekenen dat "
    "medewerkers durven te melden. Een cijfer zegt hoe vaak, niet welke kant goed is."
)
ASSUMPTION: Final = (
    "Per 1.000 medewerkers (omvang aan het eind van het kwartaal); per jaar: per 1.000 "
    "persoonsjaren (de omvang van elk geteld kwartaal maal ¼ opgeteld, zodat een organisatie "
    "die een half jaar bestond niet met een heel jaar wordt vergeleken). Interval: exact "
    "95%-Poisson-interval voor het aantal; het neemt aan dat meldingen onafhankelijk van "
    "elkaar zijn en de omvang vaststaat. Zonder opgave van de omvang voor elk kwartaal is er "
    "geen cijfer (nooit 0)."
)
OUTSIDE_WORDS: Final = {
    "boven": "hoger dan bij toeval te verwachten bij het rijksgemiddelde (boven de 99,8%-grens)",
    "onder": "lager dan bij toeval te verwachten bij het rijksgemiddelde (onder de 99,8%-grens)",
    "binnen": "binnen wat bij toeval te verwachten is bij het rijksgemiddelde",
}


def _special() -> Any:
    """`scipy.special`, imported when a rate is first computed: its import took 0.35 s of
    the start of every process that never computes one (most commands; the dashboard until
    its werking page)."""
    from scipy import special

    return special


def _chi2_ppf(q: Any, df: Any) -> Any:
    """The chi-squared quantile, as `scipy.stats.chi2.ppf` computes it (the same special
    function, bit for bit) without importing `scipy.stats`: that import took 0.6 s of every
    process's start, the command line's and the dashboard's."""
    return 2 * _special().gammaincinv(np.asarray(df, dtype=float) / 2, q)


def poisson_interval(count: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean given one observed count."""
    alpha = 1 - confidence
    low = 0.0 if count == 0 else float(_chi2_ppf(alpha / 2, 2 * count)) / 2
    high = float(_chi2_ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return low, high


def intervals(counts: np.ndarray, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """`poisson_interval` for many counts at once (vectorised: a national table has
    hundreds of thousands)."""
    counts = np.asarray(counts, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(counts > 0, _chi2_ppf(alpha / 2, 2 * counts) / 2,
                       np.where(np.isnan(counts), np.nan, 0.0))  # fmt: skip
        high = _chi2_ppf(1 - alpha / 2, 2 * counts + 2) / 2
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


QUARTER_SHARE: Final = 0.25  # one quarter's headcount counts as a quarter of a person-year


def person_years(quarter_headcounts_summed: pd.Series) -> pd.Series:
    """Person-years from the sum of the headcounts of the quarters counted (each × ¼)."""
    return quarter_headcounts_summed * QUARTER_SHARE


def yearly(
    counts: pd.DataFrame, headcount: pd.DataFrame, measure: str, by: list[str]
) -> pd.DataFrame:
    """Per group of `by` (which holds `departement`) and year: the year's count of `measure`,
    its person-years (`medewerkers`: the quarters' headcounts × ¼), and how many of the
    quarters counted have a headcount. Person-years are only kept when every quarter
    counted has one."""
    data = counts.assign(jaar=counts["periode"].str[:4].astype(int))
    per_quarter = data.groupby([*by, "jaar", "periode"], as_index=False)[measure].sum()
    joined = per_quarter.merge(headcount[["departement", "periode", "medewerkers"]],
                               on=["departement", "periode"], how="left")  # fmt: skip
    result: pd.DataFrame = joined.groupby([*by, "jaar"], as_index=False).agg(
        aantal=(measure, "sum"),
        kwartalen=("periode", "nunique"),
        met_omvang=("medewerkers", "count"),
        medewerkers=("medewerkers", "sum"),
    )
    result["medewerkers"] = person_years(result["medewerkers"])
    result.loc[result["met_omvang"] < result["kwartalen"], "medewerkers"] = np.nan
    return result


WINSOR: Final = 0.10  # z-scores beyond the 10th and 90th percentile are pulled in


def overdispersion(counts: np.ndarray, sizes: np.ndarray, rijk_rate: float) -> float:
    """Spiegelhalter's overdispersion factor φ for a funnel (Stat. Med. 2005): the mean of
    the squared standardised residuals z = (O − E) / √E, winsorised at 10% and 90%. It is
    only used where the data show more spread than chance (n·φ above the 95% point of
    χ² with n − 1 degrees of freedom); else 1 (pure Poisson). With counts in the hundreds,
    reports cluster and ministries register differently: pure Poisson limits then claim
    too much."""
    counts, sizes = np.asarray(counts, dtype=float), np.asarray(sizes, dtype=float)
    expected = rijk_rate * sizes
    keep = expected > 0
    if keep.sum() < 3:
        return 1.0
    z = (counts[keep] - expected[keep]) / np.sqrt(expected[keep])
    low, high = np.quantile(z, [WINSOR, 1 - WINSOR])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    n = int(keep.sum())
    return phi if n * phi > _chi2_ppf(0.95, n - 1) else 1.0


def funnel_limits(rijk_rate: float, sizes: np.ndarray, phi: float = 1.0) -> pd.DataFrame:
    """For each size in `sizes` (person-years): the band of rates (per 1,000) a count falls
    in by chance alone at each level of `FUNNEL_LEVELS`, around the Rijk's rate: smooth
    (normal approximation to the Poisson, ρ ± z·√(φ·ρ/size)), widened by the
    overdispersion factor `phi` (1: none)."""
    sizes = np.asarray(sizes, dtype=float)
    frame = pd.DataFrame({"medewerkers": sizes, "rijk": PER * rijk_rate})
    for level in FUNNEL_LEVELS:
        z = float(_special().ndtri(1 - (1 - level) / 2))
        spread = z * np.sqrt(phi * rijk_rate / sizes)
        name = f"{round(level * 100, 1):g}".replace(".", ",")
        frame[f"laag_{name}"] = PER * np.maximum(rijk_rate - spread, 0.0)
        frame[f"hoog_{name}"] = PER * (rijk_rate + spread)
    frame["phi"] = phi
    return frame


def funnel_note(phi: float) -> str:
    """What the funnel's limits assume, in Dutch, for its caption."""
    if phi <= 1.0:
        return ("De grenzen zijn die van toeval alleen (Poisson, benaderd met een gladde lijn): "
                "de organisaties spreiden niet meer dan dat.")  # fmt: skip
    return (
        f"De organisaties spreiden meer dan toeval alleen geeft (overdispersie φ = "
        f"{phi:.1f}".replace(".", ",")
        + "; meldingen komen in golven en ministeries "
        "registreren verschillend). De grenzen zijn daarom verbreed met √φ (Spiegelhalter, "
        "multiplicatief, z-scores gewinsoriseerd op 10% en 90%): 'hoger' of 'lager' betekent "
        "hier buiten ook die gewone spreiding."
    )


def funnel_position(count: int, staff: float, rijk_rate: float, phi: float = 1.0) -> str:
    """'boven', 'onder' or 'binnen' the 99.8% band of the funnel, for one organisation
    (the same smooth limits as `funnel_limits`, widened by `phi`)."""
    z = float(_special().ndtri(1 - (1 - FUNNEL_LEVELS[-1]) / 2))
    spread = z * np.sqrt(phi * rijk_rate / staff)
    observed = count / staff
    if observed > rijk_rate + spread:
        return "boven"
    if observed < rijk_rate - spread:
        return "onder"
    return "binnen"
