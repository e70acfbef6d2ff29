"""Backups of a SQLite store to a second place (a USB stick), and restoring one.

A backup is taken ONLINE with SQLite's backup API through the store's own connection (a
consistent snapshot; the app keeps working), written to a temp file in the target folder,
fsynced, VERIFIED there (PRAGMA integrity_check, then every journal chain re-walked and the
counting state re-derived), and only then renamed to its final name (and the folder fsynced):
a backup file that exists is a good one. Files are owner-only (0600).

PostgreSQL stores (district mode) are backed up with the server's own tool, pg_dump; this
module refuses them with that advice rather than pretend.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select

from encore_tui.base.portable import fsync_dir, make_owner_only
from encore_tui.services.decisions import AFTER_APPROVAL
from encore_tui.services.verify import verify_journal
from encore_tui.store import journal
from encore_tui.store.engine import Store, open_store
from encore_tui.store.errors import StoreError
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import chain_head
from encore_tui.store.models import journal as journal_t

log = logging.getLogger("encore.backup")

PG_ADVICE = (
    "This store is on PostgreSQL: back it up with the server's tool, e.g. "
    "`pg_dump -Fc -f /media/usb/encore-$(date +%Y%m%d-%H%M).dump 'postgresql://USER@HOST/DB'` "
    "(and pg_restore to bring it back). encore backs up SQLite stores only."
)
NAME_RE = re.compile(r"^(?P<stem>.+)-backup-(?P<ts>\d{8}-\d{6}-\d{6})\.db$")


class BackupError(StoreError):
    """A backup or restore that was refused or failed; the message says what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    events: dict[int, int]  # chain (0 = accounts, else AC id) -> events in the copy

    def __str__(self) -> str:
        n = sum(self.events.values())
        return f"backup written and verified: {self.path} ({self.bytes // 1024} KiB, {n} journal events)"


def _readonly_store(path: Path) -> Store:
    """A Store over a file opened read-only: verifying must not change the file it verifies."""
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    return Store(engine, f"sqlite:///{path}")


