"""The benchmark suite's own smoke run (tiny sizes), so `python -m benchmarks` keeps working.

No timing is asserted: only that every figure was measured (a number, not a failure)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FIGURES = [
    "durable commit per cell (enter_cell), SQLite",
    "durable commit per cell (enter_cell), PostgreSQL",
    "cold start to the first interactive screen",
    "key-to-screen, digit in the grid",
    "key-to-screen, Enter (durable save)",
    "bytes to the terminal per digit",
    "peak RSS",
    "time to recover after SIGKILL",
    "Form 20 PDF",
    "receiver ingest, 8 concurrent signed clients, SQLite, 1 worker",
    "receiver ingest, 8 concurrent signed clients, PostgreSQL, 2 worker",
    "scripted trainee through the app (pty 80×24), keys in bursts",
    "replay → one round",
    "replay ← from the end",
    "training watch refresh",
]


@pytest.mark.slow
def test_python_m_benchmarks_smoke_measures_every_figure(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--no-write"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ENCORE_HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [line for line in out.stdout.splitlines() if line.startswith("| ")]
    for figure in FIGURES:
        row = next((r for r in rows if figure in r), None)
        assert row is not None, f"{figure!r} missing from:\n{out.stdout}"
        measured = row.split("|")[2]
        assert re.search(r"\d", measured) and "failed" not in measured, row
