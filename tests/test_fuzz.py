"""A smaller fuzz run than `make fuzz` (10,000 files): no traceback, nothing stored against
the contract (every export of what was stored validates again)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import fuzz


@pytest.mark.slow
def test_mutated_files_give_findings_never_tracebacks_and_store_only_valid_data(
    tmp_path: Path,
) -> None:
    report = fuzz.run(400, 7, tmp_path / "fuzz.duckdb", batch=200)
    assert report["problems"] == []
    refused, stored = report["refused"], report["stored"]
    assert isinstance(refused, int) and isinstance(stored, int)
    assert refused > 100 and stored > 10  # the mutations both break and keep files


def test_the_generator_is_seeded() -> None:
    first = list(fuzz.mutated_files(20, 3))
    assert first == list(fuzz.mutated_files(20, 3))
    assert first != list(fuzz.mutated_files(20, 4))
