"""Operator screens driven key by key with Textual's Pilot, on a real SQLite store.

Each assertion checks both what the screen shows and what the store holds (through services).
"""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain.rounds import RoundStatus
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.dialogs import KeepAsideDialog, MessageDialog
from encore_tui.screens.round_entry import RoundScreen
from encore_tui.widgets.tally_grid import COL_W, TallyGrid
from tests.conftest import ADMIN, OPERATOR2, RO, small_setup
from tests.support.screens import SIZE, burst, open_round, settle, sign_in, status_text, type_cells, values


@pytest.fixture
def hall(sqlite_store):
    """The small AC (3 candidates, 7 stations, 3 tables: rounds of 3, 3, 1) with accounts."""
    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    services.add_user(store, "ro1", "ro", "2222", "Returning Officer")
    services.add_user(store, "obs", "observer", "3333", "Observer")
    return store, ac_id


async def test_a_whole_round_typed_checked_kept_aside_submitted_returned_and_reentered(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert app.actor.username == "op1"
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        assert (grid.col, grid.row) == (0, 0)  # a fresh round starts at table 1, candidate 1

        # table 1 (PS 1, 17C Part I = 101): candidates, NOTA, Total — Enter moves down
        await type_cells(pilot, 91, 6, 3, 1, 101)
        assert "saved" in status_text(screen)
        assert (grid.col, grid.row) == (1, 0)  # Enter on Total → candidate 1 of the next table
        assert values(store, ac_id, 1)["1"] == {"c1": 91, "c2": 6, "c3": 3, "nota": 1, "total": 101}
        assert grid.marks["1"] == ("ok", "ok")

        # table 2 with a total that does not add up: marked, and submit is blocked
        await type_cells(pilot, 92, 6, 3, 1, 105)
        assert grid.marks["2"][0] == "E101"
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert any("E101" in line for line in app.screen.lines)
        await pilot.press("escape")
        assert services.round_view(store, ac_id, 1).info.status is RoundStatus.DRAFT

        # letters, signs and numbers above the electors never reach the store
        await pilot.press("shift+tab", "end")  # back to table 2, Total row
        assert (grid.col, grid.field) == (1, "total")
        await pilot.press("a")
        assert "not a digit" in status_text(screen)
        await pilot.press("minus")
        assert "not a digit" in status_text(screen)
        await pilot.press("5", "0", "0", "0")
        assert "more than the 1000 electors" in status_text(screen)
        assert grid.buffer == "500"
        await pilot.press("escape")  # cancel typing: the cell keeps 105
        assert grid.buffer is None and grid.value("2", "total") == 105
        assert isinstance(app.screen, RoundScreen)  # Esc with typing only cancels the typing
        await type_cells(pilot, 102)
        assert values(store, ac_id, 1)["2"]["total"] == 102
        assert grid.marks["2"] == ("ok", "ok")

        # table 3 is kept aside (its CU cannot display the result)
        assert (grid.col, grid.row) == (2, 0)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, KeepAsideDialog)
        await pilot.press("enter")  # first reason: CU display failure
        await pilot.pause()
        v = services.round_view(store, ac_id, 1)
        assert v.entries[2].kept_aside is not None and v.entries[2].values == {}
        assert grid.marks["3"] == ("KA", "kept")
        await pilot.press("7")
        assert "kept aside" in status_text(screen)

        # lead and totals in the lines below the grid come from the round view
        assert "CANDIDATE 1" in str(screen.query_one("#lead").render())
        assert grid.right["c1"] == ("183", "183")

        # submit: the confirmation lists the kept-aside warning
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert any("W203" in line for line in app.screen.lines)
        await pilot.press("enter")
        await pilot.pause()
        assert services.round_view(store, ac_id, 1).info.status is RoundStatus.SUBMITTED
        # back on the dashboard, on the next round to type
        assert isinstance(app.screen, DashboardScreen)
        assert "Round 1 submitted" in status_text(app.screen)
        assert app.screen.query_one("#rounds").cursor_row == 2
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        assert not grid.editable
        await pilot.press("9")  # locked for the operator now
        assert "read-only" in status_text(screen)
        assert "submitted" in str(screen.query_one("#title").render())

        # the RO returns it with a remark; the operator reopens it and corrects a figure
        services.return_round(store, ac_id, 1, "Table 1: NOTA is 2 on the sheet", RO)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        assert "Table 1: NOTA is 2 on the sheet" in str(screen.query_one("#notice").render())
        assert grid.editable
        grid.move_to("1", "c1")
        await type_cells(pilot, 90)
        await pilot.press("down", "down")
        await type_cells(pilot, 2)
        assert values(store, ac_id, 1)["1"] == {"c1": 90, "c2": 6, "c3": 3, "nota": 2, "total": 101}
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert services.round_view(store, ac_id, 1).info.status is RoundStatus.SUBMITTED
        assert isinstance(app.screen, DashboardScreen)
    assert services.verify_journal(store, ac_id).ok


