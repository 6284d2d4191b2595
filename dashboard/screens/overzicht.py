"""Overzicht: every ministry's oordeel on the fifteen norms for one quarter, as a heatmap."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, drilldown, links, queries, view
from etl.domain import vocabulary
from etl.domain.periods import submission_deadline
from papers import praatplaat

st.title("Integriteitsmonitor Rijk")
st.caption(
    "Stand van het integriteitsbeleid per ministerie op de vijftien normen van de "
    "Algemene Rekenkamer. Klik op een cel voor het ministerie, of op de rij Rijksbreed "
    "voor de norm."
)

data = view.data_source()
available = view.require_periods(data)
left, right = st.columns([2, 1])
with left:
    periode = view.period_select(available)
with right:
    sort = links.url_select(
        "Sorteer ministeries op",
        ["naam", "score"],
        "sorteer",
        format_func=lambda v: "naam" if v == "naam" else "aandeel voldaan",
    )

today = view.today()
grid = queries.norm_grid(data, periode, today)
names = queries.organisation_names()
status = queries.submission_states(data, periode, today)
visible = grid.drop_duplicates("departement")
missing = visible.loc[visible["staat"] == vocabulary.NIET_AANGELEVERD, "departement"].tolist()
still_open = visible.loc[visible["staat"] == vocabulary.NOG_OPEN, "departement"].tolist()
totals = queries.norm_totals(data, periode, today)
total = totals[totals["norm"] == 0]


def _listed(codes: list[str]) -> str:
    return (", ".join(codes) if len(codes) <= 6 else f"{len(codes)} organisaties") or "geen"


met, judged = int(total["voldaan"].iloc[0]), int(total["beoordeeld"].iloc[0])
first, second, third, fourth = st.columns([0.8, 1.3, 1, 1])
first.metric("Aangeleverd", f"{int(status['aangeleverd'].sum())} van {len(status)}")
second.metric(
    "Normen voldaan, van beoordeeld",
    f"{met}/{judged} ({round(100 * met / judged)}%)" if judged else "–",
    help="Voldaan gedeeld door de beoordeelde normen; niet beoordeeld, onbekend en niet "
    "aangeleverd tellen niet mee.",
)
third.metric("Niet aangeleverd (termijn verstreken)", _listed(missing))
fourth.metric(
    f"Nog open (termijn tot {submission_deadline(periode):%d-%m-%Y})", _listed(still_open)
)

source = queries.period_sources(data).get(periode, "")
st.subheader(f"Oordeel per ministerie en norm, {periode}")
if source:
    st.caption(f"Oordelen van {periode}: {source}. {view.source_note(source)}")
cells = charts.heatmap_data(grid, totals[totals["norm"] > 0])
# Hundreds of organisations (all municipalities, say): filter by kind, search, and page.
wanted = view.organisation_filter(visible[["departement", "naam", "soort"]], "overzicht")
cells = cells[cells["departement"].isin(set(wanted) | {charts.GOVERNMENT_ROW})]
rows = view.page_select(charts.row_order(cells, sort), "overzicht_pagina")
heatmap = charts.heatmap(cells[cells["departement"].isin(rows)], rows)
event = st.altair_chart(
    heatmap,
    key="heatmap",
    on_select="rerun",
    selection_mode="cel",
    alt=(
        f"Heatmap van {len(status)} ministeries en 15 normen in {periode}; "
        "dezelfde gegevens staan in de tabel onder de grafiek."
    ),
)
st.caption(charts.LEGEND_TEXT)
st.caption(
    "Rij Rijksbreed: hoeveel ministeries voldoen, van de ministeries met een oordeel op die "
    "norm. Kolom Voldaan: het aandeel voldane normen van de beoordeelde normen."
)
target = drilldown.target_for(event.get("selection") if event else None, periode)
if target is not None:
    st.switch_page(target.page, query_params=target.params)

# The same drill-down without a mouse: choose, then follow a real link (Tab, Enter).
by_keyboard, by_norm = st.columns(2)
with by_keyboard:
    code = st.selectbox(
        "Ministerie openen",
        visible["departement"].tolist(),
        format_func=lambda c: f"{c} — {names.get(c, c)}",
    )
    st.page_link(
        drilldown.MINISTRY_PAGE,
        label=f"Open {code}",
        icon=":material/arrow_forward:",
        query_params={"periode": periode, "ministerie": code},
    )
with by_norm:
    norms = queries.norms_frame().set_index("norm")["label"]
    norm = st.selectbox(
        "Norm openen", norms.index.tolist(), format_func=lambda n: f"{n}. {norms[n]}"
    )
    st.page_link(
        drilldown.NORM_PAGE,
        label=f"Naar norm {norm}",
        query_params={"periode": periode, "norm": str(norm)},
    )

table = view.cells_table(grid)
with st.expander("Gegevens van deze grafiek als tabel"):
    st.dataframe(table, hide_index=True, width="stretch")
view.download_row(table, f"heatmap-{periode}", heatmap)
st.download_button(
    "Rijksbreed beeld (PDF)",
    lambda: praatplaat.government_pdf(data.model(), periode, today),
    file_name=f"rijksbreed-{periode}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
)
