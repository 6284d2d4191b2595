"""Reads for the IPIM meeting: agreements and coordination (as they stood), the agenda
and its marks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from etl.domain import agenda, catalog
from etl.domain.kinds import KINDS
from etl.reads.base import (
    _local,
)
from etl.reads.norms import NormReads
from etl.reads.survey import SurveyReads

AGREEMENT_EXPORT = ("id", "departement", "norm", "afspraak", "vastgesteld", "gremium", "gereed",
                    "status", "toelichting")  # the contract's order  # fmt: skip


class AgendaReads(NormReads, SurveyReads):
    """The meeting: agreements and the agenda."""

    def agenda_marks(self, periode: str) -> frozenset[str]:
        """The keys of the agenda points marked for the quarter's meeting (`etl.store.meeting`)."""
        exists = self._query("SELECT table_name FROM duckdb_tables() "
                             "WHERE table_name = 'agenda_marks'")  # fmt: skip
        if exists is None or exists.empty:  # a database from before migration 9, unread yet
            return frozenset()
        frame = self._query(
            "SELECT punt FROM agenda_marks WHERE periode = ? GROUP BY punt "
            "HAVING arg_max(bespreken, mark_id)",
            [periode],
        )
        return frozenset() if frame is None else frozenset(str(k) for k in frame["punt"])

    def afspraken(self, periode: str | None = None, departement: str | None = None) -> pd.DataFrame:
        """The newest version of every agreement in the contract's columns (`periode`: those
        due by that quarter), loadable again unchanged."""
        frame = self._query(
            "SELECT id, departement, norm, afspraak, strftime(vastgesteld, '%Y-%m-%d') AS "
            "vastgesteld, gremium, gereed, status, toelichting FROM current_agreements "
            "WHERE (CAST(? AS VARCHAR) IS NULL OR gereed = ?) "
            "AND (CAST(? AS VARCHAR) IS NULL OR departement = ?) ORDER BY departement, id",
            [periode, periode, departement, departement],
        )
        if frame is None:
            return pd.DataFrame(columns=list(AGREEMENT_EXPORT))
        frame["norm"] = frame["norm"].astype("Int64")
        return self.access.rows(frame[list(AGREEMENT_EXPORT)]).reset_index(drop=True)

    def coordinatie(
        self, periode: str | None = None, departement: str | None = None
    ) -> pd.DataFrame:
        """The newest judgement of every (jaar, norm) of BZK's own coordinating role, in the
        file's columns (`periode`: the judgements of that quarter's year). Public to every
        reader: it is BZK's account of itself, not another ministry's detail."""
        columns = list(KINDS["coordinatie"].columns)
        year = int(periode[:4]) if periode else None
        frame = self._query(
            "SELECT departement, jaar, norm, "
            "CASE WHEN oordeel = 'niet beoordeeld' THEN '' ELSE oordeel END AS oordeel, "
            "toelichting, bron FROM current_coordination "
            "WHERE (CAST(? AS INTEGER) IS NULL OR jaar = ?) "
            "AND (CAST(? AS VARCHAR) IS NULL OR departement = ?) ORDER BY jaar, norm",
            [year, year, departement, departement],
        )
        if frame is None:
            return pd.DataFrame(columns=columns)
        return frame[columns].reset_index(drop=True)

    def coordination(self, history: bool = False) -> pd.DataFrame:
        """BZK's judgements of its coordinating role with who recorded each and when: the
        newest version of each (jaar, norm), or with `history` every version, newest first."""
        source = "coordination" if history else "current_coordination"
        frame = self._query(
            "SELECT c.jaar, c.norm, c.version AS versie, c.oordeel, c.toelichting, c.bron, "
            "l.loaded_by AS door, l.loaded_at "
            f"FROM {source} c JOIN loads l USING (load_id) ORDER BY c.jaar, c.norm, c.version DESC"
        )
        columns = ["jaar", "norm", "naam", "versie", "oordeel", "toelichting", "bron", "door",
                   "vastgelegd_op"]  # fmt: skip
        if frame is None or frame.empty:
            return pd.DataFrame(columns=columns)
        names = {norm.code: norm.naam for norm in catalog.coordination_norms()}
        frame["naam"] = frame["norm"].map(names).fillna("")
        frame["vastgelegd_op"] = _local(frame.pop("loaded_at"))
        return frame[columns].reset_index(drop=True)

    def agreements(self, history: bool = False) -> pd.DataFrame:
        """Agreements with who recorded each version and when (local time): the newest
        version of each, or with `history` every version, newest first."""
        source = "agreements" if history else "current_agreements"
        frame = self._query(
            "SELECT a.departement, a.id, a.version AS versie, a.norm, a.afspraak, "
            "a.vastgesteld, a.gremium, a.gereed, a.status, a.toelichting, "
            "l.loaded_by AS door, l.loaded_at, l.file_name AS bestand "
            f"FROM {source} a JOIN loads l USING (load_id) "
            "ORDER BY a.departement, a.id, a.version DESC"
        )
        columns = [
            "departement", "id", "versie", "norm", "afspraak", "vastgesteld", "gremium",
            "gereed", "status", "toelichting", "door", "vastgelegd_op", "bestand",
        ]  # fmt: skip
        if frame is None or frame.empty:
            return pd.DataFrame(columns=columns).astype({"norm": "Int64"})
        frame["vastgelegd_op"] = _local(frame.pop("loaded_at"))
        frame["norm"] = frame["norm"].astype("Int64")
        frame["vastgesteld"] = pd.to_datetime(frame["vastgesteld"]).dt.date
        return self.access.rows(frame[columns]).reset_index(drop=True)

    def agenda(self, periode: str, today: date) -> list[agenda.Point]:
        """The IPIM agenda for the quarter (see `etl.domain.agenda`), for the organisations the
        reader may see; most urgent first."""
        scores = self._scores("periode <= ?", [periode])
        # The agreements as they stood at the quarter's end: a past quarter's agenda shows
        # neither a later agreement nor a later status (issue 23).
        current = agenda.agreements_at(self.agreements(history=True), periode)
        waves = [w for w in (self.stored_survey_waves() or []) if w <= periode]
        kop = self.stored_survey("kop", {"periode": waves[0]}) if waves else None
        points = agenda.compile_agenda(
            self._full_grid(periode, today), scores, current,
            self.submission_states(periode, today),
            kop if kop is not None else pd.DataFrame(), periode,
        )  # fmt: skip
        # Peers are other ministries' detail too (their verdict and toelichting).
        return [
            replace(p, peers=tuple(x for x in p.peers if self.access.allows(x.departement)))
            for p in points
            if self.access.allows(p.departement)
        ]
