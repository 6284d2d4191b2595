"""The yearly integrity report of one organisation or of the Rijk: what a ministry accounts
for under the Ambtenarenwet (art. 4) and BZK reports for the sector Rijk, to publish as it
is, as one HTML file or the tagged PDF made from it (`papers.document`).

It is a publication, so it shows what the contract lets leave the product: the norms and
the survey as published, and of how policy works the totals annual reports publish (an
organisation's year, the Rijk per type and per measure) exactly, with the cells of 1-4 of
one type "afgeschermd" (`etl.domain.werking`). What was not reported is said as such, never
printed as a zero. Only completed years are reported.

`gather` reads the frames once (the read model, published view); `render` is pure: frames
in, HTML out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import altair as alt
import pandas as pd

from dashboard import charts, tables
from etl.domain import agenda, catalog, disclosure, rates, survey, vocabulary, werking
from etl.domain.periods import quarter_end, quarter_start
from etl.reads.readmodel import ReadModel
from etl.settings import settings
from papers import document
from papers.document import table, text

SOURCE = "Normen: Algemene Rekenkamer, Integriteit als basis (2024). Gegevens: aanleveringen."
NOT_REPORTED = "niet gemeld"
STEPS = ("meldingen", "afgerond", "gegrond", "maatregelen", "aangiften")
OUTCOMES = {
    "gegrond": "gegrond (schending vastgesteld)",
    "ongegrond": "ongegrond",
    "niet_vast_te_stellen": "niet vast te stellen",
    "zonder_onderzoek": "afgedaan zonder onderzoek",
}


class NotComplete(ValueError):
    """A year that has not ended yet: its report would be partial."""


@dataclass
class Frames:
    """Everything the report shows, read once."""

    jaar: int
    code: str | None  # None: the Rijk
    today: date
    grids: dict[str, pd.DataFrame]  # per quarter, the published norm grid
    totals: dict[str, pd.DataFrame]  # per quarter, met of judged per norm over every ministry
    survey_items: pd.DataFrame | None  # key items of the year's wave (with Rijk beside)
    wave: str | None
    reports: pd.DataFrame  # the year cube of `meldingen` (published)
    advisers: pd.DataFrame
    measures_cube: pd.DataFrame
    outcomes: pd.DataFrame  # per organisation and quarter, summed over types (exact totals)
    measures: pd.DataFrame  # per organisation and quarter, by kind (exact totals)
    year_figures: pd.DataFrame
    staff: pd.DataFrame  # headcount with scope, per organisation and quarter
    agreements: pd.DataFrame
    coordination: pd.DataFrame
    names: dict[str, str] = field(default_factory=dict)
    visible: frozenset[str] = frozenset()  # organisations the reader may see named


def gather(model: ReadModel, jaar: int, code: str | None, today: date) -> Frames:
    """The report's frames, for whoever may see `code` (`NotAllowed` otherwise)."""
    if code is not None:
        model.access.require(code)
    if jaar >= today.year:
        raise NotComplete(
            f"{jaar} is nog niet afgesloten; een jaarrapport gaat over een heel jaar."
        )
    public = ReadModel(model.path, model.access.published())
    # Sums per organisation-year and Rijk are totals the contract publishes exactly: read
    # from the loaded counts (every organisation: the Rijk's total is over all of them).
    counts = ReadModel(model.path)
    quarters = [f"{jaar}-Q{n}" for n in range(1, 5)]
    grids = {q: public.norm_grid(q, today) for q in quarters}
    wave, items = None, None
    if code is not None:
        found = public.ministry_survey(code, f"{jaar}-Q4")
        if found is not None and found[0].startswith(str(jaar)):
            wave, _, items = found
    else:
        rijk = public.survey_rows(
            "kop",
            {
                "groep": "alle",
                "item": list(survey.KEY_ITEMS),
                "departement": [catalog.RESERVED_CODE],
            },
        )
        in_year = (
            rijk[rijk["periode"].astype(str).str.startswith(str(jaar))]
            if not (rijk.empty)
            else rijk
        )
        if not in_year.empty:
            wave = str(max(in_year["periode"]))
            items = in_year[in_year["periode"] == wave].set_index("item")

    def of_year(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["periode"].isin(quarters)] if not frame.empty else frame

    return Frames(
        jaar=jaar,
        code=code,
        today=today,
        grids=grids,
        totals={q: public.norm_totals(q, today) for q in quarters},
        survey_items=items,
        wave=wave,
        reports=public.werking("meldingen", "jaar", today),
        advisers=public.werking("vertrouwenspersonen", "jaar", today),
        measures_cube=public.werking("maatregelen", "jaar", today),
        outcomes=of_year(counts.export("meldingen", None, None)),
        measures=of_year(counts.export("maatregelen", None, None)),
        year_figures=counts.jaarcijfers(str(jaar), None),
        staff=of_year(counts.export("omvang", None, None)),
        agreements=public.agreements(history=True),
        coordination=public.coordination(),
        names={o.code: o.naam for o in catalog.organisations()},
        visible=frozenset(o.code for o in catalog.organisations() if model.access.allows(o.code)),
    )


