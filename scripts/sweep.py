"""The disclosure sweep (`make sweep`): seeded random survey waves, each planned and then
attacked by the LP adversary as the outsider, as every ministry's lead, and with two
publications of the wave side by side (before and after one ministry resubmits). Prints
what it found and the plan's time; the last line is `SWEEP tables=... exposures=...`.

`make test` runs a few of the same tables (fixed seeds, `tests/test_adversary.py`); this is
the wider net, with figures for docs/explanation.md. `SWEEP_SEED` and `SWEEP_TABLES` change it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.domain import adversary, survey
from etl.domain.publication import GROUP_ITEM, Plan, Republished

WAVE = "2025-Q4"
ITEMS = ("VBG1", "MEL1", "MEL2")
ANSWERS = {str(i): list(rows["antwoord"]) for i, rows in survey.scale_frame().groupby("item")}
THRESHOLD = 10
DEFAULT_SEED = 20261202


def _group_rows(
    rng: np.random.Generator, code: str, group: str, n: int
) -> list[tuple[str, str, str, str, str, int]]:
    """One group's answers to every item, `n` respondents split at random (MEL2 asked to
    MEL1's "ja")."""
    rows, yes = [], 0
    for item in ITEMS:
        total = yes if item == "MEL2" else n
        answers = ANSWERS[item]
        cut = sorted(int(v) for v in rng.integers(0, total + 1, len(answers) - 1))
        values = [b - a for a, b in zip([0, *cut], [*cut, total], strict=True)]
        if item == "MEL1":
            yes = values[answers.index("ja")]
        rows += [(code, WAVE, group, item, a, v) for a, v in zip(answers, values, strict=True)]
    return rows


