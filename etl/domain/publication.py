"""The publication plan of the survey: which cells and which groups' participation stay
hidden, per wave, so that neither subtraction nor the linear-programming adversary
(`etl.domain.adversary`) recovers a hidden count. Pure: counts and response in, a `Plan` out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import pandas as pd

from etl.domain import adversary, catalog
from etl.domain.disclosure import TOTAL_COLUMN, TOTAL_ROW


@dataclass(frozen=True)
class Plan:
    """What one publication hides: survey cells, and groups' numbers of participants."""

    cells: frozenset[tuple[str, str, str, str]]  # (departement, periode, groep, item)
    groups: frozenset[tuple[str, str, str]]  # (departement, periode, groep)
    rounds: int = 0  # audit rounds that hid more
    unaudited: frozenset[str] = frozenset()  # waves too large for the LP audit (docs: explanation)


@dataclass(frozen=True)
class Republished:
    """A wave published before: the organisations whose survey files arrived or changed
    since its first publication, and that first publication itself (its counts and what it
    hid, as `etl.store.derived.changed_since_published` rebuilds it from the versions), so the
    plan can attack the two side by side. Without `earlier` only the rules of
    `_WavePlan._republication` apply."""

    changed: frozenset[str]
    earlier: adversary.Release | None = None

    def key(self) -> tuple[object, ...]:
        """For the plan cache: what the plan depends on."""
        if self.earlier is None:
            return (tuple(sorted(self.changed)),)
        e = self.earlier
        return (tuple(sorted(self.changed)), tuple(sorted(e.counts.items())),
                tuple(sorted(e.hidden)), tuple(sorted(e.participants.items())),
                tuple(sorted(e.published)))  # fmt: skip


def republished(value: frozenset[str] | Republished) -> Republished:
    """A wave's entry of `changed`, which callers may give as the organisations alone."""
    return value if isinstance(value, Republished) else Republished(frozenset(value))


def plan(
    full: pd.DataFrame,
    thresholds: dict[str, int],
    sensitive: set[tuple[str, ...]],
    population: pd.DataFrame,
    answers: dict[str, list[str]],
    kept: frozenset[tuple[str, str, str, str]] = frozenset(),
    changed: Mapping[str, frozenset[str] | Republished] | None = None,
) -> Plan:
    """Per wave: hide small cells and protect them (`etl.domain.disclosure.suppress`), then audit
    the whole wave with the LP adversary (`etl.domain.adversary`) and hide more until it pins no
    hidden count more tightly than `PROTECTION_WIDTH`. The same plan serves every screen,
    export and the response table, so no two publications combine into a disclosure.
    Kept per content (a load computes it for several tables).

    A cell an earlier publication of the wave hid (`kept`, recorded by `etl.store.derive`) stays
    hidden: otherwise one ministry's resubmission could move the complementary cells, show
    a cell that protected a small group before, and the two publications together would
    give the group away (the plan is greedy: a small change elsewhere may choose other
    cells).
    """
    key = (_fingerprint(full), _fingerprint(population), tuple(sorted(thresholds.items())),
           tuple(sorted(sensitive)), tuple(sorted(kept)),
           tuple(sorted((w, republished(c).key()) for w, c in (changed or {}).items())),
           )  # fmt: skip
    cached = _PLANS.get(key)
    if cached is None:
        cached = _plan(full, thresholds, sensitive, population, answers, kept, changed or {})
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
    kept: frozenset[tuple[str, str, str, str]] = frozenset(),
    changed: Mapping[str, frozenset[str] | Republished] | None = None,
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
        earlier = {(d, g, i) for d, w, g, i in kept if w == wave}
        again = republished((changed or {}).get(wave, frozenset()))
        wave_plan = _WavePlan(in_wave, people, threshold, sensitive, answers, wave, earlier,
                              again.changed, again.earlier)  # fmt: skip
        cells |= {(d, wave, g, i) for d, g, i in wave_plan.cells}
        groups |= {(d, wave, g) for d, g in wave_plan.groups}
        rounds += wave_plan.rounds
        if not wave_plan.audited:
            unaudited.add(wave)
    return Plan(frozenset(cells), frozenset(groups), rounds, frozenset(unaudited))