def render(frames: Frames) -> str:
    """The report as one HTML document."""
    jaar, code = frames.jaar, frames.code
    who = "Rijksoverheid (alle ministeries)" if code is None else frames.names.get(code, code)
    title = f"Integriteit in {jaar}: {who}"
    parts = [
        '<header class="lint"><p>Integriteitsmonitor Rijk · jaarrapport integriteit</p></header>',
        f"<h1>{text(title)}</h1>",
        f'<p class="meta">Verantwoording van het integriteitsbeleid en de naleving ervan over '
        f"{jaar} (Ambtenarenwet 2017, artikel 4) · gemaakt op {_day(frames.today)}</p>",
        f'<p class="meta">{text(disclosure.PUBLISHED_LINE)}</p>',
        _existence(frames),
        _scope(frames),
        _norms(frames),
        _survey(frames),
        _reports(frames),
        _outcomes_and_measures(frames),
        _advisers(frames),
        _year_figures(frames),
        _agreements(frames),
    ]
    if code is None or code == vocabulary.COORDINATOR:
        parts.append(_coordination(frames))
    parts.append(
        '<h2>Over dit rapport</h2><p class="note">'
        + text(
            SOURCE + " Oordelen na 2023 zijn zelfbeoordelingen van de ministeries, niet "
            "geaudit. " + werking.rule_text(settings().small_count) + " " + rates.ASSUMPTION
        )
        + "</p>"
    )
    return document.page(title, "".join(parts))


def year_report_html(model: ReadModel, jaar: int, code: str | None, today: date) -> str:
    return render(gather(model, jaar, code, today))


def year_report_pdf(model: ReadModel, jaar: int, code: str | None, today: date) -> bytes:
    return document.pdf(year_report_html(model, jaar, code, today))


# --- sections -------------------------------------------------------------------------------


def _day(day: date) -> str:
    return tables.dutch_moment(day)


def _existence(frames: Frames) -> str:
    """For an organisation that existed only part of the year (a reorganisation), which
    part; the report covers those quarters only."""
    if frames.code is None:
        return ""
    organisation = catalog.organisations_by_code().get(frames.code.upper())
    if organisation is None:
        return ""
    start, end = date(frames.jaar, 1, 1), date(frames.jaar, 12, 31)
    parts = []
    if organisation.geldig_van and organisation.geldig_van > start:
        parts.append(f"bestaat sinds {_day(organisation.geldig_van)}")
    if organisation.geldig_tot and organisation.geldig_tot < end:
        parts.append(f"bestond tot en met {_day(organisation.geldig_tot)}")
    if not parts:
        return ""
    before = f"; daarvoor: {organisation.voorganger}" if organisation.voorganger else ""
    return (
        f"<p><strong>Let op:</strong> {text(frames.code)} {text(' en '.join(parts))}"
        f"{text(before)}. Dit rapport gaat alleen over de kwartalen waarin "
        f"{text(frames.code)} bestond.</p>"
    )


def _scope(frames: Frames) -> str:
    """Whom the counts of how policy works cover (kind 6's `reikwijdte`)."""
    staff = frames.staff
    codes = sorted(set(staff["departement"])) if frames.code is None else [frames.code]
    said = staff[staff["departement"].isin(codes)] if not staff.empty else staff
    if frames.code is not None:
        scopes = sorted({str(s) for s in said.get("reikwijdte", pd.Series()).dropna() if s})
        if not scopes:
            words = "niet opgegeven"
        else:
            words = " en ".join(vocabulary.SCOPES[s] for s in scopes)
        return (
            f"<p><strong>Reikwijdte van de cijfers over meldingen, maatregelen en "
            f"vertrouwenspersonen:</strong> {text(words)}.</p>"
        )
    rows = []
    for c in [c for c in codes if c in frames.visible]:
        mine = said[said["departement"] == c]
        scopes = sorted({str(s) for s in mine["reikwijdte"].dropna() if s})
        rows.append([c, " en ".join(vocabulary.SCOPES[s] for s in scopes) or "niet opgegeven"])
    return table("Reikwijdte van de cijfers per ministerie", ["Ministerie", "Reikwijdte"], rows)


