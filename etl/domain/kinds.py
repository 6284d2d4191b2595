"""The kinds of submission file: one registry entry per kind, and recognising a kind.

Each entry says everything the rest of the product needs to know of a kind: what a file
holds (the contract's columns, which are also the columns it exports with), how it is
checked (its validator), how often it comes (cadence), its Dutch words, where its rows are
stored (the table, the record attributes, the view of the current versions), how its
versions are keyed, which derived tables a load must refresh after it, and whether a
version can be withdrawn. Adding a kind is an entry here and the kind's own validator
module; `tests/test_kinds.py` fails where any other place lists kinds by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Kind = Literal[
    "normscores", "enquete", "respons", "afspraken", "coordinatie", "meldingen", "omvang",
    "vertrouwenspersonen", "maatregelen", "jaarcijfers",
]  # fmt: skip


# The handling chain of reports, in the contract's order (kind `meldingen`).
REPORT_MEASURES = ("meldingen", "onderzoeken", "afgerond", "gegrond", "maatregelen", "aangiften")
# The outcomes beside "gegrond" that annual reports publish: optional, absent = not reported.
REPORT_OUTCOMES = ("ongegrond", "niet_vast_te_stellen", "zonder_onderzoek")


# How often a kind comes: every quarter from every organisation, in a survey wave's
# quarter, or whenever something changes (versioned per key, not per quarter).
Cadence = Literal["kwartaal", "golf", "per_sleutel"]
# The derived tables a load refreshes after storing a kind (see `etl.store.derive`).
Derived = Literal["normen", "enquete", "werking"]
# A kind's checks: rows, file name, today, the verdict vocabulary and whether every row
# was read (a cut-off file skips the checks that need all of them) → records, findings.
Validator = Callable[[Sequence[Any], str, date, Any, bool], tuple[Sequence[Any], list[Any]]]


@dataclass(frozen=True)
class Keyed:
    """A kind versioned per key (an agreement's id, a year's norm), not per quarter: which
    columns make the key, which the content, and how a finding names one record."""

    key: tuple[str, ...]
    content: tuple[str, ...]
    label: Callable[[Any], str]

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, "version", *self.content, "load_id", "sha256", "line")


@dataclass(frozen=True)
class KindSpec:
    """One kind of file (see the module's docstring)."""

    name: Kind
    required: tuple[str, ...]
    optional: tuple[str, ...]
    table: str  # the table its records go to
    stored: tuple[str, ...]  # the record attributes stored there (besides submission_id)
    current_view: str  # the view holding the newest version of every (departement, periode)
    words: str  # what the file holds, in Dutch, as a reminder or a form names it
    cadence: Cadence
    validator: str  # "module:function", a `Validator` (imported when used: no import cycle)
    derives: Derived | None = None
    keyed: Keyed | None = None
    # For the counts of how policy works: the column that splits them, and the measures.
    werking_key: str | None = None
    werking_measures: tuple[str, ...] = ()
    count_form: str | None = None  # a form of a few numbers on Aanleveren, under this name
    # A count per code of a catalogue, as the form asks it: the code's column, the catalogue
    # ("etl.domain.catalog" function), the count's column and the word before each code's name.
    counted_per: tuple[str, str, str, str] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def withdrawable(self) -> bool:
        """Versions per (departement, periode) can be withdrawn; keyed kinds keep every
        version of each record and take a new version instead."""
        return self.keyed is None

    def validate(self) -> Validator:
        module, function = self.validator.split(":")
        checks: Validator = getattr(importlib.import_module(module), function)
        return checks

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
        words="de oordelen op de vijftien normen",
        cadence="kwartaal",
        validator="etl.intake.validate:validate_normscores",
        derives="normen",
    ),
    "enquete": KindSpec(
        "enquete",
        ("departement", "periode", "groep", "item", "antwoord", "aantal"),
        (),
        table="survey_counts",
        stored=("departement", "periode", "groep", "item", "antwoord", "aantal", "line"),
        current_view="current_survey_counts",
        words="de antwoorden op de medewerkersenquête",
        cadence="golf",
        validator="etl.intake.validate_survey:validate_enquete",
        derives="enquete",
    ),
    "respons": KindSpec(
        "respons",
        ("departement", "periode", "groep", "uitgenodigd", "deelgenomen"),
        (),
        table="survey_response",
        stored=("departement", "periode", "groep", "uitgenodigd", "deelgenomen", "line"),
        current_view="current_survey_response",
        words="de respons op de medewerkersenquête",
        cadence="golf",
        validator="etl.intake.validate_survey:validate_respons",
        derives="enquete",
        count_form="Respons op de enquête",
    ),
    # Agreements are versioned per (departement, id), not per quarter (see etl.store.load).
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
        words="de afspraken met BZK",
        cadence="per_sleutel",
        validator="etl.intake.validate_agreements:validate_agreements",
        keyed=Keyed(
            ("departement", "id"),
            ("norm", "afspraak", "vastgesteld", "gremium", "gereed", "status", "toelichting"),
            lambda record: f"afspraak {record.id}",
        ),
    ),
    # BZK's yearly judgement of its own coordinating role: versioned per (jaar, norm).
    "coordinatie": KindSpec(
        "coordinatie",
        ("departement", "jaar", "norm", "oordeel"),
        ("toelichting", "bron"),
        table="coordination",
        stored=("departement", "jaar", "norm", "oordeel", "toelichting", "bron", "line"),
        current_view="current_coordination",
        words="het oordeel van BZK over de eigen coördinerende rol",
        cadence="per_sleutel",
        validator="etl.intake.validate_coordination:validate_coordination",
        keyed=Keyed(
            ("departement", "jaar", "norm"),
            ("oordeel", "toelichting", "bron"),
            lambda record: f"{record.jaar} norm {record.norm}",
        ),
    ),
    # How integrity policy works in practice (contract kinds 5-7).
    "meldingen": KindSpec(
        "meldingen",
        ("departement", "periode", "soort", *REPORT_MEASURES),
        REPORT_OUTCOMES,
        table="reports",
        stored=("departement", "periode", "soort", *REPORT_MEASURES, "line", *REPORT_OUTCOMES),
        current_view="current_reports",
        words="de meldingen en hun afhandeling",
        cadence="kwartaal",
        validator="etl.intake.validate_werking:validate_meldingen",
        derives="werking",
        werking_key="soort",
        werking_measures=REPORT_MEASURES,
    ),
    "omvang": KindSpec(
        "omvang",
        ("departement", "periode", "medewerkers"),
        ("reikwijdte",),
        table="headcount",
        stored=("departement", "periode", "medewerkers", "line", "reikwijdte"),
        current_view="current_headcount",
        words="het aantal medewerkers",
        cadence="kwartaal",
        validator="etl.intake.validate_werking:validate_omvang",
        derives="werking",
        count_form="Omvang (medewerkers)",
    ),
    "vertrouwenspersonen": KindSpec(
        "vertrouwenspersonen",
        ("departement", "periode", "onderwerp", "gesprekken"),
        (),
        table="adviser_talks",
        stored=("departement", "periode", "onderwerp", "gesprekken", "line"),
        current_view="current_adviser_talks",
        words="de gesprekken met vertrouwenspersonen",
        cadence="kwartaal",
        validator="etl.intake.validate_werking:validate_vertrouwenspersonen",
        derives="werking",
        werking_key="onderwerp",
        werking_measures=("gesprekken",),
        count_form="Gesprekken met vertrouwenspersonen",
        counted_per=("onderwerp", "adviser_subjects", "gesprekken", "Gesprekken"),
    ),
    # Measures by kind after an established violation (contract kind 8).
    "maatregelen": KindSpec(
        "maatregelen",
        ("departement", "periode", "maatregel", "aantal"),
        (),
        table="measures",
        stored=("departement", "periode", "maatregel", "aantal", "line"),
        current_view="current_measures",
        words="de opgelegde maatregelen per soort",
        cadence="kwartaal",
        validator="etl.intake.validate_werking:validate_maatregelen",
        derives="werking",
        werking_key="maatregel",
        werking_measures=("aantal",),
        count_form="Opgelegde maatregelen",
        counted_per=("maatregel", "measures", "aantal", "Opgelegd"),
    ),
    # Yearly counts (contract kind 9): versioned per (departement, jaar, onderwerp).
    "jaarcijfers": KindSpec(
        "jaarcijfers",
        ("departement", "jaar", "onderwerp", "aantal"),
        (),
        table="year_figures",
        stored=("departement", "jaar", "onderwerp", "aantal", "line"),
        current_view="current_year_figures",
        words="de jaarcijfers (vertrouwenspersonen, eden, trainingen, misstanden, klachten)",
        cadence="per_sleutel",
        validator="etl.intake.validate_werking:validate_jaarcijfers",
        keyed=Keyed(
            ("departement", "jaar", "onderwerp"),
            ("aantal",),
            lambda record: f"{record.jaar} {record.onderwerp}",
        ),
        count_form="Jaarcijfers",
        counted_per=("onderwerp", "year_subjects", "aantal", "Aantal"),
    ),
}
# The free-text columns: stored as typed, any script. Every other column holds a value of
# the contract's own vocabulary (codes, quarters, numbers, dates), written in ASCII.
FREE_TEXT = frozenset({"toelichting", "afspraak", "gremium"})

# What every organisation sends every quarter (the survey only in a wave's quarter).
EVERY_QUARTER: tuple[Kind, ...] = tuple(k for k, s in KINDS.items() if s.cadence == "kwartaal")
# Kinds whose versions are per (departement, periode) submission: these can be withdrawn.
QUARTERLY: tuple[Kind, ...] = tuple(k for k, s in KINDS.items() if s.withdrawable)
# The counts of how policy works, split by a key (reports by type, talks by subject).
WERKING: tuple[Kind, ...] = tuple(k for k, s in KINDS.items() if s.werking_key)


def deriving(derived: Derived) -> frozenset[str]:
    """The kinds a derived table comes from: a load storing one refreshes it."""
    return frozenset(k for k, s in KINDS.items() if s.derives == derived)


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
