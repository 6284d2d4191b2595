"""Pieces every page shares: the data version, the period selector, the chart-with-table pattern."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import auth, charts, downloads, links, queries
from dashboard.charts import AltairChart
from etl.domain import agenda, catalog, vocabulary
from etl.domain.periods import quarter_of
from etl.reads import policy
from etl.reads.readmodel import Access
from etl.settings import settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data_source() -> queries.Data:
    """The database, its current version (the cache key of every query) and what the
    signed-in user may see: every read of a page goes through this handle."""
    return queries.data_for(queries.db_path(), access())


def access() -> Access:
    """What the signed-in user may see, for the read model."""
    return policy.access_for(auth.current_user(), auth.others_visible())


def today() -> date:
    """The date deadlines are judged against (`etl.settings`: `$INTEGRITEIT_VANDAAG` when set,
    for a demonstration or a test of a given day, else the real date)."""
    return settings().today_or_real()


def require_periods(data: queries.Data) -> list[str]:
    """Quarters with data; stops the page with an explanation when there are none."""
    available = queries.periods(data)
    if not available:
        st.info(
            "Er zijn nog geen normscores geladen. Laad bestanden met "
            "`python -m etl load sample_submissions/`."
        )
        st.stop()
    return available


def period_select(available: list[str]) -> str:
    """The quarter selector, newest first, bound to `?periode=`."""
    return links.url_select("Periode", available, "periode")


# The sidebar's switch "Tabellen bij grafieken tonen": every chart's table shown under it,
# on every page (for a screen reader, a print, or a reader who prefers numbers).
SHOW_TABLES = "tabellen_tonen"


def chart_with_table(chart: AltairChart, table: pd.DataFrame, description: str, key: str) -> None:
    """A chart, its text alternative, the data behind it one click away, and downloads.
    The table is made when its expander opens (a closed expander's grid was still built
    in the browser: eight on Enquête), or under every chart with the sidebar's switch."""
    st.altair_chart(chart, key=key, alt=description)
    if st.session_state.get(SHOW_TABLES):
        st.dataframe(table, hide_index=True, width="stretch")
    else:
        box = lazy_expander("Gegevens van deze grafiek als tabel", f"{key}_tabel_open")
        if box is not None:
            with box:
                st.dataframe(table, hide_index=True, width="stretch")
    download_row(table, key, chart)


def table(frame: pd.DataFrame, name: str) -> None:
    """A table with the dashboard's own (neutralised) downloads under it."""
    st.dataframe(frame, hide_index=True, width="stretch")
    download_row(frame, name)


def download_row(table: pd.DataFrame, name: str, chart: AltairChart | None = None) -> None:
    """Buttons for the chart (PNG, SVG) and its data (CSV, CSV for Dutch Excel, Excel).

    Files are made only when clicked (Streamlit calls the function then), so a page with
    many charts stays fast.
    """
    files: list[tuple[str, Callable[[], bytes | str], str, str]] = []
    if chart is not None:
        files += [
            ("PNG", lambda: downloads.chart_png(chart), f"{name}.png", "image/png"),
            ("SVG", lambda: downloads.chart_svg(chart), f"{name}.svg", "image/svg+xml"),
        ]
    files += [
        ("CSV", lambda: downloads.csv_utf8(table), f"{name}.csv", "text/csv"),
        ("CSV (Excel NL)", lambda: downloads.csv_excel_nl(table), f"{name}-excel.csv", "text/csv"),
        ("Excel", lambda: downloads.xlsx(table), f"{name}.xlsx", XLSX),
    ]
    columns = st.columns(len(files) + 1)
    columns[0].caption("Downloaden:")
    for column, (label, make, file_name, mime) in zip(columns[1:], files, strict=True):
        column.download_button(
            label, make, file_name=file_name, mime=mime, key=f"{name}_{label}", on_click="ignore"
        )


def visible() -> frozenset[str] | None:
    """Organisations whose detail the signed-in user may see; None means all."""
    return auth.visible_codes(auth.current_user())


