"""Aanleveren: upload quarterly files, see the same findings as the command line, then store."""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard import auth, forms, queries, tables, view
from etl.domain import catalog
from etl.domain.kinds import QUARTERLY
from etl.domain.periods import parse_quarter
from etl.intake import quarterform
from etl.intake.findings import count_errors, count_rows
from etl.intake.read import MAX_BYTES
from etl.intake.validate import validate_bytes
from etl.reads import policy
from etl.store.load import Source, VersionError, check_department, load_sources, withdraw_version


def _sha(source: Source) -> str:
    return hashlib.sha256(source.data or b"").hexdigest()


user = auth.current_user()
if user is None or not user.may_submit:
    # The navigation only offers this screen to those who may submit; a check that stays
    # in force under `python -O`, unlike an assert.
    st.error("U mag geen bestanden aanleveren.")
    st.stop()
only_for = user.department
data = view.data_source()
path = data.path

st.title("Aanleveren")
st.caption(
    "Kies een of meer CSV-bestanden of Excel-werkmappen (.xlsx: het eerste werkblad, of het "
    "blad met de naam van de soort, zoals normscores). Ze worden eerst "
    "gecontroleerd; er wordt pas iets opgeslagen als u op **Opslaan** klikt, en nooit iets "
    "van een geweigerd bestand." + (f" U levert aan voor **{only_for}**." if only_for else "")
)

st.session_state.setdefault("upload_round", 0)
st.session_state.setdefault("recorded_refusals", set())
files = st.file_uploader(
    "CSV- of Excel-bestanden",
    type=["csv", "xlsx"],
    accept_multiple_files=True,
    max_upload_size=MAX_BYTES // (1024 * 1024),
    key=f"upload_{st.session_state['upload_round']}",
)

if "upload_result" in st.session_state:
    for status, line in st.session_state.pop("upload_result"):
        if status == "geweigerd":
            st.error(view.plain(line))
        else:
            st.success(view.plain(line))

accepted: list[Source] = []
refused: list[Source] = []
for upload in files or []:
    content = upload.getvalue()
    source = Source(upload.name, content)
    validation = check_department(validate_bytes(content, upload.name), only_for)
    if (
        not validation.findings
        and validation.submission is not None
        and (validation.submission.kind == "normscores")
    ):
        # The form's rule for a file too: a changed verdict needs a toelichting of its own.
        extra = quarterform.uploaded_changes_without_note(
            list(validation.submission.records),
            lambda code, periode: queries.prefill(data, code, periode),
            upload.name,
        )
        if extra:
            # Shown like a refusal, but not sent to the ledger as one: the load path alone
            # would accept the file, and recording a refusal goes through it.
            st.subheader(view.plain(upload.name))
            st.error(f"Geweigerd: {count_errors(len(extra))}. Er wordt niets van opgeslagen.")
            st.table(tables.findings_table(extra).set_index("bestand"))
            continue
    st.subheader(view.plain(upload.name))
    if validation.findings:
        errors = count_errors(len(validation.findings))
        st.error(f"Geweigerd: {errors}. Er wordt niets van opgeslagen.")
        # A plain table: every finding is real text, for screen readers and for copying.
        st.table(tables.findings_table(validation.findings).set_index("bestand"))
        refused.append(source)
        continue
    submission = validation.submission
    assert submission is not None
    st.success(f"In orde ({submission.kind}, {count_rows(submission.row_count)}).")
    current = queries.current_records(data, submission.kind, submission.groups)
    st.dataframe(tables.change_preview(submission, current), hide_index=True, width="stretch")
    accepted.append(source)

# A refused upload is an attempt too: it goes into the ledger once, with its findings.
recorded = st.session_state["recorded_refusals"]
new_refusals = [s for s in refused if (s.name, _sha(s)) not in recorded]
if new_refusals:
    # Mark first: a rerun (another file chosen) may stop this run at its next Streamlit
    # call, and a refusal must land in the ledger once, not twice.
    recorded |= {(s.name, _sha(s)) for s in new_refusals}
    load_sources(new_refusals, path, loaded_by=user.username, only_for=only_for)

if accepted and st.button("Opslaan", type="primary"):
    results = load_sources(accepted, path, loaded_by=user.username, only_for=only_for)
    st.session_state["upload_result"] = [(result.status, result.summary()) for result in results]
    st.session_state["upload_round"] += 1
    st.rerun()

if not files:
    forms.render(data, user, view.today())
    forms.render_counts(data, user, view.today())
    st.subheader("Eerdere aanleveringen")
    # Their own organisation's attempts and their own, whatever others they may see.
    own = policy.own_access(user, only_for) if only_for else data.access
    history = queries.loads(queries.data_for(path, own))
    st.dataframe(history.head(20), hide_index=True, width="stretch")

if auth.may(user, "intrekken"):
    with st.expander("Versie intrekken of herstellen (coördinator)"):
        st.caption(
            "Een verkeerd opgeslagen versie trekt u in; de vorige versie die niet is "
            "ingetrokken geldt dan weer. Er wordt niets verwijderd: de versie, het bestand en "
            "de regel in het logboek blijven, en de intrekking zelf wordt vastgelegd met wie, "
            "wanneer en waarom. Herstellen maakt een intrekking ongedaan."
        )
        with st.form("intrekken"):
            kind = st.selectbox("Soort", list(QUARTERLY))
            code = st.text_input("Organisatiecode", placeholder="bijvoorbeeld FIN")
            periode = st.text_input("Kwartaal", placeholder="JJJJ-Qn")
            version = st.number_input("Versie", min_value=1, step=1)
            reason = st.text_input("Reden")
            restore = st.checkbox("Herstellen (een intrekking ongedaan maken)")
            if st.form_submit_button("Vastleggen"):
                organisation = catalog.organisations_by_code().get(code.strip().upper())
                quarter = parse_quarter(periode)
                try:
                    if organisation is None or quarter is None:
                        raise VersionError("Vul een bestaande organisatiecode en een kwartaal in.")
                    message = withdraw_version(
                        path, str(kind), organisation.code, quarter, int(version),
                        user.username, reason, restore,
                    )  # fmt: skip
                except VersionError as error:
                    st.error(str(error))
                else:
                    st.success(view.plain(message))
