"""Local accounts and roles: bcrypt password hashes in the database, managed from the CLI.

Roles: `coordinator` (everything), `lezer` (read-only) and `departement:CODE` (submits
for its own code only). Accounts signed in through the organisation's OIDC provider
are matched on e-mail address and get their role from the same table. Writes go
through the single writer like every other write.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import bcrypt

from etl.domain import catalog
from etl.store import sessions
from etl.store.database import reader, writer

# The role names (the coordinating organisation itself is `vocabulary.COORDINATOR`, BZK).
COORDINATOR_ROLE, READER, DEPARTMENT_PREFIX = "coordinator", "lezer", "departement:"
FIRST_ADMIN = "beheerder"
_NAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
# An address as mail servers take it (RFC 5321's dot-atom, printable ASCII): no space, no
# line break (a CR/LF in an address header broke a reminder round), one @, a dotted domain.
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def email_problem(address: str) -> str | None:
    """Why an e-mail address cannot be used, in Dutch; None when it can."""
    if len(address) > 254:
        return "langer dan 254 tekens"
    if any(not (32 < ord(c) < 127) for c in address):
        bad = next(c for c in address if not (32 < ord(c) < 127))
        return f"bevat het teken U+{ord(bad):04X}"
    if not _EMAIL.match(address) or ".." in address or address.startswith("."):
        return "heeft niet de vorm naam@domein.nl"
    return None


@dataclass(frozen=True)
class User:
    """A signed-in person: name, role, and for a department role its organisation code."""

    username: str
    role: str
    email: str | None = None

    @property
    def department(self) -> str | None:
        """The code a department user may submit for; None for other roles."""
        return self.role.removeprefix(DEPARTMENT_PREFIX) if self.is_department else None

    @property
    def is_department(self) -> bool:
        return self.role.startswith(DEPARTMENT_PREFIX)

    @property
    def may_submit(self) -> bool:
        return self.role == COORDINATOR_ROLE or self.is_department


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is Dutch."""


def normalise_role(text: str) -> str:
    """`coordinator`, `lezer` or `departement:CODE` with the code as the catalogue spells it."""
    value = text.strip()
    if value.lower() in (COORDINATOR_ROLE, READER):
        return value.lower()
    if value.lower().startswith(DEPARTMENT_PREFIX):
        code = value[len(DEPARTMENT_PREFIX) :].strip()
        organisation = catalog.organisations_by_code().get(code.upper())
        if organisation is None or organisation.code == catalog.RESERVED_CODE:
            raise AccountError(f"Onbekende organisatiecode '{code}' in rol '{value}'.")
        return DEPARTMENT_PREFIX + organisation.code
    raise AccountError(f"Onbekende rol '{value}'; gebruik coordinator, lezer of departement:CODE.")


MAX_PASSWORD_BYTES = 72  # bcrypt's limit; longer would be refused by bcrypt with a traceback
# bcrypt's work factor: 2^12 rounds, a quarter of a second per hash on a 2-core machine, what
# makes a stolen database slow to guess from. (The tests lower it for the accounts they make,
# which they only sign in with; `test_accounts` checks this value is the one stored.)
ROUNDS = 12


def sign_in_key(username: str) -> str:
    """A user name as sign-in compares it: Unicode-normalised, whitespace squeezed, lower
    case. The failed-attempt limit is keyed on this, so ' beheerder\t' counts as beheerder."""
    return " ".join(unicodedata.normalize("NFKC", username).split()).lower()


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise AccountError("Een wachtwoord heeft minstens 8 tekens.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AccountError(f"Een wachtwoord heeft hoogstens {MAX_PASSWORD_BYTES} bytes.")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(ROUNDS)).decode("ascii")


def add_user(
    db_path: Path, username: str, role: str, password: str | None, email: str | None = None
) -> User:
    """Create an account (password for local sign-in, e-mail for OIDC, or both)."""
    if not _NAME.match(username):
        raise AccountError(
            f"Ongeldige gebruikersnaam '{username}': 2 tot 64 letters, cijfers of . _ @ -."
        )
    role = normalise_role(role)
    if email is not None and (problem := email_problem(email)):
        raise AccountError(f"Ongeldig e-mailadres {email!r}: {problem}.")
    hashed = hash_password(password) if password is not None else None
    with writer(db_path) as connection:
        exists = connection.execute(
            "SELECT 1 FROM users WHERE lower(username) = lower(?)", [username]
        ).fetchone()
        if exists:
            raise AccountError(f"Gebruiker '{username}' bestaat al.")
        connection.execute(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?)",
            [username, hashed, role, email, datetime.now(UTC).replace(tzinfo=None)],
        )
    return User(username, role, email)