def organisation_filter(organisations: pd.DataFrame, key: str) -> list[str]:
    """Codes to show: with several kinds or more than a page of organisations (all
    municipalities, say), filtered by kind and by a search in code or name.

    `organisations` has the columns departement, naam and soort, in the order to show.
    """
    kinds = sorted(set(organisations["soort"]))
    if len(kinds) <= 1 and len(organisations) <= charts.PAGE_SIZE:
        return organisations["departement"].tolist()
    by_kind, by_text = st.columns([2, 1])
    chosen = by_kind.multiselect("Soort organisatie", kinds, default=kinds, key=f"{key}_soort")
    search = by_text.text_input("Zoeken (code of naam)", key=f"{key}_zoeken").strip().lower()
    found = organisations["departement"].str.lower().str.contains(search, regex=False) | (
        organisations["naam"].str.lower().str.contains(search, regex=False)
    )
    return organisations.loc[organisations["soort"].isin(chosen) & found, "departement"].tolist()


def page_select(order: list[str], key: str) -> list[str]:
    """One page of rows (the government-wide row last on every page), with a page selector
    when there is more than one page."""
    pages = charts.page_count(order)
    page = 1
    if pages > 1:
        page = st.selectbox(
            "Pagina", range(1, pages + 1), format_func=lambda p: f"{p} van {pages}", key=key
        )
    return charts.page_of_rows(order, page)


