"""Drive a program in a real pseudo-terminal and time what it writes back."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence


class PtySession:
    def __init__(
        self,
        argv: Sequence[str],
        cols: int = 80,
        rows: int = 24,
        env: dict | None = None,
        cwd: str | None = None,
    ) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        full_env.update(env or {})
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.buffer = bytearray()
        self.total = 0

    # -- reading ---------------------------------------------------------------------------------
    def _read(self, timeout: float) -> bytes:
        r, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not r:
            return b""
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return b""
        self.buffer += data
        self.total += len(data)
        return data

    def wait_for(self, needle: bytes | str, timeout: float = 30.0) -> float:
        """Seconds since start until `needle` appeared in the output (text may be split by escapes)."""
        if isinstance(needle, str):
            needle = needle.encode()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if needle in self.buffer:
                return time.perf_counter() - self.t0
            self._read(0.05)
        tail = bytes(self.buffer[-400:])
        raise TimeoutError(f"{needle!r} did not appear within {timeout}s; last output: {tail!r}")

    def drain(self, quiet: float = 0.15, limit: float = 5.0) -> int:
        """Read until nothing arrives for `quiet` seconds; returns the bytes read."""
        n = 0
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            data = self._read(quiet)
            if not data:
                break
            n += len(data)
        return n

    def key_latency(self, key: bytes, quiet: float = 0.08) -> tuple[float, int]:
        """(seconds from writing `key` to the first byte written back, bytes of the whole repaint)."""
        self.drain(0.03, 1.0)
        t = time.perf_counter()
        os.write(self.master, key)
        first = None
        n = 0
        deadline = t + 5.0
        while time.perf_counter() < deadline:
            data = self._read(quiet if first is not None else 5.0)
            if not data:
                break
            if first is None:
                first = time.perf_counter() - t
            n += len(data)
        return (first if first is not None else float("nan")), n

    def send(self, data: bytes | str, pause: float = 0.0) -> None:
        if isinstance(data, str):
            data = data.encode()
        os.write(self.master, data)
        if pause:
            time.sleep(pause)

    def peak_rss_kb(self) -> int:
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def close(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


PY = sys.executable
