"""The yearly report (`python -m etl jaarrapport`): for every ministry and the Rijk, a report
that could be published as it is, as tagged PDF or one HTML file, small counts under the
privacy rule, only completed years; every figure the same as the exports."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from etl.domain import catalog, survey
from etl.domain.periods import quarter_end, quarter_start
from etl.reads.readmodel import ReadModel
from papers import document
from papers.jaarrapport import NotComplete, year_report_html, year_report_pdf
from tests.conftest import TODAY, pdf_text, run_etl


def _ministries_of(jaar: int) -> list[str]:
    start, end = quarter_start(f"{jaar}-Q1"), quarter_end(f"{jaar}-Q4")
    return [
        o.code
        for o in catalog.organisations()
        if o.soort == "ministerie" and o.valid_during(start, end)
    ]


class _Made(dict[str | None, Any]):
    """2025's report of each ministry (or the Rijk: None), made when first asked for and then
    kept: several tests read the same report, and a PDF takes seconds to lay out."""

    def __init__(self, make: Callable[[str | None], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, code: str | None) -> Any:
        self[code] = made = self.make(code)
        return made


@pytest.fixture(scope="module")
def reports(sample_db: Path) -> _Made:
    """Each report as HTML (`year_report_html`), as `jaarrapport --out F.html` writes it."""
    model = ReadModel(sample_db)
    return _Made(lambda code: year_report_html(model, 2025, code, TODAY))


@pytest.fixture(scope="module")
def pdfs(reports: _Made) -> _Made:
    """Each report as PDF: that HTML laid out, as `year_report_pdf` makes it (the command's
    own test goes through `year_report_pdf` itself)."""
    return _Made(lambda code: document.pdf(reports[code]))


def test_every_ministry_and_the_rijk_get_a_report_of_2025(reports: _Made, pdfs: _Made) -> None:
    """The report of each (its HTML: the PDF is that HTML, laid out; the PDF of every one
    took 75 s, so the Rijk's and BZK's PDFs stand for the layout)."""
    for code in [*_ministries_of(2025), None]:
        text = re.sub(r"<[^>]+>", " ", reports[code]) if code else pdf_text(pdfs[code])
        assert "Integriteit in 2025" in text, code
        for section in (
            "De vijftien normen",
            "Meldingen van vermoedens",
            "vertrouwenspersonen",
            "Afspraken met BZK",
        ):
            assert section in text, (code, section)
    assert "De coördinerende rol van BZK" in pdf_text(pdfs["BZK"])


def test_a_published_report_hides_the_ministrys_own_small_counts(pdfs: _Made) -> None:
    text = pdf_text(pdfs["AZ"])
    assert "afgeschermd" in text
    assert "terug laat rekenen" in text.replace("\n", " ")


@pytest.mark.parametrize("code", ["FIN", None])
def test_a_published_report_prints_no_range_where_a_count_belongs(
    pdfs: _Made, code: str | None
) -> None:
    text = pdf_text(pdfs[code])
    flat = " ".join(text.split())
    assert not re.search(r"\d tot \d|tussen \d", flat), flat


def test_a_running_year_has_no_report(sample_db: Path, tmp_path: Path) -> None:
    with pytest.raises(NotComplete):
        year_report_pdf(ReadModel(sample_db), 2026, "FIN", TODAY)
    out = tmp_path / "r.pdf"
    result = run_etl("jaarrapport", "--jaar", "2026", "--rijk", "--out", str(out), db=sample_db)
    assert result.returncode == 1 and "nog niet afgesloten" in result.stderr
    assert not out.exists()


def test_the_command_writes_the_pdf(sample_db: Path, tmp_path: Path, pdfs: _Made) -> None:
    out = tmp_path / "fin.pdf"
    result = run_etl(
        "jaarrapport", "--jaar", "2025", "--departement", "fin", "--out", str(out), db=sample_db,
        env={"INTEGRITEIT_VANDAAG": TODAY.isoformat()},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Ministerie van Financiën" in pdf_text(out.read_bytes())
    # The other tests read the `pdfs` fixture's PDFs: the command's, laid out the same.
    assert pdf_text(out.read_bytes()) == pdf_text(pdfs["FIN"])
    usage = run_etl("jaarrapport", "--jaar", "2025", "--out", str(out), db=sample_db)
    assert usage.returncode == 2


def _flat_html(html: str) -> str:
    """The report's text, as a reader reads it (tags out, entities decoded, one line)."""
    import html as entities

    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("code", ["FIN", "AZ", None])
