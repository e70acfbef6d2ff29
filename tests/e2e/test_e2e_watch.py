"""`encore training watch` in a real terminal (tmux, 80×24) on the district PostgreSQL store: two
trainees' copies, one typed into (by the services, as the trainee's own app does) while the
trainer watches; the screen follows within its 2 s refresh, Enter opens the copy read-only."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from encore_tui import services
from encore_tui.services import ro
from encore_tui.store import open_store
from encore_tui.store.models import metadata
from tests.conftest import ADMIN, OPERATOR, RO, ROOT, require_tool, small_setup
from tests.support.ro import type_table, votes_of
from tests.support.tmux import Tmux

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
S = "watch"


def line_of(screen: str, start: str) -> str:
    (line,) = [ln for ln in screen.splitlines() if ln.strip().startswith(start)]
    return line


def test_the_trainer_watches_two_copies_while_one_is_typed(tmp_path, pg_database):
    tmux = require_tool("tmux")
    store = open_store(pg_database, create=False)
    metadata.drop_all(store.engine)
    metadata.create_all(store.engine)
    a = services.create_ac(store, small_setup(ac_no=7), ADMIN)
    b = services.create_ac(store, small_setup(ac_no=8), ADMIN)
    for ac_id in (a, b):
        ro.set_spot_check_rounds(store, ac_id, 0, RO)
    url = pg_database.replace("postgresql+psycopg://", "postgresql://")

    t = Tmux(tmux, tmp_path / "home")
    cmd = (
        f"cd {ROOT} && exec env ENCORE_HOME={t.home} {sys.executable} -m encore_tui training watch --db {url}"
    )
    t.run("new-session", "-d", "-s", S, "-x", "80", "-y", "24", cmd)
    try:
        screen = t.wait_for(S, "2 ACs")
        assert line_of(screen, "8 TESTPUR").split()[2:5] == ["Postal", "0/0", "0/6"]
        ctx = services.load_context(store, b)
        first, second = ctx.tables_of(1)[:2]
        type_table(store, b, 1, first, votes_of(store, b, first))
        services.enter_cell(store, b, 1, second, "c1", 40, OPERATOR)
        screen = t.wait_for(S, "6/15")
        row8 = line_of(screen, "8 TESTPUR").split()
        assert row8[2:6] == ["Round", "1", "0/0", "6/15"] and "just now" in " ".join(row8)
        assert line_of(screen, "7 TESTPUR").split()[2:6] == ["Postal", "0/0", "0/6", "—"]
        # the figure typed next shows on the next refresh, the other copy's row does not move
        services.enter_cell(store, b, 1, second, "c2", 6, OPERATOR)
        screen = t.wait_for(S, "7/15")
        assert line_of(screen, "7 TESTPUR").split()[2:6] == ["Postal", "0/0", "0/6", "—"]
        t.keys(S, "Down", "Enter")
        screen = t.wait_for(S, "Counting dashboard")
        assert "AC 8 TESTPUR" in screen and "read-only" in screen
        t.keys(S, "Escape")
        t.wait_for(S, "2 ACs")
        t.keys(S, "q")
        for _ in range(100):
            if subprocess.run([tmux, "-L", t.socket, "has-session", "-t", S], capture_output=True).returncode:
                break
            time.sleep(0.1)
        else:
            pytest.fail("q did not end the watch screen")
    finally:
        t.kill_server()
        store.engine.dispose()
