"""Which cells of a published werking table stay hidden: the small counts that could point
at a person, and just enough others that no published total gives them away.

The publication shows, per year and measure, a two-way table: organisations × types (or
subjects), with exact totals on both margins (an organisation's year; the Rijk by type) as
annual reports publish them. A count of 1 to threshold - 1 in a cell is hidden (primary).
A single hidden cell in a row would be its row total minus the rest, so more cells are hidden
(complementary): for every hidden non-zero cell and every reader, the cells hidden around it
must form a cycle along which the counts can shift by one while every total stays the same
and no count goes below zero. In a two-way table with fixed margins that cycle exists exactly
when linear programming cannot pin the cell (the table's constraint matrix is totally
unimodular), so the cycle search is both how cells are chosen and why they suffice. A
reader who is one organisation's lead knows its own row: its cycles must avoid that row.

All hidden cells carry one label ("afgeschermd"), whether small, zero or large: a label per
reason would tell the reader which hidden cells are 1-4 and narrow them down. Cells chosen
as complements are the cheapest (zeros first, then small counts), so the loss is small.

The handling chain adds inequalities between the tables of one year (gegrond never exceeds
afgerond): a cycle only counts where each count on it can move within them while the other
table stays as it is, so the cycles remain a proof. `audit` solves the linear programmes of
the whole year for the outsider and every lead, as the tests and the sweep's independent
check. Pure: counts in, a set of hidden cells out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

# Cell of a year table: (departement, time value, key value, maat).
Cell = tuple[str, object, str, str]
# Inequalities the handling chain guarantees per organisation, time and key: small <= large.
CHAIN_ORDER: Final = (("gegrond", "afgerond"),)
PROTECTION_WIDTH: Final = 1.0
# Above this many organisations a table's Rijk totals per type are not published: rows are
# then independent and a pair within the row protects. Measured: 400 organisations plan in
# about 10 s with the totals published, so the limit only guards what is far beyond that.
ROW_LIMIT: Final = 1000
_TOLERANCE: Final = 1e-6


@dataclass
class Protection:
    """The plan of one werking publication: the hidden cells; the tables whose Rijk totals
    per key must hide too (a count alone in its column: only one organisation had any, so
    the Rijk's total for that key is its count); and any cell the plan could not protect
    even so (none is known: then its totals hide too)."""

    hidden: set[Cell] = field(default_factory=set)
    rijk_hidden: set[tuple[object, str]] = field(default_factory=set)  # (time, maat)
    unprotected: set[Cell] = field(default_factory=set)


class _Table:
    """One (time, maat) table: organisations × keys with their counts, the hidden set, and
    how far each count may move (the chain's inequalities with the other tables of the
    year, the other count held where it is: a cycle within these bounds is feasible
    whatever the rest does, so it proves protection without solving anything)."""

    def __init__(
        self,
        values: dict[tuple[str, str], int],
        hidden: set[tuple[str, str]],
        floor: dict[tuple[str, str], int] | None = None,
        ceiling: dict[tuple[str, str], int] | None = None,
    ) -> None:
        self.values = values
        self.hidden = hidden
        self.floor = floor or {}
        self.ceiling = ceiling or {}
        self.rows = sorted({r for r, _ in values})
        self.columns = sorted({c for _, c in values})
        self.columns_shown = True  # the Rijk's total per key is published
        self._indexed = -1
        self._by_row: dict[str, list[tuple[str, str]]] = {}
        self._by_column: dict[str, list[tuple[str, str]]] = {}
        # Which counts may move by one (decided once: the searches ask millions of times).
        self._falls = {c for c, v in values.items() if v - 1 >= self.floor.get(c, 0)}
        self._stuck_up = {c for c, top in self.ceiling.items() if values.get(c, 0) + 1 > top}
        # `_exposed` per cell, with the state of the tables it was found in (see there).
        self.exposed_found: dict[tuple[str, str], tuple[tuple[object, ...], list[str | None]]] = {}

    def value(self, cell: tuple[str, str]) -> int:
        return self.values.get(cell, 0)

    def falls(self, cell: tuple[str, str]) -> bool:
        """Whether the count may go down by one (zero, and the chain, bound it)."""
        return cell in self._falls

    def rises(self, cell: tuple[str, str]) -> bool:
        return cell not in self._stuck_up

    def shifts(
        self,
        cell: tuple[str, str],
        same_row: tuple[str, str],
        opposite: tuple[str, str],
        same_column: tuple[str, str],
    ) -> bool:
        """Whether the rectangle lets `cell` move by one: down (it and the opposite corner
        fall, the other two rise) or up (the other way round)."""
        down = (self.falls(cell) and self.rises(same_row) and self.falls(opposite)
                and self.rises(same_column))  # fmt: skip
        up = (self.rises(cell) and self.falls(same_row) and self.rises(opposite)
              and self.falls(same_column))  # fmt: skip
        return down or up

    def rectangle_row(self, cell: tuple[str, str], avoid: str | None) -> str | None:
        """The other row of a hidden rectangle through `cell` that lets it shift by one,
        not in row `avoid`: the common protection, found without a search of the table."""
        row, column = cell
        by_row, by_column = self._adjacency()
        for same_row in by_row.get(row, []):
            if same_row == cell:
                continue
            for opposite in by_column.get(same_row[1], []):
                other = opposite[0]
                if other in (row, avoid) or (other, column) not in self.hidden:
                    continue
                if self.shifts(cell, same_row, opposite, (other, column)) or (
                    not self.columns_shown
                ):
                    return other
        return None

    def protected(self, cell: tuple[str, str], insider: str | None) -> bool:
        """Whether `cell` can shift by one, down or up, along a cycle of hidden cells that
        avoids the insider's row, every count staying at zero or more."""
        return self.cycle_rows(cell, insider) is not None

    def cycle_rows(self, cell: tuple[str, str], insider: str | None) -> set[str] | None:
        """The rows of a cycle that protects `cell` against `insider` (None: none does).
        Only a lead whose row is on it can break that cycle, so only those leads need a
        check of their own (`exposed_to`)."""
        found = self._path(cell, insider, down=True)
        return found if found is not None else self._path(cell, insider, down=False)

    def exposed_to(self, cell: tuple[str, str], thorough: bool = True) -> list[str | None]:
        """The readers `cell` is not protected against: [None] when not even against the
        outsider (then against nobody), else the leads whose rows every cycle needs. A
        hidden rectangle answers first; without `thorough` a lead is taken as exposed when
        no rectangle avoids its row (longer cycles are not searched: faster, and at worst a
        rectangle more is hidden)."""
        if not self.columns_shown:  # rows are independent: a pair within the row suffices
            return [] if self.cycle_rows(cell, None) is not None else [None]
        first = self.rectangle_row(cell, None)
        if first is not None:
            rows = {first}
        else:
            found = self.cycle_rows(cell, None)
            if found is None:
                return [None]
            rows = found - {cell[0]}
        exposed: list[str | None] = []
        for r in sorted(rows):
            if self.rectangle_row(cell, r) is not None:
                continue
            if not thorough or self.cycle_rows(cell, r) is None:
                exposed.append(r)
        return exposed

    def _adjacency(
        self,
    ) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
        """Hidden cells by row and by column, kept while the hidden set does not grow."""
        if self._indexed != len(self.hidden):
            self._by_row, self._by_column = {}, {}
            for other in sorted(self.hidden):
                self._by_row.setdefault(other[0], []).append(other)
                self._by_column.setdefault(other[1], []).append(other)
            self._indexed = len(self.hidden)
        return self._by_row, self._by_column

    def _path(self, cell: tuple[str, str], insider: str | None, down: bool) -> set[str] | None:
        """A path from the cell's row to its column alternating over hidden cells (going
        down, row→column cells rise (any count) and column→row cells fall (count >= 1);
        going up, the other way round), avoiding the insider's row: the rows it passes."""
        row, column = cell
        if not (self.falls(cell) if down else self.rises(cell)):
            return None
        by_row, by_column = self._adjacency()
        # Going down, cells reached from a row rise and cells reached from a column fall.
        rise, fall = (self.rises, self.falls) if down else (self.falls, self.rises)
        parent: dict[str, str | None] = {row: None}
        seen_columns: set[str] = set()
        rows = deque([row])
        while rows:
            current = rows.popleft()
            for other in by_row.get(current, []):
                if other == cell or other[1] in seen_columns or not rise(other):
                    continue
                if other[1] == column or not self.columns_shown:
                    # with no column totals, a pair within the row is a cycle
                    passed: set[str] = set()
                    step: str | None = current
                    while step is not None:
                        passed.add(step)
                        step = parent[step]
                    return passed
                seen_columns.add(other[1])
                for back in by_column.get(other[1], []):
                    if back[0] not in parent and back[0] != insider and back != cell and fall(back):
                        parent[back[0]] = current
                        rows.append(back[0])
        return None

    def cheapest_cycle(
        self, cell: tuple[str, str], insider: str | None
    ) -> list[tuple[str, str]] | None:
        """The cheapest rectangle through `cell` (cells to hide: zeros cost least) that lets
        it shift by one without the insider's row. None when the table has no such rectangle."""
        row, column = cell
        best: tuple[float, list[tuple[str, str]]] | None = None
        if not self.columns_shown:
            for other_column in self.columns:
                other = (row, other_column)
                down = self.falls(cell) and self.rises(other)
                if other_column == column or not (down or (self.rises(cell) and self.falls(other))):
                    continue
                cost = 0.0 if other in self.hidden else 1.0 + self.value(other)
                if best is None or cost < best[0]:
                    best = (cost, [] if other in self.hidden else [other])
            return None if best is None else best[1]
        for other_row in self.rows:
            if other_row in (row, insider):
                continue
            for other_column in self.columns:
                if other_column == column:
                    continue
                same_row, opposite, same_column = (
                    (row, other_column), (other_row, other_column), (other_row, column)
                )  # fmt: skip
                if not self.shifts(cell, same_row, opposite, same_column):
                    continue
                new = [c for c in (same_row, opposite, same_column) if c not in self.hidden]
                cost = sum(1.0 + self.value(c) for c in new)
                if best is None or cost < best[0]:
                    best = (cost, new)
        return None if best is None else best[1]


def plan(long: pd.DataFrame, time: str, key: str, threshold: int) -> Protection:
    """The hidden cells of the publication of `long` (columns departement, `time`, `key`,
    maat, aantal: the counts of the granularity shown). No linear programme: the cycles are
    the proof (`audit` checks them in the tests and the sweep)."""
    protection = Protection()
    _JOINTS.clear()
    for moment, year in sorted(tables(long, time, key, threshold).items(), key=lambda i: str(i[0])):
        grown = True
        while grown:  # hidden sets only grow and are finite: this ends
            for table in year.values():
                _complete(table)
            grown = _complete_jointly(year)
            if not grown:
                grown = _open_columns(year)
        for maat, table in sorted(year.items()):
            if not table.columns_shown:
                protection.rijk_hidden.add((moment, maat))
            for cell in sorted(table.hidden):
                if table.value(cell) >= 1 and _exposed(year, maat, cell):
                    protection.unprotected.add((cell[0], moment, cell[1], maat))
            protection.hidden.update((r, moment, c, maat) for r, c in table.hidden)
    return protection


def _open_columns(year: dict[str, _Table]) -> bool:
    """Where a hidden count has no cycle at all (its column holds no other count: only one
    organisation had any of that key), the table's Rijk totals per key are not published,
    for both tables of a chain pair alike. True when a table changed."""
    changed = False
    for maat, table in year.items():
        if not table.columns_shown:
            continue
        stuck = any(table.value(c) >= 1 and _exposed(year, maat, c) for c in table.hidden)
        if stuck:
            partners = {m for pair in CHAIN_ORDER if maat in pair for m in pair if m in year}
            for member in partners | {maat}:
                changed = changed or year[member].columns_shown
                year[member].columns_shown = False
    return changed


def _joint(year: dict[str, _Table], maat: str) -> _Table | None:
    """The table of the chain pair `maat` belongs to, as one: a cycle hidden in both tables
    may shift both counts together, keeping their difference (gegrond <= afgerond holds);
    it needs each count on a falling step at one or more, in both tables. Kept until either
    table hides more."""
    for small, large in CHAIN_ORDER:
        if maat in (small, large) and small in year and large in year:
            a, b = year[small], year[large]
            state = (len(a.hidden), len(b.hidden), a.columns_shown, b.columns_shown)
            cached = _JOINTS.get(id(a))
            if cached is not None and cached[0] == state and cached[1] is b:
                return cached[2]
            cells = set(a.values) | set(b.values)
            joint = _Table({c: min(a.value(c), b.value(c)) for c in cells}, a.hidden & b.hidden)
            joint.columns_shown = a.columns_shown and b.columns_shown
            _JOINTS[id(a)] = (state, b, joint)
            return joint
    return None


# The joint table per chain pair (by its smaller table), while neither table changed.
_JOINTS: dict[int, tuple[tuple[int, int, bool, bool], _Table, _Table]] = {}


def _safe(year: dict[str, _Table], maat: str, cell: tuple[str, str], insider: str | None) -> bool:
    if year[maat].protected(cell, insider):
        return True
    joint = _joint(year, maat)
    return joint is not None and cell in joint.hidden and joint.protected(cell, insider)


def _exposed(year: dict[str, _Table], maat: str, cell: tuple[str, str]) -> list[str | None]:
    """The readers `cell` is protected against by neither a cycle of its own table nor one
    hidden in both tables of its chain pair: [None] when not even the outsider; else the
    leads on every such cycle (only they can break one).

    Kept per cell while its table and its chain partner stay as they are: a plan asks it of
    every hidden cell three times over once nothing grows any more (the joint completion,
    the open columns, the final check), and at 400 organisations those searches were half
    of a load. Hidden sets only grow and column totals are only ever withdrawn, so their
    sizes and that flag say whether anything the answer rests on changed."""
    table = year[maat]
    members = {m for pair in CHAIN_ORDER if maat in pair for m in pair if m in year} | {maat}
    state = tuple((m, len(year[m].hidden), year[m].columns_shown) for m in sorted(members))
    found = table.exposed_found.get(cell)
    if found is not None and found[0] == state:
        return list(found[1])
    exposed = _search_exposed(year, maat, cell)
    table.exposed_found[cell] = (state, exposed)
    return list(exposed)


def _search_exposed(year: dict[str, _Table], maat: str, cell: tuple[str, str]) -> list[str | None]:
    alone = year[maat].cycle_rows(cell, None)
    joint = _joint(year, maat)
    together = joint.cycle_rows(cell, None) if joint is not None and cell in joint.hidden else None
    if alone is None and together is None:
        return [None]
    if alone is not None and together is not None:
        candidates = alone & together
    else:
        candidates = alone if alone is not None else together or set()
    return [r for r in sorted(candidates - {cell[0]}) if not _safe(year, maat, cell, r)]


def _complete_jointly(year: dict[str, _Table]) -> bool:
    """For a chain count no cycle of its own table protects (gegrond equal to afgerond
    leaves no room), hide the same rectangle in both tables of the pair. True when
    anything was hidden."""
    grown = False
    for small, large in CHAIN_ORDER:
        if small not in year or large not in year:
            continue
        for maat in (small, large):
            table = year[maat]
            for cell in sorted(table.hidden):
                if table.value(cell) < 1:
                    continue
                for insider in _exposed(year, maat, cell):
                    if _safe(year, maat, cell, insider):
                        continue  # an earlier insider's rectangle protects this one too
                    joint = _joint(year, maat)
                    assert joint is not None
                    trial = _Table(joint.values, joint.hidden | {cell})  # the cached one stays
                    trial.columns_shown = joint.columns_shown
                    cycle = trial.cheapest_cycle(cell, insider)
                    if cycle is None:
                        continue
                    for member in (small, large):
                        before = len(year[member].hidden)
                        year[member].hidden.update([cell, *cycle])
                        grown = grown or len(year[member].hidden) > before
    return grown


def tables(
    long: pd.DataFrame, time: str, key: str, threshold: int
) -> dict[object, dict[str, _Table]]:
    """Per time value and maat, the table with its small counts hidden and the chain's
    bounds between the year's tables."""
    values: dict[object, dict[str, dict[tuple[str, str], int]]] = {}
    for (moment, maat), group in long.groupby([time, "maat"], sort=True):
        values.setdefault(moment, {})[str(maat)] = {
            (str(d), str(k)): int(a)
            for d, k, a in zip(group["departement"], group[key], group["aantal"], strict=True)
        }
    result: dict[object, dict[str, _Table]] = {}
    for moment, per_maat in values.items():
        floors: dict[str, dict[tuple[str, str], int]] = {m: {} for m in per_maat}
        ceilings: dict[str, dict[tuple[str, str], int]] = {m: {} for m in per_maat}
        for small, large in CHAIN_ORDER:
            if small in per_maat and large in per_maat:
                ceilings[small] = dict(per_maat[large])
                floors[large] = dict(per_maat[small])
        result[moment] = {
            maat: _Table(
                cells,
                {c for c, v in cells.items() if 1 <= v < threshold},
                floors[maat],
                ceilings[maat],
            )
            for maat, cells in per_maat.items()
        }
        for table in result[moment].values():
            table.columns_shown = len(table.rows) <= ROW_LIMIT
    return result


def _complete(table: _Table) -> None:
    """Hide rectangles until every hidden non-zero cell is protected against the outsider
    and every lead (a cell added may itself need protection: a worklist)."""
    work = deque(sorted(c for c in table.hidden if table.value(c) >= 1))
    while work:
        cell = work.popleft()
        stuck: set[str | None] = set()  # no rectangle of this table helps: the plan goes on
        while None not in stuck:
            exposed = [i for i in table.exposed_to(cell, thorough=False) if i not in stuck]
            if not exposed:
                break
            cycle = table.cheapest_cycle(cell, exposed[0])
            if not cycle:
                stuck.add(exposed[0])
                continue
            table.hidden.update(cycle)
            work.extend(c for c in cycle if table.value(c) >= 1)


def audit(year: dict[str, _Table]) -> list[tuple[str, tuple[str, str], str | None]]:
    """(maat, cell, insider) for every hidden non-zero cell that linear programming pins to
    less than `PROTECTION_WIDTH` for the outsider (insider None) or a lead, from the shown
    cells, both margins, non-negativity and the chain's inequalities of the year."""
    hidden = [(maat, cell) for maat, t in sorted(year.items()) for cell in sorted(t.hidden)]
    if not hidden:
        return []
    insiders: list[str | None] = [None, *sorted({cell[0] for _, cell in hidden})]
    exposed = []
    for insider in insiders:
        unknown = [(m, c) for m, c in hidden if c[0] != insider]
        if not unknown:
            continue
        for position in _pinned(year, unknown):
            maat, cell = unknown[position]
            if year[maat].value(cell) >= 1:
                exposed.append((maat, cell, insider))
    return exposed


def _pinned(year: dict[str, _Table], unknown: Sequence[tuple[str, tuple[str, str]]]) -> list[int]:
    """Positions in `unknown` whose smallest and largest feasible value differ by less than
    `PROTECTION_WIDTH`: every other cell is known (shown, or the insider's own)."""
    index = {u: i for i, u in enumerate(unknown)}
    truth = np.array([year[m].value(c) for m, c in unknown], dtype=float)
    equations: list[tuple[dict[int, float], float]] = []
    for maat, table in year.items():
        for members in _lines(table):
            line = {index[(maat, c)]: 1.0 for c in members if (maat, c) in index}
            if line:
                equations.append((line, float(sum(truth[i] for i in line))))
    inequalities: list[tuple[dict[int, float], float]] = []
    for small, large in CHAIN_ORDER:
        if small not in year or large not in year:
            continue
        for cell in set(year[small].values) | set(year[large].values):
            a, b = index.get((small, cell)), index.get((large, cell))
            if a is None and b is None:
                continue
            bound = 0.0
            coefficients: dict[int, float] = {}
            if a is None:
                bound -= year[small].value(cell)
            else:
                coefficients[a] = 1.0
            if b is None:
                bound += year[large].value(cell)
            else:
                coefficients[b] = -1.0
            inequalities.append((coefficients, bound))
    size = len(unknown)
    a_eq = np.zeros((len(equations), size))
    b_eq = np.zeros(len(equations))
    for r, (coefficients, total) in enumerate(equations):
        for i, c in coefficients.items():
            a_eq[r, i] = c
        b_eq[r] = total
    a_ub = np.zeros((len(inequalities), size)) if inequalities else None
    b_ub = np.zeros(len(inequalities)) if inequalities else None
    for r, (coefficients, bound) in enumerate(inequalities):
        for i, c in coefficients.items():
            a_ub[r, i] = c  # type: ignore[index]
        b_ub[r] = bound  # type: ignore[index]
    # Imported here: only an audit solves programmes, and `scipy.optimize` took 0.2 s of
    # every process's start (the command line's, the dashboard's) that never audits.
    from scipy.optimize import linprog

    low, high = truth.copy(), truth.copy()
    pinned = []
    for i in range(size):
        for sign in (1.0, -1.0):
            if high[i] - low[i] >= PROTECTION_WIDTH - _TOLERANCE:
                break
            objective = np.zeros(size)
            objective[i] = sign
            result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq if len(equations) else None,
                             b_eq=b_eq if len(equations) else None, bounds=(0, None),
                             method="highs")  # fmt: skip
            if result.status == 3:  # unbounded above: not pinned
                high[i] = np.inf
                continue
            if result.status != 0:
                continue
            point = np.asarray(result.x, dtype=float)
            low, high = np.minimum(low, point), np.maximum(high, point)
        if high[i] - low[i] < PROTECTION_WIDTH - _TOLERANCE:
            pinned.append(i)
    return pinned


def _lines(table: _Table) -> Iterable[list[tuple[str, str]]]:
    """Every published total of a table: each organisation's row, each key's column."""
    for row in table.rows:
        yield [(row, c) for c in table.columns]
    if not table.columns_shown:
        return
    for column in table.columns:
        yield [(r, column) for r in table.rows]
