"""Messages that fit (issue 12): at 80 columns a refusal shows its key words first ("NOT saved")
and its full text goes to the message log (F12); Enter after a refusal retries with the typed
digits; "saved HH:MM:SS" is the commit time.

Driven with Textual's Pilot at 80×24 on a real SQLite store.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.screens.common import local_time
from encore_tui.screens.help import HelpScreen
from encore_tui.screens.messages import MessageLogScreen, short_message
from encore_tui.screens.ro.home import RoHomeScreen
from encore_tui.screens.round_entry import RoundScreen
from encore_tui.widgets.tally_grid import TallyGrid
from tests.conftest import ADMIN, small_setup
from tests.support.screens import SIZE, open_round, settle, sign_in, status_text, values

DISK_FULL = (
    "The disk holding /srv/encore/counting-hall/tn2021-ac001-gummidipoondi/encore.db is full. "
    "Free space (or move the store) and press Enter again: the last value was NOT saved, "
    "everything before it is."
)


@pytest.fixture
def hall(sqlite_store):
    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    services.add_user(store, "ro1", "ro", "2222", "Returning Officer")
    return store, ac_id


def shown_line(screen) -> str:
    """The status line as the terminal shows it (one line, cut at the screen's width)."""
    status = screen.query_one("#status")
    return status.render_line(0).text.rstrip()


def fail_once(monkeypatch, exc: Exception) -> list:
    real = services.enter_cell
    calls: list = []

    def enter_cell(*a, **kw):
        calls.append(a)
        if len(calls) == 1:
            raise exc
        return real(*a, **kw)

    monkeypatch.setattr(services, "enter_cell", enter_cell)
    return calls


# -- the helper ---------------------------------------------------------------------------------
def test_short_message_puts_not_saved_first_and_fits():
    short = short_message(DISK_FULL, 78, "F12")
    assert short.startswith("NOT saved: The disk holding")
    assert "encore.db is full" in short and "/srv/" not in short  # the path is cut, not the words
    assert short.endswith("F12: details") and len(short) <= 78
    # what fits is shown as it is
    assert short_message("NOT saved: 5 is too many.", 78, "F12") == "NOT saved: 5 is too many."
    # a long refusal without a sentence break is trimmed, its key words first
    long = "NOT saved: " + "x" * 200
    s = short_message(long, 78, "F12")
    assert s.startswith("NOT saved: xxx") and "…" in s and len(s) <= 78
    # "NOT saved" said in the middle of a message comes first, once
    s = short_message("A " * 50 + "so the last value was NOT saved.", 78, "F12")
    assert s.startswith("NOT saved: A A") and s.count("NOT saved") == 1


# -- the operator's grid ------------------------------------------------------------------------
async def test_a_refused_save_fits_80_columns_keeps_the_digits_and_enter_again_saves(hall, monkeypatch):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        calls = fail_once(monkeypatch, services.StoreError(DISK_FULL))
        await pilot.press("9", "1", "enter")
        await settle(pilot)
        assert len(calls) == 1
        line = shown_line(screen)
        assert line.startswith("NOT saved: The disk holding") and "is full" in line, line
        assert line.endswith("F12: details") and len(line) <= 78
        assert status_text(screen) == line  # nothing cut off by the terminal
        # the typed digits are still in the cell: Enter again really retries
        assert grid.buffer == "91" and (grid.station, grid.field) == ("1", "c1")
        assert values(store, ac_id, 1)["1"] == {}

        # the full text is in the message log (F12), newest first with the time
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, MessageLogScreen)
        assert DISK_FULL in app.screen.text()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and grid.buffer == "91"

        await pilot.press("enter")
        await settle(pilot)
        assert len(calls) == 2
        assert values(store, ac_id, 1)["1"] == {"c1": 91}
        assert status_text(screen).startswith("saved ")
        assert (grid.station, grid.field) == ("1", "c2") and grid.buffer is None


