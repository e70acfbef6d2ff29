"""The smaller things seen on the counting day (issue 16, point 6), each as it was seen.

Pilot at 80×24 on a real SQLite store; the round sheet read back with pdftotext.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain import checks as ck
from encore_tui.printing import documents
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.help import HelpScreen
from encore_tui.screens.ro.forms import FormDialog
from encore_tui.screens.ro.vvpat import VvpatScreen
from encore_tui.services import ro_result
from encore_tui.widgets.tally_grid import TallyGrid
from tests.conftest import ADMIN, OPERATOR, RO, small_setup
from tests.support.pdf import BIHAR, pdf_text, write
from tests.support.ro import RO_PIN, count_and_approve, make_ac, postal, vvpat_done
from tests.support.screens import (
    SIZE,
    open_review,
    open_round,
    reads_done,
    settle,
    sign_in,
    status_text,
    type_cells,
    values,
)


@pytest.fixture
def counted(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2, 3])
    return store, ac_id


async def open_draw_form(pilot) -> None:
    await sign_in(pilot, RO.username, RO_PIN)
    pilot.app.push_screen(VvpatScreen())
    await reads_done(pilot)
    await pilot.press("f2")  # the draw of lots: 5 stations, drawn by, witnesses
    await pilot.pause()


async def test_a_wrong_station_in_the_vvpat_draw_keeps_the_form_and_its_fields(counted):
    store, ac_id = counted
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await open_draw_form(pilot)
        for answer in ["1", "2", "3", "4", "99", "Agent of P1", "Observer"]:
            await pilot.press(*answer, "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog), form  # still open, as typed
        typed = [form.query_one(f"#f{i}").value for i in range(7)]
        assert typed == ["1", "2", "3", "4", "99", "Agent of P1", "Observer"]
        assert "99" in str(form.query_one("#form-msg").render())
        # the wrong station fixed, Enter on the last field records the draw
        form.query_one("#f4").value = "5"
        form.query_one("#f6").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VvpatScreen)
    from encore_tui.services import ro_vvpat

    assert ro_vvpat.vvpat_view(store, ac_id).draw["stations"] == ["1", "2", "3", "4", "5"]


async def test_after_form20_is_signed_correct_is_not_offered_and_refused_at_once(counted):
    store, ac_id = counted
    vvpat_done(store, ac_id)
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        from encore_tui.screens.ro.home import RoHomeScreen

        home = app.screen
        assert isinstance(home, RoHomeScreen)
        table = home.query_one("#queue", DataTable)
        if str(1) not in [rk.value for rk in table.rows]:
            pytest.skip("the review queue does not list approved rounds")
        screen = await open_review(pilot, 1)
        assert screen.check_action("correct", ()) is False
        assert "Correct" not in str(screen.query_one("Footer").render())
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen is screen  # no reason dialog, no PIN: told at once why, and what stands
        said = status_text(screen)
        assert "Form 20 is signed" in said, said
        assert "Form 20 is signed" in app.messages.entries[0].text
        assert "recount" in app.messages.entries[0].text
        screen.action_correct()  # from anywhere else (a remapped key): refused at once
        await pilot.pause()
        assert app.screen is screen
        assert "Form 20 is signed" in str(screen.query_one("#status").render())


@pytest.fixture
def hall(sqlite_store):
    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    return store, ac_id


async def test_after_a_submit_enter_opens_the_round_waiting_and_home_end_move_on_the_dashboard(hall):
    store, ac_id = hall
    for r in (0, 1):  # the postal round and round 1 are typed and submitted from the console
        entered = services.round_view(store, ac_id, r).entries
        for e in entered:
            if r == 0:
                vals = {"c1": 10, "c2": 5, "c3": 1, "nota": 1, "rejected": 3, "total": 20}
            else:
                st = services.load_context(store, ac_id).setup.station(e.station)
                vals = {"c1": st.form17c_total - 3, "c2": 1, "c3": 1, "nota": 1, "total": st.form17c_total}
            for f, v in vals.items():
                services.enter_cell(store, ac_id, r, e.station, f, v, OPERATOR)
        if r == 0:
            services.submit_round(store, ac_id, 0, OPERATOR)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op1", "1111")
        await open_round(pilot, 1)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")  # confirm: submitted
        await pilot.pause()
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        assert "Enter: open Round 2." in status_text(dash)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.round_no == 2, app.screen.round_no  # the round waiting, not round 1
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one("#rounds", DataTable)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_the_total_row_adds_the_typed_cu_totals_and_postal_says_total(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op1", "1111")
        screen = await open_round(pilot, 1)
        # table 1: the candidates add up to 101, the CU total typed is 111 (E101)
        await type_cells(pilot, 90, 5, 5, 1, 111)
        grid = screen.query_one(TallyGrid)
        assert grid.right["total"][0] == "111", grid.right["total"]
        await pilot.press("escape")
        await pilot.pause()
        screen = await open_round(pilot, 0)
        await type_cells(pilot, 10, 5, 1, 1, 3)
        await pilot.press(*"20")
        await pilot.press("enter")
        await settle(pilot)
        assert "Total (CU)" not in status_text(screen) and "Total = 20" in status_text(screen)
        assert "Total (CU)" not in str(screen.query_one("#detail").render())


async def test_help_names_screens_in_words_and_shows_the_keys_section(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op1", "1111")
        await open_round(pilot, 1)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = str(app.screen.query_one(".dialog-body Static").render())
        assert "Round entry" in body and "RoundScreen" not in body and "\nRound\n" not in body
        assert "[keys]" in body and "Remap a key in the config file: under [keys]" in body
        assert "name in [keys]" in body  # the ids are the names used there, and said so


def test_messages_name_candidates_not_c1_c2():
    setup = small_setup()
    from encore_tui.domain.entries import TableEntry

    entry = TableEntry(round_no=1, station="1", table_no=1, values={"c1": 5})
    (c,) = ck.check_table(setup, entry)
    assert "CANDIDATE 2, CANDIDATE 3, NOTA, Total" in c.message and "c2" not in c.message


async def test_a_paste_sent_as_keys_is_never_glued_into_one_figure(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op1", "1111")
        screen = await open_round(pilot, 1)
        await pilot.press(*"10 0 46 abc")
        assert screen.query_one(TallyGrid).buffer is None
        await pilot.press("enter")
        await settle(pilot)
        assert "c1" not in values(store, ac_id, 1)["1"]
        assert "dropped" in "\n".join(m.text for m in app.messages.entries) or "dropped" in status_text(
            screen
        )


def test_round_sheet_says_draft_once_and_no_console_operator(sqlite_store, tmp_path):
    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    text = " ".join(pdf_text(write(tmp_path, "r1", documents.round_sheet(store, ac_id, 1))).split())
    assert "(not submitted (draft))" not in text and "not submitted" not in text.split("Status")[1][:40]
    assert "admin" not in text.split("Operator")[1][:20], text


def test_the_bihar_demo_title_says_fictional_once():
    from encore_tui.services.importing import read_setup_json

    setup = read_setup_json(BIHAR)
    title = f"{setup.ac.name}{setup.demo_mark}"
    assert title.count("FICTIONAL") == 1, title
    assert small_setup(fictional=True).demo_mark == " (FICTIONAL DEMO)"


async def test_a_burst_of_keys_fills_each_field_of_a_form_in_order(counted):
    """The VVPAT draw typed at SSH speed: each figure lands in its own field (it used to be
    typed into the first field while Enter was still on its way)."""
    from tests.support.screens import burst

    store, ac_id = counted
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await open_draw_form(pilot)
        burst(app, "1\r2\r3\r4\r5\rAgent of P1\rObserver\r")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, VvpatScreen), app.screen
    from encore_tui.services import ro_vvpat

    draw = ro_vvpat.vvpat_view(store, ac_id).draw
    assert draw["stations"] == ["1", "2", "3", "4", "5"] and draw["drawn_by"] == "Agent of P1"
