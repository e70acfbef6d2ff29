"""Everything that differs between Linux and Windows, in one place.

No other module of encore_tui imports a POSIX-only module (fcntl, termios, pwd, grp, resource)
or calls a POSIX-only function (os.getuid, os.statvfs, os.pread, os.chmod modes…): a test
scans the package for that, and CI runs the store, services and a screen test with those
modules blocked (see docs/deployment.md).

- File locks: `filelock.lock_descriptor` on a descriptor we own — `flock` on Linux,
  `LockFileEx` on byte 0 on Windows. Both are released by the operating system when the process
  dies (a power cut, a kill), so no stale lock ever blocks the hall.
- Owner-only files: mode 0600 where the OS has POSIX modes. Windows file ACLs are out of scope
  (docs/security.md): the user's profile folder is already private to the user.
- Folders: `platformdirs` (config.py) and `private_temp_dir` here.

A branch is chosen by what the running Python offers (`hasattr(os, "geteuid")`, an `os.open`
of a folder that fails), not by the name of the OS, so the blocked-modules run takes the same
branches Windows takes.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import lock_descriptor, unlock_descriptor

# Windows locks byte 0 of the lock file (LockFileEx, a mandatory lock: nobody else may read
# it), so what the holder writes about itself starts after it.
_HOLDER_AT = 1


class LockBusy(RuntimeError):
    """The lock is held by another process (or another descriptor of this one)."""

    def __init__(self, holder: dict | None) -> None:
        super().__init__("locked")
        self.holder = holder


class LockUnavailable(OSError):
    """This file system cannot lock files (some network shares)."""


def open_lock_file(path: Path) -> int:
    """The descriptor of `path` (created owner-only when missing), for `try_lock`."""
    # O_BINARY: Windows would otherwise open it in text mode (\r\n, ^Z) for the holder's record
    return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)


def try_lock(fd: int) -> bool:
    """Take the exclusive lock on `fd` without waiting: True when taken, False when another
    holds it. Raises LockUnavailable when the file system has no locks."""
    try:
        return lock_descriptor(fd, blocking=False)
    except OSError as exc:
        if exc.errno in (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP):
            raise LockUnavailable(
                exc.errno,
                "this disk cannot lock files (a network share?): put the store on a local disk",
            ) from exc
        raise


def unlock(fd: int) -> None:
    unlock_descriptor(fd)


@contextlib.contextmanager
def exclusive(path: Path, timeout: float, on_timeout, max_pause: float = 0.02) -> Iterator[None]:
    """Hold the exclusive lock on `path` for the block; wait at most `timeout` seconds for it,
    then raise `on_timeout()`. Polls: short first (another writer's transaction takes about a
    millisecond), never more than `max_pause` seconds."""
    fd = open_lock_file(path)
    try:
        if not try_lock(fd):  # (the clock only when someone else has it: this is every write)
            deadline = time.monotonic() + timeout
            pause = 0.0005
            while not try_lock(fd):
                if time.monotonic() >= deadline:
                    raise on_timeout()
                time.sleep(pause)
                pause = min(pause * 2, max_pause)
        try:
            yield
        finally:
            unlock(fd)
    finally:
        os.close(fd)


class HeldLock:
    """A lock kept for as long as something runs (an app window on a store), whose file says
    who holds it. `release()` gives it back; a crash gives it back too."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd: int | None = fd
        self.path = path

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, _HOLDER_AT)  # the record goes; byte 0 (the lock's) stays
        unlock(self.fd)
        os.close(self.fd)
        self.fd = None


def hold(path: Path, holder: dict) -> HeldLock:
    """Take the lock on `path` without waiting and write `holder` into it; raise LockBusy with
    the current holder's record (None when it has not written it yet) when someone has it."""
    fd = open_lock_file(path)
    try:
        taken = try_lock(fd)
    except BaseException:
        os.close(fd)
        raise
    if not taken:
        try:
            other = json.loads(_read_at(fd, _HOLDER_AT) or b"null")
        except (OSError, ValueError):
            other = None
        os.close(fd)
        raise LockBusy(other if isinstance(other, dict) else None)
    record = b" " + json.dumps(holder).encode()
    _write_at(fd, record, 0)
    os.ftruncate(fd, len(record))  # (never below byte 0: cutting a locked range may fail on Windows)
    return HeldLock(fd, path)


def _read_at(fd: int, offset: int) -> bytes:
    # os.pread is POSIX-only; nothing else reads through these descriptors
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, 4096)


def _write_at(fd: int, data: bytes, offset: int) -> None:
    os.lseek(fd, offset, os.SEEK_SET)
    while data:
        data = data[os.write(fd, data) :]


# -- owner-only files -----------------------------------------------------------------------
def has_posix_modes() -> bool:
    """True where files have POSIX owners and modes (not on Windows)."""
    return hasattr(os, "geteuid")


def make_owner_only(path: Path, *, only_if_mine: bool = False) -> None:
    """chmod 600 where the OS has modes; a no-op on Windows (profile folders are private there;
    ACLs are out of scope). `only_if_mine`: leave a file another user owns alone."""
    if not has_posix_modes():
        return
    st = os.stat(path)
    if only_if_mine and st.st_uid != os.geteuid():
        return
    if st.st_mode & 0o077:
        os.chmod(path, 0o600)


def readable_by_others(path: Path) -> int:
    """The group/other mode bits of `path` (0 where the OS has no modes)."""
    if not has_posix_modes():
        return 0
    return os.stat(path).st_mode & 0o077


def private_temp_dir(name: str) -> Path:
    """A folder in the temp folder that belongs to this user alone (`<tmp>/<name>-<user>`)."""
    try:
        user = getpass.getuser()
    except Exception:  # no USER/LOGNAME/USERNAME and no password database
        user = str(os.getpid())
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in user)
    d = Path(tempfile.gettempdir()) / f"{name}-{safe}"
    d.mkdir(mode=0o700, exist_ok=True)
    return d


# -- durability -----------------------------------------------------------------------------
def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable. Windows cannot open a folder as a file (NTFS
    journals the rename itself), so there it does nothing."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except (PermissionError, IsADirectoryError):
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_only_fs(folder: Path) -> bool:
    """True when `folder` is on read-only media (a write-protected stick, a CD)."""
    if hasattr(os, "statvfs"):
        try:
            return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            return False
    return folder.exists() and not os.access(folder, os.W_OK)
