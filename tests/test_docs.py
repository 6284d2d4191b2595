"""Docs that cannot drift: every command is in the README, every norm in the file formats."""

from __future__ import annotations

import pytest

from etl import catalog
from etl.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
FORMATS = (ROOT / "docs" / "bestandsformaten.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"python -m etl {command}" in README


@pytest.mark.parametrize("norm", catalog.norms(), ids=lambda n: str(n.nummer))
def test_every_norm_of_the_catalogue_is_documented(norm: catalog.Norm) -> None:
    assert f"| {norm.nummer} | {norm.onderdeel} | {norm.label} | {norm.vraag} |" in FORMATS


def test_readme_opens_with_the_two_commands() -> None:
    opening = README[:2500]
    assert "make run" in opening and "make test" in opening
