"""What an attacker or a clumsy user broke (hardening issue): the points fixed so far."""

from __future__ import annotations

import errno
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, downloads, view
from etl.domain.periods import parse_quarter
from etl.intake.validate import validate_bytes
from etl.reads.readmodel import ReadModel
from etl.store import accounts, sessions
from etl.store.accounts import User
from etl.store.database import reader
from etl.store.load import Source, load_sources
from papers import agendapaper, praatplaat
from tests.conftest import ROOT, TODAY, run_etl, run_process


def _normscores(departement: str = "FIN", periode: str = "2025-Q3", norm: str = "{n}") -> bytes:
    lines = ["departement,periode,norm,oordeel,toelichting"] + [
        f"{departement},{periode},{norm.format(n=n)},voldoet,x" for n in range(1, 16)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    "periode",
    ["٢٠٢٥-Q3", "２０２５-Q3", "2025-Q٣", "0000-Q1", "0999-Q4", "1999-Q4"],
    ids=["arabic-indic", "full-width", "arabic-quarter", "year-0", "year-999", "year-1999"],
)
def test_a_period_in_other_digits_or_before_2000_is_refused(periode: str) -> None:
    assert parse_quarter(periode) is None
    findings = validate_bytes(_normscores(periode=periode), "f.csv", TODAY).findings
    assert {(f.column, f.code) for f in findings} == {("periode", "ongeldige_periode")}
    assert findings[0].line == 2


def test_a_code_in_ligatures_or_full_width_letters_is_refused() -> None:
    findings = validate_bytes(_normscores(departement="ＦＩＮ"), "f.csv", TODAY).findings
    assert findings[0].code == "onbekende_code" and findings[0].column == "departement"
    # 'ﬁn' upper-cases to 'FIN': it was silently taken for FIN.
    findings = validate_bytes(_normscores(departement="ﬁn"), "f.csv", TODAY).findings
    assert findings[0].code == "niet_ascii" and findings[0].column == "departement"


def test_a_norm_in_other_digits_is_refused() -> None:
    """Norm 3 written with the Arabic-Indic digit three was read as norm 3."""
    data = _normscores().replace(b"FIN,2025-Q3,3,", "FIN,2025-Q3,٣,".encode())
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(4, "norm", "ongeldige_norm")]


@pytest.mark.parametrize(
    ("cell", "column", "data"),
    [
        ("periode", "periode", _normscores(periode="2025-Q3\u00a0")),
        ("departement", "departement", _normscores(departement="FIN\x1c")),
        ("oordeel", "oordeel", _normscores().replace(b"voldoet", "voldoet\u00a0deels".encode())),
        ("groep", "groep",
         "departement,periode,groep,item,antwoord,aantal\nFIN,2025-Q4,medewer\u212aers,CUL3,"
         "enkele,12\n".encode()),
        ("antwoord", "antwoord",
         "departement,periode,groep,item,antwoord,aantal\nFIN,2025-Q4,medewerkers,CUL3,"
         "en\u212aele,12\n".encode()),
        ("jaar", "jaar",
         "".join(["departement,jaar,norm,oordeel\n"] + [f"BZK,\u20032025,C{n},voldoet\n"
                                                      for n in range(1, 6)]).encode()),
    ],
    ids=["nbsp-period", "control-in-code", "nbsp-verdict", "kelvin-group", "kelvin-answer",
         "em-space-year"],
)  # fmt: skip
def test_a_value_that_only_looks_like_the_contracts_is_refused_not_normalised(
    cell: str, column: str, data: bytes
) -> None:
    """A non-breaking space that `strip` dropped, a Kelvin sign that `lower` made a 'k', a
    control character: each was quietly turned into a valid value and stored."""
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert findings and {f.column for f in findings} == {column}
    assert all(f.code == "niet_ascii" and f.line and "U+" in f.message for f in findings)


def test_a_header_name_with_a_non_breaking_space_is_refused() -> None:
    data = "departement,periode\u00a0,medewerkers\nFIN,2025-Q3,100\n".encode()
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert "kolom_niet_ascii" in {f.code for f in findings}


