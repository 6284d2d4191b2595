"""The kinds of submission file and their columns, and recognising a kind from a header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["normscores", "enquete", "respons"]


@dataclass(frozen=True)
class KindSpec:
    """Columns of one kind of file, in the contract's order."""

    name: Kind
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

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
        "normscores", ("departement", "periode", "norm", "oordeel"), ("toelichting", "bron")
    ),
    "enquete": KindSpec(
        "enquete", ("departement", "periode", "groep", "item", "antwoord", "aantal")
    ),
    "respons": KindSpec(
        "respons", ("departement", "periode", "groep", "uitgenodigd", "deelgenomen")
    ),
}


def detect_kind(columns: set[str]) -> KindSpec | None:
    """The kind whose distinctive columns the header shares most; None when nothing fits.

    `departement` and `periode` are in every kind, so only the other columns count:
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