def _label(number: int) -> str:
    return {n.nummer: n.label for n in catalog.norms()}.get(number, str(number))


def _norms(frames: Frames) -> str:
    quarters = list(frames.grids)
    norms = catalog.norms()
    out = ["<h2>De vijftien normen van de Algemene Rekenkamer, per kwartaal</h2>"]
    if frames.code is None:
        return "".join(out) + _norms_rijk(frames, quarters, norms)
    code = frames.code
    states: dict[str, dict[int, str]] = {}
    notes: dict[int, tuple[str, str, str]] = {}
    shares = []
    cells = []
    for quarter in quarters:
        grid = frames.grids[quarter]
        mine = grid[grid["departement"] == code]
        states[quarter] = dict(zip(mine["norm"], mine["staat"], strict=True))
        total = vocabulary.share_met(mine, [])
        shares.append(
            vocabulary.share_text(int(total["voldaan"].iloc[0]), int(total["beoordeeld"].iloc[0]))
        )
        for record in mine.to_dict("records"):
            if record["staat"] in (vocabulary.NIET, vocabulary.DEELS):
                notes[int(record["norm"])] = (
                    quarter,
                    str(record["staat"]),
                    str(record.get("toelichting") or ""),
                )
        cells.append(mine.assign(kwartaal=quarter[-2:]))
    existed = [q for q in quarters if states[q]]
    if not existed:
        return "".join(out) + f"<p>Geen oordelen over {frames.jaar} aangeleverd.</p>"
    rows = []
    for norm in norms:
        rows.append(
            [
                f"{norm.nummer}. {norm.label}",
                *[
                    vocabulary.LONG_LABELS.get(states[q].get(norm.nummer, ""), "bestond niet")
                    if states[q]
                    else "bestond niet"
                    for q in quarters
                ],
            ]
        )
    rows.append(["Voldaan van beoordeeld", *shares])
    out.append(
        table(
            f"Oordeel van {code} per norm en kwartaal in {frames.jaar}",
            ["Norm", *[q[-2:] for q in quarters]],
            rows,
        )
    )
    grid = pd.concat(cells, ignore_index=True)
    grid = grid.assign(normnaam=[f"{n}. {_label(int(n))}" for n in grid["norm"]])
    met = sum(1 for q in existed for s in states[q].values() if s == vocabulary.VOLDOET)
    out.append(
        document.figure(
            charts.state_grid(grid, "kwartaal", "normnaam", "Kwartaal", "Norm"),
            f"Raster van de vijftien normen (rijen) en de kwartalen (kolommen) van {code} in "
            f"{frames.jaar}; elke cel draagt het oordeel in woorden, zoals de tabel hierboven. In "
            f"totaal {met} keer 'voldoet' over {len(existed)} kwartalen.",
            "Oordeel per norm en kwartaal. " + charts.LEGEND_TEXT,
        )
    )
    out.append(f"<h3>Toelichting van {text(code)} op normen waaraan niet (geheel) is voldaan</h3>")
    if not notes:
        out.append("<p>Aan alle beoordeelde normen is voldaan.</p>")
    else:
        items = []
        for number in sorted(notes):
            quarter, state, note = notes[number]
            said = note.strip() or "geen toelichting gegeven"
            items.append(
                f"<li><strong>Norm {number}. {text(_label(number))}</strong> "
                f"({text(vocabulary.LONG_LABELS.get(state, state))}, laatst in "
                f"{text(quarter)}): {text(said)}</li>"
            )
        out.append("<ul>" + "".join(items) + "</ul>")
    return "".join(out)