async def test_17c_mismatch_is_acknowledged_before_submit(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 3)  # one table: PS 7, 17C Part I = 107
        grid = screen.query_one(TallyGrid)
        await type_cells(pilot, 100, 5, 3, 2, 110)
        assert grid.marks["7"] == ("W201", "warning")
        assert "W201: F3 acknowledge or F2 keep aside" in status_text(screen)
        await pilot.press("f5")
        await pilot.pause()
        assert any("W201" in line for line in app.screen.lines)  # blocked until acknowledged
        await pilot.press("escape")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        await pilot.press("enter")
        await pilot.pause()
        (w,) = [c for c in services.round_view(store, ac_id, 3).checks if c.code.code == "W201"]
        assert w.acknowledged
        assert grid.marks["7"] == ("ack", "ok")
        # the last round is blocked by E108 until the postal result is approved
        assert "E108" in str(screen.query_one("#notice").render())
        await pilot.press("f5")
        await pilot.pause()
        assert any("E108" in line for line in app.screen.lines)


async def test_stale_edit_keeps_the_other_value_and_says_so(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        await type_cells(pilot, 50)
        services.enter_cell(store, ac_id, 1, "1", "c2", 77, OPERATOR2)  # another operator
        await type_cells(pilot, 60)
        assert "changed it to 77" in status_text(screen)
        assert values(store, ac_id, 1)["1"]["c2"] == 77
        assert grid.value("1", "c2") == 77 and grid.field == "c2"


async def test_cursor_and_figures_come_back_after_restart(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_round(pilot, 2)
        await type_cells(pilot, 1, 2, 3, 4, 10, 5)
        await pilot.press("6")  # typed, never saved
    app2 = EncoreApp(store, Settings())
    async with app2.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = app2.screen
        assert isinstance(screen, RoundScreen) and screen.round_no == 2
        grid = screen.query_one(TallyGrid)
        assert (grid.station, grid.field) == ("5", "c2")
        assert "resumes at T2 PS 5" in status_text(screen)
        assert values(store, ac_id, 2)["4"] == {"c1": 1, "c2": 2, "c3": 3, "nota": 4, "total": 10}
        assert values(store, ac_id, 2)["5"] == {"c1": 5}


async def test_postal_round_and_read_only_observer(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        dash = app.screen
        assert "E108" in str(dash.query_one("#summary").render())
        screen = await open_round(pilot, 0)
        grid = screen.query_one(TallyGrid)
        assert [r.key for r in grid.rows][:6] == ["c1", "c2", "c3", "nota", "rejected", "total"]
        await type_cells(pilot, 10, 5, 1, 1, 3, 20)
        assert values(store, ac_id, 0)["P1"] == {
            "c1": 10,
            "c2": 5,
            "c3": 1,
            "nota": 1,
            "rejected": 3,
            "total": 20,
        }
        assert grid.marks["P1"] == ("ok", "ok")
        await pilot.press("f9")  # escape first: F9 is the dashboard's
        await pilot.press("escape", "f9")
        await pilot.pause()
        await sign_in(pilot, "obs", "3333")
        from encore_tui.screens.ro.home import RoHomeScreen

        assert isinstance(app.screen, RoHomeScreen) and app.screen.read_only  # observers land on the RO queue
        await pilot.press("f2")  # the counting dashboard, read-only
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and app.screen.read_only
        screen = await open_round(pilot, 1)
        await pilot.press("5")
        assert "read-only" in status_text(screen)
        assert values(store, ac_id, 1)["1"] == {}


async def test_wrong_pin_is_refused_with_the_service_message(hall):
    store, _ = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op1", "9999")
        assert app.actor is None
        assert "4 tries left" in str(app.screen.query_one("#signin-error").render())


async def test_keys_are_remapped_from_config_and_listed_in_help(hall):
    store, _ = hall
    app = EncoreApp(store, Settings(keys={"round.submit": "f10"}))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_round(pilot, 1)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen)  # f5 no longer submits
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        await pilot.press("escape", "f1")
        await pilot.pause()
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert "f10" in text and "round.submit" in text and "grid.save" in text


async def test_hindi_labels_in_the_grid_too(hall):
    """Under --lang hi the grid's labels are Hindi as well (widths measured as the terminal
    does, widgets/cells.py); names without a Hindi name in the setup stay as registered."""
    store, _ = hall
    app = EncoreApp(store, Settings(lang="hi"))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert "मतगणना डैशबोर्ड" in str(app.screen.query_one("#title").render())
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        assert grid.rows[3].label.strip() == "NOTA" and grid.rows[4].label.strip() == "कुल (CU)"
        assert [r.label for r in grid.rows[5:]] == ["योग", "17C भाग I", "अंतर"]
        assert grid.rows[0].label.split()[1] == "CANDIDATE"  # small_setup has no name_hi
    from encore_tui.base.i18n import set_lang

    set_lang("en")


async def test_a_keystroke_repaints_one_cell_only(hall):
    store, _ = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        regions = []
        original = grid.refresh

        def spy(*regions_, **kw):
            regions.extend(regions_ or [None])
            return original(*regions_, **kw)

        grid.refresh = spy
        await pilot.press("4")
        await pilot.press("2")
        assert regions and all(r is not None and r.height == 1 and r.width <= COL_W for r in regions)


async def test_trends_and_the_command_palette(hall):
    store, ac_id = hall
    for station, votes in (("1", (60, 30, 10)), ("2", (20, 70, 12))):
        for i, v in enumerate(votes, start=1):
            services.enter_cell(store, ac_id, 1, station, f"c{i}", v, OPERATOR2)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Trends")
        await pilot.pause(0.3)  # the palette searches in a worker
        await pilot.app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause()
        from encore_tui.screens.trends import TrendsScreen

        assert isinstance(app.screen, TrendsScreen)
        votes = str(app.screen.query_one("#votes").render())
        leads = str(app.screen.query_one("#leads").render())
        # candidate 2 leads with 100 votes, and gets the longest bar
        lines = votes.splitlines()
        assert lines[1].split()[:2] == ["2", "CANDIDATE"] and " 100 " in lines[1]
        assert lines[1].count("█") > lines[2].count("█")
        assert "R  1 P2 CANDIDATE 2" in leads and "+20" in leads
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_several_acs_are_chosen_at_sign_in(hall):
    store, ac_id = hall
    other = services.create_ac(store, small_setup(ac_no=8), ADMIN)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # AC 8 is listed second
        await sign_in(pilot)
        assert app.ac_id == other and app.ac_id != ac_id
        assert "AC 8" in str(app.screen.query_one("#title").render())


async def test_ac_from_the_command_line_is_preselected_and_a_wrong_one_said(hall):
    store, ac_id = hall
    other = services.create_ac(store, small_setup(ac_no=8), ADMIN)
    app = EncoreApp(store, Settings(ac=8))  # `encore --ac 8`
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)  # the keyboard starts on the user name: no list to walk
        assert app.ac_id == other
    app = EncoreApp(store, Settings(ac=99))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "AC 99 is not in this store" in str(app.screen.query_one("#signin-error").render())
        await pilot.press("enter")  # the list has the keyboard: the first AC
        await sign_in(pilot)
        assert app.ac_id == ac_id


async def test_paste_never_reaches_the_store(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        from textual import events

        grid = screen.query_one(TallyGrid)
        grid.post_message(events.Paste("123"))
        await pilot.pause()
        assert "Pasting is not allowed" in status_text(screen)
        assert grid.buffer is None
        await pilot.press("enter")
        await settle(pilot)
        assert values(store, ac_id, 1)["1"] == {}


async def test_a_store_failure_on_refresh_is_shown_not_a_traceback(hall, monkeypatch):
    store, _ = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)

        def unreachable(*a, **kw):
            raise services.StoreError("The store cannot be reached: check the server, then press F5.")

        monkeypatch.setattr(services, "dashboard", unreachable)
        await pilot.press("f5")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, DashboardScreen)
        assert "cannot be reached" in status_text(app.screen)


