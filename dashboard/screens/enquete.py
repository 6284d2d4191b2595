"""Enquête: survey results per block and item, against RIJK and the median ministry."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, figures, links, queries, tables, view
from etl.domain import survey, vocabulary

data = view.data_source()
waves = queries.survey_waves(data)

st.title("Enquête integriteit")
if not waves:
    st.info(
        "Er zijn nog geen enquêtegegevens geladen. Laad `enquete`- en `respons`-bestanden met "
        "`python -m etl load`."
    )
    st.stop()

names = queries.organisation_names()
first, second, third = st.columns([1, 2, 1])
with first:
    wave = links.url_select("Golf (kwartaal van sluiting)", waves, "golf")
in_wave = queries.survey_cells(data, wave, "alle")
codes = sorted(set(in_wave["departement"]) - {vocabulary.RIJK}, key=str.lower)
with second:
    code = links.url_select(
        "Ministerie",
        [vocabulary.RIJK, *codes],
        "ministerie",
        format_func=lambda c: (
            "Rijksbreed (alle ministeries)" if c == vocabulary.RIJK else f"{c} — {names.get(c, c)}"
        ),
    )
with third:
    group = links.url_select("Groep", ["alle", "medewerkers", "leidinggevenden"], "groep")

st.caption(
    "Per item het aandeel dat het kopcijfer telt (de kolom 'kopcijfer telt' zegt welk antwoord "
    "en welke kant beter is). " + tables.INTERVAL_NOTE + " De mediaan is die van de ministeries "
    "waarvan het cijfer getoond mag worden. 'T.o.v. rest van het Rijk' vergelijkt het "
    "ministerie met alle andere ministeries samen (Newcombe-interval van het verschil); "
    "'groter dan toeval' geldt na correctie voor het aantal vergelijkingen (Benjamini–Hochberg, "
    "5% valse ontdekkingen). Minder dan 10 respondenten: geen cijfer; bij de meldvragen ook "
    "geen cijfer als een antwoord door 1 tot 4 mensen is gegeven."
)

response = queries.survey_response(data, wave, group)
mine = response[response["departement"] == code]
if not mine.empty:
    row = mine.iloc[0]
    a, b, c = st.columns(3)
    a.metric("Uitgenodigd", tables.thousands(row["uitgenodigd"]))
    why = tables.hidden_text(row.to_dict())
    b.metric("Deelgenomen", why if row["verborgen"] else tables.thousands(row["deelgenomen"]))
    c.metric(
        "Respons (deelgenomen / uitgenodigd)",
        why if row["verborgen"] else f"{100 * row['respons']:.1f}%".replace(".", ","),
    )
    if code == vocabulary.RIJK:
        mean, count = survey.mean_rate(response)
        if count and abs(mean - row["respons"]) >= 0.0005:
            ministries = int((response["departement"] != vocabulary.RIJK).sum())
            left_out = (
                f", over de getoonde: de respons van {ministries - count} andere ministeries is "
                "verborgen om kleine groepen te beschermen"
                if ministries > count
                else ""
            )
            st.caption(
                f"Rijksbreed is de respons gepoold: alle deelnemers gedeeld door alle "
                f"uitgenodigden. Het gewone gemiddelde van de {count} ministeriepercentages is "
                f"{100 * mean:.1f}%".replace(".", ",")
                + left_out
                + " (zo rekent de Algemene Rekenkamer haar 'gemiddeld 22,3%')."
            )

cells = queries.survey_cells(data, wave, group)
own = cells[cells["departement"] == code].set_index("item")
rijk = cells[cells["departement"] == vocabulary.RIJK].set_index("item")
items = [i for i in figures.survey_item_order() if i in own.index]


for block, block_items in figures.items_by_block(items).items():
    st.subheader(f"Blok {block}")
    # A static table: its nine columns wrap and all show; in a scrolling grid the median,
    # the change and neutraal / weet niet were past the right edge at 1280 pixels.
    st.table(tables.survey_item_table(own, rijk, block_items).set_index("item"))
    points = figures.interval_points(cells, code, block_items)
    if not points.empty:
        view.chart_with_table(
            charts.survey_intervals(points),
            points[["item", "reeks", "aandeel", "ondergrens", "bovengrens", "n"]],
            f"Aandeel per item van blok {block} voor {code}, rijksbreed en de mediaan, "
            "met intervallen.",
            key=f"enquete_{block}",
        )

st.subheader("Alle antwoorden")
st.caption("De volledige verdeling, met neutraal en weet niet apart zichtbaar.")
shown = queries.survey_distribution(data, wave, group, code)
if shown.empty:
    st.write(f"Niet getoond: {tables.TOO_FEW}, of {tables.PROTECTED}.")
else:
    labelled = figures.with_item_labels(shown)
    view.chart_with_table(
        charts.survey_distribution(labelled),
        labelled[["item", "antwoord_label", "aantal", "aandeel"]],
        f"Gestapelde balken met de verdeling van alle antwoorden per item voor {code}.",
        key="enquete_verdeling",
    )
    hidden = own[own["verborgen"]]
    if not hidden.empty:
        reasons = [
            f"{item} ({tables.hidden_text(row.to_dict())})" for item, row in hidden.iterrows()
        ]
        st.caption(f"Niet getoond: {', '.join(reasons)}.")

st.subheader("Voorbeeldgedrag en cultuur")
scatter = figures.block_pairs(queries.survey_blocks(data, wave, group))
if view.visible() is not None:
    st.write("Het verband tussen ministeries is alleen zichtbaar voor wie alle ministeries ziet.")
elif len(scatter) >= 3:
    r = float(scatter["cultuur"].corr(scatter["voorbeeldgedrag"]))
    low, high = survey.correlation_interval(r, len(scatter))
    interval = f", 95%-interval {low:.2f} tot {high:.2f}".replace(".", ",") if low == low else ""
    view.chart_with_table(
        charts.block_scatter(scatter),
        scatter,
        "Spreidingsdiagram van de blokscores voorbeeldgedrag en cultuur per ministerie.",
        key="enquete_spreiding",
    )
    st.markdown(
        f"Correlatie tussen ministeries: **r = {r:.2f}**{interval} (n = {len(scatter)} "
        "ministeries; interval volgens Fisher). "
        "Let op: dit is een verband tussen ministeriegemiddelden. De Algemene Rekenkamer vond "
        "0,6 tussen personen (hoe iemand het voorbeeldgedrag van de leidinggevende ervaart en "
        "hoe diegene de cultuur ervaart); een correlatie tussen gemiddelden zegt daar niets over "
        "en is vaak veel hoger of lager."
    )
else:
    st.write("Te weinig ministeries met getoonde blokscores voor een spreidingsdiagram.")

st.subheader("Wat de bescherming kost")
price_line, price = tables.protection_price(queries.survey_cells_published(data, wave, group))
st.caption(
    "Zo ziet een lezer deze golf (en zo gaat ze naar buiten). Een cijfer wordt alleen "
    "verborgen waar het iemand beschermt: een groep van minder dan 10 respondenten, een "
    "antwoord bij een meldvraag dat 1 tot 4 mensen gaven, en wat nodig is om die niet terug "
    "te laten rekenen (ook niet door de integriteitscoördinator van één ministerie met de "
    "eigen cijfers). Het rijksbrede cijfer wordt altijd getoond. " + price_line
)
st.dataframe(price, hide_index=True, width="stretch")
