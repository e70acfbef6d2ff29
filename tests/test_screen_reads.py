"""Whole-AC reads run in thread workers, not on the UI thread (screens/base.SessionScreen.
read_in_worker): while the database is slow to answer, the screen says "loading…", keys still
work, and keys typed for the rounds table are kept and replayed in order once it is read.

The slow database is real: PostgreSQL with the `round` table locked by another connection
(the read waits on the lock, as it would behind a long transaction on a busy district server).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text as sql

from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.ro.home import RoHomeScreen
from encore_tui.screens.round_entry import RoundScreen
from encore_tui.screens.trends import TrendsScreen
from tests.conftest import RO, _fresh_pg_store
from tests.support.ro import RO_PIN, make_ac
from tests.support.screens import SIZE, burst, reads_done, text, values


class RoundTableLock:
    """Another connection holding the `round` table: every read of the rounds waits."""

    def __init__(self, store) -> None:
        self.conn = store.engine.connect()
        self.tx = self.conn.begin()
        self.conn.execute(sql('LOCK TABLE "round" IN ACCESS EXCLUSIVE MODE'))

    def release(self) -> None:
        self.tx.rollback()
        self.conn.close()


@pytest.fixture
def pg_hall(pg_database):
    store = _fresh_pg_store(pg_database)
    yield store, make_ac(store, n_stations=7, tables=1)
    store.engine.dispose()


@pytest.mark.postgres
async def test_the_dashboard_loads_in_a_worker_and_keeps_keys_typed_meanwhile(pg_hall):
    store, ac_id = pg_hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        lock = RoundTableLock(store)
        try:
            await pilot.press(*"op1", "enter", *"1111", "enter")
            await pilot.pause(0.3)
            dash = app.screen
            assert isinstance(dash, DashboardScreen)
            # drawn while the read waits on the lock: on_mount did not wait for it
            assert "loading…" in text(dash, "#summary") and not dash.loaded
            burst(app, "\r17\r")  # Enter on the round to type first (postal), a figure, Enter
            await pilot.pause(0.2)
            assert app.screen is dash and len(dash.early_keys) == 4  # kept, in order
        finally:
            lock.release()
        await reads_done(pilot)
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RoundScreen) and screen.round_no == 0
        first = screen.grid.tables[0][1]
        assert values(store, ac_id, 0)[first]["c1"] == 17


@pytest.mark.postgres
async def test_the_review_queue_and_trends_say_loading_then_show_the_rounds(pg_hall):
    store, _ = pg_hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        lock = RoundTableLock(store)
        try:
            await pilot.press(*RO.username, "enter", *RO_PIN, "enter")
            await pilot.pause(0.3)
            home = app.screen
            assert isinstance(home, RoHomeScreen)
            assert "loading…" in text(home, "#summary")
            await pilot.press("f6")
            await pilot.pause(0.3)
            assert isinstance(app.screen, TrendsScreen) and "loading…" in text(app.screen, "#title")
        finally:
            lock.release()
        await reads_done(pilot)
        assert "Trends" in text(app.screen, "#title") and "no votes yet" in text(app.screen, "#votes")
        await pilot.press("escape")
        await reads_done(pilot)
        assert "round(s) waiting for the RO" in text(home, "#summary")


@pytest.mark.postgres
async def test_the_review_is_read_before_it_opens_and_a_second_enter_opens_nothing_more(pg_hall):
    from encore_tui.screens.ro.review import RoReviewScreen

    store, _ = pg_hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*RO.username, "enter", *RO_PIN, "enter")
        await reads_done(pilot)
        home = app.screen
        assert isinstance(home, RoHomeScreen) and home.query_one("#queue").row_count
        lock = RoundTableLock(store)
        try:
            await pilot.press("enter", "enter")  # impatient: Enter again while the round is read
            await pilot.pause(0.3)
            assert app.screen is home and "loading…" in text(home, "#status")
        finally:
            lock.release()
        await reads_done(pilot)
        assert isinstance(app.screen, RoReviewScreen)
        assert sum(isinstance(s, RoReviewScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await reads_done(pilot)
        assert app.screen is home
