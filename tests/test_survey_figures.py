"""The survey's figures mean what they say: the newest wave at or before a quarter, a
ministry against the rest of the Rijk (Newcombe) in words beside the figure, intervals and
what they assume, false discoveries per screen, small answers hidden for good."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import queries, tables
from etl.domain import catalog, survey
from etl.domain.disclosure import exposed, suppress
from etl.reads.readmodel import ReadModel
from papers import praatplaat
from tests.conftest import ROOT, TODAY, pdf_text, shown_tables
from tests.test_dashboard import open_app
from tests.test_survey import _determined
from tests.test_survey import tables as survey_tables


def test_a_quarters_page_shows_the_newest_wave_at_or_before_it(sample_db: Path) -> None:
    data = queries.data_for(sample_db)
    early = queries.ministry_survey(data, "BZK", "2023-Q4")
    late = queries.ministry_survey(data, "BZK", "2026-Q3")
    assert early is not None and early[0] == "2023-Q4"
    assert late is not None and late[0] == "2025-Q4"
    text = pdf_text(praatplaat.ministry_pdf(ReadModel(sample_db), "BZK", "2023-Q4", TODAY))
    assert "golf 2023-Q4" in text and "2025-Q4" not in text


def test_a_ministry_is_compared_with_the_rest_of_the_rijk_by_newcombe(sample_db: Path) -> None:
    """IenW VBG1 2025: the intervals of IenW and RIJK overlap, yet against the rest of the
    Rijk the difference interval lies below zero (hand computation from the counts)."""
    cells = queries.survey_cells(queries.data_for(sample_db), "2025-Q4", "alle")
    own = cells[(cells["departement"] == "IenW") & (cells["item"] == "VBG1")].iloc[0]
    rijk = cells[(cells["departement"] == "RIJK") & (cells["item"] == "VBG1")].iloc[0]
    assert own["bovengrens"] > rijk["ondergrens"]  # overlapping intervals: no test
    x1, n1 = rijk["kop"] - own["kop"], rijk["n"] - own["n"]
    x2, n2 = own["kop"], own["n"]
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = survey.wilson(int(x1), int(n1))
    l2, u2 = survey.wilson(int(x2), int(n2))
    low = (p2 - p1) - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = (p2 - p1) + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    assert own["rest_verschil"] == pytest.approx(p2 - p1)
    assert (own["rest_onder"], own["rest_boven"]) == pytest.approx((low, high))
    assert own["rest_boven"] < 0
    words = tables.rest_words(own.to_dict())
    assert words.startswith("−4,6 procentpunt [")


def test_the_ministry_page_answers_against_the_rest_of_the_rijk_in_words(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(
        sample_db, monkeypatch, "screens/ministerie.py", ministerie="IenW", periode="2026-Q3"
    )
    survey_table = next(t.value for t in app.table if "rijksbreed" in t.value.columns)
    vbg1 = survey_table.loc["VBG1"]
    assert vbg1["t.o.v. rest van het Rijk"].startswith("−4,6 procentpunt")
    assert "toeval" in vbg1["t.o.v. rest van het Rijk"]


def test_intervals_assume_a_random_sample_and_say_so(sample_db: Path) -> None:
    """No finite-population correction: the interval is plain Wilson on the respondents."""
    cells = queries.survey_cells(queries.data_for(sample_db), "2023-Q4", "alle")
    row = cells[(cells["departement"] == "FIN") & (cells["item"] == "VBG1")].iloc[0]
    assert (row["ondergrens"], row["bovengrens"]) == pytest.approx(
        survey.wilson(int(row["kop"]), int(row["n"]))
    )
    assert "aselecte steekproef" in tables.INTERVAL_NOTE


def test_a_change_across_a_split_is_shown_but_never_flagged(sample_db: Path) -> None:
    cells = queries.survey_cells(queries.data_for(sample_db), "2025-Q4", "alle")
    kgg = cells[(cells["departement"] == "KGG") & ~cells["verborgen"]]
    assert not kgg.empty and kgg["vergeleken_met"].str.endswith("(EZK)").all()
    assert kgg["andere_populatie"].all() and not kgg["significant"].any()
    row = kgg.iloc[0]
    words = tables.change_words(
        row["verschil"], bool(row["significant"]), row["vergeleken_met"], row["richting"], True
    )
    assert "andere populatie" in words


def test_benjamini_hochberg_controls_false_discoveries_per_screen() -> None:
    table = pd.DataFrame(
        {
            "departement": ["A"] * 5 + ["B"],
            "periode": ["2025-Q4"] * 6,
            "groep": ["alle"] * 6,
            "p": [0.001, 0.011, 0.02, 0.045, 0.3, 0.04],
        }
    )
    # A: line 0.01, 0.02, 0.03, 0.04, 0.05 → 0.045 > 0.04, 0.3 > 0.05: the first three
    # pass (0.04 alone would pass at 5%); B alone: 0.04 ≤ 0.05.
    assert survey.benjamini_hochberg(table, "p").tolist() == [True, True, True, False, False, True]


def test_a_melden_answer_given_by_fewer_than_five_hides_the_cell(sample_db: Path) -> None:
    cells = queries.survey_cells(queries.data_for(sample_db), "2023-Q4", "alle")
    sensitive = cells[cells["gevoelig"]]
    assert not sensitive.empty, "the samples must exercise the rule"
    assert sensitive["verborgen"].all() and sensitive["aandeel"].isna().all()
    assert set(sensitive["item"]) <= {"MEL1", "MEL2"}
    minimum = {i.item: i.minimum_antwoord for i in catalog.survey_items()}
    assert minimum["MEL1"] == minimum["MEL2"] == 5  # the catalogue's setting
    assert (
        tables.hidden_text(sensitive.iloc[0].to_dict())
        == "minder dan 5 (op een antwoord; niet getoond)"
    )
    # Counts of 1-4 on a melden item never leave the product, and a count of 5 may.
    with_small = survey.complete_counts(
        pd.DataFrame(
            [
                ("AZ", "2025-Q4", "medewerkers", "MEL2", "formeel_gemeld", 3),
                ("AZ", "2025-Q4", "medewerkers", "MEL2", "niet_gemeld", 40),
                ("FIN", "2025-Q4", "medewerkers", "MEL2", "formeel_gemeld", 5),
                ("FIN", "2025-Q4", "medewerkers", "MEL2", "niet_gemeld", 40),
            ],
            columns=[*survey.CELL, "antwoord", "aantal"],
        )
    )
    assert ("AZ", "2025-Q4", "medewerkers", "MEL2") in survey.sensitive_cells(with_small)
    assert ("FIN", "2025-Q4", "medewerkers", "MEL2") not in survey.sensitive_cells(with_small)


@settings(max_examples=200, deadline=None)
@given(n=survey_tables(), data=st.data())
def test_cells_hidden_for_a_small_answer_stay_unrecoverable(
    n: dict[tuple[str, str], int], data: st.DataObject
) -> None:
    """Complementary suppression protects the extra hidden cells as it protects small groups."""
    candidates = sorted(cell for cell in n if cell[0] != "RIJK")
    also = (
        set(data.draw(st.lists(st.sampled_from(candidates), max_size=3))) if candidates else set()
    )
    hidden = suppress(n, 10, also)
    assert also <= hidden
    assert exposed(hidden) == []
    assert _determined(n, hidden) == set()


def test_the_correlation_carries_its_interval_and_n() -> None:
    low, high = survey.correlation_interval(0.6, 15)
    # Fisher: atanh(0.6) ± 1.96 / sqrt(12)
    centre, half = np.arctanh(0.6), 1.959963984540054 / math.sqrt(12)
    assert (low, high) == pytest.approx((math.tanh(centre - half), math.tanh(centre + half)))
    assert all(math.isnan(v) for v in survey.correlation_interval(0.6, 3))


def test_the_response_rate_says_pooled_and_gives_the_plain_mean(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Court's "gemiddeld 22,3%" is the plain mean of the twelve ministries' rates. The
    greedy plan of the last release hid five ministries' participation, so the mean was
    over seven; the least-loss plan (issue 21) hides only managers' and employees' splits,
    and every reader reproduces the Court's 22,3% again."""
    response = queries.survey_response(queries.data_for(sample_db), "2023-Q4", "alle")
    mean, count = survey.mean_rate(response)
    shown = response[(response["departement"] != "RIJK") & ~response["verborgen"]]
    assert count == len(shown) == 12
    assert mean == pytest.approx(shown["respons"].mean()) and round(100 * mean, 1) == 22.3
    app = open_app(sample_db, monkeypatch, "screens/enquete.py", golf="2023-Q4", ministerie="RIJK")
    assert app.metric[2].label == "Respons (deelgenomen / uitgenodigd)"
    pooled = response.loc[response["departement"] == "RIJK", "respons"].iloc[0]
    said = [
        c.value
        for c in app.caption
        if "gewone gemiddelde van de 12 ministeriepercentages" in c.value
    ]
    assert bool(said) == (abs(mean - pooled) >= 0.0005)
    hidden = int((response["departement"] != "RIJK").sum()) - count
    assert hidden == 0 and not any("verborgen" in c for c in said)


def test_the_verdict_against_the_rest_sits_beside_the_figure_and_on_the_chart(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The significance against the rest of the Rijk was the last column of a wide table
    and the chart marked nothing (issue 23)."""
    from streamlit.testing.v1 import AppTest

    from dashboard import auth, view
    from etl.store.accounts import User
    from tests.conftest import TODAY

    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    monkeypatch.setenv("INTEGRITEIT_VANDAAG", TODAY.isoformat())
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("ipim.secretaris", "coordinator")
    app.session_state[view.SHOW_TABLES] = True
    app.switch_page("screens/enquete.py")
    app.query_params["golf"] = "2025-Q4"
    app.query_params["ministerie"] = "FIN"
    app = app.run()
    assert not app.exception
    columns = next(list(t.columns) for t in shown_tables(app) if "ministerie" in t.columns)
    assert columns.index("t.o.v. rest van het Rijk") == columns.index("ministerie") + 1
    words = []
    for chart in app.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for layer in spec.get("layer", []):
            if (
                "text" in str(layer.get("mark"))
                and layer.get("encoding", {}).get("text", {}).get("field") == "teken"
            ):
                words.append(layer)
    assert words, "a difference beyond chance is said under the item's points"
