"""Rates per 1,000 employees: the exact Poisson interval matches the textbook values, a
missing headcount gives no rate (never zero), and the funnel says what chance allows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.domain import rates


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # Garwood's exact 95% limits, as tabulated (e.g. Ulm 1990; Sahai & Khurshid 1993).
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (3, 0.6187, 8.767), (10, 4.795, 18.39)],
)
def test_the_exact_poisson_interval_matches_the_tables(count: int, low: float, high: float) -> None:
    found = rates.poisson_interval(count)
    assert found == pytest.approx((low, high), abs=0.001, rel=0.001)


def test_the_intervals_are_scipy_stats_own_bit_for_bit() -> None:
    """`rates` computes the chi-squared and normal quantiles with the special functions
    `scipy.stats` itself calls (its import cost every process 0.6 s): the same numbers."""
    from scipy import stats

    counts = np.concatenate([np.arange(0, 3000, dtype=float), [np.nan, 1e6]])
    alpha = 1 - rates.CONFIDENCE
    with np.errstate(invalid="ignore"):
        low = np.where(counts > 0, stats.chi2.ppf(alpha / 2, 2 * counts) / 2,
                       np.where(np.isnan(counts), np.nan, 0.0))  # fmt: skip
    high = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    found_low, found_high = rates.intervals(counts)
    assert np.array_equal(found_low, low, equal_nan=True)
    assert np.array_equal(found_high, high, equal_nan=True)
    for count in (0, 1, 7, 250):
        assert rates.poisson_interval(count) == (float(low[count]), float(high[count]))
    limits = rates.funnel_limits(0.004, np.array([100.0, 5000.0]))
    z = stats.norm.ppf(1 - (1 - rates.FUNNEL_LEVELS[-1]) / 2)
    assert limits["hoog_99,8"].tolist() == [1000 * (0.004 + z * np.sqrt(0.004 / s))
                                            for s in (100.0, 5000.0)]  # fmt: skip


def test_a_rate_by_hand() -> None:
    # 3 reports among 480 employees: 6.25 per 1,000, interval 0.6187/480 .. 8.767/480.
    value, low, high = rates.rate(3, 480)
    assert value == pytest.approx(6.25)
    assert low == pytest.approx(1000 * 0.6187 / 480, rel=1e-3)
    assert high == pytest.approx(1000 * 8.767 / 480, rel=1e-3)


def test_no_headcount_gives_no_rate_never_zero() -> None:
    assert all(np.isnan(v) for v in rates.rate(4, None))
    assert all(np.isnan(v) for v in rates.rate(4, float("nan")))


def test_a_year_has_a_rate_only_when_every_quarter_counted_has_a_headcount() -> None:
    counts = pd.DataFrame({
        "departement": ["AZ"] * 4 + ["KGG"] * 2,
        "periode": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2024-Q3", "2024-Q4"],
        "meldingen": [1, 0, 2, 1, 3, 1],
    })  # fmt: skip
    staff = pd.DataFrame({
        "departement": ["AZ"] * 4 + ["KGG"],
        "periode": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2024-Q4"],
        "medewerkers": [470, 480, 490, 500, 2900],
    })  # fmt: skip
    year = rates.yearly(counts, staff, "meldingen", ["departement"]).set_index("departement")
    assert year.loc["AZ", "aantal"] == 4 and year.loc["AZ", "medewerkers"] == 485
    assert year.loc["KGG", "aantal"] == 4 and year["medewerkers"].isna()["KGG"]
    shown = rates.rates(year.reset_index(), "aantal")
    assert shown.set_index("departement").loc["AZ", "tarief"] == pytest.approx(4000 / 485)
    assert shown.set_index("departement")["tarief"].isna()["KGG"]


def test_the_funnel_narrows_with_size_and_places_an_outlier() -> None:
    limits = rates.funnel_limits(0.008, np.array([500.0, 70000.0]))
    small, large = limits.iloc[0], limits.iloc[1]
    assert small["hoog_99,8"] - small["laag_99,8"] > large["hoog_99,8"] - large["laag_99,8"]
    assert small["rijk"] == pytest.approx(8.0)
    # 70,000 employees at 8 per 1,000 expect 560; 700 is far above chance, 560 is not.
    assert rates.funnel_position(700, 70000, 0.008) == "boven"
    assert rates.funnel_position(560, 70000, 0.008) == "binnen"
    assert rates.funnel_position(5, 500, 0.008) == "binnen"


def test_a_year_of_reorganisation_divides_by_person_years() -> None:
    """EZK existed the first half of 2024 and EZ the second: their half-year counts over a
    full headcount were shown as yearly rates half as high, and the Rijk counted both."""
    counts = pd.DataFrame({
        "departement": ["EZK", "EZK", "EZ", "EZ"],
        "periode": ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"],
        "meldingen": [5, 5, 6, 4],
    })  # fmt: skip
    staff = pd.DataFrame({
        "departement": ["EZK", "EZK", "EZ", "EZ"],
        "periode": ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"],
        "medewerkers": [4000, 4000, 4000, 4000],
    })  # fmt: skip
    year = rates.yearly(counts, staff, "meldingen", ["departement"]).set_index("departement")
    assert year.loc["EZK", "medewerkers"] == 2000 and year.loc["EZ", "medewerkers"] == 2000
    shown = rates.rates(year.reset_index(), "aantal").set_index("departement")
    assert shown.loc["EZK", "tarief"] == pytest.approx(5.0)  # 10 in half a year of 4,000
    assert year["medewerkers"].sum() == 4000  # the Rijk counts each person once


def test_an_overdispersed_funnel_widens_its_limits_and_says_so() -> None:
    """Counts in the hundreds make pure Poisson limits narrow; ministries spread more than
    that (φ ≈ 3.7 in 2025), and "hoger dan bij toeval" claimed too much."""
    sizes = np.array([500.0, 3000, 5000, 6000, 14000, 30000, 35000, 70000])
    counts = np.array([2.0, 21, 47, 40, 97, 217, 360, 863])
    rate = counts.sum() / sizes.sum()
    phi = rates.overdispersion(counts, sizes, rate)
    assert phi > 2
    narrow = rates.funnel_limits(rate, np.array([70000.0]))
    wide = rates.funnel_limits(rate, np.array([70000.0]), phi)
    assert wide["hoog_99,8"].item() > narrow["hoog_99,8"].item()
    assert rates.funnel_position(863, 70000, rate) == "boven"
    assert rates.funnel_position(863, 70000, rate, phi) == "binnen"
    assert "overdispersie φ" in rates.funnel_note(phi)
    calm = np.array([4.0, 24, 40, 48, 112, 240, 280, 560])  # 8 per 1,000 everywhere
    assert rates.overdispersion(calm, sizes, 0.008) == 1.0
