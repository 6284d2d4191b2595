"""Praatplaat: one A4 page per ministry and quarter, and a government-wide page with the heatmap.

Modelled on IenW's "praatplaten": one page a management team can start the
conversation with. Generated offline with fpdf2 (pure Python, no browser or LaTeX),
charts rendered by vl-convert; every oordeel is written out, so the page reads in
greyscale and on a copier.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from dashboard import charts, downloads, tables
from etl.domain import catalog, disclosure, normgrid, vocabulary, werking
from etl.domain.periods import quarter_end
from etl.reads.export import printable
from etl.reads.readmodel import ReadModel

LONG_TO_STATE = {label: state for state, label in vocabulary.LONG_LABELS.items()}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SOURCE = "Normen: Algemene Rekenkamer, Integriteit als basis (2024). Gegevens: aanleveringen."


class _Page(FPDF):
    """A4 with a Unicode font when the system has DejaVu, else Helvetica (Latin-1 only)."""

    def __init__(self, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(14, 12, 14)
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("Tekst", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Tekst", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_page()

    def text_font(self, size: float, bold: bool = False) -> None:
        self.set_font("Tekst" if self.unicode else "Helvetica", "B" if bold else "", size)

    def safe(self, text: str) -> str:
        if self.unicode:
            return text
        return (
            text.replace("–", "-")
            .replace("▲", "+")
            .replace("▼", "-")
            .encode("latin-1", "replace")
            .decode("latin-1")
        )

    def text_line(self, text: str, size: float, height: float, bold: bool = False) -> None:
        """One line of text across the page."""
        self.text_font(size, bold)
        self.cell(0, height, self.safe(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 11) -> None:
        self.ln(2)
        self.text_font(size, bold=True)
        self.set_text_color(1, 104, 155)  # lintblauw
        self.cell(0, 6, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def grid(
        self,
        rows: list[list[str]],
        widths: tuple[float, ...],
        size: float = 7.5,
        styled_column: int | None = None,
    ) -> None:
        """A left-aligned table; `styled_column` cells get the dashboard's oordeel colours."""
        self.text_font(size)
        with self.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            text_align="LEFT",  # fpdf2 justifies by default: wide gaps in narrow columns
            line_height=size * 0.5,
            first_row_as_headings=True,
            headings_style=_style((229, 240, 249), (0, 0, 0), bold=True),
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            for number, values in enumerate(rows):
                row = table.row()
                for index, value in enumerate(values):
                    style = None
                    state = LONG_TO_STATE.get(value)
                    if number and index == styled_column and state in charts.STYLE:
                        _, fill, text = charts.STYLE[state]
                        style = _style(_rgb(fill), _rgb(text))
                    row.cell(self.safe(value), style=style)


Page = _Page  # for the other meeting papers (the IPIM agenda)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _style(fill: tuple[int, int, int], text: tuple[int, int, int], bold: bool = False) -> FontFace:
    return FontFace(emphasis="BOLD" if bold else None, fill_color=fill, color=text)


def _norm_rows(mine: pd.DataFrame, totals: pd.DataFrame) -> list[list[str]]:
    rijk = totals.set_index("norm")
    rows = [["Nr", "Norm", "Onderdeel", "Oordeel", "Sinds laatste oordeel", "Rijksbreed voldoet"]]
    for row in mine.sort_values("norm").to_dict("records"):
        change = (
            vocabulary.change_text(row["wijziging"], bool(row["niet_meer_beoordeeld"]))
            if row["aangeleverd"]
            else ""
        )
        norm = row["norm"]
        met, judged = int(rijk.loc[norm, "voldaan"]), int(rijk.loc[norm, "beoordeeld"])
        rows.append(
            [
                str(norm),
                str(row["label"]),
                str(row["onderdeel"]),
                vocabulary.LONG_LABELS[str(row["staat"])],
                change,
                f"{met} van {judged} beoordeeld" if judged else "– (geen oordelen)",
            ]
        )
    return rows


def _onderdeel_rows(mine: pd.DataFrame, onderdelen: pd.DataFrame) -> list[list[str]]:
    own = vocabulary.share_met(mine, ["onderdeel"]).set_index("onderdeel").to_dict("index")
    rijk = onderdelen.set_index("onderdeel").to_dict("index")
    rows = [["Onderdeel", "Dit ministerie", "Rijksbreed"]]
    for onderdeel in vocabulary.ONDERDELEN:
        values = [
            vocabulary.share_text(
                int(table[onderdeel]["voldaan"]), int(table[onderdeel]["beoordeeld"])
            )
            if onderdeel in table
            else "-"
            for table in (own, rijk)
        ]
        rows.append([onderdeel, *values])
    return rows


