"""The sample submissions: they validate, and they answer the questions the issue asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel
from etl.store.load import read_receipts
from tests.conftest import SAMPLES, TODAY

SAMPLE_FILES = sorted(SAMPLES.glob("*.csv"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_submission_validates(path: Path) -> None:
    assert validate_bytes(path.read_bytes(), path.name, TODAY).findings == []


def test_samples_include_dutch_excel_files() -> None:
    forms = set()
    for path in SAMPLE_FILES:
        result = validate_bytes(path.read_bytes(), path.name, TODAY)
        assert result.submission is not None
        forms.add((result.submission.encoding, result.submission.delimiter))
    assert ("windows-1252", ";") in forms
    assert ("utf-8", ",") in forms


def test_latest_quarter_export_has_all_norms_for_every_submitting_ministry(
    sample_db: Path,
) -> None:
    everything = ReadModel(sample_db).normscores()
    latest = everything["periode"].max()
    frame = ReadModel(sample_db).normscores(periode=latest)
    counts = frame.groupby("departement")["norm"].apply(sorted)
    assert len(counts) >= 12
    assert all(norms == list(range(1, 16)) for norms in counts)


def test_baseline_matches_the_court_of_audit_text(sample_db: Path) -> None:
    frame = ReadModel(sample_db).normscores(periode="2023-Q4").set_index(["departement", "norm"])
    assert frame.loc[("AZ", 10), "oordeel"] == "voldoet niet"
    assert frame.loc[("JenV", 1), "oordeel"] == "voldoet deels"
    assert frame.loc[("DEF", 12), "oordeel"] == "voldoet niet"
    assert frame.loc[("DEF", 1), "oordeel"] == "voldoet"
    # Norms 4, 5, 6, 13 and 14 the Court assessed without publishing per-ministry results:
    # onbekend, written out, not an empty niet beoordeeld; and the Court is the source.
    for norm in (4, 5, 6, 13, 14):
        assert set(frame.xs(norm, level="norm")["oordeel"]) == {"onbekend"}
    assert set(frame["bron"]) == {"AR"}
    assert len(frame.index.get_level_values("departement").unique()) == 12


def test_some_ministry_misses_a_quarter(sample_db: Path) -> None:
    frame = ReadModel(sample_db).normscores()
    latest = frame[frame["periode"] == frame["periode"].max()]
    assert "AenM" not in set(latest["departement"])


def test_every_sample_has_a_receipt_date() -> None:
    receipts = read_receipts(SAMPLES / "ontvangen.tsv")
    assert sorted(receipts) == sorted(p.name for p in SAMPLE_FILES)