def test_free_text_keeps_any_script() -> None:
    data = _normscores().replace(
        b",x\n", ",Financi\u00ebn \u2014 \u00a0\u2028ok\n".encode("utf-8"), 1
    )
    validation = validate_bytes(data, "f.csv", TODAY)
    assert validation.submission is not None, validation.findings


def test_an_agreement_due_far_beyond_any_plan_is_refused() -> None:
    """9999-Q4 passed, and the quarter after it is no quarter at all."""
    header = "id,departement,norm,afspraak,vastgesteld,gremium,gereed,status\n"
    data = (header + "A1,FIN,3,iets,2026-01-05,IPIM,9999-Q4,open\n").encode()
    findings = validate_bytes(data, "a.csv", TODAY).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(2, "gereed", "te_ver_vooruit")]


@pytest.mark.parametrize("count", ["2147483648", "9" * 5000, "١٠"])
def test_a_count_beyond_storage_or_in_other_digits_is_a_finding_not_a_crash(
    count: str, tmp_path: Path
) -> None:
    lines = [
        "departement,periode,groep,uitgenodigd,deelgenomen",
        f"FIN,2025-Q4,medewerkers,{count},1",
    ]
    data = ("\n".join(lines) + "\n").encode()
    validation = validate_bytes(data, "r.csv", TODAY)
    assert [f.column for f in validation.findings] == ["uitgenodigd"]
    # And a batch with such a file beside a good one stores the good one.
    good = _normscores()
    results = load_sources(
        [Source("r.csv", data), Source("f.csv", good)], tmp_path / "db.duckdb", "t", TODAY
    )
    assert [r.status for r in results] == ["geweigerd", "opgeslagen"]


@pytest.mark.parametrize(
    "text",
    ["regel een\x0bregel twee", "niet-teken \uffff en \U0010ffff", "scheiding\u2028en \x85"],
    ids=["vertical-tab", "noncharacters", "separators"],
)
def test_an_unprintable_character_in_a_toelichting_does_not_break_the_meeting_papers(
    tmp_path: Path, text: str
) -> None:
    """A vertical tab, then U+FFFF, broke the XML of every picture of the quarter."""
    data = _normscores().replace(b",x\n", f",{text}\n".encode())
    db = tmp_path / "db.duckdb"
    [result] = load_sources([Source("vt.csv", data)], db, "t", TODAY)
    assert result.status == "opgeslagen"
    model = ReadModel(db)
    assert praatplaat.government_pdf(model, "2025-Q3", TODAY).startswith(b"%PDF")
    assert praatplaat.ministry_pdf(model, "FIN", "2025-Q3", date(2026, 11, 28)).startswith(b"%PDF")
    heatmap = praatplaat.heatmap_chart(model, "2025-Q3", TODAY)
    assert downloads.chart_svg(heatmap).startswith("<svg")
    paper = agendapaper.agenda_pdf(model.agenda("2025-Q3", TODAY), "2025-Q3", TODAY)
    assert paper.startswith(b"%PDF")


def test_the_sign_in_limit_is_not_bypassed_by_whitespace_or_case_nor_forgotten_on_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "beheerder", "coordinator", "het-echte-wachtwoord")
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    for name in ["beheerder", " beheerder", "beheerder\t", "BEHEERDER ", "beheerder\u00a0"]:
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
        app.text_input[0].input(name)
        app.text_input[1].input("fout-wachtwoord")
        app.button[0].click().run()
        assert app.error[0].value == "Gebruikersnaam of wachtwoord klopt niet."
    # A new server process (a fresh AppTest reads the store from disk) still refuses,
    # even with the right password.
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    app.text_input[0].input("beheerder")
    app.text_input[1].input("het-echte-wachtwoord")
    app.button[0].click().run()
    assert "Te veel mislukte pogingen" in app.error[0].value
    assert auth.SESSION_KEY not in app.session_state


def test_signing_out_revokes_the_session_everywhere_a_cookie_was_copied(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "lead.bzk", "departement:BZK", "lang-genoeg-wachtwoord")
    made = accounts.account_made(db, "lead.bzk")
    assert made is not None
    token = sessions.create(db, "lead.bzk", made)
    copied = sessions.find(db, token)
    assert copied is not None and accounts.session_user(db, copied) is not None
    sessions.revoke(db, token)
    assert sessions.find(db, token) is None


