"""What the operator feels: the real `encore` app in a pseudo-terminal at 80×24, against bare
Textual apps measured in the same run."""

from __future__ import annotations

import csv
import shutil
import signal
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.pty_session import PY, PtySession
from benchmarks.service_bench import AC_DIR, percentile
from encore_tui import services
from encore_tui.services.demo import DEMO_ACCOUNTS
from encore_tui.services.importing import read_form20_dir
from encore_tui.services.users import admin_actor
from encore_tui.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def make_store(folder: Path, setup=None) -> Path:
    db = folder / "bench.db"
    store = open_store(db)
    services.create_ac(store, setup or read_form20_dir(AC_DIR).setup, admin_actor())
    for username, role, pin, display in DEMO_ACCOUNTS:
        services.add_user(store, username, role, pin, display)
    store.close()
    return db


def _app(db: Path, home: Path) -> PtySession:
    return PtySession(
        [PY, "-m", "encore_tui", "--db", str(db)], cwd=str(ROOT), env={"ENCORE_HOME": str(home)}
    )


def open_grid(s: PtySession) -> tuple[float, float]:
    """Sign in as the demo operator and open round 1. Returns (sign-in screen ready, grid ready)."""
    t_signin = s.wait_for("Type your user name")
    s.send("operator\r")
    s.wait_for("Type your PIN")
    s.send("1111\r")
    s.wait_for("Counting dashboard")
    s.drain(0.2)
    s.send("\x1b[B")  # Down: the cursor starts on the postal round
    s.drain(0.15)
    s.send("\r")
    t_grid = s.wait_for("Round 1/")
    return t_signin, t_grid


def cold_start(folder: Path, runs: int) -> dict:
    bare, signin, grid = [], [], []
    fresh = make_store(folder)
    for i in range(runs):
        with PtySession([PY, "-m", "benchmarks.bare_apps"], cwd=str(ROOT)) as b:
            bare.append(b.wait_for("bare-ready"))
        db = folder / f"run{i}.db"  # each run from the same state (no round to resume)
        shutil.copy(fresh, db)
        with _app(db, folder) as s:
            a, g = open_grid(s)
            signin.append(a)
            grid.append(g)
    return {
        "bare": statistics.median(bare),
        "signin": statistics.median(signin),
        "grid": statistics.median(grid),
    }