def ministry_pdf(model: ReadModel, code: str, periode: str, today: date) -> bytes:
    """The one-page praatplaat of one ministry for one quarter, as `model`'s reader sees it
    (a ministry the reader may not see is refused: `NotAllowed`)."""
    model.access.require(code)
    model = ReadModel(model.path, model.access.published())  # a paper handed round
    names = {o.code: o.naam for o in catalog.organisations()}
    mine = model.norm_grid(periode, today)
    mine = mine[mine["departement"] == code]
    totals = model.norm_totals(periode, today)
    onderdelen = model.onderdeel_totals(periode, today)
    pdf = _Page()
    made = today.strftime("%d-%m-%Y")
    pdf.set_text_color(80, 80, 80)
    pdf.text_line("Integriteitsmonitor Rijk · praatplaat", 8, 4)
    pdf.set_text_color(0, 0, 0)
    pdf.text_line(names.get(code, code), 16, 8, bold=True)
    pdf.text_line(f"Kwartaal {periode} · {code} · gemaakt op {made}", 9, 5)
    pdf.text_line(disclosure.PUBLISHED_LINE, 7, 4)
    source = model.period_sources().get(periode, "")
    if source:
        pdf.text_line(f"Oordelen van {periode}: {source}.", 8, 4)

    pdf.heading("De vijftien normen")
    if not mine["aangeleverd"].any():
        pdf.text_line(f"{code} heeft voor {periode} niets aangeleverd.", 9, 5)
    pdf.grid(_norm_rows(mine, totals), (7, 58, 19, 31, 33, 34), styled_column=3)

    pdf.heading("Aandeel beoordeelde normen voldaan, vergeleken met rijksbreed")
    pdf.grid(_onderdeel_rows(mine, onderdelen), (40, 71, 71))

    top = pdf.get_y() + 2
    history = model.ministry_history(code)
    history = history[history["periode"] <= periode]
    if not history.empty:
        shares = normgrid.ministry_onderdeel_shares(history)
        chart = charts.share_lines(shares, "onderdeel", "Aandeel voldaan").properties(
            width=360, height=160
        )
        pdf.image(io.BytesIO(downloads.chart_png(chart, min_width=900)), x=114, y=top + 7, w=82)
        pdf.set_xy(114, top)
        pdf.text_font(9, bold=True)
        pdf.set_text_color(1, 104, 155)
        pdf.cell(82, 6, pdf.safe("Trend per onderdeel (voldaan van beoordeeld)"))
        pdf.set_text_color(0, 0, 0)
    pdf.set_xy(14, top)
    pdf.set_left_margin(14)
    _survey_block(pdf, model, code, periode)
    _status_block(pdf, model, code, periode, today)
    _werking_block(pdf, model, code, periode, today)
    pdf.set_y(max(pdf.get_y(), top + 58))
    _agreement_block(pdf, model, mine, code, periode)

    pdf.set_y(-14)
    pdf.text_font(7)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        0,
        3.5,
        pdf.safe(
            SOURCE + " Enquêtecijfers: minder dan 10 respondenten = geen cijfer; bij de "
            "meldvragen ook geen cijfer als een antwoord door 1 tot 4 mensen is gegeven."
        ),
    )
    return bytes(pdf.output())


