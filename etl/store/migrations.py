"""Numbered schema migrations: how a database made by any earlier release reaches this one.

Each migration has a number, a description and a function; `schema_migrations` records
which ones a file has had, when, so an upgrade runs exactly the missing ones, in order,
inside the single writer (see `etl.store.database.writer`): on a copy, replaced whole, so a
failed or killed upgrade leaves the old file as it was. Nothing is deleted by a
migration: a row that a new rule refuses is moved to `quarantined_rows`, whole, with
the reason. A file from a newer release is refused rather than guessed at.

Migration 1 is the schema as release 2026-11 left it (the ad-hoc `IF NOT EXISTS`
changes before that are folded into it, so it also upgrades anything older); a file
of that release is kept as a test fixture (`tests/fixtures/release-2026-11.duckdb.gz`).
Add a migration by appending to `MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from etl.domain.periods import STORED_QUARTER


class NewerDatabase(RuntimeError):
    """The file was made by a newer release; its message is Dutch."""

    def __init__(self, number: int) -> None:
        super().__init__(
            f"Deze database is gemaakt door een nieuwere versie van de Integriteitsmonitor "
            f"(schemaversie {number}, deze versie kent tot en met {LATEST}). "
            "Werk de software bij; de database is niet gewijzigd."
        )


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


BASELINE = """
CREATE TABLE IF NOT EXISTS loads (
    load_id     INTEGER PRIMARY KEY,
    loaded_at   TIMESTAMP NOT NULL,   -- UTC
    loaded_by   VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    kind        VARCHAR,
    periods     VARCHAR NOT NULL,
    departments VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,     -- opgeslagen | ongewijzigd | geweigerd
    findings    INTEGER NOT NULL,
    row_count   INTEGER NOT NULL
);
-- When the department's file arrived, if earlier than the load (a batch loaded later).
ALTER TABLE loads ADD COLUMN IF NOT EXISTS received_on DATE;
CREATE TABLE IF NOT EXISTS files (
    sha256      VARCHAR PRIMARY KEY,
    file_name   VARCHAR NOT NULL,
    size_bytes  BIGINT NOT NULL,
    content     BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    submission_id INTEGER PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    departement VARCHAR NOT NULL,
    periode     VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    load_id     INTEGER NOT NULL,
    sha256      VARCHAR NOT NULL,
    UNIQUE (kind, departement, periode, version)
);
CREATE TABLE IF NOT EXISTS normscores (
    submission_id INTEGER NOT NULL,
    departement VARCHAR NOT NULL,
    periode     VARCHAR NOT NULL,
    norm        INTEGER NOT NULL,
    score       TINYINT,              -- 2 voldoet, 1 deels, 0 niet, NULL no verdict
    oordeel     VARCHAR NOT NULL,     -- vocabulary.OORDELEN (niet beoordeeld, onbekend too)
    toelichting VARCHAR NOT NULL,
    line        INTEGER NOT NULL,
    PRIMARY KEY (submission_id, norm)
);
-- Who judged (schemas/bronnen.csv); files before this column were self-assessments,
-- except the Court's 2023 baseline, which the samples now say explicitly.
ALTER TABLE normscores ADD COLUMN IF NOT EXISTS bron VARCHAR DEFAULT 'zelf';
CREATE TABLE IF NOT EXISTS survey_counts (
    submission_id INTEGER NOT NULL,
    departement VARCHAR NOT NULL,
    periode     VARCHAR NOT NULL,
    groep       VARCHAR NOT NULL,
    item        VARCHAR NOT NULL,
    antwoord    VARCHAR NOT NULL,
    aantal      INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    PRIMARY KEY (submission_id, groep, item, antwoord)
);
CREATE TABLE IF NOT EXISTS survey_response (
    submission_id INTEGER NOT NULL,
    departement VARCHAR NOT NULL,
    periode     VARCHAR NOT NULL,
    groep       VARCHAR NOT NULL,
    uitgenodigd INTEGER NOT NULL,
    deelgenomen INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    PRIMARY KEY (submission_id, groep)
);
-- The disclosure threshold of a wave, frozen when its first survey data is loaded
-- after publication, so a later edit of the catalogue cannot change published figures.
CREATE TABLE IF NOT EXISTS wave_thresholds (
    periode     VARCHAR PRIMARY KEY,
    drempel     INTEGER NOT NULL,
    vastgelegd_op TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    username    VARCHAR PRIMARY KEY,
    password_hash VARCHAR,            -- bcrypt; NULL for accounts that only sign in via OIDC
    role        VARCHAR NOT NULL,     -- coordinator | lezer | departement:CODE
    email       VARCHAR,              -- matches the OIDC identity
    created_at  TIMESTAMP NOT NULL
);
-- Withdrawing a version, and undoing that, are recorded acts; nothing is deleted.
CREATE TABLE IF NOT EXISTS version_events (
    event_id    INTEGER PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    departement VARCHAR NOT NULL,
    periode     VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    action      VARCHAR NOT NULL,     -- ingetrokken | hersteld
    done_at     TIMESTAMP NOT NULL,   -- UTC
    door        VARCHAR NOT NULL,
    reden       VARCHAR NOT NULL
);
"""

# Every table that stores a period, and so gets the database's own check on it.
PERIOD_TABLES = (
    "submissions",
    "normscores",
    "survey_counts",
    "survey_response",
    "wave_thresholds",
    "version_events",
)


def _baseline(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(BASELINE)


def _periods_checked(connection: duckdb.DuckDBPyConnection) -> None:
    """Let the database itself refuse a period the product does not understand.

    DuckDB cannot add a CHECK to an existing table, so each table is rebuilt from its own
    definition with the check added. Rows whose period fails it (a quarter in Arabic-Indic
    digits stored by a release before the ASCII rule) go to `quarantined_rows` as JSON.
    """
    connection.execute(
        "CREATE TABLE IF NOT EXISTS quarantined_rows (table_name VARCHAR NOT NULL, "
        "row_json VARCHAR NOT NULL, reason VARCHAR NOT NULL, migration INTEGER NOT NULL, "
        "moved_at TIMESTAMP NOT NULL)"
    )
    valid = f"regexp_full_match(periode, '{STORED_QUARTER}')"
    now = datetime.now(UTC).replace(tzinfo=None)
    for table in PERIOD_TABLES:
        row = connection.execute(
            "SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
            [table],
        ).fetchone()
        assert row is not None, table
        definition = str(row[0]).rstrip().removesuffix(";").rstrip()
        head = f"CREATE TABLE {table}("
        assert definition.startswith(head) and definition.endswith(")"), definition
        rebuilt = f"CREATE TABLE {table}__nieuw(" + definition[len(head) : -1]
        connection.execute(f"{rebuilt}, CHECK({valid}))")
        connection.execute(
            f"INSERT INTO quarantined_rows SELECT '{table}', CAST(to_json(t) AS VARCHAR), "
            "'periode is geen kwartaal JJJJ-Qn in ASCII-cijfers', 2, ? "
            f"FROM {table} t WHERE NOT coalesce({valid}, false)",
            [now],
        )
        connection.execute(
            f"INSERT INTO {table}__nieuw SELECT * FROM {table} WHERE coalesce({valid}, false)"
        )
        connection.execute(f"DROP TABLE {table}")
        connection.execute(f"ALTER TABLE {table}__nieuw RENAME TO {table}")


def _agreements(connection: duckdb.DuckDBPyConnection) -> None:
    """Agreements between BZK and a ministry (contract kind 4), every version kept."""
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS agreements (
            departement VARCHAR NOT NULL,
            id          VARCHAR NOT NULL,     -- unique within its departement
            version     INTEGER NOT NULL,
            norm        INTEGER,              -- NULL: a general agreement
            afspraak    VARCHAR NOT NULL,
            vastgesteld DATE NOT NULL,
            gremium     VARCHAR NOT NULL,     -- IPIM, bilateraal or free text
            gereed      VARCHAR NOT NULL CHECK (regexp_full_match(gereed, '{STORED_QUARTER}')),
            status      VARCHAR NOT NULL,     -- etl.domain.vocabulary.AGREEMENT_STATES
            toelichting VARCHAR NOT NULL,
            load_id     INTEGER NOT NULL,     -- the ledger row: who and when
            sha256      VARCHAR NOT NULL,     -- the archived file it came from
            line        INTEGER NOT NULL,
            PRIMARY KEY (departement, id, version)
        )
        """
    )


