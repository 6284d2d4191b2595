"""The meeting pack: one PDF for the IPIM meeting of a quarter, in the order the meeting
runs: the agenda (the points marked for the meeting, or every point when none is marked),
the heatmap, the praatplaat of every ministry on that agenda, and the presentation's slides
(title, the agenda in slides of seven points, a slide per ministry on the agenda).

Streamlit-free: the IPIM page offers it, and the same function can serve the command line.
The papers are the existing ones, joined page by page (pypdf), so the pack says exactly
what each paper says on its own.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
from pypdf import PdfReader, PdfWriter

from dashboard import charts, downloads
from etl.domain import agenda, vocabulary
from etl.reads.readmodel import Access, ReadModel
from papers.agendapaper import agenda_pdf
from papers.praatplaat import Page, government_pdf, ministry_pdf, one_line

PER_SLIDE = 7
# In the worker that builds packs for the dashboard: the papers that do not change
# with a marking, per database file, newest load and reader (see `build`).
_KEPT: OrderedDict[tuple[str, int, Access], Parts] = OrderedDict()


Parts = MutableMapping[tuple[str, ...], bytes]


def meeting_pack(
    model: ReadModel,
    periode: str,
    today: date,
    marked: frozenset[str],
    parts: Parts | None = None,
) -> bytes:
    """The pack for `periode` as `model`'s reader may see it. `parts`: the papers that do not
    depend on the marks (praatplaten, a ministry's slide chart), kept by the caller for as
    long as the data they show stay the same, so a new marking rebuilds only the agenda."""
    memo: Parts = {} if parts is None else parts
    points = model.agenda(periode, today)
    chosen = [p for p in points if p.key in marked] if marked else points
    ministries = list(dict.fromkeys(p.departement for p in chosen))
    day = today.isoformat()

    def once(key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        if key not in memo:
            memo[key] = make()
        return memo[key]

    papers = [
        agenda_pdf(points, periode, today, marked),
        once(("rijk", periode, day), lambda: government_pdf(model, periode, today)),
    ]
    papers += [
        once(("praatplaat", code, periode, day), partial(ministry_pdf, model, code, periode, today))
        for code in ministries
    ]  # fmt: skip
    papers.append(_slides(model, chosen, ministries, periode, today, once))
    joined = PdfWriter()
    for part in papers:
        joined.append(PdfReader(io.BytesIO(part)))
    joined.add_metadata({"/Title": f"Vergaderset IPIM {periode}", "/Lang": "nl"})
    out = io.BytesIO()
    joined.write(out)
    return out.getvalue()


def build(
    path: Path, access: Access, periode: str, today: date, marked: frozenset[str], content: int
) -> bytes:
    """`meeting_pack` in the dashboard's one pack worker (`dashboard.queries`), its papers
    kept between calls for as long as `content` (the newest load) stays the same."""
    key = (str(path), content, access)
    parts = _KEPT.setdefault(key, {})
    _KEPT.move_to_end(key)
    while len(_KEPT) > 4:
        _KEPT.popitem(last=False)
    return meeting_pack(ReadModel(path, access), periode, today, marked, parts)


def _slides(
    model: ReadModel,
    points: list[agenda.Point],
    ministries: list[str],
    periode: str,
    today: date,
    once: Callable[[tuple[str, ...], Callable[[], bytes]], bytes],
) -> bytes:
    """The presentation as landscape slides: large type, one subject a slide."""
    pdf = Page("L")
    pdf.text_line(f"Integriteit bij het Rijk, {periode}", 28, 16, bold=True)
    pdf.text_line(f"IPIM · {len(points)} agendapunten · {len(ministries)} ministeries", 16, 10)
    for start in range(0, len(points), PER_SLIDE):
        pdf.add_page()
        part = start // PER_SLIDE + 1
        total = -(-len(points) // PER_SLIDE)
        pdf.text_line(f"Agenda IPIM {periode} ({part} van {total})", 20, 12, bold=True)
        for number, point in enumerate(points[start : start + PER_SLIDE], start=start + 1):
            norm = agenda.norm_words(point.norm) if point.norm is not None else "algemeen"
            pdf.text_font(12, bold=True)
            pdf.multi_cell(0, 6, pdf.safe(f"{number}. {point.departement} · {norm}"),
                           new_x="LMARGIN", new_y="NEXT")  # fmt: skip
            pdf.text_font(11)
            pdf.multi_cell(0, 5.5, pdf.safe(one_line(point.reden)), new_x="LMARGIN",
                           new_y="NEXT")  # fmt: skip
            pdf.ln(1.5)
    grid = model.norm_grid(periode, today)
    for code in ministries:
        mine = grid[grid["departement"] == code]
        history = model.ministry_history(code)
        if mine.empty or history.empty:
            continue
        pdf.add_page()
        shares = vocabulary.share_met(mine, [])
        share = vocabulary.share_text(
            int(shares["voldaan"].iloc[0]), int(shares["beoordeeld"].iloc[0])
        )
        pdf.text_line(f"{code} · normen voldaan van beoordeeld in {periode}: {share}", 18, 11,
                      bold=True)  # fmt: skip
        png = once(("dia", code, periode, today.isoformat()),
                   partial(_recent_grid_png, history, periode))  # fmt: skip
        pdf.image(io.BytesIO(png), h=160)
        pdf.text_font(9)
        pdf.multi_cell(0, 4.5, pdf.safe(charts.LEGEND_TEXT), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _recent_grid_png(history: pd.DataFrame, periode: str) -> bytes:
    """A ministry's verdicts of its last four quarters up to `periode`, as one picture."""
    recent = sorted(p for p in set(history["periode"]) if p <= periode)[-4:]
    cells = history[history["periode"].isin(recent)]
    cells = cells.assign(normnaam=cells["norm"].astype(str) + ". " + cells["label"],
                         kwartaal=cells["periode"])  # fmt: skip
    chart = charts.state_grid(cells, "kwartaal", "normnaam", "Kwartaal", "Norm")
    return downloads.chart_png(chart, min_width=1000)
