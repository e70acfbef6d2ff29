"""PostgreSQL that does not answer, is not there, or is not the right one: encore gives up within
its timeout with a message that says which and what to do (issue 12).

Real sockets and the real local PostgreSQL: a listener that accepts and never sends a byte (a
server that hangs), a TCP proxy in front of 127.0.0.1:5432 that can be frozen (a network that
stops forwarding without closing), a port nobody listens on, a database and a user that do not
exist, a user without privileges. Every test is bounded: a call that would hang is run in a
thread (or a subprocess) and the test fails when it has not returned in time."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.store import StoreError, open_store
from tests.conftest import ADMIN, OPERATOR, PG_ADMIN_URL, _fresh_pg_store, small_setup

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
T = 2.0  # the timeout the tests configure (libpq's connect_timeout cannot go below 2 s)
MARGIN = 4.0  # scheduling, the watchdog's tick, the server-side timeout's head start
PG_HOST, PG_PORT = "127.0.0.1", 5432


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _url(port: int, db: str = "test", user: str = "postgres") -> str:
    return f"postgresql://{user}@127.0.0.1:{port}/{db}"


class HangServer:
    """Accepts TCP connections and never sends a byte (nor closes them)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop:
            with contextlib.suppress(TimeoutError, OSError):
                self.conns.append(self.sock.accept()[0])

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


class FreezableProxy:
    """127.0.0.1:<port> → the real PostgreSQL. `freeze()` stops forwarding in both directions
    without closing anything (bytes stay in the kernel's buffers); `thaw()` resumes."""

    def __init__(self, target: tuple[str, int] = (PG_HOST, PG_PORT)) -> None:
        self.target = target
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.frozen = threading.Event()
        self._stop = threading.Event()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self.frozen.set()

    def thaw(self) -> None:
        self.frozen.clear()

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client = self.sock.accept()[0]
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection(self.target)
            self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peer = {a: b, b: a}
        try:
            while not self._stop.is_set():
                if self.frozen.is_set():
                    time.sleep(0.02)
                    continue
                ready, _, _ = select.select([a, b], [], [], 0.05)
                for s in ready:
                    if self.frozen.is_set():
                        break
                    data = s.recv(65536)
                    if not data:
                        return
                    peer[s].sendall(data)
        except OSError:
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


def bounded(fn, limit: float):
    """Run fn() in a thread; return (seconds taken, result or exception). Fails the test when
    fn has not returned within `limit` seconds (the thread is left behind, a daemon)."""
    box: dict = {}

    def run() -> None:
        t0 = time.monotonic()
        try:
            box["result"] = fn()
        except BaseException as exc:  # returned to the test, which asserts on it
            box["result"] = exc
        box["took"] = time.monotonic() - t0

    th = threading.Thread(target=run, daemon=True)
    th.start()
    th.join(limit)
    if th.is_alive():
        pytest.fail(f"still blocked after {limit:.0f} s: the call hangs")
    return box["took"], box["result"]


def _first_line_fits(err: BaseException) -> str:
    msg = str(err)
    first = msg.split(". ", 1)[0].split(": ", 1)[0]
    assert len(first) <= 80, msg
    return msg


# -- a server that accepts and never answers ------------------------------------------------------
@pytest.fixture
def hang():
    srv = HangServer()
    yield srv
    srv.close()


def test_encore_status_gives_up_on_a_server_that_never_answers(hang, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ENCORE_DB_TIMEOUT": str(T)}
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "encore_tui", "--db", _url(hang.port), "status"],
            capture_output=True,
            text=True,
            timeout=T + MARGIN + 10,  # python start-up and imports on a loaded machine
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("`encore status` hangs on a server that never answers")
    took = time.monotonic() - t0
    assert proc.returncode != 0
    assert "not answering" in proc.stderr, proc.stderr
    assert f"({T:g} s)" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert took < T + MARGIN + 8, took


def test_open_store_and_a_read_give_up_on_a_server_that_never_answers(hang):
    store = open_store(_url(hang.port), create=False, timeout=T)
    took, res = bounded(lambda: services.list_acs(store), T + MARGIN + 10)
    assert isinstance(res, StoreError), res
    msg = _first_line_fits(res)
    assert msg.startswith(f"Database not answering ({T:g} s)"), msg
    assert "NOT saved" not in msg  # a read: nothing was being saved
    assert took < T + MARGIN, took
    # creating the schema (what the app does on opening) gives up too
    took, res = bounded(lambda: open_store(_url(hang.port), timeout=T), T + MARGIN + 10)
    assert isinstance(res, StoreError) and "not answering" in str(res), res
    assert took < T + MARGIN, took


