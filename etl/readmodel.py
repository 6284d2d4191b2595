"""The read model: every read of the database, and who may see what, in one place.

Like datasette's `Database` object, a `ReadModel` owns the reading side of one database
file: the SQL the dashboard, the exports, the meeting papers and the derived tables ask
for lives here and nowhere else, parameters bound. It answers in DataFrames through
the pooled read-only connections of `etl.database`, combined with the pure figures of
`etl.normgrid` and `etl.survey`. An `Access` travels with it: detail of organisations a
reader may not see is dropped here, once, so no screen, download or paper can forget it;
government-wide figures are computed over everyone and stay visible to all.
No Streamlit: the dashboard caches these answers, the command line uses them directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

from etl import (
    agenda,
    catalog,
    normgrid,
    publication,
    quarterform,
    survey,
    vocabulary,
    werking,
)
from etl.database import LOCAL_TIME, file_identity, query_frame, reader
from etl.derived import (
    DERIVED_GRID,
    DERIVED_PREFIX,
    DERIVED_TRENDS,
    WERKING_KEYS,
    changed_since_published,
    derived_fresh,
    derived_table_exists,
    derived_werking,
    from_stored_grid,
    kept_hidden_from,
    ministry_panel,
    onderdeel_panel,
    survey_data_from,
    werking_tables,
)
from etl.kinds import EVERY_QUARTER, KINDS, REPORT_OUTCOMES
from etl.periods import FIRST_SUBMISSION_QUARTER, submission_deadline
from etl.publication import Plan
from etl.settings import SCHEMAS_DIR, settings

T = TypeVar("T")
GOVERNMENT = (catalog.RESERVED_CODE, "Rijksbreed")

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


class DatabaseBusy(RuntimeError):
    """Another program holds the database for writing; try again shortly."""


@dataclass(frozen=True)
class Access:
    """Whose detail a reader may see: `visible` codes (None: every organisation), and the
    reader's own name, so a ledger shows the reader's own attempts too."""

    visible: frozenset[str] | None = None
    reader: str | None = None
    # Organisations whose small counts of how policy works (1 to the threshold) the reader
    # sees exactly: None for all (the coordinator, the command line), the own organisation
    # for its lead, none for anyone else (see `etl.werking`).
    exact: frozenset[str] | None = None
    # Organisations whose survey figures the reader sees exactly, small groups included:
    # None for all (the coordinator's screens), the own one for its lead, none (the default)
    # for anyone else and for everything that leaves the product (exports, papers).
    survey_exact: frozenset[str] | None = frozenset()

    def allows(self, code: str) -> bool:
        return self.visible is None or code in self.visible or code in GOVERNMENT

    def require(self, code: str) -> None:
        """Raise `NotAllowed` unless this reader may see `code`'s detail."""
        if not self.allows(code):
            raise NotAllowed(f"De gegevens van {code} zijn voor u niet zichtbaar.")

    def published(self) -> Access:
        """The same reader's view of what leaves the product (papers, the yearly report):
        protected figures only, for the reader's own organisation too."""
        return replace(self, exact=frozenset(), survey_exact=frozenset())

    def rows(self, frame: pd.DataFrame, column: str = "departement") -> pd.DataFrame:
        """Only rows of organisations this reader may see (government-wide rows always)."""
        if self.visible is None or frame.empty or column not in frame:
            return frame
        return frame[frame[column].isin(self.visible | set(GOVERNMENT))]


EVERYONE = Access()


class NotAllowed(ValueError):
    """A paper asked for an organisation whose detail the reader may not see (the pages
    never offer one; this keeps a paper from printing 'niets aangeleverd' for it)."""


def _retrying(read: Callable[[], T]) -> T:
    """Run a read, retrying briefly while a foreign process holds the file for writing."""
    for attempt in range(6):
        try:
            return read()
        except duckdb.IOException as error:
            # Only a foreign read-write process (never our own writer) holds a lock; any
            # other I/O error (a truncated file) is no reason to wait.
            if "lock" not in str(error).lower():
                raise
            if attempt == 5:
                raise DatabaseBusy(str(error)) from error
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


