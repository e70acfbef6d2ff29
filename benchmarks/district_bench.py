"""How many counting halls one PostgreSQL district server holds.

Each hall is one process on its own AC (the real Gummidipoondi setup, 405 stations, 12
candidates), doing what a hall PC does on every Enter: `enter_cell` (one durable transaction
through the one write path) and then `round_view` (the screen's re-read of the round's totals
and lead). Halls type at a fixed pace, one cell every `--gap` seconds each (0.5 s: two
operators keying flat out, a hall's peak; a round of 14 tables x 14 cells is ~200 cells every
20-40 minutes, 0.1-0.2 cells/s on average). The figure is the commit time (enter_cell alone)
and the whole Enter (commit + re-read), p50/p95/p99, and whether the halls got the pace they
asked for. Then `--burst` processes type as fast as they can: the server's ceiling in commits/s.

    .venv/bin/python -m benchmarks.district_bench [--halls 5,15,30] [--seconds 15] [--gap 0.5]

Clients and server share this machine here (in a district the hall PCs run the clients), so
the figures are a floor for the server.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import time
import uuid
from pathlib import Path

from benchmarks.service_bench import AC_DIR, OPERATOR, PG_URL, percentile
from encore_tui import services
from encore_tui.services.importing import read_form20_dir
from encore_tui.services.users import admin_actor
from encore_tui.store import open_store


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc; the PostgreSQL backend is a local process here)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hall(url: str, ac_id: int, start: float, seconds: float, gap: float, out) -> None:
    store = open_store(url, create=False)
    ctx = services.load_context(store, ac_id)
    with store.read() as conn:  # one thread: the pool hands back this one connection every time
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    cells = [
        (r, s, f) for r in range(1, ctx.last_round + 1) for s in ctx.tables_of(r) for f in ctx.fields_of(r)
    ]
    commit, enter = [], []
    rnd = random.Random(ac_id)
    time.sleep(max(0.0, start - time.time()))
    due = time.monotonic() + (rnd.random() * gap if gap else 0)  # halls not in lockstep
    end = time.monotonic() + seconds
    cpu0, server0 = time.process_time(), _cpu_seconds(backend)
    i = 0
    while time.monotonic() < end:
        if gap:
            time.sleep(max(0.0, due - time.monotonic()))
            due += gap
        r, s, f = cells[i % len(cells)]
        t0 = time.perf_counter()
        services.enter_cell(
            store, ac_id, r, s, f, i % 97 + 1, OPERATOR, cursor={"round": r, "station": s, "field": f}
        )
        t1 = time.perf_counter()
        services.round_view(store, ac_id, r)
        commit.append(t1 - t0)
        enter.append(time.perf_counter() - t0)
        i += 1
    cpu = (time.process_time() - cpu0, _cpu_seconds(backend) - server0)
    store.engine.dispose()
    out.put((commit, enter, cpu))


def _run(url: str, ac_ids: list[int], seconds: float, gap: float) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    start = time.time() + 4.0  # every process imported and connected before the clock starts
    procs = [ctx.Process(target=_hall, args=(url, a, start, seconds, gap, q)) for a in ac_ids]
    for p in procs:
        p.start()
    commit, enter = [], []
    client_cpu = server_cpu = 0.0
    for _ in procs:
        c, e, (cc, sc) = q.get(timeout=seconds + 120)
        commit += c
        enter += e
        client_cpu += cc
        server_cpu += sc
    for p in procs:
        p.join()
    ms = lambda v, p: percentile(v, p) * 1000  # noqa: E731
    return {
        "halls": len(ac_ids),
        "commits_per_s": len(commit) / seconds,
        "asked_per_s": len(ac_ids) / gap if gap else None,
        "commit": (ms(commit, 50), ms(commit, 95), ms(commit, 99)),
        "enter": (ms(enter, 50), ms(enter, 95), ms(enter, 99)),
        "mean_enter_ms": statistics.mean(enter) * 1000,
        # CPU per Enter, which the machine's other load does not change much (wall times it does)
        "server_cpu_ms": server_cpu / len(enter) * 1000,
        "client_cpu_ms": client_cpu / len(enter) * 1000,
        "load": os.getloadavg()[0],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--halls", default="5,15,30", help="hall counts to try, paced")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--gap", type=float, default=0.5, help="seconds between two cells of one hall")
    ap.add_argument("--burst", type=int, default=4, help="processes typing flat out (0: skip)")
    args = ap.parse_args()
    counts = [int(x) for x in args.halls.split(",") if x]
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"encore_district_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        store = open_store(url)
        setup = read_form20_dir(AC_DIR).setup
        need = max([*counts, args.burst])
        ac_ids = []
        for i in range(need):
            ac = setup.ac.model_copy(update={"number": 100 + i, "name": f"HALL {i + 1}"})
            ac_ids.append(services.create_ac(store, setup.model_copy(update={"ac": ac}), admin_actor()))
        store.engine.dispose()
        print(
            f"PostgreSQL district server: {need} ACs of {len(setup.stations)} stations, {len(setup.candidates)} candidates"
        )
        for k in counts:
            r = _run(url, ac_ids[:k], args.seconds, args.gap)
            print(
                f"{k:3d} halls paced at {1 / args.gap:g} cells/s each: {r['commits_per_s']:.1f} of "
                f"{r['asked_per_s']:.1f} commits/s; commit p50/p95/p99 "
                + "/".join(f"{x:.1f}" for x in r["commit"])
                + " ms; Enter (commit + re-read) p50/p95/p99 "
                + "/".join(f"{x:.1f}" for x in r["enter"])
                + f" ms; CPU per Enter: server {r['server_cpu_ms']:.1f} ms, client {r['client_cpu_ms']:.1f} ms;"
                f" load average {r['load']:.1f}",
                flush=True,
            )
        if args.burst:
            r = _run(url, ac_ids[: args.burst], args.seconds, 0)
            print(
                f"{args.burst} processes flat out: {r['commits_per_s']:.0f} commits/s (each with its re-read); "
                "commit p50/p95/p99 "
                + "/".join(f"{x:.1f}" for x in r["commit"])
                + f" ms; CPU per Enter: server {r['server_cpu_ms']:.1f} ms, client {r['client_cpu_ms']:.1f} ms;"
                f" load average {r['load']:.1f}",
                flush=True,
            )
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
