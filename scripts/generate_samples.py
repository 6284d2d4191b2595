"""Write `sample_submissions/`: the 2023 baseline and seeded quarterly norm-score files.

The baseline is the Court of Audit's judgement of 2023 as DOMAIN.md states it.
From 2024-Q1 to the last completed quarter every ministry valid in that quarter
submits, with gradual improvement, a few regressions and realistic toelichtingen;
a few submissions are missing so "niet aangeleverd" shows, one is corrected by a
second version, and some files come in Dutch-Excel form (semicolon,
Windows-1252, CRLF, title-case headers). Survey files come from `survey_samples.py`, the
files on how policy works (meldingen, omvang, vertrouwenspersonen) from `werking_samples.py`.
Run: `python -m scripts.generate_samples` (or `make samples`).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from etl.domain import catalog
from etl.domain.periods import (
    next_quarter,
    previous_quarter,
    quarter_end,
    quarter_of,
    quarter_start,
    quarters_between,
    submission_deadline,
)
from scripts.survey_samples import generate_survey
from scripts.werking_samples import generate_werking

SEED = 20241001
REPORT = "Algemene Rekenkamer, Integriteit als basis (2024)"
BASELINE_PERIOD = "2023-Q4"
BASELINE_PUBLISHED = date(2024, 9, 26)
RECEIPTS = "ontvangen.tsv"
FIRST_QUARTER = "2024-Q1"
NOT_BROKEN_DOWN = {4, 5, 6, 13, 14}

# DOMAIN.md, "2023 baseline": norm -> (voldoet niet, voldoet deels).
BASELINE: dict[int, tuple[set[str], set[str]]] = {
    1: ({"BZK", "AZ", "SZW", "BZ", "EZK", "LNV", "OCW"}, {"JenV", "VWS"}),
    2: ({"AZ", "OCW", "SZW"}, {"BZK", "EZK", "IenW", "LNV", "VWS"}),
    3: ({"AZ", "SZW"}, {"BZK", "OCW", "VWS"}),
    7: ({"BZK", "AZ", "EZK", "LNV"}, {"FIN", "OCW", "VWS"}),
    8: ({"BZK", "AZ", "IenW", "OCW"}, set()),
    9: ({"BZK", "AZ", "VWS"}, {"EZK", "LNV", "OCW"}),
    10: ({"AZ"}, set()),
    11: ({"AZ"}, set()),
    12: ({"BZK", "AZ", "BZ", "DEF", "VWS"}, set()),
    15: ({"BZK", "AZ", "EZK", "LNV", "SZW"}, {"BZ", "FIN", "OCW", "JenV"}),
}
GOOD_EXAMPLES = {
    ("DEF", 2): "genoemd als goed voorbeeld: samenhangend beleid, elke vier jaar geëvalueerd",
    ("DEF", 7): "genoemd als goed voorbeeld: steun aan leidinggevenden",
    ("JenV", 3): "genoemd als goed voorbeeld: positie van de integriteitscoördinator",
    ("JenV", 12): "genoemd als goed voorbeeld: vertrouwenspersonen en de top",
    ("FIN", 9): "genoemd als goed voorbeeld: onderzoeksprotocol met registratiesysteem",
    ("IenW", 15): "genoemd als goed voorbeeld: tweejaarlijkse enquête en praatplaten per eenheid",
}

# Where ministries skipped a quarter, and one corrected resubmission.
MISSING = {("BZ", "2025-Q2"), ("AenM", "2026-Q3"), ("VRO", "2024-Q3")}
CORRECTED = ("OCW", "2025-Q4")
DUTCH_EXCEL = {"FIN", "DEF", "LVVN", "LNV", "OCW", "AenM"}
UTF8_BOM_SEMICOLON = {"BZ", "IenW"}
NUMERIC_CODES = {"SZW"}
# New ministries of July 2024 start from their predecessor's (or a parent's) state.
STARTS_FROM = {"EZ": "EZK", "KGG": "EZK", "LVVN": "LNV", "VRO": "BZK", "AenM": "JenV"}

SUBJECTS = {
    1: "de integriteitsrisicoanalyse",
    2: "het integriteitsbeleid (visie, doelen, maatregelen)",
    3: "de positie van de integriteitscoördinator",
    4: "de communicatie over het beleid",
    5: "integriteit in werving en gesprekscyclus",
    6: "de beveiliging van kwetsbare werkprocessen",
    7: "de steun aan leidinggevenden in hun voorbeeldrol",
    8: "de meldregeling",
    9: "het onderzoeksprotocol",
    10: "het netwerk van vertrouwenspersonen",
    11: "het budget voor vertrouwenspersonen",
    12: "het overleg tussen vertrouwenspersonen en de top",
    13: "de centrale registratie van meldingen",
    14: "de sanctieafspraken",
    15: "de evaluatie van het beleid",
}
EXTRA_DETAIL = {
    4: "Intranetcampagne en dilemmasessies per directie.",
    5: "Eed/belofte en integriteitsgesprek opgenomen in het introductieprogramma.",
    7: "- leiderschapsprogramma gestart; 60% van de leidinggevenden heeft de training gevolgd",
    10: "Acht vertrouwenspersonen, waarvan twee extern.",
    11: "Budget verhoogd met € 45.000 voor opleiding en intervisie.",
    13: "Registratie in het zaaksysteem; kwartaalrapportage aan de SG.",
}


def _quote(text: str) -> str:
    return text[0].upper() + text[1:]


def toelichting(rng: random.Random, norm: int, old: int | None, new: int | None, q: str) -> str:
    """A plausible line of explanation for one norm's judgement."""
    subject = SUBJECTS[norm]
    target = next_quarter(next_quarter(q))
    if new is None:
        return f"Niet beoordeeld: {subject} wordt dit kwartaal herzien na de reorganisatie."
    if old is not None and new < old:
        return f"Terugval: {subject} is verouderd na de reorganisatie; herziening loopt."
    if old is not None and new > old:
        if new == 2:
            return f"{_quote(subject)} is op orde; vastgesteld door de bestuursraad."
        return f"{_quote(subject)} is verbeterd; afronding gepland in {target}."
    if new == 2:
        if rng.random() < 0.35:
            return EXTRA_DETAIL.get(norm, "")
        return "" if rng.random() < 0.5 else f"{_quote(subject)} voldoet; geen wijzigingen."
    if new == 1:
        return f"{_quote(subject)} is deels op orde; verbeterplan loopt tot {target}."
    return f"{_quote(subject)} voldoet nog niet; plan van aanpak in voorbereiding."


