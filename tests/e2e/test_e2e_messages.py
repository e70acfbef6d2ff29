"""End to end in a real terminal (tmux at 80×24): a refused save says "NOT saved" first on the
status line, within the 80 columns, and F12 opens the message log with the full text.

The refusal is a real one: while the operator's window shows round 1, another operator saves
the same cell (through the services, as a second window would); the operator's Enter is then
refused (somebody else changed it) and the other value stays.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from encore_tui import services
from encore_tui.services.demo import DEMO_ACCOUNTS
from encore_tui.services.importing import read_form20_dir
from encore_tui.store import open_store
from tests.conftest import ADMIN, GUMMIDIPOONDI, OPERATOR2, require_tool
from tests.support.tmux import Tmux, grid_row, sign_in

pytestmark = pytest.mark.slow


def flat(screen: str) -> str:
    """The screen's text without box lines and line breaks (for text that wraps in a dialog)."""
    return " ".join(re.sub(r"[│┃┏┓┗┛━─╭╮╰╯]", " ", screen).split())


def wait_gone(t: Tmux, session: str, needle: str, timeout: float = 30) -> str:
    end = time.monotonic() + timeout
    while needle in (screen := t.text(session)):
        if time.monotonic() > end:
            pytest.fail(f"{needle!r} stayed on the screen:\n{screen}")
        time.sleep(0.1)
    return screen


def test_a_refused_save_says_not_saved_within_80_columns_and_f12_shows_it_in_full(tmp_path):
    tmux = require_tool("tmux")
    db = tmp_path / "gummidipoondi.db"
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(db)
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    for username, role, pin, display in DEMO_ACCOUNTS:
        services.add_user(store, username, role, pin, display)
    ps1 = services.load_context(store, ac_id).tables_of(1)[0]
    c1 = imp.setup.candidates[0]

    t = Tmux(tmux, tmp_path / "home")
    try:
        pid = t.start("s", db)
        sign_in(t, "s")
        t.wait_for("s", "Counting dashboard")
        t.keys("s", "Down", "Enter")
        t.wait_for("s", "Round 1/29")

        services.enter_cell(store, ac_id, 1, ps1, "c1", 77, OPERATOR2)  # the other window
        t.keys("s", "5", "Enter")
        screen = t.wait_for("s", "NOT saved")
        (status,) = [ln for ln in screen.splitlines() if "NOT saved" in ln]
        assert len(status) <= 80
        assert status.strip().startswith(f"NOT saved: Table 1 (PS 1) {c1.name}: op2 changed it")
        assert status.rstrip().endswith("F12: details")
        assert grid_row(screen, f"{c1.serial} {c1.name[:12]}")[0] == "77"  # the other value stays

        t.keys("s", "F12")
        screen = t.wait_for("s", "newest first")
        text = flat(screen)
        assert f"NOT saved: Table 1 (PS 1) {c1.name}: op2 changed it to 77" in text
        assert "Check the sheet and type it" in text  # the part the status line had no room for
        t.keys("s", "Escape")
        screen = wait_gone(t, "s", "newest first")
        assert "F12: details" in screen and "Round 1/29" in screen

        view = services.round_view(store, ac_id, 1)
        assert view.entries[0].values == {"c1": 77}
        os.kill(pid, signal.SIGKILL)
    finally:
        t.kill_server()
        store.engine.dispose()