def _norms_rijk(frames: Frames, quarters: list[str], norms: tuple[catalog.Norm, ...]) -> str:
    """Per norm and quarter: how many ministries met it of those judged (not a ranking)."""
    rows = []
    shares: dict[tuple[str, int], tuple[int, int]] = {
        (q, int(n)): (int(met), int(judged))
        for q in quarters
        for n, met, judged in zip(frames.totals[q]["norm"], frames.totals[q]["voldaan"],
                                  frames.totals[q]["beoordeeld"], strict=True)
    }  # fmt: skip
    for norm in norms:
        row: list[object] = [f"{norm.nummer}. {norm.label}"]
        for q in quarters:
            found = shares.get((q, norm.nummer))
            row.append(vocabulary.share_text(*found) if found else "–")
        rows.append(row)
    totals = []
    points = []
    for q in quarters:
        met, judged = shares.get((q, 0), (0, 0))
        totals.append(vocabulary.share_text(met, judged))
        if judged:
            points.append(
                {
                    "kwartaal": q,
                    "aandeel": met / judged,
                    "tekst": vocabulary.share_text(met, judged),
                }
            )
    rows.append(["Alle normen", *totals])
    out = [
        table(
            f"Ministeries die voldoen, van de ministeries die beoordeeld zijn, per norm en "
            f"kwartaal in {frames.jaar}",
            ["Norm", *[q[-2:] for q in quarters]],
            rows,
        )
    ]
    if points:
        data = pd.DataFrame(points)
        bars = (
            alt.Chart(data)
            .mark_bar(color=charts.SERIES_COLOURS[0])
            .encode(
                x=alt.X("kwartaal:N", title="Kwartaal"),
                y=alt.Y(
                    "aandeel:Q",
                    title="Voldaan van beoordeeld",
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                ),
            )
        )
        labels = bars.mark_text(dy=-8, color=charts.TEXT_COLOUR).encode(text="tekst:N")
        out.append(
            document.figure(
                charts.finish(alt.layer(bars, labels).properties(width=420, height=220)),
                "Staafdiagram: aandeel normen voldaan van beoordeeld, rijksbreed per kwartaal: "
                + "; ".join(f"{p['kwartaal']} {p['tekst']}" for p in points)
                + ".",
                "Rijksbreed aandeel normen voldaan van beoordeeld, per kwartaal.",
            )
        )
    return "".join(out)


def _survey(frames: Frames) -> str:
    out = ["<h2>Medewerkersenquête</h2>"]
    items = frames.survey_items
    if items is None or items.empty:
        return "".join(out) + f"<p>In {frames.jaar} was er geen enquêtegolf met cijfers.</p>"
    statements = {i.item: i for i in catalog.survey_items()}
    records = items.reset_index().to_dict("records")
    rows = []
    for record in records:
        item = statements.get(str(record["item"]))
        direction = {"hoger_beter": "hoger is beter", "lager_beter": "lager is beter"}.get(
            str(record.get("richting") or (item.richting if item else "")), "geen richting"
        )
        why = "" if frames.code is None else tables.hidden_text(record)
        row: list[object] = [
            record["item"],
            item.stelling if item else "",
            record.get("kop_label") or "",
            direction,
            tables.share_text(record["aandeel"], record["ondergrens"], record["bovengrens"],
                              record["n"], why),
        ]  # fmt: skip
        if frames.code is not None:  # beside the Rijk, and against the rest of the Rijk
            row += [
                tables.share_text(record["aandeel_rijk"], record["ondergrens_rijk"],
                                  record["bovengrens_rijk"], record["n_rijk"]),
                tables.rest_words(record),
            ]  # fmt: skip
        rows.append(row)
    header = ["Item", "Stelling", "Het cijfer telt", "Richting"]
    if frames.code is None:
        header += ["Rijksbreed"]
        caption = (
            f"Kernvragen van de enquête van {frames.wave}, rijksbreed (gewogen naar respondenten)"
        )
    else:
        header += [frames.code, "Rijksbreed", "Ten opzichte van de rest van het Rijk"]
        caption = f"Kernvragen van de enquête van {frames.wave}: {frames.code} naast het Rijk"
    out.append(table(caption, header, rows))
    out.append(f'<p class="note">{text(tables.INTERVAL_NOTE)}</p>')
    return "".join(out)


def _who(frames: Frames) -> str:
    return werking.RIJK if frames.code is None else frames.code


