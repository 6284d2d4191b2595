"""Who is signed in, and what they may see: the one module every screen asks.

Two ways in: local accounts (bcrypt, managed with `python -m etl gebruikers`) for one
machine or a pilot, and `st.login` with the organisation's OIDC provider when
`.streamlit/secrets.toml` configures it; both end in the same `User` with a role from
the `users` table. Failed sign-ins are rate-limited per user name in this process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from pathlib import Path

import streamlit as st

from dashboard import queries
from etl import accounts
from etl.accounts import COORDINATOR, User
from etl.settings import settings

SESSION_KEY = "gebruiker"
COOKIE = "integriteitsmonitor_sessie"
COOKIE_HOURS = 8
_PENDING_COOKIE = "cookie_te_zetten"
_SIGNED_OUT = "uitgelogd"
MAX_FAILURES, WINDOW_SECONDS = 5, 300

# Page keys (screen file stems) per role. Anonymous visitors only get the sign-in screen.
READ_PAGES = (
    "overzicht",
    "ministerie",
    "norm",
    "trends",
    "enquete",
    "aanleverstatus",
    "presentatie",
)


def pages_for(user: User | None) -> list[str]:
    """The screens a user may open."""
    if user is None:
        return ["inloggen"]
    return [*READ_PAGES, "aanleveren"] if user.may_submit else list(READ_PAGES)


def others_visible() -> bool:
    """Whether department users see other ministries' detail (a setting; default yes)."""
    return settings().detail_other_ministries


def visible_codes(user: User | None) -> set[str] | None:
    """Organisations whose detail the user may see; None means all."""
    if user is None or not user.is_department or others_visible():
        return None
    return {user.department or ""}


class SignInLimiter:
    """Failed attempts per user name in a sliding window; shared by all sessions."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def wait_seconds(self, username: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        attempts = self.failures[accounts.sign_in_key(username)]
        while attempts and now - attempts[0] > WINDOW_SECONDS:
            attempts.popleft()
        if len(attempts) < MAX_FAILURES:
            return 0
        return int(WINDOW_SECONDS - (now - attempts[0])) + 1

    def failed(self, username: str, now: float | None = None) -> None:
        self.failures[accounts.sign_in_key(username)].append(
            time.monotonic() if now is None else now
        )

    def succeeded(self, username: str) -> None:
        self.failures.pop(accounts.sign_in_key(username), None)


@st.cache_resource
def limiter() -> SignInLimiter:
    return SignInLimiter()


def oidc_configured() -> bool:
    """True when secrets.toml holds an [auth] section with a provider to sign in with."""
    try:
        section = st.secrets.get("auth", {})
    except Exception:  # no secrets file at all: Streamlit raises its own error type
        return False
    return "client_id" in section or any(
        isinstance(value, dict) and "client_id" in value for value in section.values()
    )


def _secret() -> bytes:
    """`$INTEGRITEIT_COOKIE_SECRET`, else `cookie_secret` beside the database, made on first run."""
    configured = settings().cookie_secret
    if configured:
        return configured.encode()
    path = Path(queries.db_path()).parent / "cookie_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip().encode()


def _signature(payload: str) -> str:
    return hmac.new(_secret(), payload.encode(), hashlib.sha256).hexdigest()


def issue_token(username: str, now: float | None = None) -> str:
    """A signed, expiring token that keeps a user signed in across page reloads."""
    expires = int((time.time() if now is None else now) + COOKIE_HOURS * 3600)
    payload = f"{username}|{expires}"
    return f"{payload}|{_signature(payload)}"


def verify_token(token: str, now: float | None = None) -> str | None:
    """The user name in a valid, unexpired token; None for anything else."""
    username, _, rest = token.partition("|")
    expires, _, signature = rest.partition("|")
    if not expires.isdigit() or int(expires) < (time.time() if now is None else now):
        return None
    if not hmac.compare_digest(signature, _signature(f"{username}|{expires}")):
        return None
    return username


def flush_cookie() -> None:
    """Set or clear the sign-in cookie in the browser (a script in a zero-height frame)."""
    pending = st.session_state.pop(_PENDING_COOKIE, None)
    if pending is None:
        return
    age = COOKIE_HOURS * 3600 if pending else 0
    # st.iframe runs the script in a same-origin frame (st.components.v1.html, which did
    # this before, is deprecated). The token is ours (HMAC-signed), never user input.
    st.iframe(
        f"<script>document.cookie = '{COOKIE}={pending}; path=/; max-age={age}; "
        "SameSite=Strict';</script>",
        height=1,
    )


def current_user() -> User | None:
    """The signed-in user: this session's, the cookie's, or the OIDC identity's."""
    user: User | None = st.session_state.get(SESSION_KEY)
    if user is not None:
        return user
    # st.context.cookies is what the browser sent when this session began: after signing
    # out in this session the old cookie is still there, so it must not count.
    token = None if st.session_state.get(_SIGNED_OUT) else st.context.cookies.get(COOKIE)
    username = verify_token(token) if isinstance(token, str) and token else None
    if username is not None:
        user = accounts.get_user(queries.db_path(), username)
        if user is not None:
            st.session_state[SESSION_KEY] = user
            return user
    if oidc_configured() and st.user.is_logged_in and st.user.get("email"):
        user = accounts.user_for_email(queries.db_path(), str(st.user.get("email")))
        if user is not None:
            st.session_state[SESSION_KEY] = user
        return user
    return None


def sign_in(username: str, password: str) -> str | None:
    """Check the password; on success remember the user. Returns a Dutch error or None."""
    wait = limiter().wait_seconds(username)
    if wait:
        return f"Te veel mislukte pogingen. Probeer het over {wait // 60 + 1} minuten opnieuw."
    user = accounts.authenticate(queries.db_path(), username, password)
    if user is None:
        limiter().failed(username)
        return "Gebruikersnaam of wachtwoord klopt niet."
    limiter().succeeded(username)
    st.session_state[SESSION_KEY] = user
    st.session_state[_PENDING_COOKIE] = issue_token(user.username)
    st.session_state.pop(_SIGNED_OUT, None)
    return None


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[_PENDING_COOKIE] = ""
    st.session_state[_SIGNED_OUT] = True
    if oidc_configured() and st.user.is_logged_in:
        st.logout()


def role_label(user: User) -> str:
    if user.role == COORDINATOR:
        return "coördinator"
    return f"departement {user.department}" if user.is_department else "lezer"
