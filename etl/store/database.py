"""The database file: its schema, the single writer, and short-lived readers.

DuckDB allows one read-write process per file and refuses read-only opens while
it is held, so the writer never writes the live file in place. It takes an
exclusive lock beside the database (other writers wait), copies the file, writes
the copy in transactions, checkpoints, closes, and renames the copy over the
original. Readers therefore never meet a lock; they see the old file until the
rename and the new one at their next connection. A crash before the rename
leaves the original untouched.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from etl.settings import settings
from etl.store import migrations

warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")

VIEWS = """
CREATE OR REPLACE VIEW withdrawn_versions AS
    SELECT kind, departement, periode, version FROM version_events
    GROUP BY kind, departement, periode, version
    HAVING arg_max(action, event_id) = 'ingetrokken';
-- The current version: the newest one that is not withdrawn.
CREATE OR REPLACE VIEW current_submissions AS
    WITH valid AS (
        SELECT s.* FROM submissions s ANTI JOIN withdrawn_versions w
        ON w.kind = s.kind AND w.departement = s.departement AND w.periode = s.periode
           AND w.version = s.version
    )
    SELECT v.* FROM valid v
    WHERE v.version = (
        SELECT max(version) FROM valid x
        WHERE x.kind = v.kind AND x.departement = v.departement AND x.periode = v.periode
    );
CREATE OR REPLACE VIEW current_normscores AS
    SELECT n.*, s.version, s.load_id FROM normscores n
    JOIN current_submissions s USING (submission_id);
CREATE OR REPLACE VIEW current_survey_counts AS
    SELECT c.*, s.version FROM survey_counts c JOIN current_submissions s USING (submission_id);
CREATE OR REPLACE VIEW current_agreements AS
    SELECT a.* FROM agreements a
    WHERE a.version = (SELECT max(version) FROM agreements b
                       WHERE b.departement = a.departement AND b.id = a.id);
CREATE OR REPLACE VIEW current_reports AS
    SELECT r.*, s.version FROM reports r JOIN current_submissions s USING (submission_id);
CREATE OR REPLACE VIEW current_headcount AS
    SELECT h.*, s.version FROM headcount h JOIN current_submissions s USING (submission_id);
CREATE OR REPLACE VIEW current_adviser_talks AS
    SELECT t.*, s.version FROM adviser_talks t JOIN current_submissions s USING (submission_id);
CREATE OR REPLACE VIEW current_coordination AS
    SELECT c.* FROM coordination c
    WHERE c.version = (SELECT max(version) FROM coordination d WHERE d.departement =
                       c.departement AND d.jaar = c.jaar AND d.norm = c.norm);
CREATE OR REPLACE VIEW current_measures AS
    SELECT m.*, s.version FROM measures m JOIN current_submissions s USING (submission_id);
CREATE OR REPLACE VIEW current_year_figures AS
    SELECT y.* FROM year_figures y
    WHERE y.version = (SELECT max(version) FROM year_figures z WHERE z.departement =
                       y.departement AND z.jaar = y.jaar AND z.onderwerp = y.onderwerp);
CREATE OR REPLACE VIEW current_survey_response AS
    SELECT r.*, s.version FROM survey_response r JOIN current_submissions s USING (submission_id);
