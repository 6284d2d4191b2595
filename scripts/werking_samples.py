"""Seeded samples of how policy works: `meldingen`, `omvang`, `vertrouwenspersonen` and
`maatregelen` for every ministry and quarter from 2024-Q1, and `jaarcijfers` for every
completed year (contract kinds 5-9).

Sized like the real ministries, which differ more than a hundredfold in headcount
(Algemene Zaken about 500, Defensie about 70,000), so Algemene Zaken's counts are mostly
0 to 4 in a quarter (the privacy rule's case) and Defensie's run into the dozens. Reports
are drawn per type from a government-wide rate of about 8 per 1,000 employees a year
(omgangsvormen the largest type), then down the handling chain (onderzocht, afgerond,
gegrond, maatregel, aangifte). The new ministries of July 2024 send no headcount for their
first quarter: a quarter with reports but no headcount, shown without a rate. Invented
figures, not the Rijk's.

What the yearly report needs besides (kinds 5's outcomes, 6's scope, 8 and 9) is drawn
from a second seed, so the counts above stay what they were. Some ministries do not report
it: their outcome cells stay empty, they send no measures file row or leave a subject out.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from etl.domain import catalog
from etl.domain.kinds import REPORT_MEASURES, REPORT_OUTCOMES
from etl.domain.periods import quarter_end, quarter_start, quarters_between, submission_deadline

SEED = 20240701
FIRST_QUARTER = "2024-Q1"
# Employees at the end of 2024 (rounded, invented but of the real order of size).
HEADCOUNT = {
    "AZ": 480, "BZ": 2900, "BZK": 7800, "DEF": 70500, "EZK": 9500, "FIN": 32800,
    "IenW": 13900, "JenV": 39000, "LNV": 9200, "OCW": 3900, "SZW": 3100, "VWS": 5600,
    "EZ": 6600, "KGG": 2900, "LVVN": 9200, "VRO": 2600, "AenM": 6500,
}  # fmt: skip
# After the split of July 2024, the ministries that gave up staff.
SMALLER_FROM_2024_Q3 = {"BZK": 5200, "JenV": 32500}
# Reports per 1,000 employees a year, relative to the Rijk (a safer culture to report in
# shows as more reports, not fewer violations).
REPORTING = {"DEF": 1.4, "JenV": 1.3, "FIN": 0.9, "AZ": 1.2, "SZW": 0.7}
RATE_PER_1000 = 8.0
TYPE_SHARES = {
    "financieel": 0.10, "belangen": 0.12, "informatie": 0.12, "communicatie": 0.06,
    "bevoegdheden": 0.05, "geweld": 0.03, "omgang": 0.35, "middelen": 0.12, "prive": 0.05,
}  # fmt: skip
POLICE = {"financieel": 0.25, "geweld": 0.3, "middelen": 0.15}  # share of established reported
TALKS_PER_1000 = 20.0
SUBJECT_SHARES = {
    "integriteit": 0.2, "omgangsvormen": 0.35, "discriminatie": 0.07, "arbeidsconflict": 0.2,
    "onveiligheid": 0.1, "advies": 0.08,
}  # fmt: skip
NO_HEADCOUNT = {("KGG", "2024-Q3"), ("VRO", "2024-Q3"), ("AenM", "2024-Q3")}

YEAR_SEED = 20250101
# Who leaves the outcomes beside "gegrond" empty, sends no measures by kind, or counts only
# its core department (`reikwijdte`); the rest counts the whole ministry with its agencies.
NO_OUTCOMES = {"DEF", "SZW"}
NO_MEASURES = {"LNV", "OCW"}  # in 2024, the year before measures by kind were asked
CORE_ONLY = {"AZ", "BZ", "VWS"}
UNSAID_SCOPE = {"SZW"}
# Shares of the disciplinary measures (catalogue codes; the rest is spread evenly).
DISCIPLINARY = {
    "schriftelijke_berisping": 0.45, "geldboete": 0.08, "inhouding_salaris": 0.04,
    "andere_werkzaamheden": 0.04, "minder_verlof": 0.03, "geen_periodiek": 0.04,
    "lagere_functie": 0.02, "schorsing": 0.04, "voorwaardelijke_schorsing": 0.02,
    "voorwaardelijk_strafontslag": 0.09, "strafontslag": 0.15,
}  # fmt: skip
# Measures that do not punish, per established violation.
OTHER_MEASURES = {
    "waarschuwing": 0.3,
    "overplaatsing": 0.05,
    "vertrek_met_wederzijds_goedvinden": 0.04,
}
# Where the disciplinary measures do not add up to kind 5's `maatregelen` (a signal).
MEASURES_DIFFER = {("JenV", "2025-Q2")}
# Yearly counts per 1,000 employees (advisers, oaths, sessions, participants, misstanden,
# complaints); a subject a ministry leaves out is not reported.
PER_1000_A_YEAR = {
    "vertrouwenspersonen": 2.0, "eed_belofte": 60.0, "trainingen": 4.0,
    "training_deelnemers": 180.0, "misstand_meldingen": 0.15, "klachten_ongewenst_gedrag": 0.6,
}  # fmt: skip
FLOOR = {"vertrouwenspersonen": 2, "trainingen": 1}
LEFT_OUT = {("AZ", "klachten_ongewenst_gedrag"), ("BZ", "training_deelnemers"),
            ("DEF", "misstand_meldingen")}  # fmt: skip


def _ministries(quarter: str) -> list[str]:
    start, end = quarter_start(quarter), quarter_end(quarter)
    return [
        o.code
        for o in catalog.organisations()
        if o.soort == "ministerie" and o.valid_during(start, end)
    ]


def _headcount(rng: np.random.Generator, code: str, quarter: str) -> int:
    base = HEADCOUNT[code]
    if code in SMALLER_FROM_2024_Q3 and quarter >= "2024-Q3":
        base = SMALLER_FROM_2024_Q3[code]
    return max(1, round(base * (1 + rng.normal(0, 0.01))))


def _reports(rng: np.random.Generator, code: str, staff: int) -> list[list[int]]:
    """Per type in catalogue order: meldingen and their handling in one quarter."""
    expected = staff / 1000 * RATE_PER_1000 / 4 * REPORTING.get(code, 1.0)
    rows = []
    for kind in (t.code for t in catalog.violation_types()):
        reported = int(rng.poisson(expected * TYPE_SHARES[kind]))
        investigated = int(rng.binomial(reported, 0.6))
        completed = int(rng.binomial(investigated + int(rng.poisson(0.1 * expected / 9)), 0.8))
        established = int(rng.binomial(completed, 0.5))
        measures = int(rng.binomial(established, 0.8))
        police = int(rng.binomial(established, POLICE.get(kind, 0.02)))
        rows.append([reported, investigated, completed, established, measures, police])
    return rows


def _write(path: Path, columns: list[str], rows: list[list[object]], excel: bool) -> None:
    buffer = io.StringIO(newline="")
    if excel:  # as Dutch Excel saves it: semicolons, Windows-1252, CRLF
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerows([columns, *rows])
        path.write_bytes(buffer.getvalue().encode("windows-1252"))
        return
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([columns, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def generate_werking(out: Path, last: str) -> dict[str, date]:
    """Write one file per kind and quarter (all ministries); returns receipt dates by name."""
    rng = np.random.default_rng(SEED)
    draw = random.Random(SEED)
    receipts: dict[str, date] = {}
    kinds = [t.code for t in catalog.violation_types()]
    for quarter in quarters_between(FIRST_QUARTER, last):
        reports: list[list[object]] = []
        staff_rows: list[list[object]] = []
        talks: list[list[object]] = []
        for code in _ministries(quarter):
            staff = _headcount(rng, code, quarter)
            for kind, figures in zip(kinds, _reports(rng, code, staff), strict=True):
                reports.append([code, quarter, kind, *figures])
            if (code, quarter) not in NO_HEADCOUNT:
                staff_rows.append([code, quarter, staff])
            expected = staff / 1000 * TALKS_PER_1000 / 4
            talks += [[code, quarter, subject, int(rng.poisson(expected * share))]
                      for subject, share in SUBJECT_SHARES.items()]  # fmt: skip
        received = submission_deadline(quarter) - timedelta(days=draw.randint(0, 10))
        files = (
            ("meldingen", ["departement", "periode", "soort", *REPORT_MEASURES], reports),
            ("omvang", ["departement", "periode", "medewerkers"], staff_rows),
            ("vertrouwenspersonen", ["departement", "periode", "onderwerp", "gesprekken"], talks),
        )
        for kind, columns, rows in files:
            name = f"{quarter}_{kind}.csv"
            _write(out / name, columns, rows, excel=kind == "meldingen" and quarter == "2025-Q2")
            receipts[name] = received
    receipts.update(_year_report_data(out, last))
    return receipts


def _outcomes(rng: np.random.Generator, row: list[str]) -> list[object]:
    """Ongegrond, niet vast te stellen (together afgerond minus gegrond) and settled without
    an investigation, for one row of `meldingen`."""
    reported, investigated, completed, established = (int(str(v)) for v in row[3:7])
    unfounded = int(rng.binomial(completed - established, 0.75))
    settled = int(rng.binomial(max(0, reported - investigated), 0.5))
    return [unfounded, completed - established - unfounded, settled]


def _measure_rows(
    rng: np.random.Generator, code: str, quarter: str, imposed: int, established: int
) -> list[list[object]]:
    """Measures by kind: the disciplinary ones add up to kind 5's `maatregelen` (except
    where `MEASURES_DIFFER`), the others follow the established violations."""
    kinds = [m.code for m in catalog.measures()]
    disciplinary = [m.code for m in catalog.measures() if m.disciplinair]
    shares = np.array([DISCIPLINARY.get(k, 0.0) for k in disciplinary])
    total = imposed + (1 if (code, quarter) in MEASURES_DIFFER else 0)
    counts = dict(zip(disciplinary, rng.multinomial(total, shares / shares.sum()), strict=True))
    for kind, share in OTHER_MEASURES.items():
        counts[kind] = int(rng.binomial(established, share))
    return [[code, quarter, kind, int(counts.get(kind, 0))] for kind in kinds]


def _year_report_data(out: Path, last: str) -> dict[str, date]:
    """Kind 5's outcome columns and kind 6's scope added to the files written above, the
    quarter files of `maatregelen`, and `jaarcijfers` for every completed year."""
    rng = np.random.default_rng(YEAR_SEED)
    receipts: dict[str, date] = {}
    staff_of: dict[tuple[str, str], int] = {}
    for quarter in quarters_between(FIRST_QUARTER, last):
        reports_path = out / f"{quarter}_meldingen.csv"
        excel = quarter == "2025-Q2"
        encoding = "windows-1252" if excel else "utf-8"
        delimiter = ";" if excel else ","
        rows = list(csv.reader(io.StringIO(reports_path.read_bytes().decode(encoding)),
                               delimiter=delimiter))  # fmt: skip
        header, body = rows[0], rows[1:]
        extended = [
            [*row, *(_outcomes(rng, row) if row[0] not in NO_OUTCOMES else ["", "", ""])]
            for row in body
        ]
        _write(reports_path, [*header, *REPORT_OUTCOMES], extended, excel=excel)
        imposed: dict[str, list[int]] = {}
        for row in body:
            totals = imposed.setdefault(row[0], [0, 0])
            totals[0] += int(row[7])
            totals[1] += int(row[6])
        measures: list[list[object]] = []
        for code, (count, established) in imposed.items():
            if code not in NO_MEASURES or quarter >= "2025-Q1":
                measures += _measure_rows(rng, code, quarter, count, established)
        name = f"{quarter}_maatregelen.csv"
        _write(out / name, ["departement", "periode", "maatregel", "aantal"], measures, False)
        receipts[name] = submission_deadline(quarter) - timedelta(days=2)
        staff_path = out / f"{quarter}_omvang.csv"
        staff = list(csv.reader(io.StringIO(staff_path.read_text(encoding="utf-8"))))
        scoped: list[list[object]] = []
        for code, periode, headcount in staff[1:]:
            staff_of[(code, periode)] = int(headcount)
            scope = (
                ""
                if code in UNSAID_SCOPE
                else ("kerndepartement" if code in CORE_ONLY else "ministerie")
            )
            scoped.append([code, periode, headcount, scope])
        _write(staff_path, ["departement", "periode", "medewerkers", "reikwijdte"], scoped, False)
    for year in range(int(FIRST_QUARTER[:4]), int(last[:4])):
        if f"{year}-Q4" > last:
            break
        rows_of_year: list[list[object]] = []
        for code in sorted({c for c, p in staff_of if p.startswith(str(year))}):
            person_years = sum(n for (c, p), n in staff_of.items()
                               if c == code and p.startswith(str(year))) / 4  # fmt: skip
            for subject, rate in PER_1000_A_YEAR.items():
                if (code, subject) not in LEFT_OUT:
                    count = int(rng.poisson(person_years / 1000 * rate))
                    if subject in FLOOR:  # every ministry has an adviser and a session
                        count = max(FLOOR[subject], count)
                    rows_of_year.append([code, year, subject, count])
        name = f"{year}_jaarcijfers.csv"
        _write(out / name, ["departement", "jaar", "onderwerp", "aantal"], rows_of_year, False)
        receipts[name] = date(year + 1, 2, 15)
    return receipts
