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
from etl.domain import catalog
from etl.domain.agenda import SIGNALS
from etl.domain.agenda import norm_words as agenda_norm
from etl.domain.vocabulary import (
    AGREEMENT_STATES,
    BRON_ZELF,
    DEELS,
    NIET,
    NIET_BEOORDEELD,
    VOLDOET,
    met_and_judged,
    share_text,
)
from etl.domain.vocabulary import COORDINATOR as COORDINATING
from etl.reads.export import to_contract_csv
from etl.store.load import Source, load_sources
from etl.store.meeting import record_marks
from papers.agendapaper import agenda_pdf

data = view.data_source()
available = view.require_periods(data)
user = auth.current_user()


def _store(rows: list[dict[str, object]], name: str, only_for: str | None, outcome: str) -> None:
    """Rows through the load path, as a file would go; the outcome is shown after the rerun
    under `outcome` (the form's expander closes on it)."""
    assert user is not None
    content = to_contract_csv(pd.DataFrame(rows)).encode("utf-8")
    [result] = load_sources([Source(name, content)], data.path, user.username,
                            only_for=only_for)  # fmt: skip
    refused = result.status == "geweigerd"
    findings = tables.findings_table(result.findings).set_index("bestand") if refused else None
    st.session_state[outcome] = (not refused, result.summary(), findings)
    st.rerun()


def _show_outcome(outcome: str) -> None:
    """The outcome of the last save under `outcome`, if any."""
    shown = st.session_state.pop(outcome, None)
    if shown is not None:
        saved, message, findings = shown
        if saved:
            st.success(view.plain(message))
        else:
            st.error("Niet opgeslagen:")
            st.table(findings)


def _store_agreement(row: dict[str, object], only_for: str | None) -> None:
    _store([row], f"afspraak-{row['departement']}-{row['id']}.csv", only_for, "afspraak_resultaat")


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
marked = queries.agenda_marks(data, periode)
st.subheader(f"Agenda {periode}")
paper, pack = st.columns(2)
paper.download_button(
    "Agenda als vergaderstuk (PDF)",
    lambda: agenda_pdf(points, periode, view.today(), marked),
    file_name=f"agenda-ipim-{periode}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
)
pack.download_button(
    "Vergaderset (één PDF)",
    queries.meeting_pack(data, periode, view.today(), marked),  # built while the page is read
    file_name=f"vergaderset-ipim-{periode}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/folder_zip:",
    help="De gemarkeerde agendapunten (of alle, als er geen gemarkeerd zijn), de heatmap, de "
    "praatplaten van de ministeries op de agenda en de dia's van de presentatie, in die "
    "volgorde.",
)
st.caption(
    "Op volgorde van urgentie: eerst wat achteruitging, dan afspraken over de termijn, "
    "afspraken afgerond terwijl de norm niet is voldaan, langdurig niet voldaan (voldoet niet "
    "of deels) zonder lopende afspraak, ontbrekende aanleveringen en enquêtesignalen; binnen "
    "een soort op organisatie. Eén punt per organisatie en norm. 'Voldoen wel': wie de norm "
    "in dit kwartaal zelf voldoet, sinds wanneer onafgebroken, in eigen woorden."
)
if not points:
    st.write("Geen signalen voor dit kwartaal.")
per_ministry = st.toggle("Per ministerie groeperen", key="agenda_per_ministerie")
if per_ministry:
    groups = {code: [p for p in points if p.departement == code]
              for code in sorted({p.departement for p in points}, key=str.lower)}  # fmt: skip
else:
    groups = {name: [p for p in points if p.soort == kind] for kind, name in SIGNALS.items()}
number = 0
for name, mine in groups.items():
    if mine:
        st.markdown(f"**{name}** ({len(mine)})")
        view.agenda_list(mine, marked, number + 1)
        number += len(mine)
