"""Opening a store: SQLite (default, one file per counting PC) or PostgreSQL (district mode).

SQLite is run in WAL mode with synchronous=FULL (NORMAL loses committed transactions on power
loss) and foreign keys on. Python 3.11 bundles SQLite 3.40, which has the WAL-reset bug: two
connections writing or checkpointing one WAL database at the same moment can corrupt it. So
every write transaction in every process takes an exclusive lock on `<db>.lock`
(`portable.exclusive`: flock on Linux, LockFileEx on Windows) before BEGIN IMMEDIATE, and
automatic checkpoints (which run inside a commit) therefore run under that lock too. Readers never write and never checkpoint
(wal_autocheckpoint runs only on commit); closing the last connection checkpoints, which we
also do under the lock in `Store.close`.

PostgreSQL (district mode) must never hang the hall: see store/postgres.py (timeouts on every
connection and a client-side watchdog). Failures become a StoreError that says what to do
(store/errors.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import socket
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from encore_tui.base import portable
from encore_tui.store.errors import NotAnswering, StoreError, explain
from encore_tui.store.models import metadata, upgrade
from encore_tui.store.postgres import PG_TIMEOUT, pg_engine

SQLITE_TIMEOUT = 10.0  # SQLite: seconds a write waits for another writer (file lock, busy timeout)


def normalize_url(url_or_path: str | os.PathLike) -> str:
    s = str(url_or_path)
    if "://" in s:
        if s.startswith(("postgresql://", "postgres://")):
            s = "postgresql+psycopg://" + s.split("://", 1)[1]
        return s
    return f"sqlite:///{Path(s).expanduser().resolve()}"


@dataclass
class InstanceLock:
    """Held while an app window has the store open (see Store.acquire_instance_lock).

    SQLite: a file lock on `<db>.instance` (or `<db>.<scope>.instance`, see `portable.hold`),
    which the operating system releases when the process dies, so a power cut or a crash never
    leaves a stale lock behind.
    PostgreSQL: a session advisory lock on a dedicated connection, likewise released when the
    session ends."""

    scope: str
    holder: dict
    path: Path | None = None
    _file: portable.HeldLock | None = field(default=None, repr=False)
    _conn: object | None = field(default=None, repr=False)

    def release(self) -> None:
        if self._file is not None:
            self._file.release()
            self._file = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                # end the session (not back to the pool): the advisory lock goes with it
                self._conn.invalidate()
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


_PG_LOCK_NAMESPACE = 0x454E43  # "ENC": first key of the two-key advisory lock


def _describe_holder(h: dict | None) -> str:
    if not h:
        return "another encore window (still starting)"
    since = str(h.get("since", ""))[11:19]
    where = f" on {h['host']}" if h.get("host") else ""
    proc = f", process {h['pid']}" if h.get("pid") else ""
    return f"{h.get('owner', 'someone')}{where}{proc}" + (f", since {since} UTC" if since else "")


class Store:
    def __init__(
        self, engine: Engine, url: str, timeout: float = SQLITE_TIMEOUT, db_path: Path | None = None
    ) -> None:
        self.engine = engine
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._pg = engine.dialect.name == "postgresql"
        self.timeout = timeout
        # errors a transaction turns into a StoreError (PostgreSQL: also psycopg's own, raised
        # by the hot-path statements run on the DBAPI cursor, see base/fast.py)
        self._db_errors: tuple[type[BaseException], ...] = (OperationalError, DBAPIError)
        if self._pg:
            import psycopg

            self._db_errors += (psycopg.Error, NotAnswering)
        self._lock_path: Path | None = None
        self._thread_lock = threading.RLock()
        self.cache: dict = {}
        # how long a write waits for another writer before refusing with a clear message
        self.lock_timeout = timeout
        self._db_path = db_path
        if db_path is None and self.is_sqlite and engine.url.database and engine.url.database != ":memory:":
            self._db_path = Path(engine.url.database)
        if self._db_path is not None:
            self._lock_path = Path(str(self._db_path) + ".lock")

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for PostgreSQL)."""
        return self._db_path

    @property
    def where(self) -> str:
        # as the user types it (postgresql://…), without the driver name or a password
        return self.engine.url.render_as_string(hide_password=True).replace(
            "postgresql+psycopg://", "postgresql://", 1
        )

    # -- writing ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self._lock_path is None:
            with self._thread_lock:
                yield
            return

        def busy() -> StoreError:
            return StoreError(
                f"The database {self.where} is locked by another program (an encore "
                "window that is busy or hung?). Close the other encore window using "
                "it (or wait a moment) and try again. Nothing saved was lost."
            )

        # never block for ever: a hung process holding the lock must not freeze the hall
        with self._thread_lock:
            try:
                with portable.exclusive(self._lock_path, self.lock_timeout, busy):
                    yield
            except portable.LockUnavailable as exc:
                raise StoreError(f"Cannot write to {self.where}: {exc.strerror}.") from exc

    def write(self) -> contextlib.AbstractContextManager[Connection]:
        """One durable write transaction. Returns only after COMMIT (fsync) succeeded."""
        return self._pg_transaction(writing=True) if self._pg else self._write_sqlite()

    def read(self, *, snapshot: bool = False) -> contextlib.AbstractContextManager[Connection]:
        """A read transaction. snapshot=True: every statement sees one consistent snapshot
        (PostgreSQL REPEATABLE READ READ ONLY; a SQLite read transaction already is one)."""
        return self._pg_transaction(writing=False, snapshot=snapshot) if self._pg else self._read_sqlite()

    @contextlib.contextmanager
    def _write_sqlite(self) -> Iterator[Connection]:
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
                raise explain(exc, self.where) from exc
            raise
        except (OperationalError, DBAPIError) as exc:
            raise explain(exc, self.where) from exc

    @contextlib.contextmanager
    def _read_sqlite(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except (OperationalError, DBAPIError) as exc:
            raise explain(exc, self.where) from exc

    @contextlib.contextmanager
    def _pg_transaction(self, writing: bool, snapshot: bool = False) -> Iterator[Connection]:
        """PostgreSQL: every round trip is bounded (timeouts + watchdog); a connection that broke
        is invalidated (never back to the pool), so the next transaction reconnects."""
        try:
            with self._thread_lock if writing else contextlib.nullcontext(), self.engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                if snapshot:
                    conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                trans = conn.begin()
                try:
                    yield conn
                except BaseException:
                    if raw is None or raw.closed:
                        conn.invalidate()  # no ROLLBACK on a dead connection: it would raise instead
                    elif trans.is_active:
                        trans.rollback()
                    raise
                try:
                    trans.commit()
                except BaseException:
                    if raw is None or raw.closed:
                        conn.invalidate()
                    raise
        except self._db_errors as exc:
            raise explain(exc, self.where, timeout=self.timeout, writing=writing) from exc

    def create_schema(self) -> None:
        try:
            with self._file_lock():
                metadata.create_all(self.engine)
                upgrade(self.engine)
        except SQLAlchemyError as exc:
            raise explain(exc, self.where, timeout=self.timeout) from exc
        except OSError as exc:  # the lock file on read-only media, a full disk; NotAnswering
            raise explain(exc, self.where, timeout=self.timeout) from exc

    # -- one app window per store (or per scope) ---------------------------------------------
    def acquire_instance_lock(self, owner: str, scope: str = "app") -> InstanceLock:
        """Claim the store for this app window, or refuse with a StoreError naming who has it.

        `owner` is shown to the next person who tries (e.g. "op1 (Operator One)"). `scope`
        says what is exclusive: "app" (default) = one window per store; a user name = that
        account may be signed in once. Keep the returned lock for as long as the window is
        open and `release()` it on exit (a crash releases it too)."""
        holder = {
            "owner": owner,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "scope": scope,
        }
        if self._lock_path is not None:
            return self._instance_lock_file(holder, scope)
        if self.engine.dialect.name == "postgresql":
            return self._instance_lock_pg(holder, scope)
        return InstanceLock(scope, holder)  # in-memory store: nobody else can open it

    def _instance_path(self, scope: str) -> Path:
        assert self.path is not None
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in scope)
        return Path(f"{self.path}.instance" if scope == "app" else f"{self.path}.{safe}.instance")

    def _instance_lock_file(self, holder: dict, scope: str) -> InstanceLock:
        path = self._instance_path(scope)
        try:
            held = portable.hold(path, holder)
        except portable.LockBusy as busy:
            raise StoreError(
                f"This store is already open in another encore window: {_describe_holder(busy.holder)}. "
                "Use that window, or close it and try again."
            ) from None
        except OSError as exc:
            raise explain(exc, self.where) from exc
        return InstanceLock(scope, holder, path, _file=held)

    def _instance_lock_pg(self, holder: dict, scope: str) -> InstanceLock:
        from sqlalchemy import text

        key = zlib.crc32(scope.encode()) & 0x7FFFFFFF
        try:
            conn = self.engine.connect()
        except (SQLAlchemyError, NotAnswering) as exc:
            raise explain(exc, self.where, timeout=self.timeout) from exc
        raw = conn.connection.dbapi_connection
        try:
            conn.execute(
                text("SELECT set_config('application_name', :n, false)"),
                {"n": f"encore:{holder['owner']}"[:63]},
            )
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": _PG_LOCK_NAMESPACE, "b": key}
            ).scalar()
            conn.commit()
            if got:
                return InstanceLock(scope, holder, _conn=conn)
            row = conn.execute(
                text(
                    "SELECT a.application_name, a.client_hostname, a.client_addr, a.pid, a.backend_start "
                    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.classid = :a AND l.objid = :b AND l.granted"
                ),
                {"a": _PG_LOCK_NAMESPACE, "b": key},
            ).first()
        except (SQLAlchemyError, NotAnswering) as exc:
            if raw is None or raw.closed:
                conn.invalidate()
            conn.close()
            raise explain(exc, self.where, timeout=self.timeout) from exc
        conn.close()
        other = None
        if row is not None:
            other = {
                "owner": (row.application_name or "").removeprefix("encore:") or "someone",
                "host": row.client_hostname or (str(row.client_addr) if row.client_addr else ""),
                "since": row.backend_start.astimezone(dt.UTC).isoformat() if row.backend_start else "",
            }
        raise StoreError(
            f"This store is already open in another encore window for '{scope}': "
            f"{_describe_holder(other)}. Use that window, or close it and try again."
        )

    def close(self) -> None:
        with self._file_lock():
            self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record, busy_ms: int = 10000) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite's is broken)
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode and str(mode[0]).lower() != "wal":
            # read-only media cannot switch to WAL; readers still work
            pass
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


