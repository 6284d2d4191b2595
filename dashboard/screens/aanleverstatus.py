"""Aanleverstatus: who submitted what, when, on time or late, and every load attempt."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, view
from etl import vocabulary
from etl.periods import SUBMISSION_DAYS
from etl.vocabulary import OP_TIJD, TE_LAAT

data = view.data_source()
view.require_periods(data)

st.title("Aanleverstatus")
st.caption(
    f"Een kwartaal moet uiterlijk {SUBMISSION_DAYS} dagen na afloop binnen zijn. "
    "Telt vanaf de ontvangstdatum van de eerste versie."
)

status = queries.submission_status(data, view.today())
latest = status[status["periode"] == status["periode"].max()]
a, b, c = st.columns(3)
a.metric("Op tijd (laatste kwartaal)", int((latest["status"] == OP_TIJD).sum()))
b.metric("Te laat", int((latest["status"] == TE_LAAT).sum()))
c.metric(
    "Ontbreekt (termijn verstreken)",
    ", ".join(latest.loc[latest["status"] == vocabulary.NIET_AANGELEVERD, "departement"]) or "geen",
)

st.subheader("Ministeries × kwartalen")
chosen, page = view.filtered_and_paged(status, "departement", "status")
view.chart_with_table(
    charts.status_grid(page),
    chosen,
    "Raster van ministeries en kwartalen met per cel op tijd, te laat, ontbreekt of open.",
    key="status_raster",
)

st.subheader("Alle laadacties")
st.caption("Elke poging, ook geweigerde, met wie, wanneer, welk bestand en de SHA-256.")
st.dataframe(queries.loads(data), hide_index=True, width="stretch")
