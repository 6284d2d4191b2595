"""Entry point of the dashboard: page set-up and navigation; each page lives in `pages/`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Integriteitsmonitor Rijk", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "overzicht.py", title="Overzicht", default=True),
        st.Page(PAGES / "aanleveringen.py", title="Aanleveringen", url_path="aanleveringen"),
    ]
)
navigation.run()
