"""Agreements edited: a lead changes only the status and toelichting of its own, and an
agreement exported and loaded again is unchanged."""

from __future__ import annotations

from pathlib import Path

from etl.reads.readmodel import ReadModel
from etl.store.load import Source, load_sources
from tests.conftest import AGREEMENT_HEADER, AGREEMENT_ROW, TODAY, run_etl


def _agreements(db: Path) -> dict[str, dict[object, object]]:
    frame = ReadModel(db).agreements()
    return {str(row["id"]): dict(row) for row in frame.to_dict("records")}


def test_a_lead_changes_only_status_and_toelichting_of_its_own_agreements(db: Path) -> None:
    [made] = load_sources(
        [Source("bzk.csv", AGREEMENT_HEADER + AGREEMENT_ROW)], db, "coordinator", TODAY
    )
    assert made.status == "opgeslagen"
    rewritten = b"2025-01,AZ,3,Iets anders,2024-01-01,bilateraal,2030-Q4,afgerond,klaar\n"
    backdated = b"2024-09,AZ,,AZ hoeft niets meer,2024-02-01,IPIM,2024-Q2,afgerond,\n"
    [result] = load_sources(
        [Source("az.csv", AGREEMENT_HEADER + rewritten + backdated)],
        db,
        "lead.az",
        TODAY,
        only_for="AZ",
    )
    assert result.status == "geweigerd"
    where = {(f.line, f.column) for f in result.findings}
    assert where == {(2, "norm"), (2, "afspraak"), (2, "vastgesteld"), (2, "gremium"),
                     (2, "gereed"), (3, "id")}  # fmt: skip
    assert "alleen de coördinator" in " ".join(f.message for f in result.findings)
    stored = _agreements(db)
    assert set(stored) == {"2025-01"}
    assert stored["2025-01"]["gereed"] == "2026-Q1" and stored["2025-01"]["status"] == "open"
    progress = (
        b"2025-01,AZ,12,AZ legt de risicoanalyse vast,2025-03-13,IPIM,2026-Q1,afgerond,klaar\n"
    )
    [ok] = load_sources(
        [Source("az2.csv", AGREEMENT_HEADER + progress)], db, "lead.az", TODAY, only_for="AZ"
    )
    assert ok.status == "opgeslagen", ok.findings
    stored = _agreements(db)
    assert (stored["2025-01"]["status"], stored["2025-01"]["toelichting"]) == ("afgerond", "klaar")


def test_an_agreement_exported_and_loaded_again_is_unchanged(db: Path, tmp_path: Path) -> None:
    row = b"2025-01,AZ,12,+ meer overleg,2025-03-13,IPIM,2026-Q1,open,- punt een\n"
    load_sources([Source("bzk.csv", AGREEMENT_HEADER + row)], db, "coordinator", TODAY)
    exported = run_etl("export", "afspraken", db=db).stdout
    assert "- punt een" in exported and "'-" not in exported and "'+" not in exported
    path = tmp_path / "terug.csv"
    path.write_text(exported, encoding="utf-8")
    ran = run_etl("load", str(path), db=db)
    assert ran.returncode == 0 and "ongewijzigd" in ran.stdout, ran.stdout
