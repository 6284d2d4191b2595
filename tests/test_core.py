"""One vocabulary, one read model, a Streamlit-free core: the layers hold as the README says."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from etl import settings
from etl.domain import catalog, normgrid
from etl.reads import readmodel
from etl.reads.readmodel import Access, ReadModel
from etl.store import derived
from papers import agendapaper, jaarrapport, praatplaat
from tests.conftest import ROOT, TODAY, pdf_text, run_etl

# The core: what the command line, the papers and the charts may import without Streamlit.
CORE = ["etl", "dashboard.charts", "dashboard.downloads", "papers.praatplaat",
        "dashboard.tables", "dashboard.figures"]  # fmt: skip


def _imports(path: Path) -> set[str]:
    """Modules a file imports at module level or anywhere inside (an import is an import)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.slow
def test_rapport_makes_papers_without_importing_streamlit(sample_db: Path, tmp_path: Path) -> None:
    """A real process, since this one has imported Streamlit for the dashboard tests: a
    praatplaat and the heatmap, quietly. Every import the papers need is at the top of their
    modules (`test_papers_import_at_the_top_only`), so one paper imports what the sixteen of
    `rapport --alle` do; those sixteen, one page each, are the tutorial's
    (`tests/test_docs.py`), made there once instead of twice."""
    common = ["--periode", "2026-Q3", "--db", str(sample_db)]
    commands = [
        ["rapport", "--departement", "FIN", "--out", str(tmp_path / "FIN.pdf"), *common],
        ["rapport", "--heatmap", "--out", str(tmp_path / "heatmap.png"), *common],
    ]
    script = (
        "import sys\n"
        "from etl.cli import main\n"
        f"for command in {commands!r}:\n"
        "    main(command, standalone_mode=False)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit')\n"
        "print('STREAMLIT', loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "STREAMLIT []" in done.stdout
    assert done.stderr == ""  # no logger line, no warning: the command line is quiet
    assert len(PdfReader(tmp_path / "FIN.pdf").pages) == 1
    assert (tmp_path / "heatmap.png").read_bytes().startswith(b"\x89PNG")


RENDERINGS = ["dashboard/charts", "dashboard/downloads", "dashboard/tables", "dashboard/figures",
              *(f"papers/{p.stem}" for p in sorted((ROOT / "papers").glob("*.py")))]  # fmt: skip


@pytest.mark.parametrize("name", RENDERINGS)
def test_papers_import_at_the_top_only(name: str) -> None:
    """An import inside a function of the papers or the renderings they use would escape the
    process test above (which makes one paper, not every kind). Allowed: the yearly report's
    WeasyPrint, and `etl` (which imports no Streamlit, as the test below shows)."""
    tree = ast.parse((ROOT / f"{name}.py").read_text(encoding="utf-8"))
    inner = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {m for m in inner if m != "weasyprint" and m.split(".")[0] != "etl"} == set(), name


@pytest.mark.parametrize(
    "module", sorted((ROOT / "etl").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT / "etl"))
)
def test_etl_knows_nothing_of_streamlit_or_the_dashboard(module: Path) -> None:
    imported = _imports(module)
    assert not {m for m in imported if m.split(".")[0] == "streamlit"}, module
    assert not {m for m in imported if m.split(".")[0] in ("dashboard", "papers")} or (
        module.name == "cli.py"
    )


@pytest.mark.parametrize("name", RENDERINGS)
def test_renderings_are_plain_functions_without_streamlit(name: str) -> None:
    imported = _imports(ROOT / f"{name}.py")
    assert not {m for m in imported if m.split(".")[0] == "streamlit"}
    assert "dashboard.queries" not in imported


def test_sql_for_reading_lives_in_the_read_model_only() -> None:
    """A read (SELECT) appears in the read model, and in the writer's own bookkeeping (load,
    accounts, database), never in the dashboard, the export formatting or the derived
    tables' writer (whose `CREATE TABLE … AS SELECT` copies a frame, it reads nothing)."""
    for path in [*(ROOT / "dashboard").rglob("*.py"), ROOT / "etl" / "reads" / "export.py",
                 ROOT / "etl" / "store" / "derive.py"]:  # fmt: skip
        assert not re.search(r"(?<!AS )SELECT ", path.read_text(encoding="utf-8")), path


def test_every_setting_is_documented_in_the_reference() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for setting in settings.FIELDS:
        assert f"`{setting.variable}`" in reference, setting.variable