"""

DATA_TABLES = (
    "loads",
    "files",
    "submissions",
    "normscores",
    "survey_counts",
    "survey_response",
    "wave_thresholds",
    "version_events",
    "agreements",
    "coordination",
    "reports",
    "headcount",
    "adviser_talks",
    "measures",
    "year_figures",
    "reminders",
    "survey_hidden",
    "agenda_marks",
)


def database_trouble(error: BaseException) -> str | None:
    """A Dutch sentence for what went wrong with the database file or its disk, or None
    for anything else (a bug). The command line and the dashboard both say it instead of a
    traceback. Every write works on a copy (see `writer`), so each says nothing changed."""
    unchanged = "Er is niets gewijzigd."
    if isinstance(error, migrations.NewerDatabase):
        return str(error)
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return f"De schijf is vol ({error.filename or 'databasemap'}). {unchanged}"
    if isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"Geen schrijfrechten op {error.filename or 'de databasemap'} (alleen-lezen?). "
            f"{unchanged}"
        )
    if isinstance(error, duckdb.Error) and not isinstance(error, duckdb.ConstraintException):
        return (
            "Het databasebestand is beschadigd of geen database van de Integriteitsmonitor "
            f"({type(error).__name__}). {unchanged} Zet een back-up terug "
            "(docs/how-to.md, Back up and restore) of bouw de database opnieuw op met "
            "`python -m etl herbouw`."
        )
    return None


def database_path(option: str | os.PathLike[str] | None = None) -> Path:
    """`--db`, else the setting (`$INTEGRITEIT_DB`, else `data/integriteit.duckdb`)."""
    if option:
        return Path(option)
    return settings().database


def crash_hook(point: str) -> None:
    """Kill or pause this process at a named point of a load, when the environment says so.

    `$INTEGRITEIT_CRASH_AT=point` sends a real SIGKILL, so tests prove that a load
    killed half-way leaves the database as it was; `$INTEGRITEIT_PAUSE_AT=point:seconds`
    holds the writer there, so tests prove readers keep working meanwhile. With
    `point:seconds:file` the writer goes on as soon as that file exists (a test that has
    seen what it came for need not wait out the seconds).
    """
    if os.environ.get("INTEGRITEIT_CRASH_AT") == point:
        os.kill(os.getpid(), 9)
    pause_point, _, rest = os.environ.get("INTEGRITEIT_PAUSE_AT", "").partition(":")
    if pause_point == point:
        seconds, _, resume = rest.partition(":")
        until = time.monotonic() + float(seconds or 5)
        while time.monotonic() < until and not (resume and Path(resume).exists()):
            time.sleep(0.05)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_VIEWS_AS_STORED: list[tuple[str, str]] | None = None  # `VIEWS` as DuckDB writes it back
_STORED_VIEWS = "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY view_name"


def _define_views(connection: duckdb.DuckDBPyConnection) -> None:
    """(Re)define the views, unless the file already holds exactly this release's: writing
    them again on every load was a third of opening the writer. What DuckDB stores is its
    own rendering of each statement, learnt from the first file this process writes them
    to; a file of another release compares unequal and gets them written."""
    global _VIEWS_AS_STORED
    if _VIEWS_AS_STORED is not None and connection.execute(_STORED_VIEWS).fetchall() == (
        _VIEWS_AS_STORED
    ):
        return
    connection.execute(VIEWS)
    _VIEWS_AS_STORED = connection.execute(_STORED_VIEWS).fetchall()


@contextmanager
def writer(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The only way to write: lock, copy, write the copy, rename it over the original."""
    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    with lock_path.open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Holding the lock, no other writer is at work: any copy left is a killed writer's.
        for stale in db_path.parent.glob(f".{db_path.name}.*.tmp*"):
            stale.unlink(missing_ok=True)
        work = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
        connection: duckdb.DuckDBPyConnection | None = None
        try:
            # Inside the try: a copy cut short by a full disk is removed, not left behind.
            if db_path.exists():
                shutil.copy2(db_path, work)
            connection = duckdb.connect(str(work))
            migrations.migrate(connection)
            _define_views(connection)
            yield connection
            connection.execute("CHECKPOINT")
            connection.close()
            crash_hook("before_replace")
            with work.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(work, db_path)
            _fsync_dir(db_path.parent)
        except BaseException:
            if connection is not None:
                connection.close()
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            raise


