"""Form 17C Part I costs on the Gummidipoondi AC (SQLite, synchronous=FULL), measured side by side:

- enter_cell per Enter with no 17C record vs with every station's record (the bound and the
  checks read it);
- enter_form17c per Enter (one field of Part I keyed);
- `import form17c` of all 405 stations in one unit of work;
- round_view (what the screen re-reads) with the records.

`python benchmarks/form17c_bench.py [--cells N]`. Medians and p95 in ms; no pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.service_bench import AC_DIR, OPERATOR, _type_cells, percentile  # noqa: E402
from encore_tui import services  # noqa: E402
from encore_tui.services import form17c  # noqa: E402
from encore_tui.services.importing import read_form20_dir  # noqa: E402
from encore_tui.services.users import admin_actor  # noqa: E402
from encore_tui.store import open_store  # noqa: E402


def ms(xs: list[float]) -> str:
    return (
        f"median {1000 * statistics.median(xs):.2f} ms, p95 {1000 * percentile(xs, 95):.2f} ms (n={len(xs)})"
    )


def run(cells: int) -> None:
    imp = read_form20_dir(AC_DIR)
    with tempfile.TemporaryDirectory(dir=Path.home()) as d:
        bare = open_store(Path(d) / "bare.db")
        ac_bare = services.create_ac(bare, imp.setup, admin_actor())
        full = open_store(Path(d) / "full.db")
        ac_full = services.create_ac(full, imp.setup, admin_actor())
        t = time.perf_counter()
        form17c.import_form17c(full, ac_full, imp.form17c, admin_actor())
        print(f"import form17c, 405 stations, one unit of work: {1000 * (time.perf_counter() - t):.0f} ms")
        a, b = [], []
        for _ in range(3):  # interleaved, so both see the same machine load
            a += _type_cells(bare, ac_bare, cells // 3)
            b += _type_cells(full, ac_full, cells // 3)
        print(f"enter_cell, no 17C record:        {ms(a)}")
        print(f"enter_cell, 405 17C records:      {ms(b)}")
        keyed = []
        for s in [st.number for st in imp.setup.stations][: max(1, cells // 8)]:
            for f in ("electors", "voters_17a", "votes_recorded", "tendered"):
                v = {"electors": 1000, "voters_17a": 700, "votes_recorded": 650, "tendered": 1}[f]
                t = time.perf_counter()
                form17c.enter_form17c(bare, ac_bare, s, f, v, OPERATOR)
                keyed.append(time.perf_counter() - t)
        print(f"enter_form17c (one field keyed):  {ms(keyed)}")
        rv = []
        for _ in range(10):
            t = time.perf_counter()
            services.round_view(full, ac_full, 1)
            rv.append(time.perf_counter() - t)
        print(f"round_view with 405 records:      {ms(rv)}")
        # what the Form 17C screen re-reads after each Enter: every station, or the one keyed
        every, one = [], []
        stations = [st.number for st in imp.setup.stations]
        for i in range(30):
            t = time.perf_counter()
            form17c.form17c(full, ac_full)
            every.append(time.perf_counter() - t)
            t = time.perf_counter()
            form17c.form17c(full, ac_full, [stations[i % len(stations)]])
            one.append(time.perf_counter() - t)
        print(f"17C re-read, all 405 stations:    {ms(every)}")
        print(f"17C re-read, the station keyed:   {ms(one)}")
        bare.close()
        full.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--cells", type=int, default=300)
    run(p.parse_args().cells)
