"""Agreements (contract kind 4) and the IPIM agenda: each signal appears exactly when it
should, and disappears when its cause is resolved."""

from __future__ import annotations

import io
import re
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, queries, view
from etl.domain import agenda
from etl.reads.readmodel import ReadModel
from etl.store.accounts import User
from etl.store.load import Source, load_sources
from papers import meetingpack
from tests.conftest import ROOT, TODAY, fixture, open_page, run_etl

HEADER = "departement,periode,norm,oordeel,toelichting\n"


def _scores(path: Path, code: str, periode: str, verdicts: dict[int, str]) -> Path:
    """A full norm-scores file: the given verdicts, voldoet for every other norm."""
    rows = [
        f"{code},{periode},{norm},{verdicts.get(norm, 'voldoet')},Toelichting {code} {norm}"
        for norm in range(1, 16)
    ]
    file = path / f"{periode}_{code}.csv"
    file.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return file


def _agreement(path: Path, name: str, row: str) -> Path:
    file = path / name
    file.write_text(
        "id,departement,norm,afspraak,vastgesteld,gremium,gereed,status,toelichting\n" + row + "\n",
        encoding="utf-8",
    )
    return file


def _load(db: Path, *files: Path) -> None:
    result = run_etl("load", *map(str, files), "--db", str(db))
    assert result.returncode == 0, result.stderr


def _points(db: Path, periode: str = "2025-Q4") -> set[tuple[str, int | None, str]]:
    return {(p.departement, p.norm, p.soort) for p in ReadModel(db).agenda(periode, TODAY)}


