"""Inloggen: the only screen an anonymous visitor sees, at whatever address they came in."""

from __future__ import annotations

import streamlit as st

from dashboard import auth


def render() -> None:
    """The sign-in form; on success the app reruns with the page the address asked for."""
    st.title("Integriteitsmonitor Rijk")
    st.write(
        "Log in om de gegevens te zien. De cijfers zijn alleen voor geautoriseerde gebruikers."
    )

    with st.form("inloggen"):
        username = st.text_input("Gebruikersnaam", autocomplete="username")
        password = st.text_input("Wachtwoord", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Inloggen", type="primary")
    if submitted:
        error = auth.sign_in(username, password)
        if error:
            st.error(error)
        else:
            st.rerun()

    if auth.oidc_configured():
        st.divider()
        if st.button("Inloggen met uw organisatie-account"):
            st.login()
        if st.user.is_logged_in and auth.current_user() is None:
            st.warning(
                "U bent aangemeld bij uw organisatie, maar uw account is nog niet gekoppeld "
                "aan een rol. Vraag de beheerder om `python -m etl gebruikers add NAAM --rol "
                "ROL --email UW-ADRES --zonder-wachtwoord`."
            )
