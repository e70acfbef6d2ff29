"""Form 17C Part I on screen (Textual Pilot, real SQLite file): keyed from the dashboard, each
Enter durable; and the round grid shows the checks that use the record, with their codes."""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain.form17c import Form17C
from encore_tui.domain.setup import PollingStation
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.dialogs import MessageDialog
from encore_tui.screens.form17c_entry import Form17CScreen
from encore_tui.services import form17c
from encore_tui.widgets.form17c_grid import Form17CGrid
from encore_tui.widgets.tally_grid import TallyGrid
from tests.conftest import ADMIN, RO, approvable, small_setup
from tests.support.screens import SIZE, open_round, settle, sign_in, status_text, type_cells


@pytest.fixture
def bare_hall(sqlite_store):
    """The small AC with no 17C figure in its setup, and its accounts."""
    store = sqlite_store
    base = small_setup()
    stations = [PollingStation(number=s.number, electors=1000) for s in base.stations]
    ac_id = services.create_ac(store, base.model_copy(update={"stations": stations}), ADMIN)
    approvable(store, ac_id)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    services.add_user(store, "obs", "observer", "3333", "Observer")
    return store, ac_id


async def open_17c(pilot) -> Form17CScreen:
    assert isinstance(pilot.app.screen, DashboardScreen)
    await pilot.press("f7")
    await pilot.pause()
    assert isinstance(pilot.app.screen, Form17CScreen)
    return pilot.app.screen


async def test_keying_17c_from_the_dashboard_each_enter_saved_and_resumed(bare_hall):
    store, ac_id = bare_hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_17c(pilot)
        grid = screen.query_one(Form17CGrid)
        assert (grid.station, grid.field) == ("1", "electors")
        # PS 1: electors, 17A, EVM total, tendered, test votes, then the three serials
        await pilot.press(*"1000", "enter", *"700", "enter", *"650", "enter", "2", "enter", "0", "enter")
        await pilot.press(*"cunem1", "enter", *"bu1", "enter", *"vv1", "enter")
        await pilot.pause()
        assert "saved" in status_text(screen) and "VVPAT serial = VV1" in status_text(screen)
        rec = form17c.form17c(store, ac_id)["1"]
        assert (rec.electors, rec.voters_17a, rec.votes_recorded, rec.tendered, rec.test_votes) == (
            1000,
            700,
            650,
            2,
            0,
        )
        assert (rec.cu_id, rec.bu_id, rec.vvpat_id, rec.source) == ("CUNEM1", "BU1", "VV1", "keyed")
        assert (grid.station, grid.field) == ("2", "electors")  # next station, first field
        # a letter in a figure, and a figure that contradicts the form, never reach the store
        await pilot.press("x")
        assert "not a digit" in status_text(screen)
        await pilot.press(*"500", "enter", *"600", "enter")
        assert "17A 600 > electors 500" in status_text(screen) and grid.buffer == "600"
        assert form17c.form17c(store, ac_id)["2"].voters_17a is None
        await pilot.press("escape", *"400", "enter")
        assert form17c.form17c(store, ac_id)["2"].voters_17a == 400
        # on screen: PS 1's line shows its figures
        line = "".join(seg.text for seg in grid.render_line(1))
        assert line.split()[:4] == ["1", "✓", "1000", "700"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        # reopened: the cursor is where keying stopped (PS 2's EVM total)
        screen = await open_17c(pilot)
        grid = screen.query_one(Form17CGrid)
        assert (grid.station, grid.field) == ("2", "votes_recorded")
    assert services.verify_journal(store, ac_id).ok


async def test_an_observer_sees_17c_read_only(bare_hall):
    store, ac_id = bare_hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "obs", "3333")  # lands on the review queue: open the screen itself
        await app.push_screen(Form17CScreen())
        await pilot.pause()
        screen = app.screen
        await pilot.press("5")
        assert "Read-only" in status_text(screen)
    assert form17c.form17c(store, ac_id) == {}


async def test_the_round_grid_shows_the_17c_checks_with_their_codes(bare_hall):
    store, ac_id = bare_hall
    form17c.import_form17c(
        store,
        ac_id,
        [
            Form17C(station="1", votes_recorded=101, cu_id="CU1"),
            Form17C(station="2", votes_recorded=50, cu_id="CU2"),
        ],
        ADMIN,
    )
    form17c.set_cu_confirmation(store, ac_id, True, RO)
    form17c.confirm_cu_serial(store, ac_id, "3", "CU3", services.Actor("op1", "operator"))
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_round(pilot, 1)
        grid = screen.query_one(TallyGrid)
        assert grid.form17c["1"] == 101 and grid.form17c["3"] is None  # the record, not the setup
        await type_cells(pilot, 91, 6, 3, 1, 101)
        assert grid.marks["1"][0] == "E121"  # the RO wants the CU serial confirmed
        await type_cells(pilot, 92, 6, 3, 1, 102)
        assert grid.marks["2"][0] == "E122"  # 92 votes at a station that recorded 50
        await type_cells(pilot, 10, 0, 0, 0, 10)
        assert grid.marks["3"][0] == "W202"  # CU confirmed, but no 17C for PS 3
        form17c.confirm_cu_serial(store, ac_id, "1", "CU9", services.Actor("op1", "operator"))
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        text = "\n".join(app.screen.lines)
        assert "E120" in text and "E122" in text and "W202" in text
        await pilot.press("escape")
        await settle(pilot)
    assert services.round_view(store, ac_id, 1).info.status.value == "draft"


async def test_the_assigned_second_keyer_gets_a_blind_grid_and_differences_are_marked(bare_hall):
    store, ac_id = bare_hall
    services.add_user(store, "op2", "operator", "2222", "Operator Two")
    form17c.enter_form17c(store, ac_id, "1", "electors", 1000, services.Actor("op1", "operator"))
    form17c.open_double(store, ac_id, "op2", RO)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op2", "2222")
        screen = await open_17c(pilot)
        grid = screen.query_one(Form17CGrid)
        assert "second keying (blind)" in str(screen.query_one("#title").render())
        assert grid.value("1", "electors") is None  # the first keying is not shown
        await pilot.press(*"900", "enter")
        await pilot.pause()
        assert "saved" in status_text(screen)
    assert form17c.form17c(store, ac_id)["1"].electors == 1000
    assert form17c.differences(store, ac_id) == [("1", "electors", 1000, 900)]
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = await open_17c(pilot)
        grid = screen.query_one(Form17CGrid)
        assert ("1", "electors") in grid.differs and "1 differ" in str(screen.query_one("#title").render())
        grid.move_to("1", "electors")
        screen._show_detail()
        assert "second keying differs" in str(screen.query_one("#detail").render())
