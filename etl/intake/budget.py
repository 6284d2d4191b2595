"""A time budget per file: validation stops, and refuses the file, when it runs out.

Every check is linear in the file's size, so a file inside the size limit validates in
seconds; the budget is the backstop for what nobody foresaw (an upload must never keep
the server busy for minutes, least of all after the browser has gone). The budget is
cooperative: the row loops call `check()`, which costs a clock read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)


class OverBudget(Exception):
    """Raised inside validation when the file's time is up; never reaches a user."""


@contextmanager
def limit(seconds: float) -> Iterator[None]:
    """Give the work inside this block `seconds` of wall-clock time."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise `OverBudget` when the current block's time is up."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise OverBudget