def baseline_rows() -> list[dict[str, str]]:
    """The 2023 baseline of the Court of Audit for the twelve ministries of 2023."""
    rows: list[dict[str, str]] = []
    start, end = quarter_start(BASELINE_PERIOD), quarter_end(BASELINE_PERIOD)
    codes = [
        org.code
        for org in catalog.organisations()
        if org.soort == "ministerie" and org.valid_during(start, end)
    ]
    for code in codes:
        for norm in catalog.norms():
            n = norm.nummer
            oordeel, text = "voldoet", f"{REPORT}: voldoet aan de norm."
            if n in NOT_BROKEN_DOWN:
                oordeel, text = (
                    "onbekend",
                    f"{REPORT}: beoordeeld, oordeel per ministerie niet gepubliceerd.",
                )
            elif code in BASELINE.get(n, (set(), set()))[0]:
                oordeel, text = "voldoet niet", f"{REPORT}: nog een stap te zetten."
            elif code in BASELINE.get(n, (set(), set()))[1]:
                oordeel, text = "voldoet deels", f"{REPORT}: in mindere mate een stap te zetten."
            if (code, n) in GOOD_EXAMPLES:
                text += f" {_quote(GOOD_EXAMPLES[(code, n)])}."
            rows.append(
                {
                    "departement": code,
                    "periode": BASELINE_PERIOD,
                    "norm": str(n),
                    "oordeel": oordeel,
                    "toelichting": text,
                    "bron": "AR",
                }
            )
    return rows


def _score(label: str) -> int | None:
    return {"voldoet": 2, "voldoet deels": 1, "voldoet niet": 0}.get(label)


def evolve(rng: random.Random, state: dict[int, int | None], quarter: str) -> dict[int, int | None]:
    """One quarter of gradual change: filling unknowns, improving, rarely regressing."""
    new: dict[int, int | None] = {}
    for norm, score in state.items():
        if score is None:
            new[norm] = rng.choice([1, 1, 2, 2, 2, 0]) if rng.random() < 0.7 else None
        elif rng.random() < 0.012:
            new[norm] = None  # under review after a reorganisation: niet beoordeeld
        elif score < 2 and rng.random() < 0.14:
            new[norm] = score + 1
        elif score > 0 and rng.random() < 0.025:
            new[norm] = score - 1
        else:
            new[norm] = score
    return new


def write_file(path: Path, rows: list[dict[str, str]], code: str) -> None:
    """Write a submission in the form that ministry's Excel produces."""
    columns = ["departement", "periode", "norm", "oordeel", "toelichting"]
    if rows and "bron" in rows[0]:
        columns.append("bron")
    buffer = io.StringIO(newline="")
    if code in DUTCH_EXCEL:
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.title() for c in columns])
        for row in rows:
            writer.writerow(
                [
                    row["departement"].lower() if code == "DEF" else row["departement"],
                    row["periode"],
                    row["norm"],
                    row["oordeel"].title(),
                    row["toelichting"],
                ]
            )
        path.write_bytes(buffer.getvalue().encode("windows-1252"))
        return
    delimiter = ";" if code in UTF8_BOM_SEMICOLON else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        oordeel = row["oordeel"]
        if code in NUMERIC_CODES and oordeel:
            oordeel = str(_score(oordeel))
        writer.writerow(
            [row["departement"], row["periode"], row["norm"], oordeel, row["toelichting"]]
            + ([row["bron"]] if "bron" in row else [])
        )
    prefix = "\ufeff" if code in UTF8_BOM_SEMICOLON else ""
    path.write_bytes((prefix + buffer.getvalue()).encode("utf-8"))


