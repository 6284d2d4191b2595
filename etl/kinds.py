"""The kinds of submission file: one registry entry per kind, and recognising a kind.

Each entry says what a file of the kind holds (the contract's columns, which are also the
columns it exports with), where its rows are stored (the table, the record attributes
stored there, the view of the current versions). Validation per kind lives in
`etl.validate`, keyed on the same names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "normscores", "enquete", "respons", "afspraken", "coordinatie", "meldingen", "omvang",
    "vertrouwenspersonen",
]  # fmt: skip


# The handling chain of reports, in the contract's order (kind `meldingen`).
REPORT_MEASURES = ("meldingen", "onderzoeken", "afgerond", "gegrond", "maatregelen", "aangiften")


@dataclass(frozen=True)
class KindSpec:
    """One kind of file: its columns in the contract's order, and where it is stored."""

    name: Kind
    required: tuple[str, ...]
    optional: tuple[str, ...]
    table: str  # the table its records go to
    stored: tuple[str, ...]  # the record attributes stored there (besides submission_id)
    current_view: str  # the view holding the newest version of every (departement, periode)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def describe(self) -> str:
        """Dutch description of the columns, for messages."""
        text = ", ".join(self.required)
        if self.optional:
            text += " (en optioneel " + ", ".join(self.optional) + ")"
        return text


KINDS: dict[Kind, KindSpec] = {
    "normscores": KindSpec(
        "normscores",
        ("departement", "periode", "norm", "oordeel"),
        ("toelichting", "bron"),
        table="normscores",
        stored=(
            "departement",
            "periode",
            "norm",
            "score",
            "oordeel",
            "toelichting",
            "bron",
            "line",
        ),
        current_view="current_normscores",
    ),
    "enquete": KindSpec(
        "enquete",
        ("departement", "periode", "groep", "item", "antwoord", "aantal"),
        (),
        table="survey_counts",
        stored=("departement", "periode", "groep", "item", "antwoord", "aantal", "line"),
        current_view="current_survey_counts",
    ),
    "respons": KindSpec(
        "respons",
        ("departement", "periode", "groep", "uitgenodigd", "deelgenomen"),
        (),
        table="survey_response",
        stored=("departement", "periode", "groep", "uitgenodigd", "deelgenomen", "line"),
        current_view="current_survey_response",
    ),
    # Agreements are versioned per (departement, id), not per quarter (see etl.load).
    "afspraken": KindSpec(
        "afspraken",
        ("id", "departement", "afspraak", "vastgesteld", "gereed", "status"),
        ("norm", "gremium", "toelichting"),
        table="agreements",
        stored=(
            "departement",
            "id",
            "norm",
            "afspraak",
            "vastgesteld",
            "gremium",
            "gereed",
            "status",
            "toelichting",
            "line",
        ),
        current_view="current_agreements",
    ),
    # BZK's yearly judgement of its own coordinating role: versioned per (jaar, norm).
    "coordinatie": KindSpec(
        "coordinatie",
        ("departement", "jaar", "norm", "oordeel"),
        ("toelichting", "bron"),
        table="coordination",
        stored=("departement", "jaar", "norm", "oordeel", "toelichting", "bron", "line"),
        current_view="current_coordination",
    ),
    # How integrity policy works in practice (contract kinds 5-7).
    "meldingen": KindSpec(
        "meldingen",
        ("departement", "periode", "soort", *REPORT_MEASURES),
        (),
        table="reports",
        stored=("departement", "periode", "soort", *REPORT_MEASURES, "line"),
        current_view="current_reports",
    ),
    "omvang": KindSpec(
        "omvang",
        ("departement", "periode", "medewerkers"),
        (),
        table="headcount",
        stored=("departement", "periode", "medewerkers", "line"),
        current_view="current_headcount",
    ),
    "vertrouwenspersonen": KindSpec(
        "vertrouwenspersonen",
        ("departement", "periode", "onderwerp", "gesprekken"),
        (),
        table="adviser_talks",
        stored=("departement", "periode", "onderwerp", "gesprekken", "line"),
        current_view="current_adviser_talks",
    ),
}
# The free-text columns: stored as typed, any script. Every other column holds a value of
# the contract's own vocabulary (codes, quarters, numbers, dates), written in ASCII.
FREE_TEXT = frozenset({"toelichting", "afspraak", "gremium"})

# What every organisation sends every quarter (the survey only in a wave's quarter).
EVERY_QUARTER: tuple[Kind, ...] = ("normscores", "meldingen", "omvang", "vertrouwenspersonen")
# Kinds whose versions are per (departement, periode) submission.
QUARTERLY: tuple[Kind, ...] = (
    "normscores", "enquete", "respons", "meldingen", "omvang", "vertrouwenspersonen",
)  # fmt: skip


def detect_kind(columns: set[str]) -> KindSpec | None:
    """The kind whose distinctive columns the header shares most; None when nothing fits.

    `departement` is in every kind, so only the other columns count:
    a header with a typo in one column still gets recognised, and then gets a
    precise message about that column instead of "fits no kind".
    """
    common = set.intersection(*(set(spec.columns) for spec in KINDS.values()))

    def score(spec: KindSpec) -> tuple[int, int]:
        distinctive = set(spec.columns) - common
        return len(distinctive & columns), -len(set(spec.required) - columns)

    best = max(KINDS.values(), key=score)
    return best if score(best)[0] > 0 else None


def expected_columns_message() -> str:
    """Dutch list of every kind's columns, for a file that fits none."""
    parts = [f"{spec.name}: {spec.describe()}" for spec in KINDS.values()]
    return "Verwachte kolommen per soort — " + "; ".join(parts) + "."
