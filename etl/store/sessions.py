"""Sign-in sessions and failed attempts, kept on the server so they can be revoked.

A session is a random token in an HttpOnly cookie; the server keeps only its SHA-256,
the user name, the moment that account was created, and when it expires. Signing out
deletes the row, so a copied cookie stops working everywhere at once; removing an
account deletes its sessions, and a session names the account's creation moment, so a
user removed and created again under the same name never inherits old cookies.

Failed sign-in attempts are kept per normalised user name (see
`etl.store.accounts.sign_in_key`) in the same store, so the limit survives a restart.

The store is a small SQLite file beside the database, not the DuckDB file itself:
every write to DuckDB goes through the single writer, which copies the whole database
(see `etl.store.database`), and a sign-in or a failed attempt must cost neither that copy
nor a wait behind a long load. SQLite serialises its own writers across processes.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

SESSION_HOURS = 8
MAX_FAILURES, WINDOW_SECONDS = 5, 300

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    account_made TEXT NOT NULL,   -- users.created_at of the account it was issued to
    expires      REAL NOT NULL    -- Unix time
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username);
CREATE TABLE IF NOT EXISTS failed_sign_ins (
    name_key TEXT NOT NULL,       -- etl.store.accounts.sign_in_key
    at       REAL NOT NULL        -- Unix time
);
CREATE INDEX IF NOT EXISTS failures_by_name ON failed_sign_ins (name_key);
"""


@dataclass(frozen=True)
class Session:
    """Whom a valid token was issued to."""

    username: str
    account_made: str


def store_path(db_path: Path) -> Path:
    """The session store that belongs to a database file (`x.duckdb` -> `x.sessies.sqlite`)."""
    return db_path.with_name(db_path.stem + ".sessies.sqlite")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@contextmanager
def _connect(db_path: Path) -> Iterator[sqlite3.Connection]:
    path = store_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=10)) as connection:
        connection.executescript(_SCHEMA)
        path.chmod(0o600)
        with connection:  # one transaction, committed on leaving
            yield connection


def create(db_path: Path, username: str, account_made: str, now: float | None = None) -> str:
    """A new session for this account; returns the token (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    moment = time.time() if now is None else now
    with _connect(db_path) as connection:
        connection.execute("DELETE FROM sessions WHERE expires < ?", [moment])
        connection.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)",
            [_digest(token), username, account_made, moment + SESSION_HOURS * 3600],
        )
    return token


def find(db_path: Path, token: str, now: float | None = None) -> Session | None:
    """Whom an unexpired, unrevoked token belongs to; None for anything else."""
    if not token or not store_path(db_path).exists():
        return None
    with _connect(db_path) as connection:
        row = connection.execute(
            "SELECT username, account_made FROM sessions WHERE token_sha256 = ? AND expires >= ?",
            [_digest(token), time.time() if now is None else now],
        ).fetchone()
    return None if row is None else Session(row[0], row[1])


def revoke(db_path: Path, token: str) -> None:
    """End one session (signing out): the cookie stops working wherever it was copied."""
    with _connect(db_path) as connection:
        connection.execute("DELETE FROM sessions WHERE token_sha256 = ?", [_digest(token)])


def revoke_user(db_path: Path, username: str) -> int:
    """End every session of an account (it was removed); returns how many ended."""
    if not store_path(db_path).exists():
        return 0
    with _connect(db_path) as connection:
        cursor = connection.execute(
            "DELETE FROM sessions WHERE lower(username) = lower(?)", [username]
        )
        return cursor.rowcount


def revoke_all(db_path: Path) -> int:
    """End every session (a backup was restored: everyone signs in again); returns how many."""
    if not store_path(db_path).exists():
        return 0
    with _connect(db_path) as connection:
        return connection.execute("DELETE FROM sessions").rowcount


def wait_seconds(db_path: Path, name_key: str, now: float | None = None) -> int:
    """Seconds until this (normalised) name may try again; 0 when it may try now."""
    moment = time.time() if now is None else now
    with _connect(db_path) as connection:
        connection.execute("DELETE FROM failed_sign_ins WHERE at < ?", [moment - WINDOW_SECONDS])
        times = [
            at
            for (at,) in connection.execute(
                "SELECT at FROM failed_sign_ins WHERE name_key = ? ORDER BY at", [name_key]
            )
        ]
    if len(times) < MAX_FAILURES:
        return 0
    return int(WINDOW_SECONDS - (moment - times[-MAX_FAILURES])) + 1


def failed(db_path: Path, name_key: str, now: float | None = None) -> None:
    with _connect(db_path) as connection:
        connection.execute(
            "INSERT INTO failed_sign_ins VALUES (?, ?)",
            [name_key, time.time() if now is None else now],
        )


def succeeded(db_path: Path, name_key: str) -> None:
    with _connect(db_path) as connection:
        connection.execute("DELETE FROM failed_sign_ins WHERE name_key = ?", [name_key])
