"""Presentatie: the IPIM projector view: large type, no sidebar, heatmap, a ministry a slide.

Keyboard: PageDown / PageUp (what a presenter's clicker sends) step through the slides;
the slide number lives in the URL, so a link opens the same slide.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, drilldown, links, queries, view
from etl.domain import normgrid, vocabulary

st.markdown(
    """
    <style>
      [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
      .block-container { max-width: 100%; padding-top: 1.5rem; }
      .block-container p, .block-container li { font-size: 1.35rem; }
      [data-testid="stMetricValue"] { font-size: 3rem; }
    </style>
    """,
    unsafe_allow_html=True,
)

data = view.data_source()
available = view.require_periods(data)
periode = links.url_select("Periode", available, "periode")
today = view.today()
grid = queries.norm_grid(data, periode, today)
codes = sorted(grid["departement"].unique(), key=str.lower)
points = queries.agenda(data, periode, today)
# The agenda in slides of a readable size, after the overview and before the ministries.
PER_SLIDE = 7
agenda_slides = [f"agenda:{start}" for start in range(0, len(points), PER_SLIDE)]
slides = ["overzicht", *agenda_slides, *codes]
wanted = st.query_params.get("stap", "0")
step = min(max(int(wanted) if wanted.isdigit() else 0, 0), len(slides) - 1)

back, position, forward, leave = st.columns([1, 2, 1, 1])
if back.button("← Vorige", shortcut="PageUp", disabled=step == 0, width="stretch"):
    st.query_params["stap"] = str(step - 1)
    st.rerun()
position.markdown(f"**Dia {step + 1} van {len(slides)}** · PageDown/PageUp om te bladeren")
if forward.button(
    "Volgende →", shortcut="PageDown", disabled=step == len(slides) - 1, width="stretch"
):
    st.query_params["stap"] = str(step + 1)
    st.rerun()
leave.page_link("screens/overzicht.py", label="Presentatie verlaten", icon=":material/close:")

if slides[step] == "overzicht":
    st.title(f"Integriteit bij het Rijk, {periode}")
    source = queries.period_sources(data).get(periode, "")
    if source:
        st.markdown(f"Oordelen van {periode}: **{source}**. {view.source_note(source)}")
    totals = queries.norm_totals(data, periode, today)
    cells = charts.heatmap_data(grid, totals[totals["norm"] > 0])
    st.altair_chart(
        charts.heatmap(cells, charts.row_order(cells, "naam")),
        alt=f"Heatmap van alle ministeries en de vijftien normen in {periode}.",
    )
    st.caption(charts.LEGEND_TEXT)
elif slides[step].startswith("agenda:"):
    start = int(slides[step].split(":")[1])
    part = agenda_slides.index(slides[step]) + 1
    st.title(f"Agenda IPIM {periode} ({part} van {len(agenda_slides)})")
    st.markdown(view.agenda_items(points[start : start + PER_SLIDE], peers=4, link=False))
    st.caption("Het urgentste eerst; redenen en voorbeelden ook op de pagina IPIM.")
else:
    code = slides[step]
    mine = grid[grid["departement"] == code]
    st.title(queries.organisation_names().get(code, code))
    total = vocabulary.share_met(mine, [])
    first, second, third = st.columns(3)
    first.metric(
        "Normen voldaan (van beoordeeld)",
        vocabulary.share_text(int(total["voldaan"].iloc[0]), int(total["beoordeeld"].iloc[0])),
    )
    second.metric("Beter dan het laatste oordeel", len(normgrid.improvements(mine)))
    third.metric("Achteruit (incl. niet meer beoordeeld)", len(normgrid.regressions(mine)))
    history = queries.ministry_history(data, code)
    # The four quarters up to the chosen one, not the newest four.
    recent = sorted(p for p in set(history["periode"]) if p <= periode)[-4:]
    cells = history[history["periode"].isin(recent)]
    cells = cells.assign(
        normnaam=cells["norm"].astype(str) + ". " + cells["label"],
        kwartaal=view.quarter_labels(cells, "door"),
    )
    st.altair_chart(
        charts.state_grid(cells, "kwartaal", "normnaam", "Kwartaal", "Norm"),
        alt=f"Oordeel van {code} per norm in de laatste vier kwartalen.",
    )
    st.caption(charts.LEGEND_TEXT)
    st.page_link(
        drilldown.MINISTRY_PAGE,
        label=f"Details van {code}",
        query_params={"periode": periode, "ministerie": code},
    )
