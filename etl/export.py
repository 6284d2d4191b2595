"""Formatting for export: frames of the read model as CSV text, neutralised for spreadsheets.

Text cells that a spreadsheet would run as a formula are neutralised (OWASP's
CSV-injection advice); numbers stay numbers. What to export is the read model's
business (`etl.readmodel`); this module only writes it down.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    """Prefix a text cell with `'` when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; numeric columns untouched."""
    result = frame.copy()
    for column in result.columns:
        if not pd.api.types.is_numeric_dtype(result[column]):
            result[column] = result[column].map(neutralise)
    return result


def to_csv(frame: pd.DataFrame) -> str:
    """UTF-8-ready CSV text with comma delimiter and header row, neutralised.

    Lines end in CRLF (RFC 4180), which also makes the writer quote every text holding a
    bare carriage return: with LF endings such a cell went out unquoted, and a spreadsheet
    started a new row at the CR, whose first cell could be a live formula.
    """
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue()
