"""Shared test data: fixture files, a fixed 'today', and a database with the samples loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl.database import reader
from etl.load import expand_paths, load_sources, read_receipts, read_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = ROOT / "sample_submissions"
TODAY = date(2026, 11, 28)


def fixture(name: str) -> Path:
    return FIXTURES / name


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Every row of one query on the database, through the readers the product uses."""
    with reader(db) as connection:
        assert connection is not None, f"no database at {db}"
        return connection.execute(sql).fetchall()


def fixture_bytes(name: str) -> bytes:
    return fixture(name).read_bytes()


def run_etl(*args: str, db: Path | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Run the real entry point, `python -m etl`, as a user would."""
    environment = {**os.environ, **(env or {})}
    if db is not None:
        environment["INTEGRITEIT_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "integriteit.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every sample submission loaded through the real load path."""
    path = tmp_path_factory.mktemp("samples") / "integriteit.duckdb"
    receipts = read_receipts(SAMPLES / "ontvangen.tsv")
    sources = [
        replace(read_source(p), received_on=receipts[p.name]) for p in expand_paths([SAMPLES])
    ]
    results = load_sources(sources, path, loaded_by="pytest", today=TODAY)
    assert all(r.status == "opgeslagen" for r in results), [r.summary() for r in results]
    return path