def _survey_block(pdf: _Page, model: ReadModel, code: str, periode: str) -> None:
    found = model.ministry_survey(code, periode)
    pdf.text_font(9, bold=True)
    pdf.set_text_color(1, 104, 155)
    pdf.cell(
        95,
        6,
        pdf.safe("Enquête: kerncijfers" + (f" (golf {found[0]})" if found else "")),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
    if found is None:
        pdf.text_font(8)
        text = f"Geen enquêtegegevens in of vóór {periode}."
        pdf.cell(95, 5, pdf.safe(text), new_x="LMARGIN", new_y="NEXT")
        return
    table = tables.key_item_table(found[2])
    rows = [["Item", "Ministerie", "Rijksbreed"]] + [
        [str(r["item"]), str(r["ministerie"]), str(r["rijksbreed"])]
        for r in table.to_dict("records")
    ]
    pdf.grid(rows, (12, 41, 41), size=7)
    pdf.text_font(6.5)
    # What each share counts and which way is good, as on the screen ('kopcijfer telt').
    statements = "; ".join(
        f"{r['item']}: {r['stelling']} — telt: {r['kopcijfer telt']}"
        for r in table.to_dict("records")
    )
    note = tables.INTERVAL_NOTE + " " + statements + "."
    pdf.multi_cell(95, 3, pdf.safe(note), new_x="LMARGIN", new_y="NEXT")


def agreements_by(agreements: pd.DataFrame, code: str, periode: str) -> pd.DataFrame:
    """This organisation's agreements made by the end of the quarter (a page of 2023-Q4
    does not show what was agreed in 2025)."""
    made = pd.to_datetime(agreements["vastgesteld"]).dt.date <= quarter_end(periode)
    return agreements[(agreements["departement"] == code) & made]


def one_line(text: str) -> str:
    """Submitted text as one printable line (a vertical tab must not break a paper)."""
    return " ".join(printable(text).split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _agreement_block(
    pdf: _Page, model: ReadModel, mine: pd.DataFrame, code: str, periode: str
) -> None:
    """For each norm not (fully) met: the ministry's own toelichting beside the agreement
    made about it — the conversation and its follow-up on the same page. A paper of an
    earlier quarter shows only the agreements made by its end."""
    pdf.heading("Niet voldaan: eigen toelichting en afspraak", size=9)
    agreements = agreements_by(model.agreements(), code, periode)
    # Not met before partly met; within each, the norms with an agreement first.
    gaps = (
        mine[mine["staat"].isin([vocabulary.NIET, vocabulary.DEELS])]
        .assign(afspraak=lambda f: ~f["norm"].isin(agreements["norm"].dropna().astype(int)))
        .sort_values(["score", "afspraak", "norm"])
    )
    if gaps.empty:
        pdf.text_line("Alle beoordeelde normen voldoen.", 8, 4)
    else:
        rows = [["Norm", "Oordeel", "Toelichting van het ministerie", "Afspraak (status, gereed)"]]
        # One page: as many rows as fit above the footer (two lines each), worst first.
        room = max(1, int((pdf.h - 24 - pdf.get_y() - 5) / 5.5))
        left_out = len(gaps) - room
        for gap in gaps.head(room).to_dict("records"):
            about = agreements[agreements["norm"] == gap["norm"]]
            agreed = "geen"
            if not about.empty:
                first = about.sort_values("vastgesteld").iloc[-1]
                agreed = (
                    f"{first['id']}: {_clip(one_line(str(first['afspraak'])), 45)} "
                    f"({first['status']}, gereed {first['gereed']})"
                )
            rows.append([
                str(gap["norm"]), vocabulary.LONG_LABELS[gap["staat"]],
                _clip(one_line(str(gap["toelichting"])), 80) or "–", agreed,
            ])  # fmt: skip
        pdf.grid(rows, (9, 20, 78, 75), size=6)
        if left_out > 0:
            pdf.text_line(f"En nog {left_out} normen; zie de ministeriepagina.", 6.5, 3)
    general = agreements[agreements["norm"].isna()]
    if not general.empty:
        listed = "; ".join(
            f"{r['id']}: {_clip(one_line(str(r['afspraak'])), 80)} ({r['status']})"
            for r in general.to_dict("records")
        )
        pdf.text_font(6.5)
        pdf.multi_cell(0, 3, pdf.safe(f"Algemene afspraken: {listed}"), new_x="LMARGIN",
                       new_y="NEXT")  # fmt: skip


def _block_heading(pdf: _Page, text: str) -> None:
    """A small heading in the left column, in lintblauw."""
    pdf.ln(1)
    pdf.text_font(9, bold=True)
    pdf.set_text_color(1, 104, 155)
    pdf.cell(0, 6, pdf.safe(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _status_block(pdf: _Page, model: ReadModel, code: str, periode: str, today: date) -> None:
    _block_heading(pdf, "Aanlevering")
    pdf.text_font(8)
    status = model.submission_status(today)
    row = status[(status["departement"] == code) & (status["periode"] == periode)]
    if row.empty:
        text = f"Voor {periode} geldt geen aanlevertermijn (nulmeting of buiten de cyclus)."
    else:
        r = row.iloc[0]
        received = "" if pd.isna(r["ontvangen"]) else f", ontvangen {r['ontvangen']:%d-%m-%Y}"
        text = (
            f"{periode}: {r['status']}{received}, termijn {r['termijn']:%d-%m-%Y}, "
            f"{int(r['versies'])} versie(s)."
        )
    pdf.multi_cell(95, 4, pdf.safe(text), new_x="LMARGIN", new_y="NEXT")


def _werking_block(pdf: _Page, model: ReadModel, code: str, periode: str, today: date) -> None:
    """Reports and established violations of the newest complete year, per 1,000 employees
    beside the Rijk. A paper is handed round at a meeting, so it follows the privacy rule
    for every reader (`etl.domain.werking`), whoever prints it."""
    paper = model  # already the published view (`ministry_pdf`)
    reports = paper.werking("meldingen", "jaar", today)
    year = werking.newest_complete_year(reports, code, periode)
    _block_heading(pdf, "Werking: meldingen")
    pdf.text_font(7.5)
    if year is None:
        pdf.multi_cell(95, 3.6, pdf.safe("Geen afgesloten jaar met meldingen."), new_x="LMARGIN",
                       new_y="NEXT")  # fmt: skip
        return
    table = tables.werking_key_table(reports, code, year)
    figures = {str(r["cijfer"]): (str(r[code]), str(r["Rijksbreed"])) for r in
               table.to_dict("records")}  # fmt: skip
    rate = figures["Meldingen per 1.000 medewerkers (95%-interval)"]
    parts = [
        f"{year}: {figures['Meldingen (gemeld)'][0]} gemeld, per 1.000 medewerkers {rate[0]} "
        f"(Rijk {rate[1]}); gegrond {figures['Schending vastgesteld (gegrond)'][0]}. Meer "
        "meldingen kan ook betekenen dat men durft te melden."
    ]
    pdf.multi_cell(95, 3.6, pdf.safe(" ".join(parts)), new_x="LMARGIN", new_y="NEXT")


def heatmap_chart(model: ReadModel, periode: str, today: date) -> charts.AltairChart:
    """The overview's heatmap for a quarter, sorted by name, as in the dashboard."""
    data = _heatmap_cells(model, periode, today)
    return charts.heatmap(data, charts.row_order(data, "naam"))


def _heatmap_cells(model: ReadModel, periode: str, today: date) -> pd.DataFrame:
    """The organisations the reader may see, and the government-wide row over everyone."""
    totals = model.norm_totals(periode, today)
    return charts.heatmap_data(model.norm_grid(periode, today), totals[totals["norm"] > 0])


def government_pdf(model: ReadModel, periode: str, today: date) -> bytes:
    """Landscape pages with the heatmap of every organisation for the quarter: one page for
    the ministries; for hundreds of organisations a page per 40, each with the norm
    headers and the government-wide row, so every cell stays readable on paper."""
    data = _heatmap_cells(model, periode, today)
    order = charts.row_order(data, "naam")
    pages = charts.page_count(order)
    pdf = _Page("L")
    made = today.strftime("%d-%m-%Y")
    source = model.period_sources().get(periode, "")
    for page in range(1, pages + 1):
        if page > 1:
            pdf.add_page()
        numbered = f" — pagina {page} van {pages}" if pages > 1 else ""
        pdf.text_line(
            f"Integriteitsmonitor Rijk — rijksbreed beeld {periode}{numbered}", 16, 8, bold=True
        )
        pdf.text_line(
            f"Oordeel per ministerie en norm · oordelen van {source} · gemaakt op {made}", 9, 5
        )
        pdf.text_line(disclosure.NORMS_ONLY_LINE, 8, 4)
        rows = charts.page_of_rows(order, page)
        chart = charts.heatmap(data[data["departement"].isin(rows)], rows)
        png = downloads.chart_png(chart, min_width=2200)
        # Fit the box: a short last page must not be stretched across the width.
        pdf.image(io.BytesIO(png), x=14, y=pdf.get_y() + 2, w=269, h=150, keep_aspect_ratio=True)
        pdf.set_y(-22)
        pdf.text_font(8)
        pdf.multi_cell(0, 4, pdf.safe(charts.LEGEND_TEXT + ". " + SOURCE))
    return bytes(pdf.output())
