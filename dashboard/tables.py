"""Tables of text for the screens: figures formatted the Dutch way, hidden ones said so.

Pure functions (DataFrame in, DataFrame of display text out), so every figure that
reaches the screen passes through one place that adds its n and interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from etl.domain import vocabulary, werking
from etl.domain.vocabulary import LONG_LABELS, NIET_BEOORDEELD
from etl.store.load import KEYED

TOO_FEW = "te weinig respondenten"
PROTECTED = "niet getoond, om een kleine groep elders te beschermen"


def sensitive_text(minimum: int) -> str:
    """Why a melden figure is hidden: an answer given by fewer than `minimum` people."""
    return f"minder dan {minimum} (op een antwoord; niet getoond)"


INTERVAL_NOTE = (
    "Aandeel met 95%-interval (Wilson) en n, het aantal respondenten op het item. Het interval "
    "neemt aan dat de respondenten een aselecte steekproef zijn van wie is uitgenodigd; bij een "
    "respons rond 22% is dat een aanname: vertekening door wie niet antwoordde, ziet het "
    "interval niet. Rijksbreed telt alle respondenten samen (gewogen naar respondenten)."
)


def thousands(n: Any) -> str:
    """4446 → '4.446', the Dutch way."""
    return f"{int(n):,}".replace(",", ".")


def share_text(share: Any, low: Any, high: Any, n: Any, hidden: str = "") -> str:
    """'76% (74–78%), n = 4.446', or why there is no figure ('te weinig respondenten')."""
    if pd.isna(share):
        return hidden or TOO_FEW
    interval = f"{round(100 * low)}–{round(100 * high)}%"
    return f"{round(100 * share)}% ({interval}), n = {thousands(n)}"


def _points(value: float) -> str:
    """-0.046 → '−4,6 procentpunt' (Dutch decimal comma)."""
    text = f"{abs(100 * value):.1f}".replace(".", ",")
    return f"{'+' if value > 0 else '−' if value < 0 else ''}{text} procentpunt"


def _bracket(low: float, high: float) -> str:
    return f"[{100 * low:.1f}; {100 * high:.1f}]".replace(".", ",").replace("-", "−")


def _better(difference: float, richting: str) -> str:
    """'beter' or 'slechter' for a difference, following the item's direction."""
    if richting == "geen" or difference == 0:
        return ""
    good = difference > 0 if richting != "lager_beter" else difference < 0
    return "beter" if good else "slechter"


def change_words(
    difference: Any,
    significant: bool,
    compared: str,
    richting: str = "hoger_beter",
    other_population: bool = False,
    low: Any = None,
    high: Any = None,
) -> str:
    """The change since the previous wave in percentage points, which way is good, and
    whether it is larger than chance (after the Benjamini–Hochberg correction)."""
    if pd.isna(difference):
        return "geen vergelijking"
    text = f"{_points(difference)} t.o.v. {compared}"
    if low is not None and not pd.isna(low):
        text += f" {_bracket(low, high)}"
    if other_population:
        return text + " (andere populatie na splitsing of samenvoeging: geen toets)"
    direction = _better(difference, richting)
    if significant:
        return text + f": {direction + ', ' if direction else ''}verschil groter dan toeval"
    return text + ": niet groter dan toeval"


def rest_mark(row: Mapping[Any, Any]) -> str:
    """A short mark for a chart beside the ministry's point: '▲ beter dan de rest' or
    '▼ slechter dan de rest' where the difference is beyond chance (after the correction),
    else '' (the same rule as `rest_words`)."""
    difference = row.get("rest_verschil")
    if difference is None or pd.isna(difference) or not bool(row.get("rest_afwijkend")):
        return ""
    direction = _better(difference, str(row.get("richting", "hoger_beter")))
    if direction == "beter":
        return "▲ beter dan de rest van het Rijk"
    if direction == "slechter":
        return "▼ slechter dan de rest van het Rijk"
    return "verschilt van de rest van het Rijk"


def rest_words(row: Mapping[Any, Any]) -> str:
    """The organisation against the rest of the Rijk (RIJK without it), in words."""
    difference = row.get("rest_verschil")
    if difference is None or pd.isna(difference):
        return "geen vergelijking"
    low, high = row["rest_onder"], row["rest_boven"]
    text = f"{_points(difference)} {_bracket(low, high)}"
    direction = _better(difference, str(row.get("richting", "hoger_beter")))
    if bool(row.get("rest_afwijkend")):
        return text + f": {direction}, verschil groter dan toeval"
    if low > 0 or high < 0:
        return text + (
            ": als losse vergelijking groter dan toeval, maar niet meer na correctie voor alle "
            "items van dit ministerie in deze golf (Benjamini–Hochberg)"
        )
    return text + ": niet groter dan toeval"