class ReadModel:
    """The reading side of one database file, seen with one `Access`."""

    def __init__(self, path: Path, access: Access = EVERYONE) -> None:
        self.path = path
        self.access = access

    # --- plumbing ---------------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[object] | None = None) -> pd.DataFrame | None:
        """Run one read; None when there is no database yet."""

        def read() -> pd.DataFrame | None:
            with reader(self.path) as connection:
                return None if connection is None else query_frame(connection, sql, params)

        return _retrying(read)

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
        """Cells of the grid the last load stored (`etl.derive`), None when there is none or it
        is stale. Whether a missing file is nog open depends on the day: decided here."""
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

    # --- norm scores ------------------------------------------------------------------------

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

    def _stored_table(
        self, table: str, where: str = "true", params: Sequence[object] = ()
    ) -> pd.DataFrame | None:
        """Rows of a derived table (a constant of this module; `where` a condition of this
        module, values bound) in stored order, None when it is missing or stale."""

        def read() -> pd.DataFrame | None:
            with reader(self.path) as connection:
                if connection is None or not derived_fresh(connection):
                    return None
                if not derived_table_exists(connection, table):
                    return None
                return query_frame(
                    connection, f"SELECT * FROM {table} WHERE {where} ORDER BY rij", params
                )

        frame = _retrying(read)
        return None if frame is None else frame.drop(columns="rij")

    # --- submissions and the ledger ---------------------------------------------------------

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

    def agenda_marks(self, periode: str) -> frozenset[str]:
        """The keys of the agenda points marked for the quarter's meeting (`etl.meeting`)."""
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

    # --- exports ----------------------------------------------------------------------------

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
        """The quarter form's starting point for `code` (`etl.quarterform.prefill`): the
        quarter's own current version, else the newest judged verdict of each norm before
        `periode`, a predecessor's included."""
        chain = catalog.lineage(code)
        scores = self._scores("list_contains(?, departement) AND periode <= ?", [chain, periode])
        return quarterform.prefill(scores, periode)

    # --- agreements and the agenda ---------------------------------------------------------

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
        """The IPIM agenda for the quarter (see `etl.agenda`), for the organisations the
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

    def enquete(self, periode: str | None = None, departement: str | None = None) -> pd.DataFrame:
        """Counts per ministry and RIJK, groups and `alle`, with every hidden cell left out.

        Hidden cells are dropped whole (no row, so no count to subtract); RIJK still
        includes them, which the complementary suppression has made safe.
        """
        columns = list(KINDS["enquete"].columns)
        counts, response, thresholds = self.survey_data()
        full = survey.complete_counts(counts)
        if full.empty:
            return pd.DataFrame(columns=columns)
        hidden = self._survey_plan(full, response, thresholds).cells
        keys = full[survey.CELL].itertuples(index=False)
        shown = full[[tuple(key) not in hidden for key in keys]]
        order = {g: i for i, g in enumerate(survey.GROUP_ORDER)}
        answers = survey.scale_frame()[["item", "antwoord", "volgorde"]]
        result = _filtered(shown, periode, departement).merge(answers, on=["item", "antwoord"])
        result = result.assign(
            rijk=result["departement"] == catalog.RESERVED_CODE,
            groep_volgorde=result["groep"].map(order),
        ).sort_values(["periode", "rijk", "departement", "item", "groep_volgorde", "volgorde"])
        return self.access.rows(result[columns]).reset_index(drop=True)

    def respons(self, periode: str | None = None, departement: str | None = None) -> pd.DataFrame:
        """Invited and participants per group, `alle` and RIJK; small groups' participation
        left out."""
        columns = list(KINDS["respons"].columns)
        counts, response, thresholds = self.survey_data()
        table = survey.populations(response)
        if table.empty:
            return pd.DataFrame(columns=columns)
        plan = self._survey_plan(survey.complete_counts(counts), response, thresholds)
        hidden = [tuple(key) in plan.groups for key in
                  table[["departement", "periode", "groep"]].itertuples(index=False)]  # fmt: skip
        table = _filtered(table[~pd.Series(hidden, index=table.index)], periode, departement)
        table = table.assign(
            deelgenomen=table["deelgenomen"].astype(int),
            rijk=table["departement"] == catalog.RESERVED_CODE,
        )
        ordered = table.sort_values(["periode", "rijk", "departement", "groep"])[columns]
        return self.access.rows(ordered).reset_index(drop=True)

    # --- how policy works (reports, headcount, confidential advisers) ---------------------

    def export(self, kind: str, periode: str | None, departement: str | None) -> pd.DataFrame:
        """The newest version of `kind` in the contract's columns (`etl export`): the counts
        of how policy works as loaded; every other kind by its own reader below."""
        if KINDS[kind].derives == "werking":  # type: ignore[index]
            return self.werking_export(kind, periode, departement)
        reader: Callable[[str | None, str | None], pd.DataFrame] = getattr(self, kind)
        return reader(periode, departement)

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
        the privacy rule (`etl.werking`), the headcount and the rate.

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

    # --- survey -----------------------------------------------------------------------------

    def _survey_plan(
        self, full: pd.DataFrame, response: pd.DataFrame, thresholds: dict[str, int]
    ) -> Plan:
        """What the disclosure rule hides: as the last load stored it (the LP audit takes
        seconds at national scale), else computed now."""
        kop, groups = self.stored_survey("kop", {}), self.stored_survey("respons", {})
        if kop is not None and groups is not None and "verborgen" in kop and "verborgen" in groups:
            cells = kop.loc[kop["verborgen"].astype(bool), survey.CELL].astype(str)
            people = groups.loc[
                groups["verborgen"].astype(bool), ["departement", "periode", "groep"]
            ]
            return Plan(
                frozenset(cells.itertuples(index=False, name=None)),
                frozenset(people.astype(str).itertuples(index=False, name=None)),
            )
        return survey.disclosure_plan(
            full, thresholds, None, survey.populations(response), self.kept_hidden(),
            self.changed_since_published(),
        )  # fmt: skip

    def survey_data(self) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
        """Newest survey counts and response, and each wave's threshold (frozen ones first).
        Raw counts: only for computing published figures, never to show."""

        def read() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
            with reader(self.path) as connection:
                if connection is None:
                    return (
                        pd.DataFrame(columns=list(KINDS["enquete"].columns)),
                        pd.DataFrame(columns=list(KINDS["respons"].columns)),
                        {},
                    )
                return survey_data_from(connection)

        return _retrying(read)

    def published_survey(self) -> dict[str, pd.DataFrame]:
        """All survey figures computed from the raw counts, after the disclosure rule (only
        when the copy the last load stored is stale: at national scale this takes seconds)."""
        return survey.published_tables(*self.survey_data(), self.kept_hidden(),
                                       changed=self.changed_since_published())  # fmt: skip

    def kept_hidden(self) -> frozenset[tuple[str, str, str, str]]:
        """Survey cells an earlier publication hid; they stay hidden (`etl.publication`)."""

        def read() -> frozenset[tuple[str, str, str, str]]:
            with reader(self.path) as connection:
                return frozenset() if connection is None else kept_hidden_from(connection)

        return _retrying(read)

    def changed_since_published(self) -> dict[str, publication.Republished]:
        """See `changed_since_published` (the module function)."""

        def read() -> dict[str, publication.Republished]:
            with reader(self.path) as connection:
                return {} if connection is None else changed_since_published(connection)

        return _retrying(read)

    def stored_survey(
        self, name: str, filters: Mapping[str, str | Sequence[str]]
    ) -> pd.DataFrame | None:
        """Rows of one stored survey table, None when stale (see `etl.derive`)."""
        return _retrying(lambda: read_survey(self.path, name, filters))

    def stored_survey_waves(self) -> list[str] | None:
        """Waves with stored survey figures, newest first; None when stale."""
        return _retrying(lambda: read_survey_waves(self.path))

    def survey_rows(
        self,
        name: str,
        filters: Mapping[str, str | Sequence[str]],
        published: Callable[[], dict[str, pd.DataFrame]] | None = None,
        exact_tables: Callable[[], dict[str, pd.DataFrame]] | None = None,
    ) -> pd.DataFrame:
        """Rows of one survey table for the organisations the reader may see and RIJK: the
        published ones (stored when current, else computed by `published`), with exact
        figures where the reader may see them (`Access.survey_exact`, from `exact_tables`)."""
        frame = self.stored_survey(name, filters)
        if frame is None:
            frame = _matching((published or self.published_survey)()[name], filters)
        own = self.access.survey_exact
        if own is None or own:
            exact = _matching((exact_tables or self.exact_survey)()[name], filters)
            if own is None:
                frame = exact
            elif not frame.empty:
                mine = exact[exact["departement"].isin(own)]
                if "mediaan" in mine.columns:  # the median over the published figures only
                    keys = ["periode", "groep", "item"]
                    medians = frame[[*keys, "mediaan"]].drop_duplicates(keys)
                    mine = mine.drop(columns="mediaan").merge(medians, on=keys, how="left")
                frame = pd.concat([frame[~frame["departement"].isin(own)], mine],
                                  ignore_index=True)  # fmt: skip
        return self.access.rows(frame).reset_index(drop=True)

    def exact_survey(self) -> dict[str, pd.DataFrame]:
        """Every survey figure as it is (no disclosure rule): for those who may see it."""
        counts, response, thresholds = self.survey_data()
        return survey.published_tables(counts, response, thresholds, exact=True)

    def ministry_survey(
        self,
        code: str,
        periode: str,
        published: Callable[[], dict[str, pd.DataFrame]] | None = None,
    ) -> tuple[str, str, pd.DataFrame] | None:
        """The key items of the newest wave at or before `periode` with figures for this
        ministry (or its predecessor), beside RIJK: a quarter's page never shows a later
        survey. Returns the wave, whose figures they are, and the items."""
        chain = [c for c in catalog.lineage(code) if self.access.allows(c)]
        filters = {"groep": "alle", "item": list(survey.KEY_ITEMS),
                   "departement": [*chain, catalog.RESERVED_CODE]}  # fmt: skip
        cells = self.survey_rows("kop", filters, published)
        if cells.empty or not chain:
            return None
        for wave in sorted({w for w in cells["periode"] if w <= periode}, reverse=True):
            in_wave = cells[cells["periode"] == wave]
            for source in chain:
                own = in_wave[in_wave["departement"] == source]
                if not own.empty:
                    rijk = in_wave[in_wave["departement"] == catalog.RESERVED_CODE]
                    items = own.set_index("item").join(rijk.set_index("item").add_suffix("_rijk"))
                    return wave, source, items
        return None


# --- the stored survey figures (written by `etl.derive`) ---------------------------------------

_FILTERABLE = ("departement", "periode", "groep", "item")


def _matching(frame: pd.DataFrame, filters: Mapping[str, str | Sequence[str]]) -> pd.DataFrame:
    """The rows whose columns hold the filters' values."""
    for column, value in filters.items():
        if not frame.empty:
            frame = frame[frame[column].isin([value] if isinstance(value, str) else value)]
    return frame


