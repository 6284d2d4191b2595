"""Disclosure control: which survey figures must stay hidden, primary and complementary.

One wave and one item form a two-way table: ministries (and the government-wide row
RIJK, their sum) by group (medewerkers, leidinggevenden, and `alle`, their sum).
Every published figure is a count in such a table, so a hidden cell could be
recovered by subtraction along a row (alle − the other group) or a column (RIJK −
the other ministries). Turning the totals' signs around makes every row and column
of the extended table sum to zero; in such a table a hidden cell is exactly
determined if and only if it is a *bridge* in the graph whose nodes are rows and
columns and whose edges are the hidden cells. So: hide the small cells, then, while
any hidden cell is a bridge, hide the cheapest further cells that close a cycle
through it. Waves share no cells, so no subtraction across waves exists; changes
between waves are only shown when both ends are shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping

import numpy as np

from etl.domain import vocabulary

Cell = tuple[str, str]  # (row: organisation code or TOTAL_ROW, column: group or TOTAL_COLUMN)

# The one line a paper prints about which figures it shows (who sees what: CONTRACT.md).
PUBLISHED_LINE = (
    "Beschermde cijfers, zoals iedereen ze mag zien: geen enquêtecijfer van een groep van "
    "minder dan 10 respondenten, kleine aantallen meldingen en gesprekken per soort "
    "afgeschermd; totalen exact."
)
NORMS_ONLY_LINE = "Alleen normoordelen: die zijn voor iedereen gelijk; er is niets afgeschermd."
TOTAL_ROW = vocabulary.RIJK
TOTAL_COLUMN = "alle"
_KEEP_TOTAL_ROW = 1e12  # hide a government-wide figure only when nothing else will do
_KEEP_ORGANISATION_TOTAL = 1e6  # prefer hiding a ministry's split over its total


def exposed(hidden: set[Cell]) -> list[Cell]:
    """Hidden cells that subtraction would recover: the bridges of the hidden-cell graph.

    Tarjan's bridge-finding in one depth-first pass (iterative, so hundreds of
    organisations need no deep recursion): an edge is a bridge when nothing below it
    in the search tree reaches back above it.
    """
    graph: dict[str, list[tuple[str, Cell]]] = defaultdict(list)
    for row, column in hidden:
        graph["r:" + row].append(("c:" + column, (row, column)))
        graph["c:" + column].append(("r:" + row, (row, column)))
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    bridges: list[Cell] = []
    for root in sorted(graph):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[str, Cell | None, Iterator[tuple[str, Cell]]]] = [
            (root, None, iter(graph[root]))
        ]
        while stack:
            node, via, edges = stack[-1]
            for neighbour, edge in edges:
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, edge, iter(graph[neighbour])))
                    break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent] and via is not None:
                        bridges.append(via)
    return sorted(bridges)


class _Table:
    """One table as arrays, for a vectorised search of the cheapest protecting cycle.

    Besides the cell costs it keeps, per pair of columns, how many rows have both
    hidden: in a bipartite graph a hidden cell (r, c) stays recoverable exactly when no
    other hidden column of row r reaches column c without passing through row r, and
    with a handful of columns that is a search over the columns alone.
    """

    def __init__(self, n: Mapping[Cell, int], hidden: set[Cell]) -> None:
        self.rows = sorted({r for r, _ in n})
        self.columns = sorted({c for _, c in n})
        self.row_index = {r: i for i, r in enumerate(self.rows)}
        self.column_index = {c: j for j, c in enumerate(self.columns)}
        # Column-major, so a column is one contiguous vector. inf: no such cell (it
        # cannot be hidden); `extra` is what hiding a cell would still cost (0 if hidden).
        cost = np.full((len(self.columns), len(self.rows)), np.inf)
        for (row, column), count in n.items():
            cost[self.column_index[column], self.row_index[row]] = _weight(row, column, count)
        self.cost = cost
        self.extra = cost.copy()
        self.hidden: list[set[int]] = [set() for _ in self.rows]  # hidden columns per row
        self.pairs = [[0] * len(self.columns) for _ in self.columns]
        for row, column in sorted(hidden):
            self.hide(self.row_index[row], self.column_index[column])

    def hide(self, i: int, j: int) -> None:
        if j in self.hidden[i]:
            return
        for k in self.hidden[i]:
            self.pairs[j][k] += 1
            self.pairs[k][j] += 1
        self.hidden[i].add(j)
        self.extra[j, i] = 0.0

    def is_bridge(self, i: int, j: int) -> bool:
        """Whether hidden cell (i, j) is still recoverable: no detour from row i to column j."""
        own = self.hidden[i]
        seen = own - {j}
        frontier = list(seen)
        while frontier:
            node = frontier.pop()
            for neighbour, count in enumerate(self.pairs[node]):
                # Links through row i itself do not count (leave row i out of the graph).
                through_i = node in own and neighbour in own and node != neighbour
                if count - through_i > 0 and neighbour not in seen:
                    seen.add(neighbour)
                    frontier.append(neighbour)
        return j not in seen

    def cheapest_cycle(self, i: int, j: int) -> list[tuple[int, int]] | None:
        """The cheapest three cells that, hidden too, put cell (i, j) on a four-cycle.

        Ties go to the first other column, then the first other row, in sorted order.
        """
        best: tuple[float, list[tuple[int, int]]] | None = None
        for k in range(len(self.columns)):
            if k == j or not np.isfinite(self.cost[k, i]):
                continue
            total = self.extra[j] + self.extra[k]  # a new vector; absent cells stay inf
            total[i] = np.inf
            other = int(total.argmin())
            cost = float(total[other]) + float(self.extra[k, i])
            if np.isfinite(cost) and (best is None or cost < best[0]):
                best = (cost, [(i, k), (other, j), (other, k)])
        return None if best is None else best[1]

    def cells(self) -> set[Cell]:
        return {
            (self.rows[i], self.columns[j]) for i, hidden in enumerate(self.hidden) for j in hidden
        }


def _weight(row: str, column: str, count: int) -> float:
    penalty = _KEEP_TOTAL_ROW if row == TOTAL_ROW else 0.0
    penalty += _KEEP_ORGANISATION_TOTAL if column == TOTAL_COLUMN else 0.0
    return penalty + count


def suppress(n: Mapping[Cell, int], threshold: int, also: Collection[Cell] = ()) -> set[Cell]:
    """Cells of one table to hide: fewer respondents than the threshold, plus what protects them.

    `n` holds every published cell of the table, totals included, with its number of
    respondents. Suppressed cells still count in the totals above them. Greedy: the
    first recoverable cell (in sorted order) gets the cheapest cycle, then the next.
    Hiding more cells never makes a protected cell recoverable again, so one pass
    over the initial bridges, skipping those protected meanwhile, is the same as
    searching for bridges again after every step. `also` are further cells to hide for
    their own sake (a sensitive answer count below its minimum).
    """
    hidden = {cell for cell, count in n.items() if count < threshold} | (set(also) & set(n))
    table = _Table(n, hidden)
    for row, column in exposed(hidden):
        i, j = table.row_index[row], table.column_index[column]
        if not table.is_bridge(i, j):
            continue
        cycle = table.cheapest_cycle(i, j)
        if cycle is None:  # too small a table to protect anything: publish nothing of it
            return set(n)
        for a, b in cycle:
            table.hide(a, b)
    return table.cells()