# -- the network freezes mid-session ---------------------------------------------------------------
@pytest.fixture
def proxied(pg_database):
    """(store through a freezable proxy, proxy, direct store, ac_id)."""
    direct = _fresh_pg_store(pg_database)
    ac_id = services.create_ac(direct, small_setup(), ADMIN)
    proxy = FreezableProxy()
    db = pg_database.rsplit("/", 1)[1]
    store = open_store(_url(proxy.port, db), create=False, timeout=T)
    yield store, proxy, direct, ac_id
    proxy.thaw()
    store.engine.dispose()
    direct.engine.dispose()
    proxy.close()


def _cell(store, ac_id) -> int | None:
    return services.round_view(store, ac_id, 1).entries[0].values["c1"]


def test_a_write_gives_up_when_the_network_freezes_and_the_next_one_succeeds(proxied):
    store, proxy, direct, ac_id = proxied
    from encore_tui.store.postgres import WATCHDOG

    services.enter_cell(store, ac_id, 1, "1", "c1", 40, OPERATOR)  # the session is up
    fired = WATCHDOG.fired
    proxy.freeze()
    took, res = bounded(
        lambda: services.enter_cell(store, ac_id, 1, "1", "c1", 41, OPERATOR, expected=40), T + MARGIN + 10
    )
    assert isinstance(res, StoreError), res
    msg = _first_line_fits(res)
    assert msg.startswith(f"Database not answering ({T:g} s): NOT saved."), msg
    assert "press Enter again" in msg
    assert took < T + MARGIN, took
    assert WATCHDOG.fired > fired  # the client-side watchdog broke the connection
    # a write with a fresh connection (the pool's was thrown away) gives up as well
    took, res = bounded(
        lambda: services.enter_cell(store, ac_id, 1, "1", "c1", 41, OPERATOR, expected=40), T + MARGIN + 10
    )
    assert isinstance(res, StoreError) and "not answering" in str(res), res
    assert took < T + MARGIN, took
    proxy.thaw()
    # nothing of the failed writes was committed (checked on a direct connection; the frozen
    # session's row lock goes when the proxy passes on the client's close)
    took, res = bounded(lambda: _cell(direct, ac_id), 30)
    assert res == 40, res
    took, res = bounded(
        lambda: services.enter_cell(store, ac_id, 1, "1", "c1", 41, OPERATOR, expected=40), 20
    )
    assert isinstance(res, services.Saved), res
    assert _cell(direct, ac_id) == 41
    assert services.verify_journal(direct, ac_id).ok


def test_a_read_gives_up_when_the_network_freezes(proxied):
    store, proxy, _direct, ac_id = proxied
    assert services.list_acs(store)
    proxy.freeze()
    took, res = bounded(lambda: services.list_acs(store), T + MARGIN + 10)
    assert isinstance(res, StoreError) and str(res).startswith(f"Database not answering ({T:g} s)."), res
    assert took < T + MARGIN, took
    proxy.thaw()
    assert bounded(lambda: services.list_acs(store), 20)[1]


def test_a_row_locked_by_a_frozen_session_is_reported_busy_not_hung(proxied, pg_database):
    """Another session holds the AC's chain-head row lock (an encore window frozen
    mid-transaction): a write waits the lock timeout and says so, instead of queueing."""
    store, _proxy, direct, ac_id = proxied
    from sqlalchemy import text

    with direct.engine.connect() as holder:
        holder.execute(text("SELECT seq FROM chain_head WHERE ac_id = :a FOR UPDATE"), {"a": ac_id})
        took, res = bounded(lambda: services.enter_cell(store, ac_id, 1, "1", "c1", 7, OPERATOR), T + 10)
        holder.rollback()
    assert isinstance(res, StoreError), res
    msg = _first_line_fits(res)
    assert msg.startswith(f"Database busy ({T:g} s): NOT saved."), msg
    assert took < T + MARGIN, took
    assert isinstance(services.enter_cell(store, ac_id, 1, "1", "c1", 7, OPERATOR), services.Saved)


