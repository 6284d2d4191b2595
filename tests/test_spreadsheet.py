"""Exports opened in a real spreadsheet: LibreOffice Calc, headless, converts each export
to .xlsx, and no cell of the result may be a formula (CSV injection, OWASP)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard import downloads
from tests.conftest import ROOT, run_etl

SOFFICE = shutil.which("soffice")
# Each a toelichting an attacker could submit: a formula after a bare CR, after a line
# feed, after CRLF, at the start, and behind each prefix a spreadsheet treats as one.
ATTACKS = [
    "gewoon\r=1+1",
    "gewoon\n=1+1",
    "gewoon\r\n=1+1",
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1;1)",
    "\t=1+1",
    '=HYPERLINK("http://example.org";"klik")',
    # Other breaks a reader may end a field or a row at (a NUL ended the field in Calc).
    "x\x00=1+1",
    "x\x0b=1+1",
    "x\u2028=1+1",
    "x\x85=1+1",
]


def _submission(tmp_path: Path) -> Path:
    rows = ["departement,periode,norm,oordeel,toelichting"]
    storable = [a for a in ATTACKS if "\x00" not in a]  # a NUL makes the file binary
    for norm in range(1, 16):
        attack = storable[(norm - 1) % len(storable)]
        quoted = '"' + attack.replace('"', '""') + '"'
        rows.append(f"FIN,2025-Q3,{norm},voldoet,{quoted}")
    path = tmp_path / "aanval.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8"))
    return path


def _formulas(exported: Path, tmp_path: Path) -> list[str]:
    """Convert with LibreOffice as a user's double-click would, then list formula cells."""
    assert SOFFICE is not None, "make test installs libreoffice-calc-nogui"
    out = tmp_path / "uit"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profiel", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(exported)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    book = openpyxl.load_workbook(out / (exported.stem + ".xlsx"))
    found = [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    cells = [c.value for s in book.worksheets for r in s.iter_rows() for c in r]
    assert any(isinstance(v, str) and "1+1" in v for v in cells), "the attack text is kept"
    return found


def test_a_stored_formula_in_a_toelichting_never_opens_as_a_formula_from_a_download(
    tmp_path: Path,
) -> None:
    """The stored text, downloaded from the dashboard as a spreadsheet user does. (The
    contract export, `etl export`, is exact so that it loads back unchanged: issue 24.)"""
    from etl.reads.readmodel import ReadModel

    db = tmp_path / "db.duckdb"
    assert run_etl("load", str(_submission(tmp_path)), "--db", str(db)).returncode == 0
    exported = run_etl("export", "normscores", "--db", str(db))
    assert exported.returncode == 0 and ",=1+1" in exported.stdout  # exact
    path = tmp_path / "download.csv"
    path.write_bytes(downloads.csv_utf8(ReadModel(db).normscores()))
    assert _formulas(path, tmp_path) == []


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("download.csv", downloads.csv_utf8),
        ("download-excel.csv", downloads.csv_excel_nl),
        ("download.xlsx", downloads.xlsx),
    ],
)
def test_no_dashboard_download_opens_with_a_formula(
    tmp_path: Path, name: str, render: object
) -> None:
    frame = pd.DataFrame({"norm": range(1, len(ATTACKS) + 1), "toelichting": ATTACKS})
    path = tmp_path / name
    assert callable(render)
    path.write_bytes(render(frame))
    assert _formulas(path, tmp_path) == []


def test_streamlit_own_table_download_is_switched_off() -> None:
    """Streamlit's "Download as CSV" on every table would write cells unneutralised;
    the dashboard's own download buttons (CSV, CSV for Excel NL, Excel) replace it."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
