"""The Werking page: the coordinator sees exact counts; a reader sees exact totals, no
organisation's count of one type under five, no range, only completed years, and no
quarter; a lead sees its own quarters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from etl.store.accounts import User
from tests.conftest import open_page, shown_tables


def _werking_with(db: Path, monkeypatch: pytest.MonkeyPatch, user: User, **params: str) -> Any:
    """The Werking page opened at an address with these query parameters."""
    from streamlit.testing.v1 import AppTest

    from dashboard import auth, view
    from tests.conftest import ROOT, TODAY

    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    monkeypatch.setenv("INTEGRITEIT_VANDAAG", TODAY.isoformat())
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = user
    app.session_state[view.SHOW_TABLES] = True  # every chart's table: the strictest reading
    app.switch_page("screens/werking.py")
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def _texts(app: object) -> list[str]:
    """Every cell of every table on the page (interactive and static), as text."""
    cells: list[str] = []
    for frame in shown_tables(app):
        cells += [str(v) for v in frame.to_numpy().ravel()]
    return cells


def test_the_coordinator_sees_the_chain_by_type_the_funnel_and_the_advisers(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(
        sample_db, monkeypatch, User("ipim.secretaris", "coordinator"), "screens/werking.py"
    )
    assert not app.exception
    headings = [h.value for h in app.subheader]
    assert headings[0] == "Afhandeling Rijksbreed, 2025"  # the newest complete year
    assert any("Vertrouwenspersonen" in h for h in headings)
    assert not any(" tot " in t for t in _texts(app))  # exact counts: no ranges
    assert [c for c in app.get("vega_lite_chart")], "charts are drawn"
    [year] = [s for s in app.selectbox if s.label == "Jaar"]
    assert "2026 (lopend jaar: 3 kwartalen)" in year.options


@pytest.mark.slow
def test_a_reader_never_sees_a_count_under_five_nor_a_quarter(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(sample_db, monkeypatch, User("lezer1", "lezer"), "screens/werking.py")
    assert not app.exception
    [year] = [s for s in app.selectbox if s.label == "Jaar"]
    assert all(not str(o).startswith("2026") for o in year.options)
    organisations = next(s for s in app.selectbox if s.label == "Organisatie").options
    for organisation in organisations:
        # Chosen through the address, as a bookmark or another page's choice would.
        code = "RIJK" if organisation == "Rijksbreed" else organisation.split(" — ")[0]
        app = _werking_with(sample_db, monkeypatch, User("lezer1", "lezer"), ministerie=code)
        assert next(s for s in app.selectbox if s.label == "Organisatie").value == code
        assert organisation.split(" — ")[0] in app.subheader[0].value
        assert not any(" tot " in t or t.startswith("tussen") for t in _texts(app))
        if organisation == "Rijksbreed":
            continue  # the Rijk's totals per type are exact, as annual reports publish them
        by_type = [f.value for f in app.dataframe if "soort" in f.value.columns]
        assert by_type, organisation
        for text in by_type[0].drop(columns="soort").to_numpy().ravel():
            assert not re.fullmatch(r"[1-4]", str(text)), (organisation, text)
    assert not [e for e in app.expander if e.label == "Per kwartaal"]


def test_a_lead_sees_its_own_quarters_only(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(sample_db, monkeypatch, User("lead.az", "departement:AZ"), "screens/werking.py")
    assert not app.exception
    [quarters] = [e for e in app.expander if e.label == "Per kwartaal"]
    shown = {str(v) for frame in quarters.dataframe for v in frame.value["departement"]}
    assert shown == {"AZ"}


def test_the_ministry_page_gives_the_key_figures_beside_the_rijk(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(sample_db, monkeypatch, User("lezer1", "lezer"),
                    "screens/ministerie.py")  # fmt: skip
    assert not app.exception
    assert "Werking: meldingen en hun afhandeling" in [h.value for h in app.subheader]
    [table] = [t.value for t in app.table if "Rijksbreed" in t.value.columns]
    assert "Meldingen per 1.000 medewerkers (95%-interval)" in table.index
    for text in table.to_numpy().ravel():  # an organisation's year totals are exact
        assert " tot " not in str(text) and not str(text).startswith("tussen"), text
        assert str(text) != "afgeschermd", text


@pytest.mark.parametrize(
    ("norm", "column"), [(13, "gemeld (2025)"), (14, "aangifte gedaan (2025)")]
)
def test_norms_13_and_14_show_the_practice_beside_the_verdict(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, norm: int, column: str
) -> None:
    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    app = open_page(sample_db, monkeypatch, User("ipim.secretaris", "coordinator"),
                    "screens/norm.py")  # fmt: skip
    app.query_params["norm"] = str(norm)
    app = app.run()
    assert not app.exception
    assert "De praktijk naast het oordeel" in [h.value for h in app.subheader]
    [frame] = [d.value for d in app.dataframe if column in d.value.columns]
    assert {"organisatie", "oordeel"} <= set(frame.columns) and len(frame) >= 12


def test_measures_by_kind_show_and_a_difference_is_a_signal_only_to_who_sees_exactly(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = open_page(
        sample_db, monkeypatch, User("ipim.secretaris", "coordinator"), "screens/werking.py"
    )
    assert not coordinator.exception
    assert "Opgelegde maatregelen, Rijksbreed, 2025" in [h.value for h in coordinator.subheader]
    assert "Schriftelijke berisping" in _texts(coordinator)
    assert len([w for w in coordinator.warning if "tellen niet op" in w.value]) == 1
    assert "JenV" in _texts(coordinator) and "2025-Q2" in _texts(coordinator)
    reader = open_page(sample_db, monkeypatch, User("lezer1", "lezer"), "screens/werking.py")
    assert not reader.exception
    assert not [w for w in reader.warning if "tellen niet op" in w.value]


def test_werking_keeps_organisation_and_year_in_the_address_and_from_other_pages(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Werking kept nothing in the address and forgot the ministry chosen elsewhere."""
    coordinator = User("ipim.secretaris", "coordinator")
    app = _werking_with(sample_db, monkeypatch, coordinator, ministerie="FIN", jaar="2024")
    assert not app.exception
    assert app.subheader[0].value == "Afhandeling FIN, 2024"
    assert app.query_params["ministerie"] in ("FIN", ["FIN"])
    # The ministry chosen on the ministry page carries over to Werking.
    app.switch_page("screens/ministerie.py")
    app.query_params.clear()
    app.query_params["ministerie"] = "AZ"
    app = app.run()
    app.switch_page("screens/werking.py")
    app.query_params.clear()
    app = app.run()
    assert not app.exception
    assert app.subheader[0].value.startswith("Afhandeling AZ")
