"""Ministerie: one ministry's norms, their history, its onderdelen over time, its submissions."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, links, queries, tables, view
from etl.domain import catalog, normgrid, rates, vocabulary, werking
from papers import praatplaat

data = view.data_source()
available = view.require_periods(data)
names = queries.organisation_names()

left, right = st.columns([2, 1])
with right:
    periode = view.period_select(available)
codes = view.visible_organisations(periode)
if not codes:
    # A department user of an organisation that no longer exists in this quarter (EZK after
    # the July 2024 line-up), with other ministries' detail hidden: nothing of theirs here.
    st.info(view.no_organisation_note(periode))
    st.stop()
with left:
    code = links.url_select(
        "Ministerie", codes, "ministerie", format_func=lambda c: f"{c} — {names.get(c, c)}"
    )

st.title(names.get(code, code))
st.download_button(
    "Praatplaat (PDF, één A4)",
    lambda: praatplaat.ministry_pdf(data.model(), code, periode, view.today()),
    file_name=f"praatplaat-{code}-{periode}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
)
chain = catalog.lineage(code)
if len(chain) > 1:
    st.caption(f"Voortgezet uit {', '.join(chain[1:])}: eerdere kwartalen komen van de voorganger.")

today = view.today()
grid = queries.norm_grid(data, periode, today)
mine = grid[grid["departement"] == code]
if not mine["aangeleverd"].any():
    state = mine["staat"].iloc[0] if not mine.empty else vocabulary.NIET_AANGELEVERD
    st.warning(f"{code} heeft voor {periode} niets aangeleverd ({vocabulary.LONG_LABELS[state]}).")
total = vocabulary.share_met(mine, [])
worse = normgrid.regressions(mine)
a, b, c = st.columns(3)
a.metric(
    "Normen voldaan",
    vocabulary.share_text(int(total["voldaan"].iloc[0]), int(total["beoordeeld"].iloc[0])),
    help="Van de beoordeelde normen; niet beoordeeld en onbekend tellen niet mee.",
)
b.metric("Beter dan het laatste oordeel", len(normgrid.improvements(mine)))
c.metric(
    "Achteruit (slechter, of niet meer beoordeeld)",
    len(worse),
    help="Vergeleken met het laatste oordeel vóór dit kwartaal; een norm die niet meer is "
    "beoordeeld telt mee, want dat kan een terugval verbergen.",
)
source = queries.period_sources(data).get(periode, "")
if source:
    st.caption(f"Oordelen van {periode}: {source}. {view.source_note(source)}")

marked = st.query_params.get("norm")
if marked and marked.isdigit() and int(marked) in set(mine["norm"]):
    row = mine[mine["norm"] == int(marked)].iloc[0]
    change = vocabulary.change_text(row["wijziging"], bool(row["niet_meer_beoordeeld"]))
    st.info(
        f"**Norm {row['norm']}. {row['label']}** ({row['onderdeel']}) — {row['vraag']}\n\n"
        f"Oordeel: **{vocabulary.LONG_LABELS[row['staat']]}** ({change}, vergeleken met het "
        "laatste oordeel)."
    )
    if row["toelichting"]:
        st.text(f"Toelichting: {row['toelichting']}")

st.subheader(f"De vijftien normen in {periode}")
st.dataframe(view.cells_table(mine).drop(columns=["code", "naam", "periode"]), hide_index=True,
             width="stretch")  # fmt: skip

history = queries.ministry_history(data, code)
history = history[history["periode"] <= periode]
if not history.empty:
    st.subheader("Elke norm door de tijd")
    cells = history.assign(
        kwartaal=view.quarter_labels(history, "door"),
        normnaam=history["norm"].astype(str) + ". " + history["label"],
    )
    view.chart_with_table(
        charts.state_grid(cells, "kwartaal", "normnaam", "Kwartaal", "Norm"),
        cells[["periode", "door", "bron", "norm", "label", "staat", "toelichting"]],
        f"Oordeel van {code} per norm en kwartaal; kwartalen van een voorganger tonen diens code.",
        key="ministerie_historie",
    )
    st.caption(charts.LEGEND_TEXT)

    st.subheader("Aandeel voldaan per onderdeel")
    quarters = sorted(set(history["periode"]))
    start = st.selectbox("Vergelijk met", quarters[:-1] or quarters, key="vergelijk_met")
    same = normgrid.like_for_like(history, start, quarters[-1], ["onderdeel"])
    st.markdown(f"**Op dezelfde normen: {start} tegenover {quarters[-1]}**")
    st.caption(
        "Alleen normen met een oordeel in beide kwartalen tellen mee, zodat het aandeel niet "
        "verschuift doordat andere normen zijn beoordeeld. "
        + (f"{start} is de audit van de Algemene Rekenkamer; {quarters[-1]} een eigen, "
           "niet-geaudit oordeel." if start == quarters[0] and source else "")
    )  # fmt: skip
    st.table(view.like_for_like_table(same).set_index("onderdeel"))
    shares = normgrid.ministry_onderdeel_shares(history, start)
    view.chart_with_table(
        charts.share_lines(shares, "onderdeel", "Aandeel voldaan"),
        shares,
        f"Lijnen met het aandeel voldane normen van {code} per onderdeel en kwartaal vanaf "
        f"{start}, over de normen met een oordeel in elk kwartaal.",
        key="ministerie_onderdelen",
    )
    st.caption(
        f"Bij elk punt: voldaan van beoordeeld. De lijnen tellen vanaf {start} alleen de normen "
        "met een oordeel in élk kwartaal, zodat ze gelijk met gelijk vergelijken."
    )

st.subheader(f"Afspraken met {code}")
agreements = praatplaat.agreements_by(queries.agreements(data), code, periode)
if agreements.empty:
    st.write(f"Er zijn tot en met {periode} geen afspraken met {code} vastgelegd.")
else:
    shown = agreements.drop(columns=["departement", "bestand"])
    view.table(shown, f"afspraken-{code}")
gaps = mine[mine["staat"].isin([vocabulary.NIET, vocabulary.DEELS])]
uncovered = sorted(set(gaps["norm"]) - set(agreements["norm"].dropna().astype(int)))
if uncovered:
    st.caption(
        f"Niet (geheel) voldaan zonder afspraak: norm {', '.join(map(str, uncovered))}. "
        "De agenda en de afspraken staan op de pagina IPIM."
    )

st.subheader("Enquête")
found = queries.ministry_survey(data, code, periode)
if found is None:
    st.write(f"Geen enquêtegegevens voor dit ministerie in of vóór {periode}.")
else:
    wave, source, key_items = found
    st.caption(
        f"Kerncijfers uit de enquêtegolf {wave} (de nieuwste in of vóór {periode})"
        + (f", van voorganger {source}" if source != code else "")
        + ". "
        + tables.INTERVAL_NOTE
    )
    st.table(tables.key_item_table(key_items).set_index("item"))
    st.page_link(
        "screens/enquete.py",
        label="Alle enquêtecijfers van dit ministerie",
        icon=":material/arrow_forward:",
        query_params={"golf": wave, "ministerie": source, "groep": "alle"},
    )

st.subheader("Werking: meldingen en hun afhandeling")
reports = queries.werking(data, "meldingen", "jaar", today)
year = werking.newest_complete_year(reports, code, periode)
if year is None:
    st.write(f"Geen afgesloten jaar met meldingen van {code} in of vóór {periode[:4]}.")
else:
    st.caption(
        f"{year}, het nieuwste afgesloten jaar in of vóór {periode[:4]}. "
        + rates.ASSUMPTION
        + " "
        + rates.READING
    )
    st.table(tables.werking_key_table(reports, code, year).set_index("cijfer"))
    st.page_link("screens/werking.py", label="Alle cijfers over de werking",
                 icon=":material/arrow_forward:")  # fmt: skip

st.subheader("Aanleveringen")
submitted = queries.submissions(data)
submitted = submitted[submitted["departement"].isin(chain)]
st.dataframe(
    submitted.sort_values(["periode", "versie"], ascending=False), hide_index=True, width="stretch"
)