def test_settings_come_from_the_environment_in_one_place() -> None:
    read = settings.settings(
        {
            "INTEGRITEIT_DB": "/tmp/x.duckdb",
            "INTEGRITEIT_DETAIL_ANDERE_MINISTERIES": "nee",
            "INTEGRITEIT_VANDAAG": "2026-10-15",
        }
    )
    assert read.database == Path("/tmp/x.duckdb")
    assert read.detail_other_ministries is False
    assert str(read.today) == "2026-10-15"
    assert settings.settings({}).database == Path("data/integriteit.duckdb")
    assert settings.settings({"INTEGRITEIT_VANDAAG": "morgen"}).today is None


def test_an_edited_catalogue_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catalogue caches are keyed on the file's version, so an edit does not go unseen."""
    path = tmp_path / "organisaties.csv"
    shutil.copy(catalog.organisations_path(), path)
    monkeypatch.setenv("INTEGRITEIT_ORGANISATIES", str(path))
    assert "NIEUW" not in catalog.organisations_by_code()
    with path.open("a", encoding="utf-8") as handle:
        handle.write("NIEUW,Ministerie van Nieuwe Zaken,ministerie,2026-01-01,,\n")
    assert "NIEUW" in catalog.organisations_by_code()
    assert catalog.lineage("NIEUW") == ["NIEUW"]


# --- access in the read model ------------------------------------------------------------------


def test_a_hidden_ministry_never_leaves_the_read_model(sample_db: Path) -> None:
    model = ReadModel(sample_db, Access(frozenset({"BZK"}), "lead.bzk"))
    assert set(model.norm_grid("2026-Q3", TODAY)["departement"]) == {"BZK"}
    assert set(model.submissions()["departement"]) == {"BZK"}
    assert set(model.submission_status(TODAY)["departement"]) == {"BZK"}
    assert model.ministry_history("FIN").empty
    assert set(model.normscores()["departement"]) == {"BZK"}
    assert set(model.enquete()["departement"]) <= {"BZK", "RIJK"}
    ledger = model.history()
    assert all(set(codes.split(",")) <= {"BZK", ""} for codes in ledger["departementen"])
    # Government-wide figures stay: counted over every ministry.
    everyone = ReadModel(sample_db).norm_totals("2026-Q3", TODAY)
    pd.testing.assert_frame_equal(model.norm_totals("2026-Q3", TODAY), everyone)


def test_the_government_wide_paper_obeys_the_same_rule(sample_db: Path) -> None:
    """The government-wide PDF held every ministry although the setting hid them."""
    model = ReadModel(sample_db, Access(frozenset({"BZK"}), "lead.bzk"))
    cells = praatplaat._heatmap_cells(model, "2026-Q3", TODAY)
    assert set(cells["departement"]) == {"BZK", "Rijksbreed"}
    rijk = cells[cells["departement"] == "Rijksbreed"].set_index("norm")["cel"]
    assert rijk[8] == "9/13"  # still over every ministry that judged norm 8
    paper = praatplaat.government_pdf(model, "2026-Q3", TODAY)
    assert paper.startswith(b"%PDF")


def test_no_paper_names_a_ministry_whose_detail_is_hidden(sample_db: Path) -> None:
    """Every paper goes through the reader's access, like the page: the government-wide
    heatmap, the IPIM agenda and the Rijk's year report name only what the reader may see,
    and a paper about a hidden ministry is refused rather than printed as 'niets
    aangeleverd'."""
    model = ReadModel(sample_db, Access(frozenset({"BZK"}), "lead.bzk", frozenset({"BZK"})))
    hidden = [o.code for o in catalog.organisations() if o.code not in {"BZK", "RIJK"}]
    named = re.compile(r"\b(" + "|".join(hidden) + r")\b")
    papers = {
        "rijksbreed": praatplaat.government_pdf(model, "2026-Q3", TODAY),
        "agenda": agendapaper.agenda_pdf(model.agenda("2026-Q3", TODAY), "2026-Q3", TODAY),
        "jaarrapport": jaarrapport.year_report_pdf(model, 2025, None, TODAY),
        "praatplaat": praatplaat.ministry_pdf(model, "BZK", "2026-Q3", TODAY),
    }
    for name, paper in papers.items():
        assert named.findall(pdf_text(paper)) == [], name
    with pytest.raises(readmodel.NotAllowed):
        praatplaat.ministry_pdf(model, "FIN", "2026-Q3", TODAY)
    with pytest.raises(readmodel.NotAllowed):
        jaarrapport.year_report_pdf(model, 2025, "FIN", TODAY)


