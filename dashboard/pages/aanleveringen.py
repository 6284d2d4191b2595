"""Aanleveringen: every load attempt, as the ledger records it."""

from __future__ import annotations

import streamlit as st

from dashboard import queries

st.title("Aanleveringen")
st.caption("Elke laadpoging: wie, wanneer, welk bestand (met SHA-256) en met welke uitkomst.")

path = queries.db_path()
history = queries.loads(path, queries.data_version(path))
if history.empty:
    st.info("Er is nog niets geladen.")
else:
    st.dataframe(history, width="stretch", hide_index=True)
