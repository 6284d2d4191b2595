"""Load the catalogues in `schemas/` (organisations, norms, survey) into typed records.

Catalogues are data, not code: adding an organisation, a norm or a survey item is
an edit to a CSV file. `$INTEGRITEIT_ORGANISATIES` swaps in another organisation
catalogue (all municipalities, say) without a code change.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal, cast

import pandas as pd

from etl.domain import periods, vocabulary
from etl.settings import SCHEMAS_DIR, settings

RESERVED_CODE = vocabulary.RIJK


@dataclass(frozen=True)
class Organisation:
    """One organisation; `geldig_van`/`geldig_tot` of None mean unbounded."""

    code: str
    naam: str
    soort: str
    geldig_van: date | None
    geldig_tot: date | None
    voorganger: str | None

    def valid_during(self, start: date, end: date) -> bool:
        """True when the organisation existed on at least one day of [start, end]."""
        if self.geldig_van is not None and self.geldig_van > end:
            return False
        return not (self.geldig_tot is not None and self.geldig_tot < start)


@dataclass(frozen=True)
class Norm:
    nummer: int
    onderdeel: str
    label: str
    vraag: str


@dataclass(frozen=True)
class Answer:
    code: str
    volgorde: int
    label: str
    kopcijfer: bool


Direction = Literal["hoger_beter", "lager_beter", "geen"]


@dataclass(frozen=True)
class SurveyItem:
    """A survey item; `kop` names what its headline share counts, `richting` which way is good,
    and `minimum_antwoord` (sensitive items) the smallest answer count that may be published."""

    item: str
    blok: str
    schaal: str
    doelgroep: str
    stelling: str
    kop: str = ""
    richting: Direction = "hoger_beter"
    minimum_antwoord: int | None = None


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _optional_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def organisations_path() -> Path:
    """The organisation catalogue in use (`etl.settings`: `$INTEGRITEIT_ORGANISATIES` or the
    shipped one)."""
    return settings().organisations


Stamp = tuple[Path, int, int]


def stamp(path: Path) -> Stamp:
    """A catalogue file and its version (modification time and size): caches are keyed on
    it, so an edited catalogue is read again instead of outliving its edit."""
    info = path.stat()
    return path, info.st_mtime_ns, info.st_size


def _organisations_from(path: Path) -> tuple[Organisation, ...]:
    return _organisations_at(stamp(path))


@cache
def _organisations_at(version: Stamp) -> tuple[Organisation, ...]:
    return tuple(
        Organisation(
            code=row["code"],
            naam=row["naam"],
            soort=row.get("soort", ""),
            geldig_van=_optional_date(row.get("geldig_van", "")),
            geldig_tot=_optional_date(row.get("geldig_tot", "")),
            voorganger=row.get("voorganger") or None,
        )
        for row in _read_rows(version[0])
    )


def organisations() -> tuple[Organisation, ...]:
    """All organisations of the catalogue in use, `RIJK` included."""
    return _organisations_from(organisations_path())


def organisations_by_code() -> dict[str, Organisation]:
    """Lookup keyed on the upper-cased code, since codes match case-insensitively."""
    return _by_code_at(stamp(organisations_path()))


@cache
def _by_code_at(version: Stamp) -> dict[str, Organisation]:
    # Built once per catalogue version: validation asks for it on every row.
    return {org.code.upper(): org for org in _organisations_at(version)}


def norms() -> tuple[Norm, ...]:
    """The fifteen norms of the Court of Audit, in catalogue order."""
    return _norms_at(stamp(SCHEMAS_DIR / "normen.csv"))


@cache
def _norms_at(version: Stamp) -> tuple[Norm, ...]:
    return tuple(
        Norm(int(row["nummer"]), row["onderdeel"], row["label"], row["vraag"])
        for row in _read_rows(version[0])
    )


@dataclass(frozen=True)
class CoordinationNorm:
    """One of the five norms on BZK's own coordinating role (schemas/coordinatienormen.csv)."""

    code: str
    naam: str
    omschrijving: str


def coordination_norms() -> tuple[CoordinationNorm, ...]:
    """The norms the Court judged BZK's coordination on, in catalogue order."""
    return _coordination_norms_at(stamp(SCHEMAS_DIR / "coordinatienormen.csv"))


