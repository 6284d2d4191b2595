"""From a click on the overview's heatmap to the page and URL parameters it opens.

A pure function, because AppTest cannot click a chart: tests call this directly and
inject the resulting query parameters into the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.charts import GOVERNMENT_ROW

MINISTRY_PAGE = "screens/ministerie.py"
NORM_PAGE = "screens/norm.py"


@dataclass(frozen=True)
class Target:
    """A page and the query parameters that make its view (a deep link)."""

    page: str
    params: dict[str, str]


def target_for(selection: Mapping[str, Any] | None, periode: str) -> Target | None:
    """The drill-down for the heatmap's selection state, or None when nothing is selected.

    A ministry's cell opens that ministry (with the norm marked); the "Voldaan" margin
    opens the ministry; the government-wide row opens the norm.
    """
    points = (selection or {}).get("cel") or []
    if not points:
        return None
    point = points[0]
    code = str(point.get("departement", ""))
    norm = int(point.get("norm", 0) or 0)
    if not code:
        return None
    if code == GOVERNMENT_ROW:
        return Target(NORM_PAGE, {"periode": periode, "norm": str(norm)}) if norm else None
    params = {"periode": periode, "ministerie": code}
    if norm:
        params["norm"] = str(norm)
    return Target(MINISTRY_PAGE, params)
