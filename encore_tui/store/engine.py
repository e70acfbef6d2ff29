"""Opening a store: SQLite (default, one file per counting PC) or PostgreSQL (district mode).

SQLite is run in WAL mode with synchronous=FULL (NORMAL loses committed transactions on power
loss) and foreign keys on. Python 3.11 bundles SQLite 3.40, which has the WAL-reset bug: two
connections writing or checkpointing one WAL database at the same moment can corrupt it. So
every write transaction in every process takes an exclusive advisory lock on `<db>.lock`
(fcntl.flock) before BEGIN IMMEDIATE, and automatic checkpoints (which run inside a commit)
therefore run under that lock too. Readers never write and never checkpoint
(wal_autocheckpoint runs only on commit); closing the last connection checkpoints, which we
also do under the lock in `Store.close`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from encore_tui.store.models import metadata


class StoreError(RuntimeError):
    """A failure the operator can act on; the message says what to do."""


def _explain(exc: BaseException, where: str) -> StoreError:
    text = str(getattr(exc, "orig", exc) or exc).lower()
    if "locked" in text or "busy" in text:
        msg = (
            f"The database {where} is locked by another program. Close the other encore "
            "window using it (or wait a moment) and try again. Nothing saved was lost."
        )
    elif "readonly" in text or "read-only" in text:
        msg = (
            f"The database {where} is on read-only media or a read-only file. Copy it to a "
            "writable disk or fix its permissions. Nothing saved was lost."
        )
    elif "full" in text or "no space" in text:
        msg = (
            f"The disk holding {where} is full. Free space (or move the store) and press "
            "Enter again: the last value was NOT saved, everything before it is."
        )
    elif "unable to open" in text or "no such file" in text:
        msg = f"Cannot open the database {where}: check that the folder exists and is writable."
    elif "connection" in text or "could not connect" in text or "refused" in text:
        msg = f"Cannot reach the database server {where}: check that it is running and reachable."
    elif "disk i/o" in text:
        msg = f"The disk holding {where} reported an I/O error. Check the disk; nothing saved was lost."
    else:
        msg = f"Database error on {where}: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}"
    err = StoreError(msg)
    err.__cause__ = exc
    return err


def normalize_url(url_or_path: str | os.PathLike) -> str:
    s = str(url_or_path)
    if "://" in s:
        if s.startswith(("postgresql://", "postgres://")):
            s = "postgresql+psycopg://" + s.split("://", 1)[1]
        return s
    return f"sqlite:///{Path(s).expanduser().resolve()}"


class Store:
    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._lock_path: Path | None = None
        self._thread_lock = threading.RLock()
        self.cache: dict = {}
        if self.is_sqlite and engine.url.database and engine.url.database != ":memory:":
            self._lock_path = Path(engine.url.database + ".lock")

    @property
    def where(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -- writing ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self._lock_path is None:
            with self._thread_lock:
                yield
            return
        with self._thread_lock:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One durable write transaction. Returns only after COMMIT (fsync) succeeded."""
        try:
            with self._file_lock(), self.engine.connect() as conn:
                conn.info["immediate"] = True
                try:
                    with conn.begin():
                        yield conn
                finally:
                    conn.info.pop("immediate", None)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES):
                raise _explain(exc, self.where) from exc
            raise
        except (OperationalError, DBAPIError) as exc:
            raise _explain(exc, self.where) from exc

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except (OperationalError, DBAPIError) as exc:
            raise _explain(exc, self.where) from exc

    def create_schema(self) -> None:
        try:
            with self._file_lock():
                metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise _explain(exc, self.where) from exc

    def close(self) -> None:
        with self._file_lock():
            self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite's is broken)
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA busy_timeout=10000")
        mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode and str(mode[0]).lower() != "wal":
            # read-only media cannot switch to WAL; readers still work
            pass
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


def open_store(url_or_path: str | os.PathLike, *, create: bool = True) -> Store:
    url = normalize_url(url_or_path)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if not create and path and not Path(path).exists():
            raise StoreError(
                f"There is no store at {path}. Create one with `encore import` "
                "or `encore demo`, or give the right --db."
            )
        if path:
            folder = Path(path).parent
            if not folder.exists():
                raise StoreError(f"The folder {folder} does not exist: create it or choose another --db.")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("immediate") else "BEGIN")

        if path and Path(path).exists() is False:
            Path(path).touch(mode=0o600)
    elif url.startswith("postgresql"):
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise StoreError(
                "PostgreSQL support is not installed: pip install 'encore-tui[postgres]'"
            ) from exc
    else:
        raise StoreError(
            f"Unknown database URL {url_or_path!r}: use a file path (SQLite) or postgresql://user@host/db"
        )
    store = Store(engine, url)
    if create:
        store.create_schema()
    return store
