"""Trends: government-wide share met per onderdeel, and one small chart per ministry."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, view

data = view.data_source()
available = view.require_periods(data)

st.title("Trends")
st.caption(
    "Aandeel voldaan van de beoordeelde normen, met bij elk punt voldaan van beoordeeld. "
    "Niet beoordeeld, onbekend en niet aangeleverd tellen niet mee: ontbreken is geen nul. "
    "Een lijn vergelijkt gelijk met gelijk: ze telt alleen de normen die in élk getoond "
    "kwartaal een oordeel hebben, zodat het aandeel niet verspringt doordat andere normen zijn "
    "beoordeeld. De nulmeting 2023-Q4 is de audit van opzet en bestaan door de Algemene "
    "Rekenkamer; latere kwartalen zijn eigen, niet-geaudite oordelen van de ministeries "
    "(gestippelde lijn in de grafiek)."
)
quarters = sorted(available)
start = st.selectbox(
    "Vanaf kwartaal",
    quarters[:-1] or quarters,
    key="trends_vanaf",
    help="Een later begin neemt normen mee die in de nulmeting onbekend waren (4, 5, 6, 13, 14).",
)

st.subheader("Rijksbreed per onderdeel")
onderdelen = queries.onderdeel_shares(data, start)
view.chart_with_table(
    charts.share_lines(onderdelen, "onderdeel", "Aandeel voldaan"),
    onderdelen,
    "Drie lijnen, één per onderdeel (preventie, detectie, respons), met het rijksbrede aandeel "
    f"voldane normen per kwartaal vanaf {start}, over dezelfde ministeries en normen.",
    key="trend_onderdelen",
)
if not onderdelen.empty:
    left_out = onderdelen.drop_duplicates("onderdeel").set_index("onderdeel")["weggelaten"]
    st.caption(
        "Niet in elk kwartaal beoordeeld en dus weggelaten (ministerie × norm): "
        + ", ".join(f"{o} {int(n)}" for o, n in left_out.items())
        + ". Alle beoordeelde normen per kwartaal staan in de tabel hieronder."
    )
with st.expander("Alle beoordeelde normen per kwartaal (niet gelijk met gelijk)"):
    st.dataframe(queries.onderdeel_quarters(data), hide_index=True, width="stretch")

st.subheader("Per ministerie")
st.caption(
    "Een ministerie dat in juli 2024 ontstond, loopt door via zijn voorganger (EZ en KGG via "
    "EZK, LVVN via LNV); die kwartalen staan als open vierkant. Per ministerie tellen alleen "
    "de normen met een oordeel in elk getoond kwartaal."
)
ministries = queries.ministry_shares(data, start)
ministries, page = view.filtered_and_paged(ministries, "ministerie", "trends")
view.chart_with_table(
    charts.ministry_multiples(page),
    ministries,
    "Kleine lijngrafieken met per ministerie het aandeel voldane normen per kwartaal.",
    key="trend_ministeries",
)
