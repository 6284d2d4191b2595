"""The domain's words and rules in one place: oordeel states, onderdelen, sources, share met.

Every screen, PDF, export and the command line take these words and this one
"share met" rule from here (as dlt keeps its contract words in one typed module),
so a rule cannot drift apart between a heatmap and a meeting paper. Pure: no
Streamlit, no database.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

import numpy as np
import pandas as pd

Oordeel = Literal["voldoet", "voldoet deels", "voldoet niet", "niet beoordeeld", "onbekend"]
State = Literal[
    "voldoet",
    "voldoet deels",
    "voldoet niet",
    "niet beoordeeld",
    "onbekend",
    "niet aangeleverd",
    "nog open",
]

VOLDOET: Final[Oordeel] = "voldoet"
DEELS: Final[Oordeel] = "voldoet deels"
NIET: Final[Oordeel] = "voldoet niet"
# The source judged nothing: the ministry left the norm empty.
NIET_BEOORDEELD: Final[Oordeel] = "niet beoordeeld"
# The source judged the norm but did not publish the verdict (the Court's 2023 norms
# 4, 5, 6, 13 and 14): not the same as niet beoordeeld, and never a verdict either.
ONBEKEND: Final[Oordeel] = "onbekend"
# No file for the quarter: after its deadline missing, before it still open.
NIET_AANGELEVERD: Final[State] = "niet aangeleverd"
NOG_OPEN: Final[State] = "nog open"
# What a reminder is about: nothing stored yet, whether the deadline has passed or not.
STILL_OPEN: Final[tuple[State, ...]] = (NOG_OPEN, NIET_AANGELEVERD)

JUDGED: Final = (VOLDOET, DEELS, NIET)
OORDELEN: Final = (*JUDGED, NIET_BEOORDEELD, ONBEKEND)
STATES: Final = (*OORDELEN, NIET_AANGELEVERD, NOG_OPEN)
# What became of an agreement (contract kind 4); the first two are "under way".
AGREEMENT_STATES: Final = ("open", "in uitvoering", "afgerond", "vervallen")
# The organisation that coordinates integrity policy for the sector Rijk (Ambtenarenwet
# 2017) and judges its own coordinating role each year (kind `coordinatie`).
COORDINATOR: Final = "BZK"
# The code of the government-wide row (all ministries together) in every table and file:
# reserved in the catalogue, never an organisation's own code.
RIJK: Final = "RIJK"
# Whom an organisation's counts of how policy works cover (kind 6, column `reikwijdte`).
SCOPES: Final[dict[str, str]] = {
    "kerndepartement": "het kerndepartement",
    "ministerie": "het hele ministerie, met zijn agentschappen en diensten",
}
SCORES: Final[dict[str, int]] = {VOLDOET: 2, DEELS: 1, NIET: 0}
STATE_OF_SCORE: Final = {score: state for state, score in SCORES.items()}

# How a state is written where space is short (heatmap cells) and in full (tables).
SHORT_LABELS: Final[dict[str, str]] = {
    VOLDOET: "ja",
    DEELS: "deels",
    NIET: "nee",
    NIET_BEOORDEELD: "n.b.",
    ONBEKEND: "onb.",
    NIET_AANGELEVERD: "—",
    NOG_OPEN: "open",
}
LONG_LABELS: Final[dict[str, str]] = {
    VOLDOET: "voldoet",
    DEELS: "voldoet deels",
    NIET: "voldoet niet",
    NIET_BEOORDEELD: "niet beoordeeld",
    ONBEKEND: "onbekend (niet gepubliceerd)",
    NIET_AANGELEVERD: "niet aangeleverd",
    NOG_OPEN: "nog open (termijn loopt)",
}

# What the file may write in `oordeel` (any case, spaces squeezed) → the state stored.
OORDEEL_INPUT: Final = {
    "voldoet": VOLDOET,
    "2": VOLDOET,
    "voldoet deels": DEELS,
    "1": DEELS,
    "voldoet niet": NIET,
    "0": NIET,
    "": NIET_BEOORDEELD,
    "niet beoordeeld": NIET_BEOORDEELD,
    "onbekend": ONBEKEND,
}

# The three parts the Court groups its norms in. Not "pijlers": the Court keeps that
# word for structuur (hard controls) and cultuur (soft controls).
Onderdeel = Literal["preventie", "detectie", "respons"]
ONDERDELEN: Final = ("preventie", "detectie", "respons")

# Who judged a quarter (schemas/bronnen.csv): the Court's audit or the ministry itself.
BRON_AUDIT: Final = "AR"
BRON_ZELF: Final = "zelf"

# A submission against its deadline (Aanleverstatus): on time, late, or without a file
# nog open / niet aangeleverd as above.
OP_TIJD: Final = "op tijd"
TE_LAAT: Final = "te laat"

# Symbols beside a state: a change against the last *judged* verdict, and a verdict
# that became niet beoordeeld (it can hide a regression and raises the share met).
BETTER_MARK: Final = "▲"
WORSE_MARK: Final = "▼"
UNJUDGED_MARK: Final = "○"
LEGEND_TEXT: Final = (
    "ja = voldoet · deels = voldoet deels · nee = voldoet niet · n.b. = niet beoordeeld · "
    "onb. = onbekend (beoordeeld, niet gepubliceerd) · — = niet aangeleverd · "
    "open = nog open (termijn loopt) · ▲/▼ = beter/slechter dan het laatste oordeel · "
    "○ = was beoordeeld, nu niet beoordeeld"
)


def score_of(state: str) -> int | None:
    """2, 1, 0 for a verdict; None for every state that is not one."""
    return SCORES.get(state)


def states(oordeel: pd.Series, submitted: pd.Series, open_: pd.Series | None = None) -> pd.Series:
    """The visible state of each cell: its oordeel, or why there is none.

    `oordeel` holds the stored words (NaN where nothing was submitted); a cell without a
    submission is nog open while the quarter's deadline has not passed.
    """
    known = oordeel.where(oordeel.isin(OORDELEN), NIET_BEOORDEELD)
    missing = pd.Series(NIET_AANGELEVERD, index=oordeel.index)
    if open_ is not None:
        missing = missing.where(~open_.astype(bool), NOG_OPEN)
    return known.where(submitted.astype(bool), missing).astype(str)


def met_and_judged(staat: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: does it count as met, and as judged? The rule behind every share met."""
    values = staat.to_numpy(dtype=object)
    judged = np.isin(values, JUDGED)
    return judged & (values == VOLDOET), judged


