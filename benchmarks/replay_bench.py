"""Training replay and watch costs (issue 18), SQLite (synchronous=FULL), on the Gummidipoondi AC:

- a replay's jumps: → one round (its events applied in one unit of work), the whole count at
  once, ← from the end (the scratch store rebuilt up to round 28), on the count as
  `tests/support/recorded.gummidipoondi_counted` records it (each round imported, submitted,
  approved);
- the same re-application for a count typed cell by cell (every Enter one `cell.entered` event);
- the watch screen's refresh (`services.progress.ac_progress`) over N trainee copies.

`python benchmarks/replay_bench.py [--copies N] [--typed-rounds R]`. Medians in ms; no pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from encore_tui import services  # noqa: E402
from encore_tui.services.importing import read_form20_dir  # noqa: E402
from encore_tui.services.progress import ac_progress  # noqa: E402
from encore_tui.services.replay import apply_events, load_recording, new_scratch  # noqa: E402
from encore_tui.services.replay_player import Player  # noqa: E402
from encore_tui.store import open_store  # noqa: E402
from tests.conftest import ADMIN, GUMMIDIPOONDI, OPERATOR  # noqa: E402
from tests.support.recorded import gummidipoondi_counted  # noqa: E402


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def row(figure: str, value: str) -> None:
    print(f"| {figure:<58} | {value:<38} |")


def replay_rows(d: Path) -> None:
    db = d / "counted.db"
    gummidipoondi_counted(db)
    rec = load_recording(open_store(db, create=False), 1)
    n = len(rec.events)
    player = Player(rec, folder=d / "scratch")
    steps = []
    while not player.finished:
        player.next_round()
        steps.append(timed(lambda: player.advance(0.0)))
    row(
        f"→ one round ({n} events, 30 rounds incl. postal)",
        f"median {1000 * statistics.median(steps):.1f} ms",
    )
    row(
        "← from the end (scratch rebuilt up to round 28)",
        f"{1000 * timed(player.previous_round) + 1000 * timed(lambda: player.advance(0.0)):.0f} ms",
    )
    player.close()
    store, ac_id = new_scratch(rec, d / "whole")
    whole = timed(lambda: apply_events(store, ac_id, rec, 1, n))
    row("the whole count at once (one unit of work)", f"{1000 * whole:.0f} ms, {n / whole:.0f} events/s")


def typed_rows(d: Path, rounds: int) -> None:
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(d / "typed.db")
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    ctx = services.load_context(store, ac_id)
    for r in range(1, rounds + 1):
        for s in ctx.tables_of(r):
            for f, v in imp.station_values[s].items():
                services.enter_cell(store, ac_id, r, s, f, v, OPERATOR)
    rec = load_recording(store, ac_id)
    n = len(rec.events) - 1
    scratch, sac = new_scratch(rec, d / "typed-scratch")
    took = timed(lambda: apply_events(scratch, sac, rec, 1, n + 1))
    row(
        f"{rounds} rounds typed cell by cell ({n} events) re-applied",
        f"{1000 * took:.0f} ms, {n / took:.0f} events/s",
    )


def watch_rows(d: Path, copies: int) -> None:
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(d / "training.db")
    for i in range(copies):
        setup = imp.setup.model_copy(update={"ac": imp.setup.ac.model_copy(update={"number": 1 + i})})
        ac_id = services.create_ac(store, setup, ADMIN)
        for s in services.load_context(store, ac_id).tables_of(1)[:3]:
            for f, v in imp.station_values[s].items():
                services.enter_cell(store, ac_id, 1, s, f, v, OPERATOR)
    times = [timed(lambda: ac_progress(store)) for _ in range(7)]
    row(
        f"watch refresh: ac_progress over {copies} trainee copies",
        f"median {1000 * statistics.median(times):.0f} ms",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--typed-rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"| {'figure':<58} | {'value':<38} |")
    print(f"|{'-' * 60}|{'-' * 40}|")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        replay_rows(d)
        typed_rows(d, args.typed_rounds)
        watch_rows(d, args.copies)


if __name__ == "__main__":
    main()