# A hidden group's participants are recorded among the hidden cells with this item.
GROUP_ITEM = ""
PROTECTION_WIDTH = 1.0  # no hidden count may be pinned to a single value (see docs/explanation.md)
_MAX_ROUNDS = 12
# Above this many unknowns (hidden cells times answers) one wave's audit takes minutes to
# hours (hundreds of organisations): such a wave keeps the pattern rules only, and the plan
# says so (`unaudited`). The ministries' survey stays far below it.
AUDIT_LIMIT = 4000
# Every hidden figure in a column (a group of one item) needs this many hidden figures in
# it, itself included: with two, one organisation's lead, who knows its own figure, would
# subtract it from the Rijk-wide total and pin the other.
COLUMN_MINIMUM = 3
# The figure every screen shows first is a ministry's `alle`: hiding it costs more than
# hiding its split into medewerkers and leidinggevenden (whose sum it is).
ALLE_WEIGHT = 2.0

Cell = tuple[str, str, str]  # (departement, groep, item)
Group = tuple[str, str]  # (departement, groep)


class _WavePlan:
    """One wave's suppression: the cheapest pattern by mixed-integer programming, audited by
    the LP adversary (outsider and every single lead) and cut until the audit passes.

    The programme (HiGHS) chooses hidden figures `h` (cells of an item, and groups'
    participants in the response table) minimising the respondents they hold, subject to:
    small figures and sensitive counts hidden, and whatever an earlier publication of the
    wave hid (kept); in each row (medewerkers + leidinggevenden = alle) a hidden figure has
    a hidden partner; in each column (the ministries add up to the Rijk, which is always
    shown) a hidden figure has at least two hidden partners, so no single lead's knowledge
    of its own figures pins another; a hidden group's participants hide its cells in every
    item all its respondents answer; MEL2 hidden where MEL1 is (MEL2's respondents are
    MEL1's "ja"). Those rules make subtraction fail; the LP audit then checks what
    non-negativity and the links between items still give away, and each table it finds
    pinning a count gets a cut (at least one more of its figures hidden) before the
    programme is solved again.
    """

    def __init__(
        self,
        full: pd.DataFrame,
        population: pd.DataFrame,
        threshold: int,
        sensitive: set[tuple[str, ...]],
        answers: dict[str, list[str]],
        wave: str,
        earlier: set[Cell] | None = None,
        changed: frozenset[str] = frozenset(),
        first: adversary.Release | None = None,
    ) -> None:
        self.earlier = {c for c in (earlier or set()) if c[2] != GROUP_ITEM}
        self.earlier_groups = {(d, g) for d, g, i in (earlier or set()) if i == GROUP_ITEM}
        self.changed = changed
        self.first = first if changed else None  # the first publication, to attack beside
        rows = zip(
            full["departement"].astype(str).tolist(), full["groep"].astype(str).tolist(),
            full["item"].astype(str).tolist(), full["antwoord"].astype(str).tolist(),
            full["aantal"].astype(int).tolist(), strict=True,
        )  # fmt: skip
        self.counts = {(d, g, i, a): v for d, g, i, a, v in rows}
        n: dict[Cell, int] = defaultdict(int)
        for (d, g, i, _), value in self.counts.items():
            n[(d, g, i)] += value
        self.n = dict(n)
        self.participants = {
            (str(d), str(g)): int(v)
            for d, g, v in population[["departement", "groep", "deelgenomen"]].itertuples(
                index=False
            )
        }
        self.threshold = threshold
        self.answers = answers
        sensitive_here = {
            (d, g, i) for d, w, g, i in sensitive if w == wave and (d, g, i) in self.n
        }
        # Hidden whatever else: a sensitive count, and what an earlier publication hid.
        self.forced: set[Cell] = sensitive_here | (self.earlier & set(self.n))
        # Hidden for their own sake: small, or a sensitive count (a cell merely kept from an
        # earlier publication stays hidden but protects as any partner does).
        self.primary = {c for c in self.n if self.n[c] < threshold} | sensitive_here
        self.rounds = 0
        self.cuts: dict[str, list[tuple[list[Any], int]]] = defaultdict(list)  # per item
        self._solved: dict[tuple[object, ...], set[int]] = {}
        self._solve()
        unknowns = sum(len(self.answers.get(i, ())) for _, _, i in self.cells)
        self.audited = unknowns <= AUDIT_LIMIT
        exposed = False
        while self.audited and self.rounds < _MAX_ROUNDS:
            exposed = self._audit_and_cut()
            if not exposed:
                break
            self.rounds += 1
            self._solve()
        else:
            exposed = self.audited and bool(self.audit())
        if exposed:
            # The cuts did not close it in time: hide every figure of the tables still
            # exposed, the Rijk's included (the threshold rule comes before the Rijk figure).
            for exposure, _ in self.audit():
                if exposure.item:
                    self.cells |= {c for c in self.n if c[2] == exposure.item}
                else:
                    self.groups |= set(self.participants)

    # --- the programme ----------------------------------------------------------------------

    def _solve(self) -> None:
        """The groups' participants first (hiding a group hides its cells in every item its
        respondents all answered, so their cost is those cells'), then each item's table
        with them fixed: small programmes, each solved once per set of cuts."""
        self.items = sorted({i for _, _, i in self.n})
        self.groups = self._solve_groups(sorted(self.participants))
        self.cells = set()
        for item in self.items:  # MEL1 before MEL2: a hidden MEL1 hides MEL2
            self.cells |= self._solve_item(item)

    def _group_cells(self, group: Group) -> list[Cell]:
        """The cells whose respondents are exactly the group's participants."""
        return [
            (*group, item) for item in self.items
            if (*group, item) in self.n and self.n[(*group, item)] == self.participants[group]
        ]  # fmt: skip

    def _cost(self, cell: Cell | Group) -> float:
        """What hiding a figure loses: its respondents; a ministry's `alle` counts double (the
        figure every screen shows first); a Rijk-wide figure is hidden only where nothing
        else protects a small group (a table of fewer than three ministries)."""
        size = self.n[cell] if len(cell) == 3 else self.participants[cell]
        weight = ALLE_WEIGHT if cell[1] == TOTAL_COLUMN else 1.0
        return (size + 1.0) * weight * (RIJK_WEIGHT if cell[0] == TOTAL_ROW else 1.0)

    def _solve_groups(self, groups: list[Group]) -> set[Group]:
        index: dict[Group, int] = {k: j for j, k in enumerate(groups)}
        costs = [0.1 * self._cost(k) + sum(self._cost(c) for c in self._group_cells(k))
                 for k in groups]  # fmt: skip
        lower = [1.0 if self.participants[k] < self.threshold or k in self.earlier_groups
                 else 0.0 for k in groups]  # fmt: skip
        rows: list[tuple[dict[int, float], float, float]] = []
        sums = _Sums(len(index))
        _table_rules(groups, index, rows, sums)
        upper = self._republication(groups, index, rows, lambda k: k in self.earlier_groups)
        for members, at_least in self.cuts.get("", []):
            rows.append(({index[m]: 1.0 for m in members if m in index}, float(at_least), INF))
        chosen = _solve_binary(*sums.extend(costs, lower, upper), rows)
        if chosen is None and upper is not None:  # no pattern with the earlier figures fixed
            chosen = _solve_binary(*sums.extend(costs, lower, None), rows)
        return {k for k in groups if chosen is None or index[k] in chosen}

    def _solve_item(self, item: str) -> set[Cell]:
        cells = sorted(c for c in self.n if c[2] == item)
        index: dict[Cell, int] = {c: j for j, c in enumerate(cells)}
        forced = {c for k in self.groups for c in self._group_cells(k)}
        source = adversary.CONDITIONAL.get(item)
        if source is not None:  # MEL2 hidden wherever MEL1 is
            forced |= {(d, g, item) for d, g, i in self.cells if i == source[0]}
        costs = [self._cost(c) for c in cells]
        lower = [
            1.0 if self.n[c] < self.threshold or c in self.forced or c in forced
            or self._alle_gives_away(c) else 0.0
            for c in cells
        ]  # fmt: skip
        rows: list[tuple[dict[int, float], float, float]] = []
        sums = _Sums(len(index))
        _table_rules(cells, index, rows, sums)
        for g in sorted({c[1] for c in cells}):
            members = [c for c in cells if c[1] == g and c[0] != TOTAL_ROW]
            if (TOTAL_ROW, g, item) in index and members:
                self._room(members, item, index, rows, sums)
        upper = self._republication(cells, index, rows, lambda c: c in self.earlier)
        for members, at_least in self.cuts.get(item, []):
            rows.append(({index[m]: 1.0 for m in members if m in index}, float(at_least), INF))
        key = (item, tuple(lower), tuple(map(str, self.cuts.get(item, []))))
        chosen = self._solved.get(key)
        if chosen is None:
            found = _solve_binary(*sums.extend(costs, lower, upper), rows)
            if found is None and upper is not None:  # as for the groups
                found = _solve_binary(*sums.extend(costs, lower, None), rows)
            chosen = set(range(len(cells))) if found is None else found
            self._solved[key] = chosen
        return {c for c in cells if index[c] in chosen}

    def _republication(
        self,
        members: list[Any],
        index: dict[Any, int],
        rows: list[tuple[dict[int, float], float, float]],
        hidden_before: Any,
        fix_shown: bool = True,
    ) -> list[float] | None:
        """A wave published before, after organisations resubmitted (`changed`): the two
        publications side by side are one more equation per column, the difference of the
        Rijk figures is the difference of the changed organisations' figures. So a changed
        organisation's figure that the earlier publication showed and this one hides needs
        its column's Rijk figure hidden too (else FIN_new = FIN_old + RIJK_new − RIJK_old);
        and an unchanged organisation's figure the earlier publication showed is public:
        hiding it now protects nothing, so it stays shown (it cannot be a partner)."""
        if not self.changed:
            return None
        upper = [1.0] * len(index)
        for member in members:
            code = member[0]
            if code == TOTAL_ROW or hidden_before(member):
                continue
            if code not in self.changed:
                if fix_shown:
                    upper[index[member]] = 0.0
                continue
            total = (TOTAL_ROW, *member[1:])
            if total in index:
                rows.append(({index[total]: 1.0, index[member]: -1.0}, 0.0, INF))
        return upper

    def _alle_gives_away(self, cell: Cell) -> bool:
        """An `alle` figure whose row holds a small or sensitive group, where the Rijk's other
        group gave none of some answer: shown, it would be that group's count of it."""
        d, g, item = cell
        if g != TOTAL_COLUMN:
            return False
        for group in adversary.GROUPS:
            if (d, group, item) not in self.primary:
                continue
            other = adversary.GROUPS[1] if group == adversary.GROUPS[0] else adversary.GROUPS[0]
            for answer in self.answers.get(item, []):
                if (
                    self.counts.get((TOTAL_ROW, other, item, answer), 0) == 0
                    and self.counts.get((TOTAL_ROW, TOTAL_COLUMN, item, answer), 0) > 0
                ):
                    return True  # fmt: skip
        return False

    def _room(
        self,
        members: list[Cell],
        item: str,
        index: dict[Cell, int],
        rows: list[tuple[dict[int, float], float, float]],
        sums: _Sums,
    ) -> None:
        """Room in every answer: a hidden figure's count of an answer can only move if other
        hidden figures of its column hold that answer too (a count of at least 1 that can
        give way); two such partners, so that one lead's knowledge of its own leaves one
        (while the Rijk figure of the column is shown). Answers nobody in the Rijk gave are
        exempt (the shown Rijk figure says 0)."""
        g = members[0][1]
        total = index[(TOTAL_ROW, g, item)]
        for answer in self.answers.get(item, []):
            if self.counts.get((TOTAL_ROW, g, item, answer), 0) == 0:
                continue
            holders = [c for c in members if self.counts.get((*c, answer), 0) > 0]
            if not holders:
                continue
            hidden = sums.of([index[c] for c in holders], rows)
            for member in members:
                own = member in holders
                needed = float(min(2, len(holders) - own))
                if needed == 0:
                    continue
                # hidden holders other than the member >= needed * (member - total)
                coefficients = {hidden: 1.0, index[member]: -needed - own, total: needed}
                rows.append((coefficients, 0.0, INF))

    # --- the audit --------------------------------------------------------------------------

    def audit(self) -> list[tuple[adversary.Exposure, str | None]]:
        """What the adversary pins: from the publication alone, and as the integrity lead of
        each organisation with a hidden figure, who knows that organisation's own counts
        (and can send files to make it another's complementary cell)."""
        published = set(self.participants) - self.groups
        insiders = sorted({d for d, _, _ in self.cells} | {d for d, _ in self.groups})
        found: dict[tuple[str, str, str, str | None], tuple[adversary.Exposure, str | None]] = {}
        for insider in [None, *(d for d in insiders if d != TOTAL_ROW)]:
            for exposure in adversary.attack(
                self.counts, self.answers, self.cells, self.participants, published,
                PROTECTION_WIDTH, self.threshold, insider, self.primary,
            ):  # fmt: skip
                if exposure.departement != insider:
                    found.setdefault((*exposure.cell, exposure.antwoord), (exposure, insider))
        if self.first is not None:
            for exposure, insider in self._audit_beside_first(published):
                found.setdefault((*exposure.cell, exposure.antwoord), (exposure, insider))
        return list(found.values())

    def _audit_beside_first(
        self, published: set[Group]
    ) -> list[tuple[adversary.Exposure, str | None]]:
        """What this publication and the wave's first one pin side by side (as the outsider
        and as each lead), reported against this publication's cell of the same column: the
        cut hides more of this one (the first is out)."""
        assert self.first is not None
        now = adversary.Release(self.counts, set(self.cells), self.participants, published)
        sizes: dict[Cell, int] = defaultdict(int)
        for (d, g, i, _), value in self.first.counts.items():
            sizes[(d, g, i)] += value
        primary_first = {c for c, size in sizes.items() if size < self.threshold}
        found = []
        codes = sorted({d for d, _, _, _ in self.counts} - {TOTAL_ROW})
        for insider in [None, *codes]:
            for exposure in adversary.attack_two(
                self.first, now, set(self.changed), self.answers, PROTECTION_WIDTH,
                self.threshold, insider, primary_first, self.primary,
            ):  # fmt: skip
                code = exposure.departement.removesuffix(" (eerder)")
                if code != insider:
                    found.append((replace(exposure, departement=code), insider))
        return found

    def _audit_and_cut(self) -> bool:
        """Audit; for each pinned count, a cut: one more figure hidden in its column that gives
        that answer room (a count of at least 1), not of the lead who pinned it. Pinned
        participants: one more group hidden in the response table's column. False when
        nothing was pinned."""
        exposures = self.audit()
        seen: set[tuple[object, ...]] = set()
        for exposure, insider in exposures:
            d, g, item, answer = (exposure.departement, exposure.groep, exposure.item,
                                  exposure.antwoord)  # fmt: skip
            if not item or answer is None:  # participants, or a cell's respondents
                item = ""
                members: list[Cell | Group] = [
                    k for k in self.participants
                    if k[0] not in (TOTAL_ROW, d, insider) and k[1] == g and k not in self.groups
                ]  # fmt: skip
            else:
                members = [
                    c for c in self.n
                    if c[1] == g and c[2] == item and c[0] not in (TOTAL_ROW, d, insider)
                    and c not in self.cells and self.counts.get((*c, answer), 0) > 0
                ]  # fmt: skip
            key = (g, item, answer, insider, tuple(members))
            if key in seen:
                continue
            seen.add(key)
            if not members:  # no ministry's figure gives room: the column's Rijk figure
                total = (TOTAL_ROW, g, item) if item else (TOTAL_ROW, g)
                if total not in self.cells and total not in self.groups:
                    self.cuts[item].append(([total], 1))
                    continue
                members = [c for c in self.n if c[2] == item] if item else list(self.participants)
                hidden = sum(1 for m in members if m in self.cells or m in self.groups)
                self.cuts[item].append((members, hidden + 1))
            else:
                self.cuts[item].append((members, 1))
        return bool(exposures)