def last_completed_quarter(today: date) -> str:
    return previous_quarter(quarter_of(today))


def received_on(rng: random.Random, quarter: str) -> date:
    """Most files arrive in the weeks before the deadline; about one in eight is late."""
    deadline = submission_deadline(quarter)
    if rng.random() < 0.12:
        return deadline + timedelta(days=rng.randint(3, 20))
    return deadline - timedelta(days=rng.randint(0, 25))


# The agreements of the samples are written by hand (they exercise every agenda signal on
# the generated scores of 2026-Q3), as is BZK's judgement of its own coordinating role; the
# generator keeps them and their receipt dates.
HANDWRITTEN = ("afspraken", "coordinatie")
HANDWRITTEN_RECEIPTS = {
    "afspraken.csv": date(2025, 6, 13),
    "afspraken_update.csv": date(2026, 1, 20),
    "coordinatie.csv": date(2026, 2, 2),
}


def write_receipts(out: Path, receipts: dict[str, date]) -> None:
    """The receipt list `python -m etl load --ontvangstlijst` reads."""
    receipts = {**receipts, **HANDWRITTEN_RECEIPTS}
    lines = ["bestand\tontvangen"] + [f"{name}\t{day:%Y-%m-%d}" for name, day in receipts.items()]
    (out / RECEIPTS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(out: Path, last: str) -> list[Path]:
    """Write every sample file into `out`; returns the paths written."""
    rng = random.Random(SEED)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.csv"):
        if not stale.name.startswith(HANDWRITTEN):  # written by hand
            stale.unlink()
    written: list[Path] = []
    receipts: dict[str, date] = {}
    baseline = baseline_rows()
    path = out / f"{BASELINE_PERIOD}_nulmeting_algemene_rekenkamer.csv"
    write_file(path, baseline, "")
    written.append(path)
    receipts[path.name] = BASELINE_PUBLISHED
    states: dict[str, dict[int, int | None]] = {}
    for row in baseline:
        states.setdefault(row["departement"], {})[int(row["norm"])] = _score(row["oordeel"])
    labels = {2: "voldoet", 1: "voldoet deels", 0: "voldoet niet"}
    for quarter in quarters_between(FIRST_QUARTER, last):
        start, end = quarter_start(quarter), quarter_end(quarter)
        for org in catalog.organisations():
            if org.soort != "ministerie" or not org.valid_during(start, end):
                continue
            if org.code not in states:
                parent = states[STARTS_FROM[org.code]]
                states[org.code] = {
                    n: (None if rng.random() < 0.3 else s) for n, s in parent.items()
                }
            old = states[org.code]
            new = evolve(rng, old, quarter)
            states[org.code] = new
            if (org.code, quarter) in MISSING:
                continue
            rows = [
                {
                    "departement": org.code,
                    "periode": quarter,
                    "norm": str(n),
                    "oordeel": labels.get(s, "") if s is not None else "",
                    "toelichting": toelichting(rng, n, old[n], s, quarter),
                }
                for n, s in sorted(new.items())
            ]
            path = out / f"{quarter}_{org.code}.csv"
            write_file(path, rows, org.code)
            written.append(path)
            receipts[path.name] = received_on(rng, quarter)
            if (org.code, quarter) == CORRECTED:
                corrected = [dict(row) for row in rows]
                fixed = next(
                    r for r in corrected if r["oordeel"] in ("voldoet deels", "voldoet niet")
                )
                fixed["oordeel"] = "voldoet"
                fixed["toelichting"] = (
                    f"Correctie: {SUBJECTS[int(fixed['norm'])]} is op 12 december vastgesteld."
                )
                path = out / f"{quarter}_{org.code}_v2.csv"
                write_file(path, corrected, org.code)
                written.append(path)
                receipts[path.name] = submission_deadline(quarter) + timedelta(days=21)
    receipts.update(generate_survey(out))
    werking = generate_werking(out, last)
    receipts.update(werking)
    written += [out / name for name in werking]
    write_receipts(out, receipts)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("sample_submissions"))
    parser.add_argument(
        "--tot",
        default=last_completed_quarter(date.today()),
        help="laatste kwartaal (standaard: het laatst afgesloten kwartaal)",
    )
    args = parser.parse_args()
    written = generate(args.out, args.tot)
    print(f"{len(written)} bestanden geschreven in {args.out} (t/m {args.tot}).")


if __name__ == "__main__":
    main()
