"""The quarter's norm scores as a form: prefilled with the last judged verdicts, and the
one rule a form adds to a file's (a changed verdict needs its own toelichting). Pure.

Most verdicts do not change from one quarter to the next, so the form starts from the
newest verdict of each norm that was judged (voldoet, voldoet deels, voldoet niet, or
onbekend), taking a predecessor's when the organisation is new, with that quarter's
toelichting. What the form produces is a normscores CSV that goes through the same
validation, preview, writer, version and ledger as an uploaded file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from etl.domain import catalog, vocabulary
from etl.intake.findings import Finding

# What the form offers, in the order of the file's own words.
CHOICES = (*vocabulary.JUDGED, vocabulary.NIET_BEOORDEELD, vocabulary.ONBEKEND)
COLUMNS = ("departement", "periode", "norm", "oordeel", "toelichting")


def prefill(scores: pd.DataFrame, periode: str) -> pd.DataFrame:
    """Per norm of the catalogue: the quarter's own current version when there is one (a
    correction starts from what was sent), else the newest verdict before `periode` that
    is not niet beoordeeld; with its toelichting and its quarter (`uit`; empty when there
    is none). `scores` are the organisation's (and its predecessors') current norm scores."""
    own = scores[scores["periode"] == periode]
    if not own.empty:
        newest = own.set_index("norm")
    else:
        earlier = scores[(scores["periode"] < periode)
                         & (scores["oordeel"] != vocabulary.NIET_BEOORDEELD)]  # fmt: skip
        newest = earlier.sort_values("periode").groupby("norm").tail(1).set_index("norm")
    rows = []
    for norm in catalog.norms():
        if norm.nummer in newest.index:
            row = newest.loc[norm.nummer]
            rows.append((norm.nummer, str(row["oordeel"]), str(row["toelichting"]),
                         str(row["periode"])))  # fmt: skip
        else:
            rows.append((norm.nummer, vocabulary.NIET_BEOORDEELD, "", ""))
    return pd.DataFrame(rows, columns=["norm", "oordeel", "toelichting", "uit"])


def as_file(code: str, periode: str, filled: pd.DataFrame) -> pd.DataFrame:
    """The rows of the normscores file the form stands for (niet beoordeeld as an empty
    cell, as the contract writes it)."""
    return pd.DataFrame({
        "departement": code,
        "periode": periode,
        "norm": filled["norm"].astype(int),
        "oordeel": [("" if o == vocabulary.NIET_BEOORDEELD else o) for o in filled["oordeel"]],
        "toelichting": filled["toelichting"].fillna("").astype(str),
    })[list(COLUMNS)]  # fmt: skip


def changed_without_note(
    prefilled: pd.DataFrame, filled: pd.DataFrame, file: str, lines: list[int] | None = None
) -> list[Finding]:
    """A verdict that differs from the prefilled one needs a toelichting of its own: empty,
    or the old quarter's text unchanged, is refused (line: the norm's row in the file, or
    `lines` where the rows came from a file). One rule for the form and an uploaded file."""
    findings = []
    before = {int(r["norm"]): (str(r["oordeel"]), str(r["toelichting"]).strip())
              for r in prefilled.to_dict("records")}  # fmt: skip
    numbers = lines or list(range(2, len(filled) + 2))
    for line, row in zip(numbers, filled.to_dict("records"), strict=True):
        norm, verdict = int(row["norm"]), str(row["oordeel"])
        if norm not in before:
            continue
        old_verdict, old_note = before[norm]
        if verdict == old_verdict:
            continue
        note = str(row["toelichting"] or "").strip()
        if note and note != old_note:
            continue
        message = (
            f"Norm {norm}: het oordeel is gewijzigd (van {old_verdict} naar {verdict}); "
            "schrijf in de toelichting waarom."
        )
        findings.append(Finding(file, line, "toelichting", "wijziging_zonder_toelichting", message))
    return findings


def uploaded_changes_without_note(
    records: list[object], prefill_of: Callable[[str, str], pd.DataFrame], file: str
) -> list[Finding]:
    """`changed_without_note` for an uploaded normscores file: per (departement, periode)
    in it, against the form's prefill of that quarter, each finding on the record's line."""
    findings: list[Finding] = []
    groups: dict[tuple[str, str], list[Any]] = {}
    for record in records:
        groups.setdefault((record.departement, record.periode), []).append(record)  # type: ignore[attr-defined]
    for (code, periode), rows in groups.items():
        filled = pd.DataFrame({
            "norm": [r.norm for r in rows],
            "oordeel": [r.oordeel for r in rows],
            "toelichting": [r.toelichting for r in rows],
        })  # fmt: skip
        findings += changed_without_note(prefill_of(code, periode), filled, file,
                                         [r.line for r in rows])  # fmt: skip
    return findings
