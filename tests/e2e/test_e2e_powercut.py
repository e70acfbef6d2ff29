"""End to end in a real terminal: tmux at 80×24 runs `python -m encore_tui --db FILE` on the
Gummidipoondi AC; the operator types part of round 1, the process is killed with SIGKILL
mid-round (a power cut), restarted, and every figure typed before the last Enter is there —
on the screen (capture-pane) and in the store (services) — with the cursor where it was.
"""

from __future__ import annotations

import os
import signal

import pytest

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.services.demo import DEMO_ACCOUNTS
from encore_tui.services.importing import read_form20_dir
from encore_tui.store import open_store
from tests.conftest import ADMIN, GUMMIDIPOONDI, require_tool
from tests.support.tmux import Tmux, grid_row, sign_in

pytestmark = pytest.mark.slow


def test_power_cut_mid_round_keeps_every_entered_figure(tmp_path):
    tmux = require_tool("tmux")
    db = tmp_path / "gummidipoondi.db"
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(db)
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    for username, role, pin, display in DEMO_ACCOUNTS:
        services.add_user(store, username, role, pin, display)
    ctx = services.load_context(store, ac_id)
    ps1, ps2 = ctx.tables_of(1)[:2]
    fields = ctx.fields_of(1)  # c1..c12, nota, total
    sheet1 = [imp.station_values[ps1][f] for f in fields]
    sheet2 = [imp.station_values[ps2][f] for f in fields[:3]]

    t = Tmux(tmux, tmp_path / "home")
    try:
        pid = t.start("first", db)
        sign_in(t, "first")
        t.wait_for("first", "Counting dashboard")
        t.keys("first", "Down", "Enter")  # the cursor starts on the postal round
        t.wait_for("first", "Round 1/29")
        for v in sheet1 + sheet2:
            t.keys("first", str(v), "Enter")
        # the last Enter is durable once the status line names the saved cell
        c3 = imp.setup.candidates[2]
        t.wait_for("first", f"T2 3 {c3.name} ({c3.party}) = {sheet2[2]}")
        t.keys("first", "9", "8")  # typed, never saved
        t.wait_for("first", "98_")
        os.kill(pid, signal.SIGKILL)  # the power cut

        pid = t.start("second", db)
        sign_in(t, "second")
        c4 = imp.setup.candidates[3]
        screen = t.wait_for("second", f"resumes at T2 PS {ps2}")
        assert "Round 1/29" in screen
        assert f"{c4.serial} {c4.name} ({c4.party})" in screen.splitlines()[-4]  # the detail line
        for i, c in enumerate(imp.setup.candidates[:3]):
            assert grid_row(screen, f"{c.serial} {c.name[:12]}")[:2] == [str(sheet1[i]), str(sheet2[i])]
        assert grid_row(screen, f"{c4.serial} {c4.name[:12]}")[0] == str(sheet1[3])
        assert "98" not in grid_row(screen, f"{c4.serial} {c4.name[:12]}")
        assert grid_row(screen, "Total (CU)")[0] == str(sheet1[-1])

        # and the store, read through the services, holds exactly what was entered
        view = services.round_view(store, ac_id, 1)
        assert view.entries[0].values == dict(zip(fields, sheet1, strict=True))
        assert view.entries[1].values == dict(zip(fields[:3], sheet2, strict=True))
        assert all(not e.values for e in view.entries[2:])
        state = services.load_ui_state(store, services.Actor("operator", Role.OPERATOR), ac_id)
        assert (state["round"], state["station"], state["field"]) == (1, ps2, "c4")
        assert services.verify_journal(store, ac_id).ok
        os.kill(pid, signal.SIGKILL)
    finally:
        t.kill_server()
        store.engine.dispose()