def test_the_report_has_every_element_the_issue_lists(reports: _Made, code: str | None) -> None:
    flat = _flat_html(reports[code])
    for element in (
        "De vijftien normen van de Algemene Rekenkamer, per kwartaal",
        "Medewerkersenquête",
        "Het cijfer telt",
        "Richting",
        "Meldingen en afhandeling per soort",
        "Uitkomsten van de",
        "ongegrond",
        "niet vast te stellen",
        "afgedaan zonder onderzoek",
        "Opgelegde maatregelen per soort",
        "straf (CAO Rijk)",
        "Gesprekken met vertrouwenspersonen",
        "Meldingen van een vermoeden van een misstand (Wet Huis voor klokkenluiders)",
        "Klachten over ongewenst gedrag",
        "Afgelegde eden en beloften",
        "Afspraken met BZK en hun opvolging (stand op 31 december 2025)",
        "Reikwijdte",
        "per 1.000 medewerkers per jaar",
    ):
        assert element in flat, (code, element)
    if code != "FIN":  # FIN made no agreement by the end of 2025
        assert "Afspraken zoals ze op 31 december 2025 stonden" in flat
        assert "Actiepunten voor 2026" in flat
    if code is None:
        assert "De coördinerende rol van BZK" in flat
        assert "Ministeries die voldoen, van de ministeries die beoordeeld zijn" in flat
    else:
        assert f"Toelichting van {code} op normen waaraan niet (geheel) is voldaan" in flat
        assert "Ten opzichte van de rest van het Rijk" in flat
    assert "<figure>" in reports[code] and 'alt=""' not in reports[code]


def test_no_statement_is_cut_off(reports: _Made) -> None:
    statements = {i.item: i.stelling for i in catalog.survey_items()}
    for code in ("FIN", "AZ", None):
        flat = _flat_html(reports[code])
        for item in survey.KEY_ITEMS:
            assert " ".join(statements[item].split()) in flat, (code, item)


def test_the_figures_match_the_exports(sample_db: Path, reports: _Made) -> None:
    model = ReadModel(sample_db)
    quarters = [f"2025-Q{n}" for n in range(1, 5)]
    counts = model.export("meldingen", None, None)
    fin = counts[(counts["departement"] == "FIN") & counts["periode"].isin(quarters)]
    flat = _flat_html(reports["FIN"])
    total = int(fin["meldingen"].sum())
    assert f"Alle soorten {total:,}".replace(",", ".") in flat
    for column, words in (
        ("ongegrond", "ongegrond"),
        ("zonder_onderzoek", "afgedaan zonder onderzoek"),
    ):
        assert f"{words} {int(fin[column].sum()):,}".replace(",", ".") in flat, column
    measures = model.export("maatregelen", None, None)
    fin_measures = measures[(measures["departement"] == "FIN") & measures["periode"].isin(quarters)]
    # An organisation's year per measure follows the privacy rule (1-4 and the cells that
    # protect them "afgeschermd"); the Rijk's totals per measure are exact.
    for code, words in (("schriftelijke_berisping", "Schriftelijke berisping"),
                        ("strafontslag", "Ontslag als straf (strafontslag)")):  # fmt: skip
        count = int(fin_measures.loc[fin_measures["maatregel"] == code, "aantal"].sum())
        shown = re.search(re.escape(words) + r" straf \(CAO Rijk\) (\S+)", flat)
        assert shown is not None, words
        assert shown.group(1) == (str(count) if not 1 <= count <= 4 else "afgeschermd") or (
            shown.group(1) == "afgeschermd"
        ), (words, count, shown.group(1))
    everyone_measures = measures[measures["periode"].isin(quarters)]
    berispingen = int(everyone_measures.loc[
        everyone_measures["maatregel"] == "schriftelijke_berisping", "aantal"].sum())  # fmt: skip
    assert f"Schriftelijke berisping straf (CAO Rijk) {berispingen}" in _flat_html(reports[None])
    figures = model.jaarcijfers("2025", "FIN").set_index("onderwerp")["aantal"]
    assert f"Afgelegde eden en beloften {int(figures['eed_belofte']):,}".replace(",", ".") in flat
    rijk = _flat_html(reports[None])
    everyone = counts[counts["periode"].isin(quarters)]
    assert f"Alle soorten {int(everyone['meldingen'].sum()):,}".replace(",", ".") in rijk


