"""`pytest -p tests.support.block_posix …`: run tests as if on Windows, as far as encore_tui can tell.

The POSIX-only modules are blocked for everyone (`sys.modules[name] = None`: importing one
raises ImportError), and every encore_tui module sees an `os` without its POSIX-only functions
(getuid, statvfs, pread…; pytest itself still needs them), so the store, the services and the
screens run through the branches Windows takes (encore_tui/base/portable.py chooses by what the
running Python offers).

What stays Linux's: the libraries that pick a backend per OS are imported first and keep their
Linux backend — filelock (`fcntl.flock`: Linux has no other lock that the OS drops when the
process dies; on Windows the same `filelock.lock_descriptor` call is LockFileEx),
platformdirs (XDG folders; on Windows, the known folders) and Textual's terminal driver
(termios; on Windows, the console API). Their Windows backends are their maintainers' to
test. See docs/deployment.md, "Windows counting PCs"."""

from __future__ import annotations

import importlib.abc
import os
import sys
import types

import filelock  # noqa: F401  (before the block: see above)
import platformdirs  # noqa: F401
import textual.drivers.linux_driver  # noqa: F401

BLOCKED_MODULES = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource")
REMOVED_OS_FUNCTIONS = frozenset(
    {
        "getuid",
        "geteuid",
        "getgid",
        "getegid",
        "fchmod",
        "fchown",
        "chown",
        "statvfs",
        "pread",
        "pwrite",
        "killpg",
        "getpgid",
        "fork",
    }
)


class _WindowsLikeOs(types.ModuleType):
    def __getattr__(self, name: str):
        if name in REMOVED_OS_FUNCTIONS:
            raise AttributeError(
                f"module 'os' has no attribute {name!r} (blocked: tests/support/block_posix.py)"
            )
        return getattr(os, name)


WINDOWS_LIKE_OS = _WindowsLikeOs("os")


class _GiveEncoreTheWindowsLikeOs(importlib.abc.MetaPathFinder):
    """After an encore_tui module ran, its global `os` is the Windows-like one."""

    def find_spec(self, name, path=None, target=None):
        if not name.startswith("encore_tui"):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        run = spec.loader.exec_module

        def exec_module(module, _run=run):
            _run(module)
            if module.__dict__.get("os") is os:
                module.os = WINDOWS_LIKE_OS

        spec.loader.exec_module = exec_module
        return spec


assert not any(m.startswith("encore_tui") for m in sys.modules), "load this plugin before encore_tui"
for _name in BLOCKED_MODULES:
    sys.modules[_name] = None  # type: ignore[assignment]
sys.meta_path.insert(0, _GiveEncoreTheWindowsLikeOs())
