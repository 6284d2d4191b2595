"""The privacy rule for small counts of how policy works: a reader below the coordinator
and the organisation's own lead never sees a count of 1-4, and no shown figure changes
when a hidden count does (so nothing shown lets it be recovered)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import werking

CODES = ("AZ", "BZK", "DEF", "FIN")
TYPES = ("financieel", "omgang", "prive")
QUARTERS = ("2025-Q1", "2025-Q2")


def _base(values: list[int]) -> pd.DataFrame:
    rows = [
        (code, quarter, kind)
        for code in CODES for quarter in QUARTERS for kind in TYPES
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["departement", "periode", "soort"])
    frame["meldingen"] = values[: len(rows)]
    return frame


def _publication(base: pd.DataFrame, exact: frozenset[str] | None) -> dict[str, list[str]]:
    """Every figure a screen could show: cells, and totals along every combination."""
    shown = werking.protect(werking.long_counts(base, ["meldingen"], ["soort"]), exact, 5)
    published = {"cellen": list(werking.texts(shown, 5))}
    for by in (["departement"], ["periode"], ["soort"], ["departement", "periode"],
               ["departement", "soort"], ["periode", "soort"], []):  # fmt: skip
        totals = werking.total(shown, by)
        published["+".join(by) or "rijk"] = list(werking.texts(totals, 5))
    return published


SIZE = len(CODES) * len(TYPES) * len(QUARTERS)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 7, 12, 40]), min_size=SIZE, max_size=SIZE),
    which=st.integers(0, SIZE - 1),
    other=st.integers(1, 4),
)
def test_changing_a_hidden_count_changes_nothing_a_reader_sees(
    values: list[int], which: int, other: int
) -> None:
    base = _base(values)
    if not 1 <= values[which] <= 4:
        return
    changed = base.copy()
    changed.loc[which, "meldingen"] = other
    assert _publication(base, frozenset()) == _publication(changed, frozenset())
    # The organisation's own lead does see its own count change.
    own = frozenset({str(base.loc[which, "departement"])})
    if other != values[which]:
        assert _publication(base, own) != _publication(changed, own)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(0, 30), min_size=SIZE, max_size=SIZE))
def test_a_reader_never_sees_a_count_under_five(values: list[int]) -> None:
    for texts in _publication(_base(values), frozenset()).values():
        for text in texts:
            if text.isdigit():
                assert text == "0" or int(text) >= 5, text


def test_what_the_coordinator_and_a_reader_see_of_one_ministry() -> None:
    base = _base([0, 3, 12] * 8)
    shown = werking.protect(werking.long_counts(base, ["meldingen"], ["soort"]), frozenset(), 5)
    az = werking.total(shown[shown["departement"] == "AZ"], ["periode"])
    assert list(werking.texts(az, 5)) == ["13 tot 16", "13 tot 16"]
    cell = shown[(shown["departement"] == "AZ") & (shown["soort"] == "omgang")]
    assert set(werking.texts(cell, 5)) == {"minder dan 5"}
    everything = werking.protect(werking.long_counts(base, ["meldingen"], ["soort"]), None, 5)
    exact = werking.total(everything[everything["departement"] == "AZ"], ["periode"])
    assert list(werking.texts(exact, 5)) == ["15", "15"]


def test_rates_of_a_range_span_the_range_and_none_without_headcount() -> None:
    frame = pd.DataFrame({"laag": [13, 15, 4], "hoog": [16, 15, 4], "verborgen": [1, 0, 0],
                          "medewerkers": [480.0, 480.0, float("nan")]})  # fmt: skip
    shown = werking.with_rates(frame)
    texts = [werking.rate_text(row) for _, row in shown.iterrows()]
    assert texts[0].startswith("tussen 27,1 en 33,3")
    assert texts[1].startswith("31,3 (")
    assert texts[2] == "– (geen omvang opgegeven)"


STAFF = pd.DataFrame(
    [(code, quarter, size) for code, size in zip(CODES, (480, 5200, 70000, 33000), strict=True)
     for quarter in QUARTERS],
    columns=["departement", "periode", "medewerkers"],
)  # fmt: skip


def _cube(base: pd.DataFrame, time: str) -> list[tuple[object, ...]]:
    long = werking.long_counts(base, ["meldingen"], ["soort"])
    cube = werking.cube(long, STAFF, "soort", frozenset(), 5, time)
    cube["tekst"] = werking.texts(cube, 5)
    columns = ["departement", time, "soort", "tekst", "tarief_laag_punt", "tarief_hoog_punt",
               "interval_laag", "interval_hoog"]  # fmt: skip
    return sorted(cube[columns].astype(str).itertuples(index=False, name=None))


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.sampled_from([0, 1, 2, 4, 5, 9, 30]), min_size=SIZE, max_size=SIZE),
    which=st.integers(0, SIZE - 1),
    other=st.integers(1, 4),
)
def test_every_total_and_rate_of_the_cube_ignores_a_hidden_quarter_count(
    values: list[int], which: int, other: int
) -> None:
    if not 1 <= values[which] <= 4:
        return
    changed = [*values]
    changed[which] = other
    assert _cube(_base(values), "periode") == _cube(_base(changed), "periode")


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.sampled_from([0, 1, 2, 3, 6, 30]), min_size=SIZE, max_size=SIZE))
def test_a_year_hides_the_years_small_counts_not_the_quarters(values: list[int]) -> None:
    """Two quarters of 3 make a year of 6: shown; one quarter of 3 and one of 0: hidden."""
    base = _base(values)
    yearly = {row[:3]: row[3] for row in _cube(base, "jaar")}
    sums = base.groupby(["departement", "soort"], as_index=False)["meldingen"].sum()
    for code, kind, count in sums.itertuples(index=False, name=None):
        text = yearly[(str(code), "2025", str(kind))]
        assert text == ("minder dan 5" if 1 <= count <= 4 else str(count)), (code, kind, text)