def key_figures(folder: Path, n: int) -> dict:
    """Digit and Enter latency / bytes in the grid, vs digits in a bare Input."""
    res: dict = {}
    with PtySession([PY, "-m", "benchmarks.bare_apps", "input"], cwd=str(ROOT)) as b:
        b.wait_for("bare-ready")
        b.drain(0.3)
        lat, by = zip(*[b.key_latency(b"5") for _ in range(n)], strict=True)
        res["bare_digit_ms"], res["bare_digit_bytes"] = statistics.median(lat) * 1000, statistics.median(by)
    db = make_store(folder)
    rows = list(csv.DictReader((AC_DIR / "form20_polling_stations.csv").open()))
    with _app(db, folder) as s:
        open_grid(s)
        s.drain(0.5)
        d_lat, d_by, e_lat, e_by = [], [], [], []
        i = 0
        while len(e_lat) < n:
            row = rows[i // 14 % len(rows)]
            value = row[f"c{i % 12 + 1}"]
            for ch in value:
                lat, by = s.key_latency(ch.encode())
                d_lat.append(lat)
                d_by.append(by)
            lat, by = s.key_latency(b"\r", quiet=0.15)
            e_lat.append(lat)
            e_by.append(by)
            i += 1
    res.update(
        digit_ms=statistics.median(d_lat) * 1000,
        digit_bytes=statistics.median(d_by),
        enter_p50=percentile(e_lat, 50) * 1000,
        enter_p99=percentile(e_lat, 99) * 1000,
        enter_bytes=statistics.median(e_by),
    )
    return res


def whole_round(folder: Path) -> dict:
    """Type round 1 (14 tables × 12 candidates + NOTA + Total) as fast as the terminal takes it."""
    db = make_store(folder)
    rows = list(csv.DictReader((AC_DIR / "form20_polling_stations.csv").open()))[:14]
    keys = "".join(
        "".join(f"{r[f'c{k}']}\r" for k in range(1, 13)) + f"{r['nota']}\r{r['total']}\r" for r in rows
    )
    with _app(db, folder) as s:
        open_grid(s)
        s.drain(0.5)
        t = time.perf_counter()
        for i in range(0, len(keys), 64):
            s.send(keys[i : i + 64])
        store = open_store(db, create=False)
        ac_id = services.list_acs(store)[0].ac_id
        want = 14 * 14
        while True:
            s.drain(0.02, 0.2)
            v = services.round_view(store, ac_id, 1)
            if sum(len(e.values) for e in v.entries) >= want:
                break
            if time.perf_counter() - t > 300:
                raise TimeoutError("round not saved in 300 s")
        secs = time.perf_counter() - t
        store.close()
    return {"keys": len(keys), "seconds": secs, "keys_per_s": len(keys) / secs}


def memory(folder: Path, rounds: int, candidates: int) -> dict:
    from benchmarks.synthetic import make_setup

    setup, _ = make_setup(candidates=candidates, stations=rounds * 14)
    db = make_store(folder, setup)
    with _app(db, folder) as s:
        open_grid(s)
        s.drain(1.0)
        s.send("\t" * 13)  # scroll across every table of the round
        s.drain(0.5)
        return {"rss_mb": s.peak_rss_kb() / 1024}


def recovery(folder: Path, runs: int) -> dict:
    """SIGKILL mid-round, restart: time until the grid is back with the cursor restored
    (sign-in typed as soon as each prompt shows)."""
    db = make_store(folder)
    times = []
    with _app(db, folder) as s:
        open_grid(s)
        s.drain(0.3)
        s.send("570\r0\r")
        s.wait_for("saved")
        s.close(signal.SIGKILL)
    for _ in range(runs):
        with _app(db, folder) as s:
            s.wait_for("Type your user name")
            s.send("operator\r")
            s.wait_for("Type your PIN")
            s.send("1111\r")
            times.append(s.wait_for("resumes at"))
    return {"seconds": statistics.median(times)}


def form20_pdf(folder: Path, stations: int, candidates: int) -> dict:
    from benchmarks.synthetic import make_setup
    from encore_tui.printing import print_document

    setup, values = make_setup(candidates=candidates, stations=stations)
    store = open_store(folder / "f20.db")
    ac_id = services.create_ac(store, setup, admin_actor())
    services.import_results(store, ac_id, values, None, admin_actor())
    print_document(store, ac_id, "form20", output=folder / "warm.pdf", send=False)  # font cache
    t = time.perf_counter()
    p = print_document(store, ac_id, "form20", output=folder / "form20.pdf", send=False)
    secs = time.perf_counter() - t
    store.close()
    return {"seconds": secs, "pages": p.pages}


def run(smoke: bool = False) -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)

        def sub(name: str) -> Path:
            p = base / name
            p.mkdir()
            return p

        c = cold_start(sub("cold"), 1 if smoke else 9)
        rows.append(
            row(
                "cold start to the first interactive screen (sign-in), vs bare Textual label app",
                f"{c['signin']:.2f} s vs bare {c['bare']:.2f} s = {c['signin'] / c['bare']:.2f}×",
                "≤ 1.3× bare",
                c["signin"] / c["bare"] <= 1.3,
            )
        )
        rows.append(
            row(
                "cold start to the round grid (incl. typing sign-in and Argon2 PIN check)",
                f"{c['grid']:.2f} s ({c['grid'] / c['bare']:.2f}× bare)",
                "(reported)",
                None,
            )
        )
        k = key_figures(sub("keys"), 5 if smoke else 40)
        rows.append(
            row(
                "key-to-screen, digit in the grid vs digit in a bare Input",
                f"{k['digit_ms']:.1f} ms vs {k['bare_digit_ms']:.1f} ms = {k['digit_ms'] / k['bare_digit_ms']:.2f}×",
                "≤ 1.2× bare",
                k["digit_ms"] / k["bare_digit_ms"] <= 1.2,
            )
        )
        rows.append(
            row(
                "key-to-screen, Enter (durable save) p50 / p99",
                f"{k['enter_p50']:.1f} / {k['enter_p99']:.1f} ms",
                "p50 ≤ 5, p99 ≤ 20 ms",
                k["enter_p50"] <= 5 and k["enter_p99"] <= 20,
            )
        )
        rows.append(
            row(
                "bytes to the terminal per digit / per Enter (bare Input digit)",
                f"{k['digit_bytes']:.0f} / {k['enter_bytes']:.0f} B ({k['bare_digit_bytes']:.0f} B)",
                "≤ 300 B median",
                k["digit_bytes"] <= 300,
            )
        )
        if not smoke:
            w = whole_round(sub("round"))
            rows.append(
                row(
                    "a whole round typed (14 tables × 14 cells) until the last Enter is saved",
                    f"{w['keys_per_s']:.0f} keys/s ({w['keys']} keys in {w['seconds']:.1f} s)",
                    "≥ 200 keys/s",
                    w["keys_per_s"] >= 200,
                )
            )
        m = memory(sub("mem"), 4 if smoke else 40, 8 if smoke else 36)
        rows.append(
            row(
                "peak RSS, 40-round × 36-candidate AC open in the grid" if not smoke else "peak RSS (smoke)",
                f"{m['rss_mb']:.0f} MB",
                "≤ 90 MB",
                m["rss_mb"] <= 90,
            )
        )
        r = recovery(sub("recover"), 1 if smoke else 3)
        rows.append(
            row(
                "time to recover after SIGKILL: restart → grid with cursor restored (incl. sign-in)",
                f"{r['seconds']:.2f} s",
                "≤ 1 s",
                r["seconds"] <= 1.0,
            )
        )
        f = form20_pdf(sub("pdf"), 30 if smoke else 420, 6 if smoke else 36)
        rows.append(
            row(
                f"Form 20 PDF, {'30 × 6' if smoke else '420 stations × 36 candidates'}",
                f"{f['seconds']:.1f} s, {f['pages']} pages",
                "≤ 3 s",
                f["seconds"] <= 3.0,
            )
        )
    return rows


def row(figure: str, value: str, target: str, met: bool | None) -> dict:
    return {"figure": figure, "value": value, "target": target, "met": met}