def _coordination(connection: duckdb.DuckDBPyConnection) -> None:
    """BZK's yearly judgement of its own coordinating role (kind `coordinatie`), every
    version kept."""
    connection.execute(
        """
        CREATE TABLE IF NOT EXISTS coordination (
            departement VARCHAR NOT NULL,     -- the coordinating organisation (BZK)
            jaar        INTEGER NOT NULL CHECK (jaar BETWEEN 2000 AND 9999),
            norm        VARCHAR NOT NULL,     -- schemas/coordinatienormen.csv, C1..C5
            version     INTEGER NOT NULL,
            oordeel     VARCHAR NOT NULL,     -- etl.domain.vocabulary.OORDELEN
            toelichting VARCHAR NOT NULL,
            bron        VARCHAR NOT NULL,     -- schemas/bronnen.csv
            load_id     INTEGER NOT NULL,     -- the ledger row: who and when
            sha256      VARCHAR NOT NULL,     -- the archived file it came from
            line        INTEGER NOT NULL,
            PRIMARY KEY (departement, jaar, norm, version)
        )
        """
    )


def _werking(connection: duckdb.DuckDBPyConnection) -> None:
    """How policy works in practice (contract kinds 5-7): reports and their handling per
    type, headcount, confidential advisers' conversations; versions per submission."""
    quarter = f"CHECK (regexp_full_match(periode, '{STORED_QUARTER}'))"
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS reports (
            submission_id INTEGER NOT NULL,
            departement VARCHAR NOT NULL,
            periode     VARCHAR NOT NULL {quarter},
            soort       VARCHAR NOT NULL,     -- schemas/schendingen.csv
            meldingen   INTEGER NOT NULL CHECK (meldingen >= 0),
            onderzoeken INTEGER NOT NULL CHECK (onderzoeken >= 0),
            afgerond    INTEGER NOT NULL CHECK (afgerond >= 0),
            gegrond     INTEGER NOT NULL CHECK (gegrond BETWEEN 0 AND afgerond),
            maatregelen INTEGER NOT NULL CHECK (maatregelen >= 0),
            aangiften   INTEGER NOT NULL CHECK (aangiften >= 0),
            line        INTEGER NOT NULL,
            PRIMARY KEY (submission_id, soort)
        );
        CREATE TABLE IF NOT EXISTS headcount (
            submission_id INTEGER NOT NULL,
            departement VARCHAR NOT NULL,
            periode     VARCHAR NOT NULL {quarter},
            medewerkers INTEGER NOT NULL CHECK (medewerkers >= 1),
            line        INTEGER NOT NULL,
            PRIMARY KEY (submission_id)
        );
        CREATE TABLE IF NOT EXISTS adviser_talks (
            submission_id INTEGER NOT NULL,
            departement VARCHAR NOT NULL,
            periode     VARCHAR NOT NULL {quarter},
            onderwerp   VARCHAR NOT NULL,     -- schemas/vp_onderwerpen.csv
            gesprekken  INTEGER NOT NULL CHECK (gesprekken >= 0),
            line        INTEGER NOT NULL,
            PRIMARY KEY (submission_id, onderwerp)
        );
        """
    )


def _reminders(connection: duckdb.DuckDBPyConnection) -> None:
    """Who was reminded of a missing submission, when, by whom, and how it went."""
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS reminders (
            reminder_id INTEGER PRIMARY KEY,
            sent_at     TIMESTAMP NOT NULL,   -- UTC
            sent_by     VARCHAR NOT NULL,
            departement VARCHAR NOT NULL,
            periode     VARCHAR NOT NULL CHECK (regexp_full_match(periode, '{STORED_QUARTER}')),
            recipients  VARCHAR NOT NULL,     -- the addresses, comma-separated
            missing     VARCHAR NOT NULL,     -- the kinds still open, comma-separated
            status      VARCHAR NOT NULL,     -- verzonden | mislukt
            detail      VARCHAR NOT NULL
        )
        """
    )