def random_wave(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """2 to 5 ministries, two groups of up to 300 and 30 respondents, three items (MEL2
    asked to MEL1's "ja"), answers split at random: many small cells and zeros."""
    rows, people = [], []
    for m in range(int(rng.integers(2, 6))):
        code = f"M{m}"
        for group, top in (("medewerkers", 300), ("leidinggevenden", 30)):
            n = int(rng.integers(0, top + 1))
            people.append((code, WAVE, group, n * 4, n))
            rows += _group_rows(rng, code, group, n)
    counts = pd.DataFrame(rows, columns=[*survey.CELL, "antwoord", "aantal"])
    response = pd.DataFrame(people, columns=["departement", "periode", "groep", "uitgenodigd",
                                             "deelgenomen"])  # fmt: skip
    return counts, response


@dataclass(frozen=True)
class Finding:
    """A hidden count the adversary pinned, and who pinned it."""

    attacker: str  # "buitenstaander", a ministry's code, or "twee publicaties"
    exposure: adversary.Exposure


def _truth(full: pd.DataFrame) -> dict[tuple[str, str, str, str], int]:
    return {(d, g, i, a): int(v) for d, _, g, i, a, v in full.itertuples(index=False)}


def _primary(
    truth: dict[tuple[str, str, str, str], int], full: pd.DataFrame
) -> set[adversary.Cell]:
    sizes: dict[adversary.Cell, int] = {}
    for (d, g, i, _), v in truth.items():
        sizes[(d, g, i)] = sizes.get((d, g, i), 0) + v
    small = {c for c, n in sizes.items() if n < THRESHOLD}
    return small | {(d, g, i) for d, _, g, i in survey.sensitive_cells(full)}


def attack_wave(counts: pd.DataFrame, response: pd.DataFrame) -> tuple[list[Finding], float]:
    """Plan the wave, then attack it as the outsider and as every ministry's lead; returns
    what was pinned and the plan's seconds."""
    full, people = survey.complete_counts(counts), survey.populations(response)
    started = time.perf_counter()
    plan = survey.disclosure_plan(full, {WAVE: THRESHOLD}, None, people)
    seconds = time.perf_counter() - started
    truth = _truth(full)
    hidden = {(d, g, i) for d, _, g, i in plan.cells}
    participants = {(str(d), str(g)): int(n) for d, _, g, _, n in people.itertuples(index=False)}
    published = set(participants) - {(d, g) for d, _, g in plan.groups}
    primary = _primary(truth, full)
    found = [Finding("buitenstaander", e) for e in adversary.attack(
        truth, ANSWERS, hidden, participants, published, 1.0, primary=primary)]  # fmt: skip
    for insider in sorted({d for d, _, _, _ in truth} - {adversary.TOTAL_ROW}):
        found += [Finding(insider, e) for e in adversary.attack(
            truth, ANSWERS, hidden, participants, published, 1.0, insider=insider,
            primary=primary) if e.departement != insider]  # fmt: skip
    small = {c for c in primary if c not in {(d, g, i) for d, _, g, i in
                                             survey.sensitive_cells(full)}}  # fmt: skip
    assert small <= hidden, "the threshold rule itself"
    return found, seconds


def resubmitted(
    counts: pd.DataFrame, response: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, str] | None:
    """The wave after one ministry resubmits with a small managers' group (1 to 9): the
    attacker's report (FIN with 8 managers). None when no ministry had 10 or more."""
    managers = response[(response["groep"] == "leidinggevenden")
                        & (response["deelgenomen"] >= THRESHOLD)]  # fmt: skip
    big = sorted(str(d) for d in managers["departement"])
    if not big:
        return None
    code = big[0]
    n = int(rng.integers(1, THRESHOLD))
    rows = counts[~((counts["departement"] == code) & (counts["groep"] == "leidinggevenden"))]
    extra = _group_rows(rng, code, "leidinggevenden", n)
    new_counts = pd.concat([rows, pd.DataFrame(extra, columns=rows.columns)], ignore_index=True)
    new_response = response.copy()
    mine = (new_response["departement"] == code) & (new_response["groep"] == "leidinggevenden")
    new_response.loc[mine, ["uitgenodigd", "deelgenomen"]] = [n * 4, n]
    return new_counts, new_response, code


def _release(full: pd.DataFrame, people: pd.DataFrame, plan: Plan) -> adversary.Release:
    participants = {(str(d), str(g)): int(n) for d, _, g, _, n in people.itertuples(index=False)}
    return adversary.Release(
        _truth(full), {(d, g, i) for d, _, g, i in plan.cells}, participants,
        set(participants) - {(d, g) for d, _, g in plan.groups},
    )  # fmt: skip


def attack_resubmission(counts: pd.DataFrame, response: pd.DataFrame,
                        rng: np.random.Generator) -> list[Finding]:  # fmt: skip
    """Publish the wave, let one ministry resubmit with a small managers' group, publish
    again, and attack both publications side by side (outsider and every lead)."""
    after = resubmitted(counts, response, rng)
    if after is None:
        return []
    full1, people1 = survey.complete_counts(counts), survey.populations(response)
    plan1 = survey.disclosure_plan(full1, {WAVE: THRESHOLD}, None, people1)
    full2, people2 = survey.complete_counts(after[0]), survey.populations(after[1])
    kept = frozenset(plan1.cells) | {(d, w, g, GROUP_ITEM) for d, w, g in plan1.groups}
    old = _release(full1, people1, plan1)
    again = Republished(frozenset({after[2]}), old)
    plan2 = survey.disclosure_plan(full2, {WAVE: THRESHOLD}, None, people2, kept,
                                   changed={WAVE: again})  # fmt: skip
    new = _release(full2, people2, plan2)
    primary = (_primary(old.counts, full1), _primary(new.counts, full2))  # type: ignore[arg-type]
    found: list[Finding] = []
    codes = sorted({d for d, _, _, _ in new.counts} - {adversary.TOTAL_ROW})
    for insider in [None, *codes]:
        found += [Finding(f"twee publicaties, {insider or 'buitenstaander'}", e)
                  for e in adversary.attack_two(old, new, {after[2]}, ANSWERS, 1.0,
                                                insider=insider, primary_old=primary[0],
                                                primary_new=primary[1])]  # fmt: skip
    return found


def main() -> None:
    seed = int(os.environ.get("SWEEP_SEED", str(DEFAULT_SEED)))
    tables = int(os.environ.get("SWEEP_TABLES", "500"))
    exposures, failed, times = 0, [], []
    for number in range(tables):
        rng = np.random.default_rng((seed, number))
        counts, response = random_wave(rng)
        found, seconds = attack_wave(counts, response)
        found += attack_resubmission(counts, response, rng)
        times.append(seconds)
        if found:
            exposures += len(found)
            failed.append(number)
            print(f"tabel ({seed}, {number}): {len(found)} vastgepind, bv. {found[0]}")
    print(f"plan: mediaan {np.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"SWEEP tables={tables} failed={len(failed)} exposures={exposures} seed={seed}")


if __name__ == "__main__":
    main()
