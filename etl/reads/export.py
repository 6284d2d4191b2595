"""Formatting for export: frames of the read model as CSV text.

Two kinds: the contract's own CSV (`to_contract_csv`, exact, for `etl export` and the
files the forms store), and downloads meant for a spreadsheet (`to_csv`), in which text
cells that a spreadsheet would run as a formula are neutralised (OWASP's CSV-injection
advice); numbers stay numbers. What to export is the read model's
business (`etl.reads.readmodel`); this module only writes it down.
"""

from __future__ import annotations

import io
import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# A line inside a cell that starts like a formula. A spreadsheet that guesses the wrong
# delimiter (LibreOffice opening the semicolon file, Excel in another locale) no longer
# sees the quotes, so every line break inside a cell may start a new row of its own.
# Any control character or Unicode line separator counts as a break too: LibreOffice ends a
# field at a NUL, and other readers break lines at a vertical tab, NEL or U+2028.
_FORMULA_LINE = re.compile(r"(?<=[\x00-\x1f\x7f-\x9f\u2028\u2029])(?=[=+\-@\t])")


# What no meeting paper or picture can hold: control characters other than tab and line
# breaks (a vertical tab is what Word writes for Shift+Enter), line separators, surrogates
# and Unicode's noncharacters (U+FFFF broke the XML of every SVG and PNG of a quarter).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)


def printable(text: str) -> str:
    """Submitted text as a paper or picture can show it: each unprintable character a
    space (the text is stored as given; only its rendering changes)."""
    return _UNPRINTABLE.sub(" ", text)


def neutralise(value: object) -> object:
    """Prefix `'` to a text cell, and to each line inside it, that a spreadsheet would
    read as a formula."""
    if not isinstance(value, str):
        return value
    value = _FORMULA_LINE.sub("'", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; numeric columns untouched."""
    result = frame.copy()
    for column in result.columns:
        if not pd.api.types.is_numeric_dtype(result[column]):
            result[column] = result[column].map(neutralise)
    return result


def to_contract_csv(frame: pd.DataFrame) -> str:
    """The contract's CSV, every value exactly as stored: what `etl export` writes and the
    forms store, so that exporting and loading again changes nothing (a `- punt` stays
    `- punt`). Not for a spreadsheet user's download: those go through `to_csv`."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue()


def to_csv(frame: pd.DataFrame) -> str:
    """UTF-8-ready CSV text with comma delimiter and header row, neutralised.

    Lines end in CRLF (RFC 4180), which also makes the writer quote every text holding a
    bare carriage return: with LF endings such a cell went out unquoted, and a spreadsheet
    started a new row at the CR, whose first cell could be a live formula.
    """
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue()
