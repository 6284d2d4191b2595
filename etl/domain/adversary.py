"""The linear-programming adversary: what the published survey counts give away.

Subtraction along rows and columns (see `etl.domain.disclosure`) is not the only attack. An
adversary who has every published count and response figure also knows that counts
are whole numbers of at least 0, that every respondent of a group answers every item
(so each item's answers add up to the group's participants), that MEL2 is asked to
MEL1's "ja", that LEI1 is asked to managers only, and that totals add up (`alle` is
both groups, RIJK all ministries). With those facts as linear constraints, the
smallest and largest value each hidden count can take are two linear programmes
(solved with HiGHS, through its own `highspy`). A hidden count is protected when that interval is
at least `width` wide; the audit lists every count that is not.

Exception, stated: what the shown government-wide figures alone already pin is no
disclosure of a hidden cell (nobody in the Rijk gave that answer, so every ministry's
count of it is 0; see `_implied_by_totals`), and is not listed.

The constraints split into independent blocks (counts that share no equation), and
each block is solved on its own: small programmes, solved fast.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import highspy
import numpy as np

from etl.domain import vocabulary

TOTAL_ROW, TOTAL_COLUMN = vocabulary.RIJK, "alle"
GROUPS = ("medewerkers", "leidinggevenden")
CONDITIONAL = {"MEL2": ("MEL1", "ja")}  # item asked to those who gave this answer to that item
TOLERANCE = 1e-6
PUSH_ROUNDS = 16  # at most; a round that settles fewer than one in a hundred ends them

Cell = tuple[str, str, str]  # (departement, groep, item)
Key = tuple[str, ...]  # a variable: ("x", d, g, item, answer) or ("n", d, g)
Row = tuple[dict[int, float], float, float]  # coefficients by unknown, lower and upper bound


@dataclass(frozen=True)
class Exposure:
    """A hidden count the adversary bounds more tightly than the protection width."""

    departement: str
    groep: str
    item: str
    antwoord: str | None  # None: the cell's number of respondents
    low: float
    high: float

    @property
    def cell(self) -> Cell:
        return (self.departement, self.groep, self.item)


class _Model:
    """Unknowns and equations of one wave, as the adversary sees it."""

    def __init__(
        self,
        counts: Mapping[tuple[str, str, str, str], int],
        answers: Mapping[str, list[str]],
        hidden: set[Cell],
        participants: Mapping[tuple[str, str], int],
        published: set[tuple[str, str]],
        threshold: int | None = None,
        insider: str | None = None,
    ) -> None:
        self.threshold = threshold
        self.insider = insider
        self.counts = counts
        self.answers = answers
        self.hidden = hidden
        self.participants = participants
        self.published = published
        self.index: dict[Key, int] = {}
        self.rows: list[Row] = []
        self.cells = {(d, g, i) for d, g, i, _ in counts}

    def truth(self, key: Key) -> float:
        """An unknown's true value (the adversary does not have it; the audit does)."""
        if key[0] == "x":
            _, d, g, item, answer = key
            return float(self.counts.get((d, g, item, answer), 0))
        return float(self.participants[(key[1], key[2])])

    def _value(self, key: Key) -> float | None:
        """A known value, or None for an unknown."""
        if key[1] == self.insider:  # the insider's own figures, hidden or not
            return self.truth(key)
        if key[0] == "x":
            _, d, g, item, answer = key
            if (d, g, item) in self.hidden:
                return None
            return float(self.counts.get((d, g, item, answer), 0))
        _, d, g = key
        return float(self.participants[(d, g)]) if (d, g) in self.published else None

    def equation(
        self, terms: Iterable[tuple[Key, float]], lower: float = 0.0, upper: float = 0.0
    ) -> None:
        """lower <= sum(sign * key) <= upper (an equation when both are 0); kept when it has
        unknowns (known values go to the bounds)."""
        terms = list(terms)
        actual = sum(sign * self.truth(key) for key, sign in terms)
        if not lower - TOLERANCE <= actual <= upper + TOLERANCE:
            # Not a fact of these data: the adversary cannot know it, and a false constraint
            # would make the programmes infeasible, which would pass every audit.
            return
        coefficients: dict[int, float] = defaultdict(float)
        constant = 0.0
        for key, sign in terms:
            value = self._value(key)
            if value is None:
                coefficients[self.index.setdefault(key, len(self.index))] += sign
            else:
                constant -= sign * value
        if any(coefficients.values()):
            self.rows.append((dict(coefficients), lower + constant, upper + constant))

    def build(self) -> None:
        departments = sorted({d for d, _, _ in self.cells} - {TOTAL_ROW})
        for item in sorted({i for _, _, i in self.cells}):
            for a in self.answers[item]:
                for d in [*departments, TOTAL_ROW]:  # alle = medewerkers + leidinggevenden
                    if (d, TOTAL_COLUMN, item) in self.cells:
                        parts = [g for g in GROUPS if (d, g, item) in self.cells]
                        self.equation(
                            [(("x", d, TOTAL_COLUMN, item, a), 1.0)]
                            + [(("x", d, g, item, a), -1.0) for g in parts]
                        )
                for g in (*GROUPS, TOTAL_COLUMN):  # RIJK = every ministry
                    members = [d for d in departments if (d, g, item) in self.cells]
                    if (TOTAL_ROW, g, item) in self.cells and members:
                        self.equation(
                            [(("x", TOTAL_ROW, g, item, a), 1.0)]
                            + [(("x", d, g, item, a), -1.0) for d in members]
                        )
        for d, g, item in sorted(self.hidden & self.cells):
            total = self._respondents(d, g, item)
            if total is not None:
                self.equation(
                    [(("x", d, g, item, a), 1.0) for a in self.answers[item]] + [(total, -1.0)]
                )
            if self.threshold is not None:  # what the cell's label says of its size
                size = sum(self.counts.get((d, g, item, a), 0) for a in self.answers[item])
                low, high = self._label(size)
                self.equation([(("x", d, g, item, a), 1.0) for a in self.answers[item]], low, high)
        if self.threshold is not None:
            for d, g in sorted(set(self.participants) - self.published):
                low, high = self._label(self.participants[(d, g)])
                self.equation([(("n", d, g), 1.0)], low, high)
        self._participant_sums(departments)

    def _label(self, size: int) -> tuple[float, float]:
        """A hidden figure's label tells its size: "te weinig respondenten" (below the
        threshold) or "ter bescherming" of a small group elsewhere (at least the threshold)."""
        assert self.threshold is not None
        if size < self.threshold:
            return 0.0, float(self.threshold - 1)
        return float(self.threshold), float("inf")

    def _respondents(self, d: str, g: str, item: str) -> Key | None:
        """What a hidden cell's answers add up to, when the adversary's facts say so truly."""
        n = sum(self.counts.get((d, g, item, a), 0) for a in self.answers[item])
        if item in CONDITIONAL:
            # Only where the data bear it out (a file may hold more MEL2 answers than MEL1
            # "ja"): a false constraint would make the programmes infeasible, and an
            # infeasible adversary would pass every audit.
            source, answer = CONDITIONAL[item]
            if (d, g, source) in self.cells and self.counts.get((d, g, source, answer), 0) == n:
                return ("x", d, g, source, answer)
            return None
        # "Everyone answers every item" is only a constraint where it is true of the data;
        # an adversary assuming it elsewhere would be wrong, not better informed.
        return ("n", d, g) if self.participants.get((d, g)) == n else None

    def _participant_sums(self, departments: list[str]) -> None:
        known = self.participants
        for d in [*departments, TOTAL_ROW]:
            groups = [(d, g) for g in (TOTAL_COLUMN, *GROUPS)]
            if all(k in known for k in groups) and known[groups[0]] == sum(
                known[k] for k in groups[1:]
            ):
                self.equation(
                    [(("n", d, TOTAL_COLUMN), 1.0)] + [(("n", d, g), -1.0) for g in GROUPS]
                )
        for g in (*GROUPS, TOTAL_COLUMN):
            members = [d for d in departments if (d, g) in known]
            if (TOTAL_ROW, g) in known and known[(TOTAL_ROW, g)] == sum(
                known[(d, g)] for d in members
            ):
                self.equation([(("n", TOTAL_ROW, g), 1.0)] + [(("n", d, g), -1.0) for d in members])


