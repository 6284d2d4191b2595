"""Meeting papers: chart pictures, data files without formula injection, one-page praatplaten."""

from __future__ import annotations

import csv
import io
import struct
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from dashboard import downloads
from etl.domain import catalog
from etl.reads.readmodel import ReadModel
from papers import praatplaat
from tests.conftest import TODAY, run_etl

INJECTIONS = ['=HYPERLINK("http://x")', "+31 70 123", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "\nLF"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def heatmap(sample_db: Path):  # type: ignore[no-untyped-def]
    return praatplaat.heatmap_chart(ReadModel(sample_db), "2026-Q3", TODAY)


def test_heatmap_png_is_wide_enough_for_a_slide(heatmap) -> None:  # type: ignore[no-untyped-def]
    width, height = _png_size(downloads.chart_png(heatmap))
    assert width >= 1600 and height > 600


def test_heatmap_svg_carries_its_labels_as_text(heatmap) -> None:  # type: ignore[no-untyped-def]
    svg = downloads.chart_svg(heatmap)
    assert svg.startswith("<svg")
    for label in ("Preventie", "Detectie", "Respons", "1. Risicoanalyse", "AenM", "Rijksbreed"):
        assert label in svg
    assert ">ja<" in svg and ">—<" in svg


def test_a_kept_drawing_is_given_only_for_the_same_chart_and_data() -> None:
    """Drawings are kept by spec (`downloads._svg`, `_png`): a chart on other data, as
    another audience sees it, is drawn again, never taken from the one before."""
    import altair as alt

    def bars(count: int) -> alt.Chart:
        frame = pd.DataFrame({"wat": ["meldingen"], "aantal": [count]})
        chart: alt.Chart = alt.Chart(frame).mark_bar().encode(x="aantal:Q", y="wat:N")
        return chart

    seven, again, eight = bars(7), bars(7), bars(8)
    assert downloads.chart_svg(seven) == downloads.chart_svg(again)
    assert downloads.chart_svg(seven) != downloads.chart_svg(eight)
    assert downloads.chart_png(seven) != downloads.chart_png(eight)
    assert downloads._svg.cache_info().hits >= 1


def test_csv_and_excel_neutralise_formulas_and_keep_numbers_numeric() -> None:
    frame = pd.DataFrame({"tekst": INJECTIONS, "getal": [-2.5, -1, 0, 1, 2, 3, 4]})
    comma = downloads.csv_utf8(frame).decode("utf-8")
    assert all(f"'{value}" in comma for value in ("=HYPERLINK", "+31 70", "-2+3", "@SUM"))
    assert "\n-2.5," not in comma and ",-2.5\r\n" in comma
    excel_nl = downloads.csv_excel_nl(frame)
    assert excel_nl.startswith("\ufeff".encode())
    text = excel_nl.decode("utf-8-sig")
    assert text.splitlines()[0] == "tekst;getal"
    assert "'=HYPERLINK" in text and ";-2,5\r\n" in text
    workbook = openpyxl.load_workbook(io.BytesIO(downloads.xlsx(frame)))
    sheet = workbook.active
    assert sheet is not None
    cells = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    # OOXML escapes a carriage return as _x000D_; Excel shows it as one, openpyxl does not.
    texts = [str(text).replace("_x000D_", "\r") for text, _ in cells]
    assert texts == [f"'{value}" for value in INJECTIONS]
    assert [number for _, number in cells] == [-2.5, -1, 0, 1, 2, 3, 4]
    assert all(isinstance(number, (int, float)) for _, number in cells)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_praatplaat_is_one_page_with_name_quarter_and_norms(sample_db: Path) -> None:
    made = praatplaat.ministry_pdf(ReadModel(sample_db), "FIN", "2026-Q3", TODAY)
    reader = PdfReader(io.BytesIO(made))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert "Ministerie van Financiën" in text and "2026-Q3" in text
    for norm in catalog.norms():
        assert norm.label in text
    assert "n = " in text and "rijksbreed" in text.lower()


def test_praatplaat_applies_the_disclosure_rule(sample_db: Path) -> None:
    text = (
        PdfReader(io.BytesIO(praatplaat.ministry_pdf(ReadModel(sample_db), "AZ", "2026-Q3", TODAY)))
        .pages[0]
        .extract_text()
    )
    assert "te weinig respondenten" in text  # AZ's few managers on LEI1


@pytest.mark.slow
def test_rapport_command_writes_the_heatmap_as_png_or_svg(sample_db: Path, tmp_path: Path) -> None:
    png, svg = tmp_path / "h.png", tmp_path / "h.svg"
    assert (
        run_etl(
            "rapport", "--heatmap", "--periode", "2026-Q3", "--out", str(png), db=sample_db
        ).returncode
        == 0
    )
    assert _png_size(png.read_bytes())[0] >= 1600
    assert (
        run_etl(
            "rapport", "--heatmap", "--periode", "2026q3", "--out", str(svg), db=sample_db
        ).returncode
        == 0
    )
    assert "Risicoanalyse" in svg.read_text(encoding="utf-8")
    single = tmp_path / "fin.pdf"
    assert (
        run_etl(
            "rapport",
            "--departement",
            "fin",
            "--periode",
            "2026-Q3",
            "--out",
            str(single),
            db=sample_db,
        ).returncode
        == 0
    )
    assert "Financiën" in PdfReader(single).pages[0].extract_text()


def test_rapport_needs_exactly_one_kind(sample_db: Path, tmp_path: Path) -> None:
    result = run_etl("rapport", "--periode", "2026-Q3", "--out", str(tmp_path / "x"), db=sample_db)
    assert result.returncode == 2
    assert "Kies precies één" in result.stderr


def test_a_bare_carriage_return_stays_inside_its_quoted_cell() -> None:
    """A toelichting 'a<CR>=1+1' must not become a new row starting with a formula."""
    from etl.reads.export import to_csv

    text = to_csv(pd.DataFrame({"departement": ["FIN"], "toelichting": ["a\r=1+1"]}))
    assert text == 'departement,toelichting\r\nFIN,"a\r\'=1+1"\r\n'
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["departement", "toelichting"], ["FIN", "a\r'=1+1"]]
