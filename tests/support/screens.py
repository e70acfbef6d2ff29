"""Driving the app headless (App.run_test + Pilot): sign in, open a round, read the status line."""

from __future__ import annotations

import contextlib

from textual.widgets import DataTable

from encore_tui import services
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.ro.home import RoHomeScreen
from encore_tui.screens.ro.review import RoReviewScreen
from encore_tui.screens.round_entry import RoundScreen

SIZE = (80, 24)


async def reads_done(pilot) -> None:
    """Let the screens' reads of the store (thread workers that post `Loaded`, screens/base.py)
    finish, and what they read land on the screen."""
    await pilot.pause()
    for worker in list(pilot.app.workers):
        if (worker.group or "").startswith("read-"):
            with contextlib.suppress(Exception):  # cancelled by a newer read, or failed: the screen says so
                await worker.wait()
    await pilot.pause()


async def sign_in(pilot, user: str = "op1", pin: str = "1111") -> None:
    await pilot.press(*user, "enter")
    await pilot.press(*pin, "enter")
    await reads_done(pilot)


async def open_round(pilot, round_no: int) -> RoundScreen:
    app = pilot.app
    await reads_done(pilot)
    assert isinstance(app.screen, DashboardScreen)
    table = app.screen.query_one("#rounds")
    table.move_cursor(row=round_no)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RoundScreen), type(app.screen)
    assert app.screen.round_no == round_no
    return app.screen


async def settle(pilot) -> None:
    """Let the totals worker (round view off the key path) finish and its result land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_cells(pilot, *values: int | str) -> None:
    for v in values:
        await pilot.press(*str(v), "enter")
    await settle(pilot)


def status_text(screen) -> str:
    return str(screen.query_one("#status").render())


def values(store, ac_id, round_no) -> dict[str, dict[str, int]]:
    return {e.station: dict(e.values) for e in services.round_view(store, ac_id, round_no).entries}


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def open_review(pilot, round_no: int) -> RoReviewScreen:
    app = pilot.app
    await reads_done(pilot)
    assert isinstance(app.screen, RoHomeScreen), type(app.screen)
    table = app.screen.query_one("#queue", DataTable)
    keys = [rk.value for rk in table.rows]
    table.move_cursor(row=keys.index(str(round_no)))
    await pilot.press("enter")
    await reads_done(pilot)  # the review is read in a thread worker, then opens
    assert isinstance(app.screen, RoReviewScreen) and app.screen.round_no == round_no
    return app.screen


def burst(app, keys: str) -> None:
    """Keys arriving in one read (a paste-speed burst over SSH): posted without waiting."""
    from textual import events

    for ch in keys:
        key = "enter" if ch == "\r" else ch
        app.post_message(events.Key(key, None if ch == "\r" else ch))