def chain_heads(path: Path) -> dict[int, tuple[int, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {a: (s, h) for a, s, h in con.execute("SELECT ac_id, seq, hash FROM chain_head")}
    finally:
        con.close()


def verify_file(path: Path) -> dict[int, int]:
    """integrity_check + every journal chain verified and re-derived. Returns events per chain."""

    path = Path(path)
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an encore store (or is damaged): {exc}") from exc
    if ok != "ok":
        raise BackupError(f"{path} is damaged (integrity_check: {ok}); use another backup.")
    store = _readonly_store(path)
    try:
        with store.read() as conn:
            ac_ids = [a for (a,) in conn.execute(select(ac_t.c.id))]
            chains = [a for (a,) in conn.execute(select(chain_head.c.ac_id))]
        out = {}
        for a in sorted(set(chains) | set(ac_ids)):
            rep = verify_journal(store, a)
            if not rep.ok:
                raise BackupError(f"{path}: the journal does not verify: {rep}")
            out[a] = rep.events
        return out
    except BackupError:
        raise
    except Exception as exc:  # a file that is SQLite but not an encore store
        raise BackupError(f"{path} is not an encore store: {exc}") from exc
    finally:
        store.engine.dispose()


def backup(store: Store, folder: Path | str, *, now: dt.datetime | None = None) -> BackupReport:
    """Copy the store to `folder` (created if missing), verify the copy, then publish it."""
    if store.path is None:
        raise BackupError(PG_ADVICE)
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(
            f"Cannot use the backup folder {folder}: {exc.strerror}. Is the USB stick in?"
        ) from exc
    if folder.resolve() == store.path.parent.resolve():
        raise BackupError("Back up to ANOTHER disk (a USB stick), not the folder of the store itself.")
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S-%f")
    final = folder / f"{store.path.stem}-backup-{stamp}.db"
    tmp = folder / f".{final.name}.part"
    try:
        os.close(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
        dst = sqlite3.connect(tmp)
        try:
            with store.read() as conn:
                # the store's own connection: one consistent snapshot, and no extra connection
                # whose close could checkpoint the WAL outside the store's write lock
                conn.connection.driver_connection.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            dst.commit()
        finally:
            dst.close()
        make_owner_only(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        events = verify_file(tmp)
        os.replace(tmp, final)
        fsync_dir(folder)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        text = getattr(exc, "strerror", None) or str(exc)
        if "full" in str(exc).lower() or getattr(exc, "errno", None) == 28:
            text = "the backup disk is full"
        raise BackupError(
            f"The backup to {folder} failed ({text}); the store itself is untouched. "
            "Check the USB stick (inserted, writable, space left) and back up again."
        ) from exc
    except BackupError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return BackupReport(final, final.stat().st_size, events)


def prune(folder: Path, stem: str, keep: int) -> list[Path]:
    """Keep the newest `keep` backups of this store in `folder`; remove older ones."""
    if keep <= 0:
        return []
    mine = sorted(p for p in Path(folder).glob(f"{stem}-backup-*.db") if NAME_RE.match(p.name))
    old = mine[:-keep]
    for p in old:
        with contextlib.suppress(OSError):
            p.unlink()
    return old


def backup_after_approval(store: Store, settings) -> BackupReport | None:
    """The hook the app calls after every approved round: back up to settings.backup_dir.

    Returns None when no backup folder is configured or the store is PostgreSQL (pg_dump's
    job). A failed backup never undoes the approval: it raises BackupError with a message the
    RO can act on (plug the USB stick back in), and the approval stays saved."""
    folder = getattr(settings, "backup_dir", "") or ""
    if not folder or store.path is None:
        return None
    rep = backup(store, Path(folder))
    prune(Path(folder), store.path.stem, int(getattr(settings, "backup_keep", 0) or 0))
    log.info("automatic backup after approval: %s", rep.path)
    return rep


def backup_after_approvals(store: Store, settings, on_failure=None) -> bool:
    """Install the hook: every approval made through `store` (services.approve_round, hence the
    RO's approve too) is followed by `backup_after_approval`, outside the approval transaction.
    A failed backup never fails the approval: it is logged, returned as `Saved.note`, and passed
    to `on_failure(message)` (the app shows it). Returns False when no backup folder is set."""

    if not getattr(settings, "backup_dir", "") or store.path is None:
        store.cache.pop(AFTER_APPROVAL, None)
        return False

    def hook(st: Store, _ac_id: int, round_no: int) -> str:
        try:
            rep = backup_after_approval(st, settings)
        except (StoreError, OSError) as exc:  # BackupError is a StoreError
            msg = f"Round {round_no} is approved and saved, but the automatic backup FAILED: {exc}"
            log.error("%s", msg)
            if on_failure is not None:
                on_failure(msg)
            return msg
        return f"Backed up to {rep.path}." if rep else ""

    store.cache[AFTER_APPROVAL] = hook
    return True


def restore(backup_file: Path | str, target: Path | str, *, force: bool = False) -> dict[int, int]:
    """Bring a backup back as the store at `target` (verified before and after).

    Refuses, unless `force`, when the target already holds journal events the backup lacks
    (restoring would throw away newer figures) or a different history. The replaced store is
    first kept beside it as `<target>.before-restore-<time>.db`."""
    src = Path(backup_file).expanduser()
    target = Path(target).expanduser()
    if not src.is_file():
        raise BackupError(f"There is no backup file {src}.")
    events = verify_file(src)
    if target.exists() and target.stat().st_size > 0:
        store = open_store(target, create=False)
        try:
            _refuse_if_newer(store, src, force)
            # nobody may have the store open while its file is replaced
            lock = store.acquire_instance_lock("encore restore")
            try:
                stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
                keep = target.with_name(f"{target.name}.before-restore-{stamp}.db")
                with store.read() as conn:  # (a source inside a write transaction stalls the API)
                    old = sqlite3.connect(keep)
                    try:
                        conn.connection.driver_connection.backup(old)  # keep what we replace
                    finally:
                        old.close()
                make_owner_only(keep)
                with store._file_lock():
                    with store.engine.connect() as conn:
                        # empty the WAL: a stale WAL must never be replayed onto the new file
                        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    store.engine.dispose()
                    _copy_into_place(src, target)
                    for suffix in ("-wal", "-shm"):
                        Path(str(target) + suffix).unlink(missing_ok=True)
            finally:
                lock.release()
        finally:
            store.engine.dispose()
        log.warning("store %s restored from %s (previous kept as %s)", target, src, keep)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_into_place(src, target)
        log.warning("store %s created from backup %s", target, src)
    after = verify_file(target)
    if after != events:
        raise BackupError(f"The restored store {target} differs from the backup: {after} vs {events}.")
    return after


def _copy_into_place(src: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.restoring")
    os.close(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
    shutil.copyfile(src, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    make_owner_only(tmp)
    os.replace(tmp, target)
    fsync_dir(target.parent)


def _refuse_if_newer(store: Store, src: Path, force: bool) -> None:
    mine = {}
    with store.read() as conn:
        for a, s, h in conn.execute(select(chain_head.c.ac_id, chain_head.c.seq, chain_head.c.hash)):
            mine[a] = (s, h)
    theirs = chain_heads(src)

    problems = []
    for a, (seq, h) in sorted(mine.items()):
        bseq, _bh = theirs.get(a, (0, journal.GENESIS))
        what = "accounts" if a == 0 else f"AC id {a}"
        if seq > bseq:
            problems.append(f"{what}: the store has {seq - bseq} journal event(s) newer than the backup")
            continue
        # same history? the backup must contain the store's head event unchanged
        con = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            row = con.execute(
                f"SELECT hash FROM {journal_t.name} WHERE ac_id = ? AND seq = ?", (a, seq)
            ).fetchone()
        finally:
            con.close()
        if seq and (row is None or row[0] != h):
            problems.append(f"{what}: the store and the backup have different histories")
    if problems and not force:
        raise BackupError(
            "Restore refused: " + "; ".join(problems) + ". Restoring would throw those away. "
            "Take a backup of the current store first, then use --force if you are sure."
        )
