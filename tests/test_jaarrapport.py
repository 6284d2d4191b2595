"""The yearly report (`python -m etl jaarrapport`): a PDF for every ministry and the Rijk
that could be published, small counts under the privacy rule, only completed years."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from dashboard.jaarrapport import NotComplete, year_report_pdf
from etl import catalog
from etl.periods import quarter_end, quarter_start
from etl.readmodel import ReadModel
from tests.conftest import TODAY, run_etl


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _ministries_of(jaar: int) -> list[str]:
    start, end = quarter_start(f"{jaar}-Q1"), quarter_end(f"{jaar}-Q4")
    return [o.code for o in catalog.organisations()
            if o.soort == "ministerie" and o.valid_during(start, end)]  # fmt: skip


def test_every_ministry_and_the_rijk_get_a_report_of_2025(sample_db: Path) -> None:
    model = ReadModel(sample_db)
    for code in [*_ministries_of(2025), None]:
        text = _text(year_report_pdf(model, 2025, code, TODAY))
        assert "Integriteit in 2025" in text, code
        for section in ("De vijftien normen", "Meldingen van vermoedens", "vertrouwenspersonen",
                        "Afspraken met BZK"):  # fmt: skip
            assert section in text, (code, section)
    assert "De coördinerende rol van BZK" in _text(year_report_pdf(model, 2025, "BZK", TODAY))


def test_a_published_report_hides_the_ministrys_own_small_counts(sample_db: Path) -> None:
    text = _text(year_report_pdf(ReadModel(sample_db), 2025, "AZ", TODAY))
    assert "afgeschermd" in text
    assert "terug laat rekenen" in text.replace("\n", " ")


@pytest.mark.parametrize("code", ["FIN", None])
def test_a_published_report_prints_no_range_where_a_count_belongs(
    sample_db: Path, code: str | None
) -> None:
    text = _text(year_report_pdf(ReadModel(sample_db), 2025, code, TODAY))
    flat = " ".join(text.split())
    assert not re.search(r"\d tot \d|tussen \d", flat), flat


def test_a_running_year_has_no_report(sample_db: Path, tmp_path: Path) -> None:
    with pytest.raises(NotComplete):
        year_report_pdf(ReadModel(sample_db), 2026, "FIN", TODAY)
    out = tmp_path / "r.pdf"
    result = run_etl("jaarrapport", "--jaar", "2026", "--rijk", "--out", str(out), db=sample_db)
    assert result.returncode == 1 and "nog niet afgesloten" in result.stderr
    assert not out.exists()


def test_the_command_writes_the_pdf(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "fin.pdf"
    result = run_etl("jaarrapport", "--jaar", "2025", "--departement", "fin", "--out", str(out),
                     db=sample_db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Ministerie van Financiën" in _text(out.read_bytes())
    usage = run_etl("jaarrapport", "--jaar", "2025", "--out", str(out), db=sample_db)
    assert usage.returncode == 2
