"""`encore training replay` in a real terminal (tmux, 80×24, TERM=linux): the Gummidipoondi
rehearsal counted through (29 rounds, each imported, submitted and approved in turn) is played
back round by round with the keys; the dashboard's lead advances round by round as the recording
has it, the trends end on the recorded totals, and the recorded store is left byte for byte."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from encore_tui import services
from encore_tui.store import open_store
from encore_tui.widgets.console import to_console
from tests.conftest import ROOT, require_tool
from tests.support.recorded import file_digest, gummidipoondi_counted, journal_rows
from tests.support.tmux import Tmux

pytestmark = pytest.mark.slow
S = "replay"


def test_replay_plays_the_recorded_count_round_by_round_to_its_final_totals(tmp_path):
    tmux = require_tool("tmux")
    db = tmp_path / "rehearsal.db"
    ac_id = gummidipoondi_counted(db)
    rec = open_store(db, create=False)
    tallies = services.round_tallies(rec, ac_id)
    setup = services.load_context(rec, ac_id).setup
    journal_before = journal_rows(rec, ac_id)
    rec.engine.dispose()
    digest = file_digest(db)
    assert len(tallies) == 29

    t = Tmux(tmux, tmp_path / "home")
    cmd = (
        f"cd {ROOT} && exec env ENCORE_HOME={t.home} TERM=linux {sys.executable} -m encore_tui "
        f"training replay --db {db} --round-seconds 4"
    )
    t.run("new-session", "-d", "-s", S, "-x", "80", "-y", "24", cmd)
    try:
        t.wait_for(S, to_console("Replay · postal ballots"))
        t.keys(S, "Space")
        t.wait_for(S, to_console("· paused"))
        for k in range(1, 31):
            # → shows the rest of a round at once: round k is next (after the last, the end)
            t.keys(S, "Right")
            where = f"round {k} of 29" if k <= 29 else "round 29 of 29 · ×1 · end of the recording"
            screen = t.wait_for(S, to_console(where))
            if k == 1:
                assert "no votes yet" in screen  # the postal round only: no EVM lead yet
                continue
            # the dashboard's lead line: after round k - 1, as the recorded count had it
            lead = tallies[k - 2]
            m = re.search(rf"Leading r{k - 1}: .* (\d+) . Margin (\d+)", screen)
            assert m, screen
            assert (int(m[1]), int(m[2])) == (lead.cumulative.votes[lead.lead.leader - 1], lead.lead.margin)
        # the trends at the end: every candidate's cumulative votes are the recorded totals
        t.keys(S, "F6")
        screen = t.wait_for(S, "after round 29")
        final = tallies[-1].cumulative.votes
        shown = {}
        for _ in range(2):  # 12 candidates and NOTA: the last ones are a scroll away
            for line in screen.splitlines():
                if m := re.match(r"^\s*(\d{1,2}) .{13} .{5} +(\d+) ", line):
                    shown[int(m[1])] = int(m[2])
            t.keys(S, "PageDown")
            time.sleep(0.5)
            screen = t.text(S)
        assert shown == {c.serial: final[c.serial - 1] for c in setup.candidates}, screen
        t.keys(S, "Left")  # back a round, on the trends too: round 28 again from its start
        t.wait_for(S, "after round 27")
        t.keys(S, "q")
        ended = False
        for _ in range(100):
            ended = subprocess.run(
                [tmux, "-L", t.socket, "has-session", "-t", S], capture_output=True
            ).returncode
            if ended:
                break
            time.sleep(0.1)
        assert ended, "q did not end the replay"
    finally:
        t.kill_server()
    rec = open_store(db, create=False)
    assert journal_rows(rec, ac_id) == journal_before  # the recording, untouched
    rec.engine.dispose()
    assert file_digest(db) == digest
