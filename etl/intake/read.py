"""Bytes → table: detect the encoding and delimiter of a CSV file and keep line numbers.

DuckDB's own CSV reader cannot decode Windows-1252 here (no internet for its
encodings extension), and Dutch Excel writes exactly that, so decoding happens in
Python. Every record keeps the physical line it starts on, so findings can point
at it. Reading never changes a cell: trimming and case folding are validation's job.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import NamedTuple

from etl.intake import budget
from etl.intake.findings import Finding

MAX_BYTES = 10 * 1024 * 1024
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "komma", ";": "puntkomma", "\t": "tab"}

# Signatures of files that are sometimes renamed to .csv by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "een Excel-werkmap (.xlsx) of ander zip-bestand"),
    (b"\xd0\xcf\x11\xe0", "een oude Excel-werkmap (.xls) of ander Office-bestand"),
    (b"%PDF", "een PDF-bestand"),
    (b"\x89PNG", "een PNG-afbeelding"),
    (b"\xff\xd8\xff", "een JPEG-afbeelding"),
)


class Record(NamedTuple):
    """One data row with the physical line (1-based) it starts on."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A decoded CSV file: header as written, and its non-empty records."""

    encoding: str
    delimiter: str
    header: tuple[str, ...]
    header_line: int
    records: tuple[Record, ...]
    sheet: str | None = None  # the worksheet, for a table read from an Excel workbook

    @property
    def delimiter_name(self) -> str:
        return _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, file: str) -> tuple[str | None, str, list[Finding]]:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    UTF-8 is tried first because Windows-1252 accepts almost any byte sequence:
    the reverse order would turn every UTF-8 "ë" into "Ã«" without a complaint.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "windows-1252"]
    last_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            last_error = error
            continue
        if encoding == "windows-1252" and _UTF8_SEQUENCE.search(data):
            # UTF-8 failed, yet the file holds UTF-8 sequences ("Ã«" for "ë" if read as
            # Windows-1252): two encodings in one file. Refuse rather than garble.
            assert last_error is not None
            return None, "", [_mixed_encoding(data, file, last_error)]
        return text, encoding, []
    assert last_error is not None
    byte = data[last_error.start : last_error.start + 1].hex().upper()
    line = _line_of_offset(data, last_error.start)
    message = (
        f"Het bestand is niet te lezen als UTF-8 of Windows-1252 (byte 0x{byte}). "
        "Sla het in Excel op als 'CSV UTF-8 (door komma's gescheiden)'."
    )
    return None, "", [Finding(file, line, None, "codering", message)]


# Any well-formed multi-byte UTF-8 sequence: a Latin letter or sign (é, ë, €), Greek,
# Cyrillic, Turkish (ğ, ş, ı), Hebrew, Arabic, CJK, an emoji. Windows-1252 would turn each
# into two to four letters ("ä¸­æ–‡" for 中文), so beside a byte that is not UTF-8 they
# mean two encodings in one file.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _mixed_encoding(data: bytes, file: str, error: UnicodeDecodeError) -> Finding:
    byte = data[error.start : error.start + 1].hex().upper()
    message = (
        f"Het bestand mengt twee coderingen: het meeste is UTF-8, maar byte 0x{byte} niet. "
        "Sla het in Excel opnieuw op als 'CSV UTF-8 (door komma's gescheiden)'."
    )
    return Finding(file, _line_of_offset(data, error.start), None, "gemengde_codering", message)


def _binary_kind(data: bytes) -> str | None:
    for signature, description in _SIGNATURES:
        if data.startswith(signature):
            return description
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if b"\x00" in data:
        return "een binair bestand"
    return None


def _first_record(text: str, delimiter: str) -> list[str]:
    """The first record that is not blank: a file may start with an empty line."""
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return next((row for row in rows if not _is_blank(row)), [])
    except csv.Error:
        return []


def _fits(text: str, delimiter: str, width: int) -> bool:
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return all(len(row) == width for row in rows if row)
    except csv.Error:
        return False


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the header into the most columns.

    Headers are column names, which hold no delimiters, so the header decides. A
    one-column header is ambiguous; then the delimiter that keeps every row at
    one field wins, else the comma.
    """
    widths = {d: len(_first_record(text, d)) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: widths[d])
    if widths[best] > 1:
        return best
    for delimiter in DELIMITERS:
        if _fits(text, delimiter, 1):
            return delimiter
    return ","


_SEP_HINT = re.compile(r"(?i)sep=(.)(?:\r\n|\r|\n)")


def _strip_sep_hint(text: str) -> tuple[str, str | None, int]:
    """Excel's optional first line `sep=;` names the delimiter; honour and skip it, whatever
    the line end (old Mac Excel writes a bare CR)."""
    hint = _SEP_HINT.match(text)
    if hint is None:
        return text, None, 0
    return text[hint.end() :], hint.group(1), 1


def _is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def read_table(
    data: bytes, file: str, max_bytes: int = MAX_BYTES
) -> tuple[Table | None, list[Finding]]:
    """Turn a file's bytes into a Table, or findings that say why it is no usable CSV."""
    if len(data) > max_bytes:
        size = f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")
        limit = max_bytes // 1024 // 1024
        message = f"Het bestand is te groot ({size} MB); de grens is {limit} MB."
        return None, [Finding(file, None, None, "te_groot", message)]
    if not data.strip():
        return None, [Finding(file, None, None, "leeg", "Het bestand is leeg.")]
    binary = _binary_kind(data)
    if binary is not None:
        message = (
            f"Dit is geen CSV-bestand maar {binary}. "
            "Sla het in Excel op als CSV ('Opslaan als' → 'CSV')."
        )
        return None, [Finding(file, None, None, "geen_csv", message)]
    text, encoding, findings = decode(data, file)
    if text is None:
        return None, findings
    body, hinted, offset = _strip_sep_hint(text)
    delimiter = hinted or detect_delimiter(body)
    return _parse(body, file, encoding, delimiter, offset)


def _parse(
    text: str, file: str, encoding: str, delimiter: str, offset: int
) -> tuple[Table | None, list[Finding]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 0
    records: list[Record] = []
    findings: list[Finding] = []
    consumed = 0
    try:
        for row in reader:
            budget.check()
            start = consumed + 1 + offset
            consumed = reader.line_num
            if header is None:
                if _is_blank(row):
                    continue
                header, header_line = row, start
                continue
            if _is_blank(row):
                continue
            records.append(Record(start, tuple(row)))
    except csv.Error:
        line = consumed + 1 + offset
        message = (
            'Een aanhalingsteken (") opent een veld dat niet goed wordt afgesloten; '
            "controleer de aanhalingstekens vanaf deze regel."
        )
        findings.append(Finding(file, line, None, "aanhalingstekens", message))
        return None, findings
    if header is None:
        return None, [Finding(file, None, None, "leeg", "Het bestand is leeg.")]
    table = Table(encoding, delimiter, tuple(header), header_line, tuple(records))
    return table, findings
