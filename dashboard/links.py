"""Deep links: the view's period, ministry and norm live in the URL's query parameters.

A link pasted into a meeting invitation opens the same view; a selector changed on
the page updates the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

T = TypeVar("T")


def url_select(
    label: str,
    options: Sequence[T],
    param: str,
    format_func: Callable[[T], str] = str,
    default: T | None = None,
) -> T:
    """A selectbox that starts from the URL's value and writes its own value back to the URL.

    The URL always wins (a followed link or a drill-down); a change in the widget
    reaches the URL through `on_change`, which runs before the page, so the two never
    fight. The URL's value is written into the widget's state on every run, even when
    it looks unchanged: another page's selector under the same key (the ministry page's
    "Ministerie") leaves a value that Streamlit drops when this page's selector, with
    other options, is created, which opened a ministry's survey link on RIJK.
    """
    key = f"url_{param}"
    # The last choice of this parameter on any page: a widget's own state is dropped when
    # another page does not draw it, so the choice is kept apart and carried to the next
    # page (the period and the ministry stay what they were across pages, issue 23).
    chosen = f"gekozen_{param}"
    keys = [str(option) for option in options]
    wanted = st.query_params.get(param)
    remembered = str(st.session_state.get(chosen))
    if wanted in keys:
        st.session_state[key] = options[keys.index(wanted)]
    elif remembered in keys:
        # Written on every run too: Streamlit drops a value left under the same key by a
        # selector with other options (see above).
        st.session_state[key] = options[keys.index(remembered)]
    elif str(st.session_state.get(key)) not in keys:
        st.session_state[key] = (
            default if default is not None and default in options else options[0]
        )

    def remember() -> None:
        st.query_params[param] = str(st.session_state[key])
        st.session_state[chosen] = str(st.session_state[key])

    value: T = st.selectbox(label, options, format_func=format_func, key=key, on_change=remember)
    st.query_params[param] = str(value)
    st.session_state[chosen] = str(value)
    return value
