"""Ministerie: one ministry's norms, their history, its pillars over time, its submissions."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, links, praatplaat, queries, tables, view
from etl import catalog

path, version = view.data_source()
available = view.require_periods(path, version)
names = queries.organisation_names()

left, right = st.columns([2, 1])
with right:
    periode = view.period_select(available)
codes = view.restrict(queries.organisations_in(periode))["departement"].tolist()
with left:
    code = links.url_select(
        "Ministerie", codes, "ministerie", format_func=lambda c: f"{c} — {names.get(c, c)}"
    )

st.title(names.get(code, code))
st.download_button(
    "Praatplaat (PDF, één A4)",
    lambda: praatplaat.ministry_pdf(path, code, periode),
    file_name=f"praatplaat-{code}-{periode}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
)
chain = catalog.lineage(code)
if len(chain) > 1:
    st.caption(f"Voortgezet uit {', '.join(chain[1:])}: eerdere kwartalen komen van de voorganger.")

grid = queries.norm_grid(path, version, periode)
mine = grid[grid["departement"] == code]
if not mine["aangeleverd"].any():
    st.warning(f"{code} heeft voor {periode} niets aangeleverd.")
judged = int(mine["score"].notna().sum())
met = int(mine["score"].eq(2).sum())
better = int((mine["wijziging"] > 0).sum())
worse = int((mine["wijziging"] < 0).sum())
a, b, c = st.columns(3)
a.metric("Normen voldaan", charts.percent(met, judged))
b.metric("Beter dan vorig kwartaal", better)
c.metric("Slechter dan vorig kwartaal", worse)

marked = st.query_params.get("norm")
if marked and marked.isdigit() and int(marked) in set(mine["norm"]):
    row = mine[mine["norm"] == int(marked)].iloc[0]
    st.info(
        f"**Norm {row['norm']}. {row['label']}** ({row['pijler']}) — {row['vraag']}\n\n"
        f"Oordeel: **{row['staat']}** ({charts.change_text(row['wijziging'])} dan vorig kwartaal)."
        + (f"\n\nToelichting: {row['toelichting']}" if row["toelichting"] else "")
    )

st.subheader(f"De vijftien normen in {periode}")
st.dataframe(
    mine.assign(verandering=mine["wijziging"].map(charts.change_text))[
        ["norm", "label", "pijler", "staat", "verandering", "toelichting"]
    ].rename(columns={"label": "norm (kort)", "staat": "oordeel"}),
    hide_index=True,
    width="stretch",
)

history = queries.ministry_history(path, version, code)
if not history.empty:
    st.subheader("Elke norm door de tijd")
    cells = history.assign(
        kwartaal=[
            f"{p} ({b})" if via else p
            for p, b, via in zip(
                history["periode"], history["bron"], history["via_voorganger"], strict=True
            )
        ],
        normnaam=history["norm"].astype(str) + ". " + history["label"],
    )
    view.chart_with_table(
        charts.state_grid(cells, "kwartaal", "normnaam", "Kwartaal", "Norm"),
        cells[["periode", "bron", "norm", "label", "staat", "toelichting"]],
        f"Oordeel van {code} per norm en kwartaal; kwartalen van een voorganger tonen diens code.",
        key="ministerie_historie",
    )
    st.caption(charts.LEGEND_TEXT)

    st.subheader("Aandeel voldaan per pijler")
    shares = queries.share_met(history, ["periode", "pijler"])
    view.chart_with_table(
        charts.share_lines(shares, "pijler", "Aandeel voldaan"),
        shares,
        f"Lijnen met het aandeel voldane normen van {code} per pijler en kwartaal.",
        key="ministerie_pijlers",
    )

st.subheader("Enquête")
found = queries.ministry_survey(path, version, code)
if found is None:
    st.write("Geen enquêtegegevens voor dit ministerie.")
else:
    wave, source, key_items = found
    st.caption(
        f"Kerncijfers uit de enquête van {wave}"
        + (f" (van voorganger {source})" if source != code else "")
        + ": aandeel (95%-interval), n respondenten; rijksbreed gewogen naar respondenten."
    )
    st.dataframe(tables.key_item_table(key_items), hide_index=True, width="stretch")
    st.page_link(
        "screens/enquete.py",
        label="Alle enquêtecijfers van dit ministerie",
        icon=":material/arrow_forward:",
        query_params={"golf": wave, "ministerie": source, "groep": "alle"},
    )

st.subheader("Aanleveringen")
submitted = queries.submissions(path, version)
submitted = submitted[submitted["departement"].isin(chain)]
st.dataframe(
    submitted.sort_values(["periode", "versie"], ascending=False), hide_index=True, width="stretch"
)
