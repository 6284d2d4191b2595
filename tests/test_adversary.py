"""The linear-programming adversary against the survey exports (hardening issue, point 3).

The adversary has the published `enquete` and `respons` exports only, and knows that
counts are whole and at least 0, that every respondent answers every item, that MEL2 is
asked to MEL1's "ja", and that totals add up. With those it bounds every hidden count by
two linear programmes; no hidden count may be pinned to a single value.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.domain import adversary, survey
from etl.domain.disclosure import suppress
from scripts import sweep
from tests.conftest import ROOT, run_etl

ANSWERS = {str(i): list(rows["antwoord"]) for i, rows in survey.scale_frame().groupby("item")}


def _export(db: Path, kind: str) -> pd.DataFrame:
    result = run_etl("export", kind, "--db", str(db))
    assert result.returncode == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout), keep_default_na=False, dtype=str)


def _truth(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from etl.reads.readmodel import ReadModel

    counts, response, _ = ReadModel(db).survey_data()
    return survey.complete_counts(counts), survey.populations(response)


def _participants(people: pd.DataFrame, wave: str) -> dict[tuple[str, str], int]:
    rows = people.loc[people["periode"] == wave, ["departement", "groep", "deelgenomen"]]
    return {(str(d), str(g)): int(n) for d, g, n in rows.itertuples(index=False)}


def _attack_exports(full: pd.DataFrame, people: pd.DataFrame, enquete: pd.DataFrame,
                    respons: pd.DataFrame, wave: str,
                    insider: str | None = None) -> list[adversary.Exposure]:  # fmt: skip
    """The adversary's view built from the exports alone: a cell is hidden when the export
    has no row for it, a group's participants when the response export has none; an
    `insider` also knows its own organisation's counts (its own exposures are left out)."""
    in_wave = full[full["periode"] == wave]
    counts = {
        (d, g, i, a): int(v)
        for d, g, i, a, v in in_wave[["departement", "groep", "item", "antwoord", "aantal"]]
        .astype({"aantal": int}).itertuples(index=False)
    }  # fmt: skip
    shown = set(
        enquete.loc[enquete["periode"] == wave, ["departement", "groep", "item"]].itertuples(
            index=False, name=None
        )
    )
    hidden = {(d, g, i) for d, g, i, _ in counts} - shown
    participants = _participants(people, wave)
    published = set(
        respons.loc[respons["periode"] == wave, ["departement", "groep"]].itertuples(
            index=False, name=None
        )
    )
    # The cells hidden for their own sake (small, or a sensitive count): a figure hidden only
    # to protect them may show what shown figures alone imply (adversary._implied_by_totals).
    sizes: dict[tuple[str, str, str], int] = {}
    for (d, g, i, _), v in counts.items():
        sizes[(d, g, i)] = sizes.get((d, g, i), 0) + v
    primary = {c for c, n in sizes.items() if n < 10} | {
        (d, g, i) for d, w, g, i in survey.sensitive_cells(full) if w == wave
    }
    found = adversary.attack(counts, ANSWERS, hidden, participants, published, 1.0,
                             insider=insider, primary=primary)  # fmt: skip
    return [e for e in found if e.departement != insider]


def test_the_lp_adversary_recovers_nothing_from_the_sample_exports(sample_db: Path) -> None:
    full, people = _truth(sample_db)
    enquete, respons = _export(sample_db, "enquete"), _export(sample_db, "respons")
    for wave in sorted(set(full["periode"])):
        assert _attack_exports(full, people, enquete, respons, wave) == [], wave


def test_no_ministry_recovers_another_ministrys_hidden_counts_from_its_own(
    sample_db: Path,
) -> None:
    """A ministry's integrity lead knows its own counts, hidden or not, and can send files
    that make its ministry the complementary cell of a small group: VWS's lead recovered
    AZ's five managers' LEI1 answers (1, 3, 1) exactly. The audit now attacks as the lead
    of every organisation with a hidden figure."""
    full, people = _truth(sample_db)
    enquete, respons = _export(sample_db, "enquete"), _export(sample_db, "respons")
    for wave in sorted(set(full["periode"])):
        for insider in sorted(set(full.loc[full["periode"] == wave, "departement"]) - {"RIJK"}):
            exposures = _attack_exports(full, people, enquete, respons, wave, insider)
            assert exposures == [], (wave, insider, exposures[:3])