def _implied_by_totals(
    key: Key,
    counts: Mapping[tuple[str, str, str, str], int],
    hidden: set[Cell],
    members: dict[tuple[str, str], set[str]] | None = None,
    primary: set[Cell] | None = None,
) -> bool:
    """Whether shown government-wide figures alone pin this count, whatever else is shown:
    nobody in the Rijk gave this answer (in this group, or in all), nobody in the Rijk was
    asked a conditional item (MEL1 "ja" is 0, in the Rijk or in this very cell), or one
    ministry makes up the whole Rijk.
    Sufficient conditions only, so an exemption is never granted wrongly."""
    if key[0] != "x":
        return False
    _, d, g, item, answer = key

    def shown_zero(group: str, it: str, a: str) -> bool:
        """The Rijk's count of this answer in this group is shown as 0, or follows as 0 from
        shown ones (`alle` is both groups, each group is part of `alle`)."""

        def shown(grp: str) -> bool:
            return (TOTAL_ROW, grp, it) not in hidden and counts.get((TOTAL_ROW, grp, it, a)) == 0

        if shown(group) or shown(TOTAL_COLUMN):
            return True
        return group == TOTAL_COLUMN and all(shown(grp) for grp in GROUPS)

    if shown_zero(g, item, answer):
        return True
    # The organisation's own `alle` count of this answer is shown as 0: so is each group's
    # (a count of nobody, implied by a shown figure, discloses nobody).
    if (d, TOTAL_COLUMN, item) not in hidden and counts.get((d, TOTAL_COLUMN, item, answer)) == 0:
        return True
    if item in CONDITIONAL:
        source, yes = CONDITIONAL[item]
        if shown_zero(g, source, yes):
            return True
        # The cell's own respondents are shown as none (its MEL1 "ja" is a shown 0): a
        # count of nobody discloses nobody.
        for group in {g, TOTAL_COLUMN}:  # in this group, or in the organisation as a whole
            if (d, group, source) not in hidden and counts.get((d, group, source, yes)) == 0:
                return True
    ministries = (members if members is not None else _ministries(counts)).get((item, g), set())
    if ministries == {d} and (TOTAL_ROW, g, item) not in hidden:
        return True
    # A figure hidden only to protect another (never a small group's own): its count of an
    # answer that nobody in the Rijk's other group gave equals its shown `alle` count, a
    # fact of shown figures that hiding cannot protect, and that says nothing of the
    # other group beyond the Rijk's own 0.
    if primary is None or (d, g, item) in primary or g == TOTAL_COLUMN:
        return False
    other = GROUPS[1] if g == GROUPS[0] else GROUPS[0]
    return shown_zero(other, item, answer) and (d, TOTAL_COLUMN, item) not in hidden


