"""Aanleverstatus: who submitted what, when, on time or late, and every load attempt."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, charts, queries, view
from etl import reminders
from etl.domain import vocabulary
from etl.domain.kinds import KINDS
from etl.domain.periods import SUBMISSION_DAYS, due_quarters
from etl.domain.vocabulary import OP_TIJD, TE_LAAT
from etl.settings import settings
from etl.store import accounts

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


user = auth.current_user()
if user is not None and auth.may(user, "herinneren"):
    st.subheader("Herinneren")
    today = view.today()
    periode = str(st.selectbox("Kwartaal", due_quarters(today), key="herinner_periode"))
    planned = reminders.plan(queries.due(data, periode, today), accounts.list_users(data.path),
                             periode, today)  # fmt: skip
    if not planned:
        st.success(f"Iedereen heeft over {periode} alles aangeleverd.")
    else:
        words: dict[str, str] = {k: spec.words for k, spec in KINDS.items()}
        st.dataframe(
            pd.DataFrame([{"organisatie": r.departement,
                           "ontbreekt": "; ".join(words.get(k, k) for k in r.missing),
                           "aan": ", ".join(r.recipients) or "geen e-mailadres bij de accounts"}
                          for r in planned]),
            hide_index=True, width="stretch",
        )  # fmt: skip
        config = settings()
        shown = st.selectbox("Voorbeeld van de herinnering aan", [r.departement for r in planned])
        example = next(r for r in planned if r.departement == shown)
        # Read-only text at full contrast (a disabled text area is grey: 2.8:1).
        with st.container(border=True):
            st.markdown(f"**Onderwerp:** {view.plain(example.subject)}")
            st.text(example.body)
        if config.smtp_server:
            if st.button(f"Herinneringen versturen ({len(planned)})", type="primary"):
                outcomes = reminders.remind(data.path, planned, user.username, config)
                st.session_state["herinnerd"] = [outcome.line for outcome in outcomes]
                st.rerun()
        else:
            st.info(
                "Er is geen mailserver ingesteld (INTEGRITEIT_SMTP_SERVER): kopieer de tekst "
                "hierboven naar uw eigen e-mail. Met een mailserver verstuurt deze pagina de "
                "herinneringen en legt ze vast."
            )
    for line in st.session_state.pop("herinnerd", []):
        st.write(view.plain(line))
    sent = queries.reminders(data)
    if not sent.empty:
        st.caption("Verstuurde herinneringen (elke poging, met wie en wanneer):")
        st.dataframe(sent, hide_index=True, width="stretch")

st.subheader("Alle laadacties")
st.caption("Elke poging, ook geweigerde, met wie, wanneer, welk bestand en de SHA-256.")
st.dataframe(queries.loads(data), hide_index=True, width="stretch")
