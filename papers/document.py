"""One accessible document, two forms: an HTML file and the tagged PDF made from it.

The HTML is the source: headings in order, tables with header cells and a caption, every
chart a figure whose image has a text alternative. WeasyPrint renders it to PDF/UA-1: the
document language, title, structure tree (reading order), table headers, figures with
their alternative and bookmarks from the headings all come from the HTML, so the PDF and
the HTML say the same (WCAG 2.1 AA for the web page; PDF/UA for the PDF).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import Any

from dashboard.downloads import chart_svg
from etl.reads.export import printable

# Rijkshuisstijl (NL Design System, Rijksoverheid theme): lintblauw, donkerblauw tekst.
CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-right { content: "pagina " counter(page) " van " counter(pages);
                        font: 8pt "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
                        color: #4d4d4d; } }
html { font: 10pt/1.45 "Liberation Sans", "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; }
body { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
header.lint { background: #154273; color: #ffffff; padding: 0.6rem 1rem; margin: 0 -1rem 1rem; }
header.lint p { margin: 0; font-size: 9pt; }
h1 { color: #154273; font-size: 19pt; margin: 0.4rem 0; }
h2 { color: #154273; font-size: 14pt; margin: 1.4rem 0 0.4rem; break-after: avoid; }
h3 { color: #154273; font-size: 11pt; margin: 1rem 0 0.3rem; break-after: avoid; }
p.meta, p.note { color: #4d4d4d; font-size: 8.5pt; }
/* A table split over pages becomes two tables in the PDF's structure: keep each whole. */
table { border-collapse: collapse; width: 100%; margin: 0.4rem 0 0.8rem; font-size: 8.5pt;
        break-inside: avoid; }
div.table { break-inside: avoid; }
caption { break-after: avoid; text-align: left; font-weight: bold; padding: 0.2rem 0;
          color: #1a1a1a; }
th, td { border: 1px solid #b4b4b4; padding: 0.2rem 0.35rem; text-align: left;
         vertical-align: top; }
thead th { background: #dce3ea; }
td.n, th.n { text-align: right; }
tr { break-inside: avoid; }
figure { margin: 0.6rem 0; break-inside: avoid; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #4d4d4d; }
ul.actions li { margin-bottom: 0.2rem; }
"""


def text(value: object) -> str:
    """Any value as escaped HTML text, never cut off."""
    return escape(" ".join(printable(str(value)).split()))


def table(
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    numeric: Sequence[int] = (),
    row_headers: bool = True,
) -> str:
    """A table with a caption and header cells (column headers; with `row_headers` the
    first cell of each row heads its row), as screen readers and PDF/UA need."""
    head = "".join(
        f'<th scope="col"{" class=n" if i in numeric else ""}>{text(h)}</th>'
        for i, h in enumerate(header)
    )
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            align = ' class="n"' if i in numeric else ""
            if i == 0 and row_headers:
                cells.append(f'<th scope="row"{align}>{text(value)}</th>')
            else:
                cells.append(f"<td{align}>{text(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table"><table><caption>{text(caption)}</caption><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def figure(chart: Any, alternative: str, caption: str) -> str:
    """An Altair chart as an SVG image with its text alternative, and a visible caption."""
    svg = chart_svg(chart)  # submitted text made printable first (valid XML)
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode()
    return (
        f'<figure><img src="{source}" alt="{text(alternative)}">'
        f"<figcaption>{text(caption)}</figcaption></figure>"
    )


def page(title: str, body: str) -> str:
    """A whole HTML document in Dutch, with its styles inside (one file to publish)."""
    return (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{text(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def pdf(html: str) -> bytes:
    """The tagged PDF (PDF/UA-1) of the document."""
    import weasyprint  # imported when a PDF is made: the HTML form needs none of it

    document = weasyprint.HTML(string=html)
    result: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return result