def _reports(frames: Frames) -> str:
    out = ["<h2>Meldingen van vermoedens van integriteitsschendingen en hun afhandeling</h2>"]
    cube = frames.reports
    if cube.empty or frames.jaar not in set(cube["jaar"]):
        return "".join(out) + f"<p>Geen meldingen aangeleverd over {frames.jaar}.</p>"
    who = _who(frames)
    mine = cube[(cube["jaar"] == frames.jaar) & (cube["departement"] == who)]
    if mine.empty:
        return "".join(out) + f"<p>Geen meldingen aangeleverd over {frames.jaar}.</p>"
    alle = mine[mine["soort"] == werking.ALL].set_index("maat")
    types = {t.code: t.naam for t in catalog.violation_types()}
    rows = []
    for kind, name in types.items():
        of_kind = mine[mine["soort"] == kind].set_index("maat")["tekst"]
        rows.append([name, *[str(of_kind.get(m, "–")) for m in STEPS]])
    rows.append(["Alle soorten", *[str(alle["tekst"].get(m, "–")) for m in STEPS]])
    header = ["Soort schending", "Gemeld", "Onderzoek afgerond", "Gegrond", "Maatregel", "Aangifte"]
    out.append(
        table(
            f"Meldingen en afhandeling per soort, {who}, {frames.jaar}",
            header,
            rows,
            numeric=range(1, 6),
        )
    )
    by_type = mine[(mine["soort"] != werking.ALL) & (mine["maat"] == "meldingen")].copy()
    by_type["soortnaam"] = by_type["soort"].map(types)
    by_type = by_type.set_index("soort").reindex([k for k in types if k in set(by_type["soort"])])
    out.append(
        document.figure(
            charts.count_bars(
                by_type.reset_index()[["soortnaam", "laag", "hoog", "tekst"]],
                "soortnaam",
                "Meldingen",
            ),
            f"Staafdiagram van de meldingen per soort schending, {who}, {frames.jaar}: "
            + "; ".join(
                f"{n} {t}" for n, t in zip(by_type["soortnaam"], by_type["tekst"], strict=True)
            )
            + ".",
            "Meldingen per soort schending. 'afgeschermd': een klein aantal dat naar een "
            "persoon kan wijzen.",
        )
    )
    points, limits, per_employee = werking.funnel(cube, "meldingen", frames.jaar)
    points = points[points["departement"].isin(frames.visible)]  # name only whom one may see
    rijk_rate = werking.decimal(1000 * per_employee)
    if frames.code is not None:
        point = points[points["departement"] == frames.code]
        if not point.empty:
            record = point.iloc[0]
            position = _position(str(record["positie"]))
            out.append(
                f"<p>{text(frames.code)}: {text(record['tekst'])} meldingen over "
                f"{text(tables.thousands(round(record['medewerkers'])))} persoonsjaren, "
                f"{text(werking.rate_text(record))} per 1.000 medewerkers per jaar; het Rijk "
                f"{text(rijk_rate)}. In de trechter: {text(position)}.</p>"
            )
    else:
        rows = [
            [
                r["departement"],
                tables.thousands(round(r["medewerkers"])),
                r["tekst"],
                werking.rate_text(pd.Series(r)),
                _position(str(r["positie"])),
            ]
            for r in points.sort_values("departement").to_dict("records")
        ]
        out.append(
            table(
                f"Meldingen per 1.000 medewerkers per jaar per ministerie, {frames.jaar} "
                f"(rijksgemiddelde {rijk_rate})",
                [
                    "Ministerie",
                    "Persoonsjaren",
                    "Meldingen",
                    "Per 1.000 per jaar (interval)",
                    "In de trechter",
                ],
                rows,
                numeric=(1, 2),
            )
        )
    if not limits.empty:
        out.append(
            document.figure(
                charts.funnel_plot(points, limits, 1000 * per_employee),
                f"Trechterdiagram van de meldingen per 1.000 medewerkers per jaar in {frames.jaar} "
                f"tegen de omvang. Rijksgemiddelde {rijk_rate}. Buiten de trechter: "
                + (
                    ", ".join(
                        f"{r['departement']} ({_position(str(r['positie']))})"
                        for r in points.to_dict("records")
                        if r["positie"] != "binnen"
                    )
                    or "geen ministerie"
                )
                + ".",
                "Trechter: binnen de grenzen valt een verschil met het rijksgemiddelde binnen wat "
                "toeval kan geven. " + rates.funnel_note(float(limits["phi"].iloc[0])),
            )
        )
    out.append(f'<p class="note">{text(rates.READING)}</p>')
    return "".join(out)


