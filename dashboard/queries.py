"""The dashboard's cache in front of the read model: no SQL here, no domain rule.

Every answer comes from `etl.reads.readmodel.ReadModel` and is cached per data version (the
database file's identity and mtime: the ETL writer renames a new file into place, so a
new version means new data) and per `Access` (what the signed-in user may see). A page
gets a `Data` handle from `view.data_source()`, which carries the user's access, so no
page can ask for what its user may not see.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

import pandas as pd
import streamlit as st

from etl.domain import agenda as agenda_points
from etl.domain import catalog, normgrid, survey
from etl.reads.base import retrying
from etl.reads.readmodel import EVERYONE, Access, DatabaseBusy, ReadModel
from etl.settings import settings
from etl.store.database import ensure_schema, file_identity
from papers import meetingpack

__all__ = ["DatabaseBusy"]


@dataclass(frozen=True)
class Data:
    """Which database, which version of it, and what the reader may see."""

    path: Path
    version: str
    access: Access = EVERYONE

    def model(self) -> ReadModel:
        """The read model itself, uncached (for a paper made once, on a click)."""
        return ReadModel(self.path, self.access)


def db_path() -> Path:
    """The database the dashboard reads (see `etl.settings`)."""
    return settings().database


def data_version(path: Path) -> str:
    """Changes whenever the writer swaps in a new database file; empty when there is none."""
    return file_identity(path) or ""


def data_for(path: Path, access: Access = EVERYONE) -> Data:
    """The current version of this database file, seen with this access."""
    return Data(path, data_version(path), access)


@st.cache_resource(show_spinner=False)
def schema_checked(path: str, version: str | None = None) -> bool:
    """Once per file version: upgrade a database file made by an earlier release (a restored
    backup is a new version, so it is checked again)."""
    retrying(lambda: ensure_schema(Path(path)))
    return True


@st.cache_data(show_spinner=False)
def _ask(path: Path, version: str, access: Access, question: str, *args: Any) -> Any:
    """One cached answer of the read model (`version` is only the cache key)."""
    return getattr(ReadModel(path, access), question)(*args)


def _answer(data: Data, question: str, *args: Any) -> Any:
    return _ask(data.path, data.version, data.access, question, *args)


def _frame(data: Data, question: str, *args: Any) -> pd.DataFrame:
    """A cached answer that is a DataFrame (typed for the pages)."""
    return cast(pd.DataFrame, _answer(data, question, *args))


@st.cache_data(show_spinner=False)
def _published(path: Path, version: str) -> dict[str, pd.DataFrame]:
    """All survey figures computed here (only when the stored copy is stale)."""
    return ReadModel(path).published_survey()


@st.cache_data(show_spinner=False)
def _exact(path: Path, version: str) -> dict[str, pd.DataFrame]:
    """Every survey figure as it is, for the coordinator and a lead's own (cached per data
    version, like the published ones)."""
    return ReadModel(path).exact_survey()


@st.cache_data(show_spinner=False)
def _survey_rows(
    path: Path, version: str, access: Access, name: str, filters: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    return ReadModel(path, access).survey_rows(
        name, dict(filters), published=lambda: _published(path, version),
        exact_tables=lambda: _exact(path, version),
    )  # fmt: skip


def _survey(data: Data, name: str, **filters: str | Sequence[str]) -> pd.DataFrame:
    wanted = tuple((k, v if isinstance(v, str) else tuple(v)) for k, v in filters.items())
    return _survey_rows(data.path, data.version, data.access, name, wanted)


# --- catalogue ---------------------------------------------------------------------------


def norms_frame() -> pd.DataFrame:
    """The norm catalogue: number, onderdeel, short label, the Court's question."""
    return normgrid.norms_frame()


def organisations_in(periode: str) -> pd.DataFrame:
    """Organisations (not RIJK) that existed during the quarter."""
    return catalog.organisations_in(periode)


def organisations_frame(codes: list[str]) -> pd.DataFrame:
    """These organisations (in this order) with their name and kind, for filters."""
    by_code = {o.code: o for o in catalog.organisations()}
    rows = [
        {"departement": c, "naam": by_code[c].naam if c in by_code else c,
         "soort": by_code[c].soort if c in by_code else ""}
        for c in codes
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["departement", "naam", "soort"])


def organisation_names() -> dict[str, str]:
    """Code → full name, for labels."""
    return {o.code: o.naam for o in catalog.organisations()}


# --- norm scores -------------------------------------------------------------------------


def periods(data: Data) -> list[str]:
    """Quarters with at least one submission, newest first."""
    result: list[str] = _answer(data, "periods")
    return result


def period_sources(data: Data) -> dict[str, str]:
    """Quarter → who judged it, in words."""
    result: dict[str, str] = _answer(data, "period_sources")
    return result