def backup(db_path: Path, target: Path) -> int:
    """A consistent copy of the database while the dashboard serves; returns its load count.

    Under the writer's lock no load is at work, and the live file is only ever replaced
    whole (see `writer`), so a copy taken under the lock is one whole version. The copy is
    opened and checked before it takes the target's name, so a failed backup never leaves
    a half file under that name.
    """
    db_path = db_path.resolve()
    lock_path = db_path.with_name(db_path.name + ".lock")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with lock_path.open("a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            shutil.copy2(db_path, work)
        check = duckdb.connect(str(work), read_only=True)
        try:
            row = check.execute("SELECT count(*) FROM loads").fetchone()
        finally:
            check.close()
        os.replace(work, target)
    except BaseException:
        work.unlink(missing_ok=True)
        raise
    return int(row[0]) if row else 0


class RestoreError(Exception):
    """A backup that cannot be restored, said in Dutch."""


def restore(db_path: Path, source: Path) -> int:
    """Put a backup in place of the database, as one whole file under the writer's lock;
    returns its load count. The backup is checked first (it opens and has a ledger) and
    migrated to this release on the copy, so a damaged or foreign file changes nothing and
    the live file is only ever replaced whole (see `writer`)."""
    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    work = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    with lock_path.open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            shutil.copy2(source, work)
            try:
                connection = duckdb.connect(str(work))
            except duckdb.Error as error:
                raise RestoreError(
                    f"{source} is geen database van de monitor ({error})."
                ) from error
            try:
                if not has_table(connection, "loads"):
                    raise RestoreError(f"{source} is geen database van de monitor (geen logboek).")
                migrations.migrate(connection)
                row = connection.execute("SELECT count(*) FROM loads").fetchone()
                connection.execute("CHECKPOINT")
            finally:
                connection.close()
            with work.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(work, db_path)
            _fsync_dir(db_path.parent)
        except BaseException:
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            raise
    return int(row[0]) if row else 0


def has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the open database has this table (a file of an earlier release may not)."""
    found = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()
    return bool(found and found[0])


def query_frame(
    connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> pd.DataFrame:
    """A query's result as a DataFrame, through Arrow.

    DuckDB's own `.df()` converts text column by column through Python objects: for the
    130,000 survey counts of a national load it took 0.4 s where Arrow takes 0.03 s.
    (`execute` rather than `sql`, which would refuse to run inside the writer's batch
    after statements whose results nobody fetched; the copy it warns about is cheap.)
    """
    table = connection.execute(sql, list(params or [])).to_arrow_table()
    assert table is not None  # a query always has a result
    frame: pd.DataFrame = table.to_pandas(date_as_object=False)
    return frame


def file_identity(path: Path) -> str | None:
    """Changes whenever the writer swaps in a new database file; None when there is none."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


@dataclass
class _Shared:
    """One read-only connection to one version of a database file, and who is using it."""

    identity: str
    connection: duckdb.DuckDBPyConnection
    users: int = 0
    retired: bool = False


_POOL: OrderedDict[Path, _Shared] = OrderedDict()
_POOL_LOCK = threading.Lock()
_POOL_SIZE = 4  # database files kept open per process (the dashboard reads one)
_NEW_INSTANCE_WAIT = 5.0  # seconds to wait for readers of a replaced file to finish


@contextmanager
def reader(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only cursor on the current version of the file, or None when there is none.

    Opening a DuckDB database costs 15-30 ms, more than most of the dashboard's queries,
    so one read-only connection per file version is kept and each read gets its own
    cursor (a cursor per thread is DuckDB's rule). When the writer has renamed a new
    file into place, the old connection is closed once its last reader is done.
    DuckDB hands out one instance per path within a process, so a new connection made
    while an old reader is still busy would silently get the old file; tagging each
    connection with the file's identity makes DuckDB refuse that instead, and we wait.
    """
    identity = file_identity(db_path)
    if identity is None:
        yield None
        return
    shared = _checkout(db_path.resolve(), identity)
    try:
        with _POOL_LOCK:
            cursor = shared.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
    finally:
        _checkin(shared)


def _checkout(path: Path, identity: str) -> _Shared:
    deadline = time.monotonic() + _NEW_INSTANCE_WAIT
    while True:
        with _POOL_LOCK:
            shared = _POOL.get(path)
            if shared is not None and shared.identity == identity:
                shared.users += 1
                _POOL.move_to_end(path)
                return shared
            if shared is not None:
                _retire(_POOL.pop(path))
            try:
                connection = duckdb.connect(
                    str(path),
                    read_only=True,
                    config={"custom_user_agent": f"integriteitsmonitor {identity}"},
                )
            except duckdb.ConnectionException:
                # A reader of the previous file is still busy (see `reader`); retry.
                if time.monotonic() > deadline:
                    raise
                connection = None
            if connection is not None:
                shared = _Shared(identity, connection, users=1)
                _POOL[path] = shared
                while len(_POOL) > _POOL_SIZE:
                    _retire(_POOL.popitem(last=False)[1])
                return shared
        time.sleep(0.005)


def _checkin(shared: _Shared) -> None:
    with _POOL_LOCK:
        shared.users -= 1
        if shared.retired and shared.users == 0:
            shared.connection.close()


def _retire(shared: _Shared) -> None:
    """Close a pooled connection now, or when its last reader is done (lock held)."""
    shared.retired = True
    if shared.users == 0:
        shared.connection.close()


def ensure_schema(db_path: Path) -> None:
    """Bring a database made by an earlier release up to this one's schema.

    Readers open read-only and cannot migrate, so a file that misses migrations is
    upgraded once through the writer (atomic as every write: the old file stays until the
    migrated copy replaces it). A file from a newer release raises `NewerDatabase`.
    """
    if not db_path.exists():
        return
    with reader(db_path) as connection:
        assert connection is not None
        done = migrations.applied(connection)
    if done and max(done) > migrations.LATEST:
        raise migrations.NewerDatabase(max(done))
    if set(done) != {m.number for m in migrations.MIGRATIONS}:
        with writer(db_path):
            pass
