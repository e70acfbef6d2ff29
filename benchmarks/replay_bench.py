"""Training replay and watch costs (issue 18), SQLite (synchronous=FULL), on the Gummidipoondi AC:

- a replay's jumps: → one round (its events applied in one unit of work), the whole count at
  once, ← from the end (the scratch store rebuilt up to round 28), on the count as
  `tests/support/recorded.gummidipoondi_counted` records it (each round imported, submitted,
  approved);
- the same re-application for a count typed cell by cell (every Enter one `cell.entered` event);
- the watch screen's refresh (`services.progress.ac_progress`) over N trainee copies.

`python benchmarks/replay_bench.py [--copies N] [--typed-rounds R] [--smoke]`, and a part of
`python -m benchmarks` (`rows`). Medians in ms; no pass/fail.
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
from encore_tui.services.users import admin_actor  # noqa: E402
from encore_tui.store import open_store  # noqa: E402
from tests.conftest import ADMIN, GUMMIDIPOONDI, OPERATOR  # noqa: E402
from tests.support.recorded import gummidipoondi_counted  # noqa: E402

TRAINER = admin_actor()  # the replay and the watch are a trainer's or an administrator's


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def figure(name: str, value: str, target: str = "(no target)", met: bool | None = None) -> dict:
    return {"figure": name, "value": value, "target": target, "met": met}


def replay_rows(d: Path, rounds: int | None) -> list[dict]:
    db = d / "counted.db"
    gummidipoondi_counted(db, rounds)
    store = open_store(db, create=False)
    rec = load_recording(store, 1, TRAINER)
    store.engine.dispose()
    n = len(rec.events)
    player = Player(rec, folder=d / "scratch")
    steps = []
    while not player.finished:
        player.next_round()
        steps.append(timed(lambda: player.advance(0.0)))
    shown = rec.plan.round_count if rounds is None else rounds
    back = timed(player.previous_round) + timed(lambda: player.advance(0.0))
    player.close()
    scratch, ac_id = new_scratch(rec, d / "whole")
    whole = timed(lambda: apply_events(scratch, ac_id, rec, 1, n))
    scratch.engine.dispose()
    return [
        figure(
            f"replay → one round (Gummidipoondi, {shown} rounds counted, {n} events)",
            f"median {1000 * statistics.median(steps):.1f} ms",
        ),
        figure("replay ← from the end (the scratch store rebuilt)", f"{1000 * back:.0f} ms"),
        figure("replay, the whole count at once", f"{1000 * whole:.0f} ms, {n / whole:.0f} events/s"),
    ]


def typed_rows(d: Path, rounds: int) -> list[dict]:
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(d / "typed.db")
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    ctx = services.load_context(store, ac_id)
    for r in range(1, rounds + 1):
        for s in ctx.tables_of(r):
            for f, v in imp.station_values[s].items():
                services.enter_cell(store, ac_id, r, s, f, v, OPERATOR)
    rec = load_recording(store, ac_id, TRAINER)
    store.engine.dispose()
    n = len(rec.events) - 1
    scratch, sac = new_scratch(rec, d / "typed-scratch")
    took = timed(lambda: apply_events(scratch, sac, rec, 1, n + 1))
    scratch.engine.dispose()
    return [
        figure(
            f"replay of {rounds} round(s) typed cell by cell ({n} events) re-applied",
            f"{1000 * took:.0f} ms, {n / took:.0f} events/s",
        )
    ]


def watch_rows(d: Path, copies: int) -> list[dict]:
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(d / "training.db")
    for i in range(copies):
        setup = imp.setup.model_copy(update={"ac": imp.setup.ac.model_copy(update={"number": 1 + i})})
        ac_id = services.create_ac(store, setup, ADMIN)
        for s in services.load_context(store, ac_id).tables_of(1)[:3]:
            for f, v in imp.station_values[s].items():
                services.enter_cell(store, ac_id, 1, s, f, v, OPERATOR)
    times = [timed(lambda: ac_progress(store, TRAINER)) for _ in range(7)]
    store.engine.dispose()
    median = statistics.median(times)
    return [
        figure(
            f"training watch refresh (ac_progress) over {copies} trainee copies",
            f"median {1000 * median:.0f} ms",
            "< 2,000 ms (its refresh period)",
            median < 2.0,
        )
    ]


def rows(smoke: bool = False, copies: int = 20, typed_rounds: int = 3) -> list[dict]:
    """The replay and watch figures (`python -m benchmarks`); smoke: 3 rounds counted, 1 typed,
    2 copies."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        return (
            replay_rows(d, 3 if smoke else None)
            + typed_rows(d, 1 if smoke else typed_rounds)
            + watch_rows(d, 2 if smoke else copies)
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--typed-rounds", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, to check it still works")
    args = ap.parse_args()
    print("| figure | measured | target | met |")
    print("|---|---|---|---|")
    for r in rows(args.smoke, args.copies, args.typed_rounds):
        met = {True: "yes", False: "**no**", None: "–"}[r["met"]]
        print(f"| {r['figure']} | {r['value']} | {r['target']} | {met} |")


if __name__ == "__main__":
    main()
