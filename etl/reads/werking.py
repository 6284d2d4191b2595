"""Reads of how policy works: the cubes of counts, the yearly figures, their exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pandas as pd

from etl.domain import werking
from etl.domain.kinds import KINDS, REPORT_OUTCOMES
from etl.reads.base import Reader
from etl.settings import settings
from etl.store.database import query_frame
from etl.store.derived import (
    WERKING_KEYS,
    derived_werking,
    werking_tables,
)


class WerkingReads(Reader):
    """How policy works."""

    def jaarcijfers(
        self, periode: str | None = None, departement: str | None = None
    ) -> pd.DataFrame:
        """The newest count of every (departement, jaar, onderwerp) in the file's columns
        (`periode`: that quarter's year). An organisation's year total is what annual reports
        publish, so every reader sees it exactly (contract, "Disclosure rules")."""
        columns = list(KINDS["jaarcijfers"].columns)
        year = int(periode[:4]) if periode else None
        frame = self._query(
            "SELECT departement, jaar, onderwerp, aantal FROM current_year_figures "
            "WHERE (CAST(? AS INTEGER) IS NULL OR jaar = ?) "
            "AND (CAST(? AS VARCHAR) IS NULL OR departement = ?) "
            "ORDER BY jaar, departement, onderwerp",
            [year, year, departement, departement],
        )
        if frame is None:
            return pd.DataFrame(columns=columns)
        return frame[columns].reset_index(drop=True)

    def werking_export(
        self, kind: str, periode: str | None = None, departement: str | None = None
    ) -> pd.DataFrame:
        """The newest version of every (departement, periode) of a werking kind (`meldingen`,
        `omvang`, `vertrouwenspersonen`) in the contract's columns: the counts as loaded, for
        the operator's command line (the dashboard shows them under the privacy rule)."""
        spec = KINDS[kind]  # type: ignore[index]
        columns = list(spec.columns)
        order = ", ".join(("periode", "departement", *([spec.werking_key] if spec.werking_key
                                                         else [])))  # fmt: skip
        frame = self._query(
            f"SELECT {', '.join(columns)} FROM {spec.current_view} "  # names from KINDS only
            "WHERE (CAST(? AS VARCHAR) IS NULL OR periode = ?) "
            f"AND (CAST(? AS VARCHAR) IS NULL OR departement = ?) ORDER BY {order}",
            [periode, periode, departement, departement],
        )
        if frame is None:
            return pd.DataFrame(columns=columns)
        # An optional count left empty is not reported: kept empty, never 0 or '0.0'.
        frame = frame.astype({c: "Int64" for c in spec.optional if c in REPORT_OUTCOMES})
        return self.access.rows(frame[columns]).reset_index(drop=True)

    def werking(
        self,
        kind: str,
        time: str = "periode",
        today: date | None = None,
        alle: bool = False,
        departement: str | None = None,
    ) -> pd.DataFrame:
        """Reports and their handling (`meldingen`) or confidential advisers' conversations
        (`vertrouwenspersonen`) per organisation the reader may see and RIJK, per quarter
        (`time` periode) or year (jaar), per type or subject and `alle` (only `alle` with
        `alle`; only one organisation with `departement`), per measure: the counts under
        the privacy rule (`etl.domain.werking`), the headcount and the rate.

        Who sees what: the coordinator (and the command line) everything, exactly. Anyone
        else sees quarters only of the organisations it sees exactly (its own, for a lead;
        no RIJK quarter), and otherwise completed years, with the year's counts of 1-4
        hidden and totals as ranges (RIJK included, even for a lead). One granularity for
        the protected figures: a year's exact count beside its quarters' labels could pin
        them (8 = 4 + 4), and a running year beside the full one would give away the last
        quarter."""
        exact = self.access.exact
        key = WERKING_KEYS[kind]
        where = f"{key} = 'alle'" if alle else "true"
        params: list[object] = []
        if departement is not None:
            where += " AND departement = ?"
            params.append(departement)
        if exact is None:
            frame = self._werking_table(kind, "exact", time, where, params)
        elif time == "periode":
            if not exact:
                return pd.DataFrame()
            frame = self._werking_table(kind, "exact", "periode",
                                        f"{where} AND list_contains(?, departement)",
                                        [*params, sorted(exact)])  # fmt: skip
        else:
            year = (today or settings().today_or_real()).year
            frame = self._werking_table(kind, "beschermd", "jaar", f"{where} AND jaar < ?",
                                        [*params, year])  # fmt: skip
            if exact and not frame.empty:
                own = self._werking_table(kind, "exact", "jaar",
                                          f"{where} AND jaar < ? AND list_contains(?, departement)",
                                          [*params, year, sorted(exact)])  # fmt: skip
                frame = pd.concat([frame[~frame["departement"].isin(exact)], own])
        if frame.empty:
            return frame
        if exact is not None and time == "periode":
            frame = frame[frame["departement"] != werking.RIJK]
        return self.access.rows(frame).reset_index(drop=True)

    def _werking_table(
        self, kind: str, label: str, time: str, where: str, params: Sequence[object]
    ) -> pd.DataFrame:
        """One derived werking table (`werking_tables`), or the same computed here when the
        load did not store it; `where` a condition of this module, values bound."""
        stored = self._stored_table(derived_werking(kind, label, time), where, params)
        if stored is not None:
            return stored
        base = self._query(f"SELECT * FROM {KINDS[kind].current_view}")  # type: ignore[index]
        staff = self._query("SELECT departement, periode, medewerkers FROM current_headcount")
        tables = werking_tables({kind: base}, staff)
        frame = tables.get(derived_werking(kind, label, time))
        if frame is None or frame.empty:
            return pd.DataFrame()
        with duckdb.connect() as scratch:  # the same condition as on the stored table
            scratch.register("t", frame)
            return query_frame(scratch, f"SELECT * FROM t WHERE {where} ORDER BY rij",
                               params).drop(columns="rij")  # fmt: skip

    def werking_periods(self) -> list[str]:
        """Quarters with reports of any organisation, newest last."""
        frame = self._query("SELECT DISTINCT periode FROM current_reports ORDER BY 1")
        return [] if frame is None else list(frame["periode"])
