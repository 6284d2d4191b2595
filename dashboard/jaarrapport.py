"""The yearly integrity report of one organisation, or of the Rijk: a PDF a ministry could
publish as its accountability under the Ambtenarenwet.

It is a public document, so every count of how policy works follows the privacy rule for
readers below the coordinator (`etl.werking`), whoever makes it: totals are exact, and
counts of 1 to 4 of one type (with the cells that protect them) show as "afgeschermd",
for the ministry's own counts too.
Only completed years are reported.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import tables
from dashboard.praatplaat import SOURCE, Page, one_line
from etl import catalog, disclosure, rates, vocabulary, werking
from etl.periods import quarter_end
from etl.readmodel import ReadModel
from etl.settings import settings


class NotComplete(ValueError):
    """A year that has not ended yet: its report would be partial."""


def year_report_pdf(model: ReadModel, jaar: int, code: str | None, today: date) -> bytes:
    """The report of `code` for `jaar` (None: the Rijk), as a public document (an
    organisation the reader may not see is refused: `NotAllowed`)."""
    if code is not None:
        model.access.require(code)
    if jaar >= today.year:
        raise NotComplete(
            f"{jaar} is nog niet afgesloten; een jaarrapport gaat over een heel jaar."
        )
    public = ReadModel(model.path, model.access.published())
    names = {o.code: o.naam for o in catalog.organisations()}
    quarters = [f"{jaar}-Q{n}" for n in range(1, 5)]
    pdf = Page()
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_text_color(80, 80, 80)
    pdf.text_line("Integriteitsmonitor Rijk · jaarrapport integriteit", 8, 4)
    pdf.set_text_color(0, 0, 0)
    title = "Rijksoverheid (alle ministeries)" if code is None else names.get(code, code)
    pdf.text_line(f"Integriteit in {jaar}: {title}", 15, 8, bold=True)
    pdf.text_line(
        f"Verantwoording van het integriteitsbeleid over {jaar} (Ambtenarenwet 2017) · "
        f"gemaakt op {today:%d-%m-%Y}",
        8.5, 5,
    )  # fmt: skip
    pdf.text_line(disclosure.PUBLISHED_LINE, 7.5, 4)
    if code is None:
        _norms_rijk(pdf, public, quarters, today)
    else:
        _norms_of(pdf, public, code, quarters, today)
    _survey(pdf, public, code, jaar)
    _reports(pdf, public, code, jaar)
    _advisers(pdf, public, code, jaar)
    _agreements(pdf, public, code, jaar)
    if code is None or code == vocabulary.COORDINATOR:
        _coordination(pdf, public, jaar)
    pdf.ln(3)
    pdf.text_font(6.5)
    pdf.multi_cell(0, 3.2, pdf.safe(
        SOURCE + " Oordelen na 2023 zijn zelfbeoordelingen van de ministeries, niet geaudit. "
        + werking.rule_text(settings().small_count)
    ))  # fmt: skip
    return bytes(pdf.output())


def _heading(pdf: Page, text: str) -> None:
    """A section heading, on a new page when fewer than a few lines would follow it."""
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.heading(text)


def _norms_of(pdf: Page, model: ReadModel, code: str, quarters: list[str], today: date) -> None:
    _heading(pdf, "De vijftien normen van de Algemene Rekenkamer, per kwartaal")
    norms = catalog.norms()
    states: dict[str, dict[int, str]] = {}
    shares: list[str] = []
    for quarter in quarters:
        grid = model.norm_grid(quarter, today)
        mine = grid[grid["departement"] == code]
        states[quarter] = dict(zip(mine["norm"], mine["staat"], strict=True))
        total = vocabulary.share_met(mine, [])
        shares.append(vocabulary.share_text(int(total["voldaan"].iloc[0]),
                                            int(total["beoordeeld"].iloc[0])))  # fmt: skip
    rows = [["Norm", *[q[-2:] for q in quarters]]]
    for norm in norms:
        rows.append([f"{norm.nummer}. {norm.label}", *[
            vocabulary.LONG_LABELS.get(states[q].get(norm.nummer, vocabulary.NIET_AANGELEVERD),
                                       "–") for q in quarters]])  # fmt: skip
    rows.append(["Voldaan van beoordeeld", *shares])
    pdf.grid(rows, (62, 30, 30, 30, 30), size=7)


def _norms_rijk(pdf: Page, model: ReadModel, quarters: list[str], today: date) -> None:
    _heading(pdf, "De vijftien normen: voldaan van beoordeeld per ministerie en kwartaal")
    per: dict[str, dict[str, str]] = {}
    totals: list[str] = []
    for quarter in quarters:
        grid = model.norm_grid(quarter, today)
        for record in vocabulary.share_met(grid, ["departement"]).to_dict("records"):
            per.setdefault(str(record["departement"]), {})[quarter] = vocabulary.count_label(
                int(record["voldaan"]), int(record["beoordeeld"])
            )
        whole = vocabulary.share_met(grid, [])
        totals.append(vocabulary.share_text(int(whole["voldaan"].iloc[0]),
                                            int(whole["beoordeeld"].iloc[0])))  # fmt: skip
    rows = [["Ministerie", *[q[-2:] for q in quarters]]]
    rows += [
        [code, *[values.get(q, "–") for q in quarters]] for code, values in sorted(per.items())
    ]
    rows.append(["Rijksbreed", *totals])
    pdf.grid(rows, (40, 35, 35, 35, 35), size=7)


def _survey(pdf: Page, model: ReadModel, code: str | None, jaar: int) -> None:
    _heading(pdf, "Medewerkersenquête")
    found = model.ministry_survey(code, f"{jaar}-Q4") if code else None
    if found is None or not found[0].startswith(str(jaar)):
        elsewhere = "De rijksbrede enquêtecijfers staan op de enquêtepagina van de monitor."
        text = f"Geen enquêtegolf in {jaar}." if code else elsewhere
        pdf.text_line(text, 8, 5)
        return
    table = tables.key_item_table(found[2])
    rows = [["Item", "Stelling", "Ministerie", "Rijksbreed"]] + [
        [str(r["item"]), one_line(str(r["stelling"]))[:70], str(r["ministerie"]),
         str(r["rijksbreed"])] for r in table.to_dict("records")
    ]  # fmt: skip
    pdf.grid(rows, (12, 80, 45, 45), size=6.5)
    pdf.text_font(6.5)
    pdf.multi_cell(0, 3, pdf.safe(tables.INTERVAL_NOTE), new_x="LMARGIN", new_y="NEXT")


def _reports(pdf: Page, model: ReadModel, code: str | None, jaar: int) -> None:
    _heading(pdf, "Meldingen van vermoedens van integriteitsschendingen en hun afhandeling")
    cube = model.werking("meldingen", "jaar")
    if cube.empty or jaar not in set(cube["jaar"]):
        pdf.text_line(f"Geen meldingen aangeleverd over {jaar}.", 8, 5)
        return
    if code is not None:
        key = tables.werking_key_table(cube, code, jaar)
        pdf.grid([list(key.columns), *key.astype(str).to_numpy().tolist()], (90, 46, 46), size=7)
    else:
        _reports_per_ministry(pdf, cube, jaar)
    who = werking.RIJK if code is None else code
    mine = cube[(cube["jaar"] == jaar) & (cube["departement"] == who) & (cube["soort"] != "alle")]
    types = {t.code: t.naam for t in catalog.violation_types()}
    rows = [["Soort", "Gemeld", "Afgerond", "Gegrond", "Maatregel", "Aangifte"]]
    for kind, name in types.items():
        of_kind = mine[mine["soort"] == kind].set_index("maat")["tekst"]
        rows.append([name, *[str(of_kind.get(m, "–")) for m in SHOWN]])
    pdf.ln(2)
    pdf.grid(rows, (72, 22, 22, 22, 22, 22), size=6.5)
    pdf.text_font(6.5)
    pdf.multi_cell(0, 3, pdf.safe(rates.ASSUMPTION + " " + rates.READING), new_x="LMARGIN",
                   new_y="NEXT")  # fmt: skip


SHOWN = ("meldingen", "afgerond", "gegrond", "maatregelen", "aangiften")


def _reports_per_ministry(pdf: Page, cube: pd.DataFrame, jaar: int) -> None:
    points, limits, per_employee = werking.funnel(cube, "meldingen", jaar)
    rows = [
        [
            "Organisatie",
            "Persoonsjaren",
            "Meldingen",
            "Per 1.000 per jaar (interval)",
            "In de trechter",
        ]
    ]
    for record in points.sort_values("departement").to_dict("records"):
        rows.append([
            str(record["departement"]), tables.thousands(round(record["medewerkers"])),
            str(record["tekst"]), werking.rate_text(pd.Series(record)),
            {"binnen": "binnen", "boven": "hoger dan toeval", "onder": "lager dan toeval"}[
                record["positie"]],
        ])  # fmt: skip
    pdf.grid(rows, (30, 25, 32, 50, 45), size=6.5)
    if not limits.empty:
        pdf.text_font(6.5)
        pdf.multi_cell(0, 3, pdf.safe(
            f"Rijksgemiddelde {werking.decimal(1000 * per_employee)} per 1.000 medewerkers "
            "'Hoger/lager dan "
            "toeval': buiten de 99,8%-grens rond het rijksgemiddelde voor een organisatie van "
            "die omvang (trechter). " + rates.funnel_note(float(limits["phi"].iloc[0]))
        ), new_x="LMARGIN", new_y="NEXT")  # fmt: skip


def _advisers(pdf: Page, model: ReadModel, code: str | None, jaar: int) -> None:
    _heading(pdf, "Gesprekken met vertrouwenspersonen")
    cube = model.werking("vertrouwenspersonen", "jaar")
    who = werking.RIJK if code is None else code
    mine = cube[(cube["jaar"] == jaar) & (cube["departement"] == who)] if not cube.empty else cube
    if mine.empty:
        pdf.text_line(f"Geen gesprekken aangeleverd over {jaar}.", 8, 5)
        return
    by = mine.set_index("onderwerp")["tekst"]
    rows = [["Onderwerp", "Gesprekken"]]
    rows += [[s.naam, str(by.get(s.code, "–"))] for s in catalog.adviser_subjects()]
    rows.append(["Alle onderwerpen", str(by.get(werking.ALL, "–"))])
    pdf.grid(rows, (90, 40), size=7)


def _agreements(pdf: Page, model: ReadModel, code: str | None, jaar: int) -> None:
    _heading(pdf, f"Afspraken met BZK en hun opvolging (stand op 31-12-{jaar})")
    history = model.agreements(history=True)
    end = quarter_end(f"{jaar}-Q4")
    made = history[pd.to_datetime(history["vastgesteld"]).dt.date <= end]
    if code is not None:
        made = made[made["departement"] == code]
    if made.empty:
        pdf.text_line(f"Geen afspraken vastgelegd tot en met {jaar}.", 8, 5)
        return
    recorded = pd.to_datetime(made["vastgelegd_op"]).dt.date <= end
    # Per agreement the newest version recorded by the year's end (else its first one).
    chosen = made[recorded].sort_values("versie").groupby(["departement", "id"]).tail(1)
    late = made[~made.set_index(["departement", "id"]).index.isin(
        chosen.set_index(["departement", "id"]).index)]  # fmt: skip
    chosen = pd.concat([chosen, late.sort_values("versie").groupby(["departement", "id"]).head(1)])
    rows = [["Organisatie", "Afspraak", "Norm", "Gereed", "Status"]]
    for record in chosen.sort_values(["departement", "id"]).to_dict("records"):
        norm = "–" if pd.isna(record["norm"]) else str(int(record["norm"]))
        rows.append([str(record["departement"]),
                     f"{record['id']}: {one_line(str(record['afspraak']))[:90]}", norm,
                     str(record["gereed"]), str(record["status"])])  # fmt: skip
    pdf.grid(rows, (22, 105, 12, 18, 25), size=6.5)


def _coordination(pdf: Page, model: ReadModel, jaar: int) -> None:
    _heading(pdf, f"De coördinerende rol van {vocabulary.COORDINATOR} (eigen oordeel over {jaar})")
    judged = model.coordination()
    judged = judged[judged["jaar"] == jaar] if not judged.empty else judged
    if judged.empty:
        pdf.text_line(f"Geen oordeel vastgelegd over {jaar}.", 8, 5)
        return
    by = judged.set_index("norm")
    rows = [["Norm", "Oordeel", "Toelichting"]]
    for norm in catalog.coordination_norms():
        if norm.code in by.index:
            verdict = vocabulary.LONG_LABELS[str(by.loc[norm.code, "oordeel"])]
            note = one_line(str(by.loc[norm.code, "toelichting"]))[:110]
            rows.append([f"{norm.code} {norm.naam}", verdict, note])
    pdf.grid(rows, (45, 25, 112), size=6.5)