def test_an_agreement_file_makes_versions_and_the_identical_row_changes_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.duckdb"
    first = run_etl("load", str(fixture("afspraken_valid.csv")), "--db", str(db))
    assert first.returncode == 0 and "FIN afspraak 2025-07 versie 1" in first.stdout
    again = run_etl("load", str(fixture("afspraken_valid.csv")), "--db", str(db))
    assert "ongewijzigd" in again.stdout
    changed = _agreement(tmp_path, "wijziging.csv", "2025-07,FIN,1,FIN stelt een "
                         "integriteitsrisicoanalyse op en bespreekt die in de bestuursraad,"
                         "2025-06-12,IPIM,2025-Q3,in uitvoering,Concept klaar")  # fmt: skip
    assert "FIN afspraak 2025-07 versie 2" in run_etl("load", str(changed), "--db", str(db)).stdout
    history = ReadModel(db).agreements(history=True)
    fin = history[history["id"] == "2025-07"]
    assert fin["versie"].tolist() == [2, 1]
    assert fin["status"].tolist() == ["in uitvoering", "open"]
    exported = run_etl("export", "afspraken", "--db", str(db)).stdout
    frame = pd.read_csv(io.StringIO(exported), dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["id", "departement", "norm", "afspraak", "vastgesteld",
                                   "gremium", "gereed", "status", "toelichting"]  # fmt: skip
    assert frame.set_index("id").loc["2025-07", "status"] == "in uitvoering"
    assert frame.set_index("id").loc["2025-08", "norm"] == ""
    assert frame.set_index("id").loc["2025-08", "vastgesteld"] == "2025-06-12"  # DD-MM-YYYY read
    reloaded = tmp_path / "export.csv"
    reloaded.write_text(exported, encoding="utf-8")
    assert "ongewijzigd" in run_etl("load", str(reloaded), "--db", str(db)).stdout


def test_rejects_bad_agreement_rows_with_line_and_column(tmp_path: Path) -> None:
    result = run_etl("validate", str(fixture("afspraken_errors.csv")))
    assert result.returncode == 1
    lines = result.stderr
    for expected in (
        ":2:norm: Norm '16' is geen normnummer",
        ":3:afspraak: Afspraak ontbreekt.",
        ":4:vastgesteld: Vastgesteld '31-02-2025' is geen datum",
        ":5:gereed: Gereed '2025-Q5' is geen kwartaal",
        ":6:status: Status 'klaar' is ongeldig",
        ":7:id: Afspraak 2025-12 van FIN staat meer dan één keer in het bestand: regels 6 en 7.",
        ":8:vastgesteld: Vastgesteld 01-01-2030 ligt in de toekomst.",
    ):
        assert expected in lines, expected


def test_each_signal_appears_when_it_should_and_goes_when_resolved(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    # FIN: norm 1 not met for three judged quarters (one niet beoordeeld in between).
    _load(db,
          _scores(tmp_path, "FIN", "2025-Q1", {1: "voldoet niet", 2: "voldoet"}),
          _scores(tmp_path, "FIN", "2025-Q2", {1: "voldoet niet"}),
          _scores(tmp_path, "FIN", "2025-Q3", {1: "niet beoordeeld"}),
          _scores(tmp_path, "FIN", "2025-Q4", {1: "voldoet niet", 2: "voldoet niet"}),
          _scores(tmp_path, "BZK", "2025-Q4", {}))  # fmt: skip
    points = _points(db)
    assert ("FIN", 1, "langdurig_niet_voldaan") in points
    assert ("FIN", 2, "achteruit") in points  # voldoet → voldoet niet
    assert ("AZ", None, "niet_aangeleverd") in points  # past the deadline of 2025-Q4
    assert ("BZK", None, "niet_aangeleverd") not in points
    # An open agreement on FIN norm 1, due 2025-Q3: the standing gap is covered, but late.
    _load(db, _agreement(tmp_path, "a1.csv",
                         "A1,FIN,1,Risicoanalyse,2025-05-01,IPIM,2025-Q3,open,"))  # fmt: skip
    points = _points(db)
    assert ("FIN", 1, "langdurig_niet_voldaan") not in points
    assert ("FIN", 1, "afspraak_verlopen") in points
    # Marked done while the norm is still not met.
    done = "A1,FIN,1,Risicoanalyse,2025-05-01,IPIM,2025-Q3,afgerond,Klaar"
    _load(db, _agreement(tmp_path, "a2.csv", done))
    points = _points(db)
    assert ("FIN", 1, "afspraak_verlopen") not in points
    assert ("FIN", 1, "afgerond_niet_voldaan") in points
    # The norm is met in the next quarter: nothing left on norm 1; AZ's file arrives.
    _load(db, _scores(tmp_path, "FIN", "2026-Q1", {2: "voldoet niet"}),
          _scores(tmp_path, "AZ", "2025-Q4", {}))  # fmt: skip
    later = _points(db, "2026-Q1")
    assert not [p for p in later if p[0] == "FIN" and p[1] == 1]
    assert ("AZ", None, "niet_aangeleverd") not in _points(db)


def test_norm_points_name_who_meets_the_norm_and_since_when(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    _load(db,
          _scores(tmp_path, "FIN", "2025-Q3", {5: "voldoet"}),
          _scores(tmp_path, "FIN", "2025-Q4", {5: "voldoet niet"}),
          _scores(tmp_path, "BZK", "2025-Q3", {5: "voldoet niet"}),
          _scores(tmp_path, "BZK", "2025-Q4", {5: "voldoet"}),
          _scores(tmp_path, "AZ", "2025-Q4", {}))  # fmt: skip
    [point] = [p for p in ReadModel(db).agenda("2025-Q4", TODAY) if p.departement == "FIN"
               and p.norm == 5]  # fmt: skip
    peers = {peer.departement: peer for peer in point.peers}
    assert set(peers) == {"AZ", "BZK"}
    assert peers["BZK"].sinds == "2025-Q4" and peers["BZK"].toelichting == "Toelichting BZK 5"


@pytest.mark.parametrize("out", [False, True])
def test_the_agenda_command_prints_one_line_per_point_or_writes_the_paper(
    tmp_path: Path, out: bool
) -> None:
    db = tmp_path / "db.duckdb"
    _load(db, _scores(tmp_path, "FIN", "2025-Q3", {2: "voldoet"}),
          _scores(tmp_path, "FIN", "2025-Q4", {2: "voldoet niet"}))  # fmt: skip
    if not out:
        result = run_etl("agenda", "--periode", "2025-q4", "--db", str(db))
        assert result.returncode == 0
        assert (
            "FIN\t2\tNorm 2 (Uitgewerkt beleid) achteruit: voldoet niet in 2025-Q4, was voldoet "
            "in 2025-Q3."
        ) in (result.stdout.splitlines())
        return
    paper = tmp_path / "agenda.pdf"
    result = run_etl("agenda", "--periode", "2025-Q4", "--out", str(paper), "--db", str(db))
    assert result.returncode == 0
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(paper).pages)
    assert "Agenda IPIM" in text and "achteruit" in text


def test_voldoet_deels_counts_as_not_met_for_the_long_not_met_signal(tmp_path: Path) -> None:
    """FIN norm 1 (nee, deels, nee, nee) and norm 2 (deels four times) never reached the
    agenda, while the share met counts deels as not met (issue 23)."""
    db = tmp_path / "db.duckdb"
    deels = "voldoet deels"
    verdicts = [{1: "voldoet niet", 2: deels}, {1: deels, 2: deels},
                {1: "voldoet niet", 2: deels}, {1: "voldoet niet", 2: deels}]  # fmt: skip
    _load(db, *(_scores(tmp_path, "FIN", f"2025-Q{n}", v) for n, v in enumerate(verdicts, 1)))
    points = {(p.departement, p.norm): p for p in ReadModel(db).agenda("2025-Q4", TODAY)}
    assert points[("FIN", 1)].soort == "langdurig_niet_voldaan"
    assert points[("FIN", 2)].soort == "langdurig_niet_voldaan"
    assert "niet voldaan (voldoet niet of deels) in 4 beoordeelde kwartalen op rij" in (
        points[("FIN", 2)].reden
    )


def test_a_past_quarters_agenda_uses_the_agreements_as_they_stood_then(tmp_path: Path) -> None:
    """An agreement made in March 2025 is not on the agenda of 2024-Q4, and the standing gap
    it later covered is (issue 23)."""
    db = tmp_path / "db.duckdb"
    _load(db, *(_scores(tmp_path, "FIN", f"2024-Q{n}", {1: "voldoet niet"}) for n in (2, 3, 4)),
          _scores(tmp_path, "FIN", "2025-Q1", {1: "voldoet niet"}),
          _agreement(tmp_path, "a.csv",
                     "A1,FIN,1,Risicoanalyse,2025-03-13,IPIM,2025-Q4,afgerond,"))  # fmt: skip
    then = {(p.departement, p.norm, p.soort) for p in ReadModel(db).agenda("2024-Q4", TODAY)}
    assert ("FIN", 1, "langdurig_niet_voldaan") in then
    assert not [p for p in then if p[2].startswith("afgerond") or p[2].startswith("afspraak")]
    now = {(p.departement, p.norm, p.soort) for p in ReadModel(db).agenda("2025-Q1", TODAY)}
    assert ("FIN", 1, "afgerond_niet_voldaan") in now


def test_one_point_per_cause_and_only_current_peers_with_their_quarter(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    _load(db,
          _scores(tmp_path, "FIN", "2025-Q3", {5: "voldoet"}),
          _scores(tmp_path, "FIN", "2025-Q4", {5: "voldoet niet"}),
          _agreement(tmp_path, "a.csv", "A5,FIN,5,Werkprocessen,2025-05-01,IPIM,2025-Q3,afgerond,"),
          _scores(tmp_path, "BZK", "2025-Q4", {5: "voldoet"}),
          _scores(tmp_path, "AZ", "2025-Q3", {}),  # meets norm 5, but sent nothing for 2025-Q4
          _scores(tmp_path, "VWS", "2025-Q3", {}),
          _scores(tmp_path, "VWS", "2025-Q4", {5: "niet beoordeeld"}))  # fmt: skip
    on_norm_5 = [p for p in ReadModel(db).agenda("2025-Q4", TODAY)
                 if p.departement == "FIN" and p.norm == 5]  # fmt: skip
    assert len(on_norm_5) == 1  # a regression and an agreement called done: one conversation
    [point] = on_norm_5
    assert point.soort == "achteruit" and "Ook: Afspraak A5 staat op afgerond" in point.reden
    assert point.reden.startswith("Norm 5 (Personeelsbeleid) achteruit")
    assert [(peer.departement, peer.kwartaal) for peer in point.peers] == [("BZK", "2025-Q4")]


# --- the IPIM page -------------------------------------------------------------------------


# The page's forms and histories, opened (the marking form stays closed until a test opens it).
FORMS = tuple(key for key in view.IPIM_EXPANDERS if key != view.AGENDA_MARKING_OPEN)


def _ipim(db: Path, monkeypatch: pytest.MonkeyPatch, user: User) -> AppTest:
    app: AppTest = open_page(db, monkeypatch, user, "screens/ipim.py", opened=FORMS)
    return app


def test_the_ipim_pages_forms_and_histories_are_made_only_when_opened(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit draws a closed expander's content too: IPIM's forms, histories and their
    tables were half the page's elements on every visit (issue 23)."""
    coordinator = User("ipim.secretaris", "coordinator")
    closed = open_page(sample_db, monkeypatch, coordinator, "screens/ipim.py")
    opened = _ipim(sample_db, monkeypatch, coordinator)
    for app in (closed, opened):
        assert not app.exception
    labels = {e.label for e in closed.expander}
    assert {"Afspraak vastleggen of wijzigen (coördinator)",
            "Geschiedenis van de oordelen (elke versie, met wie en wanneer)"} <= labels  # fmt: skip
    assert not [b for b in closed.button if b.label in ("Opslaan", "Jaaroordeel opslaan")]
    assert len(opened.dataframe) == len(closed.dataframe) + 1  # the judgements' history
    assert {"Opslaan", "Jaaroordeel opslaan"} <= {b.label for b in opened.button}
    assert len(list(opened.main)) > len(list(closed.main))


def _fill_and_store(app: AppTest, fields: dict[str, str], status: str) -> None:
    inputs = {t.label: t for t in app.text_input}
    for label, value in fields.items():
        if label in inputs:
            inputs[label].input(value)
    areas = {t.label: t for t in app.text_area}
    areas["Afspraak"].input("FIN bespreekt de risicoanalyse in de bestuursraad")
    selects = {s.label: s for s in app.selectbox}
    selects["Organisatie"].set_value("FIN")
    selects["Norm"].set_value(1)
    [state] = [s for s in app.selectbox if s.label == "Status" and "open" in s.options]
    state.set_value(status)
    [submit] = [b for b in app.button if b.label == "Opslaan"]
    submit.click().run()


def test_the_coordinator_records_an_agreement_and_every_edit_is_a_new_version(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    app = _ipim(db, monkeypatch, User("ipim.secretaris", "coordinator"))
    assert not app.exception
    assert any("Afspraak over de termijn" in m.value for m in app.markdown)
    fields = {"Code van de afspraak": "2026-09", "Gremium": "IPIM", "Gereed in kwartaal": "2027-Q1"}
    _fill_and_store(app, fields, "open")
    assert not app.exception and "FIN afspraak 2026\\-09 versie 1" in app.success[-1].value
    _fill_and_store(app, fields, "in uitvoering")
    assert "versie 2" in app.success[-1].value
    history = ReadModel(db).agreements(history=True)
    mine = history[(history["departement"] == "FIN") & (history["id"] == "2026-09")]
    assert mine["status"].tolist() == ["in uitvoering", "open"]
    assert set(mine["door"]) == {"ipim.secretaris"}
    _fill_and_store(app, {**fields, "Gereed in kwartaal": "2027-Q9"}, "open")
    assert "Gereed '2027-Q9' is geen kwartaal" in app.table[-1].value.to_string()


def test_a_department_lead_updates_only_its_own_agreements(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    app = _ipim(db, monkeypatch, User("lead.bzk", "departement:BZK"))
    assert not app.exception
    assert not [t for t in app.text_input if t.label == "Code van de afspraak"]
    [choice] = [s for s in app.selectbox if s.label == "Afspraak"]
    assert choice.options == ["2025-02"]  # BZK's only agreement; AZ's is not offered
    [state] = [s for s in app.selectbox if s.label == "Status" and "open" in s.options]
    state.set_value("in uitvoering")
    [note] = [t for t in app.text_area if t.label == "Toelichting"]
    note.input("Toch nog niet in het jaarplan")
    [submit] = [b for b in app.button if b.label == "Opslaan"]
    submit.click().run()
    assert "BZK afspraak 2025\\-02 versie 3" in app.success[-1].value
    # The load path itself refuses another ministry's agreement from a lead's account.
    row = b"2025-01,AZ,12,Iets anders,2025-03-13,IPIM,2026-Q1,afgerond,\n"
    header = b"id,departement,norm,afspraak,vastgesteld,gremium,gereed,status,toelichting\n"
    [result] = load_sources([Source("x.csv", header + row)], db, "lead.bzk", only_for="BZK")
    assert result.status == "geweigerd"
    assert "alleen voor BZK aanleveren" in result.findings[0].message
    current = ReadModel(db).agreements()
    assert current.set_index("id").loc["2025-01", "status"] == "in uitvoering"


def test_the_agenda_is_one_numbered_list_per_signal_with_same_tab_links(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """82 points drawn as a Markdown block and a page link each took the browser a second
    (issue 23): a list per signal, numbered on across the lists, links in the same tab."""
    app = _ipim(sample_db, monkeypatch, User("lezer1", "lezer"))
    points = ReadModel(sample_db).agenda("2026-Q3", TODAY)
    lists = [h.value for h in app.html if h.value.startswith('<ol class="agenda"')]
    assert 1 < len(lists) <= 7 and sum(body.count('<li value="') for body in lists) == len(points)
    numbers = [int(n) for body in lists for n in re.findall(r'<li value="(\d+)">', body)]
    assert numbers == list(range(1, len(points) + 1))
    links = [
        link for body in lists for link in re.findall(r'<a href="([^"]+)" target="_self"', body)
    ]
    assert len(links) == len(points) and not any(link.startswith(("/", "http")) for link in links)
    assert "Plaats: urgentie 1 van" in lists[0]


def test_an_agenda_point_shows_submitted_text_as_typed_never_as_markup() -> None:
    hostile = '<img src=x onerror="alert(1)"> & **vet**'
    point = agenda.Point("AZ", 6, "langdurig_niet_voldaan", f"reden {hostile}",
                         "/ministerie?ministerie=AZ&periode=2026-Q3",
                         peers=(agenda.Peer("FIN", "2025-Q1", hostile, "2026-Q3"),))  # fmt: skip
    item = view._point_html(point, frozenset({point.key}), 4)
    assert "<img" not in item and item.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 2
    assert item.startswith('<li value="4"><strong>★ Op de vergadering</strong>')
    assert 'href="ministerie?ministerie=AZ&amp;periode=2026-Q3" target="_self"' in item
    assert 'aria-label="Bekijken: AZ, norm 6"' in item


def test_a_reader_sees_the_agenda_but_no_form(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _ipim(sample_db, monkeypatch, User("lezer1", "lezer"))
    assert not app.exception
    assert not [b for b in app.button if b.label == "Opslaan"]
    assert any("Langdurig niet voldaan" in m.value for m in app.markdown)


def test_the_praatplaat_puts_the_ministrys_own_toelichting_beside_its_agreement(
    sample_db: Path,
) -> None:
    from pypdf import PdfReader

    from papers import praatplaat

    paper = praatplaat.ministry_pdf(ReadModel(sample_db), "AZ", "2026-Q3", TODAY)
    reader = PdfReader(io.BytesIO(paper))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Niet voldaan: eigen toelichting en afspraak" in text
    assert "2025-01:" in text and "in uitvoering, gereed 2026-Q1" in text
    assert "vertrouwenspersonen en de top voldoet nog niet" in text  # AZ's own words


def test_the_ministry_page_lists_its_agreements(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("lezer1", "lezer")
    app.query_params["ministerie"] = "BZK"
    app.switch_page("screens/ministerie.py").run()
    assert not app.exception
    assert any(h.value == "Afspraken met BZK" for h in app.subheader)
    tables = [f.value for f in app.dataframe if "versie" in f.value.columns]
    assert tables and tables[0]["id"].tolist() == ["2025-02"]


def test_the_upload_preview_of_an_agreement_file_says_which_agreements_it_replaces(
    sample_db: Path,
) -> None:
    from dashboard import tables
    from etl.intake.validate import validate_bytes

    data = (ROOT / "sample_submissions" / "afspraken_update.csv").read_bytes()
    validation = validate_bytes(data, "afspraken_update.csv", TODAY)
    assert validation.submission is not None
    current = ReadModel(sample_db).current_records("afspraken", validation.submission.groups)
    preview = tables.change_preview(validation.submission, current)
    assert set(preview["vervangt bestaande versie"]) == {"ja"}
    assert len(preview) == validation.submission.row_count


def test_the_lead_s_status_form_opens_with_the_agreement_as_it_stands(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It opened at "open" with an empty toelichting: one save reset an agreement "in
    uitvoering" and wiped its text (issue 23)."""
    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    row = b"2025-02,BZK,,BZK doet iets,2025-03-13,IPIM,2026-Q1,in uitvoering,Loopt\n"
    header = b"id,departement,norm,afspraak,vastgesteld,gremium,gereed,status,toelichting\n"
    load_sources([Source("bzk.csv", header + row)], db, "coordinator")
    app = _ipim(db, monkeypatch, User("lead.bzk", "departement:BZK"))
    [state] = [s for s in app.selectbox if s.label == "Status" and "open" in s.options]
    [note] = [t for t in app.text_area if t.label == "Toelichting"]
    assert (state.value, note.value) == ("in uitvoering", "Loopt")
    [submit] = [b for b in app.button if b.label == "Opslaan"]
    submit.click().run()
    stored = ReadModel(db).agreements().set_index("id").loc["2025-02"]
    assert (stored["status"], stored["toelichting"]) == ("in uitvoering", "Loopt")


def test_the_ipim_page_starts_the_pack_and_a_newer_marking_cancels_a_waiting_one(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As deployed (`INTEGRITEIT_VERGADERSET_VOORAF` on; the page tests switch it off): the
    page's asking for the button starts the build beside it, the click waits for that same
    build, and a marking made while an older one waits cancels the older. The papers
    themselves are the test above's; here the build is a stand-in that waits until told."""
    monkeypatch.setenv("INTEGRITEIT_VERGADERSET_VOORAF", "ja")
    release = threading.Event()
    built: list[frozenset[str]] = []

    def build(*args: object) -> bytes:
        marked = args[4]
        assert isinstance(marked, frozenset)
        release.wait(30)
        built.append(marked)
        return ("%PDF " + ",".join(sorted(marked))).encode()

    monkeypatch.setattr(meetingpack, "build", build)
    data = queries.data_for(sample_db)
    first = queries.meeting_pack(data, "2026-Q3", TODAY, frozenset({"a"}))  # building
    queries.meeting_pack(data, "2026-Q3", TODAY, frozenset({"b"}))  # waiting
    third = queries.meeting_pack(data, "2026-Q3", TODAY, frozenset({"c"}))  # b is cancelled
    release.set()
    assert third() == b"%PDF c"
    assert first() == b"%PDF a"  # the build that ran, not a second one
    assert built == [frozenset({"a"}), frozenset({"c"})]


def test_the_coordinator_marks_points_for_the_meeting_and_the_pack_follows(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Marks are kept per quarter with who and when; the meeting pack is one PDF: the marked
    agenda, the heatmap, the praatplaten of the ministries on it, the slides (issue 23)."""
    from pypdf import PdfReader

    from etl.store import meeting
    from papers.meetingpack import meeting_pack

    db = tmp_path / "db.duckdb"
    shutil.copy(sample_db, db)
    coordinator = User("ipim.secretaris", "coordinator")
    app = _ipim(db, monkeypatch, coordinator)
    assert not app.checkbox  # the form's checkboxes are made when the coordinator opens it
    app.session_state[view.AGENDA_MARKING_OPEN] = True
    app = app.run()
    points = ReadModel(db).agenda("2026-Q3", TODAY)
    chosen = [points[0], next(p for p in points if p.departement != points[0].departement)]
    boxes = {b.key: b for b in app.checkbox}
    for point in chosen:
        boxes[f"markeer_2026-Q3_{point.key}"].check()
    app = next(b for b in app.button if b.label == "Markering vastleggen").click().run()
    assert not app.exception
    assert "2 markering(en) vastgelegd voor 2026-Q3." in [
        s.value.replace("\\", "") for s in app.success
    ]
    assert ReadModel(db).agenda_marks("2026-Q3") == {p.key for p in chosen}
    assert any("★ Op de vergadering" in h.value for h in app.html)  # the agenda's list
    # Unmarking is recorded too; marking again what is marked records nothing.
    assert meeting.record_marks(db, "2026-Q3", {chosen[0].key: True}, "x") == 0
    assert meeting.record_marks(db, "2026-Q3", {chosen[1].key: False}, "x") == 1
    assert ReadModel(db).agenda_marks("2026-Q3") == {chosen[0].key}
    assert ReadModel(db).agenda_marks("2026-Q2") == frozenset()
    meeting.record_marks(db, "2026-Q3", {chosen[1].key: True}, "x")
    pack = PdfReader(io.BytesIO(meeting_pack(ReadModel(db), "2026-Q3", TODAY,
                                             ReadModel(db).agenda_marks("2026-Q3"))))  # fmt: skip
    pages = [page.extract_text() for page in pack.pages]
    assert "2 van de" in pages[0] and "gemarkeerd voor de vergadering" in pages[0]
    ministries = list(dict.fromkeys(p.departement for p in chosen))
    text = "\n".join(pages)
    assert text.index("Agenda IPIM") < text.index("Integriteit bij het Rijk, 2026-Q3")
    for code in ministries:
        assert f"{code} · normen voldaan van beoordeeld in 2026-Q3" in text  # its slide
    reader = _ipim(db, monkeypatch, User("lezer1", "lezer"))
    assert not [b for b in reader.button if b.label == "Markering vastleggen"]