async def test_many_candidates_scroll_with_the_cursor_and_the_header_stays(sqlite_store):
    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(n_candidates=30, n_stations=20, tables=10), ADMIN)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        await pilot.press("end")  # the Total row, far below the 24-line screen
        assert grid.field == "total" and grid.scroll_y > 0
        lines = [grid.render_line(y).text for y in range(grid.size.height)]
        assert lines[0].lstrip().startswith("Table") and "T1" in lines[0]  # header fixed
        assert any(line.strip().startswith("Total (CU)") for line in lines)
        await pilot.press(*["tab"] * 9)  # table 10: the tables scrolled sideways
        assert grid.col == 9 and grid.scroll_x > 0
        lines = [grid.render_line(y).text for y in range(grid.size.height)]
        assert "T10" in lines[0] and "T1 " not in lines[0]
        assert lines[2].lstrip().startswith("1 CANDIDATE 1")  # the candidate column stays
        await type_cells(pilot, 5)
        assert values(store, ac_id, 1)["10"] == {"c1": 5}


def events_key(key: str):
    from textual import events

    return events.Key(key, None)


async def test_a_burst_of_keys_keeps_its_order_at_sign_in_and_in_the_grid(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "op1\r1111\r")
        await pilot.pause()
        await pilot.pause()
        assert app.actor is not None and app.actor.username == "op1"
        app.screen.query_one("#rounds").move_cursor(row=0)
        app.post_message(events_key("down"))  # Down then Enter in one burst: round 1
        burst(app, "\r91\r6\r3\r1\r101\r92\r")  # Enter opens round 1; typing starts at once
        await settle(pilot)
        assert values(store, ac_id, 1)["1"] == {"c1": 91, "c2": 6, "c3": 3, "nota": 1, "total": 101}
        assert values(store, ac_id, 1)["2"] == {"c1": 92}


