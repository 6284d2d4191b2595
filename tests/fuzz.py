"""A seeded generator of mutated submission files, for the fuzz run of the hardening issue.

Each file starts from a real sample (norm scores, survey counts, response) and gets one to
three mutations of the kinds an attacker or a clumsy spreadsheet produces: bytes flipped,
cut or repeated; digits in other scripts; ligatures; numbers beyond the storage type or with
thousands of digits; control characters; other delimiters, encodings and line ends; blank
lines and empty columns; formulas; a header twice. `python -m scripts.fuzz` runs 10,000;
`make test` runs a few hundred (`tests/test_fuzz.py`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (
    "sample_submissions/2025-Q3_FIN.csv",
    "sample_submissions/2025-Q4_enquete_AZ.csv",
    "sample_submissions/2025-Q4_respons_AZ.csv",
    "tests/fixtures/normscores_dutch_excel.csv",
    "sample_submissions/2025-Q3_meldingen.csv",
    "sample_submissions/2025-Q3_omvang.csv",
    "sample_submissions/2025-Q3_vertrouwenspersonen.csv",
    "sample_submissions/afspraken.csv",
    "sample_submissions/coordinatie.csv",
    "tests/fixtures/normscores_formules.xlsx",
)
STRANGE = ["٢٠٢٥", "２０２５", "2⁰25", "ﬁ", "Ａ", "\u200b", "\x0b", "\x00", "\r", "\u2028", "😀",
           "=1+1", "'", '"', ";", ",", "\t", "9" * 30, "-1", "2147483648", "1e9", "0x10",
           "1.5", " ", "NaN", "∞", "Ⅻ", "१५", "\u00a0", "\u212a", "\x1c", "\u2003"]  # fmt: skip


def _seeds() -> list[bytes]:
    return [(ROOT / name).read_bytes() for name in SEEDS]


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]


def _cut(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _repeat_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    at = rng.randrange(len(lines))
    return b"".join(lines[: at + 1] + [lines[at]] * rng.randint(1, 3) + lines[at + 1 :])


def _strange_cell(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    at = rng.randrange(len(lines))
    cells = lines[at].split(",") if "," in lines[at] else lines[at].split(";")
    column = rng.randrange(len(cells))
    token = rng.choice(STRANGE)
    cells[column] = rng.choice([token, cells[column] + token, token + cells[column],
                                cells[column].replace("2", token, 1)])  # fmt: skip
    lines[at] = ",".join(cells)
    return "\n".join(lines).encode("utf-8")


def _delimiter(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b",", rng.choice([b";", b"\t", b"|", b",,"]))


def _encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    choice = rng.choice(["cp1252", "utf-16", "utf-8-sig", "latin-1"])
    return text.encode(choice, "replace")


def _line_ends(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", rng.choice([b"\r", b"\r\n", b"\n\n"]))


def _empty_columns(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    extra = b"," * rng.randint(1, 300)
    return b"\n".join(line + extra if line else line for line in lines)


def _header_twice(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[:1] + lines[: rng.randint(1, 2)] + lines[1:])


def _blank_lines(data: bytes, rng: random.Random) -> bytes:
    return b"\n" * rng.randint(1, 3) + data + b"\n" * rng.randint(0, 3)


def _swap_columns(data: bytes, rng: random.Random) -> bytes:
    lines = data.decode("utf-8", "replace").split("\n")
    header = lines[0].split(",")
    if len(header) < 2:
        return data
    a, b = rng.sample(range(len(header)), 2)
    out = []
    for line in lines:
        cells = line.split(",")
        if len(cells) > max(a, b):
            cells[a], cells[b] = cells[b], cells[a]
        out.append(",".join(cells))
    return "\n".join(out).encode("utf-8")


MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [
    _flip, _cut, _repeat_line, _strange_cell, _strange_cell, _strange_cell, _delimiter,
    _encoding, _line_ends, _empty_columns, _header_twice, _blank_lines, _swap_columns,
]  # fmt: skip


def mutated_files(count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """`count` mutated files (name, bytes), the same for the same seed."""
    rng = random.Random(seed)
    seeds = _seeds()
    for number in range(count):
        index = rng.randrange(len(seeds))
        data = seeds[index]
        for _ in range(rng.randint(1, 3)):
            data = rng.choice(MUTATIONS)(data, rng)
        suffix = ".xlsx" if SEEDS[index].endswith(".xlsx") else ".csv"
        yield f"fuzz_{seed}_{number:05}{suffix}", data


def run(count: int, seed: int, db: Path, batch: int = 500) -> dict[str, int | list[str]]:
    """Validate and load `count` mutated files; report tracebacks and contract breaches.

    A breach is an export of the resulting database that does not validate again: what was
    stored must be what the contract allows, in the contract's own terms.
    """
    import traceback
    from datetime import date

    from etl.intake.validate import validate_bytes
    from etl.reads.readmodel import ReadModel
    from etl.store.load import Source, load_sources

    today = date(2026, 11, 28)
    problems: list[str] = []
    refused = stored = 0
    files = list(mutated_files(count, seed))
    for start in range(0, len(files), batch):
        chunk = files[start : start + batch]
        for name, data in chunk:
            try:
                validate_bytes(data, name, today)
            except Exception:
                problems.append(f"{name}: {traceback.format_exc(limit=3)}")
        try:
            results = load_sources([Source(n, d) for n, d in chunk], db, "fuzz", today)
        except Exception:
            problems.append(f"batch {start}: {traceback.format_exc(limit=3)}")
            continue
        refused += sum(r.status == "geweigerd" for r in results)
        stored += sum(r.status == "opgeslagen" for r in results)
    model = ReadModel(db)
    from etl.reads.export import to_csv

    frames = [("normscores", model.normscores()), ("enquete", model.enquete()),
              ("respons", model.respons()), ("afspraken", model.afspraken()),
              ("coordinatie", model.coordinatie())]  # fmt: skip
    frames += [(kind, model.werking_export(kind))
               for kind in ("meldingen", "omvang", "vertrouwenspersonen")]  # fmt: skip
    for kind, frame in frames:
        if "groep" in frame:  # the government-wide and both-groups rows are derived
            frame = frame[(frame["departement"] != "RIJK") & (frame["groep"] != "alle")]
        if frame.empty:
            continue
        exported = to_csv(frame).encode("utf-8")
        again = validate_bytes(exported, f"export-{kind}.csv", today)
        problems += [f"export {kind}: {f.format()}" for f in again.findings[:5]]
    return {"files": count, "refused": refused, "stored": stored, "problems": problems}
