"""The dashboard as served: Streamlit's app (`app.py`) with the routes and headers of
`dashboard.web`. `streamlit run dashboard/serve.py` finds the `app` below and serves it."""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from dashboard import web

app = st.App("app.py", routes=web.ROUTES, middleware=[Middleware(web.SecurityHeaders)])
