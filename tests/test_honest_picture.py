"""An honest picture: every figure means what it says, checked against the Court's report.

One test (or more) per point of the issue, on the sample data and on small real files.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from dashboard import charts, queries, tables
from etl.domain import catalog, normgrid, survey, vocabulary
from etl.domain.disclosure import exposed, suppress
from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel
from etl.store.load import load_sources, read_source
from papers import praatplaat
from tests.conftest import ROOT, TODAY, fixture, norm_scores
from tests.test_dashboard import chart_data, open_app
from tests.test_survey import _determined
from tests.test_survey import tables as survey_tables


def _grid(db: Path, periode: str) -> pd.DataFrame:
    return queries.norm_grid(queries.data_for(db), periode, TODAY)


# --- 1. onbekend is not niet beoordeeld -----------------------------------------------------


def test_a_file_may_say_onbekend_and_it_is_stored_as_its_own_state() -> None:
    lines = ["departement,periode,norm,oordeel,bron"] + [
        f"FIN,2025-Q3,{n},{'Onbekend' if n in (4, 5) else 'voldoet'},AR" for n in range(1, 16)
    ]
    validation = validate_bytes("\n".join(lines).encode(), "f.csv", today=TODAY)
    records = {r.norm: r for r in norm_scores(validation)}
    assert records[4].oordeel == vocabulary.ONBEKEND and records[4].score is None
    assert records[1].oordeel == vocabulary.VOLDOET and records[1].bron == "AR"


def test_an_unknown_source_is_refused_with_its_line_and_column() -> None:
    lines = ["departement,periode,norm,oordeel,bron"] + [
        f"FIN,2025-Q3,{n},voldoet,{'Rekenkamer' if n == 3 else 'zelf'}" for n in range(1, 16)
    ]
    findings = validate_bytes("\n".join(lines).encode(), "f.csv", today=TODAY).findings
    assert [(f.line, f.column, f.message) for f in findings] == [
        (4, "bron", "Bron 'Rekenkamer' is onbekend; gebruik zelf of AR.")
    ]


def test_the_baselines_unpublished_norms_show_as_onbekend_everywhere(sample_db: Path) -> None:
    grid = _grid(sample_db, "2023-Q4")
    for norm in (4, 5, 6, 13, 14):
        assert set(grid.loc[grid["norm"] == norm, "staat"]) == {vocabulary.ONBEKEND}
    cells = charts.heatmap_data(grid)
    az4 = cells[(cells["departement"] == "AZ") & (cells["norm"] == 4)].iloc[0]
    assert az4["cel"] == "onb." and az4["staat_label"] == vocabulary.ONBEKEND
    # Its own outline pattern besides its label, not the dashed one of a missing file.
    assert charts.OUTLINES[vocabulary.ONBEKEND] != charts.OUTLINES[vocabulary.NIET_AANGELEVERD]
    exported = ReadModel(sample_db).normscores(periode="2023-Q4")
    assert set(exported.loc[exported["norm"] == 13, "oordeel"]) == {"onbekend"}
    table = pd.DataFrame(
        {"oordeel": grid.loc[grid["norm"] == 5, "staat"].map(vocabulary.LONG_LABELS)}
    )
    assert set(table["oordeel"]) == {"onbekend (niet gepubliceerd)"}


# --- 2. denominators ----------------------------------------------------------------------


def test_share_met_divides_by_the_judged_norms_only(sample_db: Path) -> None:
    """The issue's two cases: '0/12' for an unpublished baseline norm and '9/14' for norm 8 in
    2026-Q3 while VWS is niet beoordeeld."""
    baseline = vocabulary.share_met(_grid(sample_db, "2023-Q4"), ["norm"]).set_index("norm")
    assert baseline.loc[4, "beoordeeld"] == 0 and math.isnan(float(baseline["aandeel"][4]))
    latest = _grid(sample_db, "2026-Q3")
    vws8 = latest[(latest["departement"] == "VWS") & (latest["norm"] == 8)].iloc[0]
    assert vws8["staat"] == vocabulary.NIET_BEOORDEELD
    norm8 = vocabulary.share_met(latest, ["norm"]).set_index("norm").loc[8]
    assert (norm8["voldaan"], norm8["beoordeeld"]) == (9, 13)
    # Every screen takes the rule from there: the heatmap's Rijksbreed row...
    rijk = charts.heatmap_data(latest).query("departement == 'Rijksbreed'").set_index("norm")
    assert rijk.loc[8, "cel"] == "9/13"
    old = charts.heatmap_data(_grid(sample_db, "2023-Q4"))
    assert old.query("departement == 'Rijksbreed'").set_index("norm").loc[4, "cel"] == "–"
    # ...and the praatplaat.
    text = _pdf_text(praatplaat.ministry_pdf(ReadModel(sample_db), "VWS", "2026-Q3", TODAY))
    assert re.search(r"8 Meldregeling detectie niet beoordeeld .*9 van 13 beoordeeld", text), text


def test_share_text_says_when_nothing_was_judged() -> None:
    assert vocabulary.share_text(9, 13) == "9 van 13 (69%)"
    assert vocabulary.share_text(0, 0) == "– (geen norm beoordeeld)"
    assert vocabulary.count_label(0, 0) == "–"


# --- 3. changes across niet beoordeeld --------------------------------------------------------


def test_a_change_compares_with_the_last_judged_verdict(sample_db: Path) -> None:
    """FIN and KGG norm 12 in 2026-Q3: ja → n.b. → nee is worse."""
    grid = _grid(sample_db, "2026-Q3")
    for code in ("FIN", "KGG"):
        cell = grid[(grid["departement"] == code) & (grid["norm"] == 12)].iloc[0]
        assert cell["staat"] == vocabulary.NIET
        assert cell["vorige_score"] == 2 and cell["wijziging"] == -2
        assert cell["vorige_periode"] < "2026-Q2"  # it reached back past niet beoordeeld
    cells = charts.heatmap_data(grid)
    fin12 = cells[(cells["departement"] == "FIN") & (cells["norm"] == 12)].iloc[0]
    assert fin12["cel"] == "nee ▼"


def test_a_verdict_that_became_niet_beoordeeld_is_marked_and_counts_as_going_backwards(
    sample_db: Path,
) -> None:
    grid = _grid(sample_db, "2026-Q3")
    vws8 = grid[(grid["departement"] == "VWS") & (grid["norm"] == 8)].iloc[0]
    assert bool(vws8["niet_meer_beoordeeld"])
    cells = charts.heatmap_data(grid)
    assert cells.query("departement == 'VWS' and norm == 8")["cel"].iloc[0] == "n.b. ○"
    backwards = normgrid.regressions(grid)
    keys = set(zip(backwards["departement"], backwards["norm"], strict=True))
    assert {("FIN", 12), ("KGG", 12), ("VWS", 8)} <= keys


def test_the_norm_page_lists_who_went_backwards_through_niet_beoordeeld(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, "screens/norm.py", norm="12", periode="2026-Q3")
    assert app.metric[2].label.startswith("Achteruit")
    assert int(app.metric[2].value) >= 2
    lists = [m.value for m in app.markdown]
    backwards = next(text for text in lists if "→" in text and "slechter" in text)
    assert "- **FIN**: voldoet (" in backwards and "- **KGG**: voldoet (" in backwards
    assert "→ voldoet niet: slechter" in backwards
    # And VWS on norm 8, which is no longer judged, is listed as going backwards too.
    app = open_app(sample_db, monkeypatch, "screens/norm.py", norm="8", periode="2026-Q3")
    texts = [m.value for m in app.markdown]
    assert any("**VWS**" in t and "was beoordeeld, nu niet beoordeeld" in t for t in texts)


# --- 4. like-for-like trends ------------------------------------------------------------------


def test_a_share_over_time_compares_like_with_like(sample_db: Path) -> None:
    """BZK respons went 0/1 → 2/3 in 2024-Q1 only because norms 13 and 14 got judged."""
    history = queries.ministry_history(queries.data_for(sample_db), "BZK")
    shares = normgrid.ministry_onderdeel_shares(history)
    respons = shares[shares["onderdeel"] == "respons"]
    assert respons["beoordeeld"].nunique() == 1  # the same norms in every quarter
    assert respons.iloc[:2]["x_van_y"].tolist() == ["0 van 1", "0 van 1"]
    assert (respons["weggelaten"] == 2).all()
    same = normgrid.like_for_like(history, "2023-Q4", "2026-Q3", ["onderdeel"])
    preventie = same.set_index("onderdeel").loc["preventie"]
    assert preventie["normen"] == "1, 2, 3, 7"  # 4, 5, 6 were onbekend in 2023
    assert preventie["weggelaten"] == 3


def test_every_trend_point_says_x_van_y(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(sample_db, monkeypatch, "screens/trends.py")
    onderdelen = chart_data(app, 0)
    assert onderdelen["x_van_y"].str.fullmatch(r"\d+ van \d+").all()
    assert onderdelen.groupby("onderdeel")["beoordeeld"].nunique().eq(1).all()
    spec = app.get("vega_lite_chart")[0].proto.spec
    assert '"x_van_y' in spec  # drawn as text beside the points


# --- 5. audit versus self-assessment ------------------------------------------------------------


def test_each_quarter_says_who_judged_it_and_the_change_of_assessor_is_marked(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = queries.period_sources(queries.data_for(sample_db))
    assert sources["2023-Q4"] == "audit Algemene Rekenkamer"
    assert sources["2026-Q3"] == "zelfbeoordeling (niet geaudit)"
    overview = open_app(sample_db, monkeypatch, periode="2023-Q4")
    assert any("audit van opzet en bestaan" in c.value for c in overview.caption)
    trends = open_app(sample_db, monkeypatch, "screens/trends.py")
    proto = trends.get("vega_lite_chart")[0].proto
    texts = {
        str(value)
        for dataset in proto.datasets
        for value in pa.ipc.open_stream(dataset.data.data).read_all().to_pandas().to_numpy().ravel()
    }
    assert "vanaf hier: zelfbeoordeling (niet geaudit)" in texts
    text = _pdf_text(praatplaat.ministry_pdf(ReadModel(sample_db), "FIN", "2026-Q3", TODAY))
    assert "Oordelen van 2026-Q3: zelfbeoordeling (niet geaudit)." in text


# --- 6. words and colours -------------------------------------------------------------------------


def test_norm_texts_use_the_courts_words() -> None:
    questions = {n.nummer: n.vraag for n in catalog.norms()}
    assert "zelfstandige" in questions[3]
    assert "personeelsbeleid" in questions[5]
    assert "operationeel en ingeoefend" in questions[9]
    assert "bevoegd gezag" in questions[12]


def test_no_screen_calls_an_onderdeel_a_pijler() -> None:
    for path in [*(ROOT / "dashboard").rglob("*.py"), ROOT / "docs" / "bestandsformaten.md"]:
        text = path.read_text(encoding="utf-8").lower()
        assert "pijler" not in text, path


# --- 7. open is not missing -----------------------------------------------------------------------


def test_before_the_deadline_a_ministry_without_a_file_is_nog_open(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    early = read_source(fixture("normscores_fin_2026q4.csv"))
    [result] = load_sources([early], db, loaded_by="pytest", today=TODAY)
    assert result.status == "opgeslagen", result.summary()
    grid = _grid(db, "2026-Q4")
    states = grid.drop_duplicates("departement").set_index("departement")["staat"]
    assert states["FIN"] == vocabulary.VOLDOET or states["FIN"] in vocabulary.JUDGED
    assert set(states.drop("FIN")) == {vocabulary.NOG_OPEN}
    monkeypatch.setattr("dashboard.view.today", lambda: TODAY)
    app = open_app(db, monkeypatch, periode="2026-Q4")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Niet aangeleverd (termijn verstreken)"] == "geen"
    assert metrics["Nog open (termijn tot 30-01-2027)"] == "14 organisaties"
    cells = chart_data(app, 0)
    az = cells[(cells["departement"] == "AZ") & (cells["staat"] != charts.MARGIN)]
    assert set(az["cel"]) == {"open"} and len(az) == 15


# --- 8. direction and answer in every headline -----------------------------------------------


def test_each_headline_names_its_answer_and_direction() -> None:
    items = {i.item: i for i in catalog.survey_items()}
    assert items["CUL3"].kop == "(bijna) nooit besproken in teamoverleg"
    assert items["CUL3"].richting == "lager_beter"
    assert items["LEI1"].kop == "structureel gesteund"
    assert items["MEL2"].kop == "formeel gemeld, van wie een vermoeden had"
    assert "niet-integer gedrag" in items["VBG4"].stelling


def test_a_fall_of_a_bad_share_is_an_improvement(sample_db: Path) -> None:
    """IenW's CUL3 fell: fewer teams where integrity (almost) never came up is better."""
    cells = queries.survey_cells(queries.data_for(sample_db), "2025-Q4", "alle")
    row = cells[(cells["departement"] == "IenW") & (cells["item"] == "CUL3")].iloc[0].to_dict()
    assert row["verschil"] < 0 and row["richting"] == "lager_beter"
    words = tables.change_words(
        row["verschil"], bool(row["significant"]), row["vergeleken_met"], row["richting"]
    )
    assert "slechter" not in words
    if row["significant"]:
        assert "beter, verschil groter dan toeval" in words
    assert tables.headline_label(row) == "(bijna) nooit besproken in teamoverleg (lager is beter)"
    assert tables.change_words(-0.05, True, "2023-Q4", "lager_beter").endswith(
        "beter, verschil groter dan toeval"
    )
    assert tables.change_words(-0.05, True, "2023-Q4", "hoger_beter").endswith(
        "slechter, verschil groter dan toeval"
    )