INF = float("inf")
RIJK_WEIGHT = 1000.0


def _table_rules(
    members: list[Any],
    index: dict[Any, int],
    rows: list[tuple[dict[int, float], float, float]],
    sums: _Sums,
) -> None:
    """The pattern rules of one table (cells of an item, or participants): rows are
    organisations (their groups add up to `alle`), columns are groups (the organisations add
    up to the Rijk). In a row, a hidden figure has a hidden partner. In a column whose Rijk
    figure is shown, a hidden figure has `COLUMN_MINIMUM` - 1 hidden partners; where the
    column has too few organisations for that, its Rijk figure is hidden too."""
    by_row: dict[str, list[Any]] = defaultdict(list)
    by_column: dict[str, list[Any]] = defaultdict(list)
    for member in members:
        by_row[member[0]].append(member)
        by_column[member[1]].append(member)
    for row in by_row.values():
        _partners(row, 1, index, rows)
    for column in by_column.values():
        total = next((m for m in column if m[0] == TOTAL_ROW), None)
        if total is None:
            continue
        ministries = [m for m in column if m[0] != TOTAL_ROW]
        needed = float(COLUMN_MINIMUM - 1)
        hidden = sums.of([index[m] for m in ministries], rows)
        for member in ministries:  # sum(others) >= needed * (member - total)
            coefficients = {hidden: 1.0, index[member]: -1.0 - needed, index[total]: needed}
            rows.append((coefficients, 0.0, INF))


