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
from collections.abc import Iterator, Mapping

Cell = tuple[str, str]  # (row: organisation code or TOTAL_ROW, column: group or TOTAL_COLUMN)

TOTAL_ROW = "RIJK"
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


def _weight(cell: Cell, n: Mapping[Cell, int]) -> float:
    row, column = cell
    penalty = _KEEP_TOTAL_ROW if row == TOTAL_ROW else 0.0
    penalty += _KEEP_ORGANISATION_TOTAL if column == TOTAL_COLUMN else 0.0
    return penalty + n[cell]


def _cheapest_cycle(bridge: Cell, hidden: set[Cell], n: Mapping[Cell, int]) -> set[Cell] | None:
    """The cheapest three cells that, hidden too, put the bridge on a four-cycle."""
    row, column = bridge
    rows = {r for r, _ in n}
    columns = {c for _, c in n}
    best: tuple[float, set[Cell]] | None = None
    for other_column in sorted(columns - {column}):
        for other_row in sorted(rows - {row}):
            corners = {(row, other_column), (other_row, column), (other_row, other_column)}
            if not corners <= n.keys():
                continue
            cost = sum(_weight(c, n) for c in corners - hidden)
            if best is None or cost < best[0]:
                best = (cost, corners)
    return None if best is None else best[1]


def suppress(n: Mapping[Cell, int], threshold: int) -> set[Cell]:
    """Cells of one table to hide: fewer respondents than the threshold, plus what protects them.

    `n` holds every published cell of the table, totals included, with its number of
    respondents. Suppressed cells still count in the totals above them.
    """
    hidden = {cell for cell, count in n.items() if count < threshold}
    while bridges := exposed(hidden):
        cycle = _cheapest_cycle(bridges[0], hidden, n)
        if cycle is None:  # too small a table to protect anything: publish nothing of it
            return set(n)
        hidden |= cycle
    return hidden
