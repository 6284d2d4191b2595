"""Entry point of the dashboard: sign-in, navigation by role; each screen lives in `screens/`."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from dashboard import auth, dutch, queries, view
from dashboard.queries import DatabaseBusy
from dashboard.screens import inloggen
from etl.store.database import database_trouble

SCREENS = Path(__file__).parent / "screens"
BUSY = (
    "De database is op dit moment bezet door een ander programma. "
    "Probeer het over enkele seconden opnieuw (herlaad de pagina)."
)
UNREADABLE = (
    "De database kan op dit moment niet worden gelezen (beschadigd, van een nieuwere versie, "
    "of de schijf is vol). Er is niets gewijzigd. Meld dit bij de beheerder."
)
LOG = logging.getLogger("integriteitsmonitor")
TITLES = {
    "start": "Start",
    "overzicht": "Overzicht",
    "ministerie": "Ministerie",
    "norm": "Norm",
    "trends": "Trends",
    "enquete": "Enquête",
    "werking": "Werking",
    "aanleverstatus": "Aanleverstatus",
    "aanleveren": "Aanleveren",
    "ipim": "IPIM",
    "presentatie": "Presentatie",
    "inloggen": "Inloggen",
}

st.set_page_config(page_title="Integriteitsmonitor Rijk", layout="wide")
# Keyboard focus looks unlike a selected page (an orange ring, not the blue of selection);
# printing drops the menu and toolbar and uses the whole width of the paper.
st.markdown(
    """
    <style>
      a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible,
      [role="button"]:focus-visible, [role="combobox"]:focus-visible, [tabindex]:focus-visible {
        outline: 3px solid #E17000 !important; outline-offset: 2px !important;
      }
      ol.agenda > li { margin-bottom: 0.6rem; }
      /* A static table fits its column, never scrolling sideways (a scrolling region a
         keyboard cannot reach, WCAG 2.1.1): a long word in a cell breaks where it must, and
         in a narrow column (below 760 pixels: 1024 beside the menu) a heading's too; the
         row's name and the first column after it (a survey's statement) stay whole. */
      [data-testid="stTable"] { container-type: inline-size; }
      [data-testid="stTable"] td:not(:first-of-type),
      [data-testid="stTable"] td:not(:first-of-type) * {
        overflow-wrap: anywhere !important;
      }
      @container (max-width: 760px) {
        [data-testid="stTable"] thead th:not(:first-child),
        [data-testid="stTable"] thead th:not(:first-child) * {
          overflow-wrap: anywhere !important;
        }
      }
      ol.agenda a { color: #01689B; }
      @media print {
        [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
        [data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"],
        [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"] {
          display: none !important;
        }
        .block-container, [data-testid="stMainBlockContainer"] {
          max-width: 100% !important; padding: 0 !important;
        }
        [data-testid="stVegaLiteChart"], table, figure { break-inside: avoid; }
      }
    </style>
    """,
    unsafe_allow_html=True,
)


try:
    queries.schema_checked(str(queries.db_path()), queries.data_version(queries.db_path()))
    user = auth.current_user()
except DatabaseBusy:
    st.warning(BUSY)
    st.stop()
except Exception as error:  # a broken, newer, full or unreadable database: say so in Dutch
    if database_trouble(error) is None:
        raise
    LOG.error("database: %s", database_trouble(error))
    st.error(UNREADABLE)
    st.stop()
if user is None:
    # Every address shows the sign-in form, so a link keeps its page and parameters
    # through signing in (instead of a "page not found"). The form at "/" is a page of its
    # own: after signing in there, one lands on one's own first page (a lead on Start).
    keys = ("inloggen", *auth.READ_PAGES, "aanleveren", "start")
    pages = [
        st.Page(lambda: inloggen.render(), title="Inloggen", url_path=key, default=index == 0)
        for index, key in enumerate(keys)
    ]
    navigation = st.navigation(pages, position="hidden")
else:
    # "/" is a page that only forwards to the user's first page, so that every screen has
    # an address of its own to bookmark (Streamlit serves its default page at "/" only).
    mine = {
        key: st.Page(SCREENS / f"{key}.py", title=TITLES[key], url_path=key)
        for key in auth.pages_for(user)
    }
    first = next(iter(mine.values()))
    home = st.Page(lambda: None, title="Begin", url_path="begin", default=True)
    navigation = st.navigation([home, *mine.values()], position="hidden")
    if navigation.url_path == home.url_path:
        # Before anything else renders (the sign-in cookie's frame must survive the run).
        st.switch_page(first, query_params=st.query_params.to_dict())
    with st.sidebar:
        for key, page in mine.items():
            st.page_link(page, label=TITLES[key])
auth.flush_cookie()
with st.sidebar:
    # Dutch for what Streamlit writes itself (see dashboard.dutch); out of the tab order.
    st.iframe(dutch.SCRIPT, height=1, tab_index=-1)
if user is not None:
    with st.sidebar:
        st.caption(f"Ingelogd als **{view.plain(user.username)}** ({auth.role_label(user)})")
        st.caption(auth.figures_line(user))
        st.toggle("Tabellen bij grafieken tonen", key=view.SHOW_TABLES,
                  help="De gegevens van elke grafiek als tabel eronder, op elke "
                  "pagina.")  # fmt: skip
        if st.button("Uitloggen"):
            if auth.sign_out():
                st.stop()  # the browser goes to the provider's sign-out, then back
            st.rerun()
try:
    navigation.run()
except DatabaseBusy:
    st.warning(BUSY)