def _survey_hidden(connection: duckdb.DuckDBPyConnection) -> None:
    """Every survey cell a publication hid, so later publications of the wave keep it hidden
    (see `etl.domain.publication`); a fact of the publication history, copied by a rebuild."""
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS survey_hidden (
            departement  VARCHAR NOT NULL,
            periode      VARCHAR NOT NULL CHECK (regexp_full_match(periode, '{STORED_QUARTER}')),
            groep        VARCHAR NOT NULL,
            item         VARCHAR NOT NULL,
            first_hidden TIMESTAMP NOT NULL,
            PRIMARY KEY (departement, periode, groep, item)
        )
        """
    )


def _year_report(connection: duckdb.DuckDBPyConnection) -> None:
    """What the yearly report needs (contract kinds 5, 6, 8, 9): the outcomes of completed
    investigations, the scope of an organisation's counts, measures by kind, yearly counts.
    The new columns are NULL for what was loaded before: not reported, never zero."""
    quarter = f"CHECK (regexp_full_match(periode, '{STORED_QUARTER}'))"
    connection.execute(
        f"""
        -- DuckDB adds no column with a CHECK: the validator refuses negative counts.
        ALTER TABLE reports ADD COLUMN IF NOT EXISTS ongegrond INTEGER;
        ALTER TABLE reports ADD COLUMN IF NOT EXISTS niet_vast_te_stellen INTEGER;
        ALTER TABLE reports ADD COLUMN IF NOT EXISTS zonder_onderzoek INTEGER;
        ALTER TABLE headcount ADD COLUMN IF NOT EXISTS reikwijdte VARCHAR;  -- vocabulary.SCOPES
        CREATE TABLE IF NOT EXISTS measures (
            submission_id INTEGER NOT NULL,
            departement VARCHAR NOT NULL,
            periode     VARCHAR NOT NULL {quarter},
            maatregel   VARCHAR NOT NULL,     -- schemas/maatregelen.csv
            aantal      INTEGER NOT NULL CHECK (aantal >= 0),
            line        INTEGER NOT NULL,
            PRIMARY KEY (submission_id, maatregel)
        );
        CREATE TABLE IF NOT EXISTS year_figures (
            departement VARCHAR NOT NULL,
            jaar        INTEGER NOT NULL CHECK (jaar BETWEEN 2000 AND 9999),
            onderwerp   VARCHAR NOT NULL,     -- schemas/jaaronderwerpen.csv
            version     INTEGER NOT NULL,
            aantal      INTEGER NOT NULL CHECK (aantal >= 0),
            load_id     INTEGER NOT NULL,     -- the ledger row: who and when
            sha256      VARCHAR NOT NULL,     -- the archived file it came from
            line        INTEGER NOT NULL,
            PRIMARY KEY (departement, jaar, onderwerp, version)
        );
        """
    )


def _agenda_marks(connection: duckdb.DuckDBPyConnection) -> None:
    """Which agenda points the coordinator marked for the meeting of a quarter: every mark
    and unmark is a row (who, when), the newest per point holds (a recorded act)."""
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS agenda_marks (
            mark_id    INTEGER PRIMARY KEY,
            periode    VARCHAR NOT NULL CHECK (regexp_full_match(periode, '{STORED_QUARTER}')),
            punt       VARCHAR NOT NULL,     -- agenda.Point.key: organisation/norm/signal
            bespreken  BOOLEAN NOT NULL,
            door       VARCHAR NOT NULL,
            op         TIMESTAMP NOT NULL    -- UTC
        )
        """
    )


