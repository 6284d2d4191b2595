"""Settings in one typed object, read from the environment in one place.

Every setting the product has is a field here, with the environment variable that sets
it and what it means (`FIELDS`, which docs/reference.md's table is tested against), as
datasette keeps its `SETTINGS`. The object is rebuilt only when the environment changes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
DEFAULT_DB = Path("data/integriteit.duckdb")


@dataclass(frozen=True)
class Setting:
    """One setting: its field, its environment variable, its default, what it does (Dutch)."""

    field: str
    variable: str
    default: str
    meaning: str


FIELDS = (
    Setting("database", "INTEGRITEIT_DB", "data/integriteit.duckdb",
            "het databasebestand (de opdrachtregel kan het met --db overschrijven)"),
    Setting("organisations", "INTEGRITEIT_ORGANISATIES", "schemas/organisaties.csv",
            "de catalogus van organisaties (bijvoorbeeld alle gemeenten)"),
    Setting("detail_other_ministries", "INTEGRITEIT_DETAIL_ANDERE_MINISTERIES", "ja",
            "`nee`: een departementsgebruiker ziet van andere ministeries alleen rijksbrede "
            "cijfers, in elk scherm, elke download en elk vergaderstuk"),
    Setting("seconds_per_file", "INTEGRITEIT_SECONDEN_PER_BESTAND", "30",
            "hoe lang de controle van één bestand mag duren; daarna wordt het geweigerd"),
    Setting("small_count", "INTEGRITEIT_KLEIN_AANTAL", "5",
            "meldingen, onderzoeken en gesprekken: een aantal van 1 tot dit getal (niet "
            "inbegrepen) van één organisatie ziet alleen de coördinator en de eigen "
            "integriteitsleiding; anderen zien het als 'afgeschermd' (totalen blijven exact)"),
    Setting("smtp_server", "INTEGRITEIT_SMTP_SERVER", "(geen)",
            "de mailserver voor herinneringen, als host of host:poort (zonder: de tekst om te "
            "kopiëren)"),
    Setting("smtp_sender", "INTEGRITEIT_SMTP_AFZENDER", "integriteitsmonitor@localhost",
            "het afzendadres van herinneringen"),
    Setting("smtp_user", "INTEGRITEIT_SMTP_GEBRUIKER", "(geen)",
            "gebruikersnaam bij de mailserver; met een gebruiker wordt STARTTLS gebruikt"),
    Setting("smtp_password", "INTEGRITEIT_SMTP_WACHTWOORD", "(geen)",
            "wachtwoord bij de mailserver"),
    Setting("prebuild_pack", "INTEGRITEIT_VERGADERSET_VOORAF", "ja",
            "`nee`: de vergaderset wordt pas gemaakt bij de klik op de knop, niet al zodra de "
            "pagina IPIM opent (de tests van losse pagina's zetten dit uit)"),
    Setting("today", "INTEGRITEIT_VANDAAG", "de echte datum",
            "de dag (JJJJ-MM-DD) waartegen termijnen worden beoordeeld, voor een demonstratie "
            "of een test"),
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """What the environment set; see `FIELDS` for each field's variable and meaning."""

    database: Path
    organisations: Path
    detail_other_ministries: bool
    seconds_per_file: float
    small_count: int
    smtp_server: str | None
    smtp_sender: str
    smtp_user: str | None
    smtp_password: str | None
    prebuild_pack: bool
    today: date | None

    def today_or_real(self) -> date:
        """The day deadlines are judged against."""
        return self.today or date.today()


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this environment (by default the process's own)."""
    source = os.environ if environ is None else environ
    return _parse(tuple(source.get(f.variable, "") for f in FIELDS))


@cache
def _parse(values: tuple[str, ...]) -> Settings:
    raw = dict(zip((f.field for f in FIELDS), values, strict=True))
    return Settings(
        database=Path(raw["database"]) if raw["database"] else DEFAULT_DB,
        organisations=(
            Path(raw["organisations"]) if raw["organisations"] else SCHEMAS_DIR / "organisaties.csv"
        ),
        detail_other_ministries=raw["detail_other_ministries"].strip().lower()
        not in ("nee", "0", "false"),
        seconds_per_file=_seconds(raw["seconds_per_file"], 30.0),
        small_count=_whole(raw["small_count"], 5),
        smtp_server=raw["smtp_server"].strip() or None,
        smtp_sender=raw["smtp_sender"].strip() or "integriteitsmonitor@localhost",
        smtp_user=raw["smtp_user"].strip() or None,
        smtp_password=raw["smtp_password"] or None,
        prebuild_pack=raw["prebuild_pack"].strip().lower() not in ("nee", "0", "false"),
        today=_date(raw["today"]),
    )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None  # a mistyped demonstration date falls back to the real one


def _seconds(text: str, default: float) -> float:
    try:
        value = float(text.strip()) if text.strip() else default
    except ValueError:
        return default
    return value if value > 0 and math.isfinite(value) else default


def _whole(text: str, default: int) -> int:
    """A whole number of at least 2 (a threshold of 1 would hide nothing), else the default."""
    value = text.strip()
    return (
        int(value) if value.isascii() and value.isdigit() and 2 <= int(value) <= 1000 else default
    )
