"""The quarter's norm scores as a form on Aanleveren, and the template to fill in Excel.

The form is prefilled (`etl.intake.quarterform`); "Controleren" turns it into the normscores CSV a
file would be and validates that (plus the form's one rule: a changed verdict needs a
toelichting); "Opslaan" loads exactly those bytes through the single writer, so the
archive holds the CSV the form produced. Nothing here parses CSV or writes SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import downloads, queries, tables, view
from etl.domain import catalog, vocabulary
from etl.domain.kinds import KINDS
from etl.domain.periods import due_quarters, quarter_start
from etl.intake import quarterform
from etl.intake.findings import count_errors, count_rows
from etl.intake.validate import validate_bytes
from etl.reads.export import to_contract_csv
from etl.store.accounts import User
from etl.store.load import Source, check_department, load_sources

STATE = "kwartaalformulier"
COUNTS_STATE = "telformulier"


def organisations(user: User, periode: str) -> list[str]:
    """Whom the user may fill the form for: its own organisation, or any for the coordinator."""
    if user.department:
        return [user.department]
    start = quarter_start(periode)
    return [o.code for o in catalog.organisations()
            if o.code != catalog.RESERVED_CODE and o.valid_during(start, start)]  # fmt: skip


def template_frame(prefilled: pd.DataFrame, code: str, periode: str) -> pd.DataFrame:
    """The normscores file of the quarter, filled with the last judged verdicts."""
    return quarterform.as_file(code, periode, prefilled)


def render(data: queries.Data, user: User, today: date) -> None:
    """The form section of Aanleveren: choose organisation and quarter, fill, check, store."""
    st.subheader("Normscores invullen voor het kwartaal")
    st.caption(
        "Vooraf ingevuld met het laatste oordeel per norm en de toelichting daarbij. Pas alleen "
        "aan wat veranderde; bij een gewijzigd oordeel hoort een eigen toelichting. "
        "'Controleren' doet dezelfde controles als bij een bestand; pas 'Opslaan' slaat op."
    )
    left, right = st.columns(2)
    periode = str(right.selectbox("Kwartaal", due_quarters(today), key="form_periode"))
    code = str(left.selectbox("Organisatie", organisations(user, periode), key="form_code"))
    prefilled = queries.prefill(data, code, periode)
    template = template_frame(prefilled, code, periode)
    a, b = st.columns(2)
    a.download_button(
        "Sjabloon voor Excel (CSV, vooraf ingevuld)", downloads.csv_excel_nl(template),
        file_name=f"normscores-{code}-{periode}.csv", mime="text/csv", on_click="ignore",
    )  # fmt: skip
    b.download_button(
        "Sjabloon als Excel-werkmap (.xlsx, met keuzelijst)",
        lambda: downloads.template_xlsx(template, "normscores", "oordeel",
                                        [c for c in quarterform.CHOICES
                                         if c != vocabulary.NIET_BEOORDEELD]),
        file_name=f"normscores-{code}-{periode}.xlsx", mime=view.XLSX, on_click="ignore",
    )  # fmt: skip
    norms = {n.nummer: n.label for n in catalog.norms()}
    beside = _messages_by_norm(f"formulier-normscores-{code}-{periode}.csv", prefilled)
    with st.form(f"formulier_{code}_{periode}"):
        filled = []
        for row in prefilled.to_dict("records"):
            norm = int(row["norm"])
            since = f" (laatste oordeel uit {row['uit']})" if row["uit"] else " (nog geen oordeel)"
            x, y = st.columns([1, 2])
            verdict = x.selectbox(
                f"Norm {norm}. {norms[norm]}", quarterform.CHOICES,
                index=quarterform.CHOICES.index(row["oordeel"]), help=f"Oordeel{since}.",
                key=f"oordeel_{code}_{periode}_{norm}",
            )  # fmt: skip
            note = y.text_area(
                f"Toelichting norm {norm}", value=str(row["toelichting"]), max_chars=2000,
                height=68, key=f"toelichting_{code}_{periode}_{norm}",
            )  # fmt: skip
            for message in beside.get(norm, []):
                y.error(message, icon=":material/error:")  # beside the field it is about
            filled.append({"norm": norm, "oordeel": verdict, "toelichting": note})
        checked = st.form_submit_button("Controleren")
    if checked:
        _check(pd.DataFrame(filled), prefilled, code, periode, user)
        if st.session_state[STATE][2]:
            st.rerun()  # draw the form again with each message beside its field
    _show_saved(STATE)
    _preview_and_store(data, user)


def _messages_by_norm(name: str, prefilled: pd.DataFrame) -> dict[int, list[str]]:
    """The checked form's findings per norm (a finding's line is its norm's row)."""
    kept = st.session_state.get(STATE)
    if kept is None or kept[0] != name:
        return {}
    norms = [int(n) for n in prefilled["norm"]]
    found: dict[int, list[str]] = {}
    for finding in kept[2]:
        index = (finding.line or 0) - 2
        if 0 <= index < len(norms):
            found.setdefault(norms[index], []).append(str(finding.message))
    return found


def _show_saved(state: str) -> None:
    """The outcome of the last 'Opslaan' of this form, right where the button was."""
    outcome = st.session_state.pop(f"{state}_opgeslagen", None)
    if outcome is not None:
        status, line = outcome
        if status == "geweigerd":
            st.error(view.plain(line))
        else:
            st.success(view.plain(line), icon=":material/check_circle:")


def _check(filled: pd.DataFrame, prefilled: pd.DataFrame, code: str, periode: str,
           user: User) -> None:  # fmt: skip
    """The CSV the form stands for, validated as a file; kept for 'Opslaan' when in order."""
    name = f"formulier-normscores-{code}-{periode}.csv"
    rows = quarterform.as_file(code, periode, filled)
    _keep(name, rows, user, quarterform.changed_without_note(prefilled, filled, name))