def share_met(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: norms met (`voldaan`), norms judged (`beoordeeld`), and the share met.

    The one rule for every screen, paper and export: a share met divides by the norms
    actually judged (voldoet, voldoet deels, voldoet niet). Niet beoordeeld, onbekend,
    niet aangeleverd and nog open are left out, never counted as zero. Groups with no
    judged norm keep their row with `aandeel` NaN, so a screen says "–", not 0%.
    `frame` needs a `staat` column (see `states`).
    """
    met, judged = met_and_judged(frame["staat"])
    counted = frame.assign(voldaan=met.astype(int), beoordeeld=judged.astype(int))
    if not by:
        result = pd.DataFrame({"voldaan": [int(met.sum())], "beoordeeld": [int(judged.sum())]})
    else:
        result = counted.groupby(by, as_index=False, sort=False)[["voldaan", "beoordeeld"]].sum()
    result["aandeel"] = result["voldaan"] / result["beoordeeld"].where(result["beoordeeld"] > 0)
    return result


def share_text(met: int, judged: int) -> str:
    """'9 van 13 (69%)', or '– (geen norm beoordeeld)' when nothing was judged."""
    if judged == 0:
        return "– (geen norm beoordeeld)"
    return f"{met} van {judged} ({round(100 * met / judged)}%)"


def count_label(met: int, judged: int) -> str:
    """A cell-sized share: '9/13' for a few ministries, a percentage for hundreds of
    organisations (where '168/395' no longer fits a cell), '–' when nothing was judged."""
    if judged == 0:
        return "–"
    if judged < 100:
        return f"{met}/{judged}"
    return f"{round(100 * met / judged)}%"


def change_mark(change: float, unjudged_now: bool = False) -> str:
    """▲ better, ▼ worse than the last judged verdict; ○ when the verdict became n.b."""
    if unjudged_now:
        return " " + UNJUDGED_MARK
    if pd.isna(change) or change == 0:
        return ""
    return f" {BETTER_MARK}" if change > 0 else f" {WORSE_MARK}"


def change_text(change: float, unjudged_now: bool = False) -> str:
    """The change in words, for tooltips and tables."""
    if unjudged_now:
        return "was beoordeeld, nu niet beoordeeld"
    if pd.isna(change):
        return "geen vergelijking"
    if change == 0:
        return "gelijk"
    return "beter" if change > 0 else "slechter"


def submission_status(received: date | float | None, deadline: date, today: date) -> str:
    """On time, late, or — without a file — nog open before the deadline, else niet
    aangeleverd. The one rule for the overview, Aanleverstatus and the papers."""
    if isinstance(received, date):
        return OP_TIJD if received <= deadline else TE_LAAT
    return NOG_OPEN if today <= deadline else NIET_AANGELEVERD
