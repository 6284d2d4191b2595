"""BZK's yearly judgement of its own coordinating role (kind `coordinatie`): validated,
versioned and shown beside the ministries' on the IPIM page; only the coordinator records it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import view
from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel
from etl.store.accounts import User
from etl.store.load import Source, load_sources
from tests.conftest import TODAY, fixture, fixture_bytes, open_page, run_etl


def test_a_coordination_file_is_recognised_and_normalised() -> None:
    validation = validate_bytes(fixture_bytes("coordinatie_valid.csv"), "c.csv", TODAY)
    assert validation.kind == "coordinatie" and not validation.findings
    assert validation.submission is not None
    records = validation.submission.records
    assert [(r.norm, r.oordeel) for r in records] == [  # type: ignore[union-attr]
        ("C1", "voldoet"), ("C2", "voldoet deels"), ("C3", "voldoet deels"),
        ("C4", "voldoet niet"), ("C5", "niet beoordeeld"),
    ]  # fmt: skip


def test_rejects_bad_coordination_rows_with_line_and_column() -> None:
    validation = validate_bytes(fixture_bytes("coordinatie_invalid.csv"), "c.csv", TODAY)
    found = {(f.line, f.column, f.code) for f in validation.findings}
    assert found == {
        (2, "departement", "niet_coordinator"),
        (3, "jaar", "toekomstig_jaar"),
        (4, "norm", "ongeldige_norm"),
        (5, "oordeel", "ongeldig_oordeel"),
        (7, "norm", "dubbele_norm"),
    }
    [duplicate] = [f for f in validation.findings if f.code == "dubbele_norm"]
    assert "regels 6 en 7" in duplicate.message


def test_a_year_missing_a_norm_is_refused_naming_it(tmp_path: Path) -> None:
    text = fixture("coordinatie_valid.csv").read_text(encoding="utf-8").splitlines()
    data = ("\n".join(text[:-1]) + "\n").encode()
    validation = validate_bytes(data, "c.csv", TODAY)
    [finding] = validation.findings
    assert finding.code == "ontbrekende_normen" and "C5" in finding.message


def test_every_change_is_a_new_version_and_the_identical_file_changes_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.duckdb"
    first = run_etl("load", str(fixture("coordinatie_valid.csv")), db=db)
    assert first.returncode == 0 and "BZK 2025 norm C1 versie 1" in first.stdout
    assert "ongewijzigd" in run_etl("load", str(fixture("coordinatie_valid.csv")), db=db).stdout
    changed = tmp_path / "wijziging.csv"
    changed.write_text(
        fixture("coordinatie_valid.csv")
        .read_text(encoding="utf-8")
        .replace("C4,voldoet niet,Geen werkwijze", "C4,voldoet deels,Werkwijze in concept"),
        encoding="utf-8",
    )
    second = run_etl("load", str(changed), db=db)
    assert "C4 versie 2" in second.stdout and "C1 versie 2" not in second.stdout
    history = ReadModel(db).coordination(history=True)
    c4 = history[history["norm"] == "C4"]
    assert c4["oordeel"].tolist() == ["voldoet deels", "voldoet niet"]
    assert c4["versie"].tolist() == [2, 1]
    exported = run_etl("export", "coordinatie", db=db).stdout
    assert exported.splitlines()[0] == "departement,jaar,norm,oordeel,toelichting,bron"
    assert "BZK,2025,C4,voldoet deels,Werkwijze in concept,zelf" in exported
    again = tmp_path / "export.csv"
    again.write_text(exported, encoding="utf-8")
    assert "ongewijzigd" in run_etl("load", str(again), db=db).stdout


def test_a_department_account_may_not_record_the_coordinators_judgement(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    data = fixture_bytes("coordinatie_valid.csv")
    [result] = load_sources([Source("c.csv", data)], db, "lead.bzk", only_for="BZK")
    assert result.status == "geweigerd"
    assert "alleen de coördinator" in result.findings[0].message
    assert ReadModel(db).coordination().empty


def _ipim(db: Path, monkeypatch: pytest.MonkeyPatch, user: User) -> AppTest:
    opened = (view.COORDINATION_HISTORY_OPEN, view.COORDINATION_FORM_OPEN)
    app: AppTest = open_page(db, monkeypatch, user, "screens/ipim.py", opened=opened)
    return app


def _coordination_table(app: AppTest) -> list[dict[str, str]]:
    [frame] = [d.value for d in app.dataframe if "omschrijving" in d.value.columns]
    return [{str(k): str(v) for k, v in row.items()} for row in frame.to_dict("records")]


def test_the_ipim_page_shows_bzks_own_judgement_beside_the_ministries(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _ipim(sample_db, monkeypatch, User("lezer1", "lezer"))
    assert not app.exception
    rows = _coordination_table(app)
    assert [r["norm"] for r in rows] == ["C1", "C2", "C3", "C4", "C5"]
    assert rows[0]["2024"] == "voldoet deels" and rows[0]["2025"] == "voldoet"
    assert "toolkit" in rows[0]["toelichting 2025"]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["BZK als coördinator, 2025: normen voldaan"] == "1 van 5 (20%)"
    assert "Organisaties, 2026-Q3: normoordelen voldaan" in metrics
    assert not [b for b in app.button if b.label == "Jaaroordeel opslaan"]


def test_the_coordinator_records_a_years_judgement_as_new_versions(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    app = _ipim(db, monkeypatch, User("ipim.secretaris", "coordinator"))
    [year] = [s for s in app.selectbox if s.label == "Jaar"]
    assert year.value == 2025
    verdict = {s.label: s for s in app.selectbox}["Oordeel C4"]
    assert verdict.value == "voldoet niet"  # prefilled with the newest judgement
    verdict.set_value("voldoet deels")
    {t.label: t for t in app.text_area}["Toelichting C4"].input("Werkwijze vastgesteld")
    [submit] = [b for b in app.button if b.label == "Jaaroordeel opslaan"]
    submit.click().run()
    assert not app.exception
    assert "BZK 2025 norm C4 versie 2" in app.success[-1].value.replace("\\", "")
    history = ReadModel(db).coordination(history=True)
    c4 = history[(history["jaar"] == 2025) & (history["norm"] == "C4")]
    assert c4["oordeel"].tolist() == ["voldoet deels", "voldoet niet"]
    assert c4["door"].iloc[0] == "ipim.secretaris"
    assert len(history[history["versie"] == 2]) == 1  # unchanged norms made no version


def test_a_department_lead_sees_no_form_for_the_coordinators_judgement(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _ipim(sample_db, monkeypatch, User("lead.bzk", "departement:BZK"))
    assert not app.exception
    assert not [b for b in app.button if b.label == "Jaaroordeel opslaan"]
    assert _coordination_table(app)
