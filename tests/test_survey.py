"""Survey figures: weighting, intervals, changes, disclosure control, and the 2023 results."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.domain import survey
from etl.domain.disclosure import exposed, suppress
from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel, read_survey, read_survey_waves
from etl.store.database import reader
from etl.store.load import load_sources, read_source
from tests.conftest import TODAY, fixture, fixture_bytes, query, run_etl


def counts_frame(
    rows: list[tuple[str, str, str, str, int]], periode: str = "2025-Q4"
) -> pd.DataFrame:
    return pd.DataFrame(
        [(d, periode, g, i, a, n) for d, g, i, a, n in rows],
        columns=["departement", "periode", "groep", "item", "antwoord", "aantal"],
    )


# --- validation ---------------------------------------------------------------------------


def test_valid_survey_files_load_with_normalised_answers() -> None:
    result = validate_bytes(fixture_bytes("enquete_valid.csv"), "e.csv", TODAY)
    assert result.findings == [] and result.submission is not None
    answers = {(r.groep, r.item, r.antwoord) for r in result.submission.records}  # type: ignore[union-attr]
    assert ("medewerkers", "VBG1", "weet_niet") in answers
    assert ("leidinggevenden", "VBG1", "helemaal_eens") in answers
    assert validate_bytes(fixture_bytes("respons_valid.csv"), "r.csv", TODAY).findings == []


def test_every_survey_finding_has_its_line_and_message() -> None:
    findings = validate_bytes(fixture_bytes("enquete_errors.csv"), "e.csv", TODAY).findings
    assert [(f.line, f.column, f.message) for f in findings] == [
        (3, "antwoord", "VBG1 'eens' staat meer dan één keer in het bestand voor FIN 2025-Q4 "
                        "medewerkers: regels 2 en 3."),
        (4, "item", "Onbekend item 'VBG9'. Geldige items: COM1, BEK1, BEK2, CUL1, CUL2, CUL3, "
                    "CUL4, MEL1, MEL2, VBG1, VBG2, VBG3, VBG4, RIS1, RIS2, LEI1."),
        (5, "antwoord", "Antwoord 'eens' hoort niet bij item CUL3 (schaal frequentie); geldig "
                        "zijn: bijna_geen, enkele, regelmatig, bijna_alle, weet_niet."),
        (6, "item", "Item LEI1 is alleen voor leidinggevenden, niet voor medewerkers."),
        (7, "groep", "Groep 'stagiairs' is ongeldig; gebruik medewerkers of leidinggevenden."),
        (8, "aantal", "Aantal '12.5' is geen geheel getal van 0 of meer."),
        (9, "aantal", "Aantal '-3' is geen geheel getal van 0 of meer."),
        (10, "aantal", "Aantal ontbreekt."),
    ]  # fmt: skip


def test_every_response_finding_has_its_line_and_message() -> None:
    findings = validate_bytes(fixture_bytes("respons_errors.csv"), "r.csv", TODAY).findings
    assert [(f.line, f.column, f.message) for f in findings] == [
        (3, "groep", "Groep medewerkers staat meer dan één keer in het bestand voor FIN 2025-Q4: "
                     "regels 2 en 3."),
        (4, "deelgenomen", "Deelgenomen (61) is groter dan uitgenodigd (50)."),
        (5, "uitgenodigd", "Uitgenodigd 'abc' is geen geheel getal van 0 of meer."),
    ]  # fmt: skip


# --- weighting, intervals, changes ------------------------------------------------------


def test_government_wide_share_is_weighted_by_respondents_not_a_mean_of_percentages() -> None:
    counts = counts_frame(
        [
            ("AZ", "medewerkers", "VBG1", "eens", 18),
            ("AZ", "medewerkers", "VBG1", "oneens", 2),
            ("FIN", "medewerkers", "VBG1", "eens", 20),
            ("FIN", "medewerkers", "VBG1", "oneens", 180),
        ]
    )
    table = survey.headlines(
        survey.complete_counts(counts), survey.populations(pd.DataFrame()), {"2025-Q4": 10}
    )
    rijk = table.query("departement == 'RIJK' and groep == 'alle'").iloc[0]
    assert rijk["n"] == 220
    assert rijk["aandeel"] == pytest.approx(38 / 220)  # 17.3%, not (90% + 10%) / 2
    medians = survey.medians(table).query("groep == 'alle'")
    assert medians["mediaan"].item() == pytest.approx((18 / 20 + 20 / 200) / 2)


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson score).
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(x: int, n: int, low: float, high: float) -> None:
    assert survey.wilson(x, n) == pytest.approx((low, high), abs=5e-5)


def test_finite_population_correction_narrows_the_interval_and_vanishes_in_a_census() -> None:
    plain = survey.wilson(150, 200)
    corrected = survey.wilson(150, 200, population=250)
    assert corrected[0] > plain[0] and corrected[1] < plain[1]
    assert survey.wilson(150, 200, population=200) == (0.75, 0.75)
    assert survey.wilson(150, 200, population=10**9) == pytest.approx(plain, abs=1e-6)


def test_change_is_flagged_only_when_significant() -> None:
    assert survey.change((760, 1000, None), (820, 1000, None)).significant
    assert not survey.change((76, 100, None), (80, 100, None)).significant
    small = survey.change((76, 100, None), (80, 100, None))
    assert small.difference == pytest.approx(0.04)
    assert small.low < 0 < small.high


# --- disclosure ---------------------------------------------------------------------------


def _determined(
    n: dict[tuple[str, str], int], hidden: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The adversary: every linear combination of published equations (rank test)."""
    rows = sorted({r for r, _ in n} - {"RIJK"})
    groups = sorted({g for _, g in n} - {"alle"})
    variables = sorted(hidden)
    index = {cell: i for i, cell in enumerate(variables)}
    equations = []
    for row in [*rows, "RIJK"]:  # alle = sum of the groups, per row
        equations.append({(row, "alle"): 1, **{(row, g): -1 for g in groups}})
    for column in [*groups, "alle"]:  # RIJK = sum of the ministries, per column
        equations.append({("RIJK", column): 1, **{(r, column): -1 for r in rows}})
    matrix = np.array(
        [[eq.get(cell, 0) for cell in variables] for eq in equations if any(c in index for c in eq)]
        or [[0] * len(variables)],
        dtype=float,
    )
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, i in index.items():
        unit = np.zeros(len(variables))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


