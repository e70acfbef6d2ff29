"""Disk full, read-only media, a locked database, a second app window: each refused with a clear
message, and every committed value kept. Real conditions: a small tmpfs (mounted when we are
root), RLIMIT_FSIZE in a child, an flock / SQLite lock held by another process."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.store import StoreError, open_store
from tests.conftest import ADMIN, OPERATOR, small_setup


@contextlib.contextmanager
def tmpfs(tmp_path: Path, size: str = "2m"):
    """A real small file system (a USB stick stand-in). Needs root (mount)."""
    mnt = tmp_path / f"mnt-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=700", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({r.stderr.decode().strip()}); the RLIMIT test covers disk full"
        )
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _cells(store, ac_id):
    return {
        (e.station, f): v
        for r in (1, 2, 3)
        for e in services.round_view(store, ac_id, r).entries
        for f, v in e.values.items()
    }


def _type_until_refused(store, ac_id, limit=5000):
    """Keep typing figures until the store refuses; returns (acknowledged, refusal)."""
    acked = {}
    ctx = services.load_context(store, ac_id)
    slots = [(r, s, f) for r in (1, 2, 3) for s in ctx.tables_of(r) for f in ctx.fields_of(r)]
    i = 0
    while i < limit:
        r, s, f = slots[i % len(slots)]
        v = 1 + i % 900
        try:
            services.enter_cell(store, ac_id, r, s, f, v, OPERATOR, cursor={"note": "x" * 2000 + str(i)})
        except StoreError as exc:
            return acked, exc
        acked[(s, f)] = v
        i += 1
    raise AssertionError("the disk never filled")


def test_disk_full_refuses_and_keeps_every_saved_value(tmp_path):
    with tmpfs(tmp_path, "1m") as mnt:
        store = open_store(mnt / "encore.db")
        ac_id = services.create_ac(store, small_setup(), ADMIN)
        # fill what is left of the disk
        with contextlib.suppress(OSError), open(mnt / "filler", "wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        acked, exc = _type_until_refused(store, ac_id)
        assert "is full" in str(exc) and "NOT saved" in str(exc), exc
        assert _cells(store, ac_id) == acked  # every acknowledged figure, nothing else
        (mnt / "filler").unlink()  # the operator frees space and presses Enter again
        services.enter_cell(store, ac_id, 1, "1", "c1", 555, OPERATOR)
        assert services.verify_journal(store, ac_id).ok
        store.close()
        con = sqlite3.connect(mnt / "encore.db")
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()


def _child_with_file_size_limit(db: str, q) -> None:  # runs in a forked child
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes then fail with EFBIG
    store = open_store(db, create=False)
    ac_id = services.list_acs(store)[0].ac_id
    size = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 64 * 1024, size + 64 * 1024))
    acked, exc = _type_until_refused(store, ac_id)
    os.write(q, repr((acked, str(exc))).encode())


def test_file_size_limit_refuses_cleanly_without_root(tmp_path):
    db = str(tmp_path / "encore.db")
    store = open_store(db)
    services.create_ac(store, small_setup(), ADMIN)
    store.close()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(r)
            _child_with_file_size_limit(db, w)
        except BaseException as exc:  # report, never return into pytest
            os.write(w, repr(({}, f"CHILD FAILED {exc!r}")).encode())
            code = 1
        os._exit(code)
    os.close(w)
    data = b""
    while chunk := os.read(r, 1 << 20):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    acked, msg = eval(data.decode())  # noqa: S307 - our own child's repr
    assert "CHILD FAILED" not in msg, msg
    assert ("I/O error" in msg or "full" in msg) and "Traceback" not in msg, msg
    store = open_store(db, create=False)
    ac_id = services.list_acs(store)[0].ac_id
    assert _cells(store, ac_id) == acked and len(acked) > 0
    assert services.verify_journal(store, ac_id).ok
    store.close()


def test_read_only_media_refuses_writes_and_still_reads(tmp_path):
    with tmpfs(tmp_path) as mnt:
        store = open_store(mnt / "encore.db")
        ac_id = services.create_ac(store, small_setup(), ADMIN)
        services.enter_cell(store, ac_id, 1, "1", "c1", 42, OPERATOR)
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        # opening for the app (create=True) must not traceback
        with pytest.raises(StoreError, match="read-only"):
            open_store(mnt / "encore.db")
        ro = open_store(mnt / "encore.db", create=False)
        with pytest.raises(StoreError, match="read-only") as exc:
            services.enter_cell(ro, ac_id, 1, "1", "c2", 7, OPERATOR)
        assert "Nothing saved was lost" in str(exc.value)
        assert _cells(ro, ac_id) == {("1", "c1"): 42}  # reading still works
        ro.engine.dispose()
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        rw = open_store(mnt / "encore.db")
        services.enter_cell(rw, ac_id, 1, "1", "c2", 7, OPERATOR)
        assert services.verify_journal(rw, ac_id).ok
        rw.close()


HOLD_FLOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""

HOLD_SQLITE = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
time.sleep(60)
"""


