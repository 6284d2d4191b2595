"""The publication plan of the survey: which cells and which groups' participation stay
hidden, per wave, so that neither subtraction nor the linear-programming adversary
(`etl.adversary`) recovers a hidden count. Pure: counts and response in, a `Plan` out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from etl import adversary, catalog
from etl.disclosure import TOTAL_ROW, suppress


@dataclass(frozen=True)
class Plan:
    """What one publication hides: survey cells, and groups' numbers of participants."""

    cells: frozenset[tuple[str, str, str, str]]  # (departement, periode, groep, item)
    groups: frozenset[tuple[str, str, str]]  # (departement, periode, groep)
    rounds: int = 0  # audit rounds that hid more
    unaudited: frozenset[str] = frozenset()  # waves too large for the LP audit (see README)


def plan(
    full: pd.DataFrame,
    thresholds: dict[str, int],
    sensitive: set[tuple[str, ...]],
    population: pd.DataFrame,
    answers: dict[str, list[str]],
    kept: frozenset[tuple[str, str, str, str]] = frozenset(),
) -> Plan:
    """Per wave: hide small cells and protect them (`etl.disclosure.suppress`), then audit
    the whole wave with the LP adversary (`etl.adversary`) and hide more until it pins no
    hidden count more tightly than `PROTECTION_WIDTH`. The same plan serves every screen,
    export and the response table, so no two publications combine into a disclosure.
    Kept per content (a load computes it for several tables).

    A cell an earlier publication of the wave hid (`kept`, recorded by `etl.derive`) stays
    hidden: otherwise one ministry's resubmission could move the complementary cells, show
    a cell that protected a small group before, and the two publications together would
    give the group away (the plan is greedy: a small change elsewhere may choose other
    cells).
    """
    key = (_fingerprint(full), _fingerprint(population), tuple(sorted(thresholds.items())),
           tuple(sorted(sensitive)), tuple(sorted(kept)))  # fmt: skip
    cached = _PLANS.get(key)
    if cached is None:
        cached = _plan(full, thresholds, sensitive | set(kept), population, answers)
        _PLANS[key] = cached
        while len(_PLANS) > 8:
            _PLANS.pop(next(iter(_PLANS)))
    return cached


_PLANS: dict[tuple[object, ...], Plan] = {}


def _fingerprint(frame: pd.DataFrame) -> tuple[int, int]:
    if frame.empty:
        return (0, 0)
    hashed = pd.util.hash_pandas_object(frame, index=False)
    return (len(frame), int(hashed.sum()))


def _plan(
    full: pd.DataFrame,
    thresholds: dict[str, int],
    sensitive: set[tuple[str, ...]],
    population: pd.DataFrame,
    answers: dict[str, list[str]],
) -> Plan:
    if full.empty and population.empty:
        return Plan(frozenset(), frozenset())
    cells: set[tuple[str, str, str, str]] = set()
    groups: set[tuple[str, str, str]] = set()
    rounds = 0
    unaudited: set[str] = set()
    waves = sorted(set(full["periode"].astype(str)) | set(population["periode"].astype(str)))
    for wave in waves:
        threshold = thresholds.get(wave, catalog.wave_threshold(wave))
        in_wave = full[full["periode"].astype(str) == wave]
        people = population[population["periode"].astype(str) == wave]
        wave_plan = _WavePlan(in_wave, people, threshold, sensitive, answers, wave)
        cells |= {(d, wave, g, i) for d, g, i in wave_plan.cells}
        groups |= {(d, wave, g) for d, g in wave_plan.groups}
        rounds += wave_plan.rounds
        if not wave_plan.audited:
            unaudited.add(wave)
    return Plan(frozenset(cells), frozenset(groups), rounds, frozenset(unaudited))


PROTECTION_WIDTH = 1.0  # no hidden count may be pinned to a single value (see README)
_MAX_ROUNDS = 50
# Above this many unknowns (hidden cells times answers) one wave's audit takes minutes to
# hours (hundreds of organisations): such a wave keeps subtraction control only, and the
# plan says so (`unaudited`). The ministries' survey stays far below it.
AUDIT_LIMIT = 4000


