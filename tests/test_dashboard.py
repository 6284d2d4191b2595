"""The dashboard pages with the sample data, through Streamlit's AppTest."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import auth, queries, view
from dashboard import tables as display
from etl.reads import readmodel
from etl.reads.readmodel import ReadModel
from etl.store import derived
from etl.store.accounts import User
from etl.store.load import load_sources, read_source
from tests.conftest import ROOT, TODAY, fixture, open_page, shown_tables

APP = str(ROOT / "dashboard" / "app.py")
LATEST_MINISTRIES = {
    "AZ", "BZ", "BZK", "DEF", "EZ", "FIN", "IenW", "JenV", "KGG", "LVVN", "OCW", "SZW", "VWS",
    "VRO", "AenM",
}  # fmt: skip


COORDINATOR = User("test.coordinator", "coordinator")


def open_app(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    page: str | None = None,
    user: User | None = COORDINATOR,
    **params: str,
) -> AppTest:
    """Open a page as a signed-in user following a link with these query parameters, every
    chart's table shown (the sidebar's switch)."""
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state[view.SHOW_TABLES] = True
    if user is not None:
        app.session_state[auth.SESSION_KEY] = user
    if page is not None:
        app.switch_page(page)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def chart_data(app: AppTest, index: int = 0) -> pd.DataFrame:
    """The data set behind the index-th Altair chart, as Streamlit sends it to the browser."""
    proto = app.get("vega_lite_chart")[index].proto
    frame: pd.DataFrame = pa.ipc.open_stream(proto.datasets[0].data.data).read_all().to_pandas()
    return frame


def chart_spec(app: AppTest, index: int = 0) -> dict[str, object]:
    spec: dict[str, object] = json.loads(app.get("vega_lite_chart")[index].proto.spec)
    return spec


@pytest.fixture
def sample_copy(sample_db: Path, tmp_path: Path) -> Path:
    """A private copy, for tests that write or lock the database."""
    copy = tmp_path / "integriteit.duckdb"
    shutil.copy(sample_db, copy)
    return copy


def test_overview_heatmap_holds_every_ministry_and_fifteen_norms(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch)
    assert app.selectbox[0].value == "2026-Q3"
    data = chart_data(app)
    cells = data[data["staat"] != "marge"]
    assert set(cells["departement"]) == LATEST_MINISTRIES
    assert sorted(set(cells["norm"])) == list(range(1, 16))
    assert len(cells) == 15 * 15
    assert {"niet aangeleverd", "niet beoordeeld"} <= set(cells["staat"])
    assert app.get("vega_lite_chart")[0].proto.alt.startswith("Heatmap van 15 ministeries")


def test_overview_missing_states_are_labelled_never_scored(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = chart_data(open_app(sample_db, monkeypatch))
    missing = data[data["staat"] == "niet aangeleverd"]
    assert set(missing["departement"]) == {"AenM"}
    assert set(missing["cel"]) == {"—"}
    assert missing["score"].isna().all()
    unjudged = data[data["staat"] == "niet beoordeeld"]
    assert set(unjudged["cel"].str[:4]) == {"n.b."}
    assert (
        data.loc[(data["departement"] == "AenM") & (data["kolom"] == "Voldaan"), "cel"].item()
        == "–"
    )


def test_overview_period_comes_from_the_url(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, periode="2023-Q4")
    assert app.selectbox[0].value == "2023-Q4"
    cells = chart_data(app).query("staat != 'marge'")
    assert len(set(cells["departement"])) == 12
    assert app.query_params["periode"] == ["2023-Q4"] or app.query_params["periode"] == "2023-Q4"


def test_overview_sorts_by_score_from_the_url(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, sorteer="score")
    data = chart_data(app)
    order = _y_sort(chart_spec(app))
    totals = data[data["kolom"] == "Voldaan"].set_index("departement")["aandeel"]
    shares = [totals[code] for code in order[:-1]]
    assert shares == sorted(shares, reverse=True)
    assert order[-1] == "Rijksbreed"


def _y_sort(spec: object) -> list[str]:
    """Find the y encoding's explicit sort list anywhere in a (faceted, layered) spec."""
    if isinstance(spec, dict):
        y = spec.get("encoding", {}).get("y") if isinstance(spec.get("encoding"), dict) else None
        if isinstance(y, dict) and isinstance(y.get("sort"), list):
            return list(y["sort"])
        for value in spec.values():
            found = _y_sort(value)
            if found:
                return found
    if isinstance(spec, list):
        for value in spec:
            found = _y_sort(value)
            if found:
                return found
    return []