def read_survey(
    db_path: Path, name: str, filters: Mapping[str, str | Sequence[str]]
) -> pd.DataFrame | None:
    """Rows of one stored survey table (`kop`, `verdeling`, `blokken`, `respons`), filtered on
    equality or membership; None when there are none stored or they are stale."""
    if name not in survey.SURVEY_TABLES or not set(filters) <= set(_FILTERABLE):
        raise ValueError(f"unknown survey table or column: {name} {sorted(filters)}")
    with reader(db_path) as connection:
        if connection is None or not derived_fresh(connection):
            return None
        table = f"{DERIVED_PREFIX}{name}"
        if not derived_table_exists(connection, table):
            return pd.DataFrame()
        conditions = [
            f"{column} = ?" if isinstance(value, str) else f"list_contains(?, {column})"
            for column, value in filters.items()
        ]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        params = [value if isinstance(value, str) else list(value) for value in filters.values()]
        # Table and column names were checked against the lists above; values are parameters.
        return query_frame(connection, f"SELECT * FROM {table}{where}", params)


def read_survey_waves(db_path: Path) -> list[str] | None:
    """Waves with stored survey figures, newest first; None when none are stored or stale."""
    with reader(db_path) as connection:
        if connection is None or not derived_fresh(connection):
            return None
        if not derived_table_exists(connection, f"{DERIVED_PREFIX}kop"):
            return []
        rows = connection.execute(
            f"SELECT DISTINCT periode FROM {DERIVED_PREFIX}kop ORDER BY periode DESC"
        ).fetchall()
        return [str(periode) for (periode,) in rows]


