"""What the dashboard's web server adds to Streamlit's: security headers on every
response, and the one route that sets or clears the HttpOnly sign-in cookie.

A script cannot read or write an HttpOnly cookie, so the cookie must come from a
server response. After a successful sign-in the Streamlit session hands the new
session token to this module under a one-time nonce (valid for a minute); a script
in the page posts only the nonce to `ROUTE`, and the response sets the cookie.
A stolen nonce is worth nothing once used, and the token never reaches a script.
Streamlit runs the script and this route in one process, so the hand-off is a dict.
"""

from __future__ import annotations

import gzip
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from etl.store.sessions import SESSION_HOURS

COOKIE = "integriteitsmonitor_sessie"
ROUTE = "/api/sessie"
HANDOFF_SECONDS = 60
# Another site may not frame the dashboard (clickjacking); the dashboard's own frames
# (Streamlit's components) stay allowed. Browsers may not guess content types either.
HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# Streamlit's routes the dashboard does not use: its metrics (session and cache figures,
# answered to anyone), the script health check, and the agent API (which drives an app
# without a browser, and answers even when switched off). Closed with a 404.
CLOSED = ("/_stcore/metrics", "/_stcore/script-health-check", "/_stcore/agent")

_handoffs: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def hand_off(token: str, now: float | None = None) -> str:
    """A one-time nonce under which `ROUTE` will set this token as the cookie ("" clears it)."""
    moment = time.monotonic() if now is None else now
    nonce = secrets.token_urlsafe(24)
    with _lock:
        for stale in [key for key, (_, expires) in _handoffs.items() if expires < moment]:
            del _handoffs[stale]
        _handoffs[nonce] = (token, moment + HANDOFF_SECONDS)
    return nonce


def take(nonce: str, now: float | None = None) -> str | None:
    """The token handed off under this nonce, once; None when unknown, used or expired."""
    moment = time.monotonic() if now is None else now
    with _lock:
        found = _handoffs.pop(nonce, None)
    if found is None or found[1] < moment:
        return None
    return found[0]


def cookie_script(nonce: str) -> str:
    """The page script that exchanges a nonce for the cookie (the nonce is ours, URL-safe)."""
    return (
        f"<script>fetch('{ROUTE}', {{method: 'POST', body: '{nonce}', "
        "credentials: 'same-origin', headers: {'Content-Type': 'text/plain'}});</script>"
    )


async def session_cookie(request: Request) -> Response:
    """POST a nonce: set (or clear) the HttpOnly, SameSite=Strict session cookie."""
    nonce = (await request.body())[:100].decode("ascii", "replace").strip()
    token = take(nonce)
    if token is None:
        return Response("Onbekende of verlopen aanvraag.", status_code=403)
    response = Response(status_code=204)
    secure = request.url.scheme == "https"
    if token:
        response.set_cookie(
            COOKIE, token, max_age=SESSION_HOURS * 3600, path="/",
            httponly=True, samesite="strict", secure=secure,
        )  # fmt: skip
    else:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure)
    return response


ROUTES = [Route(ROUTE, session_cookie, methods=["POST"])]


# Streamlit's page says `<html lang="en">`; the dashboard is Dutch from the first byte, so a
# screen reader reads it in Dutch before any script runs (dashboard.dutch keeps it so).
ENGLISH_PAGE, DUTCH_PAGE = b'<html lang="en">', b'<html lang="nl">'


def _in_dutch(page: bytes, headers: MutableHeaders) -> bytes:
    """The page with `lang="nl"`, compressed again if it came compressed (browsers ask for
    gzip, and Streamlit gives it), its length set anew."""
    packed = headers.get("content-encoding") == "gzip"
    text = gzip.decompress(page) if packed else page
    text = text.replace(ENGLISH_PAGE, DUTCH_PAGE, 1)
    body = gzip.compress(text, mtime=0) if packed else text
    headers["content-length"] = str(len(body))
    return body


class SecurityHeaders:
    """ASGI middleware: `HEADERS` on every HTTP response, Streamlit's own included; the
    `CLOSED` routes answer 404; an HTML page's language set to Dutch."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", "")).rstrip("/").lower()
        if any(path == closed or path.startswith(closed + "/") for closed in CLOSED):
            response = Response("Niet gevonden.", status_code=404, headers=HEADERS)
            await response(scope, receive, send)
            return

        start: Message | None = None
        page: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if headers.get("content-type", "").startswith("text/html") and headers.get(
                    "content-encoding", "gzip"
                ) in ("", "gzip"):
                    start = message  # held until the page's body is whole
                    return
            elif message["type"] == "http.response.body" and start is not None:
                page.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = _in_dutch(b"".join(page), MutableHeaders(scope=start))
                await send(start)
                message = {"type": "http.response.body", "body": body, "more_body": False}
            await send(message)

        await self.app(scope, receive, send_with_headers)