@st.composite
def tables(draw: st.DrawFn) -> dict[tuple[str, str], int]:
    ministries = [f"M{i}" for i in range(draw(st.integers(1, 7)))]
    n: dict[tuple[str, str], int] = {}
    for code in ministries:
        staff = draw(st.integers(0, 400))
        managers = draw(st.integers(0, 40))
        n[(code, "medewerkers")], n[(code, "leidinggevenden")] = staff, managers
        n[(code, "alle")] = staff + managers
    for group in ("medewerkers", "leidinggevenden", "alle"):
        n[("RIJK", group)] = sum(v for (r, g), v in n.items() if g == group and r != "RIJK")
    return n


@settings(max_examples=300, deadline=None)
@given(n=tables())
def test_no_suppressed_cell_can_be_recovered_by_any_subtraction(
    n: dict[tuple[str, str], int],
) -> None:
    hidden = suppress(n, 10)
    assert {cell for cell, v in n.items() if v < 10} <= hidden
    assert exposed(hidden) == []
    assert _determined(n, hidden) == set()


def test_small_managers_group_hides_the_split_and_keeps_the_ministry_total() -> None:
    sizes = {"AZ": (35, 4), "FIN": (500, 60), "BZK": (300, 40), "RIJK": (835, 104)}
    n = {}
    for code, (staff, managers) in sizes.items():
        n[(code, "medewerkers")], n[(code, "leidinggevenden")] = staff, managers
        n[(code, "alle")] = staff + managers
    assert suppress(n, 10) == {
        ("AZ", "medewerkers"), ("AZ", "leidinggevenden"),
        ("BZK", "medewerkers"), ("BZK", "leidinggevenden"),
    }  # fmt: skip


def _export(db: Path, kind: str) -> pd.DataFrame:
    result = run_etl("export", kind, db=db)
    assert result.returncode == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)