def test_a_statement_the_server_cannot_finish_in_time_is_cancelled(pg_database):
    store = open_store(pg_database, create=False, timeout=T)
    from sqlalchemy import text

    def slow():
        with store.read() as conn:
            conn.execute(text("SELECT pg_sleep(30)"))

    took, res = bounded(slow, T + 10)
    assert isinstance(res, StoreError) and str(res).startswith(f"Database not answering ({T:g} s)."), res
    assert took < T + MARGIN, took
    with store.read() as conn:  # the connection is still good (the server cancelled, no break)
        assert conn.execute(text("SELECT 1")).scalar() == 1
    store.engine.dispose()


# -- not there, not the right one -----------------------------------------------------------------
def _refusal(url: str) -> str:
    store = open_store(url, create=False, timeout=T)
    took, res = bounded(lambda: services.list_acs(store), T + MARGIN + 10)
    store.engine.dispose()
    assert isinstance(res, StoreError), res
    assert took < T + MARGIN, took
    return _first_line_fits(res)


def test_nothing_listening_is_reported_as_server_down():
    msg = _refusal(_url(_free_port()))
    assert msg.startswith("Database server refused the connection"), msg
    assert "check that PostgreSQL is running" in msg and "host and port" in msg
    assert "does not exist" not in msg and "not answering" not in msg


def test_an_unknown_database_is_reported_as_such():
    msg = _refusal(_url(PG_PORT, db="encore_no_such_db"))
    assert msg.startswith('Database "encore_no_such_db" does not exist'), msg
    assert "database name" in msg and "running" not in msg


def test_an_unknown_user_is_reported_as_such():
    msg = _refusal(_url(PG_PORT, user="encore_no_such_user"))
    assert msg.startswith('Database user "encore_no_such_user" does not exist'), msg
    assert "user name" in msg and "running" not in msg


def test_a_user_without_privileges_is_told_to_ask_for_a_grant(pg_database):
    from sqlalchemy import create_engine, text

    role = f"encore_t_{uuid.uuid4().hex[:8]}"
    _fresh_pg_store(pg_database).engine.dispose()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        db = pg_database.rsplit("/", 1)[1]
        msg = _refusal(_url(PG_PORT, db=db, user=role))
        assert msg.startswith("Database permission denied"), msg
        assert "GRANT" in msg
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP OWNED BY "{role}"'))
            c.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def test_a_refused_password_is_reported_as_such():
    """The local server trusts 127.0.0.1, so the server's own words are used here."""
    import psycopg

    from encore_tui.store.errors import explain

    exc = psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        'FATAL:  password authentication failed for user "counting"'
    )
    msg = str(explain(exc, "postgresql://counting@10.0.0.5/encore"))
    assert msg.startswith('Database password refused for user "counting"'), msg
    assert "password" in msg.split(". ", 1)[1]


def test_sqlite_messages_are_unchanged(tmp_path):
    from encore_tui.store.errors import explain

    exc = OSError(28, "No space left on device")
    assert str(explain(exc, "x.db")).startswith("The disk holding x.db is full.")
    store = open_store(tmp_path / "s.db")
    assert store.timeout == 10.0  # SQLite's default lock wait, as before
    with store.write() as conn:  # a plain sqlite3 connection: no watchdog on SQLite
        assert type(conn.connection.dbapi_connection).__module__ == "sqlite3"
    store.engine.dispose()


# -- the app ---------------------------------------------------------------------------------------
async def test_the_app_shows_why_the_store_did_not_open_instead_of_hanging(hang):
    from textual.widgets import Static

    from encore_tui.app import EncoreApp
    from encore_tui.base.config import Settings

    app = EncoreApp(None, Settings(db=_url(hang.port), db_timeout=T))
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + T + MARGIN + 5
        err = app.screen.query_one("#signin-error", Static)
        while "not answering" not in str(err.render()):
            if time.monotonic() > deadline:
                pytest.fail(f"the sign-in screen still says {str(err.render())!r}")
            await pilot.pause(0.1)
        shown = str(err.render())
        assert f"Database not answering ({T:g} s)" in shown
        assert "Enter" in shown  # how to try again
        assert app.store is None
        # Enter tries again (and says so while it does)
        await pilot.press(*"op1", "enter", *"1234", "enter")
        await pilot.pause(0.2)
        assert "Opening the store" in str(err.render())
        deadline = time.monotonic() + T + MARGIN + 5
        while "not answering" not in str(err.render()):
            assert time.monotonic() < deadline, str(err.render())
            await pilot.pause(0.1)
        await asyncio.sleep(0)