def test_subtraction_control_alone_lets_the_adversary_pin_sample_counts(sample_db: Path) -> None:
    """What the audit is for: with the cells that subtraction control alone hides, the
    adversary pins hidden counts of the samples exactly, some of them not zero."""
    full, people = _truth(sample_db)
    wave = "2025-Q4"
    in_wave = full[full["periode"] == wave]
    columns = ["departement", "groep", "item", "antwoord", "aantal"]
    counts = {(d, g, i, a): int(v) for d, g, i, a, v in in_wave[columns].itertuples(index=False)}
    sensitive = survey.sensitive_cells(full)
    hidden: set[tuple[str, str, str]] = set()
    for item, table in in_wave.groupby("item"):
        sums = table.groupby(["departement", "groep"], as_index=False)["aantal"].sum()
        n = {(str(d), str(g)): int(v) for d, g, v in sums.itertuples(index=False)}
        also = {(d, g) for d, w, g, i in sensitive if w == wave and i == item}
        hidden |= {(d, g, str(item)) for d, g in suppress(n, 10, also)}
    participants = _participants(people, wave)
    exposures = adversary.attack(counts, ANSWERS, hidden, participants, set(participants), 1.0)
    assert len(exposures) > 10
    assert any(e.high > 0 for e in exposures)


def test_a_pinned_count_gets_its_exact_bounds_whichever_corners_the_pushes_found(
    sample_db: Path,
) -> None:
    """`bounds` skips the programmes of an unknown it has seen vary by the width between
    feasible points (the pushes' optima). That shortcut must never change a verdict: each
    pinned count's bounds are its own two programmes' optima, and an unknown called free
    truly varies that much. Checked against each unknown's own programmes, solved here
    (the pinned ones and a seeded sample of the free, on the samples' wave protected by
    subtraction control alone, where much is pinned)."""
    full, people = _truth(sample_db)
    wave = "2025-Q4"
    in_wave = full[full["periode"] == wave]
    columns = ["departement", "groep", "item", "antwoord", "aantal"]
    counts = {(d, g, i, a): int(v) for d, g, i, a, v in in_wave[columns].itertuples(index=False)}
    hidden: set[tuple[str, str, str]] = set()
    for item, table in in_wave.groupby("item"):
        sums = table.groupby(["departement", "groep"], as_index=False)["aantal"].sum()
        n = {(str(d), str(g)): int(v) for d, g, v in sums.itertuples(index=False)}
        hidden |= {(d, g, str(item)) for d, g in suppress(n, 10, set())}
    participants = _participants(people, wave)
    model = adversary._Model(counts, ANSWERS, hidden, participants, set(participants))
    model.build()
    found = adversary.bounds(model, 1.0)
    keys = list(model.index)
    exact = adversary._Block(model.rows, {v: v for v in range(len(keys))})

    def own_bounds(key: adversary.Key) -> tuple[float, float]:
        objective = np.zeros(len(keys))
        objective[model.index[key]] = 1.0
        smallest = exact.optimum(objective)
        largest = exact.optimum(-objective)
        assert smallest is not None
        return (
            float(smallest[model.index[key]]),
            np.inf if largest is None else float(largest[model.index[key]]),
        )

    pinned = [k for k, (low, high) in found.items() if high - low < 1.0 - adversary.TOLERANCE]
    free = sorted(set(found) - set(pinned))
    assert len(pinned) > 10 and len(free) > 100
    for key in pinned:
        assert own_bounds(key) == pytest.approx(found[key], abs=1e-6), key
    sample = np.random.default_rng(2026).choice(len(free), size=60, replace=False)
    for key in (free[number] for number in sample):
        low, high = own_bounds(key)
        assert high - low >= 1.0 - adversary.TOLERANCE, key
        assert low - 1e-6 <= found[key][0] <= found[key][1] <= high + 1e-6, key