def norm_grid(data: Data, periode: str, today: date) -> pd.DataFrame:
    """The organisations the user may see × every norm of the quarter (`ReadModel.norm_grid`)."""
    return _frame(data, "norm_grid", periode, today)


def norm_totals(data: Data, periode: str, today: date) -> pd.DataFrame:
    """Government-wide met of judged per norm (norm 0: all norms), over every organisation."""
    return _frame(data, "norm_totals", periode, today)


def onderdeel_totals(data: Data, periode: str, today: date) -> pd.DataFrame:
    """Government-wide share met per onderdeel in one quarter."""
    return _frame(data, "onderdeel_totals", periode, today)


def submission_states(data: Data, periode: str, today: date) -> pd.DataFrame:
    """Per organisation of the quarter: submitted, nog open or niet aangeleverd."""
    return _frame(data, "submission_states", periode, today)


def norm_history(data: Data, norm: int, today: date) -> pd.DataFrame:
    """Every organisation the user may see × quarter on one norm."""
    return _frame(data, "norm_history", norm, today)


def norm_government(
    data: Data, norm: int, today: date, start: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Government-wide on one norm from `start`: like for like, and per quarter."""
    result: tuple[pd.DataFrame, pd.DataFrame] = _answer(data, "norm_government", norm, today, start)
    return result


def ministry_history(data: Data, code: str) -> pd.DataFrame:
    """All quarters of one ministry, through its predecessors (empty if not visible)."""
    return _frame(data, "ministry_history", code)


def onderdeel_shares(data: Data, start: str | None = None) -> pd.DataFrame:
    """Government-wide share met per onderdeel and quarter from `start`, like for like."""
    return _frame(data, "onderdeel_shares", start)


def onderdeel_quarters(data: Data) -> pd.DataFrame:
    """Government-wide share met per onderdeel and quarter over every judged norm."""
    return _frame(data, "onderdeel_quarters")


def ministry_shares(data: Data, start: str | None = None) -> pd.DataFrame:
    """Share met per visible ministry and quarter from `start`, like for like."""
    return _frame(data, "ministry_shares", start)


# --- submissions -------------------------------------------------------------------------


def submissions(data: Data) -> pd.DataFrame:
    """Every stored version the user may see, with when and by whom it was loaded."""
    return _frame(data, "submissions")


def submission_status(data: Data, today: date) -> pd.DataFrame:
    """Organisations × quarters: on time, late, missing, or still open."""
    return _frame(data, "submission_status", today)


def loads(data: Data) -> pd.DataFrame:
    """The ledger the user may see, newest first, with Dutch headings."""
    return _frame(data, "ledger")


def current_records(data: Data, kind: str, groups: list[tuple[str, str]]) -> pd.DataFrame:
    """The current version's rows for these (departement, periode) pairs, to preview a change."""
    return _frame(data, "current_records", kind, tuple(groups))


# --- survey ------------------------------------------------------------------------------


def survey_waves(data: Data) -> list[str]:
    """Waves with survey data, newest first."""
    stored: list[str] | None = _answer(data, "stored_survey_waves")
    if stored is not None:
        return stored
    headline = _published(data.path, data.version)["kop"]
    return [] if headline.empty else sorted(set(headline["periode"]), reverse=True)


def survey_cells(data: Data, wave: str, group: str) -> pd.DataFrame:
    """Headline figures of one wave and group: organisations, RIJK, the median, changes."""
    return _survey(data, "kop", periode=wave, groep=group)


def survey_cells_published(data: Data, wave: str, group: str) -> pd.DataFrame:
    """The headline figures as readers and exports get them (protected), whoever asks: what
    the disclosure rule costs is about the publication, also on the coordinator's screen."""
    published = replace(data.access, survey_exact=frozenset())
    wanted = (("periode", wave), ("groep", group))
    return _survey_rows(data.path, data.version, published, "kop", wanted)


def survey_blocks(data: Data, wave: str, group: str) -> pd.DataFrame:
    """Block scores of one wave and group."""
    return _survey(data, "blokken", periode=wave, groep=group)


def survey_response(data: Data, wave: str, group: str) -> pd.DataFrame:
    """Invited, participants and response of one wave and group (small groups hidden)."""
    return _survey(data, "respons", periode=wave, groep=group)


def survey_distribution(data: Data, wave: str, group: str, code: str) -> pd.DataFrame:
    """Every answer's count and share for one organisation's shown cells, with the answers'
    labels and order from the catalogue."""
    frame = _survey(data, "verdeling", periode=wave, groep=group, departement=code)
    if frame.empty:
        return frame
    frame = frame.merge(survey.scale_frame(), on=["item", "antwoord"])
    return frame.sort_values(["item", "volgorde"]).reset_index(drop=True)


@st.cache_data(show_spinner=False)
def _ministry_survey(
    path: Path, version: str, access: Access, code: str, periode: str
) -> tuple[str, str, pd.DataFrame] | None:
    return ReadModel(path, access).ministry_survey(
        code, periode, published=lambda: _published(path, version)
    )


def ministry_survey(data: Data, code: str, periode: str) -> tuple[str, str, pd.DataFrame] | None:
    """The key items of the newest wave at or before `periode` for this ministry (or its
    predecessor), beside RIJK (`ReadModel.ministry_survey`)."""
    return _ministry_survey(data.path, data.version, data.access, code, periode)


# --- agreements and the agenda -----------------------------------------------------------


def agreements(data: Data, history: bool = False) -> pd.DataFrame:
    """The newest version of every agreement the reader may see (or every version)."""
    return _frame(data, "agreements", history)


def coordination(data: Data, history: bool = False) -> pd.DataFrame:
    """BZK's judgements of its own coordinating role (newest version, or every version)."""
    return _frame(data, "coordination", history)


def agenda(data: Data, periode: str, today: date) -> list[agenda_points.Point]:
    """The IPIM agenda of the quarter, most urgent first."""
    result: list[agenda_points.Point] = _answer(data, "agenda", periode, today)
    return result


def agenda_marks(data: Data, periode: str) -> frozenset[str]:
    """The keys of the points marked for the quarter's meeting."""
    result: frozenset[str] = _answer(data, "agenda_marks", periode)
    return result


# The meeting pack takes seconds per praatplaat: it is built beside the page as soon as the
# IPIM page shows, in one worker thread, so it is ready by the time the coordinator has read
# the agenda and clicks (a worker process spared the other pages Python's lock, but outlived
# a stopped server: see docs/explanation.md). `meetingpack.build` keeps the praatplaten and
# slide charts per newest load (no marking changes them): a new marking rebuilds the agenda.
_PACK_LOCK = threading.Lock()
_PACKS: OrderedDict[tuple[Any, ...], Future[bytes]] = OrderedDict()
_pack_worker: ThreadPoolExecutor | None = None


def meeting_pack(
    data: Data, periode: str, today: date, marked: frozenset[str]
) -> Callable[[], bytes]:
    """The meeting pack of the quarter with these marks, for a download button: its build
    starts now (unless `settings().prebuild_pack` is off) and the button waits for it."""
    key = (data.path, data.version, data.access, periode, today, marked)
    content = int(_answer(data, "content_version"))
    if settings().prebuild_pack:
        _pack_future(key, content)
    return lambda: _pack_future(key, content).result()


def _pack_future(key: tuple[Any, ...], content: int) -> Future[bytes]:
    """The build of this pack, running or done; a build that failed or was cancelled is
    started again. A queued build of the same quarter for other marks (or older data) is
    cancelled: the newest marking is the one the meeting needs."""
    global _pack_worker
    path, _, access, periode, today, marked = key
    with _PACK_LOCK:
        for other, waiting in _PACKS.items():
            if other != key and (other[0], other[2], other[3]) == (path, access, periode):
                waiting.cancel()  # only a build not yet started stops
        future = _PACKS.get(key)
        if (
            future is None
            or future.cancelled()
            or (future.done() and future.exception() is not None)
        ):
            if _pack_worker is None:
                _pack_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vergaderset")
            future = _pack_worker.submit(meetingpack.build, path, access, periode, today,
                                         marked, content)  # fmt: skip
            _PACKS[key] = future
            while len(_PACKS) > 8:
                _PACKS.popitem(last=False)
        return future


# --- how policy works ----------------------------------------------------------------------


def werking(
    data: Data,
    kind: str,
    time: str,
    today: date,
    alle: bool = False,
    departement: str | None = None,
) -> pd.DataFrame:
    """Reports (`meldingen`) or advisers' conversations (`vertrouwenspersonen`) per
    organisation the reader may see and RIJK, under the privacy rule for small counts
    (`today`: which years are complete; `alle`: only the totals over every type;
    `departement`: only that organisation)."""
    return _frame(data, "werking", kind, time, today, alle, departement)


def export(data: Data, kind: str) -> pd.DataFrame:
    """The newest version of a kind as loaded, the rows the reader may see
    (`ReadModel.export`)."""
    return _frame(data, "export", kind, None, None)


def due(data: Data, periode: str, today: date) -> pd.DataFrame:
    """Per organisation and kind sent every quarter: deadline, arrival, status."""
    return _frame(data, "due", periode, today)


def reminders(data: Data) -> pd.DataFrame:
    """Every reminder sent or tried, newest first."""
    return _frame(data, "reminders")


def prefill(data: Data, code: str, periode: str) -> pd.DataFrame:
    """The quarter form's starting point for an organisation (`etl.intake.quarterform`)."""
    return _frame(data, "prefill", code, periode)