may_mark = bool(points) and auth.may(user, "agenda_markeren")
# The marking form's checkbox per point (82 in 2026-Q3) is made only when the coordinator
# opens it: drawing them cost every visit of this page half a second (issue 23).
marking = (
    view.lazy_expander(
        "Punten voor de vergadering markeren", view.AGENDA_MARKING_OPEN, icon=":material/star:"
    )
    if may_mark
    else None
)
if marking is not None:
    with marking, st.form(f"markeren_{periode}"):
        st.markdown(f"**Punten voor de vergadering** ({len(marked)} van {len(points)} gemarkeerd)")
        to_discuss = {
            p.key: st.checkbox(f"{p.departement} · "
                               + (agenda_norm(p.norm) if p.norm is not None else "algemeen")
                               + f" · {SIGNALS[p.soort].lower()}",
                               value=p.key in marked, key=f"markeer_{periode}_{p.key}")
            for p in points
        }  # fmt: skip
        if st.form_submit_button("Markering vastleggen"):
            assert user is not None
            count = record_marks(data.path, periode, to_discuss, user.username)
            st.session_state["markeren_resultaat"] = (
                True,
                f"{count} markering(en) vastgelegd voor {periode}.",
                None,
            )
            st.rerun()
if may_mark:
    _show_outcome("markeren_resultaat")  # where the button was: in view after the rerun

st.subheader("Afspraken")
_show_outcome("afspraak_resultaat")
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


if auth.may(user, "afspraak_vastleggen"):
    form_box = view.lazy_expander("Afspraak vastleggen of wijzigen (coördinator)",
                                  view.AGREEMENT_FORM_OPEN)  # fmt: skip
    if form_box is not None:
        with form_box:
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
                    _store_agreement(
                        {"id": key, "departement": code,
                         "norm": "" if norm == "algemeen" else norm, "afspraak": text,
                         "vastgesteld": agreed.isoformat() if isinstance(agreed, date) else "",
                         "gremium": gremium, "gereed": due, "status": status,
                         "toelichting": note},
                        None,
                    )  # fmt: skip
elif user is not None and auth.may(user, "afspraakstatus_bijwerken", user.department):
    own = current[current["departement"] == user.department] if not current.empty else current
    status_box = view.lazy_expander(f"Status van een afspraak van {user.department} bijwerken",
                                    view.AGREEMENT_STATUS_OPEN)  # fmt: skip
    if status_box is not None:
        with status_box:
            if own.empty:
                st.write(f"Er zijn geen afspraken met {user.department}.")
            else:
                # The agreement is chosen outside the form, so the form opens with its current
                # status and toelichting: one save without touching them changes nothing.
                key = st.selectbox("Afspraak", list(own["id"]))
                row = own[own["id"] == key].iloc[0]
                states = list(AGREEMENT_STATES)
                current_state = str(row["status"])
                with st.form(f"afspraak_status_{key}"):
                    status = st.selectbox("Status", states, index=states.index(current_state)
                                          if current_state in states else 0)  # fmt: skip
                    note = st.text_area("Toelichting", value=str(row["toelichting"] or ""),
                                        max_chars=2000)  # fmt: skip
                    if st.form_submit_button("Opslaan"):
                        _store_agreement(
                            {"id": key, "departement": user.department,
                             "norm": "" if pd.isna(row["norm"]) else int(row["norm"]),
                             "afspraak": row["afspraak"],
                             "vastgesteld": row["vastgesteld"].isoformat(),
                             "gremium": row["gremium"], "gereed": row["gereed"],
                             "status": status, "toelichting": note},
                            user.department,
                        )  # fmt: skip