def _ministries(
    counts: Mapping[tuple[str, str, str, str], int],
) -> dict[tuple[str, str], set[str]]:
    """The ministries with a cell, per (item, group)."""
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m, grp, it, _ in counts:
        if m != TOTAL_ROW:
            index[(it, grp)].add(m)
    return dict(index)


def _blocks(rows: list[Row], size: int) -> list[list[int]]:
    """Variables that share no equation, grouped (union-find over the equations)."""
    parent = list(range(size))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for coefficients, _, _ in rows:
        first, *rest = coefficients
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for variable in range(size):
        groups[find(variable)].append(variable)
    return list(groups.values())


def quiet_solver() -> highspy.Highs:
    """A HiGHS instance that prints nothing (see `_solver`)."""
    solver = _solver()
    solver.setOptionValue("simplex_strategy", 0)
    return solver


def _solver() -> highspy.Highs:
    """A quiet HiGHS instance. Its first construction in a process prints a banner on the
    process's own standard output, which would end up inside an export: it is sent to
    /dev/null at the file-descriptor level, once."""
    global _QUIET
    if not _QUIET:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _QUIET = True
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    # HiGHS keeps one scheduler per process, sized by the first programme run; a later one
    # asking another number of threads is refused (status kError, model kNotset). Left to
    # choose, HiGHS sizes it by the machine's cores, so on a machine with more cores a
    # mixed-integer plan asking one thread failed and the plan fell back to hiding every
    # figure, the Rijk's too. Every instance asks one thread (see `run`).
    solver.setOptionValue("threads", 1)
    # Each programme only changes the objective of the last: the last optimal basis stays
    # feasible, so primal simplex starts from it (measured: a plan in half the time).
    solver.setOptionValue("simplex_strategy", 4)
    return solver


