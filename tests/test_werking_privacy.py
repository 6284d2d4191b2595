"""The privacy rule for small counts of how policy works: totals are exact (an organisation's
year, the Rijk per type), a reader below the coordinator and the organisation's own lead
never sees a count of 1-4, and no attack recovers a hidden non-zero count: not the
outsider's linear programme with non-negativity and the chain's inequality, not one
organisation's lead who knows its own row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.domain import werking, werking_protection
from etl.reads.readmodel import ReadModel
from etl.store import derived

CODES = ("AZ", "BZK", "DEF", "FIN")
TYPES = ("financieel", "omgang", "prive")
QUARTERS = ("2025-Q1", "2025-Q2")
MEASURES = ("afgerond", "gegrond")
STAFF = pd.DataFrame(
    [(code, quarter, size) for code, size in zip(CODES, (480, 5200, 70000, 33000), strict=True)
     for quarter in QUARTERS],
    columns=["departement", "periode", "medewerkers"],
)  # fmt: skip
SIZE = len(CODES) * len(TYPES) * len(QUARTERS)


def _base(completed: list[int], established: list[int] | None = None) -> pd.DataFrame:
    rows = [(code, quarter, kind) for code in CODES for quarter in QUARTERS for kind in TYPES]
    frame = pd.DataFrame(rows, columns=["departement", "periode", "soort"])
    frame["afgerond"] = completed[: len(rows)]
    found = established if established is not None else [c // 2 for c in completed]
    frame["gegrond"] = [min(f, c) for f, c in zip(found, completed, strict=False)]
    return frame


def _cube(base: pd.DataFrame, exact: frozenset[str] | None = frozenset()) -> pd.DataFrame:
    long = werking.long_counts(base, MEASURES, ["soort"])
    cube = werking.cube(long, STAFF, "soort", exact, 5, "jaar")
    return cube.assign(tekst=werking.texts(cube))


def _year(base: pd.DataFrame) -> pd.DataFrame:
    long = werking.long_counts(base, MEASURES, ["soort"])
    year: pd.DataFrame = long.groupby(["departement", "soort", "maat"], as_index=False)[
        ["aantal"]
    ].sum()
    return year


def _audited(base: pd.DataFrame) -> list[tuple[str, tuple[str, str], str | None]]:
    """The LP adversary's findings on the published year: every pinned hidden count."""
    year = _year(base).assign(jaar=2025)
    protection = werking_protection.plan(year, "jaar", "soort", 5)
    tables = werking_protection.tables(year, "jaar", "soort", 5)[2025]
    assert protection.unprotected == set()
    for maat, table in tables.items():
        table.hidden = {(d, k) for d, _, k, m in protection.hidden if m == maat}
        table.columns_shown = (2025, maat) not in protection.rijk_hidden
    return werking_protection.audit(tables)


counts = st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 12, 40]), min_size=SIZE, max_size=SIZE)


@settings(max_examples=80, deadline=None)
@given(completed=counts, established=counts)
def test_no_lp_attack_pins_a_hidden_count_for_an_outsider_or_any_lead(
    completed: list[int], established: list[int]
) -> None:
    assert _audited(_base(completed, established)) == []


def test_a_lone_small_count_of_a_type_is_protected_by_zeros_around_it() -> None:
    """Only AZ reported 'prive' (2), everyone else 0, and the Rijk's 'prive' total is shown:
    the pattern hides zeros of others in that column, so the 2 could be anyone's."""
    completed = [0] * SIZE
    completed[2] = 2  # AZ, 2025-Q1, prive
    for index in range(SIZE):
        if index % 3 != 2:
            completed[index] = 9  # everyone's financieel and omgang
    base = _base(completed, [0] * SIZE)
    assert _audited(base) == []
    cube = _cube(base)
    prive = cube[(cube["soort"] == "prive") & (cube["departement"] != werking.RIJK)]
    assert (prive["verborgen"] == 1).sum() >= 3  # AZ's and at least two others'
    rijk = cube[cube["departement"] == werking.RIJK].set_index(["soort", "maat"])["tekst"]
    assert rijk[("prive", "afgerond")] == "2"


def test_a_count_alone_in_the_whole_rijk_hides_the_rijks_totals_per_type() -> None:
    """Only AZ had any completed investigation (2, of type 'prive'): the Rijk's total per
    type would be AZ's per type, so those hide; every organisation's total stays exact."""
    completed = [0] * SIZE
    completed[2] = 2
    base = _base(completed, [0] * SIZE)
    assert _audited(base) == []
    cube = _cube(base)
    rijk = cube[cube["departement"] == werking.RIJK].set_index(["soort", "maat"])["tekst"]
    assert rijk[("prive", "afgerond")] == werking.HIDDEN
    assert rijk[(werking.ALL, "afgerond")] == "2"
    own = cube[cube["departement"] == "AZ"].set_index(["soort", "maat"])["tekst"]
    assert own[(werking.ALL, "afgerond")] == "2"
    assert own[("prive", "afgerond")] == werking.HIDDEN


