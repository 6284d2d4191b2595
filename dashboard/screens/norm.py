"""Norm: every ministry over time on one norm, who moved, and the government-wide share."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, links, queries, tables, view
from etl.domain import normgrid, rates, vocabulary, werking

data = view.data_source()
available = view.require_periods(data)
norms = queries.norms_frame().set_index("norm")

left, right = st.columns([2, 1])
with right:
    periode = view.period_select(available)
with left:
    norm = links.url_select(
        "Norm",
        norms.index.tolist(),
        "norm",
        format_func=lambda n: f"{n}. {norms.loc[n, 'label']} ({norms.loc[n, 'onderdeel']})",
    )

st.title(f"Norm {norm}. {norms.loc[norm, 'label']}")
st.caption(f"Onderdeel {norms.loc[norm, 'onderdeel']}. {norms.loc[norm, 'vraag']}")

today = view.today()
history = queries.norm_history(data, norm, today)
now = history[history["periode"] == periode]
totals = queries.norm_totals(data, periode, today).set_index("norm")
met, judged = int(totals.loc[norm, "voldaan"]), int(totals.loc[norm, "beoordeeld"])
worse = normgrid.regressions(now)
a, b, c = st.columns(3)
a.metric(
    "Ministeries die voldoen",
    f"{met} van {judged}" if judged else "– (geen oordelen)",
    help="Van de ministeries met een oordeel op deze norm; niet beoordeeld, onbekend en "
    "niet aangeleverd tellen niet mee.",
)
b.metric("Beter dan het laatste oordeel", len(normgrid.improvements(now)))
c.metric("Achteruit (slechter, of niet meer beoordeeld)", len(worse))
unjudged = now["staat"].isin([vocabulary.NIET_BEOORDEELD, vocabulary.ONBEKEND]).sum()
if unjudged:
    st.caption(f"{int(unjudged)} ministerie(s) zonder oordeel op deze norm in {periode}.")
source = queries.period_sources(data).get(periode, "")
if source:
    st.caption(f"Oordelen van {periode}: {source}. {view.source_note(source)}")

st.subheader(f"Wie voldoet niet in {periode}")
st.markdown(view.state_lists(now))

st.subheader(f"Wie ging achteruit in {periode}")
if worse.empty:
    st.write("Geen enkel ministerie ging achteruit op deze norm.")
else:
    st.markdown(view.change_list(worse))
st.subheader(f"Wie ging vooruit in {periode}")
better = normgrid.improvements(now)
if better.empty:
    st.write("Geen enkel ministerie ging vooruit op deze norm.")
else:
    st.markdown(view.change_list(better))

if norm in tables.PRACTICE:
    st.subheader("De praktijk naast het oordeel")
    reports = queries.werking(data, "meldingen", "jaar", today)
    year = werking.newest_complete_year(reports, None, periode)
    if year is None:
        st.write("Nog geen afgesloten jaar met meldingen.")
    else:
        st.caption(
            f"Het oordeel in {periode} naast de aantallen van {year} (het nieuwste afgesloten "
            "jaar): een ja/nee over de opzet zegt niets over de praktijk, de aantallen wel iets. "
            + rates.READING
        )
        view.table(tables.practice_beside_verdicts(now, reports, norm, year),
                   f"norm-{norm}-praktijk-{year}")  # fmt: skip

st.subheader("Alle ministeries door de tijd")
chosen, page = view.filtered_and_paged(history, "departement", "norm")
view.chart_with_table(
    charts.state_grid(
        page.assign(kwartaal=view.quarter_labels(page)),
        "kwartaal",
        "departement",
        "Kwartaal",
        "Ministerie",
    ),
    view.cells_table(chosen),
    f"Oordeel van elk ministerie op norm {norm} per kwartaal.",
    key="norm_historie",
)
st.caption(charts.LEGEND_TEXT)

st.subheader("Rijksbreed aandeel dat voldoet")
quarters = sorted(set(history["periode"]))
start = st.selectbox("Vanaf kwartaal", quarters[:-1] or quarters, key="norm_vanaf")
shares, per_quarter = queries.norm_government(data, norm, today, start)
view.chart_with_table(
    charts.share_lines(shares, "reeks", "Aandeel dat voldoet"),
    shares,
    f"Lijn met het rijksbrede aandeel ministeries dat aan norm {norm} voldoet, per kwartaal "
    f"vanaf {start}, over de ministeries met een oordeel in elk kwartaal.",
    key="norm_aandeel",
)
st.caption(
    f"Bij elk punt: voldaan van beoordeeld. Vanaf {start} tellen alleen de ministeries met een "
    "oordeel in élk kwartaal (gelijk met gelijk). Per kwartaal over alle beoordeelde "
    "ministeries: "
    + ", ".join(f"{r['periode']} {r['x_van_y']}" for r in per_quarter.to_dict("records"))
    + "."
)