def test_what_was_not_reported_is_said_as_such_not_as_zero(
    reports: _Made,
) -> None:
    # AZ leaves complaints out of its yearly figures; DEF and SZW send no outcomes.
    assert "Klachten over ongewenst gedrag bij de klachtencommissie niet gemeld" in _flat_html(
        reports["AZ"]
    )
    assert "ongegrond" in _flat_html(reports[None]) and "van 15 ministeries gemeld" in (
        _flat_html(reports[None])
    )


def test_a_year_with_a_reorganisation_covers_the_quarters_the_ministry_existed(
    sample_db: Path,
) -> None:
    model = ReadModel(sample_db)
    kgg = _flat_html(year_report_html(model, 2024, "KGG", TODAY))
    assert "KGG bestaat sinds" in kgg and "Q1 Q2 Q3 Q4" in kgg
    assert "bestond niet bestond niet" in kgg  # Q1 and Q2, before July 2024
    ezk = _flat_html(year_report_html(model, 2024, "EZK", TODAY))
    assert "EZK bestond tot en met" in ezk


# --- the tagged PDF, read as a screen reader's software reads it ----------------------------


def _structure(reader: PdfReader) -> list[tuple[str, object]]:
    """Every structure element (its type and /Alt; for a table, the types inside it), in
    reading order."""
    found: list[tuple[str, object]] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict) and "/S" in node:
            inside = _inside(node) if node["/S"] == "/Table" else node.get("/Alt")
            found.append((str(node["/S"]), inside))
        if isinstance(node, dict):
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                kid = kid.get_object() if hasattr(kid, "get_object") else kid
                if isinstance(kid, dict):
                    walk(kid)

    root: Any = reader.trailer["/Root"]
    walk(root["/StructTreeRoot"])
    return found


def _inside(node: object) -> set[str]:
    kinds: set[str] = set()
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and "/S" in kid:
                kinds.add(str(kid["/S"]))
            kinds |= _inside(kid)
    return kinds


def _untagged_text(reader: PdfReader) -> list[str]:
    """Text drawn outside any marked-content sequence (neither tagged nor an artifact)."""
    from pypdf.generic import ContentStream

    loose = []
    for number, page in enumerate(reader.pages, 1):
        depth = 0
        for _, operator in ContentStream(page.get_contents(), reader).operations:
            if operator in (b"BDC", b"BMC"):
                depth += 1
            elif operator == b"EMC":
                depth -= 1
            elif operator in (b"Tj", b"TJ", b"'", b'"') and depth == 0:
                loose.append(f"pagina {number}")
    return loose


@pytest.mark.slow
@pytest.mark.parametrize("code", ["FIN", None])
def test_the_pdf_is_tagged_for_a_screen_reader(pdfs: _Made, code: str | None) -> None:
    reader = PdfReader(io.BytesIO(pdfs[code]))
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "Integriteit in 2025" in str(reader.metadata.title if reader.metadata else "")
    assert reader.outline, "bookmarks from the headings"
    elements = _structure(reader)
    kinds = [kind for kind, _ in elements]
    assert kinds.count("/H1") == 1 and kinds.count("/H2") >= 8
    assert "/Table" in kinds and "/TH" in kinds
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    assert figures and all(alt and str(alt).strip() for alt in figures), figures
    tables = [inside for kind, inside in elements if kind == "/Table"]
    assert all({"/TH", "/Caption"} <= inside for inside in tables if isinstance(inside, set))
    assert all(isinstance(inside, set) for inside in tables), tables
    assert _untagged_text(reader) == []