async def test_a_store_without_accounts_says_how_to_add_one(sqlite_store):
    services.create_ac(sqlite_store, small_setup(), ADMIN)
    app = EncoreApp(sqlite_store, Settings())
    async with app.run_test(size=SIZE):
        assert "encore user add" in str(app.screen.query_one("#no-accounts").render())


async def test_grid_keys_are_remapped_too(hall):
    store, _ = hall
    app = EncoreApp(store, Settings(keys={"grid.next_table": "ctrl+n"}))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        await pilot.press("ctrl+n")
        assert grid.col == 1
        await pilot.press("tab")  # no longer bound to the grid
        assert grid.col == 1


async def test_keep_aside_for_another_reason_needs_a_note_and_can_be_restored(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("up", "enter")  # the last reason: other
        await pilot.pause()
        assert isinstance(app.screen, KeepAsideDialog)
        await pilot.press("enter")  # an empty note is refused
        await pilot.pause()
        assert isinstance(app.screen, KeepAsideDialog)
        await pilot.press(*"seal broken", "enter")
        await pilot.pause()
        e = services.round_view(store, ac_id, 1).entries[0]
        assert e.kept_aside.value == "other" and e.kept_aside_note == "seal broken"
        assert "seal broken" in str(screen.query_one("#detail").render())
        await pilot.press("f2")  # restore
        await pilot.pause()
        assert services.round_view(store, ac_id, 1).entries[0].kept_aside is None
        assert "restored" in status_text(screen)
        await type_cells(pilot, 12)
        assert values(store, ac_id, 1)["1"] == {"c1": 12}
        assert grid.marks["1"][0] == "…"


async def test_round_screen_keeps_the_collectors_full_passes_off_the_keystrokes(hall):
    """Opening a round freezes what is alive (no ~90 ms full GC pass under a keystroke);
    leaving it unfreezes, so closed screens are collected."""
    import gc

    store, _ = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_round(pilot, 1)
        assert gc.get_freeze_count() > 0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert gc.get_freeze_count() == 0
