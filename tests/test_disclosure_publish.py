"""Figures one can publish (issue 21): who sees what exactly, and nothing shown that gives a
protected count away."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.domain import adversary, survey
from etl.reads.readmodel import Access, ReadModel
from etl.store.accounts import User
from tests.conftest import SAMPLES, open_page, run_etl, shown_tables

SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


def _texts(app: object) -> str:
    """Every table's cells and every text of a page, as one string."""
    parts: list[str] = []
    for frame in shown_tables(app):
        parts.append(frame.to_csv())
    for element in (*app.markdown, *app.caption, *app.text, *app.html):  # type: ignore[attr-defined]
        parts.append(str(element.value))
    return "\n".join(parts)


def test_a_reader_sees_no_file_hash_or_name_in_the_ledger(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing the plausible count files (2,866 candidates) recovered AZ's quarters of
    confidential-adviser conversations from the SHA-256 Aanleverstatus showed every reader."""
    reader = ReadModel(sample_db, Access(exact=frozenset()))
    ledger = reader.history()
    assert not ledger.empty and set(ledger["sha256"]) == {""} and set(ledger["bestand"]) == {""}
    coordinator = ReadModel(sample_db).history()
    assert coordinator["sha256"].str.fullmatch("[0-9a-f]{64}").all()
    page = open_page(sample_db, monkeypatch, User("lezer1", "lezer"), "screens/aanleverstatus.py")
    assert not page.exception
    assert not SHA256.search(_texts(page))
    assert "vertrouwenspersonen.csv" not in _texts(page)


def test_a_lead_sees_the_hashes_of_its_own_files_only(sample_db: Path) -> None:
    lead = ReadModel(sample_db, Access(reader="lead.fin", exact=frozenset({"FIN"})))
    ledger = lead.history()
    own = ledger[ledger["departementen"] == "FIN"]
    others = ledger[ledger["departementen"] != "FIN"]
    assert not own.empty and own["sha256"].str.fullmatch("[0-9a-f]{64}").all()
    assert not others.empty and set(others["sha256"]) == {""}
    submissions = lead.submissions()
    assert set(submissions.loc[submissions["departement"] != "FIN", "sha256"]) == {""}
    assert (submissions.loc[submissions["departement"] == "FIN", "sha256"] != "").all()


def _alle(db: Path, wave: str) -> pd.DataFrame:
    kop = ReadModel(db).stored_survey("kop", {"periode": wave})
    assert kop is not None
    return kop[kop["groep"] == "alle"]


@pytest.mark.parametrize("wave", ["2023-Q4", "2025-Q4"])
def test_readers_see_at_least_85_percent_of_the_ministries_figures(
    sample_db: Path, wave: str
) -> None:
    """2025-Q4 showed 45% of the 240 ministry × item `alle` figures with the greedy plan."""
    alle = _alle(sample_db, wave)
    ministries = alle[alle["departement"] != "RIJK"]
    assert (~ministries["verborgen"]).mean() >= 0.85
    assert not alle.loc[alle["departement"] == "RIJK", "verborgen"].any()  # the Rijk shows
    # No ministry disappears whole (AZ and VRO did; every sample ministry has 10 or more).
    shown_any = (~ministries["verborgen"]).groupby(ministries["departement"]).any()
    assert shown_any.all(), shown_any[~shown_any]


def test_the_enquete_page_reports_the_price_of_protection_per_ministry(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(sample_db, monkeypatch, User("lezer1", "lezer"), "screens/enquete.py")
    assert not page.exception
    assert "Wat de bescherming kost" in [h.value for h in page.subheader]
    [price] = [f.value for f in page.dataframe if "ter bescherming van een kleine groep elders"
               in f.value.columns]  # fmt: skip
    assert set(price["organisatie"]) >= {"AZ", "FIN", "VRO"}
    line = " ".join(c.value for c in page.caption)
    assert "Getoond:" in line and "van de 240 cijfers van ministeries" in line


def test_a_wave_of_three_ministries_shows_the_rijk_and_hides_only_what_protects_bzk() -> None:
    """FIN n=1000, AZ n=100, BZK n=8: the last release exported nothing of it at all."""
    rng = np.random.default_rng(7)
    rows, people = [], []
    for code, n in (("FIN", 1000), ("AZ", 100), ("BZK", 8)):
        for group, size in (("medewerkers", n - n // 8), ("leidinggevenden", n // 8)):
            people.append((code, "2025-Q4", group, size * 4, size))
            for item in ("VBG1", "CUL1", "RIS1"):
                answers = survey.scale_frame()
                labels = list(answers.loc[answers["item"] == item, "antwoord"])
                split = rng.multinomial(size, [1 / len(labels)] * len(labels))
                rows += [(code, "2025-Q4", group, item, a, int(v))
                         for a, v in zip(labels, split, strict=True)]  # fmt: skip
    counts = pd.DataFrame(rows, columns=[*survey.CELL, "antwoord", "aantal"])
    response = pd.DataFrame(people, columns=["departement", "periode", "groep", "uitgenodigd",
                                             "deelgenomen"])  # fmt: skip
    full, population = survey.complete_counts(counts), survey.populations(response)
    plan = survey.disclosure_plan(full, {"2025-Q4": 10}, None, population)
    hidden = {(d, g, i) for d, _, g, i in plan.cells}
    # The Rijk-wide figure of every item shows (a split into medewerkers and leidinggevenden
    # may be hidden where FIN's lead would otherwise learn that no manager of AZ or BZK gave
    # an answer: with three ministries nothing else protects that).
    assert not {c for c in hidden if c[0] == "RIJK" and c[1] == "alle"}
    assert {("BZK", g, i) for g in ("alle", "medewerkers", "leidinggevenden")
            for i in ("VBG1", "CUL1", "RIS1")} <= hidden  # fmt: skip
    headline = survey.headlines(full, population, {"2025-Q4": 10})
    rijk = headline[(headline["departement"] == "RIJK") & (headline["groep"] == "alle")]
    assert (rijk["n"] == 1108).all()  # weighted by every respondent, BZK's included


def test_the_coordinator_sees_every_survey_figure_exactly_and_others_protected(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AZ and VRO disappeared even for the coordinator, whose own system holds the files."""
    coordinator = ReadModel(sample_db, Access(exact=None, survey_exact=None))
    kop = coordinator.survey_rows("kop", {"periode": "2025-Q4", "groep": "leidinggevenden"})
    assert not kop["verborgen"].any()
    assert kop.loc[(kop["departement"] == "AZ") & (kop["item"] == "VBG1"), "n"].item() == 4
    lead = ReadModel(sample_db, Access(reader="lead.az", exact=frozenset({"AZ"}),
                                       survey_exact=frozenset({"AZ"})))  # fmt: skip
    seen = lead.survey_rows("kop", {"periode": "2025-Q4", "groep": "leidinggevenden"})
    assert not seen.loc[seen["departement"] == "AZ", "verborgen"].any()  # its own, exactly
    assert seen.loc[seen["departement"] != "AZ", "verborgen"].any()  # others protected
    reader = ReadModel(sample_db, Access(exact=frozenset()))
    protected = reader.survey_rows("kop", {"periode": "2025-Q4", "groep": "leidinggevenden"})
    assert protected.loc[protected["departement"] == "AZ", "verborgen"].all()
    exported = pd.read_csv(io.StringIO(run_etl("export", "enquete", db=sample_db).stdout))
    lei = exported[(exported["periode"] == "2025-Q4") & (exported["groep"] == "leidinggevenden")]
    assert "AZ" not in set(lei["departement"])  # an export is a publication: protected
    page = open_page(sample_db, monkeypatch, User("ipim.secretaris", "coordinator"),
                     "screens/enquete.py")  # fmt: skip
    assert "U ziet alle cijfers exact" in " ".join(c.value for c in page.sidebar.caption)
    # What protection costs is the publication's price, also on the coordinator's screen.
    assert "Getoond: 227 van de 240 cijfers" in " ".join(c.value for c in page.caption)


def _release(db: Path, wave: str) -> adversary.Release:
    """One publication of a wave as the exports show it, with the truth behind it."""
    counts, response, _ = ReadModel(db).survey_data()
    full, people = survey.complete_counts(counts), survey.populations(response)
    in_wave = full[full["periode"] == wave]
    truth = {(d, g, i, a): int(v) for d, _, g, i, a, v in in_wave.itertuples(index=False)}
    enquete = pd.read_csv(io.StringIO(run_etl("export", "enquete", db=db).stdout), dtype=str)
    respons = pd.read_csv(io.StringIO(run_etl("export", "respons", db=db).stdout), dtype=str)
    shown = set(enquete.loc[enquete["periode"] == wave, ["departement", "groep", "item"]]
                .itertuples(index=False, name=None))  # fmt: skip
    rows = people[people["periode"] == wave]
    participants = {(str(d), str(g)): int(n) for d, _, g, _, n in rows.itertuples(index=False)}
    published = set(respons.loc[respons["periode"] == wave, ["departement", "groep"]]
                    .itertuples(index=False, name=None))  # fmt: skip
    return adversary.Release(truth, {(d, g, i) for d, g, i, _ in truth} - shown, participants,
                             published)  # fmt: skip


@pytest.mark.slow
def test_two_publications_side_by_side_give_no_resubmitted_small_group_away(
    sample_db: Path, tmp_path: Path
) -> None:
    """FIN resubmits 2025-Q4 with 8 managers: FIN_new = FIN_old + (RIJK_new − RIJK_old)
    recovered all 241 hidden cells, and the respons export gave the 8 away directly."""
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    before = _release(db, "2025-Q4")
    source = (SAMPLES / "2025-Q4_enquete_FIN.csv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in source[1:] if ";leidinggevenden;" not in line]
    eight = {"MEL1": {"ja": 2, "nee": 5, "weet_niet": 1},
             "MEL2": {"formeel_gemeld": 1, "niet_gemeld": 1}}  # fmt: skip
    for item, answers in survey.scale_frame().groupby("item"):
        labels = list(answers["antwoord"])
        split = eight.get(str(item)) or {a: (8 // len(labels)) + (1 if j < 8 % len(labels) else 0)
                                         for j, a in enumerate(labels)}  # fmt: skip
        rows += [f"FIN;2025-Q4;leidinggevenden;{item};{a};{split.get(a, 0)}" for a in labels]
    enquete = tmp_path / "2025-Q4_enquete_FIN.csv"
    enquete.write_text("\n".join([source[0], *rows]) + "\n", encoding="utf-8")
    respons = tmp_path / "2025-Q4_respons_FIN.csv"
    respons.write_text("Departement;Periode;Groep;Uitgenodigd;Deelgenomen\n"
                       "FIN;2025-Q4;medewerkers;2092;398\nFIN;2025-Q4;leidinggevenden;258;8\n",
                       encoding="utf-8")  # fmt: skip
    loaded = run_etl("load", str(enquete), str(respons), db=db)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    again = ReadModel(db).changed_since_published()
    assert list(again) == ["2025-Q4"] and again["2025-Q4"].changed == frozenset({"FIN"})
    first = again["2025-Q4"].earlier  # the first publication, rebuilt from the versions
    assert first is not None and first.hidden == before.hidden
    assert first.counts == before.counts and first.published == before.published
    after = _release(db, "2025-Q4")
    assert ("FIN", "leidinggevenden") not in after.published  # the 8 are not in respons
    for insider in [None, "BZK", "AZ"]:
        found = adversary.attack_two(
            before,
            after,
            {"FIN"},
            ANSWERS,
            1.0,
            insider=insider,
            primary_old=_primary(before),
            primary_new=_primary(after),
        )
        assert found == [], (insider, found[:3])


ANSWERS = {str(i): list(rows["antwoord"]) for i, rows in survey.scale_frame().groupby("item")}


def _primary(release: adversary.Release) -> set[tuple[str, str, str]]:
    sizes: dict[tuple[str, str, str], int] = {}
    for (d, g, i, _), v in release.counts.items():
        sizes[(d, g, i)] = sizes.get((d, g, i), 0) + v
    return {c for c, n in sizes.items() if n < 10}