class _Sums:
    """Auxiliary whole-number variables, each the number of hidden figures among some:
    a rule over a column then takes a handful of coefficients per figure instead of one per
    figure in the column (hundreds of organisations made the programme quadratic)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.upper: list[float] = []

    def of(self, variables: list[int], rows: list[tuple[dict[int, float], float, float]]) -> int:
        number = self.base + len(self.upper)
        self.upper.append(float(len(variables)))
        coefficients = {v: 1.0 for v in variables}
        coefficients[number] = -1.0
        rows.append((coefficients, 0.0, 0.0))
        return number

    def extend(
        self, costs: list[float], lower: list[float], upper: list[float] | None
    ) -> tuple[list[float], list[float], list[float]]:
        """The programme's bounds and costs with the auxiliary variables appended."""
        extra = len(self.upper)
        main = upper if upper is not None else [1.0] * self.base
        return costs + [0.0] * extra, lower + [0.0] * extra, main + self.upper


def _partners(
    members: list[Any],
    needed: int,
    index: dict[Any, int],
    rows: list[tuple[dict[int, float], float, float]],
) -> None:
    """Each hidden member has at least `needed` hidden partners among `members`:
    sum(other members) >= needed * member."""
    if needed <= 0 or len(members) < 2:
        return
    for member in members:
        coefficients = {index[m]: 1.0 for m in members if m != member}
        coefficients[index[member]] = -float(needed)
        rows.append((coefficients, 0.0, INF))