def test_the_enquete_export_reveals_no_hidden_cell_by_subtraction(sample_db: Path) -> None:
    """Every subtraction an analyst could try on the exported counts, per answer."""
    exported = _export(sample_db, "enquete")
    full = survey.complete_counts(_sample_counts(sample_db))
    from etl.reads.readmodel import ReadModel

    _, response, thresholds = ReadModel(sample_db).survey_data()
    hidden = survey.hidden_cells(full, thresholds, None, survey.populations(response))
    assert hidden, "the sample data must exercise the disclosure rule"
    assert ("AZ", "2023-Q4", "leidinggevenden", "VBG1") in hidden
    published = {tuple(r) for r in exported[survey.CELL].drop_duplicates().itertuples(index=False)}
    assert not (published & hidden)
    values: dict[tuple[str, ...], int] = {
        tuple(str(v) for v in row[:-1]): int(row[-1])
        for row in exported[[*survey.CELL, "antwoord", "aantal"]].itertuples(index=False)
    }
    truth = full.set_index([*survey.CELL, "antwoord"])["aantal"].to_dict()
    # The analyst knows which ministries took part (a ministry can be hidden whole).
    taking = {
        str(p): set(map(str, rows["departement"])) - {"RIJK"} for p, rows in full.groupby("periode")
    }
    for departement, periode, groep, item in hidden:
        for answer in survey.scale_frame().query("item == @item")["antwoord"]:
            target = truth[(departement, periode, groep, item, answer)]
            guesses = _subtractions(values, departement, periode, groep, item, answer, taking)
            for guess in guesses:
                assert guess is None, (departement, periode, groep, item, answer, guess, target)


def _subtractions(
    values: dict[tuple[str, ...], int],
    departement: str,
    periode: str,
    groep: str,
    item: str,
    answer: str,
    taking: dict[str, set[str]],
) -> Iterator[int | None]:
    """Row: alle − the other group. Column: RIJK − every other ministry. Both ways round."""

    def get(d: str, g: str) -> int | None:
        return values.get((d, periode, g, item, answer))

    other = {"medewerkers": "leidinggevenden", "leidinggevenden": "medewerkers"}.get(groep)
    if (
        other is not None
        and get(departement, "alle") is not None
        and get(departement, other) is not None
    ):
        yield get(departement, "alle") - get(departement, other)  # type: ignore[operator]
    if groep == "alle" and all(
        get(departement, g) is not None for g in ("medewerkers", "leidinggevenden")
    ):
        yield get(departement, "medewerkers") + get(departement, "leidinggevenden")  # type: ignore[operator]
    ministries = taking[periode]
    total = get("RIJK", groep)
    if total is not None and departement != "RIJK":
        others = [get(d, groep) for d in ministries if d != departement]
        if all(v is not None for v in others):
            yield total - sum(others)  # type: ignore[arg-type]


def _sample_counts(db: Path) -> pd.DataFrame:
    with reader(db) as connection:
        assert connection is not None
        return connection.execute(
            "SELECT departement, periode, groep, item, antwoord, aantal FROM current_survey_counts"
        ).df()


def test_suppressed_figures_still_count_in_the_government_wide_total(sample_db: Path) -> None:
    exported = _export(sample_db, "enquete")
    raw = _sample_counts(sample_db)
    rijk = exported.query(
        "departement == 'RIJK' and groep == 'alle' and item == 'VBG1' and periode == '2023-Q4'"
    )
    assert (
        rijk["aantal"].sum() == raw.query("item == 'VBG1' and periode == '2023-Q4'")["aantal"].sum()
    )


def test_response_export_hides_small_groups_and_keeps_their_invitations_out_of_reach(
    sample_db: Path,
) -> None:
    exported = _export(sample_db, "respons")
    az = exported.query("departement == 'AZ' and periode == '2023-Q4'")
    assert "leidinggevenden" not in set(az["groep"])  # 4 managers: hidden
    assert exported.query("departement == 'RIJK'")["deelgenomen"].gt(0).all()


# --- the 2023 results of the Court of Audit, through the real path ----------------------