def test_the_adversary_assumes_only_what_the_data_bear_out(sample_db: Path) -> None:
    """AZ's managers giving one more MEL2 answer than MEL1 "ja" made the assumed constraint
    false: the true counts were no longer a solution, and where programmes turn infeasible
    the audit passes whatever is shown. Every constraint must hold for the true counts."""
    full, people = _truth(sample_db)
    wave = "2025-Q4"
    in_wave = full[full["periode"] == wave]
    columns = ["departement", "groep", "item", "antwoord", "aantal"]
    counts = {(d, g, i, a): int(v) for d, g, i, a, v in in_wave[columns].itertuples(index=False)}
    for cell in (("AZ", "leidinggevenden"), ("AZ", "alle"), ("RIJK", "leidinggevenden"),
                 ("RIJK", "alle")):  # fmt: skip
        counts[(*cell, "MEL2", "niet_gemeld")] += 1
    hidden = {(d, g, i) for d, g, i, _ in counts if d == "AZ"}
    participants = _participants(people, wave)
    model = adversary._Model(counts, ANSWERS, hidden, participants, set(participants), 10)
    model.build()
    truth = [model.truth(key) for key in model.index]
    for coefficients, low, high in model.rows:
        value = sum(c * truth[v] for v, c in coefficients.items())
        assert low - 1e-6 <= value <= high + 1e-6


# Fixed tables of the sweep (`make sweep` draws 500 and more): the same tables every run, so
# this test cannot pass or fail by chance.
# 24, 58, 70 and 74: tables whose two publications the plan's one-release audit let through.
SEEDS = [(sweep.DEFAULT_SEED, number) for number in [*range(20), 24, 58, 70, 74]]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lp_adversary_recovers_nothing_from_seeded_random_tables(
    seed: tuple[int, int],
) -> None:
    rng = np.random.default_rng(seed)
    counts, response = sweep.random_wave(rng)
    found, _ = sweep.attack_wave(counts, response)
    found += sweep.attack_resubmission(counts, response, rng)  # two publications
    assert found == [], found[:3]


def _cell_sizes(truth: dict[tuple[str, str, str, str], int]) -> dict[tuple[str, str, str], int]:
    sizes: dict[tuple[str, str, str], int] = {}
    for (d, g, i, _), v in truth.items():
        sizes[(d, g, i)] = sizes.get((d, g, i), 0) + v
    return sizes


def test_a_figure_hidden_to_protect_another_says_so_and_the_audit_reads_that_label(
    sample_db: Path,
) -> None:
    """VWS had hundreds of respondents in 2023-Q4; where its figures are hidden to protect
    AZ's five managers, they do not claim "te weinig respondenten"."""
    from dashboard import tables
    from etl.reads.readmodel import ReadModel

    kop = ReadModel(sample_db).stored_survey("kop", {"periode": "2023-Q4"})
    assert kop is not None
    vws = kop[(kop["departement"] == "VWS") & (kop["groep"] == "alle") & kop["verborgen"]]
    assert not vws.empty and set(vws["reden"]) <= {"bescherming", "gevoelig"}
    assert tables.hidden_text(vws.iloc[0].to_dict()) in (tables.PROTECTED,) or bool(
        vws.iloc[0]["gevoelig"]
    )
    az = kop[(kop["departement"] == "AZ") & (kop["groep"] == "leidinggevenden")]
    assert set(az["reden"]) == {"te_weinig"}
    full, people = _truth(sample_db)
    in_wave = full[full["periode"] == "2023-Q4"]
    counts = {(d, g, i, a): int(v) for d, _, g, i, a, v in in_wave.itertuples(index=False)}
    hidden = {
        (d, g, i) for d, _, g, i in kop[kop["verborgen"]][survey.CELL].itertuples(index=False)
    }
    participants = _participants(people, "2023-Q4")
    respons = _export(sample_db, "respons")
    shown = set(respons.loc[respons["periode"] == "2023-Q4", ["departement", "groep"]]
                .itertuples(index=False, name=None))  # fmt: skip
    assert adversary.attack(counts, ANSWERS, hidden, participants, shown, 1.0, threshold=10) == []