def _solve_binary(
    costs: list[float],
    lower: list[float],
    upper: list[float],
    rows: list[tuple[dict[int, float], float, float]],
) -> set[int] | None:
    """The cheapest 0/1 choice meeting the rows (HiGHS branch and bound); None if none."""
    size = len(costs)
    if size == 0:
        return set()
    columns: list[list[tuple[int, float]]] = [[] for _ in range(size)]
    for r, (coefficients, _, _) in enumerate(rows):
        for variable, coefficient in coefficients.items():
            columns[variable].append((r, coefficient))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = size, len(rows)
    lp.col_cost_ = np.asarray(costs, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.maximum(np.asarray(upper, dtype=float), lp.col_lower_)
    lp.row_lower_ = np.array([low if low > -INF else -highspy.kHighsInf for _, low, _ in rows],
                             dtype=float)  # fmt: skip
    lp.row_upper_ = np.array([high if high < INF else highspy.kHighsInf for _, _, high in rows],
                             dtype=float)  # fmt: skip
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.cumsum([0] + [len(c) for c in columns]).astype(np.int32)
    lp.a_matrix_.index_ = np.array([r for c in columns for r, _ in c], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([v for c in columns for _, v in c], dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * size
    solver = adversary.quiet_solver()
    # Within 1% of the least loss: the last percent costs seconds, and deterministic (one
    # thread, a fixed seed, no time limit) so that the same data give the same plan.
    solver.setOptionValue("mip_rel_gap", 0.01)
    solver.setOptionValue("random_seed", 0)
    solver.passModel(lp)
    adversary.run(solver)
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = solver.getSolution().col_value
    return {j for j in range(size) if values[j] > 0.5}