def _rijk_shares(exported: pd.DataFrame, periode: str) -> dict[tuple[str, str], float]:
    rijk = exported.query("departement == 'RIJK' and groep == 'alle' and periode == @periode")
    totals = rijk.groupby("item")["aantal"].sum()
    return {
        (str(row.item), str(row.antwoord)): float(row.aantal) / float(totals[str(row.item)])  # type: ignore[arg-type]
        for row in rijk.itertuples()
    }


def test_sample_data_reproduces_the_2023_government_wide_figures(sample_db: Path) -> None:
    shares = _rijk_shares(_export(sample_db, "enquete"), "2023-Q4")
    assert round(100 * (shares[("VBG1", "eens")] + shares[("VBG1", "helemaal_eens")])) == 76
    assert 100 * (shares[("CUL1", "eens")] + shares[("CUL1", "helemaal_eens")]) == pytest.approx(
        200 / 3, abs=1
    )
    assert round(100 * shares[("CUL3", "bijna_geen")]) == 33
    assert round(100 * shares[("CUL4", "bijna_geen")]) == 40
    assert round(100 * shares[("MEL1", "ja")]) == 11
    assert round(100 * shares[("LEI1", "structureel")]) == 15
    visible = [shares[(i, "neutraal")] + shares[(i, "weet_niet")] for i in ("VBG2", "VBG3", "VBG4")]
    assert all(0.4 <= v <= 0.6 for v in visible)  # "about half" on the visible items


def test_response_matches_the_court_of_audit_survey(sample_db: Path) -> None:
    exported = _export(sample_db, "respons").query("departement == 'RIJK' and groep == 'alle'")
    wave = exported.set_index("periode").loc["2023-Q4"]
    assert wave["uitgenodigd"] == 20144
    assert wave["deelgenomen"] / wave["uitgenodigd"] == pytest.approx(0.223, abs=0.01)


def test_a_published_wave_keeps_its_frozen_threshold(sample_db: Path) -> None:
    frozen = query(sample_db, "SELECT periode, drempel FROM wave_thresholds")
    assert frozen == [("2023-Q4", 10)]


# --- figures stored by the load -----------------------------------------------------------


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [
        c for c in ("departement", "periode", "groep", "item", "blok", "antwoord") if c in frame
    ]
    return frame.sort_values(keys).reset_index(drop=True)


def test_stored_survey_figures_equal_a_fresh_computation(sample_db: Path) -> None:
    fresh = survey.published_tables(*ReadModel(sample_db).survey_data())
    assert set(fresh) == set(survey.SURVEY_TABLES)
    for name in survey.SURVEY_TABLES:
        stored = read_survey(sample_db, name, {})
        assert stored is not None
        assert len(stored) > 0
        pd.testing.assert_frame_equal(
            _sorted(stored), _sorted(fresh[name]), check_dtype=False, check_exact=False
        )
    assert read_survey_waves(sample_db) == sorted(set(fresh["kop"]["periode"]))[::-1]


def test_stored_survey_figures_go_stale_when_a_catalogue_changes(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = tmp_path / "organisaties.csv"
    original = (Path(__file__).parent.parent / "schemas" / "organisaties.csv").read_text()
    catalogue.write_text(original.replace("Ministerie van Financiën", "Financiën (hernoemd)"))
    assert read_survey(sample_db, "kop", {"groep": "alle"}) is not None
    monkeypatch.setenv("INTEGRITEIT_ORGANISATIES", str(catalogue))
    assert read_survey(sample_db, "kop", {"groep": "alle"}) is None
    assert read_survey_waves(sample_db) is None


def test_a_load_of_norm_scores_only_does_not_recompute_the_published_survey_figures(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "kopie.duckdb"
    shutil.copy(sample_db, copy)
    before = read_survey(copy, "kop", {"periode": "2025-Q4"})

    def must_not_run(*args: object) -> None:
        raise AssertionError("survey figures recomputed for a norm-score load")

    monkeypatch.setattr(survey, "published_tables", must_not_run)
    results = load_sources([read_source(fixture("normscores_valid_v2.csv"))], copy, today=TODAY)
    assert [r.status for r in results] == ["opgeslagen"]
    after = read_survey(copy, "kop", {"periode": "2025-Q4"})
    assert before is not None and after is not None
    pd.testing.assert_frame_equal(before, after)
