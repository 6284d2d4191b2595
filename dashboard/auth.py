"""Who is signed in, and what they may see: the one module every screen asks.

Two ways in: local accounts (bcrypt, managed with `python -m etl gebruikers`) for one
machine or a pilot, and `st.login` with the organisation's OIDC provider when
`.streamlit/secrets.toml` configures it; both end in the same `User` with a role from
the `users` table. Sessions and failed sign-ins are kept on the server (`etl.store.sessions`).
"""

from __future__ import annotations

import streamlit as st

from dashboard import queries, web
from dashboard.web import COOKIE
from etl.reads import policy
from etl.settings import settings
from etl.store import accounts, sessions
from etl.store.accounts import User

SESSION_KEY = "gebruiker"
_TOKEN = "sessietoken"
_PENDING_COOKIE = "cookie_te_zetten"
_SIGNED_OUT = "uitgelogd"


def pages_for(user: User | None) -> list[str]:
    """The screens a user may open (`etl.reads.policy`)."""
    return policy.pages_for(user)


def others_visible() -> bool:
    """Whether department users see other ministries' detail (a setting; default yes)."""
    return settings().detail_other_ministries


def may(user: User | None, action: policy.Action, organisation: str | None = None) -> bool:
    """`etl.reads.policy.may` with this installation's setting."""
    return policy.may(user, action, organisation, others_visible())


READ_PAGES = policy.READ_PAGES


def visible_codes(user: User | None) -> frozenset[str] | None:
    """Organisations whose detail the user may see (`etl.reads.policy`); None means all."""
    return policy.visible_codes(user, others_visible())


def exact_codes(user: User | None) -> frozenset[str] | None:
    """Organisations whose figures the user sees exactly (`etl.reads.policy`)."""
    return policy.exact_codes(user)


def oidc_configured() -> bool:
    """True when secrets.toml holds an [auth] section with a provider to sign in with."""
    try:
        section = st.secrets.get("auth", {})
    except Exception:  # no secrets file at all: Streamlit raises its own error type
        return False
    return "client_id" in section or any(
        isinstance(value, dict) and "client_id" in value for value in section.values()
    )


def _session_user(token: str) -> User | None:
    """The account a session token belongs to, while the session and that account last."""
    db = queries.db_path()
    session = sessions.find(db, token)
    return None if session is None else accounts.session_user(db, session)


def flush_cookie() -> None:
    """Set or clear the HttpOnly sign-in cookie: a script in a zero-height frame posts a
    one-time nonce to the server, whose response carries the cookie (see dashboard.web)."""
    nonce = st.session_state.pop(_PENDING_COOKIE, None)
    if nonce is None:
        return
    # st.iframe runs the script in a same-origin frame; the nonce is ours, never user input.
    st.iframe(web.cookie_script(nonce), height=1)


def current_user() -> User | None:
    """The signed-in user: this session's or the cookie's (checked against the server's
    sessions on every run, so signing out elsewhere or removing the account ends it),
    else the OIDC identity's."""
    token = st.session_state.get(_TOKEN)
    if token is None and not st.session_state.get(_SIGNED_OUT):
        # st.context.cookies is what the browser sent when this session began.
        cookie = st.context.cookies.get(COOKIE)
        token = cookie if isinstance(cookie, str) and cookie else None
    if token is not None:
        user: User | None = _session_user(token)
        if user is not None:
            st.session_state[_TOKEN] = token
            st.session_state[SESSION_KEY] = user
            return user
        st.session_state.pop(_TOKEN, None)  # revoked, expired, or its account is gone
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[_SIGNED_OUT] = True
        return None
    user = st.session_state.get(SESSION_KEY)
    if isinstance(user, User):
        return user
    if oidc_configured() and st.user.is_logged_in and st.user.get("email"):
        user = accounts.user_for_email(queries.db_path(), str(st.user.get("email")))
        if user is not None:
            st.session_state[SESSION_KEY] = user
        return user
    return None


def sign_in(username: str, password: str) -> str | None:
    """Check the password; on success start a server-side session. Returns a Dutch error or None.

    Failed attempts count per normalised name in the session store, so neither spaces
    around the name nor a restart of the server resets the limit."""
    db = queries.db_path()
    key = accounts.sign_in_key(username)
    wait = sessions.wait_seconds(db, key)
    if wait:
        return f"Te veel mislukte pogingen. Probeer het over {wait // 60 + 1} minuten opnieuw."
    user = accounts.authenticate(db, username, password)
    made = None if user is None else accounts.account_made(db, user.username)
    if user is None or made is None:
        sessions.failed(db, key)
        return "Gebruikersnaam of wachtwoord klopt niet."
    sessions.succeeded(db, key)
    token = sessions.create(db, user.username, made)
    st.session_state[SESSION_KEY] = user
    st.session_state[_TOKEN] = token
    st.session_state[_PENDING_COOKIE] = web.hand_off(token)
    st.session_state.pop(_SIGNED_OUT, None)
    return None


def sign_out() -> bool:
    """End the session on the server (a copied cookie stops working too) and clear the cookie;
    True when the browser is being sent to the organisation's provider to sign out there
    (the caller must then not rerun: a rerun drops that redirect)."""
    token = st.session_state.pop(_TOKEN, None)
    if token:
        sessions.revoke(queries.db_path(), token)
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[_PENDING_COOKIE] = web.hand_off("")
    st.session_state[_SIGNED_OUT] = True
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
        return True
    return False


def figures_line(user: User) -> str:
    """Which figures the screens show this user, in one short line (who sees what:
    the contract's disclosure rules)."""
    if policy.exact_codes(user) is None:
        return "U ziet alle cijfers exact; wat u downloadt om te delen is beschermd."
    if user.is_department:
        return (f"U ziet de cijfers van {user.department} exact, die van anderen beschermd "
                "(kleine aantallen verborgen).")  # fmt: skip
    return "U ziet beschermde cijfers: kleine aantallen zijn verborgen."


def role_label(user: User) -> str:
    if user.role == accounts.COORDINATOR_ROLE:
        return "coördinator"
    return f"departement {user.department}" if user.is_department else "lezer"
