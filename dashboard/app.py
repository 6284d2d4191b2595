"""Entry point of the dashboard: page set-up and navigation; each page lives in `screens/`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.queries import DatabaseBusy

PAGES = Path(__file__).parent / "screens"

st.set_page_config(page_title="Integriteitsmonitor Rijk", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "overzicht.py", title="Overzicht", default=True),
        st.Page(PAGES / "ministerie.py", title="Ministerie", url_path="ministerie"),
        st.Page(PAGES / "norm.py", title="Norm", url_path="norm"),
        st.Page(PAGES / "trends.py", title="Trends", url_path="trends"),
        st.Page(PAGES / "enquete.py", title="Enquête", url_path="enquete"),
        st.Page(PAGES / "aanleverstatus.py", title="Aanleverstatus", url_path="aanleverstatus"),
    ]
)
try:
    navigation.run()
except DatabaseBusy:
    st.warning(
        "De database is op dit moment bezet door een ander programma. "
        "Probeer het over enkele seconden opnieuw (herlaad de pagina)."
    )
