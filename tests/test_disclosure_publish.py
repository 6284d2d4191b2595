"""Figures one can publish (issue 21): who sees what exactly, and nothing shown that gives a
protected count away."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.accounts import User
from etl.readmodel import Access, ReadModel
from tests.conftest import open_page

SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


def _texts(app: object) -> str:
    """Every table's cells and every text of a page, as one string."""
    parts: list[str] = []
    for frame in app.dataframe:  # type: ignore[attr-defined]
        parts.append(frame.value.to_csv())
    for element in (*app.markdown, *app.caption, *app.text):  # type: ignore[attr-defined]
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
