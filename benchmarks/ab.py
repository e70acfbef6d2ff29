"""`python -m benchmarks.ab --against REV`: the hot-path figures of this tree and of an earlier
revision, measured side by side in ONE run (alternating, so both see the same machine load).

    .venv/bin/python -m benchmarks.ab --against 27aac58 [--cells 1000] [--keys 150] [--runs 3]

Prints a table: enter_cell p50 (SQLite, the service alone), Enter key-to-screen p50 (the app
in a pseudo-terminal) and cold start to the sign-in screen and to the round grid (median of
`--colds` starts, vs a bare Textual app), median of the runs, for each tree. The earlier revision is checked out
with `git worktree` into a temporary folder and run with the same interpreter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import json, sys, tempfile
from pathlib import Path
import encore_tui
from benchmarks.service_bench import bench_sqlite, percentile
from benchmarks.app_bench import cold_start, key_figures
cells, keys, colds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t = bench_sqlite(cells)
with tempfile.TemporaryDirectory() as d:
    k = key_figures(Path(d), keys)
    (Path(d) / "cold").mkdir()
    c = cold_start(Path(d) / "cold", colds)
print(json.dumps({"from": encore_tui.__file__, "cell_p50": percentile(t, 50) * 1000,
                  "enter_p50": k["enter_p50"], "digit_ms": k["digit_ms"],
                  "signin_s": c["signin"], "grid_s": c["grid"], "bare_s": c["bare"]}))
"""


def measure(tree: Path, cells: int, keys: int, colds: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(cells), str(keys), str(colds)],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark in {tree} failed:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if not res["from"].startswith(str(tree)):
        raise SystemExit(f"{tree}: imported encore_tui from {res['from']}, not from the tree")
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", required=True, help="git revision to compare with (e.g. 27aac58)")
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--keys", type=int, default=150)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--colds", type=int, default=3, help="cold starts per run (median)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        old = Path(d) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), a.against], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        try:
            got: dict[str, list[dict]] = {"old": [], "new": []}
            for i in range(a.runs):
                for name, tree in (
                    (("old", old), ("new", ROOT)) if i % 2 == 0 else (("new", ROOT), ("old", old))
                ):
                    got[name].append(measure(tree, a.cells, a.keys, a.colds))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("cell_p50", "enter_p50", "digit_ms", "signin_s", "grid_s", "bare_s")}
           for n, rs in got.items()}  # fmt: skip
    print(f"| figure (median of {a.runs} runs, alternating) | {a.against} | this tree |")
    print("|---|---|---|")
    print(
        f"| enter_cell p50, SQLite ({a.cells} cells) | {med['old']['cell_p50']:.2f} ms | {med['new']['cell_p50']:.2f} ms |"
    )
    print(
        f"| Enter key-to-screen p50 ({a.keys} Enters) | {med['old']['enter_p50']:.1f} ms | {med['new']['enter_p50']:.1f} ms |"
    )
    print(
        f"| digit key-to-screen median | {med['old']['digit_ms']:.1f} ms | {med['new']['digit_ms']:.1f} ms |"
    )
    print(
        f"| cold start to sign-in (bare Textual app) | {med['old']['signin_s']:.2f} s ({med['old']['bare_s']:.2f} s)"
        f" | {med['new']['signin_s']:.2f} s ({med['new']['bare_s']:.2f} s) |"
    )
    print(f"| cold start to the round grid | {med['old']['grid_s']:.2f} s | {med['new']['grid_s']:.2f} s |")
    for name, rs in got.items():
        runs = ", ".join(f"{r['cell_p50']:.2f} ms / {r['enter_p50']:.1f} ms" for r in rs)
        print(f"{a.against if name == 'old' else 'this tree'}: each run (enter_cell p50 / Enter p50): {runs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