@settings(max_examples=100, deadline=None)
@given(completed=counts)
def test_totals_are_exact_and_a_reader_sees_no_count_under_five_nor_a_range(
    completed: list[int],
) -> None:
    base = _base(completed)
    cube = _cube(base)
    cells = cube[(cube["departement"] != werking.RIJK) & (cube["soort"] != werking.ALL)]
    for text in cells["tekst"]:  # a total may be small: annual reports publish it
        assert text in ("0", werking.HIDDEN) or int(text.replace(".", "")) >= 5, text
    assert not cube["tekst"].str.contains(" tot ").any()
    year = _year(base)
    own = year.groupby(["departement", "maat"], as_index=False)["aantal"].sum()
    rijk = year.groupby(["soort", "maat"], as_index=False)["aantal"].sum()
    totals = cube[cube["soort"] == werking.ALL].set_index(["departement", "maat"])["tekst"]
    for code, maat, count in own.itertuples(index=False, name=None):
        assert totals[(code, maat)] == str(count)
    by_type = cube[cube["departement"] == werking.RIJK].set_index(["soort", "maat"])["tekst"]
    for kind, maat, count in rijk.itertuples(index=False, name=None):
        assert by_type[(kind, maat)] in (str(count), werking.HIDDEN)  # one organisation has all


def test_the_coordinator_sees_every_cell_and_a_lead_its_own() -> None:
    base = _base([0, 3, 12] * 8)
    everything = _cube(base, None)
    assert not everything["verborgen"].any()
    own = _cube(base, frozenset({"AZ"}))
    assert not own[own["departement"] == "AZ"]["verborgen"].any()
    reader = _cube(base)
    cell = reader[(reader["departement"] == "AZ") & (reader["soort"] == "omgang")
                  & (reader["maat"] == "gegrond")]  # fmt: skip
    assert list(cell["tekst"]) == [werking.HIDDEN]  # 1 + 1 established in the year: hidden
    assert list(cell["tarief_laag_punt"].isna()) == [True]


def test_rates_and_none_without_headcount() -> None:
    nan = float("nan")
    frame = pd.DataFrame({"laag": [15.0, 4.0, nan], "hoog": [15.0, 4.0, nan],
                          "verborgen": [0, 0, 1], "medewerkers": [480.0, nan, 480.0]})  # fmt: skip
    shown = werking.with_rates(frame)
    texts = [werking.rate_text(row) for _, row in shown.iterrows()]
    assert texts[0].startswith("31,3 (")
    assert texts[1] == "– (geen omvang opgegeven)"
    assert texts[2] == werking.HIDDEN


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from([0, 1, 2, 3, 6, 30]), min_size=SIZE, max_size=SIZE))
def test_a_year_hides_the_years_small_counts_not_the_quarters(values: list[int]) -> None:
    """Two quarters of 3 make a year of 6: shown; one quarter of 3 and one of 0: hidden."""
    base = _base(values)
    texts = _cube(base).set_index(["departement", "soort", "maat"])["tekst"]
    for code, kind, maat, count in _year(base).itertuples(index=False, name=None):
        text = texts[(code, kind, maat)]
        if 1 <= count <= 4:
            assert text == werking.HIDDEN, (code, kind, maat, text)
        elif text != werking.HIDDEN:
            assert text == str(count)


@pytest.mark.parametrize("kind", ["meldingen", "vertrouwenspersonen"])
def test_the_samples_published_years_pin_no_hidden_count(sample_db: Path, kind: str) -> None:
    """The real files: every year a reader sees, attacked by linear programming as the
    outsider and as every organisation's lead; and the price (cells hidden beyond the small
    ones) stays small."""
    key = derived.WERKING_KEYS[kind]
    base = ReadModel(sample_db).werking_export(kind)
    long = werking.long_counts(base, derived.WERKING_MEASURES[kind], [key])
    long = long.assign(jaar=long["periode"].str[:4].astype(int))
    year = long.groupby(["departement", "jaar", key, "maat"], as_index=False)[["aantal"]].sum()
    protection = werking_protection.plan(year, "jaar", key, 5)
    assert protection.unprotected == set() and protection.rijk_hidden == set()
    small = {tuple(r) for r in year[(year["aantal"] >= 1) & (year["aantal"] < 5)]
             [["departement", "jaar", key, "maat"]].itertuples(index=False, name=None)}  # fmt: skip
    assert small <= protection.hidden
    values = {tuple(r[:4]): r[4] for r in year.itertuples(index=False, name=None)}
    beyond = sum(values[c] for c in protection.hidden if values[c] >= 5)
    assert beyond <= 0.03 * year["aantal"].sum()  # measured: 0.5% (reports), 1.8% (advisers)
    for moment, tables in werking_protection.tables(year, "jaar", key, 5).items():
        for maat, table in tables.items():
            table.hidden = {(d, k) for d, m, k, t in protection.hidden if m == moment and t == maat}
        assert werking_protection.audit(tables) == [], moment
