"""The receiver's database connection: SQLite for one machine, PostgreSQL for a real deployment.

Central has its own small helper (not the counting store's engine) so that the receiver imports
only `domain` and `wire` of the counting app and could ship on its own. The same two rules hold:
SQLite runs in WAL with synchronous=FULL, and, because Python 3.11's SQLite (3.40) has the
WAL-reset bug and `serve --workers N` runs several processes on one file, every write first takes
an exclusive `flock` on `<db>.lock` and then BEGIN IMMEDIATE. PostgreSQL connections give up
after `timeout` seconds (connect, lock wait, statement) instead of hanging a worker.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from encore_tui.base import portable

TIMEOUT = 5.0  # seconds a write waits for another writer, or for the PostgreSQL server


class CentralDbError(RuntimeError):
    """The database refused or did not answer; the message says what to do."""


def normalize_url(url_or_path: str | os.PathLike) -> str:
    """A file path means SQLite; postgresql:// URLs get the psycopg driver."""
    s = str(url_or_path)
    if "://" in s:
        if s.startswith(("postgresql://", "postgres://")):
            s = "postgresql+psycopg://" + s.split("://", 1)[1]
        return s
    return f"sqlite:///{Path(s).expanduser().resolve()}"


class CentralDb:
    def __init__(self, engine: Engine, timeout: float = TIMEOUT, lock_path: Path | None = None) -> None:
        self.engine = engine
        self.timeout = timeout
        self._lock_path = lock_path
        self._thread_lock = threading.RLock()
        self._errors: tuple[type[BaseException], ...] = (OperationalError, DBAPIError)
        if engine.dialect.name == "postgresql":
            import psycopg

            self._errors += (psycopg.Error,)  # raised by statements run on the DBAPI cursor

    def is_db_error(self, exc: BaseException) -> bool:
        """The database refused or did not answer (SQLAlchemy's error or the driver's own)."""
        return isinstance(exc, self._errors) or type(exc).__module__.startswith(("sqlite3", "psycopg"))

    @property
    def where(self) -> str:
        return self.engine.url.render_as_string(hide_password=True).replace(
            "postgresql+psycopg://", "postgresql://", 1
        )

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        with self._thread_lock:
            if self._lock_path is None:
                yield
                return

            def busy() -> CentralDbError:
                return CentralDbError(
                    f"The database {self.where} stays locked by another process; retry shortly."
                )

            # a worker's writer thread waits here while another worker commits its batch (~3 ms):
            # polled at most every 2 ms, so a waiting batch does not sleep past the commit
            with portable.exclusive(self._lock_path, self.timeout, busy, max_pause=0.002):
                yield

    @contextlib.contextmanager
    def _transaction(self, writing: bool) -> Iterator[Connection]:
        try:
            with self._write_lock() if writing else contextlib.nullcontext(), self.engine.connect() as conn:
                conn.info["immediate"] = writing
                with conn.begin():
                    yield conn
        except self._errors as exc:
            raise CentralDbError(f"The database {self.where} refused: {getattr(exc, 'orig', exc)}") from exc

    def write(self) -> contextlib.AbstractContextManager[Connection]:
        """One durable write transaction: returns only after COMMIT succeeded."""
        return self._transaction(writing=True)

    def read(self) -> contextlib.AbstractContextManager[Connection]:
        return self._transaction(writing=False)

    def close(self) -> None:
        with self._write_lock():  # the last connection checkpoints the WAL: under the lock
            self.engine.dispose()


def _sqlite_engine(url: str, timeout: float) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # BEGIN is issued below (pysqlite's own is broken)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # NORMAL loses commits on a power cut
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("immediate") else "BEGIN")

    return engine


def _pg_engine(url: str, timeout: float) -> Engine:
    ms = int(timeout * 1000)
    options = f"-c lock_timeout={ms} -c statement_timeout={ms + 500} -c idle_in_transaction_session_timeout={3 * ms}"
    args = {"options": options, "connect_timeout": max(2, math.ceil(timeout))}
    return create_engine(url, pool_pre_ping=True, connect_args=args)


def open_db(url_or_path: str | os.PathLike, timeout: float = TIMEOUT) -> CentralDb:
    """Open the receiver's database (a SQLite file is created, owner-only, in an existing folder)."""
    url = normalize_url(url_or_path)
    if url == "sqlite://":  # in memory: the OpenAPI document needs an app, not a store
        return CentralDb(_sqlite_engine(url, timeout), timeout)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        file = Path(path)
        if not file.parent.exists():
            raise CentralDbError(
                f"The folder {file.parent} does not exist: create it or choose another --db."
            )
        if not file.exists():
            file.touch(mode=0o600)
        return CentralDb(_sqlite_engine(url, timeout), timeout, Path(path + ".lock"))
    if url.startswith("postgresql"):
        try:
            return CentralDb(_pg_engine(url, timeout), timeout)
        except ModuleNotFoundError as exc:
            raise CentralDbError(
                "PostgreSQL support is not installed: pip install 'encore-tui[postgres]'"
            ) from exc
    raise CentralDbError(
        f"Unknown database URL {url_or_path!r}: use a file path or postgresql://user@host/db"
    )