def headline_label(row: Mapping[Any, Any]) -> str:
    """'(bijna) nooit besproken in teamoverleg (lager is beter)': what the share counts."""
    label = str(row.get("kop_label") or "")
    richting = str(row.get("richting") or "")
    note = {"hoger_beter": "hoger is beter", "lager_beter": "lager is beter"}.get(richting)
    return f"{label} ({note})" if note else label


def hidden_text(row: Mapping[Any, Any]) -> str:
    """Why a figure is not shown: too few respondents, a sensitive small count, or hidden
    to protect a small group elsewhere (subtraction or the LP audit would recover it)."""
    if row.get("reden") == "bescherming":
        return PROTECTED
    if bool(row.get("gevoelig")):
        minimum = row.get("minimum_antwoord")
        return (
            sensitive_text(int(minimum)) if minimum is not None and pd.notna(minimum) else TOO_FEW
        )
    return TOO_FEW


def survey_item_table(own: pd.DataFrame, rijk: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """Per item: what the share counts, the chosen cell and RIJK with interval and n, the
    median, the rest of the Rijk, the change."""
    rows = []
    for item in items:
        mine, total = own.loc[item].to_dict(), rijk.loc[item].to_dict()
        neutral: str = (
            "–"
            if pd.isna(mine["aandeel_neutraal"])
            else f"{round(100 * mine['aandeel_neutraal'])}% / "
            f"{round(100 * mine['aandeel_weet_niet'])}%"
        )
        rows.append(
            {
                "item": item,
                "stelling": str(mine["stelling"]),
                "kopcijfer telt": headline_label(mine),
                "ministerie": share_text(
                    mine["aandeel"], mine["ondergrens"], mine["bovengrens"], mine["n"],
                    hidden_text(mine),
                ),
                "t.o.v. rest van het Rijk": rest_words(mine),
                "rijksbreed": share_text(
                    total["aandeel"], total["ondergrens"], total["bovengrens"], total["n"]
                ),
                "mediaan ministeries": "–"
                if pd.isna(mine["mediaan"])
                else f"{round(100 * mine['mediaan'])}%",
                "verandering": change_words(
                    mine["verschil"], bool(mine["significant"]), str(mine["vergeleken_met"]),
                    str(mine.get("richting", "hoger_beter")), bool(mine.get("andere_populatie")),
                    mine.get("verschil_onder"), mine.get("verschil_boven"),
                ),
                "neutraal / weet niet": neutral,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def key_item_table(key_items: pd.DataFrame) -> pd.DataFrame:
    """The ministry page's survey headlines against RIJK and the rest of the Rijk, each with
    interval and n."""
    records = key_items.to_dict("records")
    return pd.DataFrame(
        {
            "item": key_items.index,
            "stelling": key_items["stelling"],
            "kopcijfer telt": [headline_label(r) for r in records],
            "ministerie": [
                share_text(r["aandeel"], r["ondergrens"], r["bovengrens"], r["n"], hidden_text(r))
                for r in records
            ],
            # The verdict against the rest of the Rijk beside the figure it is about.
            "t.o.v. rest van het Rijk": [rest_words(r) for r in records],
            "rijksbreed": [
                share_text(
                    r["aandeel_rijk"], r["ondergrens_rijk"], r["bovengrens_rijk"], r["n_rijk"]
                )
                for r in records
            ],
        }
    )


def findings_table(findings: list[Any]) -> pd.DataFrame:
    """The command line's findings as a table: bestand, regel, kolom, melding."""
    return pd.DataFrame(
        [
            {
                "bestand": f.file,
                "regel": f.line or "",
                "kolom": f.column or "",
                "melding": f.message,
            }
            for f in findings
        ],
        columns=["bestand", "regel", "kolom", "melding"],
    )


def change_preview(submission: Any, current: pd.DataFrame) -> pd.DataFrame:
    """What storing would change against the current version, row by row.

    Norm scores: each norm's oordeel now and after; survey files: the counts per group
    and item, and whether they replace an existing version.
    """
    if submission.kind == "normscores":
        before = {
            (r["departement"], r["periode"], r["norm"]): r["oordeel"]
            for r in current.to_dict("records")
        }
        rows = []
        for record in submission.records:
            old = before.get((record.departement, record.periode, record.norm))
            rows.append(
                {
                    "departement": record.departement,
                    "periode": record.periode,
                    "norm": record.norm,
                    "huidig oordeel": old if old is not None else "(nog niets)",
                    "nieuw oordeel": record.oordeel,
                    "verandert": "ja" if old is not None and old != record.oordeel else
                    ("nieuw" if old is None else ""),
                }
            )  # fmt: skip
        return pd.DataFrame(rows)
    frame = pd.DataFrame([record._asdict() for record in submission.records]).drop(columns="line")
    # What a new version replaces: a whole (departement, periode) submission, or for kinds
    # versioned per row (agreements, coordination) the row with the same key.
    keyed = KEYED.get(submission.kind)
    key = list(keyed.key) if keyed else ["departement", "periode"]
    existing = set(current[key].itertuples(index=False, name=None)) if not current.empty else set()
    frame["vervangt bestaande versie"] = [
        "ja" if tuple(row) in existing else "nee"
        for row in frame[key].itertuples(index=False, name=None)
    ]
    return frame


def coordination_table(judgements: pd.DataFrame, norms: list[tuple[str, str, str]]) -> pd.DataFrame:
    """BZK's coordination norms (code, naam, omschrijving) with the verdict of each year in
    words, and the newest year's toelichting: a norm never judged in a year says so."""
    table = pd.DataFrame(norms, columns=["norm", "naam", "omschrijving"])
    years = sorted(int(y) for y in judgements["jaar"].unique()) if not judgements.empty else []
    for year in years:
        of_year = judgements[judgements["jaar"] == year].set_index("norm")["oordeel"]
        table[str(year)] = [
            LONG_LABELS[str(of_year[code])]
            if code in of_year.index
            else LONG_LABELS[NIET_BEOORDEELD]
            for code in table["norm"]
        ]
    if years:
        newest = judgements[judgements["jaar"] == years[-1]].set_index("norm")["toelichting"]
        table[f"toelichting {years[-1]}"] = [str(newest.get(code, "")) for code in table["norm"]]
    return table


def _werking_rows(cube: pd.DataFrame, code: str, jaar: int) -> pd.DataFrame:
    rows = cube[(cube["departement"] == code) & (cube["jaar"] == jaar) & (cube["soort"] == "alle")]
    return rows.set_index("maat")


KEY_FIGURES = {
    "meldingen": "Meldingen (gemeld)",
    "afgerond": "Onderzoeken afgerond",
    "gegrond": "Schending vastgesteld (gegrond)",
    "maatregelen": "Maatregel opgelegd",
    "aangiften": "Aangifte gedaan",
}


def werking_key_table(cube: pd.DataFrame, code: str, jaar: int) -> pd.DataFrame:
    """Key figures of how policy works for one organisation and year beside the Rijk's:
    counts in words (ranges where small counts are hidden) and rates per 1,000 employees
    with their interval. `cube` is the yearly read model of reports (`ReadModel.werking`)."""
    own, rijk = _werking_rows(cube, code, jaar), _werking_rows(cube, werking.RIJK, jaar)
    lines: list[tuple[str, str, str]] = []
    for maat, words in KEY_FIGURES.items():
        lines.append((words, _cell(own, maat, "tekst"), _cell(rijk, maat, "tekst")))
        if maat in ("meldingen", "gegrond"):
            lines.append((f"{words.split(' (')[0]} per 1.000 medewerkers (95%-interval)",
                          _rate(own, maat), _rate(rijk, maat)))  # fmt: skip
    lines.append(("Medewerkers (gemiddelde van de kwartalen)", _staff(own), _staff(rijk)))
    return pd.DataFrame(lines, columns=["cijfer", code, "Rijksbreed"])


def _cell(rows: pd.DataFrame, maat: str, column: str) -> str:
    return str(rows.loc[maat, column]) if maat in rows.index else "–"


def _rate(rows: pd.DataFrame, maat: str) -> str:
    if maat not in rows.index:
        return "–"
    return werking.rate_text(rows.loc[[maat]].iloc[0])


def _staff(rows: pd.DataFrame) -> str:
    if rows.empty or pd.isna(rows["medewerkers"].iloc[0]):
        return "– (geen omvang voor elk kwartaal)"
    return thousands(round(float(rows["medewerkers"].iloc[0])))


# The norms on the practice the werking figures show: norm -> the measures beside its verdict.
PRACTICE = {
    13: ("meldingen", "afgerond"),  # registration of reports
    14: ("gegrond", "maatregelen", "aangiften"),  # sanctioning
}


def practice_beside_verdicts(
    now: pd.DataFrame, reports: pd.DataFrame, norm: int, jaar: int
) -> pd.DataFrame:
    """Per organisation: its verdict on `norm` (long label) and the year's counts of the
    measures that show the practice (`PRACTICE`), in words; '–' where nothing was sent."""
    of_year = reports[(reports["jaar"] == jaar) & (reports["soort"] == werking.ALL)]
    table = pd.DataFrame({
        "organisatie": now["departement"].to_numpy(),
        "oordeel": [LONG_LABELS.get(str(s), str(s)) for s in now["staat"]],
    })  # fmt: skip
    for maat in PRACTICE[norm]:
        words = of_year[of_year["maat"] == maat].set_index("departement")["tekst"]
        table[f"{werking.CHAIN[maat]} ({jaar})"] = [str(words.get(c, "–"))
                                                     for c in table["organisatie"]]  # fmt: skip
    return table


def protection_price(cells: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """What the disclosure rule costs in one wave and group: a summary line and, per
    ministry, how many item figures are shown and how many hidden, and why (too few
    respondents, a sensitive small count, or to protect a small group elsewhere)."""
    ministries = cells[cells["departement"] != vocabulary.RIJK]
    reason = ministries["reden"].fillna("").astype(str)
    frame = pd.DataFrame(
        {
            "organisatie": ministries["departement"],
            "getoond": ~ministries["verborgen"].astype(bool),
            "te weinig respondenten": reason == "te_weinig",
            "gevoelig klein aantal": reason == "gevoelig",
            "ter bescherming van een kleine groep elders": reason == "bescherming",
        }
    )
    table = frame.groupby("organisatie", sort=True).sum().astype(int).reset_index()
    shown, total = int(frame["getoond"].sum()), len(frame)
    share = f"{100 * shown / total:.0f}%" if total else "–"
    line = (
        f"Getoond: {shown} van de {total} cijfers van ministeries ({share}); "
        f"verborgen omdat de groep zelf te klein is: {int(frame['te weinig respondenten'].sum())}, "
        f"om een klein aantal bij een meldvraag: {int(frame['gevoelig klein aantal'].sum())}, "
        "om een kleine groep elders te beschermen: "
        f"{int(frame['ter bescherming van een kleine groep elders'].sum())}."
    )
    return line, table


MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
)  # fmt: skip


def dutch_moment(value: Any) -> str:
    """'2 december 2026, 05:53' (local time as stored), '2 december 2026' for a date, or ''
    for nothing: how a person reads a moment, not ISO 8601."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return ""
    moment = pd.Timestamp(value)
    day = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    has_time = "T" in value if isinstance(value, str) else bool(moment.hour or moment.minute)
    return f"{day}, {moment:%H:%M}" if has_time else day


def due_table(due: pd.DataFrame) -> pd.DataFrame:
    """What an organisation still has to send, in words: the kind as the form names it, the
    deadline and arrival as dates a person reads."""
    from etl.domain.kinds import KINDS

    return pd.DataFrame({
        "wat": [KINDS[k].words for k in due["soort"]],
        "kwartaal": due["periode"],
        "uiterlijk": [dutch_moment(d) for d in due["termijn"]],
        "ontvangen": [dutch_moment(d) for d in due["ontvangen"]],
        "versies": due["versies"],
        "stand": due["status"],
    })  # fmt: skip


def own_loads_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """A lead's own loads in plain Dutch: when, by whom, which file, what it held and how it
    went; no fingerprint (a hash tells a person nothing)."""
    from etl.domain.kinds import KINDS

    words: dict[str, str] = {k: spec.words for k, spec in KINDS.items()}
    columns = {c.lower(): c for c in ledger.columns}
    when = ledger[columns.get("geladen op", columns.get("geladen_op", ledger.columns[0]))]
    kind = ledger[columns.get("soort", "soort")]
    return pd.DataFrame({
        "wanneer": [dutch_moment(v) for v in when],
        "door": ledger[columns.get("door", "door")],
        "bestand": ledger[columns.get("bestand", "bestand")],
        "wat": [words.get(str(k), str(k)) for k in kind],
        "over": ledger[columns.get("perioden", "perioden")],
        "uitkomst": ledger[columns.get("status", "status")],
    })  # fmt: skip
