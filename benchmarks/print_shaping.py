"""`python benchmarks/print_shaping.py [--runs N]`: what shaping by script runs costs a print
(issue 16), side by side in one process: the same documents of the Gummidipoondi AC (every
official figure imported) rendered with the script-run shaper and with fpdf2's own (one harfbuzz
buffer per fragment, the script guessed). CPU seconds (the machine is shared), median of N."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from encore_tui import services
from encore_tui.printing import api, shaping
from encore_tui.services.importing import read_form20_dir
from encore_tui.services.users import admin_actor
from encore_tui.store import open_store

AC_DIR = Path(__file__).resolve().parent.parent / "encore_tui" / "demo_data" / "gummidipoondi"
DOCUMENTS = (("form20", {}), ("round", {"round_no": 1}), ("form21c", {}), ("form21e", {}))


def cpu_seconds(store, ac_id: int, what: str, kw: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.process_time()
        api.render(store, ac_id, what, **kw)
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    runs = ap.parse_args().runs
    with tempfile.TemporaryDirectory() as d:
        store = open_store(Path(d) / "bench.db")
        imp = read_form20_dir(AC_DIR)
        ac_id = services.create_ac(store, imp.setup, admin_actor())
        services.import_results(store, ac_id, imp.station_values, imp.postal_values, admin_actor())
        api.render(store, ac_id, "form21c")  # fonts instanced and cached before timing
        install = shaping.install
        print(f"{'document':10} {'script runs':>12} {'fpdf2 alone':>12}   (CPU s, median of {runs})")
        for what, kw in DOCUMENTS:
            runs_s = cpu_seconds(store, ac_id, what, kw, runs)
            shaping.install = lambda font: None  # fpdf2's own shaping, as before issue 16
            try:
                plain_s = cpu_seconds(store, ac_id, what, kw, runs)
            finally:
                shaping.install = install
            print(f"{what:10} {runs_s:12.3f} {plain_s:12.3f}")
        store.engine.dispose()


if __name__ == "__main__":
    main()
