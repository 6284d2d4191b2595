"""Bytes of an Excel workbook (.xlsx) → the same Table a CSV file gives, read as it is.

Ministries keep their figures in Excel; saving a CSV in the right shape is where mistakes
creep in. The first sheet is read, or the sheet named after a kind of file (`normscores`,
`meldingen`, ...). A formula counts as the value Excel stored with it; a cell holding an
error value (`#N/B`, `#DEEL/0!`) or a formula without a stored value is a finding, located
by sheet and cell. Rows keep their Excel row number as their line. A workbook whose
contents unpack to more than `MAX_UNPACKED` is refused before it is opened (a zip bomb),
and a sheet whose cells reach beyond `MAX_COLUMNS` or `MAX_ROWS` before it is read: the
reader pads every row up to its last cell, so one cell at XFD1048576 in a 5 KB file cost
minutes of padding (reading is kept linear in the file's size).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from etl.intake import budget
from etl.intake.findings import Finding
from etl.intake.read import Record, Table, read_table

MAX_UNPACKED = 100 * 1024 * 1024
MAX_COLUMNS = 200  # a contract file has at most nine columns
MAX_ROWS = 200_000
# openpyxl reads every shared string when it opens a workbook, before any budget applies:
# 5.5 million of them (232 KB zipped) cost two minutes of CPU. A contract file at national
# scale holds tens of thousands of distinct texts; more is refused before opening.
MAX_SHARED_STRINGS = 100_000
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
# Where a sheet's cells and rows say they are (`<c r="XFD7">`, `<row r="7">`).
_CELL_AT = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_AT = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')
CELL_CODES = frozenset({"foutwaarde", "formule_zonder_waarde"})
# The error values as Dutch Excel shows them (the file stores the English ones).
ERRORS = {
    "#N/A": "#N/B", "#DIV/0!": "#DEEL/0!", "#VALUE!": "#WAARDE!", "#REF!": "#VERW!",
    "#NAME?": "#NAAM?", "#NUM!": "#GETAL!", "#NULL!": "#LEEG!",
}  # fmt: skip


def is_workbook(data: bytes) -> bool:
    """A zip archive holding an Excel workbook part."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except Exception:  # a damaged archive (whatever zipfile raises) is no workbook
        return False


def _unpacked_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV would hold: whole numbers without '.0', dates as
    JJJJ-MM-DD, text as typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sheet_name(book: Any, kinds: tuple[str, ...]) -> str | None:
    """The visible sheet named after a kind, else the first visible sheet. A hidden or very
    hidden sheet is never read: what is stored is what the sender saw in Excel."""
    names = [n for n in book.sheetnames if getattr(book[n], "sheet_state", "visible") == "visible"]
    by_name = {name.strip().lower(): name for name in names}
    return next((by_name[kind] for kind in kinds if kind in by_name), names[0] if names else None)


def _shared_strings(data: bytes) -> int:
    """How many shared strings the workbook holds (one linear scan of that part)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
        return sum(len(_SHARED_STRING.findall(archive.read(part))) for part in parts)


def read_workbook(
    data: bytes, file: str, kinds: tuple[str, ...]
) -> tuple[Table | None, list[Finding]]:
    """The chosen sheet as a Table (`sheet` set), or findings."""
    from openpyxl import load_workbook  # only when a workbook arrives: a CSV load skips it

    try:
        unpacked = _unpacked_size(data)
        if unpacked > MAX_UNPACKED:
            message = (
                f"De werkmap pakt uit tot {unpacked // 1024 // 1024} MB; de grens is "
                f"{MAX_UNPACKED // 1024 // 1024} MB."
            )
            return None, [Finding(file, None, None, "te_groot", message)]
        strings = _shared_strings(data)
        if strings > MAX_SHARED_STRINGS:
            message = (
                f"De werkmap bevat {strings:,} verschillende teksten; een aanlevering heeft er "
                f"hoogstens {MAX_SHARED_STRINGS:,}. Kopieer de gegevens naar een nieuwe "
                "werkmap.".replace(",", ".")
            )
            return None, [Finding(file, None, None, "werkblad_te_groot", message)]
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        message = "De Excel-werkmap is niet te lezen (beschadigd of geen .xlsx)."
        return None, [Finding(file, None, None, "geen_werkmap", message)]
    try:
        return _read_sheet(values, formulas, file, kinds, data)
    except budget.OverBudget:
        raise  # the time budget's own finding, not "damaged"
    except Exception:  # a part that breaks while it is read (lazily) is a finding
        message = "De Excel-werkmap is niet te lezen (beschadigd of geen .xlsx)."
        return None, [Finding(file, None, None, "geen_werkmap", message)]
    finally:
        values.close()
        formulas.close()


def _extent(data: bytes, part: str) -> tuple[int, int] | None:
    """The last column and row any cell or row of the sheet part names (one linear scan);
    None when some cell names no place (its place is its position: no padding risk)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part.lstrip("/"))
    placed = _CELL_AT.findall(xml)
    if len(placed) != len(_ANY_CELL.findall(xml)):
        return None
    columns = [_column_number(letters) for letters in {letters for letters, _ in placed}]
    rows = [int(m.group(1)) for m in _ROW_AT.finditer(xml)]
    return max(columns, default=0), max(rows, default=0)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _too_large(name: str, columns: int, rows: int, file: str) -> Finding | None:
    """A finding when the sheet reaches beyond the columns or rows a submission can have."""
    if columns <= MAX_COLUMNS and rows <= MAX_ROWS:
        return None
    message = (
        f"Het werkblad '{name}' loopt tot kolom {_letter(max(columns, 1))} en regel {rows}; een "
        f"aanlevering heeft hoogstens {MAX_COLUMNS} kolommen en "
        f"{MAX_ROWS:,} regels. Kopieer de gegevens naar een nieuw werkblad of verwijder de lege "
        "kolommen en regels erachter.".replace(",", ".")
    )
    return Finding(file, None, None, "werkblad_te_groot", message)


