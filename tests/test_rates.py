"""Rates per 1,000 employees: the exact Poisson interval matches the textbook values, a
missing headcount gives no rate (never zero), and the funnel says what chance allows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl import rates


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # Garwood's exact 95% limits, as tabulated (e.g. Ulm 1990; Sahai & Khurshid 1993).
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (3, 0.6187, 8.767), (10, 4.795, 18.39)],
)
def test_the_exact_poisson_interval_matches_the_tables(count: int, low: float, high: float) -> None:
    found = rates.poisson_interval(count)
    assert found == pytest.approx((low, high), abs=0.001, rel=0.001)


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
