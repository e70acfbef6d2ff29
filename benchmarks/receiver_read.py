"""How many readers the reference receiver serves while pushes arrive (issue 14, finding 7).

Starts `encore central serve` (uvicorn, SQLite, 2 worker processes) on 127.0.0.1, loads
`--acs` ACs (12 candidates, 14 tables a round) whose history is HISTORY messages each (29
rounds, then corrections of the last round until the count is reached), then runs 64
concurrent readers (keep-alive HTTP/1.1 connections from one asyncio client process) asking
for `/board` and `/v1/acs/{ac}` (half each, full 200 answers, no If-None-Match) for
`--seconds`, while one signed client keeps pushing new messages to the same ACs. Repeated for
each history size: the figures should be flat as the history grows.

    .venv/bin/python benchmarks/receiver_read.py [--history 30 600] [--seconds 10] [--acs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.receiver_ingest import messages_for, start_receiver  # noqa: E402
from encore_tui.wire import messages as wire  # noqa: E402
from encore_tui.wire import signing  # noqa: E402


def history(ac: int, n: int, rng: random.Random) -> list[wire.RoundResult]:
    rounds = messages_for(ac, 29, rng)
    out = list(rounds[: min(n, 29)])
    last = rounds[-1]
    for rev in range(2, n - 29 + 2):
        out.append(
            last.model_copy(update={"kind": "correction", "revision": rev, "correction_reason": "recheck"})
        )
    return out


def push(c: httpx.Client, url: str, key, msg: wire.RoundResult) -> int:
    body = msg.model_dump_json().encode()
    path = wire.PATHS[msg.kind].format(ac=msg.contest.ac)
    h = signing.sign_request(key, "POST", path, body, f"b-{uuid.uuid4().hex[:16]}")
    return c.post(url + path, content=body, headers=h).status_code


async def reader(
    host: str, port: int, paths: list[str], until: float, lat: list[float], bad: list[int]
) -> None:
    r, w = await asyncio.open_connection(host, port)
    i = random.randrange(len(paths))
    try:
        while time.perf_counter() < until:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            w.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await r.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await r.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                bad.append(status)
    finally:
        w.close()


async def readers(
    port: int, paths: list[str], n: int, seconds: float
) -> tuple[list[float], list[int], float]:
    lat: list[float] = []
    bad: list[int] = []
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(*(reader("127.0.0.1", port, paths, until, lat, bad) for _ in range(n)))
    return lat, bad, time.perf_counter() - t0


def run(tmp: Path, size: int, acs: int, seconds: float, readers_n: int, workers: int) -> dict:
    key, proc, url = start_receiver(str(tmp / f"central-{size}.db"), tmp, acs + 1, workers)
    try:
        rng = random.Random(11)
        t0 = time.perf_counter()
        work = {ac: history(ac, size, rng) for ac in range(1, acs + 1)}

        def load(ac: int) -> None:  # one client per AC, in order, as a relay does
            with httpx.Client(timeout=60) as c:
                for m in work[ac]:
                    assert push(c, url, key, m) == 200

        loaders = [threading.Thread(target=load, args=(ac,)) for ac in work]
        for t in loaders:
            t.start()
        for t in loaders:
            t.join()
        load_s = time.perf_counter() - t0
        # one more AC receives pushes all through the reading: new messages keep arriving
        live = history(acs + 1, 29 + 5000, rng)
        stop = threading.Event()
        pushed = [0]

        def pusher() -> None:
            with httpx.Client(timeout=30) as c:
                for m in live:
                    if stop.is_set():
                        return
                    if push(c, url, key, m) == 200:
                        pushed[0] += 1

        th = threading.Thread(target=pusher)
        th.start()
        paths = ["/board"] + [f"/v1/acs/{ac}" for ac in range(1, acs + 1)]
        paths = [p for ac_path in paths[1:] for p in ("/board", ac_path)]
        try:  # the client's own speed matters here: the same event loop uvicorn uses
            import uvloop

            lat, bad, wall = uvloop.run(readers(int(url.rsplit(":", 1)[1]), paths, readers_n, seconds))
        except ImportError:
            lat, bad, wall = asyncio.run(readers(int(url.rsplit(":", 1)[1]), paths, readers_n, seconds))
        stop.set()
        th.join()
        lat.sort()
        board_kb = len(httpx.get(url + "/board").content) / 1024
        return {
            "size": size,
            "requests": len(lat),
            "bad": len(bad),
            "per_s": len(lat) / wall,
            "p50_ms": statistics.median(lat) * 1000,
            "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000,
            "pushes_per_s": pushed[0] / wall,
            "load_s": load_s,
            "board_kb": board_kb,
        }
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--history", type=int, nargs="+", default=[30, 600], help="messages per AC")
    ap.add_argument("--acs", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--readers", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for size in a.history:
            rows.append(run(Path(d), size, a.acs, a.seconds, a.readers, a.workers))
    print(
        f"\nReceiver read side: {a.readers} concurrent readers (/board and /v1/acs/{{ac}}), {a.acs} ACs on the "
        f"board, pushes arriving, SQLite, {a.workers} worker process(es), on {os.cpu_count()} CPU(s)\n"
    )
    print(
        f"{'history':>8} {'requests':>9} {'non-200':>8} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'pushes/s':>9} {'board kB':>9}"
    )
    for r in rows:
        print(
            f"{r['size']:>8} {r['requests']:>9} {r['bad']:>8} {r['per_s']:>8.0f} {r['p50_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f} {r['pushes_per_s']:>9.1f} {r['board_kb']:>9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
