"""Pages and papers hold up: no error details for users, submitted text shown as typed,
an ended organisation's user, unprintable characters, no bare expression printed."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, downloads, view
from etl.reads.readmodel import ReadModel
from etl.store.accounts import User
from etl.store.load import Source, load_sources
from papers import agendapaper, praatplaat
from tests.conftest import ROOT, TODAY, normscores_csv


@pytest.mark.parametrize(
    "text",
    ["regel een\x0bregel twee", "niet-teken \uffff en \U0010ffff", "scheiding\u2028en \x85"],
    ids=["vertical-tab", "noncharacters", "separators"],
)
def test_an_unprintable_character_in_a_toelichting_does_not_break_the_meeting_papers(
    tmp_path: Path, text: str
) -> None:
    """A vertical tab, then U+FFFF, broke the XML of every picture of the quarter."""
    data = normscores_csv().replace(b",x\n", f",{text}\n".encode())
    db = tmp_path / "db.duckdb"
    [result] = load_sources([Source("vt.csv", data)], db, "t", TODAY)
    assert result.status == "opgeslagen"
    model = ReadModel(db)
    assert praatplaat.government_pdf(model, "2025-Q3", TODAY).startswith(b"%PDF")
    assert praatplaat.ministry_pdf(model, "FIN", "2025-Q3", date(2026, 11, 28)).startswith(b"%PDF")
    heatmap = praatplaat.heatmap_chart(model, "2025-Q3", TODAY)
    assert downloads.chart_svg(heatmap).startswith("<svg")
    paper = agendapaper.agenda_pdf(model.agenda("2025-Q3", TODAY), "2025-Q3", TODAY)
    assert paper.startswith(b"%PDF")


def test_users_never_see_error_details() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_a_file_name_with_markdown_shows_as_typed() -> None:
    """Upload names go into headings and messages, which render Markdown."""
    name = "![x](http://evil.example/a.png) [log opnieuw in](http://evil.example) **.csv"
    escaped = view.plain(name)
    assert "](" not in escaped.replace("\\](", "") and "**" not in escaped
    assert escaped.replace("\\", "") == name.replace("\\", "")


@pytest.mark.parametrize(
    "screen",
    ["overzicht", "ministerie", "norm", "trends", "enquete", "aanleverstatus", "presentatie",
     "aanleveren"],
)  # fmt: skip
def test_a_user_of_an_organisation_that_has_ended_gets_pages_not_tracebacks(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    monkeypatch.setenv("INTEGRITEIT_DETAIL_ANDERE_MINISTERIES", "nee")
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("lead.ezk", "departement:EZK")
    app.switch_page(f"screens/{screen}.py").run()
    assert not app.exception
    if screen == "ministerie":
        assert "EZK bestaat na 30-06-2024 niet meer" in app.info[0].value
        assert "2024-Q2" in app.info[0].value


def test_no_page_holds_a_bare_expression_streamlit_would_print() -> None:
    import ast

    from .conftest import ROOT

    pages = [ROOT / "dashboard" / "app.py", *sorted((ROOT / "dashboard" / "screens").glob("*.py"))]
    found = []
    for page in pages:
        tree = ast.parse(page.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            for index, statement in enumerate(body if isinstance(body, list) else []):
                if not isinstance(statement, ast.Expr):
                    continue
                value = statement.value
                docstring = index == 0 and isinstance(value, ast.Constant)
                if not docstring and not isinstance(value, ast.Call | ast.Await):
                    found.append(f"{page.name}:{statement.lineno}")
    assert found == []
