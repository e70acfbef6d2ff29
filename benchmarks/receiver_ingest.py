"""How many signed round pushes per second the reference receiver ingests.

Starts `encore central serve` (uvicorn, one process) on 127.0.0.1 with a SQLite store and,
if reachable, a fresh PostgreSQL database; 8 client threads each push the rounds of their own
ACs in order (as a relay does: signed, one at a time), Gummidipoondi-sized (12 candidates,
14 tables a round). Every message passes the receiver's full checks (signature, replay,
idempotency, arithmetic including brought-forward against the previous round).

    .venv/bin/python benchmarks/receiver_ingest.py [--clients 8] [--acs 16] [--rounds 29]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test | --no-pg]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from encore_tui.domain.entries import TableEntry  # noqa: E402
from encore_tui.domain.tally import Totals, entry_totals, sum_totals  # noqa: E402
from encore_tui.wire import build as wire_build  # noqa: E402
from encore_tui.wire import keys, signing  # noqa: E402
from encore_tui.wire import messages as wire  # noqa: E402

N_CAND, TABLES = 12, 14


def messages_for(ac: int, rounds: int, rng: random.Random) -> list[wire.RoundResult]:
    contest = wire.Contest(
        ac=ac,
        ac_name=f"BENCH {ac}",
        election="Benchmark 2026",
        candidates=[wire.CandidateRef(serial=i, name=f"C{i}", party=f"P{i}") for i in range(1, N_CAND + 1)],
        rounds_planned=rounds,
    )
    out, brought = [], Totals.zero(N_CAND)
    for r in range(1, rounds + 1):
        entries = []
        for t in range(1, TABLES + 1):
            votes = [rng.randint(0, 300) for _ in range(N_CAND)]
            nota = rng.randint(0, 10)
            values = {f"c{i}": v for i, v in enumerate(votes, 1)} | {"nota": nota, "total": sum(votes) + nota}
            entries.append(TableEntry(r, t, f"{r * TABLES + t}", values))
        this = sum_totals((entry_totals(e, N_CAND) for e in entries), N_CAND)
        msg = wire.RoundResult(
            contest=contest,
            round=r,
            revision=1,
            tables=[wire_build.table_result(e, N_CAND) for e in entries],
            this_round=wire.Tally.of(this),
            brought_forward=wire.Tally.of(brought),
            cumulative=wire.Tally.of(brought + this),
            approval=wire.Approval(by="ro", at=datetime.now(UTC)),
            figures_digest="0" * 64,
            journal_hash="0" * 64,
        )
        out.append(msg)
        brought = brought + this
    return out


def _cpu(pid: int) -> float:
    """CPU seconds used by a process and its children (uvicorn's worker processes)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encore(*args: str, env: dict) -> str:
    return subprocess.run(
        [sys.executable, "-m", "encore_tui", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def start_receiver(db: str, tmp: Path, acs: int, workers: int):
    """A new centre key granted ACs 1..acs, and `encore central serve` on a free port, ready:
    (key, process, url)."""
    env = {**os.environ, "ENCORE_HOME": str(tmp)}
    key = keys.init_keys(tmp / f"centre-{uuid.uuid4().hex[:6]}.key")
    add = ["central", "add-centre", "--db", db, "--public-key", keys.public_key_b64(key)]
    for ac in range(1, acs + 1):
        add += ["--ac", str(ac)]
    encore(*add, env=env)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "encore_tui", "central", "serve", "--db", db, "--port", str(port),
         "--key", str(tmp / "central.key"), "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/v1/server-key", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return key, proc, url


def run(db: str, tmp: Path, clients: int, acs: int, rounds: int, workers: int = 1) -> dict:
    key, proc, url = start_receiver(db, tmp, acs, workers)
    try:
        rng = random.Random(7)
        work = {ac: messages_for(ac, rounds, rng) for ac in range(1, acs + 1)}
        bodies = {ac: [m.model_dump_json().encode() for m in ms] for ac, ms in work.items()}
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client(my_acs: list[int]) -> None:
            with httpx.Client(timeout=30) as c:
                for ac in my_acs:
                    for r, body in enumerate(bodies[ac], start=1):
                        path = wire.PATHS["round"].format(ac=ac)
                        h = signing.sign_request(
                            key, "POST", path, body, f"bench-{ac}-{r}-{uuid.uuid4().hex[:8]}"
                        )
                        t0 = time.perf_counter()
                        resp = c.post(url + path, content=body, headers=h)
                        dt = time.perf_counter() - t0
                        with lock:
                            latencies.append(dt)
                            if resp.status_code != 200:
                                errors.append(f"{resp.status_code} {resp.text[:200]}")

        groups = [list(range(1 + i, acs + 1, clients)) for i in range(clients)]
        threads = [threading.Thread(target=client, args=(g,)) for g in groups]
        server_cpu0, client_cpu0 = _cpu(proc.pid), time.process_time()
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        server_cpu, client_cpu = _cpu(proc.pid) - server_cpu0, time.process_time() - client_cpu0
        lat = sorted(latencies)
        return {
            "messages": len(lat),
            "errors": len(errors),
            "first_error": errors[0] if errors else "",
            "seconds": wall,
            "per_s": len(lat) / wall,
            "p50_ms": statistics.median(lat) * 1000,
            "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000,
            "server_cpu_ms": server_cpu / len(lat) * 1000,
            "client_cpu_ms": client_cpu / len(lat) * 1000,
            "body_kb": sum(len(b) for bs in bodies.values() for b in bs) / len(lat) / 1024,
        }
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--acs", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=29)
    ap.add_argument(
        "--pg", default=os.environ.get("ENCORE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="receiver worker processes to try (default 1 2)",
    )
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for w in a.workers:
            rows.append(
                (f"SQLite/{w}w", run(str(tmp / f"central{w}.db"), tmp, a.clients, a.acs, a.rounds, w))
            )
        if not a.no_pg:
            from sqlalchemy import create_engine, text

            admin = create_engine(a.pg, isolation_level="AUTOCOMMIT")
            for w in a.workers:
                name = f"encore_bench_{uuid.uuid4().hex[:8]}"
                try:
                    with admin.connect() as c:
                        c.execute(text(f'CREATE DATABASE "{name}"'))
                except Exception as exc:  # no server: report SQLite only
                    print(f"(PostgreSQL skipped: {exc.__class__.__name__})")
                    break
                try:
                    url = a.pg.rsplit("/", 1)[0] + "/" + name
                    rows.append((f"PostgreSQL/{w}w", run(url, tmp, a.clients, a.acs, a.rounds, w)))
                finally:
                    with admin.connect() as c:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"\nReceiver ingest (store/worker processes): {a.clients} concurrent clients, {a.acs} ACs × {a.rounds} rounds, "
          f"{N_CAND} candidates × {TABLES} tables per round, on {os.cpu_count()} CPU(s)\n")  # fmt: skip
    print(
        f"{'store':<15} {'messages':>8} {'errors':>6} {'seconds':>8} {'pushes/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'body kB':>8} {'srv CPU ms/push':>16} {'client CPU ms/push':>19}"
    )
    for name, r in rows:
        print(
            f"{name:<15} {r['messages']:>8} {r['errors']:>6} {r['seconds']:>8.1f} {r['per_s']:>9.1f} "
            f"{r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['body_kb']:>8.1f} {r['server_cpu_ms']:>16.2f} {r['client_cpu_ms']:>19.2f}"
        )
        if r["first_error"]:
            print(f"  first error: {r['first_error']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
