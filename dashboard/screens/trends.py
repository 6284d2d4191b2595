"""Trends: government-wide share met per pillar, and one small chart per ministry."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, view

path, version = view.data_source()
view.require_periods(path, version)

st.title("Trends")
st.caption(
    "Aandeel van de beoordeelde normen dat voldoet. Niet beoordeelde en niet aangeleverde "
    "normen tellen niet mee: ontbreken is geen nul."
)

st.subheader("Rijksbreed per pijler")
pillars = queries.pillar_shares(path, version)
view.chart_with_table(
    charts.share_lines(pillars, "pijler", "Aandeel voldaan"),
    pillars,
    "Drie lijnen, één per pijler (preventie, detectie, respons), met het rijksbrede aandeel "
    "voldane normen per kwartaal.",
    key="trend_pijlers",
)

st.subheader("Per ministerie")
st.caption(
    "Een ministerie dat in juli 2024 ontstond, loopt door via zijn voorganger (EZ en KGG via "
    "EZK, LVVN via LNV); die kwartalen staan als open vierkant."
)
ministries = view.restrict(queries.ministry_shares(path, version), column="ministerie")
ministries, page = view.filtered_and_paged(ministries, "ministerie", "trends")
view.chart_with_table(
    charts.ministry_multiples(page),
    ministries,
    "Kleine lijngrafieken met per ministerie het aandeel voldane normen per kwartaal.",
    key="trend_ministeries",
)