_QUIET = False


def run(solver: highspy.Highs) -> None:
    """Solve; if the process-wide scheduler was sized by other code than ours (another thread
    count), reset it once and solve again instead of returning a refusal as an answer."""
    status = solver.run()
    if (
        status == highspy.HighsStatus.kError
        and solver.getModelStatus() == highspy.HighsModelStatus.kNotset
    ):
        highspy.Highs.resetGlobalScheduler(True)
        solver.run()


class _Block:
    """One block of equations as a HiGHS model, re-solved for each objective (warm start)."""

    def __init__(self, rows: list[Row], local: dict[int, int]) -> None:
        self.size = len(local)
        columns: list[list[tuple[int, float]]] = [[] for _ in range(self.size)]
        for r, (coefficients, _, _) in enumerate(rows):
            for variable, coefficient in coefficients.items():
                columns[local[variable]].append((r, coefficient))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.size, len(rows)
        lp.col_cost_ = np.zeros(self.size)
        lp.col_lower_ = np.zeros(self.size)
        lp.col_upper_ = np.full(self.size, highspy.kHighsInf)
        lp.row_lower_ = np.array([low for _, low, _ in rows], dtype=float)
        lp.row_upper_ = np.array([high for _, _, high in rows], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.cumsum([0] + [len(c) for c in columns]).astype(np.int32)
        lp.a_matrix_.index_ = np.array([r for c in columns for r, _ in c], dtype=np.int32)
        lp.a_matrix_.value_ = np.array([v for c in columns for _, v in c], dtype=float)
        self.solver = _solver()
        self.solver.passModel(lp)
        self.all = np.arange(self.size, dtype=np.int32)

    def optimum(self, objective: np.ndarray) -> np.ndarray | None:
        """The optimal point for this objective; None when unbounded (or infeasible)."""
        self.solver.changeColsCost(self.size, self.all, objective.astype(float))
        run(self.solver)
        if self.solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.solver.getSolution().col_value, dtype=float)