def test_a_removed_and_recreated_user_does_not_inherit_old_sessions(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "piet", "lezer", "lang-genoeg-wachtwoord")
    made = accounts.account_made(db, "piet")
    assert made is not None
    old = sessions.create(db, "piet", made)
    stolen = sessions.find(db, old)
    accounts.remove_user(db, "piet")
    accounts.add_user(db, "piet", "coordinator", "ander-wachtwoord-1")
    assert sessions.find(db, old) is None  # removed with the account
    # Even a session row that somehow survived names the old account, not the new one.
    assert stolen is not None and accounts.session_user(db, stolen) is None


def test_a_session_cookie_is_checked_on_every_run_of_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "lezer1", "lezer", "lang-genoeg-wachtwoord")
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    app.text_input[0].input("lezer1")
    app.text_input[1].input("lang-genoeg-wachtwoord")
    app.button[0].click().run()
    assert app.session_state[auth.SESSION_KEY] == User("lezer1", "lezer")
    accounts.remove_user(db, "lezer1")  # e.g. from the command line, while the page is open
    app.run()
    assert auth.SESSION_KEY not in app.session_state
    assert [t.label for t in app.text_input] == ["Gebruikersnaam", "Wachtwoord"]


def test_a_password_over_72_bytes_is_a_failed_sign_in_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add_user(db, "lezer1", "lezer", "lang-genoeg-wachtwoord")
    assert accounts.authenticate(db, "lezer1", "x" * 200) is None
    assert accounts.authenticate(db, " LEZER1 ", "lang-genoeg-wachtwoord") is not None
    with pytest.raises(accounts.AccountError, match="hoogstens 72 bytes"):
        accounts.add_user(db, "lezer2", "lezer", "é" * 40)


def test_users_never_see_error_details() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_a_file_name_with_markdown_shows_as_typed() -> None:
    """Upload names go into headings and messages, which render Markdown."""
    name = "![x](http://evil.example/a.png) [log opnieuw in](http://evil.example) **.csv"
    escaped = view.plain(name)
    assert "](" not in escaped.replace("\\](", "") and "**" not in escaped
    assert escaped.replace("\\", "") == name.replace("\\", "")


def test_many_empty_header_columns_are_checked_in_one_pass() -> None:
    """6,000 unnamed columns and 6,000 short rows took two seconds (a pass over the rows per
    unnamed column); one pass over the cells gives the same findings."""
    header = "departement,periode,norm,oordeel" + "," * 6000
    rows = [f"FIN,2025-Q3,{i % 15 + 1},voldoet" for i in range(6000)]
    rows[0] += "," * 5000 + "waarde"
    data = ("\n".join([header, *rows]) + "\n").encode()
    findings = validate_bytes(data, "f.csv", TODAY).findings
    unnamed = [f for f in findings if f.code == "kolom_zonder_naam"]
    assert [(f.line, f.column) for f in unnamed] == [(1, "5004")]


def test_a_file_starting_with_a_blank_line_is_read() -> None:
    data = b"\n" + _normscores()
    validation = validate_bytes(data, "f.csv", TODAY)
    assert validation.findings == [] and validation.submission is not None
    assert validation.submission.records[0].line == 3


def test_cr_only_line_ends_after_sep_are_read() -> None:
    data = b"sep=;\r" + _normscores().replace(b",", b";").replace(b"\n", b"\r")
    validation = validate_bytes(data, "f.csv", TODAY)
    assert validation.findings == [] and validation.submission is not None


def test_an_emoji_beside_a_windows_1252_byte_is_refused_not_garbled() -> None:
    data = _normscores().replace(b",x\n", ",\U0001f600 en caf".encode() + b"\xe9\n")
    findings = validate_bytes(data, "f.csv", TODAY).findings
    assert [(f.line, f.code) for f in findings] == [(2, "gemengde_codering")]


