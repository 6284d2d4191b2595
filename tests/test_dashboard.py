"""The dashboard pages render with the sample data, through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def app(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    return AppTest.from_file(APP, default_timeout=30)


def test_overview_shows_every_ministry_and_both_missing_states(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert app.selectbox[0].value == "2026-Q3"
    table = app.dataframe[0].value
    assert len(table.columns) == 15
    assert "AenM" in table.index
    cells = set(table.to_numpy().ravel())
    assert "niet aangeleverd" in cells
    assert "niet beoordeeld" in cells
    assert not any(isinstance(cell, (int, float)) for cell in cells)


def test_overview_follows_the_chosen_period(app: AppTest) -> None:
    app.run()
    app.selectbox[0].select("2023-Q4").run()
    table = app.dataframe[0].value
    assert sorted(table.index) == sorted(
        ["AZ", "BZ", "BZK", "DEF", "EZK", "FIN", "IenW", "JenV", "LNV", "OCW", "SZW", "VWS"]
    )
    assert table.loc["AZ", "10. Vertrouwenspersonen"] == "voldoet niet"


def test_overview_without_data_explains_how_to_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEGRITEIT_DB", str(tmp_path / "leeg.duckdb"))
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert "python -m etl load" in app.info[0].value


def test_load_history_page_lists_the_ledger(app: AppTest) -> None:
    app.run()
    app.switch_page("pages/aanleveringen.py").run()
    assert not app.exception
    history = app.dataframe[0].value
    assert len(history) == len(list((ROOT / "sample_submissions").glob("*.csv")))
    assert set(history["Status"]) == {"opgeslagen"}


def test_data_version_changes_when_the_writer_swaps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    assert queries.data_version(path) == ""
    path.write_bytes(b"een")
    first = queries.data_version(path)
    replacement = tmp_path / "y.duckdb"
    replacement.write_bytes(b"twee")
    replacement.replace(path)
    assert queries.data_version(path) not in ("", first)