# --- 9. the wave follows the period --------------------------------------------------------------


def test_a_quarters_page_shows_the_newest_wave_at_or_before_it(sample_db: Path) -> None:
    data = queries.data_for(sample_db)
    early = queries.ministry_survey(data, "BZK", "2023-Q4")
    late = queries.ministry_survey(data, "BZK", "2026-Q3")
    assert early is not None and early[0] == "2023-Q4"
    assert late is not None and late[0] == "2025-Q4"
    text = _pdf_text(praatplaat.ministry_pdf(ReadModel(sample_db), "BZK", "2023-Q4", TODAY))
    assert "golf 2023-Q4" in text and "2025-Q4" not in text


# --- 10. a ministry against the rest of the Rijk --------------------------------------------------


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


# --- 11. honest uncertainty ----------------------------------------------------------------


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


# --- 12. sensitive small counts -----------------------------------------------------------------


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


# --- 13. correlation interval and response rates ----------------------------------------------


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


# --- 14. small defects -------------------------------------------------------------------


def test_the_presentation_shows_the_quarters_up_to_the_chosen_one(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agenda_slides = -(-len(ReadModel(sample_db).agenda("2024-Q2", TODAY)) // 7)
    first_ministry = str(1 + agenda_slides)  # after the heatmap and the agenda
    app = open_app(
        sample_db, monkeypatch, "screens/presentatie.py", periode="2024-Q2", stap=first_ministry
    )
    quarters = set(chart_data(app, 0)["periode"])
    assert max(quarters) == "2024-Q2" and len(quarters) <= 4


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_every_ministry_keeps_its_trend_over_its_own_quarters(sample_db: Path) -> None:
    """AenM began in 2024-Q3 and skipped 2026-Q3, BZ skipped 2025-Q2: a panel over every
    quarter of the Rijk left them without a line."""
    shares = ReadModel(sample_db).ministry_shares()
    latest = set(catalog.organisations_in("2026-Q3")["departement"])
    assert set(shares["ministerie"]) == latest
    aenm = shares[shares["ministerie"] == "AenM"]
    assert aenm["periode"].min() == "2024-Q3" and "2026-Q3" not in set(aenm["periode"])
    assert aenm["beoordeeld"].nunique() == 1  # still like for like along its own line


def test_the_verdict_against_the_rest_sits_beside_the_figure_and_on_the_chart(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The significance against the rest of the Rijk was the last column of a wide table
    and the chart marked nothing (issue 23)."""
    from streamlit.testing.v1 import AppTest

    from dashboard import auth
    from etl.store.accounts import User
    from tests.conftest import ROOT, TODAY

    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    monkeypatch.setenv("INTEGRITEIT_VANDAAG", TODAY.isoformat())
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("ipim.secretaris", "coordinator")
    app.switch_page("screens/enquete.py")
    app.query_params["golf"] = "2025-Q4"
    app.query_params["ministerie"] = "FIN"
    app = app.run()
    assert not app.exception
    columns = list(app.dataframe[0].value.columns)
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
    assert words, "a difference beyond chance is said beside the ministry's point"
