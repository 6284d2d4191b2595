"""Start: what concerns a department's lead: what is due and by when, its last submissions
and their status, its agreements; the government-wide picture one click away."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, queries, tables, view
from etl.domain import catalog, vocabulary
from etl.domain.kinds import KINDS
from etl.domain.periods import due_quarters
from etl.reads import policy

user = auth.current_user()
if user is None or not user.department:
    st.error("Deze pagina is er voor de integriteitsleiding van een organisatie.")
    st.stop()
code = user.department
data = view.data_source()
today = view.today()
names = queries.organisation_names()

st.title(f"Integriteitsmonitor Rijk: {names.get(code, code)}")
st.page_link("screens/overzicht.py", label="Naar het rijksbrede overzicht",
             icon=":material/grid_view:")  # fmt: skip

periode = due_quarters(today)[0]
due = queries.due(data, periode, today)
mine = due[due["departement"] == code]
st.subheader(f"Aan te leveren over {periode}")
if mine.empty:
    st.write(f"{code} hoeft over {periode} niets aan te leveren (bestond toen niet).")
else:
    deadline = mine["termijn"].iloc[0]
    open_kinds = mine[mine["status"].isin(vocabulary.STILL_OPEN)]
    if open_kinds.empty:
        st.success(f"Alles over {periode} is binnen.")
    else:
        st.warning(
            f"Nog aan te leveren, uiterlijk {tables.dutch_moment(deadline)}: "
            + "; ".join(KINDS[k].words for k in open_kinds["soort"])
            + "."
        )
    st.dataframe(tables.due_table(mine), hide_index=True, width="stretch")
    st.page_link("screens/aanleveren.py", label="Aanleveren (formulier of bestand)",
                 icon=":material/upload_file:")  # fmt: skip
    st.caption(
        "Wat elk bestand bevat: "
        + "; ".join(f"{kind}: {KINDS[kind].describe()}" for kind in mine["soort"])
        + "."
    )

# The yearly figures (kind 9) of the last completed year: once a year, not every quarter.
year = today.year - 1
figures = queries.export(data, "jaarcijfers")
sent = (
    figures[(figures["departement"] == code) & (figures["jaar"] == year)]
    if not (figures.empty)
    else figures
)
subjects = catalog.year_subjects()
st.subheader(f"Jaarcijfers over {year}")
if sent.empty:
    st.info(
        f"Nog niet aangeleverd: {KINDS['jaarcijfers'].words}. Ze staan in het jaarrapport; "
        "wat ontbreekt, staat daar als 'niet gemeld'."
    )
else:
    missing = [s.naam for s in subjects if s.code not in set(sent["onderwerp"])]
    st.write(
        f"{len(subjects) - len(missing)} van {len(subjects)} onderwerpen aangeleverd."
        + (" Niet gemeld: " + "; ".join(missing) + "." if missing else "")
    )

st.subheader("Uw laatste aanleveringen")
own = queries.data_for(data.path, policy.own_access(user, code))
history = queries.loads(own)
st.dataframe(tables.own_loads_table(history.head(10)), hide_index=True, width="stretch")

st.subheader(f"Afspraken met {code}")
agreements = queries.agreements(data)
agreements = agreements[agreements["departement"] == code] if not agreements.empty else agreements
if agreements.empty:
    st.write(f"Er zijn geen afspraken met {code} vastgelegd.")
else:
    order = {"open": 0, "in uitvoering": 1, "afgerond": 2, "vervallen": 3}
    agreements = agreements.sort_values("status", key=lambda s: s.map(order))
    st.dataframe(agreements[["id", "norm", "afspraak", "gereed", "status", "toelichting"]],
                 hide_index=True, width="stretch")  # fmt: skip
    st.page_link("screens/ipim.py", label="Status van een afspraak bijwerken (IPIM)",
                 icon=":material/handshake:")  # fmt: skip
