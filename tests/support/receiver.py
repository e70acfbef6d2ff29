"""The reference receiver in a subprocess (`encore central serve`) and what a push test needs around it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from encore_tui import services
from encore_tui.push import queue
from encore_tui.push.relay import PushConfig, Relay
from tests.conftest import ADMIN, ROOT, approvable, small_setup
from tests.support.flows import approve, postal_done, type_round


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encore(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "encore_tui", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=check,
        timeout=60,
    )


class CentralServer:
    """`encore central serve` in a subprocess, on a free port, with its own store and key."""

    def __init__(self, tmp: Path, db: str, port: int | None = None, workers: int = 1) -> None:
        self.tmp, self.db, self.workers = tmp, db, workers
        self.port = port or free_port()
        self.key_file = tmp / "central.key"
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> CentralServer:
        log = open(self.tmp / f"central-{self.port}.log", "a")  # noqa: SIM115 - kept for the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "encore_tui",
                "central",
                "serve",
                "--db",
                self.db,
                "--port",
                str(self.port),
                "--key",
                str(self.key_file),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.tmp / f"central-{self.port}.log").read_text())
            try:
                httpx.get(self.url + "/v1/server-key", timeout=1).raise_for_status()
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("central did not start")

    @property
    def public_key(self) -> str:
        return encore("central", "keys", "show", "-q", "--key", str(self.key_file)).stdout.strip()

    def add_centre(self, public_key: str, *acs: int) -> None:
        args = ["central", "add-centre", "--db", self.db, "--public-key", public_key]
        for ac in acs:
            args += ["--ac", str(ac)]
        encore(*args)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def messages(self) -> list[tuple[str, str]]:
        """(idempotency key, kind) of every message central stored, oldest first."""
        from sqlalchemy import select

        from encore_tui.central import store as cs

        st = cs.open_central(self.db)
        try:
            with st.read() as conn:
                return [
                    (r.idempotency_key, r.kind)
                    for r in conn.execute(select(cs.message).order_by(cs.message.c.id))
                ]
        finally:
            st.engine.dispose()


def make_counted_ac(store, rounds=(1, 2, 3), postal=True, ac_no: int = 7) -> int:
    ac_id = services.create_ac(store, small_setup(ac_no=ac_no), ADMIN)
    approvable(store, ac_id)
    if postal:
        postal_done(store, ac_id)
    for r in rounds:
        type_round(store, ac_id, r)
        approve(store, ac_id, r)
    return ac_id


def relay_for(store, url: str, central_key: str, key) -> Relay:
    cfg = PushConfig(url=url, central_key=central_key, base_delay=0.05, max_delay=0.5, timeout=5)
    return Relay(store, cfg, key)


def states(store) -> list[str]:
    return [it.state for it in queue.queue_state(store)]
