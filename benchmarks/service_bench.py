"""Durable commit per cell: the service call alone (enter_cell), SQLite (synchronous=FULL) and PostgreSQL."""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.services.importing import read_form20_dir
from encore_tui.services.users import admin_actor
from encore_tui.store import open_store

AC_DIR = Path(__file__).resolve().parent.parent / "encore_tui" / "demo_data" / "gummidipoondi"
OPERATOR = services.Actor("bench", Role.OPERATOR)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def _type_cells(store, ac_id: int, cells: int) -> list[float]:
    ctx = services.load_context(store, ac_id)
    times = []
    r, n = 1, 0
    while n < cells:
        for station in ctx.tables_of(r):
            for field in ctx.fields_of(r):
                if n >= cells:
                    break
                t = time.perf_counter()
                services.enter_cell(
                    store,
                    ac_id,
                    r,
                    station,
                    field,
                    (n % 97) + 1,
                    OPERATOR,
                    cursor={"round": r, "station": station, "field": field},
                )
                times.append(time.perf_counter() - t)
                n += 1
        r += 1
    return times


def bench_sqlite(cells: int) -> list[float]:
    with tempfile.TemporaryDirectory(dir=Path.home() if Path.home().exists() else None) as d:
        store = open_store(Path(d) / "bench.db")
        ac_id = services.create_ac(store, read_form20_dir(AC_DIR).setup, admin_actor())
        try:
            return _type_cells(store, ac_id, cells)
        finally:
            store.close()


def bench_postgres(cells: int) -> list[float] | None:
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        name = f"encore_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        return None
    try:
        store = open_store(PG_URL.rsplit("/", 1)[0] + "/" + name)
        ac_id = services.create_ac(store, read_form20_dir(AC_DIR).setup, admin_actor())
        try:
            return _type_cells(store, ac_id, cells)
        finally:
            store.engine.dispose()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(smoke: bool = False) -> list[dict]:
    cells = 30 if smoke else 1000
    rows = []
    for label, fn in (("SQLite", bench_sqlite), ("PostgreSQL", bench_postgres)):
        t = fn(cells)
        if t is None:
            rows.append(
                {
                    "figure": f"durable commit per cell, {label}",
                    "value": "not measured (no server)",
                    "target": "",
                    "met": None,
                }
            )
            continue
        p50, p99 = percentile(t, 50) * 1000, percentile(t, 99) * 1000
        target = "p50 ≤ 1 ms" if label == "SQLite" else "(no target)"
        met = p50 <= 1.0 if label == "SQLite" else None
        rows.append(
            {
                "figure": f"durable commit per cell (enter_cell), {label}",
                "value": f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, mean {statistics.mean(t) * 1000:.2f} ms ({len(t)} cells)",
                "target": target,
                "met": met,
            }
        )
    return rows