def _owner_only(path: Path) -> None:
    """The store holds every figure and the PIN hashes: owner-only, whatever the umask.
    A store we own that was left readable by others (an older copy) is tightened."""
    try:
        if not path.exists():
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            if p.exists():
                portable.make_owner_only(p, only_if_mine=True)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise explain(exc, str(path)) from exc
        # read-only media: leave it; opening for reading still works and writes say why not


def open_store(url_or_path: str | os.PathLike, *, create: bool = True, timeout: float | None = None) -> Store:
    """Open (and with create=True, create) a store.

    `timeout` (seconds; None: the backend's default). SQLite (default 10): how long a write
    waits for another writer before refusing with "locked by another program". PostgreSQL
    (default 5): connect_timeout, lock_timeout (a row another session holds), statement_timeout
    (timeout + 0.5 s), and the client-side watchdog, which breaks a connection whose round trip
    has lasted timeout + 1.5 s (a frozen network, a server that never answers); the operator
    is told "Database not answering (5 s): NOT saved." and the next write reconnects."""
    url = normalize_url(url_or_path)
    if timeout is not None and not timeout > 0:
        raise StoreError(f"The database timeout must be a number of seconds above 0, not {timeout!r}.")
    if url.startswith("sqlite"):
        timeout = SQLITE_TIMEOUT if timeout is None else timeout
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
        engine_url = url
        if path and not create and portable.read_only_fs(Path(path).parent):
            # read-only media (a write-protected stick, a CD): SQLite cannot create the WAL's
            # -shm file there, so open the file immutable; reads work, writes are refused
            engine_url = f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"
        engine = create_engine(engine_url, connect_args={"check_same_thread": False, "timeout": timeout})
        event.listen(engine, "connect", lambda c, r: _sqlite_pragmas(c, r, int(timeout * 1000)))

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("immediate") else "BEGIN")

        if path:
            _owner_only(Path(path))
    elif url.startswith("postgresql"):
        timeout = PG_TIMEOUT if timeout is None else timeout
        try:
            engine = pg_engine(url, timeout)
        except ModuleNotFoundError as exc:
            raise StoreError(
                "PostgreSQL support is not installed: pip install 'encore-tui[postgres]'"
            ) from exc
    else:
        raise StoreError(
            f"Unknown database URL {url_or_path!r}: use a file path (SQLite) or postgresql://user@host/db"
        )
    db_path = (
        Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") and url != "sqlite:///" else None
    )
    store = Store(engine, url, timeout=timeout, db_path=db_path)
    if create:
        store.create_schema()
    return store
