"""`python -m benchmarks.profile_enter [N] [--out FILE]`: where an Enter's time goes in the grid.

Types N of Gummidipoondi's figures (digits, Enter) into round 1 through Textual's Pilot, headless,
under cProfile, and prints the functions of encore_tui by cumulative time with their call counts.
Run it in two trees (PYTHONPATH=<tree>) and compare the columns, or load the saved profiles
(--out) with pstats. The Pilot's own pauses dominate wall time: read the encore_tui rows.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import pstats
import tempfile
from pathlib import Path

from benchmarks.app_bench import make_store
from benchmarks.service_bench import AC_DIR
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.store import open_store


async def profile_enters(n: int) -> cProfile.Profile:
    rows = list(csv.DictReader((AC_DIR / "form20_polling_stations.csv").open()))
    with tempfile.TemporaryDirectory() as d:
        store = open_store(make_store(Path(d)), create=False)
        app = EncoreApp(store, Settings())
        prof = cProfile.Profile()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"operator", "enter")
            await pilot.press(*"1111", "enter")
            await pilot.pause()
            await pilot.press("down")
            await pilot.pause()
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            prof.enable()
            for i in range(n):
                await pilot.press(*rows[i // 14 % len(rows)][f"c{i % 12 + 1}"], "enter")
            await pilot.pause()
            prof.disable()
        store.close()
    return prof


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=150, help="Enters to type (default 150)")
    ap.add_argument("--out", help="also save the profile here (pstats format)")
    ap.add_argument("--top", type=int, default=30)
    a = ap.parse_args(argv)
    prof = asyncio.run(profile_enters(a.n))
    if a.out:
        prof.dump_stats(a.out)
    stats = pstats.Stats(prof)
    rows = [
        (ct, nc, f"{Path(f).name}:{name}")
        for (f, _line, name), (_cc, nc, _tt, ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
        if "encore_tui" in f
    ]
    print(f"| encore_tui function | calls | cumulative ms | per Enter ms ({a.n} Enters) |")
    print("|---|---|---|---|")
    for ct, nc, name in sorted(rows, reverse=True)[: a.top]:
        print(f"| {name} | {nc} | {ct * 1000:.0f} | {ct * 1000 / a.n:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
