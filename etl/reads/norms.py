"""Reads of the norm scores: the grid of a quarter, totals, histories and shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl.domain import catalog, normgrid, vocabulary
from etl.domain.kinds import KINDS
from etl.intake import quarterform
from etl.reads.base import Reader
from etl.settings import SCHEMAS_DIR
from etl.store.database import file_identity
from etl.store.derived import (
    DERIVED_GRID,
    DERIVED_TRENDS,
    from_stored_grid,
    ministry_panel,
    onderdeel_panel,
)


class NormReads(Reader):
    """Norm scores."""

    def _scores(self, where: str, params: Sequence[object], text: bool = True) -> pd.DataFrame:
        """The newest version of the norm scores matching `where` (a condition of this module);
        without the toelichting when `text` is false (trends count, they do not quote)."""
        toelichting = "toelichting" if text else "'' AS toelichting"
        frame = self._query(
            f"SELECT departement, periode, norm, score, oordeel, {toelichting}, "
            "coalesce(bron, 'zelf') AS bron, version AS versie "
            f"FROM current_normscores WHERE {where} ORDER BY periode, departement, norm",
            params,
        )
        if frame is None:
            return pd.DataFrame(columns=normgrid.SCORE_COLUMNS).astype(
                {"norm": int, "score": float}
            )
        # Plain floats: NaN is "no score", and arithmetic (changes) needs no NA special cases.
        frame = frame.astype({"score": float})
        return frame

    def _stored_grid(
        self, where: str, params: Sequence[object], today: date
    ) -> pd.DataFrame | None:
        """Cells of the grid the last load stored (`etl.store.derive`), None when there is none
        or it is stale. Whether a missing file is nog open depends on the day: decided here."""
        frame = self._stored_table(DERIVED_GRID, where, params)
        if frame is None or frame.empty:
            return frame
        return from_stored_grid(frame, today)

    def _last_judged(self, periode: str) -> pd.DataFrame:
        """Per organisation and norm its last judged verdict before `periode` (arg_max: the
        row of the latest quarter), in the columns of `_scores`."""
        frame = self._query(
            "SELECT departement, max(periode) AS periode, norm, "
            "arg_max(score, periode) AS score, arg_max(oordeel, periode) AS oordeel, "
            "'' AS toelichting, arg_max(coalesce(bron, 'zelf'), periode) AS bron, "
            "arg_max(version, periode) AS versie FROM current_normscores "
            "WHERE periode < ? AND score IS NOT NULL GROUP BY departement, norm",
            [periode],
        )
        if frame is None:
            return pd.DataFrame(columns=normgrid.SCORE_COLUMNS)
        return frame.astype({"score": float})

    def periods(self) -> list[str]:
        """Quarters with at least one submission, newest first."""
        frame = self._query("SELECT DISTINCT periode FROM current_normscores ORDER BY periode DESC")
        return [] if frame is None else [str(p) for p in frame["periode"]]

    def period_sources(self) -> dict[str, str]:
        """Quarter → who judged it, in words (the Court's audit or self-assessment)."""
        frame = self._query(
            "SELECT periode, list_distinct(list(coalesce(bron, 'zelf'))) AS bronnen "
            "FROM current_normscores GROUP BY periode"
        )
        if frame is None:
            return {}
        return {
            str(p): normgrid.source_label(frozenset(b))
            for p, b in zip(frame["periode"], frame["bronnen"], strict=True)
        }

    def _full_grid(self, periode: str, today: date) -> pd.DataFrame:
        """Every organisation's cells of the quarter (before access): the grid the last load
        stored, else computed here. The overview asks for the grid, the government totals and
        the submission states of the same quarter at once, so one computation per file
        version, quarter and day serves all three."""
        stored = self._stored_grid("periode = ?", [periode], today)
        if stored is not None:
            return stored
        identity = file_identity(self.path) or ""
        catalogues = (
            catalog.stamp(catalog.organisations_path()),
            catalog.stamp(SCHEMAS_DIR / "normen.csv"),
        )
        return _grid_of(self.path, identity, periode, today, catalogues).copy()

    def norm_grid(self, periode: str, today: date) -> pd.DataFrame:
        """Every organisation the reader may see × every norm of the quarter: state,
        toelichting, source and change against the last judged verdict."""
        return self.access.rows(self._full_grid(periode, today)).reset_index(drop=True)

    def norm_totals(self, periode: str, today: date) -> pd.DataFrame:
        """Government-wide, over every organisation: per norm (and `norm` 0 for all norms
        together) how many met of how many judged, and who did not submit or is still open."""
        grid = self._full_grid(periode, today)
        per_norm = vocabulary.share_met(grid, ["norm"])
        total = vocabulary.share_met(grid, []).assign(norm=0)
        return pd.concat([per_norm, total], ignore_index=True)

    def onderdeel_totals(self, periode: str, today: date) -> pd.DataFrame:
        """Government-wide share met per onderdeel in one quarter, over every organisation."""
        return vocabulary.share_met(self._full_grid(periode, today), ["onderdeel"])

    def submission_states(self, periode: str, today: date) -> pd.DataFrame:
        """Per organisation of the quarter (government-wide, codes only): submitted, nog open
        or niet aangeleverd. Whether a ministry submitted is no detail of its own."""
        grid = self._full_grid(periode, today)
        columns = ["departement", "naam", "soort", "staat", "aangeleverd"]
        return grid.drop_duplicates("departement")[columns].reset_index(drop=True)

    def norm_history(self, norm: int, today: date) -> pd.DataFrame:
        """Every organisation the reader may see × quarter on one norm."""
        return self.access.rows(self._norm_history(norm, today)).reset_index(drop=True)

    def _norm_history(self, norm: int, today: date) -> pd.DataFrame:
        stored = self._stored_grid("norm = ?", [norm], today)
        if stored is not None:
            return stored
        scores = self._scores("norm = ?", [norm])
        quarters = sorted(scores["periode"].unique())
        if not quarters:
            return pd.DataFrame()
        norms = normgrid.norms_frame()
        return normgrid.grid(scores, quarters, norms[norms["norm"] == norm], today)

    def norm_government(
        self, norm: int, today: date, start: str
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Government-wide on one norm from `start`: like for like (a panel of the
        ministries that judged it in every quarter) and per quarter over all judged."""
        cells = self._norm_history(norm, today)
        if cells.empty:
            return pd.DataFrame(), pd.DataFrame()
        chosen = cells[cells["periode"] >= start].assign(reeks="rijksbreed")
        return (
            normgrid.panel_shares(chosen, ["reeks"], ["departement"]),
            normgrid.quarter_shares(chosen, []),
        )

    def ministry_history(self, code: str) -> pd.DataFrame:
        """All quarters of one ministry, continued through its predecessors before it existed."""
        if not self.access.allows(code):
            return pd.DataFrame(columns=[*normgrid.SCORE_COLUMNS, "staat", "ministerie"])
        chain = catalog.lineage(code)
        scores = self._scores("list_contains(?, departement)", [chain])
        depth = scores["departement"].map({source: i for i, source in enumerate(chain)})
        nearest = depth == depth.groupby(scores["periode"]).transform("min")
        frame = scores[nearest].rename(columns={"departement": "door"})
        frame = frame.assign(ministerie=code, via_voorganger=frame["door"] != code)
        frame["staat"] = vocabulary.states(frame["oordeel"], pd.Series(True, index=frame.index))
        frame = frame.merge(normgrid.norms_frame(), on="norm", how="left")
        return frame.sort_values(["periode", "norm"]).reset_index(drop=True)

    def onderdeel_shares(self, start: str | None = None) -> pd.DataFrame:
        """Government-wide share met per onderdeel and quarter from `start` on, like for like:
        over the (ministry, norm) pairs judged in every quarter shown. From the start of the
        series the last load stored it; from a later quarter it is computed here."""
        if self._from_the_start(start):
            stored = self._stored_table(DERIVED_TRENDS["onderdelen"])
            if stored is not None:
                return stored
        where = "periode >= coalesce(CAST(? AS VARCHAR), '')"
        return onderdeel_panel(self._scores(where, [start], text=False))

    def onderdeel_quarters(self) -> pd.DataFrame:
        """Government-wide share met per onderdeel and quarter over every judged norm."""
        scores = self._scores("true", [], text=False)
        cells = scores.merge(normgrid.norms_frame(), on="norm").assign(staat=lambda c: c["oordeel"])
        return normgrid.quarter_shares(cells, ["onderdeel"])

    def ministry_shares(self, start: str | None = None) -> pd.DataFrame:
        """Share met per ministry the reader may see and quarter from `start` on, continued
        through predecessors (marked), like for like per ministry."""
        shares = None
        if self._from_the_start(start):
            shares = self._stored_table(DERIVED_TRENDS["ministeries"])
        if shares is None:
            where = "periode >= coalesce(CAST(? AS VARCHAR), '')"
            shares = ministry_panel(self._scores(where, [start], text=False))
        return self.access.rows(shares, "ministerie").reset_index(drop=True)

    def _from_the_start(self, start: str | None) -> bool:
        first = min(self.periods(), default=None)
        return start is None or first is None or start <= first

    def normscores(
        self, periode: str | None = None, departement: str | None = None
    ) -> pd.DataFrame:
        """The newest version of every (departement, periode), in the contract's columns."""
        columns = list(KINDS["normscores"].columns)
        frame = self._query(
            "SELECT departement, periode, norm, "
            # niet beoordeeld is an empty cell in the contract; onbekend is written out.
            "CASE WHEN oordeel = 'niet beoordeeld' THEN '' ELSE oordeel END AS oordeel, "
            "toelichting, coalesce(bron, 'zelf') AS bron FROM current_normscores "
            "WHERE (CAST(? AS VARCHAR) IS NULL OR periode = ?) "
            "AND (CAST(? AS VARCHAR) IS NULL OR departement = ?) "
            "ORDER BY periode, departement, norm",
            [periode, periode, departement, departement],
        )
        if frame is None:
            return pd.DataFrame(columns=columns)
        return self.access.rows(frame[columns]).reset_index(drop=True)

    def prefill(self, code: str, periode: str) -> pd.DataFrame:
        """The quarter form's starting point for `code` (`etl.intake.quarterform.prefill`): the
        quarter's own current version, else the newest judged verdict of each norm before
        `periode`, a predecessor's included."""
        chain = catalog.lineage(code)
        scores = self._scores("list_contains(?, departement) AND periode <= ?", [chain, periode])
        return quarterform.prefill(scores, periode)


@lru_cache(maxsize=16)
def _grid_of(
    path: Path, identity: str, periode: str, today: date, catalogues: tuple[catalog.Stamp, ...]
) -> pd.DataFrame:
    """`ReadModel._full_grid`, kept per database version (`identity`) and catalogue version."""
    model = NormReads(path)
    # The quarter's own rows, and per organisation and norm only its last judged verdict
    # before it: all the change needs, a row per cell instead of every quarter's.
    scores = pd.concat([model._scores("periode = ?", [periode]), model._last_judged(periode)])
    return normgrid.grid(scores, [periode], normgrid.norms_frame(), today)
