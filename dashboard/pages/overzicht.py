"""Overzicht: every ministry's oordeel on the fifteen norms for one quarter."""

from __future__ import annotations

import streamlit as st

from dashboard import queries

st.title("Integriteitsmonitor Rijk")
st.caption(
    "Stand van het integriteitsbeleid per ministerie op de vijftien normen van de "
    "Algemene Rekenkamer."
)

path = queries.db_path()
version = queries.data_version(path)
available = queries.periods(path, version)
if not available:
    st.info(
        "Er zijn nog geen normscores geladen. Laad bestanden met "
        "`python -m etl load sample_submissions/`."
    )
    st.stop()

periode = st.selectbox("Periode", available, index=0)
scores = queries.norm_scores(path, version, periode)
status = scores.drop_duplicates("departement")
submitted = int(status["aangeleverd"].sum())

left, middle, right = st.columns(3)
left.metric("Aangeleverd", f"{submitted} van {len(status)}")
met = scores["oordeel"].eq("voldoet").sum()
judged = scores["score"].notna().sum()
middle.metric("Normen voldaan", f"{met} van {judged} beoordeeld")
missing = ", ".join(status.loc[~status["aangeleverd"], "departement"]) or "geen"
right.metric("Niet aangeleverd", missing)

st.subheader(f"Oordeel per ministerie en norm, {periode}")
st.dataframe(queries.oordeel_matrix(scores), width="stretch")
