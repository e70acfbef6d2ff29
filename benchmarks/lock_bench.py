"""What the portable write lock costs over the raw `flock` it replaced (Linux).

    .venv/bin/python -m benchmarks.lock_bench [--n 20000] [--runs 5]

Every SQLite write transaction takes the store's lock once (`portable.exclusive`: open the
lock file, `filelock.lock_descriptor`, unlock, close); before, the engine called `fcntl.flock`
itself. Both are timed alternately on one file, uncontended, and the median of the runs is
printed in µs per lock + unlock.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import statistics
import tempfile
import time
from pathlib import Path

from encore_tui.base import portable


def raw_flock(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def portable_lock(path: Path) -> None:
    with portable.exclusive(path, 10.0, lambda: RuntimeError("busy")):
        pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.lock"
        times: dict[str, list[float]] = {"fcntl.flock (before)": [], "portable.exclusive": []}
        for _ in range(args.runs):
            for name, fn in (("fcntl.flock (before)", raw_flock), ("portable.exclusive", portable_lock)):
                t = time.perf_counter()
                for _ in range(args.n):
                    fn(path)
                times[name].append((time.perf_counter() - t) / args.n * 1e6)
    for name, v in times.items():
        print(f"{name}: {statistics.median(v):.1f} µs per lock + unlock (median of {args.runs} x {args.n})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