def test_ministry_page_from_a_deep_link_marks_the_norm_and_its_predecessor(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(
        sample_db,
        monkeypatch,
        "screens/ministerie.py",
        ministerie="EZ",
        periode="2024-Q3",
        norm="3",
    )
    assert app.title[0].value == "Ministerie van Economische Zaken"
    assert "Voortgezet uit EZK" in app.caption[0].value
    assert app.info[0].value.startswith("**Norm 3. Positie coördinator**")
    norms = app.dataframe[0].value
    assert list(norms["norm"]) == list(range(1, 16))
    history = chart_data(app, 0)
    assert "2024-Q2 (EZK)" in set(history["kwartaal"])
    assert "2024-Q3" in set(history["kwartaal"])


def test_ministry_page_lists_every_version_it_submitted(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(
        sample_db, monkeypatch, "screens/ministerie.py", ministerie="OCW", periode="2025-Q4"
    )
    submissions = app.dataframe[-1].value
    versions = submissions[submissions["periode"] == "2025-Q4"]
    assert sorted(versions["versie"]) == [1, 2]
    assert all(len(sha) == 64 for sha in versions["sha256"])


def test_norm_page_shows_every_ministry_over_time(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, "screens/norm.py", norm="9", periode="2026-Q3")
    assert app.title[0].value == "Norm 9. Onderzoeksprotocol"
    grid = chart_data(app, 0)
    assert len(set(grid["periode"])) == 12
    assert {"EZK", "EZ", "LNV", "LVVN"} <= set(grid["departement"])
    shares = chart_data(app, 1)
    assert shares["aandeel"].between(0, 1).all()


def test_trends_continue_new_ministries_through_their_predecessor(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, "screens/trends.py")
    pillars = chart_data(app, 0)
    assert set(pillars["onderdeel"]) == {"preventie", "detectie", "respons"}
    ministries = chart_data(app, 1)
    ez = ministries[ministries["ministerie"] == "EZ"]
    assert set(ez.loc[ez["via_voorganger"], "door"]) == {"EZK"}
    assert set(ez.loc[~ez["via_voorganger"], "periode"]) >= {"2024-Q3", "2026-Q3"}


def test_status_page_shows_on_time_late_missing_and_versions(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, "screens/aanleverstatus.py")
    status = chart_data(app).set_index(["departement", "periode"])
    assert status.loc[("AenM", "2026-Q3"), "status"] == "niet aangeleverd"
    assert status.loc[("BZ", "2025-Q2"), "status"] == "niet aangeleverd"
    assert status.loc[("OCW", "2025-Q4"), "versies"] == 2
    assert {"op tijd", "te laat"} <= set(status["status"])
    assert "2023-Q4" not in set(status.index.get_level_values("periode"))
    ledger = app.dataframe[-1].value
    assert len(ledger) == len(list((ROOT / "sample_submissions").glob("*.csv")))


def test_empty_database_explains_how_to_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for page in (
        None,
        "screens/ministerie.py",
        "screens/norm.py",
        "screens/trends.py",
        "screens/aanleverstatus.py",
    ):
        app = open_app(tmp_path / "leeg.duckdb", monkeypatch, page)
        assert "python -m etl load" in app.info[0].value


@pytest.mark.slow
def test_dashboard_answers_while_a_load_runs_in_another_process(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resume = sample_copy.parent / "verder"  # the writer holds until the page was read
    env = {
        **os.environ,
        "INTEGRITEIT_DB": str(sample_copy),
        "INTEGRITEIT_PAUSE_AT": f"before_commit:60:{resume}",
    }
    path = fixture("normscores_valid_v2.csv")
    writer = subprocess.Popen([sys.executable, "-m", "etl", "load", str(path)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while not list(sample_copy.parent.glob(".*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(sample_copy.parent.glob(".*.tmp")), "the writer did not start"
        before = queries.data_version(sample_copy)
        app = open_app(sample_copy, monkeypatch, periode="2025-Q3")
        assert writer.poll() is None, "the load finished before the dashboard was asked"
        fin = chart_data(app).query("departement == 'FIN' and staat != 'marge'")
        assert "voldoet deels" in set(fin["staat"])
    finally:
        resume.touch()
        assert writer.wait(timeout=90) == 0
    assert queries.data_version(sample_copy) != before
    app.run()
    fin = chart_data(app).query("departement == 'FIN' and staat != 'marge'")
    assert set(fin["staat"]) == {"voldoet"}


def test_foreign_process_holding_the_file_gets_a_message_not_a_traceback(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ok', flush=True); time.sleep(30)", str(sample_copy)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        app = open_app(sample_copy, monkeypatch)
        assert "bezet" in app.warning[0].value
    finally:
        holder.kill()
        holder.wait()


def test_data_version_changes_when_the_writer_swaps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    assert queries.data_version(path) == ""
    path.write_bytes(b"een")
    first = queries.data_version(path)
    replacement = tmp_path / "y.duckdb"
    replacement.write_bytes(b"twee")
    replacement.replace(path)
    assert queries.data_version(path) not in ("", first)


def test_survey_page_shows_every_figure_with_its_interval_and_n(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, "screens/enquete.py", golf="2023-Q4", ministerie="FIN")
    tables = [frame for frame in shown_tables(app) if "ministerie" in frame.columns]
    assert len(tables) == 6  # one per block
    figures = pd.concat(tables)
    for column in ("ministerie", "rijksbreed"):
        for text in figures[column]:
            assert text == "te weinig respondenten" or ("% (" in text and "n = " in text), text
    vbg1 = figures.set_index("item").loc["VBG1"]
    assert vbg1["rijksbreed"].startswith("76% (")


def test_survey_page_hides_small_groups_and_never_charts_them(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reader's view: the coordinator sees every figure exactly (issue 21), everyone else
    # the protected figures.
    app = open_app(
        sample_db, monkeypatch, "screens/enquete.py", golf="2023-Q4", ministerie="AZ",
        groep="leidinggevenden", user=User("lezer1", "lezer"),
    )  # fmt: skip
    figures = pd.concat(frame for frame in shown_tables(app) if "ministerie" in frame.columns)
    # No figure: too few respondents, or (melden items) an answer given by 1 to 4 people.
    assert set(figures["ministerie"]) <= {display.TOO_FEW, display.sensitive_text(5)}
    assert display.TOO_FEW in set(figures["ministerie"])
    assert app.metric[1].value == "te weinig respondenten"
    # Nothing of AZ's managers reaches a chart: no point of the series "ministerie", no bar
    # of AZ's distribution (every text cell of every chart is checked, not some columns).
    for index in range(len(app.get("vega_lite_chart"))):
        data = chart_data(app, index)
        cells = (
            data.select_dtypes(include=["object", "str", "string"]).astype(str).to_numpy().ravel()
        )
        assert "ministerie" not in set(cells)
        assert "AZ" not in set(cells)


def test_survey_page_computes_the_same_figures_when_the_stored_ones_are_stale(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def shown() -> list[pd.DataFrame]:
        app = open_app(
            sample_db, monkeypatch, "screens/enquete.py", golf="2025-Q4", ministerie="EZ"
        )
        return shown_tables(app)

    stored = shown()
    monkeypatch.setattr(derived, "DERIVED_VERSION", "stale")  # as after a catalogue edit
    assert readmodel.read_survey_waves(sample_db) is None
    st.cache_data.clear()
    computed = shown()
    assert len(stored) == len(computed) >= 6
    for before, after in zip(stored, computed, strict=True):
        pd.testing.assert_frame_equal(before, after)


def test_survey_scatter_states_the_correlation_and_its_caveat(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(sample_db, monkeypatch, "screens/enquete.py", golf="2025-Q4")
    text = " ".join(m.value for m in app.markdown)
    assert "Correlatie tussen ministeries: **r = " in text
    assert "0,6 tussen personen" in text


def test_ministry_page_shows_key_survey_figures_through_the_predecessor(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(
        sample_db, monkeypatch, "screens/ministerie.py", ministerie="LNV", periode="2024-Q2"
    )
    survey = next(t.value for t in app.table if "rijksbreed" in t.value.columns)
    assert set(survey.index) == {"VBG1", "CUL1", "CUL3", "CUL4", "MEL1", "LEI1"}
    assert all("n = " in text for text in survey["ministerie"])


def test_presentation_walks_from_the_heatmap_through_the_agenda_and_every_ministry(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.reads.readmodel import ReadModel

    points = ReadModel(sample_db).agenda("2026-Q3", TODAY)
    agenda_slides = -(-len(points) // 7)  # seven points a slide
    assert agenda_slides >= 2
    total = 1 + agenda_slides + 15
    app = open_app(sample_db, monkeypatch, "screens/presentatie.py", periode="2026-Q3")
    assert app.title[0].value == "Integriteit bij het Rijk, 2026-Q3"
    assert any(f"Dia 1 van {total}" in m.value for m in app.markdown)
    app.button[1].click().run()  # Volgende (PageDown)
    assert not app.exception
    assert app.title[0].value == f"Agenda IPIM 2026-Q3 (1 van {agenda_slides})"
    listed = [m.value for m in app.markdown if m.value.startswith("- ")]
    assert points[0].departement in listed[0]  # the most urgent point first
    assert app.query_params["stap"] in ("1", ["1"])
    ministry = open_app(sample_db, monkeypatch, "screens/presentatie.py", periode="2026-Q3",
                        stap=str(1 + agenda_slides))  # fmt: skip
    assert ministry.title[0].value == "Ministerie van Asiel en Migratie"  # AenM sorts first
    deep = open_app(sample_db, monkeypatch, "screens/presentatie.py", periode="2026-Q3",
                    stap=str(total - 1))  # fmt: skip
    assert deep.title[0].value == "Ministerie van Volksgezondheid, Welzijn en Sport"
    assert deep.button[1].disabled


@pytest.fixture
def many_organisations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sixty organisations of two kinds, one quarter: the overview at a larger scale."""
    catalogue = tmp_path / "organisaties.csv"
    codes = [f"GM{n:04d}" for n in range(1, 51)] + [f"PV{n:04d}" for n in range(1, 11)]
    lines = ["code,naam,soort,geldig_van,geldig_tot,voorganger", "RIJK,Alle,rijksbreed,,,"]
    lines += [
        f"{c},{'Gemeente' if c.startswith('GM') else 'Provincie'} {c},"
        f"{'gemeente' if c.startswith('GM') else 'provincie'},,,"
        for c in codes
    ]
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("INTEGRITEIT_ORGANISATIES", str(catalogue))
    rows = "".join(f"{c},2025-Q3,{n},voldoet\n" for c in codes for n in range(1, 16))
    submission = tmp_path / "alle.csv"
    submission.write_text("departement,periode,norm,oordeel\n" + rows, encoding="utf-8")
    db = tmp_path / "groot.duckdb"
    assert load_sources([read_source(submission)], db, "test")[0].status == "opgeslagen"
    return db


def test_overview_with_many_organisations_filters_searches_and_pages(
    many_organisations: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(many_organisations, monkeypatch)
    assert app.multiselect[0].value == ["gemeente", "provincie"]
    pages = [box for box in app.selectbox if box.label == "Pagina"]
    assert pages and pages[0].options == ["1 van 2", "2 van 2"]
    first = chart_data(app).query("staat != 'marge'")
    assert len(set(first["departement"])) == 40
    app.multiselect[0].set_value(["provincie"]).run()
    provinces = chart_data(app).query("staat != 'marge'")
    assert set(provinces["departement"]) == {f"PV{n:04d}" for n in range(1, 11)}
    app.text_input[0].input("gm0007").run()
    assert chart_data(app).query("staat != 'marge'").empty  # GM0007 is no province
    app.multiselect[0].set_value(["gemeente", "provincie"]).run()
    assert set(chart_data(app).query("staat != 'marge'")["departement"]) == {"GM0007"}


@pytest.mark.parametrize(
    ("page", "index", "column"),
    [
        ("screens/aanleverstatus.py", 0, "departement"),
        ("screens/trends.py", 1, "ministerie"),
        ("screens/norm.py", 0, "departement"),
    ],
)
def test_status_trends_and_norm_pages_filter_many_organisations_like_the_overview(
    many_organisations: Path, monkeypatch: pytest.MonkeyPatch, page: str, index: int, column: str
) -> None:
    app = open_app(many_organisations, monkeypatch, page)
    pages = [box for box in app.selectbox if box.label == "Pagina"]
    assert pages and pages[0].options == ["1 van 2", "2 van 2"]
    assert len(set(chart_data(app, index)[column])) == 40
    pages[0].set_value(2).run()
    assert len(set(chart_data(app, index)[column])) == 20
    app.text_input[0].input("pv0003").run()
    assert set(chart_data(app, index)[column]) == {"PV0003"}


def test_change_preview_of_a_survey_file_lists_its_counts_and_what_it_replaces() -> None:
    from dashboard import tables
    from etl.intake.validate import validate_bytes

    validation = validate_bytes(
        fixture("enquete_valid.csv").read_bytes(), "enquete_valid.csv", date(2026, 11, 28)
    )
    assert validation.submission is not None
    preview = tables.change_preview(validation.submission, pd.DataFrame(columns=["departement"]))
    assert len(preview) == validation.submission.row_count
    assert {"departement", "periode", "groep", "item", "antwoord", "aantal"} <= set(preview)
    assert set(preview["vervangt bestaande versie"]) == {"nee"}


def test_government_paper_has_a_page_per_forty_organisations(many_organisations: Path) -> None:
    from pypdf import PdfReader

    from papers import praatplaat

    made = praatplaat.government_pdf(ReadModel(many_organisations), "2025-Q3", TODAY)
    paper = PdfReader(io.BytesIO(made))
    assert len(paper.pages) == 2
    assert "pagina 1 van 2" in paper.pages[0].extract_text()
    assert "pagina 2 van 2" in paper.pages[1].extract_text()


def test_a_charts_table_is_made_when_opened_or_for_every_chart_with_the_switch(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed expander's grid was still built in the browser, one per chart (eight on
    Enquête): a chart's table is made when its expander opens, or under every chart when
    the sidebar's switch is on (issue 23)."""

    def werking(opened: tuple[str, ...] = (), tables: bool = False) -> AppTest:
        app: AppTest = open_page(sample_db, monkeypatch, COORDINATOR, "screens/werking.py",
                                 opened=opened, tables=tables)  # fmt: skip
        assert not app.exception
        return app

    closed = werking()
    charts = len(closed.get("vega_lite_chart"))
    assert charts >= 3
    labels = [e.label for e in closed.expander]
    assert labels.count("Gegevens van deze grafiek als tabel") == charts
    one = werking(opened=("werking_keten_tabel_open",))
    assert len(one.dataframe) == len(closed.dataframe) + 1
    chain = [list(frame.value.columns) == ["stap", "aantal"] for frame in one.dataframe]
    assert chain.count(True) == 1
    assert not [f for f in closed.dataframe if list(f.value.columns) == ["stap", "aantal"]]
    every = werking(tables=True)
    assert len(every.dataframe) == len(closed.dataframe) + charts
    assert "Gegevens van deze grafiek als tabel" not in [e.label for e in every.expander]