def _position(position: str) -> str:
    return {
        "binnen": "binnen de trechter",
        "boven": "hoger dan toeval",
        "onder": "lager dan toeval",
    }.get(position, position)


def _organisations(frames: Frames, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the report's organisation (all of them for the Rijk)."""
    if frame.empty or frames.code is None:
        return frame
    return frame[frame["departement"] == frames.code]


def _outcomes_and_measures(frames: Frames) -> str:
    out = ["<h2>Uitkomsten van afgeronde onderzoeken en opgelegde maatregelen</h2>"]
    reports = _organisations(frames, frames.outcomes)
    if reports.empty:
        out.append(f"<p>Geen meldingen aangeleverd over {frames.jaar}.</p>")
    else:
        rows = []
        for column, words in OUTCOMES.items():
            given = reports[column].dropna()
            reporting = set(reports.loc[reports[column].notna(), "departement"])
            everyone = set(reports["departement"])
            if given.empty:
                rows.append([words, NOT_REPORTED])
                continue
            count = tables.thousands(int(given.sum()))
            if frames.code is None and reporting != everyone:
                count += f" ({len(reporting)} van {len(everyone)} ministeries gemeld)"
            elif frames.code is not None and len(given) < len(reports):
                quarters = reports.loc[reports[column].notna(), "periode"].nunique()
                count += f" (gemeld over {quarters} van de kwartalen)"
            rows.append([words, count])
        afgerond = tables.thousands(int(reports["afgerond"].sum()))
        out.append(
            table(
                f"Uitkomsten van de {afgerond} afgeronde onderzoeken, en meldingen "
                f"afgedaan zonder onderzoek, {frames.jaar}",
                ["Uitkomst", "Aantal"],
                rows,
                numeric=(1,),
            )
        )
    measures = _organisations(frames, frames.measures)
    if measures.empty:
        out.append(f"<p>Maatregelen per soort: {NOT_REPORTED} over {frames.jaar}.</p>")
        return "".join(out)
    # Per kind of measure the published cube's text, as on the Werking page: the Rijk's
    # totals per measure are exact; an organisation's count of one measure in a year of 1-4
    # (and the cells that protect it) is "afgeschermd", like its reports per type.
    totals = measures.groupby("maatregel")["aantal"].sum()
    cube = frames.measures_cube
    mine = (
        cube[(cube["jaar"] == frames.jaar) & (cube["departement"] == _who(frames))]
        if not cube.empty
        else cube
    )
    shown = mine.set_index("maatregel")["tekst"] if not mine.empty else pd.Series(dtype=str)
    kinds: list[list[object]] = []
    for kind in catalog.measures():
        if kind.code in totals.index:
            kinds.append(
                [
                    kind.naam,
                    "straf (CAO Rijk)" if kind.disciplinair else "geen straf",
                    str(shown.get(kind.code, werking.HIDDEN)),
                ]
            )
    caption = f"Opgelegde maatregelen per soort, {frames.jaar}"
    if frames.code is None:
        sending = measures["departement"].nunique()
        all_of = frames.outcomes["departement"].nunique() if not frames.outcomes.empty else 0
        caption += f" ({sending} van {all_of} ministeries gemeld)"
    out.append(table(caption, ["Maatregel", "Soort", "Aantal"], kinds, numeric=(2,)))
    return "".join(out)


def _advisers(frames: Frames) -> str:
    out = ["<h2>Gesprekken met vertrouwenspersonen</h2>"]
    cube = frames.advisers
    who = _who(frames)
    mine = (
        cube[(cube["jaar"] == frames.jaar) & (cube["departement"] == who)]
        if not (cube.empty)
        else cube
    )
    if mine.empty:
        return "".join(out) + f"<p>Gesprekken: {NOT_REPORTED} over {frames.jaar}.</p>"
    by = mine.set_index("onderwerp")["tekst"]
    rows = [[s.naam, str(by.get(s.code, NOT_REPORTED))] for s in catalog.adviser_subjects()]
    rows.append(["Alle onderwerpen", str(by.get(werking.ALL, "–"))])
    out.append(
        table(
            f"Gesprekken met vertrouwenspersonen per onderwerp, {who}, {frames.jaar}",
            ["Onderwerp", "Gesprekken"],
            rows,
            numeric=(1,),
        )
    )
    return "".join(out)


def _year_figures(frames: Frames) -> str:
    out = ["<h2>Vertrouwenspersonen, eed en belofte, training, misstanden en klachten</h2>"]
    figures = _organisations(frames, frames.year_figures)
    everyone = sorted(set(frames.staff["departement"])) if not frames.staff.empty else []
    rows = []
    for subject in catalog.year_subjects():
        given = figures[figures["onderwerp"] == subject.code] if not figures.empty else figures
        if given.empty:
            rows.append([subject.naam, NOT_REPORTED])
            continue
        count = tables.thousands(int(given["aantal"].sum()))
        if frames.code is None and everyone:
            count += f" ({given['departement'].nunique()} van {len(everyone)} ministeries gemeld)"
        rows.append([subject.naam, count])
    out.append(table(f"Jaarcijfers {frames.jaar}", ["Onderwerp", "Aantal"], rows, numeric=(1,)))
    return "".join(out)


def _agreements(frames: Frames) -> str:
    jaar = frames.jaar
    out = [f"<h2>Afspraken met BZK en hun opvolging (stand op 31 december {jaar})</h2>"]
    chosen = agenda.agreements_at(frames.agreements, f"{jaar}-Q4")  # one rule with the agenda
    if not chosen.empty:
        chosen = chosen[chosen["departement"].isin(frames.visible)]
    if frames.code is not None and not chosen.empty:
        chosen = chosen[chosen["departement"] == frames.code]
    if chosen.empty:
        return "".join(out) + f"<p>Geen afspraken vastgelegd tot en met {jaar}.</p>"
    chosen = chosen.sort_values(["departement", "id"])
    rows = []
    for record in chosen.to_dict("records"):
        norm = "–" if pd.isna(record["norm"]) else str(int(record["norm"]))
        rows.append(
            [
                f"{record['departement']} {record['id']}",
                record["afspraak"],
                norm,
                record["gereed"],
                record["status"],
            ]
        )
    out.append(
        table(
            f"Afspraken zoals ze op 31 december {jaar} stonden",
            ["Afspraak", "Inhoud", "Norm", "Gereed", "Status"],
            rows,
        )
    )
    start, stop = quarter_start(f"{jaar + 1}-Q1"), quarter_end(f"{jaar + 1}-Q4")
    due = [
        r
        for r in chosen.to_dict("records")
        if r["status"] in ("open", "in uitvoering")
        and start <= quarter_end(str(r["gereed"])) <= stop
    ]
    out.append(f"<h3>Actiepunten voor {jaar + 1}: afspraken die dan gereed moeten zijn</h3>")
    if not due:
        out.append(f"<p>Geen openstaande afspraken met een einddatum in {jaar + 1}.</p>")
    else:
        out.append(
            '<ul class="actions">'
            + "".join(
                f"<li>{text(r['departement'])} {text(r['id'])} (gereed {text(r['gereed'])}, "
                f"{text(r['status'])}): {text(r['afspraak'])}</li>"
                for r in due
            )
            + "</ul>"
        )
    return "".join(out)


def _coordination(frames: Frames) -> str:
    jaar = frames.jaar
    out = [
        f"<h2>De coördinerende rol van {vocabulary.COORDINATOR}: de vijf eigen normen "
        f"(eigen oordeel over {jaar})</h2>"
    ]
    judged = frames.coordination
    judged = judged[judged["jaar"] == jaar] if not judged.empty else judged
    if judged.empty:
        return "".join(out) + f"<p>Geen oordeel vastgelegd over {jaar}.</p>"
    by = judged.set_index("norm")
    rows = []
    for norm in catalog.coordination_norms():
        if norm.code in by.index:
            rows.append(
                [
                    f"{norm.code} {norm.naam}",
                    vocabulary.LONG_LABELS[str(by.loc[norm.code, "oordeel"])],
                    by.loc[norm.code, "toelichting"],
                ]
            )
        else:
            rows.append([f"{norm.code} {norm.naam}", "niet beoordeeld", ""])
    out.append(
        table(
            f"Oordeel van {vocabulary.COORDINATOR} over de eigen coördinerende rol, {jaar}",
            ["Norm", "Oordeel", "Toelichting"],
            rows,
        )
    )
    return "".join(out)
