"""Werking: how integrity policy works in practice, per organisation and for the Rijk.

Reports of suspected violations and how they were handled (gemeld → onderzocht →
afgerond → gegrond → maatregel / aangifte), by type; reports and established violations
per 1,000 employees with their interval, compared in a funnel plot (not a ranking);
yearly and quarterly trends; the confidential advisers' conversations by subject. Small
counts follow the privacy rule of `etl.domain.werking`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, charts, links, queries, tables, view
from etl.domain import catalog, rates, werking
from etl.settings import settings
from papers.jaarrapport import year_report_html, year_report_pdf

data = view.data_source()
user = auth.current_user()
threshold = settings().small_count
today = view.today()
# Totals over every type for the chain, the funnel and the trends; the types of the chosen
# organisation are asked for below (a national cube by type is large).
years = queries.werking(data, "meldingen", "jaar", today, alle=True)
quarters = queries.werking(data, "meldingen", "periode", today, alle=True)

st.title("Werking")
st.caption(
    "Hoe het integriteitsbeleid in de praktijk werkt: meldingen van een vermoeden van een "
    "integriteitsschending en hun afhandeling, per soort, per 1.000 medewerkers, en de "
    "gesprekken met vertrouwenspersonen. " + rates.READING
)
if years.empty and quarters.empty:
    st.info("Er zijn nog geen meldingen aangeleverd die u mag zien.")
    st.stop()
protected = auth.exact_codes(user) is not None
if protected:
    st.caption(
        werking.rule_text(threshold)
        + " U ziet daarom alleen afgesloten jaren, en kwartalen alleen van uw eigen organisatie."
    )

names = queries.organisation_names()
source = years if not years.empty else quarters
codes = sorted(c for c in source["departement"].unique() if c != werking.RIJK)
options = ([werking.RIJK] if werking.RIJK in set(source["departement"]) else []) + codes
left, middle, right = st.columns(3)
# Organisation and year live in the address (a bookmark opens the same view) and the
# organisation is the one chosen on the other pages (`links.url_select`).
with left:
    code = links.url_select(
        "Organisatie",
        options,
        "ministerie",
        format_func=lambda c: "Rijksbreed" if c == werking.RIJK else f"{c} — {names.get(c, c)}",
    )
time = "jaar" if not years.empty else "periode"
frame = years if time == "jaar" else quarters
moments = sorted(frame[time].unique(), reverse=True)
covered = frame.groupby(time)["kwartalen"].max().to_dict() if time == "jaar" else {}
complete = [m for m in moments if covered.get(m, 4) == 4]
spoken = {(f"{m} (lopend jaar: {covered[m]} kwartalen)" if covered.get(m, 4) < 4 else str(m)): m
          for m in moments}  # fmt: skip
words = {m: w for w, m in spoken.items()}
with middle:
    moment = links.url_select(
        "Jaar" if time == "jaar" else "Kwartaal",
        moments,
        "jaar" if time == "jaar" else "periode",
        format_func=lambda m: words[m],
        default=complete[0] if complete else None,
    )
if covered.get(moment, 4) < 4:
    st.warning(
        f"{moment} is nog niet afgesloten: de cijfers gaan over {covered[moment]} kwartalen, en "
        "een cijfer per 1.000 medewerkers is dus lager dan over een heel jaar."
    )
measure = right.selectbox(
    "Vergelijken op", ["meldingen", "gegrond"],
    format_func=lambda m: {"meldingen": "meldingen", "gegrond": "vastgestelde schendingen"}[m],
)  # fmt: skip
label = "Rijksbreed" if code == werking.RIJK else code
current = frame[(frame[time] == moment) & (frame["departement"] == code)]
if time == "jaar" and int(moment) < today.year:
    subject = None if code == werking.RIJK else code
    help_text = (
        "De vijftien normen met de eigen toelichting, de enquête van dat jaar, meldingen met "
        "uitkomsten en maatregelen, vertrouwenspersonen, jaarcijfers en de afspraken; kleine "
        "aantallen volgen de privacyregel, ook voor de eigen organisatie, want het rapport is "
        "openbaar. De PDF is getagd (PDF/UA); de HTML is dezelfde inhoud als webpagina."
    )
    as_pdf, as_html = st.columns(2)
    as_pdf.download_button(
        f"Jaarrapport {label} {moment} (PDF, om te publiceren)",
        lambda: year_report_pdf(data.model(), int(moment), subject, today),
        file_name=f"jaarrapport-integriteit-{label.lower()}-{moment}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help=help_text,
    )
    as_html.download_button(
        f"Jaarrapport {label} {moment} (HTML, voor de website)",
        lambda: year_report_html(data.model(), int(moment), subject, today).encode("utf-8"),
        file_name=f"jaarrapport-integriteit-{label.lower()}-{moment}.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/code:",
        help=help_text,
    )

st.subheader(f"Afhandeling {label}, {moment}")
chain = current[current["soort"] == werking.ALL].set_index("maat").reindex(list(werking.CHAIN))
chain = chain.assign(stap=list(werking.CHAIN.values())).dropna(subset=["laag"])
view.chart_with_table(
    charts.count_bars(chain[["stap", "laag", "hoog", "tekst"]], "stap", "Aantal"),
    chain[["stap", "tekst"]].rename(columns={"tekst": "aantal"}),
    f"Staafdiagram van de afhandeling bij {label} in {moment}: "
    + "; ".join(f"{s} {t}" for s, t in zip(chain["stap"], chain["tekst"], strict=True))
    + ".",
    key="werking_keten",
)
if time == "jaar" and code != werking.RIJK:
    st.markdown(f"**{label} naast rijksbreed, {moment}**")
    st.table(tables.werking_key_table(frame, code, int(moment)).set_index("cijfer"))
st.caption(
    "Gemeld: meldingen van een vermoeden ontvangen in de periode. Onderzoek gestart en afgerond "
    "in de periode (een onderzoek kan over een eerdere melding gaan). Gegrond: van de afgeronde "
    "onderzoeken, die waarin de schending is vastgesteld. Maatregel en aangifte: opgelegd of "
    "gedaan in de periode."
)

st.subheader(f"Per soort schending, {label}, {moment}")
types = {t.code: t.naam for t in catalog.violation_types()}
detail = queries.werking(data, "meldingen", time, today, departement=code)
detail = detail[detail[time] == moment] if not detail.empty else detail
by_type = detail[detail["soort"] != werking.ALL].pivot_table(
    index="soort", columns="maat", values="tekst", aggfunc="first"
)
by_type = by_type.reindex(index=[t for t in types if t in by_type.index],
                          columns=list(werking.CHAIN))  # fmt: skip
by_type.columns = list(werking.CHAIN.values())
by_type.insert(0, "soort", [types[t] for t in by_type.index])
view.table(by_type.reset_index(drop=True), f"werking-soorten-{code}-{moment}")

st.subheader(f"Per 1.000 medewerkers per {'jaar' if time == 'jaar' else 'kwartaal'}: alle "
             f"organisaties, {moment}")  # fmt: skip
word = "meldingen" if measure == "meldingen" else "vastgestelde schendingen"
if time == "jaar":
    points, limits, per_employee = werking.funnel(years, measure, int(moment))
    if limits.empty:
        st.write("Geen organisaties met een opgave van de omvang in dit jaar.")
    else:
        points = points.assign(tarief=[werking.rate_text(r) for _, r in points.iterrows()])
        shown = points.assign(
            positie=points["positie"].map(lambda p: charts.FUNNEL_POSITIONS[p][1]),
            medewerkers=points["medewerkers"].round(0).astype(int),
        )[["departement", "medewerkers", "tekst", "tarief", "positie"]]
        shown.columns = ["organisatie", "persoonsjaren", word, "per 1.000 per jaar (interval)",
                         "positie in de trechter"]  # fmt: skip
        view.chart_with_table(
            charts.funnel_plot(points, limits, 1000 * per_employee, word.capitalize()),
            shown,
            f"Trechterdiagram van {word} per 1.000 medewerkers in {moment} tegen het aantal "
            f"medewerkers. Rijksgemiddelde {werking.decimal(1000 * per_employee)} per 1.000. "
            "Boven de bovengrens: " + (", ".join(shown.loc[points['positie'].eq('boven').to_numpy(),
                                                 'organisatie']) or "geen") + ".",
            key="werking_trechter",
        )  # fmt: skip
        st.caption(
            "Elke organisatie is een punt. De lijn 'rijksgemiddelde' (paars) is het cijfer van het "
            "Rijk; de lijnen eromheen "
            "zijn de grenzen waarbinnen een organisatie van die omvang bij toeval zou liggen als "
            "haar werkelijke cijfer het rijksgemiddelde was (95% gestreept, 99,8% doorgetrokken). "
            "Kleine organisaties hebben een wijde trechter: hun cijfer schommelt sterk. "
            + rates.funnel_note(float(limits["phi"].iloc[0]))
            + " "
            + rates.ASSUMPTION
            + " "
            + rates.READING
        )
else:
    st.write("De vergelijking per 1.000 medewerkers is er per afgesloten jaar.")

st.subheader(f"Trend: {word} per 1.000 medewerkers")
series = frame[(frame["soort"] == werking.ALL) & (frame["maat"] == measure)
               & frame["departement"].isin({code, werking.RIJK})].copy()  # fmt: skip
if not series.empty:
    series["reeks"] = series["departement"].map(lambda c: "Rijksbreed" if c == werking.RIJK else c)
    series["tarief"] = [werking.rate_text(r) for _, r in series.iterrows()]
    if time == "jaar":  # a running year covers fewer quarters: its rate is not a year's
        series = series[series["kwartalen"] == 4]
    table = series[["reeks", time, "tekst", "medewerkers", "tarief"]].sort_values(["reeks", time])
    table.columns = ["reeks", time, word, "medewerkers", "per 1.000 (interval)"]
    view.chart_with_table(
        charts.rate_trend(series, time, word.capitalize()), table,
        f"Lijngrafiek van {word} per 1.000 medewerkers per {time} voor "
        + " en ".join(dict.fromkeys(series["reeks"])) + ", met het interval als verticale lijn.",
        key="werking_trend",
    )  # fmt: skip
if not quarters.empty and time == "jaar":
    with st.expander("Per kwartaal"):
        mine = quarters[(quarters["soort"] == werking.ALL) & (quarters["maat"] == measure)]
        mine = mine.assign(tarief=[werking.rate_text(r) for _, r in mine.iterrows()])
        view.table(mine[["departement", "periode", "tekst", "medewerkers", "tarief"]]
                   .sort_values(["departement", "periode"]), "werking-kwartalen")  # fmt: skip

st.subheader(f"Vertrouwenspersonen, {label}, {moment}")
talks = queries.werking(data, "vertrouwenspersonen", time, today)
if talks.empty:
    st.write("Geen gesprekken met vertrouwenspersonen aangeleverd.")
else:
    subjects = {s.code: s.naam for s in catalog.adviser_subjects()}
    mine = talks[(talks[time] == moment) & (talks["departement"] == code)]
    mine = mine[mine["onderwerp"] != werking.ALL].set_index("onderwerp")
    mine = mine.reindex([s for s in subjects if s in mine.index]).reset_index()
    mine["onderwerp"] = mine["onderwerp"].map(subjects)
    view.chart_with_table(
        charts.count_bars(mine[["onderwerp", "laag", "hoog", "tekst"]], "onderwerp", "Gesprekken"),
        pd.DataFrame({"onderwerp": mine["onderwerp"], "gesprekken": mine["tekst"]}),
        f"Staafdiagram van de gesprekken met vertrouwenspersonen bij {label} in {moment}, per "
        "onderwerp.",
        key="werking_vp",
    )

st.subheader(f"Opgelegde maatregelen, {label}, {moment}")
imposed = queries.werking(data, "maatregelen", time, today)
mine = (
    imposed[(imposed[time] == moment) & (imposed["departement"] == code)]
    if not (imposed.empty)
    else imposed
)
if mine.empty:
    st.write(f"Geen maatregelen per soort aangeleverd voor {label} in {moment} (niet gemeld).")
else:
    kinds = {m.code: m for m in catalog.measures()}
    mine = mine[mine["maatregel"] != werking.ALL].set_index("maatregel")
    mine = mine.reindex([k for k in kinds if k in mine.index]).reset_index()
    mine["soort"] = ["straf (CAO Rijk)" if kinds[k].disciplinair else "geen straf"
                     for k in mine["maatregel"]]  # fmt: skip
    mine["maatregel"] = mine["maatregel"].map(lambda k: kinds[k].naam)
    view.chart_with_table(
        charts.count_bars(mine[["maatregel", "laag", "hoog", "tekst"]], "maatregel", "Maatregelen"),
        pd.DataFrame(
            {"maatregel": mine["maatregel"], "soort": mine["soort"], "aantal": mine["tekst"]}
        ),
        f"Staafdiagram van de opgelegde maatregelen bij {label} in {moment}, per soort "
        "maatregel; straffen volgen het hoofdstuk over disciplinaire straffen van de CAO Rijk.",
        key="werking_maatregelen",
    )

# A signal, not a refusal (contract, kind 8): the disciplinary measures by kind do not add
# up to the measures of the reports, for the organisations the reader sees exactly.
differences = werking.measure_differences(queries.export(data, "meldingen"),
                                          queries.export(data, "maatregelen"))  # fmt: skip
differences = differences[[auth.may(user, "exact_zien", d) for d in differences["departement"]]]
if not differences.empty:
    st.warning(
        "Maatregelen tellen niet op: in deze kwartalen is het aantal straffen per soort niet "
        "gelijk aan de opgelegde maatregelen bij de meldingen. Vraag het ministerie om een "
        "correctie van één van beide bestanden."
    )
    view.table(differences.rename(columns={"maatregelen": "maatregelen bij meldingen",
                                           "disciplinair": "straffen per soort"}),
               "werking-maatregelen-signaal")  # fmt: skip
