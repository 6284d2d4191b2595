"""Docs that cannot drift: a short README that opens with the two commands, the docs in
four parts, every command and setting documented, every norm in the file formats, and
every command the README and the docs show run as shown."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from etl.cli import main
from etl.domain import catalog
from tests.conftest import ROOT, SAMPLES, TODAY, run_etl

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
PARTS = ("tutorial.md", "how-to.md", "reference.md", "explanation.md")
FORMATS = (DOCS / "bestandsformaten.md").read_text(encoding="utf-8")
REFERENCE = (DOCS / "reference.md").read_text(encoding="utf-8")
SHOWN = [ROOT / "README.md", *(DOCS / part for part in PARTS)]
PASSWORD = "een-lang-wachtwoord-voor-de-test"


def _commands(path: Path) -> list[tuple[list[str], int]]:
    """`python -m etl` lines of the file's ```sh blocks, with the exit status a trailing
    `# exit N` comment promises (else 0)."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            command, _, comment = line.partition("  #")
            if not command.startswith("python -m etl "):
                continue
            expected = re.search(r"exit (\d)", comment)
            found.append((shlex.split(command)[3:], int(expected.group(1)) if expected else 0))
    return found


def test_the_readme_is_short_and_opens_with_the_two_commands() -> None:
    assert len(README.encode("utf-8")) < 10_000
    opening = README[:2500]
    assert "make run" in opening and "make test" in opening
    for part in PARTS:
        assert f"docs/{part}" in README, part


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_cli_command_is_in_the_reference_and_shown_running(command: str) -> None:
    assert f"python -m etl {command}" in REFERENCE
    shown = {args[0] for path in SHOWN for args, _ in _commands(path)}
    assert command in shown, f"no runnable example of `python -m etl {command}` in the docs"


@pytest.mark.parametrize("norm", catalog.norms(), ids=lambda n: str(n.nummer))
def test_every_norm_of_the_catalogue_is_documented(norm: catalog.Norm) -> None:
    assert f"| {norm.nummer} | {norm.onderdeel} | {norm.label} | {norm.vraag} |" in FORMATS


@pytest.mark.slow
@pytest.mark.parametrize("path", SHOWN, ids=lambda p: p.name)
def test_every_command_the_docs_show_runs_as_shown(
    path: Path, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In order, against a copy of the sample database, in a folder with the samples."""
    db = tmp_path / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    (tmp_path / "sample_submissions").symlink_to(SAMPLES)
    monkeypatch.chdir(tmp_path)
    env = {"INTEGRITEIT_VANDAAG": TODAY.isoformat()}
    for args, expected in _commands(path):
        entered = f"{PASSWORD}\n{PASSWORD}\n" if args[:2] == ["gebruikers", "add"] else None
        ran = run_etl(*args, db=db, env=env, input=entered)
        assert ran.returncode == expected, (args, ran.stdout[-500:], ran.stderr[-1500:])
        if args[:2] == ["rapport", "--alle"]:
            _every_paper_of_the_quarter_on_one_page(args, ran.stderr)


def test_the_docs_show_the_papers_of_a_quarter_made_in_one_go() -> None:
    """The run above checks what `rapport --alle` makes; this keeps that check from
    disappearing with the example."""
    assert any(args[:2] == ["rapport", "--alle"] for path in SHOWN for args, _ in _commands(path))


def _every_paper_of_the_quarter_on_one_page(args: list[str], stderr: str) -> None:
    """What `rapport --alle` promises (the meeting papers of section 5 of the tutorial): a
    one-page praatplaat per organisation of the quarter and the government-wide paper, in
    one folder, quietly. (`tests/test_core.py` shows, in a process of its own, that making
    papers imports no Streamlit.)"""
    quarter, folder = args[args.index("--periode") + 1], Path(args[args.index("--out") + 1])
    codes = catalog.organisations_in(quarter)["departement"].tolist()
    names = sorted(p.name for p in folder.glob("*.pdf"))
    assert names == sorted([*(f"{quarter}_{code}.pdf" for code in codes),
                            f"{quarter}_rijksbreed.pdf"])  # fmt: skip
    assert len(names) == 16 and f"{quarter}_AenM.pdf" in names  # 15 ministries and the Rijk
    for name in names:
        assert len(PdfReader(folder / name).pages) == 1, name
    assert stderr == ""  # no logger line, no warning: the command line is quiet
