"""The stable command line: `python -m etl validate|load|export|history`.

Only parses arguments, calls the library and turns findings into
`FILE:LINE:COLUMN: message` lines on stderr. Exit 0 success, 1 input refused,
2 usage error (click's own convention for usage errors).
"""

from __future__ import annotations

import errno
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
import duckdb

from etl.domain import catalog
from etl.domain.kinds import KINDS, QUARTERLY
from etl.domain.periods import due_quarters, parse_quarter
from etl.intake.findings import Finding, count_errors
from etl.intake.validate import validate_bytes
from etl.reads.export import to_contract_csv, to_csv
from etl.reads.readmodel import ReadModel
from etl.settings import settings
from etl.store import accounts, migrations
from etl.store.database import RestoreError, database_path, database_trouble, ensure_schema
from etl.store.database import backup as database_backup
from etl.store.database import restore as database_restore
from etl.store.load import (
    ReceiptError,
    VersionError,
    expand_paths,
    load_sources,
    read_receipts,
    read_source,
    withdraw_version,
)
from etl.store.rebuild import RebuildError, rebuild

F = TypeVar("F", bound=Callable[..., Any])


def db_option(function: F) -> F:
    """`--db PATH` on every command that touches the database."""
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Databasebestand (anders $INTEGRITEIT_DB, anders data/integriteit.duckdb).",
    )(function)


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        click.echo(finding.format(), err=True)


def _normalise_period(value: str | None) -> str | None:
    if value is None:
        return None
    quarter = parse_quarter(value)
    if quarter is None:
        raise click.BadParameter(f"'{value}' is geen kwartaal; schrijf bijvoorbeeld 2025-Q3.")
    return quarter


def _normalise_code(value: str | None) -> str | None:
    if value is None:
        return None
    organisation = catalog.organisations_by_code().get(value.strip().upper())
    if organisation is None:
        raise click.BadParameter(f"onbekende organisatiecode '{value}'.")
    return organisation.code


def _parse_date(value: str) -> date:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
        if day > date.today():
            raise click.BadParameter(f"{value} ligt in de toekomst.")
        return day
    raise click.BadParameter(f"'{value}' is geen datum; schrijf bijvoorbeeld 2025-10-15.")


def _db_argument(arguments: list[str]) -> Path:
    """The database a command line names with `--db`, else the setting's."""
    for index, argument in enumerate(arguments):
        if argument == "--db" and index + 1 < len(arguments):
            return Path(arguments[index + 1])
        if argument.startswith("--db="):
            return Path(argument.removeprefix("--db="))
    return database_path()


