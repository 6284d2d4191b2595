"""Seeded samples of how policy works: `meldingen`, `omvang` and `vertrouwenspersonen` for
every ministry and quarter from 2024-Q1 (contract kinds 5-7).

Sized like the real ministries, which differ more than a hundredfold in headcount
(Algemene Zaken about 500, Defensie about 70,000), so Algemene Zaken's counts are mostly
0 to 4 in a quarter (the privacy rule's case) and Defensie's run into the dozens. Reports
are drawn per type from a government-wide rate of about 8 per 1,000 employees a year
(omgangsvormen the largest type), then down the handling chain (onderzocht, afgerond,
gegrond, maatregel, aangifte). The new ministries of July 2024 send no headcount for their
first quarter: a quarter with reports but no headcount, shown without a rate. Invented
figures, not the Rijk's.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from etl import catalog
from etl.kinds import REPORT_MEASURES
from etl.periods import quarter_end, quarter_start, quarters_between, submission_deadline

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
    return receipts