MIGRATIONS = (
    Migration(1, "schema van release 2026-11 (ledger, bestanden, versies, accounts)", _baseline),
    Migration(2, "perioden door de database zelf gecontroleerd (JJJJ-Qn)", _periods_checked),
    Migration(3, "afspraken, met elke versie", _agreements),
    Migration(4, "oordeel van BZK over de eigen coördinerende rol, met elke versie", _coordination),
    Migration(5, "werking: meldingen en afhandeling, omvang, vertrouwenspersonen", _werking),
    Migration(6, "herinneringen: wie wanneer is herinnerd", _reminders),
    Migration(7, "enquêtecellen die een publicatie verborg, blijven verborgen", _survey_hidden),
    Migration(8, "jaarrapport: uitkomsten, reikwijdte, maatregelen, jaarcijfers", _year_report),
    Migration(9, "agendapunten gemarkeerd voor de vergadering", _agenda_marks),
)
LATEST = MIGRATIONS[-1].number


def applied(connection: duckdb.DuckDBPyConnection) -> list[int]:
    """The migrations this database has had (none for a file before migrations existed)."""
    exists = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    rows = connection.execute("SELECT number FROM schema_migrations ORDER BY 1").fetchall()
    return [int(n) for (n,) in rows]


def migrate(connection: duckdb.DuckDBPyConnection) -> list[int]:
    """Run the missing migrations in order; returns their numbers."""
    done = set(applied(connection))
    if done and max(done) > LATEST:
        raise NewerDatabase(max(done))
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, "
        "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    ran = []
    for migration in MIGRATIONS:
        if migration.number in done:
            continue
        migration.apply(connection)
        connection.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            [migration.number, migration.description, datetime.now(UTC).replace(tzinfo=None)],
        )
        ran.append(migration.number)
    return ran
