"""A seeded national-scale data set: about 400 organisations, twelve quarters, two survey waves.

Five municipal mergers on 1 January 2025 put predecessors in the data, as in real life.

Municipalities, provinces, water boards and executive agencies with synthetic names,
in a catalogue used through `$INTEGRITEIT_ORGANISATIES` with no code change. One file
per organisation per quarter (norm scores) and per wave (survey, response), as the
organisations would send them. Run: `python -m scripts.national_samples --out MAP`.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Sequence
from pathlib import Path

from etl.domain import catalog
from etl.domain.periods import quarter_end, quarter_start, quarters_between

SEED = 400
QUARTERS = quarters_between("2023-Q4", "2026-Q3")
WAVES = ("2023-Q4", "2025-Q4")
LAYERS = (
    ("GM", "gemeente", "Gemeente", 342),
    ("PV", "provincie", "Provincie", 12),
    ("WS", "waterschap", "Waterschap", 21),
    ("UO", "uitvoeringsorganisatie", "Dienst", 25),
)
SYLLABLES = ("berg", "dam", "veen", "hoven", "wijk", "horst", "lo", "zand", "broek", "meer", "dijk")
# Municipal mergers (herindelingen) on 1 January 2025: two municipalities each become a new
# one, which names the first as its predecessor, so trends run through lineage at scale.
MERGED_ON = "2025-01-01"
MERGERS = 5


def organisations(rng: random.Random) -> list[dict[str, str]]:
    rows = [
        {
            "code": "RIJK",
            "naam": "Alle organisaties samen",
            "soort": "rijksbreed",
            "geldig_van": "",
            "geldig_tot": "",
            "voorganger": "",
        }
    ]
    for prefix, kind, label, count in LAYERS:
        for number in range(1, count + 1):
            name = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
            rows.append(
                {
                    "code": f"{prefix}{number:04d}",
                    "naam": f"{label} {name}",
                    "soort": kind,
                    "geldig_van": "",
                    "geldig_tot": "",
                    "voorganger": "",
                }
            )
    municipalities = [row for row in rows if row["code"].startswith("GM")]
    for index in range(MERGERS):
        first, second = municipalities[-2 * (index + 1)], municipalities[-2 * index - 1]
        first["geldig_tot"] = second["geldig_tot"] = "2024-12-31"
        name = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        rows.append(
            {
                "code": f"GM{len(municipalities) + index + 1:04d}",
                "naam": f"Gemeente {name}",
                "soort": "gemeente",
                "geldig_van": MERGED_ON,
                "geldig_tot": "",
                "voorganger": first["code"],
            }
        )
    return rows


def _exists_in(org: dict[str, str], quarter: str) -> bool:
    start, end = quarter_start(quarter).isoformat(), quarter_end(quarter).isoformat()
    return (org["geldig_van"] or start) <= end and (org["geldig_tot"] or end) >= start


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _werking(folder: Path, rng: random.Random, code: str, staff: int, quarters: list[str]) -> None:
    """Reports by type, the headcount and the advisers' conversations of one organisation, one
    file per kind and quarter (counts drawn around 8 reports per 1,000 employees a year)."""
    kinds = [t.code for t in catalog.violation_types()]
    subjects = [s.code for s in catalog.adviser_subjects()]
    for quarter in quarters:
        reports = []
        for kind in kinds:
            reported = sum(rng.random() < staff / 1000 * 2 / len(kinds) / 20 for _ in range(20))
            done = min(reported, rng.randint(0, reported + 1))
            established = rng.randint(0, done)
            reports.append([code, quarter, kind, reported, reported, done, established,
                            established, 0])  # fmt: skip
        _write(folder / f"{quarter}_meldingen_{code}.csv",
               ["departement", "periode", "soort", "meldingen", "onderzoeken", "afgerond",
                "gegrond", "maatregelen", "aangiften"], reports)  # fmt: skip
        _write(folder / f"{quarter}_omvang_{code}.csv", ["departement", "periode", "medewerkers"],
               [[code, quarter, staff]])  # fmt: skip
        _write(folder / f"{quarter}_vertrouwenspersonen_{code}.csv",
               ["departement", "periode", "onderwerp", "gesprekken"],
               [[code, quarter, subject, rng.randint(0, 6)] for subject in subjects])  # fmt: skip


def generate(
    out: Path, quarters: Sequence[str] = QUARTERS, waves: Sequence[str] = WAVES
) -> tuple[Path, Path]:
    """Write the catalogue and the submissions; returns (catalogue, submissions folder).

    Fewer quarters or waves make a quick national set for the browser test.
    """
    rng = random.Random(SEED)
    out.mkdir(parents=True, exist_ok=True)
    folder = out / "aanleveringen"
    folder.mkdir(exist_ok=True)
    for stale in folder.glob("*.csv"):
        stale.unlink()
    orgs = organisations(rng)
    catalogue = out / "organisaties.csv"
    _write(catalogue, list(orgs[0]), [list(row.values()) for row in orgs])
    labels = {2: "voldoet", 1: "voldoet deels", 0: "voldoet niet"}
    items = catalog.survey_items()
    scales = catalog.survey_scales()
    for org in orgs[1:]:
        code = org["code"]
        state = {n: rng.choice([0, 1, 1, 2, 2]) for n in range(1, 16)}
        for quarter in [q for q in quarters if _exists_in(org, q)]:
            state = {n: min(2, s + (rng.random() < 0.1)) for n, s in state.items()}
            rows = [
                [code, quarter, n, labels[s] if rng.random() > 0.02 else "", ""]
                for n, s in state.items()
            ]
            _write(
                folder / f"{quarter}_{code}.csv",
                ["departement", "periode", "norm", "oordeel", "toelichting"],
                rows,
            )
        size = rng.choice([60, 120, 300, 800, 2500])
        _werking(folder, rng, code, size * 5, [q for q in quarters if _exists_in(org, q)])
        for wave in [w for w in waves if _exists_in(org, w)]:
            staff, managers = round(size * 0.2), round(size * 0.02)
            counts = []
            for groep, n in (("medewerkers", staff), ("leidinggevenden", managers)):
                for item in items:
                    if item.doelgroep not in ("alle", groep):
                        continue
                    answers = [a.code for a in scales[item.schaal]]
                    split = [rng.random() for _ in answers]
                    total = sum(split)
                    for answer, part in zip(answers, split, strict=True):
                        counts.append(
                            [code, wave, groep, item.item, answer, round(n * part / total)]
                        )
            _write(
                folder / f"{wave}_enquete_{code}.csv",
                ["departement", "periode", "groep", "item", "antwoord", "aantal"],
                counts,
            )
            _write(
                folder / f"{wave}_respons_{code}.csv",
                ["departement", "periode", "groep", "uitgenodigd", "deelgenomen"],
                [
                    [code, wave, "medewerkers", size, staff],
                    [code, wave, "leidinggevenden", size // 10, managers],
                ],
            )
    return catalogue, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/nationaal"))
    catalogue, folder = generate(parser.parse_args().out)
    print(f"{len(list(folder.glob('*.csv')))} bestanden in {folder}; catalogus {catalogue}.")


if __name__ == "__main__":
    main()
