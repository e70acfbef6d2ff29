"""Sign-in, keys typed before the store is open (a cold start, a busy store): nothing typed is
lost or lands in the wrong field. On a store with several ACs (a training store holds the
source AC and every trainee's copy) the operator's first Enter chooses the AC from the list
that appears, then the user name and PIN follow; on a store with one AC the keys go to the
user name as before.

The store is held busy for real: the test holds the SQLite writer lock, so the app's opening
(create_schema takes it) waits until the test lets go, while the keys are typed."""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain.rounds import Role
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.services import training
from tests.conftest import ADMIN, small_setup
from tests.support.screens import SIZE, burst


@pytest.fixture
def two_acs(sqlite_store):
    store = sqlite_store
    first = services.create_ac(store, small_setup(), ADMIN)
    second = services.create_ac(store, small_setup(ac_no=8), ADMIN)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    return store, first, second


class Busy:
    """The store held by another writer from before the app starts, so the app cannot open it
    while the keys are typed, until `release()` (a context manager: released at the end too)."""

    def __init__(self, store) -> None:
        self.cm = store.write()

    def __enter__(self):
        self.cm.__enter__()
        return self

    def release(self) -> None:
        if self.cm is not None:
            self.cm.__exit__(None, None, None)
            self.cm = None

    def __exit__(self, *exc) -> None:
        self.release()


async def _signed_in(pilot, app) -> None:
    for _ in range(100):
        if isinstance(app.screen, DashboardScreen):
            title = app.screen.query("#title")
            if title and str(title.first().render()):
                return
        await pilot.pause(0.05)
    err = str(app.screen.query_one("#signin-error").render())
    pytest.fail(f"not signed in; the screen says {err!r}")


@pytest.mark.parametrize("how", ["typed", "burst"])
async def test_keys_typed_before_the_ac_list_appears_reach_the_list(two_acs, how):
    store, _first, second = two_acs
    app = EncoreApp(None, Settings(db=str(store.path)))
    with Busy(store) as busy:
        async with app.run_test(size=SIZE) as pilot:  # the app cannot open the store yet
            await pilot.pause(0.2)
            assert app.store is None
            if how == "typed":
                await pilot.press("down", "enter", *"op1", "enter", *"1111", "enter")
            else:
                from textual import events

                app.post_message(events.Key("down", None))
                burst(app, "\rop1\r1111\r")
                await pilot.pause(0.2)
            busy.release()
            await _signed_in(pilot, app)
            assert app.actor.username == "op1"
            assert app.ac_id == second  # Down, Enter: the second AC of the list
            assert "AC 8" in str(app.screen.query_one("#title").render())


async def test_with_one_ac_keys_typed_ahead_go_to_the_user_name(sqlite_store):
    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    app = EncoreApp(None, Settings(db=str(store.path)))
    with Busy(store) as busy:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.2)
            assert app.store is None
            await pilot.press(*"op1", "enter", *"1111", "enter")
            busy.release()
            await _signed_in(pilot, app)
        assert (app.actor.username, app.ac_id) == ("op1", ac_id)


async def test_a_trainee_typing_ahead_lands_on_their_copy(sqlite_store):
    store = sqlite_store
    setup = small_setup(n_stations=10)
    src = services.create_ac(store, setup, ADMIN)
    figures = {s.number: {"c1": 50, "c2": 30, "c3": 20, "nota": 1, "total": 101} for s in setup.stations}
    trainer = services.Actor("meena", Role.TRAINER)
    sid = training.create_session(store, trainer, src, [1], official=figures)
    copy = training.seat(store, trainer, sid, "asha", "1234")
    app = EncoreApp(None, Settings(db=str(store.path)))
    with Busy(store) as busy:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.2)
            assert app.store is None
            await pilot.press("enter", *"asha", "enter", *"1234", "enter")
            busy.release()
            await _signed_in(pilot, app)
        assert (app.actor.username, app.ac_id) == ("asha", copy)
