"""What measuring Devanagari as the terminal does costs (widgets/cells.py):

- `cells.install()` at app start (wcwidth import, Rich's width table rewritten), in a fresh
  interpreter, median of runs;
- one grid line rendered (`TallyGrid._render`, the strip cache bypassed) with Hindi labels vs
  the same grid with Latin labels, 40 candidates × 14 tables, median µs per line.

`python benchmarks/hindi_cells.py [--runs N]`; prints the figures (no pass/fail).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the app has imported Textual (and so Rich) by then: only the install itself is timed
INSTALL = (
    "import time, textual.app, rich.cells; from encore_tui.widgets import cells; "
    "t = time.perf_counter(); cells.install(); print(time.perf_counter() - t)"
)


def install_ms(runs: int) -> float:
    out = [
        float(
            subprocess.run([sys.executable, "-c", INSTALL], capture_output=True, text=True, check=True).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(out) * 1000


async def line_us(hindi: bool, runs: int) -> float:
    from textual.app import App

    from encore_tui.widgets import cells
    from encore_tui.widgets.tally_grid import TallyGrid

    cells.install()
    name = "श्याम सुन्दर पासवान" if hindi else "SHYAM SUNDAR PASWAN"
    labels = [(f"c{i}", f"{i:>2} {cells.fit(name, 12)} IND") for i in range(1, 41)]
    labels += [("nota", "   NOTA"), ("total", "   " + ("कुल (CU)" if hindi else "Total (CU)"))]
    tables = [(i, str(i)) for i in range(1, 15)]

    class Bench(App):
        def compose(self):
            yield TallyGrid(labels, tables)

    app = Bench()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(TallyGrid)
        await pilot.pause()
        lines = range(len(grid._gen))
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            for line in lines:
                grid._render(line, 80)
            times.append((time.perf_counter() - t) / len(lines))
    return statistics.median(times) * 1e6


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=30)
    runs = p.parse_args().runs
    print(f"cells.install() in a fresh interpreter: {install_ms(min(runs, 9)):.1f} ms (median)")
    latin = asyncio.run(line_us(False, runs))
    hindi = asyncio.run(line_us(True, runs))
    print(f"grid line render, 40 candidates × 14 tables: Latin {latin:.0f} µs, Hindi {hindi:.0f} µs per line")


if __name__ == "__main__":
    main()
