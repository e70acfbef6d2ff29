"""Form 17C Part I end to end in a real terminal (tmux, 80×24) on the Gummidipoondi AC: the first
stations come from a CSV (`encore import form17c`), the next are keyed by hand from the
dashboard (F7); the process is killed with SIGKILL mid-entry, restarted, and keying resumes at
the first blank figure with every saved one in place — on screen and in the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from encore_tui import services
from encore_tui.services import form17c
from encore_tui.services.demo import DEMO_ACCOUNTS
from encore_tui.services.importing import read_form20_dir
from encore_tui.store import open_store
from encore_tui.widgets.console import to_console
from tests.conftest import ADMIN, GUMMIDIPOONDI, ROOT, require_tool
from tests.support.tmux import Tmux, sign_in

pytestmark = pytest.mark.slow


def test_17c_keyed_in_tmux_survives_sigkill_and_resumes(tmp_path):
    tmux = require_tool("tmux")
    db = tmp_path / "gummidipoondi.db"
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(db)
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    for username, role, pin, display in DEMO_ACCOUNTS:
        services.add_user(store, username, role, pin, display)
    s1, s2, s3, s4, s5 = (s.number for s in imp.setup.stations[:5])
    csv = tmp_path / "17c.csv"
    csv.write_text(
        "polling_station_no,electors,voters_17a,votes_recorded,tendered,test_votes,cu_id,bu_id,vvpat_id\n"
        f"{s1},874,657,656,0,0,CUNEM1,BUNEM1,VVNEM1\n{s2},700,481,481,,,,,\n{s3},900,600,599,1,,,,\n",
        encoding="utf-8",
    )
    r = subprocess.run(
        [sys.executable, "-m", "encore_tui", "--db", str(db), "import", "form17c", str(csv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0 and "3 stations recorded" in r.stdout, r.stderr

    t = Tmux(tmux, tmp_path / "home")
    try:
        pid = t.start("first", db)
        sign_in(t, "first")
        t.wait_for("first", "Counting dashboard")
        t.keys("first", "F7")
        t.wait_for("first", "3/405 stations recorded")
        t.wait_for("first", f"PS {s4} · Electors · not recorded")  # the first station without one
        # PS 4 in full, PS 5 up to its 17A figure, then digits typed but never saved
        for v in ["812", "640", "638", "2", "0", "CU4", "BU4", "VV4", "790", "533"]:
            t.keys("first", v, "Enter")
        t.wait_for("first", "saved", timeout=30)
        t.wait_for("first", f"PS {s5} Voters (17A) = 533")
        t.keys("first", "5", "3")
        t.wait_for("first", "53_")
        os.kill(pid, signal.SIGKILL)  # the power cut

        pid = t.start("second", db)
        sign_in(t, "second")
        t.wait_for("second", "Counting dashboard")
        t.keys("second", "F7")
        screen = t.wait_for("second", f"PS {s5} · Votes in EVM · from keyed")  # resumes at the blank
        assert "5/405" not in screen and "4/405 stations recorded" in screen
        rows = {ln.split()[0]: ln.split() for ln in screen.splitlines() if ln.split()}
        # the tmux helper runs the app as on the Linux console (TERM=linux): ✓ is drawn as its font has it
        assert rows[s4][1:10] == [to_console("✓"), "812", "640", "638", "2", "0", "CU4", "BU4", "VV4"]
        assert rows[s5][1:4] == ["·", "790", "533"]
        assert "53_" not in screen and "53" not in rows[s5][3:]
        # and the store holds exactly what was saved, journaled and replayable
        recs = form17c.form17c(store, ac_id)
        assert (recs[s4].votes_recorded, recs[s4].cu_id, recs[s4].source) == (638, "CU4", "keyed")
        assert (recs[s5].electors, recs[s5].voters_17a, recs[s5].votes_recorded) == (790, 533, None)
        assert recs[s1].source == "import" and len(recs) == 5
        assert services.verify_journal(store, ac_id).ok
        os.kill(pid, signal.SIGKILL)
    finally:
        t.kill_server()
        store.engine.dispose()
