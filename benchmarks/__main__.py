"""`python -m benchmarks [--smoke] [--no-write]`: every figure of issue 8 in one table, written to
docs/benchmarks.md with the machine it ran on. Medians over repeated runs; "vs" figures are
measured side by side in the same run. No figure here is a pass/fail test."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (
        f"{platform.node()}: {os.cpu_count()} × {cpu}, {mem:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average at start {load:.2f}"
    )


def receiver_rows(smoke: bool) -> list[dict]:
    args = ["--acs", "2", "--rounds", "3"] if smoke else []
    out = subprocess.run(
        [sys.executable, "benchmarks/receiver_ingest.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    rows = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if parts and parts[0].split("/")[0] in ("SQLite", "PostgreSQL") and len(parts) >= 8:
            per_s = float(parts[4])
            store, _, workers = parts[0].partition("/")
            procs = workers.removesuffix("w")
            rows.append(
                {
                    "figure": f"receiver ingest, 8 concurrent signed clients, {store}, {procs} worker process(es)",
                    "value": f"{per_s:.0f} pushes/s (p50 {parts[5]} ms, p95 {parts[6]} ms)",
                    "target": "≥ 500 /s",
                    "met": per_s >= 500,
                }
            )
    if not rows:
        rows.append(
            {
                "figure": "receiver ingest",
                "value": f"failed: {out.stderr.strip()[-200:]}",
                "target": "≥ 500 /s",
                "met": False,
            }
        )
    return rows


def receiver_read_rows(smoke: bool) -> list[dict]:
    """Issue 14: /board and /v1/acs/{ac}, 64 concurrent readers while pushes arrive, as an AC's
    history grows from 30 to 600 messages."""
    args = ["--history", "30", "--acs", "2", "--seconds", "2"] if smoke else ["--history", "30", "600"]
    out = subprocess.run(
        [sys.executable, "benchmarks/receiver_read.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    rows = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[0].isdigit():
            per_s, p95 = float(parts[3]), float(parts[5])
            rows.append(
                {
                    "figure": f"receiver read side, 64 readers (/board, /v1/acs/{{ac}}) while pushes arrive, "
                    f"{parts[0]} messages per AC",
                    "value": f"{per_s:.0f} req/s (p50 {parts[4]} ms, p95 {p95:.1f} ms; {parts[6]} pushes/s meanwhile)",
                    "target": "≥ 2,000 req/s, p95 < 50 ms",
                    "met": per_s >= 2000 and p95 < 50,
                }
            )
    if not rows:
        rows.append(
            {
                "figure": "receiver read side",
                "value": f"failed: {out.stderr.strip()[-200:]}",
                "target": "≥ 2,000 req/s, p95 < 50 ms",
                "met": False,
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "–"}[r["met"]]
        lines.append(f"| {r['figure']} | {r['value']} | {r['target']} | {met} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, to check the suite still works")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite docs/benchmarks.md")
    a = ap.parse_args()
    from benchmarks import app_bench, replay_bench, service_bench
    from benchmarks import training as training_bench

    head = machine()
    rows = (
        service_bench.run(a.smoke)
        + app_bench.run(a.smoke)
        + receiver_rows(a.smoke)
        + receiver_read_rows(a.smoke)
        + training_bench.rows(a.smoke)
        + replay_bench.rows(a.smoke)
    )
    text = table(rows)
    print(f"\n{head}\n\n{text}\n")
    if not a.no_write and not a.smoke:
        doc = ROOT / "docs" / "benchmarks.md"
        notes = ""
        if doc.exists() and "<!-- notes -->" in doc.read_text():
            notes = doc.read_text().split("<!-- notes -->", 1)[1]
        doc.write_text(
            f"# Benchmarks\n\n`python -m benchmarks` ({dt.date.today()}), on {head}.\n\n{text}\n\n"
            f"<!-- notes -->{notes or chr(10)}"
        )
        print(f"written to {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