class _Main(click.Group):
    """The command group; a broken, newer, full or read-only database is one line on stderr
    and exit status 1, never a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["arguments"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            # A database of an earlier release is migrated before any command reads it
            # (atomic, through the writer), as the dashboard does on start.
            arguments = ctx.meta.get("arguments", [])
            if arguments and arguments[0] not in ("validate", "--help", "-h"):
                ensure_schema(_db_argument(arguments))
            return super().invoke(ctx)
        except (OSError, duckdb.Error, migrations.NewerDatabase) as error:
            message = database_trouble(error)
            where = _db_argument(ctx.meta.get("arguments", []))
            if message is None and isinstance(error, OSError) and error.filename:
                # An output file (a paper, a back-up) that cannot be written or read.
                message, where = _file_trouble(error), error.filename
            if message is None:
                raise
            click.echo(f"{where}::: {message}", err=True)
            ctx.exit(1)


def _file_trouble(error: OSError) -> str:
    """A Dutch sentence for a file the command could not write or read."""
    reasons = {
        errno.ENOENT: "de map bestaat niet",
        errno.EACCES: "geen toegang",
        errno.EPERM: "geen toegang",
        errno.EROFS: "de schijf is alleen-lezen",
        errno.ENOSPC: "de schijf is vol",
        errno.EISDIR: "dit is een map",
        errno.ENOTDIR: "een deel van het pad is geen map",
    }
    reason = reasons.get(error.errno or 0, "het besturingssysteem weigert het")
    return f"Dit bestand kan niet worden geschreven of gelezen: {reason}."


class _Number(click.ParamType[int]):
    """A whole number written in ASCII digits (click's own INT reads '٢٠٢٥' as 2025), within
    `low` and `high`."""

    name = "getal"

    def __init__(self, low: int, high: int, what: str) -> None:
        self.low, self.high, self.what = low, high, what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or not self.low <= int(text) <= self.high:
            self.fail(f"'{text[:20]}' is geen {self.what}.", param, ctx)
        return int(text)


YEAR = _Number(2000, 9999, "jaartal van 2000 of later (bijvoorbeeld 2025)")
VERSION = _Number(1, 2**31 - 1, "versienummer (1 of hoger)")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Integriteitsmonitor Rijk: aanleveringen controleren, laden en exporteren."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Controleer bestanden zonder iets op te slaan."""
    refused = False
    for path in expand_paths(list(files)):
        source = read_source(path)
        if source.data is None:
            findings = list(source.findings)
        else:
            validation = validate_bytes(source.data, source.name)
            findings = validation.findings
        if findings:
            refused = True
            _print_findings(findings)
            click.echo(f"{path}: geweigerd ({count_errors(len(findings))}).")
        else:
            click.echo(f"{path}: in orde ({validation.kind}).")
    sys.exit(1 if refused else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--door", default=None, help="Naam van wie laadt (anders de gebruiker van het systeem)."
)
@click.option(
    "--ontvangen", default=None, help="Datum waarop de bestanden binnenkwamen (anders vandaag)."
)
@click.option(
    "--ontvangstlijst",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Tabgescheiden lijst met kolommen bestand en ontvangen, per bestandsnaam.",
)
@db_option
def load(
    paths: tuple[Path, ...],
    door: str | None,
    ontvangen: str | None,
    ontvangstlijst: Path | None,
    db: Path | None,
) -> None:
    """Controleer en sla bestanden op; een map betekent elk .csv-bestand erin."""
    files = expand_paths(list(paths))
    if not files:
        raise click.UsageError("Geen .csv-bestanden gevonden.")
    default_day = _parse_date(ontvangen) if ontvangen else None
    try:
        received = read_receipts(ontvangstlijst) if ontvangstlijst else {}
    except ReceiptError as error:
        raise click.BadParameter(str(error), param_hint="--ontvangstlijst") from error
    sources = [
        replace(read_source(path), received_on=received.get(path.name, default_day))
        for path in files
    ]
    workers = os.cpu_count() or 1
    results = load_sources(sources, database_path(db), loaded_by=door, workers=workers)
    for result in results:
        _print_findings(result.findings)
        click.echo(result.summary())
    sys.exit(1 if any(r.status == "geweigerd" for r in results) else 0)


@main.command()
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option("--periode", default=None, help="Alleen dit kwartaal, bijvoorbeeld 2025-Q3.")
@click.option("--departement", default=None, help="Alleen deze organisatiecode.")
@db_option
def export(kind: str, periode: str | None, departement: str | None, db: Path | None) -> None:
    """Schrijf de nieuwste versie van de gegevens als CSV naar stdout."""
    quarter = _normalise_period(periode)
    code = _normalise_code(departement)
    path = database_path(db)
    if not path.exists():
        click.echo(f"Database {path} bestaat nog niet; laad eerst bestanden.", err=True)
    sys.stdout.write(to_contract_csv(ReadModel(path).export(kind, quarter, code)))


@main.command()
@click.option("--departement", default=None, help="Alleen laadacties voor deze organisatiecode.")
@db_option
def history(departement: str | None, db: Path | None) -> None:
    """Toon elke laadactie: wanneer, door wie, bestand, SHA-256, soort, perioden, status."""
    frame = ReadModel(database_path(db)).history(_normalise_code(departement))
    sys.stdout.write(to_csv(frame))


@main.command()
@click.option(
    "--naar",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Het bestand waarin de back-up komt.",
)
@db_option
def backup(target: Path, db: Path | None) -> None:
    """Maak een consistente kopie van de database, ook terwijl het dashboard draait."""
    path = database_path(db)
    if not path.exists():
        click.echo(f"Database {path} bestaat nog niet; er is niets om te bewaren.", err=True)
        sys.exit(1)
    loads = database_backup(path, target)
    click.echo(f"Back-up van {path} in {target} ({loads} laadacties).")


@main.command()
@click.option(
    "--van",
    "source",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="De back-up die terug moet.",
)
@db_option
def terugzetten(source: Path, db: Path | None) -> None:
    """Zet een back-up terug in plaats van de database; iedereen logt daarna opnieuw in."""
    from etl.store import sessions

    path = database_path(db)
    # Sessions end before and after the swap: nobody keeps a session of the replaced
    # database, and nobody who signed in meanwhile keeps one either.
    sessions.revoke_all(path)
    try:
        loads = database_restore(path, source)
    except RestoreError as error:
        click.echo(f"{source}::: {error}", err=True)
        sys.exit(1)
    ended = sessions.revoke_all(path)
    click.echo(f"Back-up {source} teruggezet in {path} ({loads} laadacties); iedereen logt "
               f"opnieuw in.{f' {ended} sessies beëindigd.' if ended else ''}")  # fmt: skip


@main.command()
@click.argument("kind", type=click.Choice(list(QUARTERLY)))
@click.option("--departement", required=True, help="De organisatiecode.")
@click.option("--periode", required=True, help="Het kwartaal, bijvoorbeeld 2025-Q3.")
@click.option("--versie", required=True, type=VERSION, help="Het versienummer.")
@click.option("--reden", required=True, help="Waarom; wordt bij de handeling bewaard.")
@click.option("--herstel", is_flag=True, help="Maak een eerdere intrekking ongedaan.")
@click.option("--door", default=None, help="Wie dit doet (anders de gebruiker van het systeem).")
@db_option
def intrekken(
    kind: str, departement: str, periode: str, versie: int, reden: str, herstel: bool,
    door: str | None, db: Path | None,
) -> None:  # fmt: skip
    """Trek een opgeslagen versie in (of herstel haar); er wordt niets verwijderd."""
    code, quarter = _normalise_code(departement), _normalise_period(periode)
    assert code is not None and quarter is not None  # required options, normalised
    try:
        message = withdraw_version(
            database_path(db), kind, code, quarter, versie, door or getpass.getuser(), reden,
            restore=herstel,
        )  # fmt: skip
    except VersionError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(message)


@main.group()
def gebruikers() -> None:
    """Beheer lokale accounts en rollen (coordinator, lezer, departement:CODE)."""


def _read_password() -> str:
    """Twice at a terminal; from stdin otherwise (a second line, if given, must match)."""
    if sys.stdin.isatty():
        first = getpass.getpass("Wachtwoord: ")
        second = getpass.getpass("Nogmaals: ")
    else:
        lines = sys.stdin.read().splitlines()
        first = lines[0] if lines else ""
        second = lines[1] if len(lines) > 1 else first
    if first != second:
        click.echo("De wachtwoorden verschillen; er is niets veranderd.", err=True)
        sys.exit(1)
    return first


@gebruikers.command("add")
@click.argument("naam")
@click.option("--rol", required=True, help="coordinator, lezer of departement:CODE.")
@click.option("--email", default=None, help="E-mailadres voor inloggen via de organisatie (OIDC).")
@click.option(
    "--zonder-wachtwoord", is_flag=True, help="Alleen inloggen via de organisatie (OIDC)."
)
@db_option
def gebruikers_add(
    naam: str, rol: str, email: str | None, zonder_wachtwoord: bool, db: Path | None
) -> None:
    """Maak een account; het wachtwoord wordt gevraagd (nooit op de opdrachtregel)."""
    try:
        role = accounts.normalise_role(rol)
    except accounts.AccountError as error:
        raise click.BadParameter(str(error), param_hint="--rol") from error
    password = None if zonder_wachtwoord else _read_password()
    try:
        user = accounts.add_user(database_path(db), naam, role, password, email)
    except accounts.AccountError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Gebruiker {user.username} aangemaakt met rol {user.role}.")


@gebruikers.command("remove")
@click.argument("naam")
@db_option
def gebruikers_remove(naam: str, db: Path | None) -> None:
    """Verwijder een account."""
    try:
        accounts.remove_user(database_path(db), naam)
    except accounts.AccountError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Gebruiker {naam} verwijderd.")


@gebruikers.command("list")
@db_option
def gebruikers_list(db: Path | None) -> None:
    """Toon alle accounts met hun rol (nooit wachtwoorden)."""
    for user in accounts.list_users(database_path(db)):
        click.echo(f"{user.username}\t{user.role}\t{user.email or ''}")


@main.command()
@click.option(
    "--naar",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Nieuw databasebestand (mag nog niet bestaan).",
)
@db_option
def herbouw(target: Path, db: Path | None) -> None:
    """Bouw een database opnieuw op uit de gearchiveerde bestanden en het logboek."""
    try:
        report = rebuild(database_path(db), target)
    except RebuildError as error:
        raise click.UsageError(str(error)) from error
    click.echo(
        f"{target}: {report.replayed} bestanden opnieuw geladen, {report.refused_copied} "
        f"weigeringen en {report.events} intrekkingen of herstellingen overgenomen."
    )
    for difference in report.differences:
        click.echo(f"{target}::: {difference}", err=True)
    if report.differences:
        click.echo(
            f"{target}::: {len(report.differences)} verschillen met het origineel.", err=True
        )
        sys.exit(1)
    click.echo("Alle versies zijn gelijk aan die van het origineel.")


@main.command()
@click.option("--periode", required=True, help="Het kwartaal, bijvoorbeeld 2025-Q3.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Schrijf de agenda als vergaderstuk (PDF) naar dit bestand.",
)
@db_option
def agenda(periode: str, out: Path | None, db: Path | None) -> None:
    """De agenda voor de IPIM: elk signaal met zijn reden, het urgentste eerst."""
    quarter = _normalise_period(periode)
    assert quarter is not None
    path = database_path(db)
    if not path.exists():
        raise click.UsageError(f"Database {path} bestaat nog niet; laad eerst bestanden.")
    today = settings().today_or_real()
    points = ReadModel(path).agenda(quarter, today)
    if out is not None:
        from papers.agendapaper import agenda_pdf

        out.write_bytes(agenda_pdf(points, quarter, today))
        click.echo(f"{out}: agenda {quarter}, {len(points)} punten.")
        return
    for point in points:
        click.echo(point.line())


@main.command()
@click.option("--jaar", required=True, type=YEAR, help="Het (afgesloten) jaar, bijvoorbeeld 2025.")
@click.option("--departement", default=None, help="Het jaarrapport van deze organisatie.")
@click.option("--rijk", is_flag=True, help="Het rijksbrede jaarrapport.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Het bestand: .pdf (getagde PDF, PDF/UA) of .html (één webpagina).")  # fmt: skip
@db_option
def jaarrapport(jaar: int, departement: str | None, rijk: bool, out: Path, db: Path | None) -> None:
    """Het jaarrapport integriteit van een organisatie of van het Rijk, om te publiceren zoals
    het is: een toegankelijke, getagde PDF of één HTML-bestand met dezelfde inhoud. Kleine
    aantallen meldingen en gesprekken volgen de privacyregel, ook de eigen."""
    if rijk == (departement is not None):
        raise click.UsageError("Kies --departement CODE of --rijk (één van beide).")
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        raise click.UsageError(f"--out {out}: kies een bestand dat eindigt op .pdf of .html.")
    code = _normalise_code(departement)
    path = database_path(db)
    if not path.exists():
        raise click.UsageError(f"Database {path} bestaat nog niet; laad eerst bestanden.")
    from papers import document
    from papers.jaarrapport import NotComplete, year_report_html

    try:
        html = year_report_html(ReadModel(path), jaar, code, settings().today_or_real())
    except NotComplete as error:
        click.echo(f"{out}::: {error}", err=True)
        sys.exit(1)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(document.pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    click.echo(f"{out}: jaarrapport {jaar} {code or 'rijksbreed'}.")


@main.command()
@click.option("--periode", required=True, help="Het kwartaal, bijvoorbeeld 2026-Q3.")
@click.option(
    "--door", default=None, help="Wie herinnert (standaard: de gebruiker van het systeem)."
)
@db_option
def herinner(periode: str, door: str | None, db: Path | None) -> None:
    """Herinner elke organisatie die over het kwartaal nog iets moet aanleveren, per e-mail
    aan de adressen van haar accounts (via INTEGRITEIT_SMTP_SERVER); elke poging komt in het
    logboek van herinneringen."""
    from etl import reminders

    quarter = _normalise_period(periode)
    assert quarter is not None
    path = database_path(db)
    if not path.exists():
        raise click.UsageError(f"Database {path} bestaat nog niet; laad eerst bestanden.")
    config = settings()
    today = config.today_or_real()
    if quarter not in due_quarters(today):
        raise click.BadParameter(
            f"herinneren kan over {', '.join(due_quarters(today))}, niet over {quarter}.",
            param_hint="--periode",
        )
    planned = reminders.plan(ReadModel(path).due(quarter, today), accounts.list_users(path),
                             quarter, today)  # fmt: skip
    if not planned:
        click.echo(f"Iedereen heeft over {quarter} alles aangeleverd; niemand herinnerd.")
        return
    if not config.smtp_server:
        click.echo("Geen mailserver ingesteld (INTEGRITEIT_SMTP_SERVER); er is niets verstuurd.",
                   err=True)  # fmt: skip
        sys.exit(1)
    outcomes = reminders.remind(path, planned, door or getpass.getuser(), config)
    for outcome in outcomes:
        click.echo(outcome.line)
    if any(outcome.status in ("mislukt", "onzeker") for outcome in outcomes):
        sys.exit(1)  # not everyone was reminded: a retry sends only what did not go out


@gebruikers.command("init")
@db_option
def gebruikers_init(db: Path | None) -> None:
    """Eerste start: maak 'beheerder' met een willekeurig wachtwoord als er nog niemand is."""
    path = database_path(db)
    ensure_schema(path)
    password = accounts.ensure_first_admin(path)
    if password is not None:
        click.echo(
            "\n  Eerste start: er is een beheerder aangemaakt.\n"
            f"  Gebruikersnaam: {accounts.FIRST_ADMIN}\n"
            f"  Wachtwoord:     {password}\n"
            "  Dit wachtwoord wordt maar één keer getoond; bewaar het nu.\n"
        )


@main.command()
@click.option("--periode", required=True, help="Het kwartaal, bijvoorbeeld 2026-Q3.")
@click.option("--departement", default=None, help="Eén praatplaat (PDF) voor deze organisatie.")
@click.option("--alle", is_flag=True, help="Een praatplaat per ministerie, plus rijksbreed.pdf.")
@click.option("--heatmap", is_flag=True, help="Alleen de heatmap, als .png of .svg.")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path), help="Bestand of map."
)
@db_option
def rapport(
    periode: str, departement: str | None, alle: bool, heatmap: bool, out: Path, db: Path | None
) -> None:
    """Maak vergaderstukken: een praatplaat per ministerie (PDF) of de heatmap (PNG/SVG)."""
    if sum([departement is not None, alle, heatmap]) != 1:
        raise click.UsageError("Kies precies één van --departement, --alle of --heatmap.")
    quarter = _normalise_period(periode)
    assert quarter is not None
    path = database_path(db)
    if not path.exists():
        raise click.UsageError(f"Database {path} bestaat nog niet; laad eerst bestanden.")
    # The dashboard's own chart and paper code (Streamlit-free), so downloads and meeting
    # papers are the same files.
    from dashboard import downloads
    from papers import praatplaat

    model, today = ReadModel(path), settings().today_or_real()
    if heatmap:
        if out.suffix.lower() not in (".png", ".svg"):
            raise click.UsageError("--heatmap schrijft een .png- of .svg-bestand.")
        chart = praatplaat.heatmap_chart(model, quarter, today)
        if out.suffix.lower() == ".png":
            out.write_bytes(downloads.chart_png(chart))
        else:
            out.write_text(downloads.chart_svg(chart), encoding="utf-8")
        click.echo(f"{out}: heatmap {quarter}.")
        return
    if departement is not None:
        code = _normalise_code(departement)
        assert code is not None
        out.write_bytes(praatplaat.ministry_pdf(model, code, quarter, today))
        click.echo(f"{out}: praatplaat {code} {quarter}.")
        return
    out.mkdir(parents=True, exist_ok=True)
    codes = catalog.organisations_in(quarter)["departement"].tolist()
    for code in codes:
        paper = praatplaat.ministry_pdf(model, code, quarter, today)
        (out / f"{quarter}_{code}.pdf").write_bytes(paper)
    (out / f"{quarter}_rijksbreed.pdf").write_bytes(
        praatplaat.government_pdf(model, quarter, today)
    )
    click.echo(f"{out}: {len(codes)} praatplaten en rijksbreed.pdf voor {quarter}.")