@cache
def _coordination_norms_at(version: Stamp) -> tuple[CoordinationNorm, ...]:
    return tuple(
        CoordinationNorm(row["code"], row["naam"], row["omschrijving"])
        for row in _read_rows(version[0])
    )


@dataclass(frozen=True)
class Coded:
    """A catalogue entry known by its code: a type of violation (schemas/schendingen.csv) or
    a subject of confidential advisers' conversations (schemas/vp_onderwerpen.csv)."""

    code: str
    naam: str


def violation_types() -> tuple[Coded, ...]:
    """The government's nine types of integrity violation, in catalogue order."""
    return _coded_at(stamp(SCHEMAS_DIR / "schendingen.csv"))


def adviser_subjects() -> tuple[Coded, ...]:
    """What confidential advisers' conversations are about, in catalogue order."""
    return _coded_at(stamp(SCHEMAS_DIR / "vp_onderwerpen.csv"))


@cache
def _coded_at(version: Stamp) -> tuple[Coded, ...]:
    return tuple(Coded(row["code"], row["naam"]) for row in _read_rows(version[0]))


@dataclass(frozen=True)
class Measure(Coded):
    """A kind of measure after an established violation (schemas/maatregelen.csv):
    disciplinary ones follow the discipline chapter of the CAO Rijk, the others do not
    punish (a warning, a transfer, leaving by mutual consent)."""

    disciplinair: bool


def measures() -> tuple[Measure, ...]:
    """The kinds of measure, disciplinary ones first (catalogue order)."""
    return _measures_at(stamp(SCHEMAS_DIR / "maatregelen.csv"))


@cache
def _measures_at(version: Stamp) -> tuple[Measure, ...]:
    return tuple(
        Measure(row["code"], row["naam"], row["disciplinair"] == "ja")
        for row in _read_rows(version[0])
    )


def year_subjects() -> tuple[Coded, ...]:
    """What an organisation counts once a year (schemas/jaaronderwerpen.csv): advisers
    appointed, oaths, training, suspicions of a misstand, complaints."""
    return _coded_at(stamp(SCHEMAS_DIR / "jaaronderwerpen.csv"))


def sources() -> tuple[str, ...]:
    """Codes of who may have judged a quarter (schemas/bronnen.csv): `zelf`, `AR`."""
    return _sources_at(stamp(SCHEMAS_DIR / "bronnen.csv"))


@cache
def _sources_at(version: Stamp) -> tuple[str, ...]:
    return tuple(row["code"] for row in _read_rows(version[0]))


def source_names() -> dict[str, str]:
    """Source code → its name ('Zelfbeoordeling', 'Algemene Rekenkamer'), for tables."""
    return _source_names_at(stamp(SCHEMAS_DIR / "bronnen.csv"))


@cache
def _source_names_at(version: Stamp) -> dict[str, str]:
    return {row["code"]: row["naam"] for row in _read_rows(version[0])}


def survey_scales() -> dict[str, tuple[Answer, ...]]:
    """Answer categories per scale, in display order."""
    return _survey_scales_at(stamp(SCHEMAS_DIR / "enquete_schalen.csv"))


@cache
def _survey_scales_at(version: Stamp) -> dict[str, tuple[Answer, ...]]:
    scales: dict[str, list[Answer]] = {}
    for row in _read_rows(version[0]):
        scales.setdefault(row["schaal"], []).append(
            Answer(row["antwoord"], int(row["volgorde"]), row["label"], row["kopcijfer"] == "ja")
        )
    return {
        name: tuple(sorted(answers, key=lambda a: a.volgorde)) for name, answers in scales.items()
    }


def survey_items() -> tuple[SurveyItem, ...]:
    """Survey items with their block and scale."""
    return _survey_items_at(stamp(SCHEMAS_DIR / "enquete_items.csv"))


@cache
def _survey_items_at(version: Stamp) -> tuple[SurveyItem, ...]:
    return tuple(
        SurveyItem(
            row["item"],
            row["blok"],
            row["schaal"],
            row["doelgroep"],
            row["stelling"],
            row.get("kop", ""),
            _direction(row.get("richting", "")),
            int(row["minimum_antwoord"]) if row.get("minimum_antwoord") else None,
        )
        for row in _read_rows(version[0])
    )


