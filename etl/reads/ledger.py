"""Reads of what arrived: submissions, their status and deadlines, reminders, the ledger,
the current records per kind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from etl.domain import normgrid, vocabulary
from etl.domain.kinds import EVERY_QUARTER, KINDS
from etl.domain.periods import FIRST_SUBMISSION_QUARTER, submission_deadline
from etl.reads.base import (
    Reader,
    _local,
    local_iso,
)

HISTORY_COLUMNS = [
    "geladen_op", "door", "bestand", "sha256", "soort", "perioden", "departementen", "status",
    "fouten", "ontvangen",
]  # fmt: skip


LEDGER_HEADINGS = {
    "geladen_op": "Geladen op",
    "door": "Door",
    "bestand": "Bestand",
    "sha256": "SHA-256",
    "soort": "Soort",
    "perioden": "Perioden",
    "departementen": "Departementen",
    "status": "Status",
    "fouten": "Fouten",
    "ontvangen": "Ontvangen",
}


class LedgerReads(Reader):
    """Submissions and the ledger."""

    def submissions(self) -> pd.DataFrame:
        """Every stored version of norm scores: received, loaded, by whom, from which file."""
        columns = ["departement", "periode", "versie", "geladen_op", "ontvangen", "door",
                   "bestand", "sha256", "ingetrokken"]  # fmt: skip
        frame = self._query(
            "SELECT s.departement, s.periode, s.version AS versie, l.loaded_at, "
            "coalesce(l.received_on, CAST(l.loaded_at AS DATE)) AS ontvangen, "
            "l.loaded_by AS door, l.file_name AS bestand, s.sha256, "
            "w.version IS NOT NULL AS ingetrokken "
            "FROM submissions s JOIN loads l USING (load_id) "
            "LEFT JOIN withdrawn_versions w ON w.kind = s.kind "
            "AND w.departement = s.departement AND w.periode = s.periode "
            "AND w.version = s.version "
            "WHERE s.kind = 'normscores' ORDER BY s.periode, s.departement, s.version",
        )
        if frame is None:
            return pd.DataFrame(columns=columns)
        frame["geladen_op"] = _local(frame.pop("loaded_at"))
        frame["ontvangen"] = pd.to_datetime(frame["ontvangen"]).dt.date
        frame = self._file_traces(frame, frame["departement"].map(lambda code: [code]))
        return self.access.rows(frame[columns]).reset_index(drop=True)

    def submission_status(self, today: date) -> pd.DataFrame:
        """Organisations × quarters: on time, late, missing, or still open before the deadline."""
        first = self._query(
            "SELECT s.departement, s.periode, "
            "min(coalesce(l.received_on, CAST(l.loaded_at AS DATE))) AS ontvangen, "
            "max(s.version) AS versies, max(l.loaded_at) AS laatst_geladen "
            "FROM submissions s JOIN loads l USING (load_id) "
            "WHERE s.kind = 'normscores' AND s.periode >= ? GROUP BY s.departement, s.periode",
            [FIRST_SUBMISSION_QUARTER],
        )
        columns = ["departement", "periode", "status", "ontvangen", "versies", "laatst_geladen"]
        if first is None or first.empty:
            return pd.DataFrame(columns=[*columns, "termijn"])
        first["ontvangen"] = pd.to_datetime(first["ontvangen"]).dt.date
        first["laatst_geladen"] = _local(first["laatst_geladen"])
        quarters = sorted(first["periode"].unique())
        grid = normgrid.organisations_during(quarters)[["departement", "periode"]]
        grid = grid.merge(first, on=["departement", "periode"], how="left")
        grid["termijn"] = grid["periode"].map({q: submission_deadline(q) for q in quarters})
        grid["status"] = [
            vocabulary.submission_status(received, deadline, today)
            for received, deadline in zip(grid["ontvangen"], grid["termijn"], strict=True)
        ]
        grid["ontvangen"] = grid["ontvangen"].astype(object).where(grid["ontvangen"].notna(), None)
        grid["versies"] = grid["versies"].fillna(0).astype(int)
        return self.access.rows(grid[[*columns, "termijn"]]).reset_index(drop=True)

    def due(self, periode: str, today: date) -> pd.DataFrame:
        """Per organisation of the quarter (that the reader may see) and kind it sends every
        quarter: the deadline, when the first version arrived, how many versions, and the
        status (op tijd, te laat, nog open, niet aangeleverd): what a lead must still do,
        and whom the coordinator may remind."""
        frame = self._query(
            "SELECT s.kind AS soort, s.departement, "
            "min(coalesce(l.received_on, CAST(l.loaded_at AS DATE))) AS ontvangen, "
            "max(s.version) AS versies FROM submissions s JOIN loads l USING (load_id) "
            "WHERE s.periode = ? GROUP BY ALL",
            [periode],
        )
        organisations = normgrid.organisations_during([periode])[["departement"]]
        expected = organisations.merge(pd.DataFrame({"soort": list(EVERY_QUARTER)}), how="cross")
        if frame is not None and not frame.empty:
            expected = expected.merge(frame, on=["soort", "departement"], how="left")
        else:
            expected = expected.assign(ontvangen=None, versies=0)
        deadline = submission_deadline(periode)
        expected["periode"] = periode
        expected["termijn"] = deadline
        expected["ontvangen"] = [d.date() if isinstance(d, pd.Timestamp) else d
                                 for d in expected["ontvangen"]]  # fmt: skip
        expected["ontvangen"] = (
            expected["ontvangen"].astype(object).where(expected["ontvangen"].notna(), None)
        )
        expected["status"] = [vocabulary.submission_status(received, deadline, today)
                              for received in expected["ontvangen"]]  # fmt: skip
        expected["versies"] = expected["versies"].fillna(0).astype(int)
        columns = ["departement", "soort", "periode", "termijn", "ontvangen", "versies", "status"]
        return self.access.rows(expected[columns]).reset_index(drop=True)

    def reminders(self) -> pd.DataFrame:
        """Every reminder sent (or tried), newest first, with local times."""
        columns = ["verstuurd_op", "door", "departement", "periode", "aan", "ontbrak", "status",
                   "toelichting"]  # fmt: skip
        frame = self._query(
            "SELECT sent_at, sent_by AS door, departement, periode, recipients AS aan, "
            "missing AS ontbrak, status, detail AS toelichting FROM reminders "
            "ORDER BY reminder_id DESC"
        )
        if frame is None or frame.empty:
            return pd.DataFrame(columns=columns)
        frame["verstuurd_op"] = _local(frame.pop("sent_at"))
        return self.access.rows(frame[columns]).reset_index(drop=True)

    def history(self, departement: str | None = None) -> pd.DataFrame:
        """Every load attempt, oldest first, with local times: what `etl history` lists.

        A reader who sees only some organisations gets the attempts about those (with the
        other codes of a mixed file left out) and their own attempts.
        """
        frame = self._query(
            "SELECT loaded_at, loaded_by, file_name, sha256, coalesce(kind, ''), periods, "
            "departments, status, findings, CAST(received_on AS VARCHAR) FROM loads "
            "WHERE CAST(? AS VARCHAR) IS NULL "
            "OR list_contains(string_split(departments, ','), ?) ORDER BY load_id",
            [departement, departement],
        )
        if frame is None:
            return pd.DataFrame(columns=HISTORY_COLUMNS)
        frame.columns = HISTORY_COLUMNS
        frame["geladen_op"] = local_iso(frame["geladen_op"])
        return self._ledger_rows(frame)

    def content_version(self) -> int:
        """The newest load: what the papers show changes only with a load (a marked agenda
        point, an account or a reminder leaves every paper but the agenda as it was)."""
        frame = self._query("SELECT coalesce(max(load_id), 0) AS laatste FROM loads")
        return 0 if frame is None or frame.empty else int(frame["laatste"].iloc[0])

    def ledger(self) -> pd.DataFrame:
        """The ledger of every load attempt, newest first, with Dutch headings."""
        frame = self.history()
        return frame.iloc[::-1].rename(columns=LEDGER_HEADINGS).reset_index(drop=True)

    def _ledger_rows(self, ledger: pd.DataFrame) -> pd.DataFrame:
        ledger = self._file_traces(ledger, ledger["departementen"].str.split(","))
        allowed = self.access.visible
        if allowed is None or ledger.empty:
            return ledger
        concerns = [
            bool(allowed & set(codes.split(","))) or who == self.access.reader
            for codes, who in zip(ledger["departementen"], ledger["door"], strict=True)
        ]
        mine = ledger[concerns].copy()
        # A file that also held other organisations shows only the reader's part of the list.
        mine["departementen"] = [
            ",".join(c for c in codes.split(",") if c in allowed) for codes in mine["departementen"]
        ]
        return mine.reset_index(drop=True)

    def _file_traces(self, frame: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
        """A file's name and SHA-256 only for the coordinator and the file's own organisation.

        A hash is a fingerprint of the counts inside: hashing every plausible file of a
        small count (2,866 candidates) recovered AZ's quarters of confidential-adviser
        conversations that a reader may only see as a yearly total (issue 21)."""
        exact = self.access.exact
        if exact is None or frame.empty:
            return frame
        own = [bool(c) and set(c) <= exact for c in codes.map(lambda v: [x for x in v if x])]
        hidden = ~pd.Series(own, index=frame.index)
        frame = frame.copy()
        for column in ("bestand", "sha256"):
            if column in frame:
                frame[column] = frame[column].astype(object).where(~hidden, "")
        return frame

    def current_records(self, kind: str, groups: Sequence[tuple[str, str]]) -> pd.DataFrame:
        """The current version's rows for these (departement, periode) pairs (a preview)."""
        view = KINDS[kind].current_view  # type: ignore[index]
        if "periode" in KINDS[kind].columns:  # type: ignore[index]
            wanted = [f"{d}|{p}" for d, p in groups if self.access.allows(d)]
            match = "list_contains(?, departement || '|' || periode)"
        else:  # versioned per row: every current row of the organisations concerned
            wanted = sorted({d for d, _ in groups if self.access.allows(d)})
            match = "list_contains(?, departement)"
        # The view name comes from the kind registry, never from input.
        frame = self._query(f"SELECT * FROM {view} WHERE {match}", [wanted])
        if frame is None:
            return pd.DataFrame(columns=["departement", "periode", "norm", "oordeel"])
        return frame
