"""Pieces every page shares: the data version, the period selector, the chart-with-table pattern."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, charts, downloads, links, queries
from dashboard.charts import AltairChart

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data_source() -> tuple[Path, str]:
    """The database path and its current version (the cache key of every query)."""
    path = queries.db_path()
    return path, queries.data_version(path)


def require_periods(path: Path, version: str) -> list[str]:
    """Quarters with data; stops the page with an explanation when there are none."""
    available = queries.periods(path, version)
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


def chart_with_table(chart: AltairChart, table: pd.DataFrame, description: str, key: str) -> None:
    """A chart, its text alternative, the data behind it one click away, and downloads."""
    st.altair_chart(chart, key=key, alt=description)
    with st.expander("Gegevens van deze grafiek als tabel"):
        st.dataframe(table, hide_index=True, width="stretch")
    download_row(table, key, chart)


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


def visible() -> set[str] | None:
    """Organisations whose detail the signed-in user may see; None means all."""
    return auth.visible_codes(auth.current_user())


def restrict(
    frame: pd.DataFrame, column: str = "departement", keep: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Only the rows of organisations the user may see (plus `keep`, e.g. RIJK)."""
    allowed = visible()
    if allowed is None or frame.empty:
        return frame
    return frame[frame[column].isin(allowed | set(keep))]


def restrict_ledger(
    ledger: pd.DataFrame, only: str | None = None, uploader: str | None = None
) -> pd.DataFrame:
    """Load attempts about organisations the user may see (or just `only`), and their own."""
    allowed = {only} if only else visible()
    if allowed is None or ledger.empty:
        return ledger
    concerns = [
        bool(allowed & set(codes.split(","))) or who == uploader
        for codes, who in zip(ledger["Departementen"], ledger["Door"], strict=True)
    ]
    mine = ledger[concerns].copy()
    # A file that also held other organisations shows only the user's own part of that list.
    mine["Departementen"] = [
        ",".join(c for c in codes.split(",") if c in allowed) for codes in mine["Departementen"]
    ]
    return mine


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
