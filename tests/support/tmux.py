"""The app in a real terminal: tmux on a private socket, keys sent, the screen read back."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import ROOT


class Tmux:
    def __init__(self, tmux: str, home) -> None:
        self.tmux = tmux
        self.socket = f"encore-e2e-{uuid.uuid4().hex[:8]}"
        self.home = home

    def run(self, *args: str) -> str:
        return subprocess.run(
            [self.tmux, "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def start(self, session: str, db, lang: str = "en") -> int:
        cmd = (
            f"cd {ROOT} && exec env ENCORE_HOME={self.home} TERM=linux {sys.executable} -m encore_tui "
            f"--db {db} --lang {lang}"
        )
        self.run("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd)
        return int(self.run("display-message", "-p", "-t", session, "#{pane_pid}").strip())

    def keys(self, session: str, *keys: str) -> None:
        self.run("send-keys", "-t", session, *keys)

    def text(self, session: str) -> str:
        return self.run("capture-pane", "-p", "-t", session)

    def wait_for(self, session: str, needle: str, timeout: float = 60) -> str:
        """Wait until the screen shows `needle` (a wait, not a timing assertion)."""
        end = time.monotonic() + timeout
        while True:
            screen = self.text(session)
            if needle in screen:
                return screen
            if time.monotonic() > end:
                pytest.fail(f"{needle!r} never appeared on the screen:\n{screen}")
            time.sleep(0.1)

    def kill_server(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True)


def sign_in(t: Tmux, s: str) -> None:
    t.wait_for(s, "Type your user name")
    t.keys(s, "operator", "Enter")
    t.wait_for(s, "Type your PIN")
    t.keys(s, "1111", "Enter")


def grid_row(screen: str, label: str) -> list[str]:
    (line,) = [ln for ln in screen.splitlines() if ln[:22].strip().startswith(label)]
    return line[22:].split()


def start_in(t: Tmux, session: str, db, term: str, lang: str = "en") -> None:
    """The app at 80×24 in tmux under `term` (xterm-256color, linux) and `lang`."""
    cmd = (
        f"cd {ROOT} && exec env -u COLORTERM ENCORE_HOME={t.home} TERM={term} "
        f"{sys.executable} -m encore_tui --db {db} --lang {lang}"
    )
    t.run("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd)
