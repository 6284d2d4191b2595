"""Norm: every ministry over time on one norm, who moved, and the government-wide share."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, links, queries, view

path, version = view.data_source()
available = view.require_periods(path, version)
norms = queries.norms_frame().set_index("norm")

left, right = st.columns([2, 1])
with right:
    periode = view.period_select(available)
with left:
    norm = links.url_select(
        "Norm",
        norms.index.tolist(),
        "norm",
        format_func=lambda n: f"{n}. {norms.loc[n, 'label']} ({norms.loc[n, 'pijler']})",
    )

st.title(f"Norm {norm}. {norms.loc[norm, 'label']}")
st.caption(f"Pijler {norms.loc[norm, 'pijler']}. {norms.loc[norm, 'vraag']}")

everyone = queries.norm_history(path, version, norm)
history = view.restrict(everyone)
now = history[history["periode"] == periode]
all_now = everyone[everyone["periode"] == periode]
submitted = all_now[all_now["aangeleverd"]]
a, b, c = st.columns(3)
a.metric("Ministeries die voldoen", f"{int(submitted['score'].eq(2).sum())} van {len(submitted)}")
b.metric("Beter dan vorig kwartaal", int((now["wijziging"] > 0).sum()))
c.metric("Slechter dan vorig kwartaal", int((now["wijziging"] < 0).sum()))

st.subheader(f"Wie bewoog in {periode}")
moved = now[now["wijziging"].fillna(0) != 0]
if moved.empty:
    st.write("Geen enkel ministerie veranderde van oordeel op deze norm.")
else:
    st.dataframe(
        moved.assign(verandering=moved["wijziging"].map(charts.change_text))[
            ["departement", "naam", "staat", "verandering", "toelichting"]
        ].rename(columns={"staat": "oordeel"}),
        hide_index=True,
        width="stretch",
    )

st.subheader("Alle ministeries door de tijd")
chosen, page = view.filtered_and_paged(history, "departement", "norm")
view.chart_with_table(
    charts.state_grid(page, "periode", "departement", "Kwartaal", "Ministerie"),
    chosen[["periode", "departement", "naam", "staat", "toelichting"]],
    f"Oordeel van elk ministerie op norm {norm} per kwartaal.",
    key="norm_historie",
)
st.caption(charts.LEGEND_TEXT)

st.subheader("Rijksbreed aandeel dat voldoet")
shares = queries.share_met(everyone.assign(reeks="rijksbreed"), ["periode", "reeks"])
view.chart_with_table(
    charts.share_lines(shares, "reeks", "Aandeel dat voldoet"),
    shares,
    f"Lijn met het rijksbrede aandeel ministeries dat aan norm {norm} voldoet, per kwartaal.",
    key="norm_aandeel",
)