def bounds(
    model: _Model, width: float, exempt: Callable[[Key], bool] = lambda key: False
) -> dict[Key, tuple[float, float]]:
    """The smallest and largest value of each unknown the constraints allow, or, for an
    unknown already seen to vary by `width` between feasible points, that observed range.

    Two programmes per unknown would be slow; but the true counts are one feasible point,
    and every solved programme's optimum is another: an unknown that already varies by
    `width` between them is protected, whatever its exact bounds, and needs no programme.
    Which points are found does not change the answer, only its cost: an unknown the
    constraints pin can never be seen to vary by `width`, so it always gets its own two
    programmes and its exact bounds.
    """
    keys = list(model.index)
    truth = np.array([model.truth(key) for key in keys], dtype=float)
    result: dict[Key, tuple[float, float]] = {}
    by_variable: dict[int, list[int]] = defaultdict(list)
    for number, (coefficients, _, _) in enumerate(model.rows):
        for variable in coefficients:
            by_variable[variable].append(number)
    for block in _blocks(model.rows, len(keys)):
        equations = sorted({e for v in block for e in by_variable[v]})
        local = {variable: j for j, variable in enumerate(block)}
        program = _Block([model.rows[number] for number in equations], local)
        low, high = truth[block].copy(), truth[block].copy()

        def seen(point: np.ndarray | None) -> None:
            nonlocal low, high
            if point is not None:
                low, high = np.minimum(low, point), np.maximum(high, point)

        # Pinned or not, an exempt unknown is no disclosure: no programme for it.
        free = np.array([not exempt(keys[variable]) for variable in block], dtype=bool)
        # Pushes first: the unknowns not yet seen to vary by `width`, weighted at random,
        # summed, made as large and as small as the constraints allow. Each optimum is a far
        # corner of the feasible region, so most unknowns show their room in a few rounds
        # without a programme of their own. (Eight random directions over every unknown
        # left more to solve: the 1,035 audits of six test files took 30 s instead of 19,
        # with the same verdicts and bounds of every pinned count.)
        generator = np.random.default_rng(len(block))
        for _ in range(PUSH_ROUNDS if len(block) > 2 else 0):
            open_ = free & (high - low < width - TOLERANCE)
            if open_.sum() <= 2:
                break
            weights = np.where(open_, generator.uniform(0.5, 1.5, len(block)), 0.0)
            seen(program.optimum(weights))
            seen(program.optimum(-weights))
            if (free & (high - low < width - TOLERANCE)).sum() > 0.99 * open_.sum():
                break
        for j in range(len(block)):
            if not free[j]:
                continue
            for sign in (1.0, -1.0):
                if high[j] - low[j] >= width - TOLERANCE:
                    break
                objective = np.zeros(len(block))
                objective[j] = sign
                point = program.optimum(objective)
                if point is None and sign < 0:
                    high[j] = np.inf  # unbounded above
                seen(point)
        for j, variable in enumerate(block):
            result[keys[variable]] = (float(low[j]), float(high[j]))
    return result


def attack(
    counts: Mapping[tuple[str, str, str, str], int],
    answers: Mapping[str, list[str]],
    hidden: set[Cell],
    participants: Mapping[tuple[str, str], int],
    published: set[tuple[str, str]],
    width: float,
    threshold: int | None = None,
    insider: str | None = None,
    primary: set[Cell] | None = None,
) -> list[Exposure]:
    """Hidden counts of one wave that the adversary pins within less than `width`.

    `counts`: every cell's answer counts, RIJK and `alle` included, hidden ones too (the
    truth, from which the adversary's view is built); `participants`: each group's true
    number of participants (RIJK and `alle` included); `published`: the groups whose
    participants the response table shows; `threshold`: the wave's, when each hidden
    figure's label says whether it is small itself or hidden to protect another (the
    adversary reads labels too); `insider`: an organisation whose own figures the adversary
    knows, hidden ones too (its own integrity lead: what the rest of its table gives away
    about others is then listed, its own counts are not).
    """
    model = _Model(counts, answers, hidden, participants, published, threshold, insider)
    model.build()
    known: dict[Key, bool] = {}
    members = _ministries(counts)

    def exempt(key: Key) -> bool:
        if key not in known:
            known[key] = _implied_by_totals(key, counts, hidden, members, primary)
        return known[key]

    def own_total(key: Key) -> bool:
        """A Rijk-wide count the insider pins that holds nothing of others: every other
        ministry's part is a count implied as 0 by shown figures (exempt)."""
        if insider is None or key[0] != "x" or key[1] != TOTAL_ROW:
            return False
        _, _, g, item, answer = key
        others = members.get((item, g), set()) - {insider}
        return all(exempt(("x", m, g, item, answer)) for m in others)

    pinned = {
        key: (low, high)
        for key, (low, high) in bounds(model, width, exempt).items()
        if high - low < width - TOLERANCE and not exempt(key) and not own_total(key)
    }
    exposures = []
    for key, (low, high) in pinned.items():
        if key[0] == "x":
            _, d, g, item, answer = key
            exposures.append(Exposure(d, g, item, answer, low, high))
        else:
            _, d, g = key
            exposures.append(Exposure(d, g, "", None, low, high))
    return sorted(exposures, key=lambda e: (e.departement, e.groep, e.item, e.antwoord or ""))