def _shifted(path: Path, group: str, shift: int) -> bytes:
    """A ministry's survey file with `shift` more respondents in `group`, answering each
    unconditional item's first answer (MEL1 "nee", so MEL2 keeps its respondents)."""
    frame = pd.read_csv(path, sep=None, engine="python", dtype=str)
    frame.columns = [c.lower() for c in frame.columns]
    frame["aantal"] = frame["aantal"].astype(int)
    rows = frame[(frame["groep"] == group) & (frame["item"] != "MEL2")]
    rows = rows[(rows["item"] != "MEL1") | (rows["antwoord"] == "nee")]
    frame.loc[rows.groupby("item").head(1).index, "aantal"] += shift
    return frame.to_csv(index=False).encode()


def test_a_resubmission_never_shows_what_an_earlier_publication_hid(
    sample_db: Path, tmp_path: Path
) -> None:
    """FIN resubmitting its managers' figures moved the complementary cells: the second
    publication showed 151 cells of other ministries that the first had hidden, and the two
    exports together gave small groups away. Hidden cells of a wave now stay hidden."""
    from datetime import date

    from etl.reads.readmodel import ReadModel
    from etl.store.load import Source, load_sources

    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    before = set(_export(db, "enquete")[["departement", "periode", "groep", "item"]]
                 .itertuples(index=False, name=None))  # fmt: skip
    hidden_before = ReadModel(db).kept_hidden()
    assert hidden_before
    samples = ROOT / "sample_submissions"
    survey_file = _shifted(samples / "2025-Q4_enquete_FIN.csv", "leidinggevenden", 3)
    response = pd.read_csv(samples / "2025-Q4_respons_FIN.csv", sep=None, engine="python",
                           dtype=str)  # fmt: skip
    response.columns = [c.lower() for c in response.columns]
    managers = response["groep"] == "leidinggevenden"
    response.loc[managers, "deelgenomen"] = (response.loc[managers, "deelgenomen"].astype(int)
                                             + 3).astype(str)  # fmt: skip
    results = load_sources(
        [Source("enquete.csv", survey_file), Source("respons.csv", response.to_csv(index=False)
                                                     .encode())],
        db, "lead.fin", date(2026, 11, 28),
    )  # fmt: skip
    assert [r.status for r in results] == ["opgeslagen", "opgeslagen"]
    after = set(_export(db, "enquete")[["departement", "periode", "groep", "item"]]
                .itertuples(index=False, name=None))  # fmt: skip
    revealed = {c for c in after - before if c[0] != "FIN"}
    assert revealed == set()
    assert ReadModel(db).kept_hidden() >= hidden_before


_PLAN_AFTER_FOREIGN_SCHEDULER = """
import highspy, numpy as np, pandas as pd
from etl.domain import survey

# Another programme sizes HiGHS's process-wide scheduler first, as HiGHS itself does by the
# number of cores when a programme leaves the thread count open.
first = highspy.Highs()
first.setOptionValue("output_flag", False)
first.setOptionValue("threads", 2)
lp = highspy.HighsLp()
lp.num_col_, lp.num_row_ = 1, 0
lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.ones(1), np.zeros(1), np.ones(1)
first.passModel(lp)
first.run()

rows = [("AZ", "VBG1", "eens", 18), ("AZ", "VBG1", "oneens", 2), ("FIN", "VBG1", "eens", 20),
        ("FIN", "VBG1", "oneens", 180)]
counts = pd.DataFrame([(d, "2025-Q4", "medewerkers", i, a, n) for d, i, a, n in rows],
                      columns=survey.COUNT_COLUMNS)
table = survey.headlines(survey.complete_counts(counts), survey.populations(pd.DataFrame()),
                         {"2025-Q4": 10})
print(table.query("departement == 'RIJK' and groep == 'alle'")["n"].iloc[0])
"""


def test_a_plan_does_not_hide_the_rijk_when_other_code_sized_highs_scheduler_first() -> None:
    """CI ran on a machine with more cores: the first programme of a test process sized
    HiGHS's one scheduler to two threads, every later plan's programme asking one was
    refused, and the plan fell back to hiding every figure (the Rijk's too). It failed
    by chance, by which test ran first in a worker."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _PLAN_AFTER_FOREIGN_SCHEDULER],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Nothing is small: the Rijk's 220 respondents are shown, as in a fresh process.
    assert done.stdout.strip().splitlines()[-1] == "220.0"