def remove_user(db_path: Path, username: str) -> None:
    with writer(db_path) as connection:
        found = connection.execute(
            "DELETE FROM users WHERE lower(username) = lower(?) RETURNING username", [username]
        ).fetchall()
        if not found:
            raise AccountError(f"Gebruiker '{username}' bestaat niet.")
    # Its sessions end with it; a later account of the same name would not match them anyway.
    sessions.revoke_user(db_path, username)


def list_users(db_path: Path) -> list[User]:
    with reader(db_path) as connection:
        if connection is None:
            return []
        rows = connection.execute(
            "SELECT username, role, email FROM users ORDER BY lower(username)"
        ).fetchall()
    return [User(name, role, email) for name, role, email in rows]


def authenticate(db_path: Path, username: str, password: str) -> User | None:
    """The user when the password matches; None otherwise (without saying which part was wrong)."""
    with reader(db_path) as connection:
        if connection is None:
            return None
        row = connection.execute(
            "SELECT username, role, email, password_hash FROM users WHERE lower(username) = ?",
            [sign_in_key(username)],
        ).fetchone()
    # Compare against a dummy hash for unknown users, so timing does not tell who exists.
    stored = row[3] if row and row[3] else _dummy_hash()
    # No password over bcrypt's limit was ever stored: such an attempt fails like any other
    # wrong password (after the same work), instead of raising at an anonymous visitor.
    given = password.encode("utf-8")
    too_long = len(given) > MAX_PASSWORD_BYTES
    matches = bcrypt.checkpw(given[:MAX_PASSWORD_BYTES], stored.encode("ascii")) and not too_long
    if row is None or not row[3] or not matches:
        return None
    return User(row[0], row[1], row[2])


def _find_user(db_path: Path, column: str, value: str) -> User | None:
    # `column` is "username" or "email" from this module, never from input.
    with reader(db_path) as connection:
        if connection is None:
            return None
        row = connection.execute(
            f"SELECT username, role, email FROM users WHERE lower({column}) = lower(?)", [value]
        ).fetchone()
    return None if row is None else User(row[0], row[1], row[2])


def user_for_email(db_path: Path, email: str) -> User | None:
    """The account an OIDC identity maps to, by e-mail address."""
    return _find_user(db_path, "email", email)


def ensure_first_admin(db_path: Path) -> str | None:
    """On a fresh database, create `beheerder` with a random password and return it (once)."""
    if list_users(db_path):
        return None
    password = secrets.token_urlsafe(12)
    add_user(db_path, FIRST_ADMIN, COORDINATOR_ROLE, password)
    return password


@cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as known ones.

    Made on first use, not at import: hashing takes a quarter of a second, which every
    command (a load included) would otherwise pay.
    """
    return bcrypt.hashpw(b"not a password", bcrypt.gensalt(ROUNDS)).decode("ascii")


def account_made(db_path: Path, username: str) -> str | None:
    """When this account was created, as text: what a session is bound to."""
    with reader(db_path) as connection:
        if connection is None:
            return None
        row = connection.execute(
            "SELECT CAST(created_at AS VARCHAR) FROM users WHERE lower(username) = lower(?)",
            [username],
        ).fetchone()
    return None if row is None else str(row[0])


def session_user(db_path: Path, session: sessions.Session) -> User | None:
    """The account a session was issued to, if that very account (not a later one of the
    same name) still exists; with its role as it is now."""
    with reader(db_path) as connection:
        if connection is None:
            return None
        row = connection.execute(
            "SELECT username, role, email FROM users "
            "WHERE lower(username) = lower(?) AND CAST(created_at AS VARCHAR) = ?",
            [session.username, session.account_made],
        ).fetchone()
    return None if row is None else User(row[0], row[1], row[2])


def get_user(db_path: Path, username: str) -> User | None:
    """The account with this name, if it (still) exists."""
    return _find_user(db_path, "username", username)