@dataclass(frozen=True)
class Release:
    """One publication of a wave, as `attack` takes it: the true counts and participants,
    the hidden cells and the groups whose participants were published."""

    counts: Mapping[tuple[str, str, str, str], int]
    hidden: set[Cell]
    participants: Mapping[tuple[str, str], int]
    published: set[tuple[str, str]]


class _Combined:
    """Two releases' unknowns and equations in one model: an organisation that did not
    resubmit has the same counts in both (the ledger says who resubmitted)."""

    def __init__(self, old: _Model, new: _Model, unchanged: set[str]) -> None:
        self.index: dict[Key, int] = dict(new.index)
        self.rows: list[Row] = list(new.rows)
        self._truth: dict[Key, float] = {key: new.truth(key) for key in new.index}
        offset = len(self.index)
        for key, number in old.index.items():
            self.index[("old", *key)] = offset + number
            self._truth[("old", *key)] = old.truth(key)
        self.rows += [({offset + v: c for v, c in coefficients.items()}, low, high)
                      for coefficients, low, high in old.rows]  # fmt: skip
        for key, number in old.index.items():  # unknown in the old release
            if key[1] not in unchanged:
                continue
            if key in new.index:
                self.rows.append(({offset + number: 1.0, new.index[key]: -1.0}, 0.0, 0.0))
            else:
                value = new.truth(key)
                self.rows.append(({offset + number: 1.0}, value, value))
        for key, number in new.index.items():  # unknown now, shown in the old release
            if key[1] in unchanged and key not in old.index:
                value = old.truth(key)
                self.rows.append(({number: 1.0}, value, value))

    def truth(self, key: Key) -> float:
        return self._truth[key]


def attack_two(
    old: Release,
    new: Release,
    changed: set[str],
    answers: Mapping[str, list[str]],
    width: float,
    threshold: int | None = None,
    insider: str | None = None,
    primary_old: set[Cell] | None = None,
    primary_new: set[Cell] | None = None,
) -> list[Exposure]:
    """Hidden counts of either release that the two publications side by side pin within
    less than `width` (`changed`: the organisations that resubmitted between them; the
    others' counts are the same in both). An exposure of the earlier release is reported
    with its departement as `<code> (eerder)`."""
    models = []
    for release in (old, new):
        model = _Model(release.counts, answers, release.hidden, release.participants,
                       release.published, threshold, insider)  # fmt: skip
        model.build()
        models.append(model)
    codes = {d for d, _, _, _ in new.counts} | {d for d, _, _, _ in old.counts}
    unchanged = codes - set(changed) - {TOTAL_ROW}
    combined = _Combined(models[0], models[1], unchanged)
    members = [_ministries(old.counts), _ministries(new.counts)]
    primaries = [primary_old, primary_new]
    releases = [old, new]

    def exempt(key: Key) -> bool:
        """Implied by what a release shows; for an organisation that did not resubmit, by
        what either release shows (its counts are the same in both)."""
        which = 0 if key[0] == "old" else 1
        plain = key[1:] if key[0] == "old" else key
        both = (0, 1) if plain[1] in unchanged else (which,)
        return any(
            _implied_by_totals(plain, releases[w].counts, releases[w].hidden, members[w],
                               primaries[w])
            for w in both
        )  # fmt: skip

    found = []
    for key, (low, high) in bounds(combined, width, exempt).items():  # type: ignore[arg-type]
        if high - low >= width - TOLERANCE or exempt(key):
            continue
        earlier = key[0] == "old"
        plain = key[1:] if earlier else key
        if plain[1] == insider or plain[1] == TOTAL_ROW:
            continue
        if plain[1] in unchanged and plain not in (models[1].index if earlier else
                                                   models[0].index):  # fmt: skip
            continue  # the other publication showed it: public, not disclosed by these two
        code = f"{plain[1]} (eerder)" if earlier else plain[1]
        if plain[0] == "x":
            found.append(Exposure(code, plain[2], plain[3], plain[4], low, high))
        else:
            found.append(Exposure(code, plain[2], "", None, low, high))
    return sorted(found, key=lambda e: (e.departement, e.groep, e.item, e.antwoord or ""))
