"""Files that travel into meeting papers: charts as PNG and SVG, data as CSV and Excel.

Pure functions (no Streamlit): the download buttons and `python -m etl rapport` use the
same code. Charts render offline with vl-convert; text cells that a spreadsheet would
run as a formula are neutralised; numbers stay numbers.
"""

from __future__ import annotations

import functools
import io
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import vl_convert as vlc
import xlsxwriter

from dashboard.charts import AltairChart
from etl.reads.export import neutralise, neutralise_frame, printable, to_csv

MIN_PNG_WIDTH = 1600


def _printable(value: Any) -> Any:
    """A control character or noncharacter in submitted text is fine in a browser but not
    in SVG's XML: every rendering goes through `_spec`, which makes each a space. A missing
    number (NaN) becomes JSON's null, which Vega-Lite reads as missing too."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


def _spec(chart: AltairChart) -> str:
    """The chart's Vega-Lite JSON, safe for the XML of SVG and PNG. Not validated against
    the schema again: the dashboard validates every chart when it draws it (and the tests
    draw each), and validation took a third of a paper's time."""
    return json.dumps(_printable(chart.to_dict(validate=False)))


# A drawing is a pure function of its spec (data included, so it cannot reach another
# audience), and the same chart is drawn again: the yearly reports of a year share the
# Rijk's charts, a paper is made again on unchanged data. Each drawing takes a quarter to
# half a second of vl-convert; the last 32 of each are kept (the Rijk's heatmap, the
# largest, is 0.2 MB of spec and 0.8 MB of PNG: a few tens of megabytes at most).
@functools.lru_cache(maxsize=32)
def _svg(spec: str) -> str:
    return str(vlc.vegalite_to_svg(spec))


@functools.lru_cache(maxsize=32)
def _png(svg: str, scale: float) -> bytes:
    return bytes(vlc.svg_to_png(svg, scale=scale))


_SVG_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="([0-9.]+)"')


def chart_svg(chart: AltairChart) -> str:
    """The chart as SVG, with its text as text (searchable, scalable)."""
    return _svg(_spec(chart))


def chart_png(chart: AltairChart, min_width: int = MIN_PNG_WIDTH) -> bytes:
    """The chart as PNG at least `min_width` pixels wide, sharp enough for a slide: drawn at
    twice its size, or larger where that is still narrower. The chart is laid out once, as
    SVG (whose header gives its width), and that SVG is rasterised, as vl-convert's own
    PNG does: the same bytes, where drawing a PNG to learn the width and then the wider
    one laid the chart out twice (the four charts of two papers: 1.8 s, now 1.1 s)."""
    svg = chart_svg(chart)
    found = _SVG_WIDTH.search(svg)
    width = float(found.group(1)) if found else 0.0
    return _png(svg, max(2.0, min_width / width) if width > 0 else 2.0)


def csv_utf8(frame: pd.DataFrame) -> bytes:
    """UTF-8 with comma, as the command line exports."""
    return to_csv(frame).encode("utf-8")


def csv_excel_nl(frame: pd.DataFrame) -> bytes:
    """What Dutch Excel opens correctly by double-click: semicolon, decimal comma, UTF-8 BOM."""
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(buffer, index=False, sep=";", decimal=",", lineterminator="\r\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx(frame: pd.DataFrame, sheet: str = "Gegevens") -> bytes:
    """An Excel workbook with typed cells: numbers as numbers, text neutralised."""
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(buffer, options)
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    for column, name in enumerate(frame.columns):
        worksheet.write_string(0, column, str(name), bold)
        numeric = pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(
            frame[name]
        )
        for row, value in enumerate(frame[name].tolist(), start=1):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            if numeric:
                worksheet.write_number(row, column, float(value))
            else:
                worksheet.write_string(row, column, str(neutralise(str(value))))
        worksheet.set_column(column, column, min(60, max(10, len(str(name)) + 2)))
    workbook.close()
    return buffer.getvalue()


def template_xlsx(frame: pd.DataFrame, sheet: str, column: str, choices: list[str]) -> bytes:
    """A workbook to fill in: the sheet named after the kind (so an upload finds it), the
    rows as given, and a drop-down list of `choices` on every cell of `column` (empty
    allowed)."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False}  # fmt: skip
    workbook = xlsxwriter.Workbook(buffer, options)
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    for index, name in enumerate(frame.columns):
        worksheet.write_string(0, index, str(name), bold)
        for row, value in enumerate(frame[name].tolist(), start=1):
            if isinstance(value, int | np.integer):
                worksheet.write_number(row, index, int(value))
            elif value is not None and str(value) != "":
                worksheet.write_string(row, index, str(neutralise(str(value))))
        worksheet.set_column(index, index, 60 if name == "toelichting" else 16)
    target = list(frame.columns).index(column)
    worksheet.data_validation(1, target, max(1, len(frame)), target, {
        "validate": "list", "source": choices, "ignore_blank": True,
        "error_title": "Ongeldig oordeel", "error_message": "Kies een oordeel uit de lijst.",
    })  # fmt: skip
    workbook.close()
    return buffer.getvalue()
