"""PostgreSQL connections for district mode, bounded in time wherever they hang.

PostgreSQL (district mode) must never hang the hall: a server that accepts and never answers, a
frozen network, a session holding a row lock for ever. So every connection gets libpq's
connect_timeout, TCP keepalives and tcp_user_timeout, and server-side lock_timeout,
statement_timeout and idle_in_transaction_session_timeout (all from `timeout`, see
`open_store`); and, because server-side timeouts cannot help when the server or the network is
gone, a client-side watchdog: one daemon thread per process that breaks (socket.shutdown) any
connection whose current round trip to the server has lasted longer than its budget, so the
blocked call raises and the operator gets "Database not answering (5 s): NOT saved." instead of
a frozen screen. A broken connection is invalidated, so the next write reconnects.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import socket
import threading
import time
import weakref

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from encore_tui.store.errors import NotAnswering

PG_TIMEOUT = 5.0  # PostgreSQL: connect, lock wait and statement timeout (see open_store)
_PG_STATEMENT_EXTRA = 0.5  # statement_timeout = timeout + this: a lock wait says "busy", not "slow"
_PG_WATCHDOG_EXTRA = 1.5  # the watchdog breaks a round trip at timeout + this (after the server's own)
_WATCHDOG_TICK = 0.2

log = logging.getLogger("encore.store")


class _Watchdog:
    """One daemon thread per process, started with the first PostgreSQL connection. Every tick
    it looks at each live connection's deadline (set by `_pg_connection_class().wait` for the
    duration of one round trip) and breaks the socket of one that is overdue: the blocked
    libpq call then returns with an error, which `wait` turns into NotAnswering. The hot path
    pays only for setting and clearing one float per round trip."""

    def __init__(self) -> None:
        self.conns: weakref.WeakSet = weakref.WeakSet()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.fired = 0  # connections broken so far (for tests and the log)

    def watch(self, conn) -> None:
        with self.lock:
            self.conns.add(conn)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="encore-pg-watchdog", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(_WATCHDOG_TICK)
            now = time.monotonic()
            with self.lock:
                conns = list(self.conns)
            for c in conns:
                d = c._encore_deadline
                if d and now > d and c._encore_fired != d:
                    self._break(c, d)
            del conns

    def _break(self, conn, deadline: float) -> None:
        conn._encore_fired = deadline
        self.fired += 1
        try:
            if conn.closed:
                return
            fd = conn.pgconn.socket
            s = socket.socket(fileno=os.dup(fd))
            try:
                s.shutdown(socket.SHUT_RDWR)
            finally:
                s.close()
            log.warning("PostgreSQL did not answer within %.1f s: connection broken", conn._encore_budget)
        except Exception:  # closed meanwhile: nothing left to break
            log.debug("watchdog: connection already gone", exc_info=True)


WATCHDOG = _Watchdog()
_PG_CONNECTION: type | None = None


def _pg_connection_class() -> type:
    """psycopg.Connection whose every round trip (execute, commit, rollback, the pool's ping…
    all go through Connection.wait) is under the watchdog."""
    global _PG_CONNECTION
    if _PG_CONNECTION is None:
        import psycopg

        base_wait = psycopg.Connection.wait
        monotonic = time.monotonic

        class WatchedConnection(psycopg.Connection):
            _encore_deadline = 0.0  # monotonic time the current round trip must end by; 0: idle
            _encore_fired = 0.0  # the deadline the watchdog broke the connection at
            _encore_budget = PG_TIMEOUT + _PG_WATCHDOG_EXTRA
            _encore_timeout = PG_TIMEOUT

            def wait(self, gen, *args, **kwargs):
                # the hot path: one clock read and two float stores per round trip (round trips
                # do not nest: psycopg holds the connection's lock for each)
                mine = self._encore_deadline = monotonic() + self._encore_budget
                try:
                    return base_wait(self, gen, *args, **kwargs)
                except psycopg.Error as exc:
                    if self._encore_fired == mine:
                        with contextlib.suppress(Exception):
                            self.close()
                        raise NotAnswering(self._encore_timeout) from exc
                    raise
                finally:
                    self._encore_deadline = 0.0

        _PG_CONNECTION = WatchedConnection
    return _PG_CONNECTION


def pg_engine(url: str, timeout: float) -> Engine:
    """A PostgreSQL engine whose connections give up after `timeout` seconds, wherever they hang."""
    from sqlalchemy.engine import make_url

    cls = _pg_connection_class()  # ModuleNotFoundError without psycopg
    query = make_url(url).query
    ms = int(timeout * 1000)
    settings = (
        f"-c lock_timeout={ms} -c statement_timeout={ms + int(_PG_STATEMENT_EXTRA * 1000)} "
        # a client that vanished in the middle of a transaction frees its row locks
        f"-c idle_in_transaction_session_timeout={max(15000, 3 * ms)}"
    )
    args: dict = {"options": f"{settings} {query['options']}" if query.get("options") else settings}
    for key, value in {
        "connect_timeout": max(2, math.ceil(timeout)),  # libpq's minimum is 2 s
        "keepalives": 1,
        "keepalives_idle": max(1, math.ceil(timeout)),
        "keepalives_interval": max(1, math.ceil(timeout / 3)),
        "keepalives_count": 3,
        "tcp_user_timeout": ms,
    }.items():
        if key not in query:  # the URL's own settings win
            args[key] = value
    engine = create_engine(url, pool_pre_ping=True, connect_args=args)
    budget = timeout + _PG_WATCHDOG_EXTRA

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _rec, cargs, cparams):
        conn = cls.connect(*cargs, **cparams)
        conn._encore_budget = budget
        conn._encore_timeout = timeout
        WATCHDOG.watch(conn)
        return conn

    return engine