def _read_sheet(
    values: Any, formulas: Any, file: str, kinds: tuple[str, ...], data: bytes
) -> tuple[Table | None, list[Finding]]:
    """The chosen sheet's rows as records, the header first; cells checked as they come."""
    name = _sheet_name(values, kinds)
    if name is None:
        message = "De werkmap heeft geen zichtbaar werkblad; maak het blad met gegevens zichtbaar."
        return None, [Finding(file, None, None, "leeg", message)]
    extent = _extent(data, values[name]._worksheet_path)
    width = None
    if extent is not None:
        too_large = _too_large(name, *extent, file)
        if too_large is not None:
            return None, [too_large]
        for book in (values, formulas):
            book[name].reset_dimensions()  # the sheet's claim of its size drives no padding
        width = max(extent[0], 1)
    # Rows padded to the last column any cell uses (Excel leaves out empty trailing cells).
    rows = values[name].iter_rows(max_col=width)
    formula_rows = formulas[name].iter_rows(max_col=width)
    findings: list[Finding] = []
    header: tuple[str, ...] | None = None
    header_line = 0
    records: list[Record] = []
    for cells, written in zip(rows, formula_rows, strict=False):
        budget.check()
        texts: list[str] = []
        for cell, source in zip(cells, written, strict=False):
            texts.append(_checked(cell, source, name, file, header, findings))
        if not "".join(texts).strip():
            continue
        line = _row_of(cells)
        if header is None:
            header, header_line = tuple(texts), line
            continue
        records.append(Record(line, tuple(texts)))
    if header is None:
        return None, [Finding(file, None, None, "leeg", f"Het werkblad '{name}' is leeg.")]
    return Table("xlsx", "", header, header_line, tuple(records), sheet=name), findings


def _row_of(cells: tuple[Any, ...]) -> int:
    return next((int(c.row) for c in cells if getattr(c, "row", None)), 0)


def _checked(
    cell: Any, source: Any, sheet: str, file: str, header: tuple[str, ...] | None,
    findings: list[Finding],
) -> str:  # fmt: skip
    """The cell's text, with a finding for an error value or a formula without a value."""
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "e" or (isinstance(value, str) and value in ERRORS):
        shown = ERRORS.get(str(value), str(value))
        _locate(findings, file, cell, sheet, header, "foutwaarde",
                f"bevat de foutwaarde {shown}; vul er een waarde in.")  # fmt: skip
        return ""
    written = getattr(source, "value", None)
    if value is None and isinstance(written, str) and written.startswith("="):
        _locate(findings, file, cell, sheet, header, "formule_zonder_waarde",
                "bevat een formule zonder opgeslagen uitkomst; open het bestand in Excel en "
                "sla het opnieuw op.")  # fmt: skip
        return ""
    return cell_text(value)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _locate(
    findings: list[Finding], file: str, cell: Any, sheet: str, header: tuple[str, ...] | None,
    code: str, text: str,
) -> None:  # fmt: skip
    column = int(cell.column)
    reference = f"{sheet}!{_letter(column)}{cell.row}"
    name = header[column - 1].strip().lower() if header and column <= len(header) else None
    findings.append(Finding(file, int(cell.row), name or None, code, f"Cel {reference} {text}"))


def cell_reference(sheet: str, column_index: int, line: int) -> str:
    """'Blad1!D7' for the 0-based column index and the Excel row."""
    return f"{sheet}!{_letter(column_index + 1)}{line}"


def read_any(
    data: bytes, file: str, max_bytes: int, kinds: tuple[str, ...]
) -> tuple[Table | None, list[Finding]]:
    """A file named .xlsx as a workbook, anything else as CSV (`etl.intake.read`): the name says
    which, as the contract reads a renamed workbook as no CSV. The size limit holds for both."""
    if not file.lower().endswith(".xlsx"):
        return read_table(data, file, max_bytes)
    if len(data) > max_bytes:
        return read_table(data, file, max_bytes)  # the same size finding
    if not is_workbook(data):
        message = "Dit bestand heet .xlsx maar is geen Excel-werkmap; lever een .xlsx of CSV aan."
        return None, [Finding(file, None, None, "geen_werkmap", message)]
    return read_workbook(data, file, kinds)


def locate(findings: list[Finding], table: Table, columns: dict[str, int]) -> list[Finding]:
    """For a table from a workbook: each finding on a row and a known column also names its
    cell ('Blad1!D7'), so it can be found in Excel as well as by row."""
    if table.sheet is None:
        return findings
    # A cell already named for its error value or missing formula result needs no second
    # finding about the empty value it left.
    cells = {(f.line, f.column) for f in findings if f.code in CELL_CODES}
    located = []
    for finding in findings:
        if finding.code not in CELL_CODES and (finding.line, finding.column) in cells:
            continue
        index = columns.get(finding.column or "")
        if finding.line is not None and index is not None and "!" not in finding.message:
            reference = cell_reference(table.sheet, index, finding.line)
            finding = replace(finding, message=f"{finding.message} (cel {reference})")
        located.append(finding)
    return located
