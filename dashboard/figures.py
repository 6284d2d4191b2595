"""Survey answers shaped for charts and tables: pure functions of the read model's frames.

No Streamlit and no database: the Enquête page, the ministry page and the papers call
these on what `dashboard.queries` (or the read model) returned.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard import tables
from etl.domain import catalog, vocabulary


def survey_item_order() -> list[str]:
    """Items in catalogue order."""
    return [item.item for item in catalog.survey_items()]


def items_by_block(items: list[str]) -> dict[str, list[str]]:
    """The given items grouped by block, blocks in catalogue order."""
    blocks: dict[str, list[str]] = {}
    by_code = {item.item: item for item in catalog.survey_items()}
    for code in items:
        blocks.setdefault(by_code[code].blok, []).append(code)
    return blocks


def _item_label(code: str, statement: str) -> str:
    return f"{code} {statement}"


def with_item_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Add 'VBG1 Mijn leidinggevende …' labels and the statement, for charts."""
    statements = {item.item: item.stelling for item in catalog.survey_items()}
    headlines = {item.item: item.kop for item in catalog.survey_items()}
    return frame.assign(
        stelling=frame["item"].map(statements),
        itemlabel=[_item_label(i, statements[i]) for i in frame["item"]],
        kopcijfer=frame["item"].map(headlines),
    )


def interval_points(cells: pd.DataFrame, code: str, items: list[str]) -> pd.DataFrame:
    """Points for the interval chart: the ministry, RIJK and the median, shown figures only."""
    rows = []
    for item in items:
        for series, who in (("ministerie", code), ("rijksbreed", vocabulary.RIJK)):
            match = cells[(cells["departement"] == who) & (cells["item"] == item)]
            if match.empty or bool(match["verborgen"].iloc[0]):
                continue
            row = match.iloc[0]
            rows.append(
                {
                    "item": item,
                    "reeks": series if who != code or code != vocabulary.RIJK else "rijksbreed",
                    "aandeel": row["aandeel"],
                    "ondergrens": row["ondergrens"],
                    "bovengrens": row["bovengrens"],
                    "n": row["n"],
                    "tekst": f"{round(100 * row['aandeel'])}% (n = {int(row['n'])})",
                    # Against the rest of the Rijk, marked beside the ministry's own point.
                    "teken": tables.rest_mark(row.to_dict())
                    if series == "ministerie" and who != (vocabulary.RIJK)
                    else "",
                }
            )
        median = cells.loc[cells["item"] == item, "mediaan"].dropna()
        if not median.empty:
            value = float(median.iloc[0])
            rows.append(
                {
                    "item": item,
                    "reeks": "mediaan ministeries",
                    "aandeel": value,
                    "ondergrens": value,
                    "bovengrens": value,
                    "n": math.nan,
                    "tekst": f"{round(100 * value)}%",
                    "teken": "",
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    if code == vocabulary.RIJK:
        frame = frame.drop_duplicates(["item", "reeks"])
    return with_item_labels(frame)


def block_pairs(blocks: pd.DataFrame) -> pd.DataFrame:
    """Per ministry with both shown: the cultuur and voorbeeldgedrag block scores.

    `blocks` holds one wave and group (`survey_blocks`).
    """
    if blocks.empty:
        return pd.DataFrame(columns=["departement", "cultuur", "voorbeeldgedrag"])
    chosen = blocks[blocks["departement"] != vocabulary.RIJK]
    wide = chosen.pivot(index="departement", columns="blok", values="score")
    if not {"cultuur", "voorbeeldgedrag"} <= set(wide.columns):
        return pd.DataFrame(columns=["departement", "cultuur", "voorbeeldgedrag"])
    return wide[["cultuur", "voorbeeldgedrag"]].dropna().reset_index()
