"""Tables of text for the screens: figures formatted the Dutch way, hidden ones said so.

Pure functions (DataFrame in, DataFrame of display text out), so every figure that
reaches the screen passes through one place that adds its n and interval.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

TOO_FEW = "te weinig respondenten"
INTERVAL_NOTE = (
    "Aandeel met 95%-interval (Wilson) en n, het aantal respondenten op het item. Het interval "
    "neemt aan dat de respondenten een aselecte steekproef zijn van wie is uitgenodigd; bij een "
    "respons rond 22% is dat een aanname: vertekening door wie niet antwoordde, ziet het "
    "interval niet. Rijksbreed telt alle respondenten samen (gewogen naar respondenten)."
)


def thousands(n: Any) -> str:
    """4446 → '4.446', the Dutch way."""
    return f"{int(n):,}".replace(",", ".")


def share_text(share: Any, low: Any, high: Any, n: Any) -> str:
    """'76% (74–78%), n = 4.446', or 'te weinig respondenten' for a hidden figure."""
    if pd.isna(share):
        return TOO_FEW
    interval = f"{round(100 * low)}–{round(100 * high)}%"
    return f"{round(100 * share)}% ({interval}), n = {thousands(n)}"


def change_words(difference: Any, significant: bool, compared: str) -> str:
    """The change in percentage points, saying whether it is significant."""
    if pd.isna(difference):
        return "geen vergelijking"
    points = f"{'+' if difference > 0 else ''}{round(100 * difference)} procentpunt"
    verdict = "significant" if significant else "niet significant"
    return f"{points} t.o.v. {compared} ({verdict})"


def survey_item_table(own: pd.DataFrame, rijk: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """Per item: the chosen cell and RIJK with interval and n, the median, the change."""
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
                "ministerie": share_text(
                    mine["aandeel"], mine["ondergrens"], mine["bovengrens"], mine["n"]
                ),
                "rijksbreed": share_text(
                    total["aandeel"], total["ondergrens"], total["bovengrens"], total["n"]
                ),
                "mediaan ministeries": "–"
                if pd.isna(mine["mediaan"])
                else f"{round(100 * mine['mediaan'])}%",
                "verandering": change_words(
                    mine["verschil"], bool(mine["significant"]), str(mine["vergeleken_met"])
                ),
                "neutraal / weet niet": neutral,
            }
        )
    return pd.DataFrame(rows)


def key_item_table(key_items: pd.DataFrame) -> pd.DataFrame:
    """The ministry page's survey headlines against RIJK, each with interval and n."""
    return pd.DataFrame(
        {
            "item": key_items.index,
            "stelling": key_items["stelling"],
            "ministerie": [
                share_text(r["aandeel"], r["ondergrens"], r["bovengrens"], r["n"])
                for r in key_items.to_dict("records")
            ],
            "rijksbreed": [
                share_text(
                    r["aandeel_rijk"], r["ondergrens_rijk"], r["bovengrens_rijk"], r["n_rijk"]
                )
                for r in key_items.to_dict("records")
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
    existing = {(r["departement"], r["periode"]) for r in current.to_dict("records")}
    frame["vervangt bestaande versie"] = [
        "ja" if (d, p) in existing else "nee"
        for d, p in zip(frame["departement"], frame["periode"], strict=True)
    ]
    return frame