def test_a_folder_named_like_a_csv_and_a_dutch_receipt_date_are_no_tracebacks(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "aanleveringen"
    (folder / "map.csv").mkdir(parents=True)
    (folder / "fin.csv").write_bytes(_normscores())
    (tmp_path / "ontvangen.tsv").write_text("bestand\tontvangen\nfin.csv\t15-10-2025\n")
    done = run_etl(
        "load", str(folder), "--ontvangstlijst", str(tmp_path / "ontvangen.tsv"),
        "--db", str(tmp_path / "db.duckdb"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == [
        f"{folder / 'fin.csv'}: opgeslagen (FIN 2025-Q3 versie 1)."
    ]
    wrong = run_process("validate", str(folder / "map.csv"))
    assert "Traceback" not in wrong.stderr
    (tmp_path / "fout.tsv").write_text("bestand\tontvangen\nfin.csv\tgisteren\n")
    bad = run_etl("load", str(folder), "--ontvangstlijst", str(tmp_path / "fout.tsv"))
    assert bad.returncode == 2
    assert "fout.tsv:2: 'gisteren' is geen datum; schrijf bijvoorbeeld 2025-10-15." in bad.stderr


def test_a_backup_taken_while_readers_serve_restores_every_version(
    sample_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "integriteit.duckdb"
    shutil.copy(sample_db, db)
    with reader(db) as busy:  # the dashboard holds the file open meanwhile
        assert busy is not None
        done = run_etl("backup", "--naar", str(tmp_path / "kopie.duckdb"), "--db", str(db))
        assert busy.execute("SELECT count(*) FROM loads").fetchone() is not None
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Back-up van {db} in {tmp_path / 'kopie.duckdb'} (")
    original, copy = ReadModel(db), ReadModel(tmp_path / "kopie.duckdb")
    pd.testing.assert_frame_equal(original.normscores(), copy.normscores())
    pd.testing.assert_frame_equal(original.enquete(), copy.enquete())
    pd.testing.assert_frame_equal(original.history(), copy.history())
    missing = run_etl("backup", "--naar", str(tmp_path / "x.duckdb"), "--db", str(tmp_path / "nee"))
    assert missing.returncode == 1 and "bestaat nog niet" in missing.stderr


def test_a_mistaken_version_can_be_withdrawn_and_restored_without_losing_anything(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.duckdb"
    first = _normscores()
    second = first.replace(b"FIN,2025-Q3,1,voldoet,x", b"FIN,2025-Q3,1,voldoet niet,vergissing")
    load_sources([Source("v1.csv", first)], db, "t", TODAY)
    load_sources([Source("v2.csv", second)], db, "t", TODAY)

    def norm_1() -> str:
        frame = ReadModel(db).normscores()
        return str(frame.loc[frame["norm"] == 1, "oordeel"].iloc[0])

    def cell_1() -> str:
        grid = ReadModel(db).norm_grid("2025-Q3", TODAY)
        return str(grid.loc[(grid["departement"] == "FIN") & (grid["norm"] == 1), "staat"].iloc[0])

    assert norm_1() == "voldoet niet" and cell_1() == "voldoet niet"
    args = ["intrekken", "normscores", "--departement", "fin", "--periode", "2025q3"]
    args += ["--versie", "2", "--reden", "verkeerd bestand", "--door", "coord", "--db", str(db)]
    done = run_etl(*args)
    assert (done.returncode, done.stdout) == (0, "normscores FIN 2025-Q3 versie 2 ingetrokken.\n")
    assert norm_1() == "voldoet" and cell_1() == "voldoet"  # version 1 is in force again
    versions = ReadModel(db).submissions()
    assert versions[["versie", "ingetrokken"]].values.tolist() == [[1, False], [2, True]]
    again = run_etl(*args)
    assert again.returncode == 1 and "is al ingetrokken" in again.stderr
    # Loading the withdrawn file again is a new version, not "unchanged".
    [reloaded] = load_sources([Source("v2.csv", second)], db, "t", TODAY)
    assert reloaded.versions == [("FIN", "2025-Q3", 3)]
    restored = run_etl(*args[:-4], "--herstel", "--db", str(db))
    assert restored.returncode == 0 and restored.stdout.endswith("versie 2 hersteld.\n")
    assert len(ReadModel(db).history()) == 3  # three loads; the acts are their own record


def _sample_load(db: Path) -> None:
    result = run_etl(
        "load", str(ROOT / "tests" / "fixtures" / "normscores_valid.csv"), "--db", str(db)
    )
    assert result.returncode == 0


@pytest.mark.parametrize("damage", ["afgekapt", "vervangen"])
def test_a_truncated_or_replaced_database_file_is_a_message_not_a_traceback(
    tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    _sample_load(db)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3] if damage == "afgekapt" else b"departement,periode\n")
    before = db.read_bytes()
    for command in (["load", str(ROOT / "tests" / "fixtures" / "respons_valid.csv")],
                    ["export", "normscores"], ["history"]):  # fmt: skip
        result = run_etl(*command, "--db", str(db))
        assert result.returncode == 1, command
        assert "beschadigd" in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.startswith(f"{db}:::")
    assert db.read_bytes() == before
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert "kan op dit moment niet worden gelezen" in app.error[0].value


def test_a_full_disk_leaves_neither_a_partial_copy_nor_a_changed_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    _sample_load(db)
    before = db.read_bytes()

    def half_a_copy(source: Path, target: Path) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr("etl.store.database.shutil.copy2", half_a_copy)
    result = run_etl(
        "load", str(ROOT / "tests" / "fixtures" / "respons_valid.csv"), "--db", str(db)
    )
    assert result.returncode == 1
    assert "De schijf is vol" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []
    backup = run_etl("backup", "--naar", str(tmp_path / "kopie.duckdb"), "--db", str(db))
    assert backup.returncode == 1 and "De schijf is vol" in backup.stderr
    assert [p.name for p in tmp_path.iterdir() if "kopie" in p.name] == []


def test_a_read_only_disk_is_a_message_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    _sample_load(db)
    before = db.read_bytes()

    def refuse(source: object, target: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(target))

    monkeypatch.setattr("etl.store.database.os.replace", refuse)
    result = run_etl(
        "load", str(ROOT / "tests" / "fixtures" / "respons_valid.csv"), "--db", str(db)
    )
    assert result.returncode == 1
    assert "Geen schrijfrechten" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


@pytest.mark.parametrize(
    "screen",
    ["overzicht", "ministerie", "norm", "trends", "enquete", "aanleverstatus", "presentatie",
     "aanleveren"],
)  # fmt: skip
def test_a_user_of_an_organisation_that_has_ended_gets_pages_not_tracebacks(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    monkeypatch.setenv("INTEGRITEIT_DB", str(sample_db))
    monkeypatch.setenv("INTEGRITEIT_DETAIL_ANDERE_MINISTERIES", "nee")
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("lead.ezk", "departement:EZK")
    app.switch_page(f"screens/{screen}.py").run()
    assert not app.exception
    if screen == "ministerie":
        assert "EZK bestaat na 30-06-2024 niet meer" in app.info[0].value
        assert "2024-Q2" in app.info[0].value


def _marked(marker: str) -> list[int]:
    """Processes whose environment carries this marker (a load and the workers it forked)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_killed_load_leaves_no_orphaned_worker_processes(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    import uuid

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the load validates in its own process, without workers")
    folder = tmp_path / "veel"
    folder.mkdir()
    data = (ROOT / "tests" / "fixtures" / "normscores_valid.csv").read_bytes()
    for number in range(210):  # more than PARALLEL_FROM, so workers are forked
        (folder / f"bestand_{number:03}.csv").write_bytes(data)
    marker = f"INTEGRITEIT_TESTMERK_{uuid.uuid4().hex}"
    env = {**os.environ, marker: "1", "INTEGRITEIT_PAUSE_AT": "validating:30",
           "INTEGRITEIT_DB": str(tmp_path / "db.duckdb")}  # fmt: skip
    load = subprocess.Popen([sys.executable, "-m", "etl", "load", str(folder)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while len(_marked(marker)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_marked(marker)) >= 2, "the load forked no worker"
    load.send_signal(signal.SIGKILL)
    load.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _marked(marker) == []
    assert not (tmp_path / "db.duckdb").exists()


def test_a_file_that_outlasts_its_time_budget_is_refused_with_a_finding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = (ROOT / "tests" / "fixtures" / "normscores_valid.csv").read_bytes()
    assert validate_bytes(data, "ok.csv").submission is not None
    monkeypatch.setenv("INTEGRITEIT_SECONDEN_PER_BESTAND", "0.000000001")
    validation = validate_bytes(data, "traag.csv")
    assert validation.submission is None
    [finding] = validation.findings
    assert finding.code == "te_traag" and "1e-09 seconden" in finding.message
    result = run_etl("load", str(ROOT / "tests" / "fixtures" / "normscores_valid.csv"),
                     "--db", str(tmp_path / "db.duckdb"))  # fmt: skip
    assert result.returncode == 1 and "te_traag" not in result.stderr
    assert "duurde langer dan" in result.stderr


def test_the_coordinator_withdraws_and_restores_a_version_in_the_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.duckdb"
    for name in ("normscores_valid.csv", "normscores_valid_v2.csv"):
        loaded = run_etl("load", str(ROOT / "tests" / "fixtures" / name), "--db", str(db))
        assert loaded.returncode == 0
    monkeypatch.setenv("INTEGRITEIT_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.session_state[auth.SESSION_KEY] = User("ipim.secretaris", "coordinator")
    app.switch_page("screens/aanleveren.py").run()

    def record(restore: bool) -> None:
        inputs = {t.label: t for t in app.text_input}
        inputs["Organisatiecode"].input("fin")
        inputs["Kwartaal"].input("2025-q3")
        next(n for n in app.number_input if n.label == "Versie").set_value(2)
        inputs["Reden"].input("verkeerd bestand" if not restore else "toch goed")
        app.checkbox[0].set_value(restore)
        [submit] = [b for b in app.button if b.label == "Vastleggen"]
        submit.click().run()
        assert not app.exception

    record(restore=False)
    assert app.success[-1].value == "normscores FIN 2025\\-Q3 versie 2 ingetrokken\\."
    versions = ReadModel(db).submissions()
    assert versions.loc[versions["versie"] == 2, "ingetrokken"].tolist() == [True]
    record(restore=True)
    assert ReadModel(db).submissions()["ingetrokken"].tolist() == [False, False]
    record(restore=True)  # not withdrawn (any more): a Dutch message, nothing recorded
    assert "is niet ingetrokken" in app.error[-1].value


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["jaarrapport", "--jaar", "0", "--rijk"], "geen jaartal van 2000 of later"),
        (["jaarrapport", "--jaar", "١٩٩٩", "--rijk"], "geen jaartal van 2000 of later"),
        (["jaarrapport", "--jaar", "1900", "--rijk"], "geen jaartal van 2000 of later"),
        (["intrekken", "normscores", "--departement", "FIN", "--periode", "2025-Q3",
          "--versie", "١", "--reden", "x"], "geen versienummer"),
    ],
    ids=["year-0", "arabic-year", "year-1900", "arabic-version"],
)  # fmt: skip
def test_command_line_numbers_are_ascii_and_in_range(
    sample_db: Path, tmp_path: Path, args: list[str], said: str
) -> None:
    """Year 0 gave a traceback; click's own int read Arabic-Indic digits; 1900 gave a report."""
    out = ["--out", str(tmp_path / "j.pdf")] if args[0] == "jaarrapport" else []
    result = run_etl(*args, *out, "--db", str(sample_db))
    assert result.returncode == 2 and said in result.stderr


def test_an_output_file_that_cannot_be_written_is_one_dutch_line(sample_db: Path) -> None:
    for args in (["jaarrapport", "--jaar", "2025", "--rijk"],
                 ["rapport", "--periode", "2025-Q3", "--departement", "FIN"],
                 ["agenda", "--periode", "2025-Q3"]):  # fmt: skip
        result = run_etl(*args, "--out", "/geen/map/uit.pdf", "--db", str(sample_db))
        assert result.returncode == 1, args
        assert result.stderr.strip() == (
            "/geen/map/uit.pdf::: Dit bestand kan niet worden geschreven of gelezen: de map "
            "bestaat niet."
        )


def test_an_agreement_code_starting_like_a_formula_is_refused() -> None:
    """'-1025-01' was stored, exported as "'-1025-01" (neutralised) and no longer read back
    as the same code (found by the fuzz run)."""
    header = "id,departement,norm,afspraak,vastgesteld,gremium,gereed,status\n"
    data = (header + "-1025-01,FIN,3,iets,2026-01-05,IPIM,2026-Q4,open\n").encode()
    findings = validate_bytes(data, "a.csv", TODAY).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(2, "id", "ongeldige_id")]