st.subheader(f"De coördinerende rol van {COORDINATING}")
st.caption(
    f"De Algemene Rekenkamer beoordeelde ook de coördinatie door {COORDINATING} zelf, op vijf "
    f"normen. {COORDINATING} legt hier elk jaar een eigen oordeel over vast: een "
    "zelfbeoordeling, niet geaudit (de bron staat bij elk oordeel). De omschrijvingen zijn een "
    "samenvatting van die normen, niet de letterlijke tekst van het rapport."
)
_show_outcome("coordinatie_resultaat")
judgements = queries.coordination(data)
norm_rows = [(n.code, n.naam, n.omschrijving) for n in catalog.coordination_norms()]
ministries = queries.norm_totals(data, periode, view.today())
overall = ministries[ministries["norm"] == 0].iloc[0]
x, y = st.columns(2)
if judgements.empty:
    x.metric(f"{COORDINATING} als coördinator", "nog geen oordeel")
else:
    year = int(judgements["jaar"].max())
    of_year = judgements[judgements["jaar"] == year]
    met, judged = met_and_judged(of_year["oordeel"])
    x.metric(f"{COORDINATING} als coördinator, {year}: normen voldaan",
             share_text(int(met.sum()), int(judged.sum())))  # fmt: skip
y.metric(f"Organisaties, {periode}: normoordelen voldaan",
         share_text(int(overall["voldaan"]), int(overall["beoordeeld"])))  # fmt: skip
st.caption(
    "Aandeel voldaan van de beoordeelde normen (voldoet, voldoet deels, voldoet niet); niet "
    "beoordeeld en onbekend tellen niet mee. Links de vijf coördinatienormen van het laatste "
    "jaar, rechts alle vijftien normen van alle organisaties in het gekozen kwartaal."
)
view.table(tables.coordination_table(judgements, norm_rows), "coordinatie-bzk")
if not judgements.empty:
    history_box = view.lazy_expander(
        "Geschiedenis van de oordelen (elke versie, met wie en wanneer)",
        view.COORDINATION_HISTORY_OPEN,
    )
    if history_box is not None:
        with history_box:
            view.table(queries.coordination(data, history=True), "coordinatie-bzk-geschiedenis")

if auth.may(user, "coordinatie_oordelen"):
    judgement_box = view.lazy_expander(
        f"Jaaroordeel van {COORDINATING} over de eigen rol vastleggen (coördinator)",
        view.COORDINATION_FORM_OPEN,
    )
    if judgement_box is not None:
        with judgement_box:
            this_year = view.today().year
            year = st.selectbox("Jaar", list(range(this_year, this_year - 4, -1)), index=1)
            known = judgements[judgements["jaar"] <= year] if not judgements.empty else judgements
            st.caption(
                "Vooraf ingevuld met het laatste vastgelegde oordeel van dat jaar of eerder. Een "
                "gewijzigd oordeel wordt een nieuwe versie; de vorige blijft bewaard."
            )
            choices = [VOLDOET, DEELS, NIET, NIET_BEOORDEELD]
            with st.form("coordinatie"):
                rows: list[dict[str, object]] = []
                for code, naam, omschrijving in norm_rows:
                    before = known[known["norm"] == code].sort_values("jaar").tail(1)
                    verdict = (
                        str(before["oordeel"].iloc[0]) if not before.empty else NIET_BEOORDEELD
                    )
                    note = str(before["toelichting"].iloc[0]) if not before.empty else ""
                    st.markdown(f"**{code} {naam}** — {omschrijving}")
                    a, b = st.columns([1, 2])
                    index = (
                        choices.index(verdict)
                        if verdict in choices
                        else choices.index(NIET_BEOORDEELD)
                    )
                    chosen = a.selectbox(f"Oordeel {code}", choices, index=index)
                    text = b.text_area(f"Toelichting {code}", value=note, max_chars=2000)
                    rows.append({"departement": COORDINATING, "jaar": year, "norm": code,
                                 "oordeel": "" if chosen == NIET_BEOORDEELD else chosen,
                                 "toelichting": text, "bron": BRON_ZELF})  # fmt: skip
                if st.form_submit_button("Jaaroordeel opslaan"):
                    _store(rows, f"coordinatie-{year}.csv", None, "coordinatie_resultaat")