def _direction(text: str) -> Direction:
    if text in ("hoger_beter", "lager_beter", "geen"):
        return cast(Direction, text)
    raise ValueError(f"enquete_items.csv: richting '{text}' is geen hoger_beter/lager_beter/geen")


def lineage(code: str) -> list[str]:
    """The code and its predecessors, newest first (EZ → EZK), for trend lines across re-orgs."""
    return list(_lineage_for(code, stamp(organisations_path())))


@cache
def _lineage_for(code: str, version: Stamp) -> tuple[str, ...]:
    # Cached per catalogue version: the dashboard asks for every cell of the heatmap.
    by_code = {org.code: org for org in _organisations_at(version)}
    chain = [code]
    while (
        (current := by_code.get(chain[-1]))
        and current.voorganger
        and current.voorganger not in chain
    ):
        chain.append(current.voorganger)
    return tuple(chain)


def lineage_frame(codes: list[str]) -> pd.DataFrame:
    """Each code with itself and its predecessors (`bron`), nearest first (`diepte`).

    For set-based lookups "the figure of this organisation, else of its predecessor".
    A code the catalogue does not know has only itself.
    """
    version = stamp(organisations_path())
    table = _lineage_table(version)
    known = table[table["departement"].isin(codes)]
    unknown = sorted(set(codes) - {org.code for org in _organisations_at(version)})
    if not unknown:
        return known
    alone = pd.DataFrame({"departement": unknown, "bron": unknown, "diepte": 0})
    return pd.concat([known, alone], ignore_index=True)


@cache
def _lineage_table(version: Stamp) -> pd.DataFrame:
    # Per catalogue version, like the records it comes from: the dashboard asks per query.
    return pd.DataFrame(
        [
            (org.code, source, depth)
            for org in _organisations_at(version)
            for depth, source in enumerate(_lineage_for(org.code, version))
        ],
        columns=["departement", "bron", "diepte"],
    )


def organisations_table() -> pd.DataFrame:
    """The organisations (not RIJK) with name, kind and validity (NaT: unbounded), in
    catalogue order: for set-based "who existed in which quarter"."""
    return _organisations_table(stamp(organisations_path()))


@cache
def _organisations_table(version: Stamp) -> pd.DataFrame:
    rows = [
        (o.code, o.naam, o.soort, o.geldig_van, o.geldig_tot)
        for o in _organisations_at(version)
        if o.code != RESERVED_CODE
    ]
    table = pd.DataFrame(rows, columns=["departement", "naam", "soort", "van", "tot"])
    return table.astype({"van": "datetime64[ns]", "tot": "datetime64[ns]"})


MIN_THRESHOLD = 10  # the contract: no figure for fewer than 10 respondents


@dataclass(frozen=True)
class Wave:
    """A survey wave (the quarter it closed), its disclosure threshold and publication date."""

    periode: str
    drempel: int
    gepubliceerd_op: date | None


def survey_waves() -> dict[str, Wave]:
    """Waves with their own threshold; a wave not listed uses the contract's minimum of 10.

    A threshold below 10 is refused here, so no configuration can loosen the rule.
    """
    return _survey_waves_at(stamp(SCHEMAS_DIR / "enquete_golven.csv"))


@cache
def _survey_waves_at(version: Stamp) -> dict[str, Wave]:
    waves = {}
    for row in _read_rows(version[0]):
        drempel = int(row["drempel"])
        if drempel < MIN_THRESHOLD:
            raise ValueError(f"enquete_golven.csv: drempel {drempel} voor {row['periode']} < 10")
        waves[row["periode"]] = Wave(
            row["periode"], drempel, _optional_date(row["gepubliceerd_op"])
        )
    return waves


def wave_threshold(periode: str) -> int:
    """The catalogue's threshold for a wave (the database may hold a frozen one)."""
    wave = survey_waves().get(periode)
    return wave.drempel if wave else MIN_THRESHOLD


def organisations_in(periode: str) -> pd.DataFrame:
    """Organisations (not RIJK) that existed during the quarter, from the catalogue."""
    start, end = periods.quarter_start(periode), periods.quarter_end(periode)
    rows = [
        {"departement": o.code, "naam": o.naam, "soort": o.soort}
        for o in organisations()
        if o.code != RESERVED_CODE and o.valid_during(start, end)
    ]
    return pd.DataFrame(rows, columns=["departement", "naam", "soort"])