class _WavePlan:
    """One wave's suppression, grown until the adversary's audit passes."""

    def __init__(
        self,
        full: pd.DataFrame,
        population: pd.DataFrame,
        threshold: int,
        sensitive: set[tuple[str, ...]],
        answers: dict[str, list[str]],
        wave: str,
    ) -> None:
        rows = zip(
            full["departement"].astype(str).tolist(), full["groep"].astype(str).tolist(),
            full["item"].astype(str).tolist(), full["antwoord"].astype(str).tolist(),
            full["aantal"].astype(int).tolist(), strict=True,
        )  # fmt: skip
        self.counts = {(d, g, i, a): v for d, g, i, a, v in rows}
        n: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
        for (d, g, i, _), value in self.counts.items():
            n[i][(d, g)] += value
        self.n: dict[str, dict[tuple[str, str], int]] = {i: dict(c) for i, c in n.items()}
        self.participants = {
            (str(d), str(g)): int(v)
            for d, g, v in population[["departement", "groep", "deelgenomen"]].itertuples(
                index=False
            )
        }
        self.threshold = threshold
        self.answers = answers
        self.also: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for d, w, g, i in sensitive:
            if w == wave and (d, g) in self.n.get(i, {}):
                self.also[i].add((d, g))
        self.rounds = 0
        self._suppress()
        unknowns = sum(len(self.answers.get(i, ())) for _, _, i in self.cells)
        self.audited = unknowns <= AUDIT_LIMIT
        while self.audited and self.rounds < _MAX_ROUNDS and self._audit_and_grow():
            self.rounds += 1
            self._suppress()

    def _suppress(self) -> None:
        cells = {
            (d, g, item)
            for item, table in self.n.items()
            for d, g in suppress(table, self.threshold, self.also[item])
        }
        # A conditional item's respondents are its source answer's count (MEL2's n is
        # MEL1's "ja"): where the source cell is hidden, a shown MEL2 would give it away.
        changed = True
        while changed:
            changed = False
            for item, (source, _) in adversary.CONDITIONAL.items():
                needed = {(d, g) for d, g, i in cells if i == source} - self.also[item]
                if item in self.n and needed & set(self.n[item]):
                    self.also[item] |= needed & set(self.n[item])
                    cells |= {
                        (d, g, item)
                        for d, g in suppress(self.n[item], self.threshold, self.also[item])
                    }
                    changed = True
        self.cells = cells
        unconditional = [i for i in self.n if i not in adversary.CONDITIONAL and i != "LEI1"]
        if unconditional:
            # A group's participants are every unconditional item's respondents: hidden
            # exactly where every such item hides the group (elsewhere an item shows it).
            self.groups = {
                (d, g)
                for d, g in self.participants
                if all((d, g, i) in cells or (d, g) not in self.n[i] for i in unconditional)
            }
        else:
            self.groups = (
                suppress(self.participants, self.threshold) if self.participants else set()
            )

    def audit(self) -> list[adversary.Exposure]:
        """What the adversary pins: from the publication alone, and as the integrity lead of
        each organisation with a hidden figure, who knows that organisation's own counts
        (and can send files to make it another's complementary cell)."""
        published = set(self.participants) - self.groups
        insiders = sorted({d for d, _, _ in self.cells} | {d for d, _ in self.groups})
        found: dict[tuple[str, str, str, str | None], adversary.Exposure] = {}
        for insider in [None, *(d for d in insiders if d != TOTAL_ROW)]:
            if found:
                break  # grow for these first; the next round audits everyone again
            for exposure in adversary.attack(
                self.counts, self.answers, self.cells, self.participants, published,
                PROTECTION_WIDTH, self.threshold, insider,
            ):  # fmt: skip
                if exposure.departement != insider:
                    found.setdefault((*exposure.cell, exposure.antwoord), exposure)
        return list(found.values())

    def _audit_and_grow(self) -> bool:
        """Audit; hide more where the adversary pins a count. False when nothing was pinned."""
        exposures = self.audit()
        unconditional = [i for i in self.n if i not in adversary.CONDITIONAL and i != "LEI1"]
        grown: set[tuple[str, str]] = set()
        for exposure in exposures:
            group = (exposure.departement, exposure.groep)
            # A group hidden in every unconditional item grows in all of them at once: its
            # respondents answer them all, so a new cell in one item alone would be pinned
            # by the others. A cell hidden for its own sake (a sensitive count) grows alone.
            together = not exposure.item or (
                exposure.item in unconditional and group in self.groups
            )
            items = unconditional if together else [exposure.item]
            key = ("*" if together else exposure.item, exposure.groep)
            if key in grown:
                continue
            grown.add(key)
            extra = self._candidate(
                exposure.item or items[0], exposure.departement, exposure.groep,
                row_first=exposure.high > 0 or exposure.antwoord is None,
            )  # fmt: skip
            for item in items:
                if extra is None:
                    self.also[item] |= set(self.n.get(item, {}))
                elif extra in self.n.get(item, {}):
                    self.also[item].add(extra)
        return bool(exposures)

    def _candidate(
        self, item: str, departement: str, column: str, row_first: bool
    ) -> tuple[str, str] | None:
        """The shown cell of this item to hide next (suppress protects it in turn), or None
        when nothing is left. A count pinned at a value is pinned through its row (the
        group total minus the other group), so the row's other shown cell goes first; a
        count pinned at 0 lacks room in its column, so a cell of that column with no zero
        answers (room in every answer), then with the fewest respondents."""
        table = self.n.get(item, {})
        shown = {key for key in table if (*key, item) not in self.cells}
        row = sorted((table[(d, g)], g) for d, g in shown if d == departement and g != column)
        if row_first and row:
            return (departement, row[0][1])
        scored = [
            (sum(self.counts.get((d, g, item, a), 0) == 0 for a in self.answers[item]),
             table[(d, g)], d)
            for d, g in shown
            if g == column and d not in (departement, TOTAL_ROW)
        ]  # fmt: skip
        if scored:
            return (min(scored)[2], column)
        return (departement, row[0][1]) if row else None
