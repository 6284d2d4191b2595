"""The CSV reader: encodings, delimiters, line numbers, and round trips of any table."""

from __future__ import annotations

import contextlib
import csv
import io
from typing import Literal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from etl.intake.read import _UTF8_SEQUENCE as UTF8_SEQUENCE
from etl.intake.read import read_table
from tests.conftest import fixture_bytes


def test_windows_1252_file_keeps_diacritics_and_euro_sign() -> None:
    table, findings = read_table(fixture_bytes("normscores_dutch_excel.csv"), "f.csv")
    assert findings == []
    assert table is not None
    assert table.encoding == "windows-1252"
    assert table.delimiter == ";"
    assert table.header == ("Departement", "Periode", "Norm", "Oordeel", "Toelichting")
    assert "Financiën" in table.records[0].cells[4]
    assert "€ 12.500" in table.records[0].cells[4]


def test_file_mixing_utf8_and_windows_1252_is_refused_not_garbled() -> None:
    good = "departement,toelichting\nFIN,Financiën\n".encode()
    _, findings = read_table(good + "BZK,Café\n".encode("windows-1252"), "f.csv")
    assert [(f.line, f.code) for f in findings] == [(3, "gemengde_codering")]
    assert findings[0].message.startswith("Het bestand mengt twee coderingen")


def test_nul_byte_anywhere_means_no_text_file() -> None:
    data = b"departement,toelichting\n" + b"FIN,ok\n" * 20000 + b"BZK,a\x00b\n"
    table, findings = read_table(data, "f.csv")
    assert table is None and findings[0].code == "geen_csv"


def test_utf8_bom_is_removed_from_first_column_name() -> None:
    table, _ = read_table(fixture_bytes("normscores_utf8_bom_semicolon.csv"), "f.csv")
    assert table is not None
    assert table.encoding == "utf-8-sig"
    assert table.header[0] == "departement"
    assert table.records[0].cells[4] == "Financiën € 100"


def test_quoted_line_break_keeps_physical_line_numbers() -> None:
    table, _ = read_table(fixture_bytes("normscores_dutch_excel.csv"), "f.csv")
    assert table is not None
    lines = [record.line for record in table.records]
    # Norm 3's toelichting spans lines 4 and 5, so norm 4 starts on line 6.
    assert lines[:5] == [2, 3, 4, 6, 7]
    assert table.records[2].cells[4] == 'Coördinator rapporteert aan SG;\r\nzie ook "jaarplan"'


def test_tab_delimited_utf16_from_excel_unicode_text_is_read() -> None:
    text = "departement\tperiode\r\nFIN\t2025-Q3\r\n"
    table, findings = read_table(text.encode("utf-16"), "f.txt")
    assert findings == []
    assert table is not None
    assert table.delimiter == "\t"
    assert table.records[0].cells == ("FIN", "2025-Q3")


def test_excel_sep_hint_line_is_honoured_and_counted() -> None:
    table, _ = read_table(b"sep=;\na;b\n1,5;2\n", "f.csv")
    assert table is not None
    assert table.delimiter == ";"
    assert table.header == ("a", "b")
    assert table.records[0].line == 3
    assert table.records[0].cells == ("1,5", "2")


def test_fully_empty_rows_are_skipped_but_counted_in_line_numbers() -> None:
    table, _ = read_table(b"a;b\r\n;\r\n\r\nx;y\r\n", "f.csv")
    assert table is not None
    assert [(r.line, r.cells) for r in table.records] == [(4, ("x", "y"))]


def test_cr_only_line_endings_are_read() -> None:
    table, _ = read_table(b"a,b\r1,2\r3,4\r", "f.csv")
    assert table is not None
    assert [(r.line, r.cells) for r in table.records] == [(2, ("1", "2")), (3, ("3", "4"))]


# Column names are words (as in the contract); cells may hold anything a user types,
# including delimiters, quotes and line breaks.
NAMES = (
    st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzëé_0123456789 "),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
CELL_CHARS = st.characters(codec="cp1252", exclude_characters="\x00", exclude_categories=["Cs"])
CELLS = st.text(alphabet=CELL_CHARS, max_size=20)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    row = st.lists(CELLS, min_size=len(header), max_size=len(header)).filter(
        lambda cells: any(cell.strip() for cell in cells)
    )
    return header, draw(st.lists(row, max_size=8))


@settings(max_examples=300, deadline=None)
@given(
    table=tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "windows-1252"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_any_table_written_as_csv_reads_back_identical(
    table: tuple[list[str], list[list[str]]], encoding: str, delimiter: str, newline: str
) -> None:
    header, rows = table
    buffer = io.StringIO(newline="")
    # Python's writer only quotes a lone "\r" when it is part of the line terminator;
    # Excel always quotes line breaks. QUOTE_ALL makes the "\n" variant unambiguous.
    quoting: Literal[0, 1] = csv.QUOTE_MINIMAL if newline == "\r\n" else csv.QUOTE_ALL
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    if encoding == "windows-1252":
        # Windows-1252 bytes that also form UTF-8 sequences ("Ã©", "â€") are genuinely
        # ambiguous; real Dutch text does not form them, and the reader rightly prefers
        # UTF-8 (whole file) or refuses a mix (part of it).
        with contextlib.suppress(UnicodeDecodeError):
            assume(data.decode("utf-8") == buffer.getvalue())
        assume(not UTF8_SEQUENCE.search(data))
    result, findings = read_table(data, "f.csv")
    assert findings == []
    assert result is not None
    assert list(result.header) == header
    assert [list(record.cells) for record in result.records] == rows