def _keep(
    name: str, rows: pd.DataFrame, user: User, extra: list[Any] | None = None, state: str = STATE
) -> None:
    """Validate the rows as the CSV file they make, with the form's own findings first."""
    content = to_contract_csv(rows).encode("utf-8")
    validation = check_department(validate_bytes(content, name), user.department)
    st.session_state[state] = (name, content, (extra or []) + validation.findings,
                               validation.submission)  # fmt: skip


def render_counts(data: queries.Data, user: User, today: date) -> None:
    """Forms for the kinds of a few numbers: headcount, the advisers' conversations, and the
    survey's response; checked and stored exactly as the file they make."""
    st.subheader("Aantallen invullen")
    labels = {label: kind for kind, label in COUNT_FORMS.items()}
    kind = labels[str(st.selectbox("Soort aantallen", list(labels), key="telformulier_soort"))]
    if kind == "respons":
        waves = sorted(catalog.survey_waves(), reverse=True)
        periode = str(st.selectbox("Enquêtegolf", waves, key="telformulier_golf"))
    elif KINDS[kind].cadence == "per_sleutel":  # yearly counts
        years = [str(today.year - n) for n in range(1, 4)]
        periode = str(st.selectbox("Jaar van de cijfers", years, key="telformulier_jaar"))
    else:
        periode = str(st.selectbox("Kwartaal van de aantallen", due_quarters(today),
                                   key="telformulier_periode"))  # fmt: skip
    quarter = periode if "-" in periode else f"{periode}-Q4"
    code = str(st.selectbox("Organisatie van de aantallen", organisations(user, quarter),
                            key="telformulier_code"))  # fmt: skip
    with st.form(f"telformulier_{kind}_{code}_{periode}"):
        if kind == "omvang":
            staff = st.number_input(
                "Medewerkers aan het eind van het kwartaal",
                min_value=1,
                step=1,
                value=None,
                placeholder="bijvoorbeeld 5200",
            )
            scope = st.selectbox(
                "Reikwijdte: voor wie gelden de aantallen van dit ministerie",
                ["", *vocabulary.SCOPES],
                format_func=lambda s: vocabulary.SCOPES.get(s, "niet opgegeven"),
            )
            headcount = "" if staff is None else int(staff)
            rows = pd.DataFrame([{"departement": code, "periode": periode,
                                  "medewerkers": headcount, "reikwijdte": scope}])  # fmt: skip
        elif kind in KEYED_COUNTS:
            column, options, measure, word = KEYED_COUNTS[kind]
            time = "jaar" if "jaar" in KINDS[kind].required else "periode"
            # Left empty: not reported (no row), never read as 0.
            counts = {o.code: st.number_input(f"{word}: {o.naam}", min_value=0, step=1,
                                              value=None, placeholder="niet gemeld")
                      for o in options()}  # fmt: skip
            rows = pd.DataFrame([
                {"departement": code, time: periode, column: option, measure: int(n)}
                for option, n in counts.items() if n is not None
            ], columns=["departement", time, column, measure])  # fmt: skip
        else:
            rows = pd.DataFrame([{
                "departement": code, "periode": periode, "groep": group,
                "uitgenodigd": int(st.number_input(f"{group.capitalize()}: uitgenodigd",
                                                   min_value=0, step=1)),
                "deelgenomen": int(st.number_input(f"{group.capitalize()}: deelgenomen",
                                                   min_value=0, step=1)),
            } for group in ("medewerkers", "leidinggevenden")])  # fmt: skip
        if st.form_submit_button("Aantallen controleren"):
            _keep(f"formulier-{kind}-{code}-{periode}.csv", rows, user, state=COUNTS_STATE)
    _show_saved(COUNTS_STATE)
    _preview_and_store(data, user, COUNTS_STATE)


# The forms of counts per code of a catalogue: column, codes, the count's column, its word.
KEYED_COUNTS: dict[str, tuple[str, Any, str, str]] = {
    kind: (column, getattr(catalog, codes), measure, word)
    for kind, spec in KINDS.items()
    if spec.counted_per
    for column, codes, measure, word in [spec.counted_per]
}
# The quarter's own counts first, the survey's response after (stable sort: registry order).
COUNT_FORMS = {
    kind: spec.count_form
    for kind, spec in sorted(KINDS.items(), key=lambda item: item[1].cadence != "kwartaal")
    if spec.count_form
}


def _preview_and_store(data: queries.Data, user: User, state: str = STATE) -> None:
    """The checked form's findings, or its preview and the button that stores it."""
    if state not in st.session_state:
        return
    name, content, findings, submission = st.session_state[state]
    if findings:
        st.error(f"Niet in orde: {count_errors(len(findings))}. Er wordt niets opgeslagen.")
        st.table(tables.findings_table(findings).set_index("bestand"))
        return
    st.success(
        f"In orde ({submission.kind}, {count_rows(submission.row_count)}). Controleer en sla op."
    )
    current = queries.current_records(data, submission.kind, submission.groups)
    st.dataframe(tables.change_preview(submission, current), hide_index=True, width="stretch")
    if st.button("Opslaan", type="primary", key=f"{state}_opslaan"):
        [result] = load_sources([Source(name, content)], data.path, loaded_by=user.username,
                                only_for=user.department)  # fmt: skip
        del st.session_state[state]
        # Shown where the button was, not at the top of the page out of view.
        st.session_state[f"{state}_opgeslagen"] = (result.status, result.summary())
        st.rerun()
