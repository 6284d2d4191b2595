"""The kinds registry (`etl/domain/kinds.py`) is the one place that lists kinds: every other place
asks it, so adding a kind is an entry there and its own validator module."""

from __future__ import annotations

import ast
from pathlib import Path

from etl import cli
from etl.domain import vocabulary
from etl.domain.kinds import EVERY_QUARTER, KINDS, QUARTERLY, REPORT_MEASURES, WERKING, deriving
from etl.reminders import KIND_WORDS

ROOT = Path(__file__).resolve().parent.parent
KIND_NAMES: set[str] = set(KINDS)
MEASURES_ONLY = set(REPORT_MEASURES) - KIND_NAMES


def _kind_lists(path: Path) -> list[tuple[int, list[str]]]:
    """Literal collections (tuple, list, set, dict keys) naming two or more kinds."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            elements = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            elements = list(node.elts)
        else:
            continue
        values = {e.value for e in elements if isinstance(e, ast.Constant)}
        names: list[str] = [str(e.value) for e in elements
                 if isinstance(e, ast.Constant) and e.value in KIND_NAMES]  # fmt: skip
        # `meldingen` and `maatregelen` are kinds and measures of the handling chain too: a
        # collection that names other measures of the chain lists measures, not kinds.
        if values & MEASURES_ONLY:
            continue
        if len(names) >= 2:
            found.append((node.lineno, names))
    return found


def test_no_module_but_the_registry_lists_kinds_by_name() -> None:
    stray = {
        f"{path.relative_to(ROOT)}:{line}": names
        for folder in ("etl", "dashboard")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "kinds.py"
        for line, names in _kind_lists(path)
    }
    assert stray == {}


def test_every_kind_has_what_the_product_asks_of_it() -> None:
    for name, spec in KINDS.items():
        assert spec.name == name
        assert callable(spec.validate()), name
        assert spec.words and spec.cadence in ("kwartaal", "golf", "per_sleutel"), name
        assert (spec.keyed is None) == (name in QUARTERLY), name
        assert bool(spec.werking_key) == (name in WERKING), name
    assert set(KIND_WORDS) == set(EVERY_QUARTER)
    assert deriving("werking") >= set(WERKING)


def test_the_command_line_withdraws_what_the_dashboard_offers() -> None:
    """They drifted once: `intrekken` took 3 kinds, the dashboard's form offered 8."""
    [kind] = [p for p in cli.intrekken.params if p.name == "kind"]
    assert list(kind.type.choices) == list(QUARTERLY)  # type: ignore[attr-defined]
    [export] = [p for p in cli.export.params if p.name == "kind"]
    assert list(export.type.choices) == list(KINDS)  # type: ignore[attr-defined]
    source = (ROOT / "dashboard" / "screens" / "aanleveren.py").read_text(encoding="utf-8")
    assert 'st.selectbox("Soort", list(QUARTERLY))' in source


def _literals(path: Path, words: set[str]) -> list[tuple[int, str]]:
    """String constants in a file that are exactly one of `words`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in words]  # fmt: skip


def test_the_vocabularys_words_are_written_only_in_the_vocabulary() -> None:
    """A verdict, a state or the Rijk's code spelled out elsewhere is a rule written twice."""
    words: set[str] = {vocabulary.RIJK, *vocabulary.STATES}
    stray = {
        f"{path.relative_to(ROOT)}:{line}": word
        for folder in ("etl", "dashboard")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "vocabulary.py"
        for line, word in _literals(path, words)
    }
    assert stray == {}
