"""The norms' figures mean what they say, checked against the Court's report: onbekend,
the share met of the judged norms, changes against the last judged verdict, who judged,
the Court's words, nog open before the deadline, like-for-like trends."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from dashboard import charts, queries, tables
from etl.domain import catalog, normgrid, vocabulary
from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel
from etl.store.load import load_sources, read_source
from papers import praatplaat
from tests.conftest import ROOT, TODAY, fixture, norm_scores, pdf_text
from tests.test_dashboard import chart_data, open_app


def _grid(db: Path, periode: str) -> pd.DataFrame:
    return queries.norm_grid(queries.data_for(db), periode, TODAY)


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
    text = pdf_text(praatplaat.ministry_pdf(ReadModel(sample_db), "VWS", "2026-Q3", TODAY))
    row = " ".join(
        text[text.index("\n8 Meldregeling") : text.index("\n9 Onderzoeksprotocol")].split()
    )
    assert row.startswith("8 Meldregeling detectie niet beoordeeld "), text
    assert row.endswith(" 9 van 13 beoordeeld"), text


def test_share_text_says_when_nothing_was_judged() -> None:
    assert vocabulary.share_text(9, 13) == "9 van 13 (69%)"
    assert vocabulary.share_text(0, 0) == "– (geen norm beoordeeld)"
    assert vocabulary.count_label(0, 0) == "–"


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
    text = pdf_text(praatplaat.ministry_pdf(ReadModel(sample_db), "FIN", "2026-Q3", TODAY))
    assert "Oordelen van 2026-Q3: zelfbeoordeling (niet geaudit)." in text


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


def test_every_ministry_keeps_its_trend_over_its_own_quarters(sample_db: Path) -> None:
    """AenM began in 2024-Q3 and skipped 2026-Q3, BZ skipped 2025-Q2: a panel over every
    quarter of the Rijk left them without a line."""
    shares = ReadModel(sample_db).ministry_shares()
    latest = set(catalog.organisations_in("2026-Q3")["departement"])
    assert set(shares["ministerie"]) == latest
    aenm = shares[shares["ministerie"] == "AenM"]
    assert aenm["periode"].min() == "2024-Q3" and "2026-Q3" not in set(aenm["periode"])
    assert aenm["beoordeeld"].nunique() == 1  # still like for like along its own line