@lru_cache(maxsize=16)
def _grid_of(
    path: Path, identity: str, periode: str, today: date, catalogues: tuple[catalog.Stamp, ...]
) -> pd.DataFrame:
    """`ReadModel._full_grid`, kept per database version (`identity`) and catalogue version."""
    model = ReadModel(path)
    # The quarter's own rows, and per organisation and norm only its last judged verdict
    # before it: all the change needs, a row per cell instead of every quarter's.
    scores = pd.concat([model._scores("periode = ?", [periode]), model._last_judged(periode)])
    return normgrid.grid(scores, [periode], normgrid.norms_frame(), today)


AGREEMENT_EXPORT = ("id", "departement", "norm", "afspraak", "vastgesteld", "gremium", "gereed",
                    "status", "toelichting")  # the contract's order  # fmt: skip


def _filtered(frame: pd.DataFrame, periode: str | None, departement: str | None) -> pd.DataFrame:
    if periode is not None:
        frame = frame[frame["periode"] == periode]
    if departement is not None:
        frame = frame[frame["departement"] == departement]
    return frame


def _local(moments: pd.Series) -> pd.Series:
    return pd.to_datetime(moments).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME)


def local_iso(utc: pd.Series) -> pd.Series:
    """UTC moments as Dutch local time in ISO 8601 with the offset (2026-07-01T14:00:00+02:00).

    Set-based, without a Python call per row: the ledger has a row per file ever offered.
    """
    moments = pd.to_datetime(utc).astype("datetime64[us]")
    local = moments.dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME).dt.tz_localize(None)
    text = np.datetime_as_string(local.to_numpy(), unit="s")
    minutes = ((local - moments).dt.total_seconds() // 60).astype(int)
    # Two offsets in a year (+01:00, +02:00): formatted once each, not once per row.
    spelled = {m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
               for m in minutes.unique()}  # fmt: skip
    offsets = minutes.map(spelled)
    return pd.Series(text, index=utc.index, dtype=object) + offsets.astype(object)
