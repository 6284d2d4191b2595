"""`make fuzz`: the hardening issue's fuzz run, 10,000 seeded mutated files through
validation and the load path; prints the figures and every problem, exits 1 on any."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from tests import fuzz

COUNT = 10_000
SEED = int(os.environ.get("FUZZ_SEED", "20261128"))  # another seed: other files, same run


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        report = fuzz.run(COUNT, SEED, Path(folder) / "fuzz.duckdb")
    problems = report["problems"]
    assert isinstance(problems, list)
    for problem in problems:
        print(problem)
    seconds = time.perf_counter() - started
    print(
        f"FUZZ files={report['files']} refused={report['refused']} stored={report['stored']} "
        f"problems={len(problems)} seconds={seconds:.0f} seed={SEED}"
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
