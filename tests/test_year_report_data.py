"""What the yearly report needs besides the quarter's counts (contract kinds 5, 6, 8, 9):
the outcomes of completed investigations, the scope of the counts, measures by kind and the
yearly figures; checked, versioned and exported like every kind."""

from __future__ import annotations

from pathlib import Path

from etl.domain import catalog
from etl.domain.werking import measure_differences
from etl.reads.readmodel import ReadModel
from tests.conftest import fixture, run_etl


def test_outcomes_beside_gegrond_are_stored_and_empty_means_not_reported(db: Path) -> None:
    assert run_etl("load", str(fixture("meldingen_uitkomsten.csv")), db=db).returncode == 0
    lines = run_etl("export", "meldingen", db=db).stdout.splitlines()
    assert lines[0].endswith(",ongegrond,niet_vast_te_stellen,zonder_onderzoek")
    assert "FIN,2025-Q3,omgang,6,4,3,2,2,0,1,0,2" in lines
    assert "FIN,2025-Q3,informatie,0,0,0,0,0,0,,," in lines  # not reported, never 0


def test_outcomes_that_do_not_add_up_to_afgerond_are_refused_with_line_and_column() -> None:
    result = run_etl("validate", str(fixture("meldingen_uitkomsten_fout.csv")))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    name = str(fixture("meldingen_uitkomsten_fout.csv"))
    assert errors == [
        f"{name}:2:ongegrond: Gegrond (1), ongegrond (0) en niet vast te stellen (0) tellen "
        "op tot 1, niet tot afgerond (2); elk afgerond onderzoek heeft één van deze drie "
        "uitkomsten.",
        f"{name}:6:zonder_onderzoek: Zonder_onderzoek '-1' is geen geheel getal van 0 of meer.",
        f"{name}:8:ongegrond: De uitkomsten (4) zijn meer dan afgerond (3); ze tellen de "
        "afgeronde onderzoeken.",
    ]


def test_the_scope_of_the_counts_is_one_of_two_words_or_left_empty(
    db: Path, tmp_path: Path
) -> None:
    good = tmp_path / "omvang.csv"
    good.write_text("departement,periode,medewerkers,reikwijdte\nFIN,2025-Q3,11230,Ministerie\n"
                    "AZ,2025-Q3,480,\n", encoding="utf-8")  # fmt: skip
    assert run_etl("load", str(good), db=db).returncode == 0
    assert run_etl("export", "omvang", db=db).stdout.splitlines()[1:] == [
        "AZ,2025-Q3,480,",
        "FIN,2025-Q3,11230,ministerie",
    ]
    bad = tmp_path / "omvang_fout.csv"
    bad.write_text("departement,periode,medewerkers,reikwijdte\nFIN,2025-Q3,11230,kern\n",
                   encoding="utf-8")  # fmt: skip
    result = run_etl("validate", str(bad))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}:2:reikwijdte: Reikwijdte 'kern' is onbekend")


def test_measures_by_kind_load_export_and_load_again(db: Path, tmp_path: Path) -> None:
    assert (
        "in orde (maatregelen)" in run_etl("validate", str(fixture("maatregelen_valid.csv"))).stdout
    )
    assert run_etl("load", str(fixture("maatregelen_valid.csv")), db=db).returncode == 0
    lines = run_etl("export", "maatregelen", db=db).stdout.splitlines()
    assert lines[0] == "departement,periode,maatregel,aantal"
    assert "FIN,2025-Q3,strafontslag,1" in lines and len(lines) == 5
    back = tmp_path / "terug.csv"
    back.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "in orde (maatregelen)" in run_etl("validate", str(back)).stdout  # loadable again


def test_the_measure_catalogue_follows_the_cao_rijk_and_names_the_other_measures() -> None:
    codes = {m.code: m for m in catalog.measures()}
    for code in ("schriftelijke_berisping", "geldboete", "schorsing", "strafontslag",
                 "voorwaardelijk_strafontslag"):  # fmt: skip
        assert codes[code].disciplinair
    for code in ("waarschuwing", "overplaatsing", "vertrek_met_wederzijds_goedvinden", "overig"):
        assert not codes[code].disciplinair


def test_yearly_figures_are_versioned_per_subject_and_refused_with_every_line(
    db: Path, tmp_path: Path
) -> None:
    assert run_etl("load", str(fixture("jaarcijfers_valid.csv")), db=db).returncode == 0
    later = tmp_path / "jaarcijfers.csv"
    later.write_text("departement,jaar,onderwerp,aantal\nFIN,2025,vertrouwenspersonen,15\n",
                     encoding="utf-8")  # fmt: skip
    assert "FIN 2025 vertrouwenspersonen versie 2" in run_etl("load", str(later), db=db).stdout
    exported = run_etl("export", "jaarcijfers", db=db).stdout.splitlines()
    assert exported == [
        "departement,jaar,onderwerp,aantal",
        "FIN,2025,eed_belofte,410",
        "FIN,2025,misstand_meldingen,1",
        "FIN,2025,vertrouwenspersonen,15",
    ]
    result = run_etl("validate", str(fixture("jaarcijfers_fout.csv")))
    name = str(fixture("jaarcijfers_fout.csv"))
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == [
        f"{name}:3:onderwerp", f"{name}:4:departement", f"{name}:5:jaar", f"{name}:6:onderwerp",
    ]  # fmt: skip


def test_disciplinary_measures_that_differ_from_the_reports_are_a_signal_not_a_refusal(
    sample_db: Path,
) -> None:
    model = ReadModel(sample_db)
    signals = measure_differences(model.export("meldingen", None, None),
                                  model.export("maatregelen", None, None))  # fmt: skip
    assert list(zip(signals["departement"], signals["periode"], strict=True)) == [
        ("JenV", "2025-Q2")
    ]
    row = signals.iloc[0]
    assert row["disciplinair"] == row["maatregelen"] + 1
