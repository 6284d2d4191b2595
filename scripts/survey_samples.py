"""Seeded survey samples: `enquete` and `respons` files for the 2023 and 2025 waves.

Sized like the Court of Audit's 2023 survey (18,502 invitations at the core ministries
plus 1,642 at Defence, about 22% response) and built so the respondent-weighted
government-wide 2023 results reproduce DOMAIN.md: 76% on VBG1, about 2 in 3 on CUL1,
33% bijna_geen on CUL3, 40% on CUL4, 11% ja on MEL1, 15% structureel on LEI1. Each
ministry deviates from those figures by an effect that is centred on zero when
weighted by respondents, so the weighted total lands on the target. Algemene Zaken
is small enough that its managers, and its MEL2 answers, fall below the threshold.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etl.domain import catalog

SEED = 20231130
WAVES = {"2023-Q4": date(2023, 12, 8), "2025-Q4": date(2025, 12, 12)}

# Invitations per ministry and wave (2023 sums to 18,502 + 1,642 Defence).
INVITED = {
    "2023-Q4": {
        "AZ": 180, "BZ": 2300, "BZK": 2100, "DEF": 1642, "EZK": 1900, "FIN": 2300, "IenW": 2000,
        "JenV": 2600, "LNV": 1500, "OCW": 1500, "SZW": 1200, "VWS": 922,
    },
    "2025-Q4": {
        "AZ": 185, "BZ": 2250, "BZK": 1700, "DEF": 1700, "EZ": 1150, "KGG": 800, "FIN": 2350,
        "IenW": 2050, "JenV": 2200, "LVVN": 1550, "OCW": 1500, "SZW": 1250, "VWS": 950,
        "VRO": 650, "AenM": 700,
    },
}  # fmt: skip
MANAGER_SHARE = 0.11

# Government-wide answer shares per item in 2023; the first answers are the headline ones.
TARGETS: dict[str, dict[str, float]] = {
    "COM1": {"eens": 0.44, "helemaal_eens": 0.16, "neutraal": 0.22, "oneens": 0.10, "helemaal_oneens": 0.03, "weet_niet": 0.05},
    "BEK1": {"eens": 0.48, "helemaal_eens": 0.22, "neutraal": 0.16, "oneens": 0.08, "helemaal_oneens": 0.02, "weet_niet": 0.04},
    "BEK2": {"eens": 0.50, "helemaal_eens": 0.25, "neutraal": 0.12, "oneens": 0.08, "helemaal_oneens": 0.02, "weet_niet": 0.03},
    "CUL1": {"eens": 0.47, "helemaal_eens": 0.20, "neutraal": 0.18, "oneens": 0.09, "helemaal_oneens": 0.03, "weet_niet": 0.03},
    "CUL2": {"eens": 0.48, "helemaal_eens": 0.22, "neutraal": 0.17, "oneens": 0.08, "helemaal_oneens": 0.02, "weet_niet": 0.03},
    "CUL3": {"bijna_geen": 0.33, "enkele": 0.38, "regelmatig": 0.20, "bijna_alle": 0.05, "weet_niet": 0.04},
    "CUL4": {"bijna_geen": 0.40, "enkele": 0.30, "regelmatig": 0.20, "bijna_alle": 0.06, "weet_niet": 0.04},
    "MEL1": {"ja": 0.11, "nee": 0.85, "weet_niet": 0.04},
    "MEL2": {"formeel_gemeld": 3 / 11, "niet_gemeld": 8 / 11},
    "VBG1": {"eens": 0.46, "helemaal_eens": 0.30, "neutraal": 0.12, "oneens": 0.06, "helemaal_oneens": 0.03, "weet_niet": 0.03},
    "VBG2": {"eens": 0.30, "helemaal_eens": 0.12, "neutraal": 0.32, "oneens": 0.07, "helemaal_oneens": 0.03, "weet_niet": 0.16},
    "VBG3": {"eens": 0.29, "helemaal_eens": 0.12, "neutraal": 0.33, "oneens": 0.07, "helemaal_oneens": 0.03, "weet_niet": 0.16},
    "VBG4": {"eens": 0.28, "helemaal_eens": 0.12, "neutraal": 0.30, "oneens": 0.06, "helemaal_oneens": 0.02, "weet_niet": 0.22},
    "RIS1": {"eens": 0.50, "helemaal_eens": 0.30, "neutraal": 0.12, "oneens": 0.04, "helemaal_oneens": 0.01, "weet_niet": 0.03},
    "RIS2": {"eens": 0.42, "helemaal_eens": 0.13, "neutraal": 0.25, "oneens": 0.10, "helemaal_oneens": 0.03, "weet_niet": 0.07},
    "LEI1": {"structureel": 0.15, "op_verzoek": 0.55, "onvoldoende": 0.18, "weet_niet": 0.12},
}  # fmt: skip
IMPROVEMENT_2025 = 0.03  # the 2025 wave improves by a few points...
NEGATIVE_HEADLINES = {"CUL3", "CUL4", "MEL1"}  # ...which for these means a lower headline
DUTCH_EXCEL = {"FIN", "DEF", "LVVN", "LNV", "OCW", "AenM"}


@dataclass(frozen=True)
class Group:
    code: str
    groep: str
    invited: int
    respondents: int


def _round_to(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Counts that add up to `total`, by largest remainder."""
    raw = {k: total * v for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for key in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[
        : total - sum(counts.values())
    ]:
        counts[key] += 1
    return counts


def _shift(shares: dict[str, float], headline: list[str], delta: float) -> dict[str, float]:
    """Move `delta` of probability mass into (or out of) the headline answers, proportionally."""
    head = sum(shares[k] for k in headline)
    rest = 1 - head
    new_head = min(max(head + delta, 0.01), 0.99)
    return {
        k: (v / head * new_head if k in headline else v / rest * (1 - new_head))
        for k, v in shares.items()
    }


def _groups(rng: random.Random, wave: str) -> list[Group]:
    groups = []
    for code, invited in INVITED[wave].items():
        rate = rng.uniform(0.19, 0.27)
        managers = round(invited * MANAGER_SHARE)
        for groep, size in (("medewerkers", invited - managers), ("leidinggevenden", managers)):
            groups.append(Group(code, groep, size, round(size * rate)))
    return groups


def _effects(rng: random.Random, groups: list[Group], spread: float) -> dict[str, float]:
    """Per-ministry deviations, centred on zero when weighted by respondents."""
    raw = {code: rng.uniform(-spread, spread) for code in sorted({g.code for g in groups})}
    weights = {code: sum(g.respondents for g in groups if g.code == code) for code in raw}
    mean = sum(raw[c] * weights[c] for c in raw) / sum(weights.values())
    return {code: value - mean for code, value in raw.items()}


def survey_rows(rng: random.Random, wave: str) -> tuple[list[dict[str, object]], list[Group]]:
    """Counts per ministry, group, item and answer for one wave."""
    groups = _groups(rng, wave)
    effects = _effects(rng, groups, 0.07)
    # Each block also varies on its own, so blocks correlate across ministries, not perfectly.
    blocks = sorted({item.blok for item in catalog.survey_items()})
    block_effects = {block: _effects(rng, groups, 0.05) for block in blocks}
    managers = sum(g.respondents for g in groups if g.groep == "leidinggevenden")
    staff = sum(g.respondents for g in groups if g.groep == "medewerkers")
    group_effect = {"leidinggevenden": 0.04, "medewerkers": -0.04 * managers / staff}
    items = {item.item: item for item in catalog.survey_items()}
    scales = catalog.survey_scales()
    rows: list[dict[str, object]] = []
    for group in groups:
        answered: dict[str, dict[str, int]] = {}
        for code, target in TARGETS.items():
            item = items[code]
            if item.doelgroep not in ("alle", group.groep):
                continue
            headline = [a.code for a in scales[item.schaal] if a.kopcijfer]
            # Managers rate a little higher than staff, except on their own item.
            delta = effects[group.code] + block_effects[item.blok][group.code]
            delta += 0 if code == "LEI1" else group_effect[group.groep]
            if wave != "2023-Q4":
                delta += -IMPROVEMENT_2025 if code in NEGATIVE_HEADLINES else IMPROVEMENT_2025
            n = answered["MEL1"]["ja"] if code == "MEL2" else group.respondents
            answered[code] = _round_to(n, _shift(target, headline, delta))
            for answer, count in answered[code].items():
                if count or rng.random() < 0.5:  # Excel users often leave zero rows out
                    rows.append({"departement": group.code, "periode": wave, "groep": group.groep,
                                 "item": code, "antwoord": answer, "aantal": count})  # fmt: skip
    return rows, groups


def _write(path: Path, columns: list[str], rows: list[list[object]], code: str) -> None:
    buffer = io.StringIO(newline="")
    if code in DUTCH_EXCEL:
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.title() for c in columns])
        writer.writerows(rows)
        path.write_bytes(buffer.getvalue().encode("windows-1252"))
    else:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        path.write_bytes(buffer.getvalue().encode("utf-8"))


def generate_survey(out: Path) -> dict[str, date]:
    """Write the survey and response files; returns their receipt dates by file name."""
    rng = random.Random(SEED)
    receipts: dict[str, date] = {}
    for wave, received in WAVES.items():
        rows, groups = survey_rows(rng, wave)
        for code in INVITED[wave]:
            name = f"{wave}_enquete_{code}.csv"
            columns = ["departement", "periode", "groep", "item", "antwoord", "aantal"]
            mine = [[r[c] for c in columns] for r in rows if r["departement"] == code]
            _write(out / name, columns, mine, code)
            receipts[name] = received
            name = f"{wave}_respons_{code}.csv"
            columns = ["departement", "periode", "groep", "uitgenodigd", "deelgenomen"]
            response = [
                [g.code, wave, g.groep, g.invited, g.respondents] for g in groups if g.code == code
            ]
            _write(out / name, columns, response, code)
            receipts[name] = received
    return receipts
