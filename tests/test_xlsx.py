"""Excel as it is: an .xlsx is read directly with the same rules and findings, located by
sheet and cell as well as by row; formulas count as their stored values; error values
and formulas without a stored value are findings; a renamed workbook stays refused."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from etl.intake.validate import validate_bytes
from tests.conftest import TODAY, fixture, fixture_bytes, run_etl


def test_a_workbook_with_formulas_is_read_as_their_values() -> None:
    validation = validate_bytes(fixture_bytes("normscores_formules.xlsx"),
                                "normscores_formules.xlsx", TODAY)  # fmt: skip
    assert validation.kind == "normscores" and not validation.findings
    assert validation.submission is not None
    scores = {r.norm: r.oordeel for r in validation.submission.records}  # type: ignore[union-attr]
    assert scores[3] == "voldoet" and scores[5] == "voldoet deels"  # =2+1 and =IF(...)


def test_error_values_are_findings_named_by_sheet_and_cell() -> None:
    validation = validate_bytes(fixture_bytes("normscores_fouten.xlsx"),
                                "normscores_fouten.xlsx", TODAY)  # fmt: skip
    found = [(f.line, f.column, f.message) for f in validation.findings]
    assert (7, "oordeel", "Cel Blad1!D7 bevat de foutwaarde #N/B; vul er een waarde in.") in found
    assert any(m.startswith("Cel Blad1!C9 bevat de foutwaarde #DEEL/0!") for _, _, m in found)
    assert any(line == 11 and m.endswith("(cel Blad1!D11)") for line, _, m in found)
    assert len(found) == 3  # no second finding about the value an error cell left empty


def test_a_formula_without_a_stored_value_is_a_finding() -> None:
    validation = validate_bytes(fixture_bytes("normscores_zonder_waarde.xlsx"),
                                "normscores_zonder_waarde.xlsx", TODAY)  # fmt: skip
    assert {f.code for f in validation.findings} == {"formule_zonder_waarde"}
    assert "Blad1!C4" in validation.findings[0].message


def test_the_sheet_named_after_the_kind_is_read_before_the_first() -> None:
    validation = validate_bytes(fixture_bytes("normscores_tweede_blad.xlsx"),
                                "normscores_tweede_blad.xlsx", TODAY)  # fmt: skip
    assert validation.kind == "normscores" and not validation.findings


def test_a_workbook_renamed_to_csv_and_a_fake_xlsx_are_refused() -> None:
    renamed = validate_bytes(fixture_bytes("normscores_formules.xlsx"), "normscores.csv", TODAY)
    assert [f.code for f in renamed.findings] == ["geen_csv"]
    fake = validate_bytes(b"departement,periode\nFIN,2025-Q3\n", "nep.xlsx", TODAY)
    assert [f.code for f in fake.findings] == ["geen_werkmap"]


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (120 * 1024 * 1024))
    validation = validate_bytes(buffer.getvalue(), "bom.xlsx", TODAY)
    assert [f.code for f in validation.findings] == ["te_groot"]


def test_an_xlsx_loads_and_archives_its_bytes(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    result = run_etl("load", str(fixture("normscores_formules.xlsx")), db=db)
    assert result.returncode == 0 and "FIN 2025-Q3 versie 1" in result.stdout
    refused = run_etl("load", str(fixture("normscores_fouten.xlsx")), db=db)
    assert refused.returncode == 1
    assert "normscores_fouten.xlsx:7:oordeel: Cel Blad1!D7" in refused.stderr


def _with_sheet_xml(change: Callable[[str], str]) -> bytes:
    """The formulas fixture with its first sheet's XML changed."""
    source = zipfile.ZipFile(io.BytesIO(fixture_bytes("normscores_formules.xlsx")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(item, data)
    return buffer.getvalue()


def test_one_far_cell_is_refused_at_once_not_padded_for_minutes() -> None:
    """A 5 KB workbook with one cell at XFD1048576 made the reader pad a million rows of
    16,384 cells: half a minute of CPU per upload until the time budget stopped it."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = _with_sheet_xml(lambda xml: xml.replace("</sheetData>", far + "</sheetData>"))
    started = time.monotonic()
    findings = validate_bytes(data, "ver.xlsx", TODAY).findings
    assert time.monotonic() - started < 5
    assert [f.code for f in findings] == ["werkblad_te_groot"]
    assert "kolom XFD en regel 1048576" in findings[0].message


def test_a_sheet_claiming_the_whole_grid_as_its_size_is_read_as_it_is() -> None:
    """Only the dimension element says A1:XFD1048576 (as some tools write): no padding."""
    data = _with_sheet_xml(
        lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
    )
    started = time.monotonic()
    validation = validate_bytes(data, "groot.xlsx", TODAY)
    assert time.monotonic() - started < 5
    assert validation.submission is not None, validation.findings
