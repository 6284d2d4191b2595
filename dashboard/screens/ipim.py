"""IPIM: the agenda of a quarter and the agreements that carry the conversation.

The coordinator records agreements (a new one, or a new version of one); a department's
lead updates the status and toelichting of its own; readers read. Every change goes
through the same validation, findings, single writer, archive and ledger as a file.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import auth, queries, tables, view
from dashboard.agendapaper import agenda_pdf
from etl import catalog
from etl.accounts import COORDINATOR
from etl.agenda import SIGNALS
from etl.export import to_csv
from etl.load import Source, load_sources
from etl.vocabulary import AGREEMENT_STATES

data = view.data_source()
available = view.require_periods(data)
user = auth.current_user()

left, right = st.columns([2, 1])
with right:
    periode = view.period_select(available)
with left:
    st.title("IPIM")
st.caption(
    "De punten die het gesprek nodig hebben, met hun reden; de afspraken die BZK en de "
    "ministeries daarover maakten, en hoe ze zijn opgevolgd."
)

points = queries.agenda(data, periode, view.today())
st.subheader(f"Agenda {periode}")
st.download_button(
    "Agenda als vergaderstuk (PDF)",
    lambda: agenda_pdf(points, periode, view.today()),
    file_name=f"agenda-ipim-{periode}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
)
st.caption(
    "Het urgentste eerst. Oordelen worden vergeleken met het laatste oordeel (niet beoordeeld "
    "telt niet als oordeel); 'op rij' telt beoordeelde kwartalen, de audit van de Algemene "
    "Rekenkamer (2023) en latere zelfevaluaties samen. 'Voldoen wel (sinds)': de organisaties "
    "waarvan het laatste oordeel op deze norm voldoet, met het eerste kwartaal van hun "
    "onafgebroken reeks oordelen 'voldoet'."
)
if not points:
    st.write("Geen signalen voor dit kwartaal.")
for kind, name in SIGNALS.items():
    mine = [p for p in points if p.soort == kind]
    if mine:
        st.markdown(f"**{name}** ({len(mine)})")
        st.markdown(view.agenda_items(mine))

st.subheader("Afspraken")
# The outcome of the last save, shown here (the form's expander closes on the rerun).
outcome = st.session_state.pop("afspraak_resultaat", None)
if outcome is not None:
    saved, message, findings = outcome
    if saved:
        st.success(view.plain(message))
    else:
        st.error("Niet opgeslagen:")
        st.table(findings)
current = queries.agreements(data)
if current.empty:
    st.write("Er zijn nog geen afspraken vastgelegd.")
else:
    a, b, c = st.columns(3)
    codes = a.multiselect("Organisatie", sorted(current["departement"].unique()))
    states = b.multiselect("Status", list(AGREEMENT_STATES))
    norms = c.multiselect("Norm", sorted(int(n) for n in current["norm"].dropna().unique()))
    shown = current
    if codes:
        shown = shown[shown["departement"].isin(codes)]
    if states:
        shown = shown[shown["status"].isin(states)]
    if norms:
        shown = shown[shown["norm"].isin(norms)]
    view.table(shown.drop(columns=["bestand"]), "afspraken")
    keys = [f"{d}/{i}" for d, i in zip(current["departement"], current["id"], strict=True)]
    chosen = st.selectbox("Geschiedenis van afspraak", keys, index=None,
                          placeholder="Kies een afspraak")  # fmt: skip
    if chosen:
        code, key = chosen.split("/", 1)
        history = queries.agreements(data, history=True)
        versions = history[(history["departement"] == code) & (history["id"] == key)]
        view.table(versions, f"afspraak-{code}-{key}")


def _store(row: dict[str, object], only_for: str | None) -> None:
    """One agreement row through the load path, as a file would go."""
    assert user is not None
    content = to_csv(pd.DataFrame([row])).encode("utf-8")
    name = f"afspraak-{row['departement']}-{row['id']}.csv"
    [result] = load_sources([Source(name, content)], data.path, user.username,
                            only_for=only_for)  # fmt: skip
    refused = result.status == "geweigerd"
    findings = tables.findings_table(result.findings).set_index("bestand") if refused else None
    st.session_state["afspraak_resultaat"] = (not refused, result.summary(), findings)
    st.rerun()


if user is not None and user.role == COORDINATOR:
    with st.expander("Afspraak vastleggen of wijzigen (coördinator)"):
        st.caption(
            "Een bestaande code (per organisatie) maakt een nieuwe versie; de vorige blijft "
            "bewaard met wie en wanneer."
        )
        with st.form("afspraak"):
            x, y = st.columns(2)
            key = x.text_input("Code van de afspraak", placeholder="bijvoorbeeld 2026-03")
            code = y.selectbox("Organisatie", [o.code for o in catalog.organisations()
                                               if o.code != catalog.RESERVED_CODE])  # fmt: skip
            text = st.text_area("Afspraak", max_chars=2000)
            x, y, z = st.columns(3)
            norm = x.selectbox("Norm", ["algemeen", *range(1, 16)])
            agreed = y.date_input("Vastgesteld op", value=view.today(), format="DD-MM-YYYY")
            gremium = z.text_input("Gremium", value="IPIM")
            x, y = st.columns(2)
            due = x.text_input("Gereed in kwartaal", placeholder="JJJJ-Qn")
            status = y.selectbox("Status", list(AGREEMENT_STATES))
            note = st.text_area("Toelichting", max_chars=2000)
            if st.form_submit_button("Opslaan"):
                _store(
                    {"id": key, "departement": code,
                     "norm": "" if norm == "algemeen" else norm, "afspraak": text,
                     "vastgesteld": agreed.isoformat() if isinstance(agreed, date) else "",
                     "gremium": gremium, "gereed": due, "status": status,
                     "toelichting": note},
                    None,
                )  # fmt: skip
elif user is not None and user.is_department:
    own = current[current["departement"] == user.department] if not current.empty else current
    with st.expander(f"Status van een afspraak van {user.department} bijwerken"):
        if own.empty:
            st.write(f"Er zijn geen afspraken met {user.department}.")
        else:
            with st.form("afspraak_status"):
                key = st.selectbox("Afspraak", list(own["id"]))
                status = st.selectbox("Status", list(AGREEMENT_STATES))
                note = st.text_area("Toelichting", max_chars=2000)
                if st.form_submit_button("Opslaan"):
                    row = own[own["id"] == key].iloc[0]
                    _store(
                        {"id": key, "departement": user.department,
                         "norm": "" if pd.isna(row["norm"]) else int(row["norm"]),
                         "afspraak": row["afspraak"],
                         "vastgesteld": row["vastgesteld"].isoformat(),
                         "gremium": row["gremium"], "gereed": row["gereed"],
                         "status": status, "toelichting": note},
                        user.department,
                    )  # fmt: skip