async def test_a_refused_value_says_not_saved_first(hall, monkeypatch):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        fail_once(
            monkeypatch,
            services.InvalidValue("91 is more than the 90 electors of this station: check the sheet."),
        )
        await pilot.press("9", "1", "enter")
        await settle(pilot)
        line = shown_line(screen)
        assert line.startswith("NOT saved: 91 is more than the 90 electors"), line
        assert len(line) <= 78


async def test_stale_edit_says_not_saved_and_clears_the_typing(hall):
    from tests.conftest import OPERATOR2

    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        services.enter_cell(store, ac_id, 1, "1", "c1", 77, OPERATOR2)  # another operator
        await pilot.press("6", "0", "enter")
        await settle(pilot)
        line = shown_line(screen)
        assert line.startswith("NOT saved: ") and "changed it to 77" in line and len(line) <= 78
        # what the other operator saved is shown, not the digits typed over it
        assert grid.buffer is None and grid.value("1", "c1") == 77
        assert any("type it again" in m.text for m in app.messages.entries)


async def test_saved_time_is_the_commit_time(hall, monkeypatch):
    store, ac_id = hall
    real = services.enter_cell
    committed = "2031-01-02T03:04:05.123456+00:00"

    def enter_cell(*a, **kw):
        return replace(real(*a, **kw), committed=committed)

    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        monkeypatch.setattr(services, "enter_cell", enter_cell)
        await pilot.press("9", "1", "enter")
        await settle(pilot)
        assert status_text(screen).startswith(f"saved {local_time(committed)} · T1 ")
        # older code paths return no commit time: the write's own time is shown
        monkeypatch.setattr(services, "enter_cell", lambda *a, **kw: replace(real(*a, **kw), committed=""))
        await pilot.press("6", "enter")
        await settle(pilot)
        text = status_text(screen)
        assert text.startswith("saved ") and local_time(committed) not in text
        assert values(store, ac_id, 1)["1"] == {"c1": 91, "c2": 6}


# -- the message log everywhere ----------------------------------------------------------------
async def test_the_message_log_opens_on_the_ro_screens_newest_first_and_is_in_the_help(hall):
    store, _ = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "ro1", "2222")
        screen = app.screen
        assert isinstance(screen, RoHomeScreen)
        screen.set_status("Round 2 could not be approved: first message.", True)
        screen.set_status(DISK_FULL, True)
        await pilot.pause()
        line = shown_line(screen)
        assert line.startswith("NOT saved: ") and len(line) <= 78
        await pilot.press("f12")
        await pilot.pause()
        log = app.screen
        assert isinstance(log, MessageLogScreen)
        text = log.text()
        assert text.index(DISK_FULL) < text.index("first message")  # newest first
        assert text.split()[0].count(":") == 2  # HH:MM:SS
        await pilot.press("f12")  # the same key closes it
        await pilot.pause()
        assert app.screen is screen

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("VerticalScroll Static").render())
        assert "f12" in help_text and "messages" in help_text
        await pilot.press("escape")


async def test_the_message_log_is_empty_at_first_and_on_the_grid_screen_too(hall):
    store, _ = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, MessageLogScreen)
        assert "No messages" in app.screen.text()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and app.screen is screen


async def test_the_message_key_is_remapped_from_config(hall):
    store, _ = hall
    app = EncoreApp(store, Settings(keys={"app.messages": "ctrl+l"}))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        screen.set_status(DISK_FULL, True)
        await pilot.pause()
        assert shown_line(screen).endswith("Ctrl+L: details")
        await pilot.press("f12")
        await pilot.pause()
        assert app.screen is screen  # f12 no longer opens it
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, MessageLogScreen)
        assert "Ctrl+L: close" in str(app.screen.query_one(".dialog-hint").render())
        await pilot.press("ctrl+l")  # and the same key closes it
        await pilot.pause()
        assert app.screen is screen