def filtered_and_paged(
    frame: pd.DataFrame, column: str, key: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of the organisations the filter keeps (for the table and downloads), and the rows
    on the chosen page (for the chart). `column` holds the organisation code."""
    codes = list(dict.fromkeys(frame[column]))
    wanted = organisation_filter(queries.organisations_frame(codes), key)
    kept = frame[frame[column].isin(wanted)]
    page = page_select(wanted, f"{key}_pagina")
    return kept, kept[kept[column].isin(page)]


def cells_table(cells: pd.DataFrame) -> pd.DataFrame:
    """Grid cells as the table under a chart: the oordeel in full words, the change against
    the last judged verdict, who judged, the toelichting."""
    return pd.DataFrame(
        {
            "code": cells["departement"],
            "naam": cells["naam"],
            "periode": cells["periode"],
            "norm": cells["norm"],
            "norm (kort)": cells["label"],
            "onderdeel": cells["onderdeel"],
            "oordeel": cells["staat"].map(vocabulary.LONG_LABELS),
            "sinds laatste oordeel": charts.change_texts(cells).where(cells["aangeleverd"], ""),
            "oordeel van": cells["bron"].map(lambda b: catalog.source_names().get(b, b)),
            "toelichting": cells["toelichting"],
        }
    )


def source_note(source: str) -> str:
    """What an assessor's judgement is, in the Court's terms."""
    if "Rekenkamer" in source and "zelf" not in source:
        return "Dit is de audit van opzet en bestaan door de Algemene Rekenkamer (nulmeting)."
    if "Rekenkamer" in source:
        return "Deels de audit van de Algemene Rekenkamer, deels eigen oordelen."
    return (
        "Dit zijn de eigen, niet-geaudite oordelen van de ministeries; de nulmeting van 2023 "
        "is de audit van opzet en bestaan door de Algemene Rekenkamer."
    )


def like_for_like_table(same: pd.DataFrame) -> pd.DataFrame:
    """`normgrid.like_for_like` in words: 'x van y (z%)' at both ends, on which norms."""
    if same.empty:
        return pd.DataFrame(columns=["onderdeel", "begin", "eind", "normen", "weggelaten"])
    return pd.DataFrame(
        {
            "onderdeel": same["onderdeel"],
            "begin": [
                vocabulary.share_text(int(m), int(n))
                for m, n in zip(same["voldaan_begin"], same["vergelijkbaar"], strict=True)
            ],
            "eind": [
                vocabulary.share_text(int(m), int(n))
                for m, n in zip(same["voldaan_eind"], same["vergelijkbaar"], strict=True)
            ],
            "vergeleken normen": same["normen"],
            "weggelaten (in een van beide niet beoordeeld of onbekend)": same["weggelaten"],
        }
    )


def _who(codes: pd.Series) -> str:
    return ", ".join(str(c) for c in codes) or "geen"


def state_lists(cells: pd.DataFrame) -> str:
    """Markdown: who meets, meets partly, does not meet, and who has no verdict (and why).
    Only catalogue codes and state words: no submitted text is rendered as Markdown."""
    lines = []
    for state in (*vocabulary.JUDGED[::-1], vocabulary.NIET_BEOORDEELD, vocabulary.ONBEKEND,
                  vocabulary.NIET_AANGELEVERD, vocabulary.NOG_OPEN):  # fmt: skip
        chosen = cells.loc[cells["staat"] == state, "departement"]
        if len(chosen) or state in vocabulary.JUDGED:
            lines.append(f"- **{vocabulary.LONG_LABELS[state]}** ({len(chosen)}): {_who(chosen)}")
    return "\n".join(lines)


def change_list(cells: pd.DataFrame) -> str:
    """Markdown: per organisation its last judged verdict, its verdict now, and the change."""
    lines = []
    for row in cells.to_dict("records"):
        score = row["vorige_score"]
        state = vocabulary.STATE_OF_SCORE.get(int(score)) if pd.notna(score) else None
        before = vocabulary.LONG_LABELS[state] if state else "geen eerder oordeel"
        change = vocabulary.change_text(row["wijziging"], bool(row["niet_meer_beoordeeld"]))
        lines.append(
            f"- **{row['departement']}**: {before} ({row['vorige_periode']}) → "
            f"{vocabulary.LONG_LABELS[row['staat']]}: {change}"
        )
    return "\n".join(lines)


def quarter_labels(cells: pd.DataFrame, by: str | None = None) -> list[str]:
    """Axis labels that say who judged a quarter: '2023-Q4 (audit AR)' for the Court's
    baseline, the predecessor's code for its quarters ('2024-Q2 (EZK)'), or both."""
    labels = []
    for row in cells.to_dict("records"):
        notes = []
        if by is not None and row.get("via_voorganger"):
            notes.append(str(row[by]))
        if row.get("bron") == vocabulary.BRON_AUDIT:
            notes.append("audit AR")
        labels.append(str(row["periode"]) + (f" ({', '.join(notes)})" if notes else ""))
    return labels


def visible_organisations(periode: str) -> list[str]:
    """Codes of the organisations of the quarter whose detail the user may see."""
    allowed = access()
    codes = queries.organisations_in(periode)["departement"]
    return [code for code in codes if allowed.allows(code)]


def no_organisation_note(periode: str) -> str:
    """Why the ministry page has nothing to show to this user in this quarter."""
    own = access().visible or frozenset()
    parts = []
    for code in sorted(own):
        organisation = catalog.organisations_by_code().get(code.upper())
        if organisation is not None and organisation.geldig_tot is not None:
            parts.append(
                f"{code} bestaat na {organisation.geldig_tot:%d-%m-%Y} niet meer; kies een "
                f"kwartaal tot en met {quarter_of(organisation.geldig_tot)} om de gegevens "
                "te zien."
            )
    return " ".join(parts) or f"Er is in {periode} geen organisatie die u mag inzien."


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def agenda_items(
    points: list[agenda.Point],
    peers: int = 5,
    link: bool = True,
    marked: frozenset[str] = frozenset(),
) -> str:
    """Agenda points as a Markdown list (the presentation's slides): the norm in words, the
    reason, whether it is marked for the meeting, and who meets the norm in the quarter."""
    lines = []
    for point in points:
        lines.append("- " + _point_text(point, marked, peers))
    return "\n".join(lines)


def _point_text(point: agenda.Point, marked: frozenset[str], peers: int) -> str:
    # The reason names the norm in words; the head gives its number only.
    norm = f"norm {point.norm}" if point.norm is not None else "algemeen"
    star = "**★ Op de vergadering** · " if point.key in marked else ""
    line = f"{star}**{plain(point.departement)}** · {norm} — {plain(point.reden)}"
    if point.peers:
        shown = point.peers[:peers]
        examples = ", ".join(f"{p.departement} (sinds {p.sinds})" for p in shown)
        line += f"  \n  Voldoen wel: {plain(examples)}"
        if len(point.peers) > len(shown):
            line += f"  \n  en nog {len(point.peers) - len(shown)}"
    return line


# The open state of the IPIM page's marking form (an expander whose checkboxes are made
# only when it is open), and of its other expanders that are made only when open.
AGENDA_MARKING_OPEN = "agenda_markeren_open"
AGREEMENT_FORM_OPEN = "afspraak_vastleggen_open"
AGREEMENT_STATUS_OPEN = "afspraakstatus_open"
COORDINATION_HISTORY_OPEN = "coordinatie_geschiedenis_open"
COORDINATION_FORM_OPEN = "coordinatie_vastleggen_open"
IPIM_EXPANDERS = (AGENDA_MARKING_OPEN, AGREEMENT_FORM_OPEN, AGREEMENT_STATUS_OPEN,
                  COORDINATION_HISTORY_OPEN, COORDINATION_FORM_OPEN)  # fmt: skip


def lazy_expander(label: str, key: str, icon: str | None = None) -> DeltaGenerator | None:
    """An expander whose content is made only while it is open: the container to fill, or
    None while closed. Streamlit draws a closed expander's content too; IPIM's forms and
    histories were half the page's elements on every visit (issue 23). The label must stay
    the same: Streamlit takes a changed label for a new expander (which closed the marking
    form after every marking)."""
    box = st.expander(label, key=key, on_change="rerun", icon=icon)
    return box if box.open else None


def agenda_list(points: list[agenda.Point], marked: frozenset[str], first: int) -> None:
    """Agenda points on the IPIM page as one numbered list (from `first`): each point, its
    rank and the reason for it, how peers meet the norm in their own words, and a link
    that opens the page in this tab. One element for the list, not two per point: 82
    points as 164 elements took the browser a second to draw (issue 23)."""
    items = "".join(_point_html(point, marked, number)
                    for number, point in enumerate(points, start=first))  # fmt: skip
    st.html(f'<ol class="agenda" start="{first}">{items}</ol>')


def _point_html(point: agenda.Point, marked: frozenset[str], number: int) -> str:
    """An agenda point as an HTML list item, its peers in their own words; every text
    escaped (submitted text shows as typed). The link is relative, so it works under a
    server's base path too."""
    e = html.escape
    norm = f"norm {point.norm}" if point.norm is not None else "algemeen"
    star = "<strong>★ Op de vergadering</strong> · " if point.key in marked else ""
    item = (f"{star}<strong>{e(point.departement)}</strong> · {norm} — {e(point.reden)}"
            f"<br><em>Plaats: {e(point.rank_reason)}.</em>")  # fmt: skip
    if point.peers:
        shown = point.peers[:5]
        examples = [
            f"<li>{e(p.departement)} (voldoet in {e(p.kwartaal or p.sinds)}, sinds "
            f"{e(p.sinds)}): {e(' '.join(p.toelichting.split())) or 'geen toelichting'}</li>"
            for p in shown
        ]
        if len(point.peers) > len(shown):
            examples.append(f"<li>en nog {len(point.peers) - len(shown)}</li>")
        item += "<br>Voldoen wel, zo:<ul>" + "".join(examples) + "</ul>"
    else:
        item += "<br>"
    subject = f"{point.departement}, {norm}"
    item += (f'<a href="{e(point.link.lstrip("/"))}" target="_self" '
             f'aria-label="Bekijken: {e(subject)}">Bekijken →</a>')  # fmt: skip
    return f'<li value="{number}">{item}</li>'


def plain(text: str) -> str:
    """Text from a submission (a file name, a finding quoting a cell) for an element that
    renders Markdown: every Markdown character escaped, so it shows as typed and never
    becomes a link, an image fetched by every viewer, or a heading."""
    return _MARKDOWN.sub(r"\\\1", text)
