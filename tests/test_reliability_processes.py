"""The design hazard: an operator and the RO on the same PC are two processes on one SQLite
store (SQLite 3.40 has the WAL-reset bug). Every writer takes the store's file lock, so they
interleave safely. Two writer processes and a reader process hammer one store at once, one
writer is SIGKILLed midway; afterwards the file is intact and the journal verifies."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

from encore_tui import services
from encore_tui.store import open_store
from tests.conftest import ADMIN, OPERATOR, OPERATOR2, small_setup


def _fork(fn) -> int:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn()
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        os._exit(code)
    return pid


def test_two_writer_processes_and_a_reader_on_one_sqlite_store(tmp_path):
    db = tmp_path / "encore.db"
    store = open_store(db)
    ac_id = services.create_ac(store, small_setup(n_stations=9), ADMIN)
    store.close()

    def writer(actor, round_no, n):
        def run():
            s = open_store(db, create=False)
            ctx = services.load_context(s, ac_id)
            for i in range(n):
                station = ctx.tables_of(round_no)[i % 3]
                services.enter_cell(s, ac_id, round_no, station, f"c{1 + i % 3}", i % 900, actor)
            s.close()

        return run

    def reader():
        s = open_store(db, create=False)
        for _ in range(150):
            services.round_view(s, ac_id, 1)
            services.dashboard(s, ac_id)
        s.engine.dispose()

    a = _fork(writer(OPERATOR, 1, 300))
    b = _fork(writer(OPERATOR2, 2, 300))
    c = _fork(reader)
    victim = _fork(writer(OPERATOR2, 3, 100_000))  # killed while the others work
    time.sleep(0.5)
    os.kill(victim, signal.SIGKILL)
    for pid in (a, b, c):
        assert os.waitpid(pid, 0)[1] == 0
    os.waitpid(victim, 0)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cells = dict(
        ((r, s, f), v) for r, s, f, v in con.execute("SELECT round_no, station, field, value FROM cell")
    )
    con.close()
    assert cells[(1, "1", "c1")] == 297 and cells[(2, "6", "c3")] == 299  # the last writes won
    store = open_store(db, create=False)
    rep = services.verify_journal(store, ac_id)
    assert rep.ok and rep.events > 600, rep
    store.close()