def test_the_cli_exports_everything_in_process(sample_db: Path) -> None:
    """The command line through click's CliRunner: exit status and exact text."""
    done = run_etl("export", "normscores", "--periode", "2023-Q4", "--departement", "az",
                   db=sample_db)  # fmt: skip
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "departement,periode,norm,oordeel,toelichting,bron"
    assert lines[4].startswith("AZ,2023-Q4,4,onbekend,") and lines[4].endswith(",AR")
    wrong = run_etl("export", "normscores", "--periode", "2025-Q5", db=sample_db)
    assert wrong.returncode == 2
    assert "'2025-Q5' is geen kwartaal; schrijf bijvoorbeeld 2025-Q3." in wrong.stderr


@pytest.mark.parametrize("periode", ["2023-Q4", "2024-Q3", "2026-Q3"])
def test_the_grid_a_load_stores_equals_a_fresh_computation(sample_db: Path, periode: str) -> None:
    """The overview reads the grid the last load stored; it must be the one computed here."""
    model = ReadModel(sample_db)
    stored = model._stored_grid("periode = ?", [periode], TODAY)
    assert stored is not None
    scores = model._scores("periode <= ?", [periode])
    fresh = normgrid.grid(scores, [periode], normgrid.norms_frame(), TODAY)
    pd.testing.assert_frame_equal(
        stored[list(fresh.columns)].reset_index(drop=True).astype(object),
        fresh.reset_index(drop=True).astype(object),
    )


def test_the_trends_a_load_stores_equal_a_fresh_computation(sample_db: Path) -> None:
    """From the start of the series the trends page reads what the last load stored."""
    model = ReadModel(sample_db)
    scores = model._scores("true", [], text=False)
    first = min(model.periods())
    pd.testing.assert_frame_equal(
        model.onderdeel_shares(first).astype(object),
        derived.onderdeel_panel(scores).astype(object),
    )
    pd.testing.assert_frame_equal(
        model.ministry_shares().astype(object), derived.ministry_panel(scores).astype(object)
    )
    later = model.onderdeel_shares("2024-Q1")  # computed: not what was stored
    assert later["periode"].min() == "2024-Q1"


def _etl_closure(start: str) -> set[str]:
    """Every etl module `start` imports, directly or through others (static, by the AST)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = ROOT / (name.replace(".", "/") + ".py")
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "etl":
                todo.append(str(node.module))  # a module, or a package whose modules follow
                todo += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                todo += [a.name for a in node.names if a.name.startswith("etl.")]
    return seen


@pytest.mark.parametrize(
    "module", ["etl.store.load", "etl.store.derive", "etl.store.derived", "etl.store.rebuild"]
)
def test_the_write_path_never_imports_a_read(module: str) -> None:
    """A load derives and stores; it does not read through the read model (issue 25)."""
    assert "etl.reads.readmodel" not in _etl_closure(module)


# The folders of `etl/`, lowest first: a module imports only from its own folder and the
# folders before it (`settings` is below all; `cli` and `reminders` above all).
LAYERS = ["domain", "intake", "store", "reads"]


def _layer(module: str) -> int:
    parts = module.split(".")
    if parts[:2] == ["etl", "settings"]:
        return -1
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return len(LAYERS)  # cli, reminders, __main__


@pytest.mark.parametrize(
    "module", sorted((ROOT / "etl").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT / "etl"))
)
def test_the_folders_of_etl_import_only_downwards(module: Path) -> None:
    """The layout is the architecture (issue 25): domain ← intake ← store ← reads."""
    name = ".".join(module.relative_to(ROOT).with_suffix("").parts)
    upward = {
        imported for imported in _imports(module)
        if imported.split(".")[0] == "etl" and imported != "etl"
        and _layer(imported) > _layer(name)
    }  # fmt: skip
    assert upward == set(), name


def test_every_module_of_etl_lives_in_a_folder_of_its_layer() -> None:
    loose = {p.name for p in (ROOT / "etl").glob("*.py")}
    assert loose == {"__init__.py", "__main__.py", "cli.py", "reminders.py", "settings.py"}
