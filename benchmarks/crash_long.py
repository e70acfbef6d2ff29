"""Long mode of the crash harness: 10,000 SIGKILLs (see tests/crash/harness.py).

    .venv/bin/python benchmarks/crash_long.py [--kills 10000] [--seed 7] [--workdir DIR]

Prints progress every ~10 s and the figures table at the end; exits 1 on any loss, duplicate
or check failure. The figures go into docs/reliability.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.crash.harness import Figures, run  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path)
    a = ap.parse_args()
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="encore-crash-"))
    t0 = time.monotonic()

    def progress(f: Figures) -> None:
        print(
            f"[{time.monotonic() - t0:7.0f}s] kills {f.kills}, acked {f.steps_acknowledged}, "
            f"failures {f.failures}",
            flush=True,
        )

    f = run(a.kills, workdir, seed=a.seed, progress=progress)
    elapsed = time.monotonic() - t0
    import sqlite3

    print(f"\ncrash harness, long mode: seed {a.seed}, SQLite {sqlite3.sqlite_version}, {elapsed:.0f} s")
    print(f.table())
    for p in f.problems:
        print("PROBLEM:", p)
    return 1 if f.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