def _holder(script: str, path: Path) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE)
    assert p.stdout.readline().strip() == b"held"
    return p


@pytest.mark.parametrize("how", ["encore write lock", "sqlite lock"])
def test_a_lock_held_by_another_process_is_refused_not_hung(tmp_path, how):
    db = tmp_path / "encore.db"
    store = open_store(db, timeout=0.5)
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    services.enter_cell(store, ac_id, 1, "1", "c1", 10, OPERATOR)
    p = (
        _holder(HOLD_FLOCK, Path(str(db) + ".lock"))
        if how == "encore write lock"
        else _holder(HOLD_SQLITE, db)
    )
    try:
        t = time.monotonic()
        with pytest.raises(StoreError, match="locked by another program") as exc:
            services.enter_cell(store, ac_id, 1, "1", "c1", 11, OPERATOR)
        assert time.monotonic() - t < 30  # refused, not hung (generous: no timing claim)
        assert "Nothing saved was lost" in str(exc.value)
    finally:
        p.kill()
        p.wait()
    services.enter_cell(store, ac_id, 1, "1", "c2", 3, OPERATOR)
    assert _cells(store, ac_id) == {("1", "c1"): 10, ("1", "c2"): 3}
    assert services.verify_journal(store, ac_id).ok
    store.close()


HOLD_INSTANCE = """
import sys, time
from encore_tui.store import open_store
s = open_store(sys.argv[1], create=False)
lock = s.acquire_instance_lock("op1 (Operator One)")
print("held", flush=True)
time.sleep(60)
"""


def test_a_second_app_window_is_told_who_has_the_store(tmp_path):
    db = tmp_path / "encore.db"
    store = open_store(db)
    services.create_ac(store, small_setup(), ADMIN)
    p = _holder(HOLD_INSTANCE, db)
    try:
        with pytest.raises(
            StoreError, match=r"already open in another encore window: op1 \(Operator One\)"
        ) as e:
            store.acquire_instance_lock("ro1")
        assert f"process {p.pid}" in str(e.value)
        # another scope (e.g. a different account) is independent
        other = store.acquire_instance_lock("ro1", scope="ro1")
        other.release()
    finally:
        p.kill()  # a crash / power cut: the kernel drops the lock, no stale lock file blocks us
        p.wait()
    lock = store.acquire_instance_lock("ro1")
    assert os.stat(Path(str(db) + ".instance")).st_mode & 0o777 == 0o600
    with pytest.raises(StoreError, match="ro1"):
        store.acquire_instance_lock("op1")  # also within one process
    lock.release()
    with store.acquire_instance_lock("op1"):
        pass
    store.close()


@pytest.mark.postgres
def test_instance_lock_on_postgres_names_the_holder(pg_database):
    from tests.conftest import _fresh_pg_store

    a, b = _fresh_pg_store(pg_database), open_store(pg_database, create=False)
    lock = a.acquire_instance_lock("op1", scope="op1")
    with pytest.raises(StoreError, match="already open in another encore window for 'op1': op1"):
        b.acquire_instance_lock("op1 again", scope="op1")
    b.acquire_instance_lock("ro1", scope="ro1").release()
    lock.release()
    b.acquire_instance_lock("op1 again", scope="op1").release()
    a.engine.dispose()
    b.engine.dispose()
