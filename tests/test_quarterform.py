"""The quarter's norm scores as a form: prefilled with the last judged verdicts, an
unchanged quarter in a few clicks, a changed verdict without a toelichting refused, the
CSV it produced archived and versioned like a file; templates to fill in Excel."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard import downloads, forms
from etl.domain.kinds import EVERY_QUARTER, KINDS
from etl.intake import quarterform
from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel
from etl.store.accounts import User
from tests.conftest import TODAY, open_page, query, run_etl


def test_the_prefill_takes_the_newest_judged_verdict_of_each_norm() -> None:
    scores = pd.DataFrame({
        "periode": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q1"],
        "norm": [1, 1, 1, 2],
        "oordeel": ["voldoet niet", "voldoet deels", "niet beoordeeld", "voldoet"],
        "toelichting": ["a", "b", "c", "d"],
    })  # fmt: skip
    prefilled = quarterform.prefill(scores, "2025-Q4").set_index("norm")
    assert prefilled.loc[1, "oordeel"] == "voldoet deels" and prefilled.loc[1, "uit"] == "2025-Q2"
    assert prefilled.loc[2, "toelichting"] == "d"
    assert prefilled.loc[3, "oordeel"] == "niet beoordeeld" and prefilled.loc[3, "uit"] == ""


def test_a_changed_verdict_needs_its_own_toelichting() -> None:
    before = pd.DataFrame({"norm": [1, 2, 3], "oordeel": ["voldoet"] * 3,
                           "toelichting": ["oud"] * 3, "uit": ["2025-Q3"] * 3})  # fmt: skip
    after = before.assign(oordeel=["voldoet niet", "voldoet niet", "voldoet"],
                          toelichting=["oud", "Nieuwe risicoanalyse ontbreekt", "oud"])  # fmt: skip
    [finding] = quarterform.changed_without_note(before, after, "f.csv")
    assert (finding.line, finding.column) == (2, "toelichting")
    assert "Norm 1: het oordeel is gewijzigd (van voldoet naar voldoet niet)" in finding.message


def test_the_xlsx_template_offers_the_verdicts_in_a_list_and_loads_back() -> None:
    frame = quarterform.as_file(
        "FIN",
        "2026-Q3",
        pd.DataFrame({"norm": range(1, 16), "oordeel": ["voldoet"] * 15, "toelichting": [""] * 15}),
    )
    data = downloads.template_xlsx(frame, "normscores", "oordeel", ["voldoet", "voldoet niet"])
    sheet = load_workbook(io.BytesIO(data))["normscores"]
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list" and '"voldoet,voldoet niet"' in str(validation.formula1)
    assert str(validation.sqref) == "D2:D16"
    result = validate_bytes(data, "sjabloon.xlsx", TODAY)
    assert result.kind == "normscores" and not result.findings


def test_an_unchanged_quarter_is_checked_and_stored_as_a_new_version(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    app = open_page(db, monkeypatch, User("lead.bzk", "departement:BZK"), "screens/aanleveren.py")
    assert not app.exception
    assert [s.value for s in app.selectbox if s.label == "Kwartaal"] == ["2026-Q3"]
    [check] = [b for b in app.button if b.label == "Controleren"]
    app = check.click().run()
    assert "In orde (normscores, 15 regels)" in app.success[0].value
    [store] = [b for b in app.button if b.label == "Opslaan"]
    app = store.click().run()
    assert not app.exception
    assert "BZK 2026-Q3 versie 2" in app.success[0].value.replace("\\", "")
    stored = query(db, "SELECT file_name, loaded_by, status FROM loads ORDER BY load_id DESC "
                       "LIMIT 1")  # fmt: skip
    assert stored == [("formulier-normscores-BZK-2026-Q3.csv", "lead.bzk", "opgeslagen")]
    archived = query(db, "SELECT content FROM files WHERE file_name = "
                         "'formulier-normscores-BZK-2026-Q3.csv'")[0][0]  # fmt: skip
    assert archived.startswith(b"departement,periode,norm,oordeel,toelichting\r\n")
    before = ReadModel(sample_db).normscores("2026-Q3", "BZK")
    after = ReadModel(db).normscores("2026-Q3", "BZK")
    assert after["oordeel"].tolist() == before["oordeel"].tolist()


def test_a_changed_verdict_without_toelichting_is_refused_in_the_form(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    app = open_page(db, monkeypatch, User("lead.bzk", "departement:BZK"), "screens/aanleveren.py")
    verdict = next(s for s in app.selectbox if s.label.startswith("Norm 1."))
    verdict.set_value("voldoet niet" if verdict.value != "voldoet niet" else "voldoet")
    app = next(b for b in app.button if b.label == "Controleren").click().run()
    errors = [e.value for e in app.error]
    # The message sits beside norm 1's field (the first error on the page), and the summary
    # with every finding below the form.
    assert errors[0].startswith("Norm 1: het oordeel is gewijzigd")
    assert any("Niet in orde" in e for e in errors)
    assert "Norm 1: het oordeel is gewijzigd" in app.table[0].value.to_string()
    assert not [b for b in app.button if b.label == "Opslaan"]
    assert run_etl("history", "--departement", "BZK", db=db).stdout.count("formulier") == 0


def test_the_coordinator_may_fill_the_form_for_any_organisation() -> None:
    codes = forms.organisations(User("ipim.secretaris", "coordinator"), "2026-Q3")
    assert {"FIN", "AZ", "AenM"} <= set(codes) and "EZK" not in codes and "RIJK" not in codes
    assert forms.organisations(User("lead.bzk", "departement:BZK"), "2026-Q3") == ["BZK"]


def test_a_quarter_already_sent_starts_from_what_was_sent() -> None:
    scores = pd.DataFrame({"periode": ["2025-Q3", "2025-Q4"], "norm": [1, 1],
                           "oordeel": ["voldoet", "niet beoordeeld"],
                           "toelichting": ["oud", "herzien"]})  # fmt: skip
    prefilled = quarterform.prefill(scores, "2025-Q4").set_index("norm")
    assert prefilled.loc[1, "oordeel"] == "niet beoordeeld" and prefilled.loc[1, "uit"] == "2025-Q4"


def test_a_lead_lands_on_what_is_due_its_submissions_and_agreements(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import auth

    lead = User("lead.bzk", "departement:BZK")
    assert auth.pages_for(lead)[0] == "start"
    app = open_page(sample_db, monkeypatch, lead, "screens/start.py")
    assert not app.exception
    headings = [h.value for h in app.subheader]
    assert headings == ["Aan te leveren over 2026-Q3", "Jaarcijfers over 2025",
                        "Uw laatste aanleveringen", "Afspraken met BZK"]  # fmt: skip
    assert "Alles over 2026-Q3 is binnen." in app.success[0].value
    due, history, agreements = (d.value for d in app.dataframe)
    # Norms, reports, staff, advisers and measures, each in words, dates as a person reads them.
    assert list(due["wat"]) == [KINDS[k].words for k in EVERY_QUARTER]
    assert set(due["uiterlijk"]) == {"30 oktober 2026"}
    assert len(history) > 0 and set(agreements["id"]) == {"2025-02"}
    # Plain Dutch: no fingerprint, no raw column names, no ISO timestamps.
    assert list(history.columns) == ["wanneer", "door", "bestand", "wat", "over", "uitkomst"]
    assert not any("T" in str(w) and ":" in str(w) for w in history["wanneer"])
    assert all(
        re.fullmatch(r"\d{1,2} [a-z]+ \d{4}, \d{2}:\d{2}", str(w)) for w in history["wanneer"]
    )
    assert "6 van 6 onderwerpen aangeleverd." in [m.value for m in app.markdown]


def test_a_lead_whose_quarter_is_missing_sees_what_to_send(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(sample_db, monkeypatch, User("lead.aenm", "departement:AenM"),
                    "screens/start.py")  # fmt: skip
    assert app.warning[0].value == (
        "Nog aan te leveren, uiterlijk 30 oktober 2026: de oordelen op de vijftien normen."
    )


def test_the_headcount_form_is_checked_and_stored_like_a_file(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    app = open_page(db, monkeypatch, User("lead.bzk", "departement:BZK"), "screens/aanleveren.py")
    staff = next(n for n in app.number_input if n.label.startswith("Medewerkers aan het eind"))
    staff.set_value(5150)
    app = next(b for b in app.button if b.label == "Aantallen controleren").click().run()
    assert "In orde (omvang, 1 regel)" in app.success[0].value
    app = next(b for b in app.button if b.label == "Opslaan").click().run()
    assert "BZK 2026-Q3 versie 2" in app.success[0].value.replace("\\", "")
    exported = run_etl("export", "omvang", "--periode", "2026-Q3", "--departement", "BZK", db=db)
    assert exported.stdout.splitlines()[1] == "BZK,2026-Q3,5150,"  # scope not stated


def test_an_empty_headcount_is_refused_with_the_files_own_finding(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(sample_db, monkeypatch, User("lead.bzk", "departement:BZK"),
                    "screens/aanleveren.py")  # fmt: skip
    app = next(b for b in app.button if b.label == "Aantallen controleren").click().run()
    assert "Medewerkers ontbreekt." in app.table[0].value.to_string()


def test_an_uploaded_file_follows_the_forms_rule_for_a_changed_verdict(sample_db: Path) -> None:
    """The form refused a changed verdict without its own toelichting; an uploaded file with
    the same change was accepted and wiped the old text (issue 23). One rule for both."""
    from etl.intake import quarterform
    from etl.intake.validate import validate_bytes
    from etl.reads.readmodel import ReadModel

    model = ReadModel(sample_db)
    prefill = model.prefill("BZK", "2026-Q3")
    rows = ["departement,periode,norm,oordeel,toelichting"]
    for record in prefill.to_dict("records"):
        verdict = "" if record["oordeel"] == "niet beoordeeld" else record["oordeel"]
        note = str(record["toelichting"]).replace('"', "'")
        if int(record["norm"]) == 1:
            verdict, note = "voldoet niet", ""  # changed, and the old text wiped
        rows.append(f'BZK,2026-Q3,{record["norm"]},{verdict},"{note}"')
    validation = validate_bytes("\n".join(rows).encode("utf-8"), "blad.csv", TODAY)
    assert validation.submission is not None, validation.findings
    findings = quarterform.uploaded_changes_without_note(
        list(validation.submission.records), model.prefill, "blad.csv"
    )
    assert [(f.line, f.column, f.code) for f in findings] == [
        (2, "toelichting", "wijziging_zonder_toelichting")
    ]
    assert findings[0].message.startswith("Norm 1: het oordeel is gewijzigd")
