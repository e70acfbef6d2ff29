"""The platform layer (encore_tui/base/portable.py): the store's write lock and instance lock hold
against another process, name their holder, and are given back by the operating system when
that process is killed; nothing else in the package calls a POSIX-only API."""

from __future__ import annotations

import ast
import contextlib
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.base import portable
from encore_tui.store import open_store
from encore_tui.store.engine import StoreError
from tests.conftest import ADMIN, OPERATOR, ROOT, small_setup

# A child that takes a lock on the store and keeps it until it is killed.
_HOLDER = """
import sys, time
from encore_tui.store import open_store
store = open_store(sys.argv[1], create=False)
if sys.argv[2] == "write":
    cm = store._file_lock()
    cm.__enter__()
else:
    lock = store.acquire_instance_lock("op1 (Operator One)")
print("held", flush=True)
time.sleep(600)
"""


@contextlib.contextmanager
def held_by_a_child(db: Path, what: str) -> Iterator[subprocess.Popen]:
    """A child process holding the store's write lock (`what="write"`) or its instance lock;
    killed on the way out if the test did not kill it."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db), what],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "held", f"the child did not take the lock: {line!r} {child.stderr.read()}"
        yield child
    finally:
        kill(child)
        child.stdout.close()
        child.stderr.close()


def kill(child: subprocess.Popen) -> None:
    """SIGKILL here, TerminateProcess on Windows: no clean-up code of the child runs."""
    if child.poll() is None:
        child.kill()
    child.wait(timeout=10)


@pytest.fixture
def store_file(tmp_path):
    db = tmp_path / "encore.db"
    store = open_store(db)
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    store.close()
    return db, ac_id


def test_a_write_waits_for_the_lock_another_process_holds_and_goes_through_once_it_is_killed(store_file):
    db, ac_id = store_file
    store = open_store(db, create=False, timeout=0.3)
    with held_by_a_child(db, "write") as child:
        with pytest.raises(StoreError, match="locked by another program"):
            services.enter_cell(store, ac_id, 1, "1", "c1", 5, OPERATOR)
        kill(child)
        services.enter_cell(store, ac_id, 1, "1", "c1", 5, OPERATOR)
    assert services.round_view(store, ac_id, 1).entries[0].values == {"c1": 5}
    store.close()


def test_the_instance_lock_names_its_holder_and_the_os_releases_it_when_the_holder_is_killed(store_file):
    db, _ = store_file
    store = open_store(db, create=False)
    with held_by_a_child(db, "instance") as child:
        with pytest.raises(StoreError) as refused:
            store.acquire_instance_lock("op2")
        assert "already open in another encore window: op1 (Operator One)" in str(refused.value)
        assert f"process {child.pid}" in str(refused.value)
        kill(child)
        store.acquire_instance_lock("op2").release()
    store.close()


def test_a_released_instance_lock_can_be_taken_again_in_the_same_process(store_file):
    db, _ = store_file
    store = open_store(db, create=False)
    first = store.acquire_instance_lock("op1")
    with pytest.raises(StoreError, match="already open in another encore window: op1"):
        store.acquire_instance_lock("op2")
    first.release()
    store.acquire_instance_lock("op2").release()
    store.close()


def test_exclusive_gives_up_after_the_timeout_with_the_callers_error(tmp_path):
    path = tmp_path / "x.lock"
    # a second descriptor is another holder, even in the same process
    with (
        portable.exclusive(path, 1.0, lambda: AssertionError("not reached")),
        pytest.raises(TimeoutError, match="busy"),
        portable.exclusive(path, 0.05, lambda: TimeoutError("busy")),
    ):
        pass
    with portable.exclusive(path, 0.05, lambda: TimeoutError("busy")):
        pass


@pytest.mark.skipif(not portable.has_posix_modes(), reason="no POSIX modes on this OS")
def test_owner_only_tightens_a_readable_file_and_private_temp_dir_is_the_users_alone(tmp_path, monkeypatch):
    f = tmp_path / "f"
    f.write_text("x")
    f.chmod(0o644)
    assert portable.readable_by_others(f) == 0o044
    portable.make_owner_only(f)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert portable.readable_by_others(f) == 0
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    d = portable.private_temp_dir("encore-tui-fonts")
    assert d.parent == tmp_path and d.name.startswith("encore-tui-fonts-")
    assert stat.S_IMODE(d.stat().st_mode) == 0o700


# -- nothing POSIX-only outside portable.py --------------------------------------------------
POSIX_MODULES = {"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix"}
POSIX_OS_CALLS = {
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "chmod",
    "fchmod",
    "chown",
    "fchown",
    "statvfs",
    "pread",
    "pwrite",
    "killpg",
    "getpgid",
    "setsid",
    "fork",
    "mkfifo",
}


def posix_only_uses(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in POSIX_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in POSIX_MODULES:
            found.append(node.module)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (
                (node.value.id == "os" and node.attr in POSIX_OS_CALLS)
                or (node.value.id == "signal" and node.attr in {"SIGKILL", "SIGHUP", "SIGXFSZ"})
            )
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_scan_finds_posix_only_calls():
    source = textwrap.dedent(
        """
        import fcntl, os, signal
        from pwd import getpwuid
        os.getuid(); os.chmod("x", 0o600); signal.SIGKILL
        """
    )
    assert sorted(posix_only_uses(source)) == ["fcntl", "os.chmod", "os.getuid", "pwd", "signal.SIGKILL"]


def test_no_module_but_portable_calls_a_posix_only_api():
    package = ROOT / "encore_tui"
    offenders = {
        str(p.relative_to(ROOT)): uses
        for p in sorted(package.rglob("*.py"))
        if p != package / "base" / "portable.py" and (uses := posix_only_uses(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}, f"POSIX-only calls belong in encore_tui/base/portable.py: {offenders}"


# -- as if on Windows: the POSIX-only modules blocked (tests/support/block_posix.py) ---------------------
BLOCKED_RUN = [
    "tests/test_portable.py::test_under_block_posix_encore_sees_no_posix_api",
    "tests/test_portable.py::test_a_write_waits_for_the_lock_another_process_holds_and_goes_through_once_it_is_killed",
    "tests/test_portable.py::test_the_instance_lock_names_its_holder_and_the_os_releases_it_when_the_holder_is_killed",
    "tests/test_services.py",  # the store (SQLite and PostgreSQL) and the services
    "tests/test_screens.py::test_a_whole_round_typed_checked_kept_aside_submitted_returned_and_reentered",
]


def test_under_block_posix_encore_sees_no_posix_api(tmp_path):
    if "tests.support.block_posix" not in sys.modules:
        pytest.skip("runs inside test_store_services_and_a_screen_pass_with_the_posix_only_modules_blocked")
    import encore_tui.store.engine as engine

    with pytest.raises(ImportError):
        import fcntl  # noqa: F401
    assert not portable.has_posix_modes() and not hasattr(engine.os, "geteuid")
    f = tmp_path / "f"
    f.write_text("x")
    f.chmod(0o644)
    portable.make_owner_only(f)  # Windows: ACLs are out of scope, nothing to do
    assert stat.S_IMODE(f.stat().st_mode) == 0o644 and portable.readable_by_others(f) == 0
    assert portable.read_only_fs(tmp_path) is False
    assert portable.private_temp_dir("encore-test").is_dir()


def test_store_services_and_a_screen_pass_with_the_posix_only_modules_blocked():
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.support.block_posix",
            "-p",
            "no:cacheprovider",
            "-rs",
        ]
        + BLOCKED_RUN,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    tail = run.stdout[-3000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    assert "skipped" not in run.stdout and " passed" in run.stdout, tail
