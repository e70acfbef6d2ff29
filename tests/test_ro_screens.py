"""RO screens driven key by key with Textual's Pilot on a real SQLite store: the review queue,
approve (PIN), return (remark), correction and re-approval, the difference view, the blind spot
check and double entry, observers, postal scans, and the idle screen lock.

Every test checks what the screen shows and what the store holds (through services).
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import DataTable

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain.rounds import RoundStatus
from encore_tui.screens.blind import BlindEntryScreen, BlindResultScreen
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.dialogs import MessageDialog, TextDialog
from encore_tui.screens.help import HelpScreen
from encore_tui.screens.lock import LockScreen
from encore_tui.screens.ro.home import RoHomeScreen
from encore_tui.screens.ro.review import RoReviewScreen
from encore_tui.screens.round_entry import RoundScreen
from encore_tui.screens.signin import SignInScreen
from encore_tui.services import ro, ro_result
from encore_tui.store import journal
from tests.conftest import OPERATOR, RO
from tests.support.ro import PDF, RO_PIN, count_and_approve, make_ac, postal, type_round, verified, votes_of
from tests.support.screens import open_review, text

SIZE = (80, 24)


@pytest.fixture
def hall(sqlite_store):
    """The small AC at one counting table: 7 stations → 7 EVM rounds of one table each."""
    store = sqlite_store
    return store, make_ac(store, n_stations=7, tables=1)


def submitted(store, ac_id, round_no: int) -> None:
    type_round(store, ac_id, round_no)
    services.submit_round(store, ac_id, round_no, OPERATOR)


def status_of(store, ac_id, round_no: int) -> RoundStatus:
    return services.round_view(store, ac_id, round_no).info.status


def last_event(store, ac_id):
    with store.read() as conn:
        return list(journal.events(conn, ac_id))[-1]


async def sign_in(pilot, user: str, pin: str) -> None:
    await pilot.press(*user, "enter")
    await pilot.press(*pin, "enter")
    await pilot.pause()


async def sign_out(pilot) -> None:
    await pilot.press("f9")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SignInScreen)


async def type_text(pilot, value: str) -> None:
    await pilot.press(*value, "enter")
    await pilot.pause()


async def test_ro_lands_on_the_queue_and_approves_with_the_pin(hall):
    store, ac_id = hall
    submitted(store, ac_id, 1)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        home = app.screen
        assert isinstance(home, RoHomeScreen)
        table = home.query_one("#queue", DataTable)
        first = table.get_row_at(0)
        assert first[0] == "Round 1" and "submitted" in str(first[1]) and first[2] == "1"
        assert "1 round(s) waiting for the RO" in text(home, "#summary")

        screen = await open_review(pilot, 1)
        assert "ready for approval" in text(screen, "#facts")
        assert "Round 1/7" in text(screen, "#title") and "submitted" in text(screen, "#title")

        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, "0000")  # wrong PIN: refused, nothing decided
        assert isinstance(app.screen, RoReviewScreen)
        assert "Wrong PIN" in text(screen, "#status") and "4 tries left" in text(screen, "#status")
        assert status_of(store, ac_id, 1) is RoundStatus.SUBMITTED
        assert last_event(store, 0).kind == "user.sign_in_failed"  # accounts: the store chain

        await pilot.press("f2")
        await pilot.pause()
        await type_text(pilot, RO_PIN)
        assert isinstance(app.screen, RoHomeScreen)
        assert "Round 1 approved by ro1; queued for publication" in text(app.screen, "#status")
        assert status_of(store, ac_id, 1) is RoundStatus.APPROVED
        with store.read() as conn:
            ev, push = list(journal.events(conn, ac_id))[-2:]
        assert (ev.kind, ev.actor, ev.role) == ("round.approved", RO.username, "ro")
        assert push.kind == "outbox.queued"  # its push, in the same transaction
        assert "0 round(s) waiting" in text(app.screen, "#summary")
    verified(store, ac_id)


async def test_return_with_a_remark_reaches_the_operator_and_the_resubmission_shows_its_changes(hall):
    store, ac_id = hall
    submitted(store, ac_id, 1)
    app = EncoreApp(store, Settings())
    remark = "table 1: c2 misread"
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        screen = await open_review(pilot, 1)
        assert "First revision" in text(screen, "#report-text")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press("enter")  # an empty remark is refused by the dialog
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, remark)
        assert isinstance(app.screen, RoHomeScreen)
        assert "returned to the operator" in text(app.screen, "#status")
        info = services.round_view(store, ac_id, 1).info
        assert (info.status, info.remark) == (RoundStatus.RETURNED, remark)

        await sign_out(pilot)
        await sign_in(pilot, "op1", "1111")
        assert isinstance(app.screen, DashboardScreen)
        app.screen.query_one("#rounds").move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        entry = app.screen
        assert isinstance(entry, RoundScreen)
        assert remark in text(entry, "#notice")
        # the operator fixes c2 and NOTA (the total stays) and resubmits
        v = votes_of(store, ac_id, "1")
        await pilot.press("down", *str(v["c2"] + 1), "enter", "down", *str(v["nota"] - 1), "enter")
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert status_of(store, ac_id, 1) is RoundStatus.SUBMITTED

        await sign_out(pilot)
        await sign_in(pilot, RO.username, RO_PIN)
        screen = await open_review(pilot, 1)
        assert "2 cell(s) changed since rev 1" in text(screen, "#facts")
        report = text(screen, "#report-text")
        assert f"table 1 PS 1 CANDIDATE 2: {v['c2']} → {v['c2'] + 1}" in report
        assert f"table 1 PS 1 NOTA: {v['nota']} → {v['nota'] - 1}" in report
    d = ro.round_diff(store, ac_id, 1)
    assert [(c.field, c.before, c.after) for c in d.changes] == [
        ("c2", v["c2"], v["c2"] + 1),
        ("nota", v["nota"], v["nota"] - 1),
    ]


async def test_correction_of_round_3_after_round_7_published(hall):
    store, ac_id = hall
    postal(store, ac_id)
    count_and_approve(store, ac_id, range(1, 8))
    for r in range(1, 8):
        services.publish_round(store, ac_id, r, services.SYSTEM)
    before = {t.round_no: t for t in services.round_tallies(store, ac_id)}
    v = votes_of(store, ac_id, "3")
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        assert "0 round(s) waiting" in text(app.screen, "#summary")
        screen = await open_review(pilot, 3)  # a published round, listed after the (empty) queue
        assert not screen.check_action("approve", ()) and screen.check_action("correct", ())
        await pilot.press("f2")  # no approval key on a published round
        assert isinstance(app.screen, RoReviewScreen) and status_of(store, ac_id, 3) is RoundStatus.PUBLISHED

        await pilot.press("f4")
        await pilot.pause()
        await type_text(pilot, "PS 3: 5 votes of candidate 1 belong to candidate 2")
        assert isinstance(app.screen, TextDialog) and app.screen.password  # now the PIN
        await type_text(pilot, RO_PIN)
        assert isinstance(app.screen, MessageDialog)
        assert any("rounds 4, 5, 6, 7" in line for line in app.screen.lines)
        await pilot.press("escape")
        status = {r: status_of(store, ac_id, r) for r in range(0, 8)}
        assert status[3] is RoundStatus.CORRECTION
        assert all(status[r] is RoundStatus.NEEDS_REAPPROVAL for r in range(4, 8))
        assert status[1] is status[2] is RoundStatus.PUBLISHED and status[0] is RoundStatus.APPROVED
        assert "rev 2" in text(screen, "#title") and "Correction: PS 3" in text(screen, "#notice")

        await pilot.press("f7")  # the RO types the right figures
        await pilot.pause()
        assert isinstance(app.screen, RoundScreen) and app.screen.editable
        await pilot.press(*str(v["c1"] - 5), "enter", *str(v["c2"] + 5), "enter")
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert "2 cell(s) changed since rev 1" in text(screen, "#facts")
        report = text(screen, "#report-text")
        assert f"table 1 PS 3 CANDIDATE 1: {v['c1']} → {v['c1'] - 5}" in report
        assert f"table 1 PS 3 CANDIDATE 2: {v['c2']} → {v['c2'] + 5}" in report

        await pilot.press("f2")
        await pilot.pause()
        await type_text(pilot, RO_PIN)
        assert isinstance(app.screen, RoHomeScreen)
        assert status_of(store, ac_id, 3) is RoundStatus.APPROVED
        queue = [i.round_no for i in ro.review_queue(store, ac_id)]
        assert queue == [4, 5, 6, 7]  # still to approve again, in order
        assert "4 round(s) waiting" in text(app.screen, "#summary")
        assert app.screen._selected() == 4  # decided: the cursor goes to the next round waiting
        # round 5 before round 4: refused on the screen without asking the PIN
        screen5 = await open_review(pilot, 5)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, RoReviewScreen)
        assert "earlier rounds first" in text(screen5, "#status")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen._selected() == 5  # back from a round still waiting: on it
        await open_review(pilot, 4)
        for r in range(4, 8):
            if r > 4:  # Enter on the queue opens the next round waiting
                assert app.screen._selected() == r
                await pilot.press("enter")
                await pilot.pause()
                assert app.screen.round_no == r
            await pilot.press("f2")
            await pilot.pause()
            await type_text(pilot, RO_PIN)
            assert status_of(store, ac_id, r) is RoundStatus.APPROVED
    after = {t.round_no: t for t in services.round_tallies(store, ac_id)}
    for r in (1, 2):
        assert after[r] == before[r]
    for r in range(3, 8):
        assert after[r].cumulative.votes[0] == before[r].cumulative.votes[0] - 5
        assert after[r].cumulative.votes[1] == before[r].cumulative.votes[1] + 5
    assert ro.correction_annex(store, ac_id, 3).invalidated == [4, 5, 6, 7]
    verified(store, ac_id)


async def test_ro_is_put_back_on_the_correction_after_a_power_cut(hall):
    store, ac_id = hall
    count_and_approve(store, ac_id, [1])
    ro.correct(store, ac_id, 1, "PS 1: c1 misread", RO, RO_PIN)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        await open_review(pilot, 1)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("down", "7", "enter")  # c2 = 7, saved with the cursor moved to c3
        await app.workers.wait_for_complete()
    assert services.round_view(store, ac_id, 1).entries[0].values["c2"] == 7
    app = EncoreApp(store, Settings())  # the power came back
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        screen = app.screen
        assert isinstance(screen, RoundScreen) and screen.round_no == 1 and screen.editable
        assert screen.grid.field == "c3"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RoHomeScreen)


async def test_observer_sees_everything_and_changes_nothing(hall):
    store, ac_id = hall
    submitted(store, ac_id, 1)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "obs", "3333")
        assert isinstance(app.screen, RoHomeScreen) and app.screen.read_only
        screen = await open_review(pilot, 1)
        assert "Observer" in text(screen, "#notice")
        assert not screen.check_action("correct", ())  # a submitted round: F4 is not offered
        for key in ("f2", "f3", "f5", "f6"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key  # no PIN, remark or keying dialog opens
            assert "Observers change nothing" in text(screen, "#status"), key
        await pilot.press("escape", "f2")  # the counting dashboard, read-only
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and app.screen.read_only
        await pilot.press("escape")
        assert isinstance(app.screen, RoHomeScreen)
    assert status_of(store, ac_id, 1) is RoundStatus.SUBMITTED
    assert ro.review_round(store, ac_id, 1).spot is None


async def test_spot_check_blocks_approval_until_rekeyed_and_resolved(hall):
    store, ac_id = hall
    ro.set_spot_check_rounds(store, ac_id, 2, RO)
    submitted(store, ac_id, 1)
    v = votes_of(store, ac_id, "1")
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        assert "spot to draw" in str(app.screen.query_one("#queue", DataTable).get_row_at(0)[3])
        screen = await open_review(pilot, 1)
        assert "spot: to draw (F5)" in text(screen, "#facts")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)  # blocked before any PIN is asked
        assert any("E113" in line for line in app.screen.lines)
        await pilot.press("escape")

        await pilot.press("f5")  # draw and key blind
        await pilot.pause()
        entry = app.screen
        assert isinstance(entry, BlindEntryScreen) and entry.purpose == "spot"
        prompts = entry.prompts
        assert prompts and all(p.rekeyed is None for p in prompts)
        table = entry.query_one("#prompts", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert len(rows) == len(prompts) and all(r[3] == "" for r in rows)  # nothing keyed yet
        assert not any(str(v["c1"]) in cell or str(v["total"]) in cell for r in rows for cell in r)  # blind
        wrong = prompts[0]
        for p in prompts:
            figure = v[p.field] + (1 if p is wrong else 0)
            await type_text(pilot, str(figure))
        result = app.screen
        assert isinstance(result, BlindResultScreen)  # the comparison, side by side
        assert "1 difference(s)" in text(result, "#summary")
        diffs = [c for c in ro.blind_result(store, ac_id, 1, "spot", RO) if c.differs]
        assert [(c.field, c.entered, c.rekeyed) for c in diffs] == [
            (wrong.field, v[wrong.field], v[wrong.field] + 1)
        ]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert any("E114" in line for line in app.screen.lines)
        await pilot.press("escape")
        assert status_of(store, ac_id, 1) is RoundStatus.SUBMITTED

        await pilot.press("f5")  # every cell keyed: F5 shows the comparison
        await pilot.pause()
        result = app.screen
        assert isinstance(result, BlindResultScreen)
        table = result.query_one("#cells", DataTable)
        table.move_cursor(row=[i for i, c in enumerate(result.cells) if c.differs][0])
        await pilot.press("f2")  # keep the entered figure
        await pilot.pause()
        assert "0 difference(s)" in text(result, "#summary")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        await type_text(pilot, RO_PIN)
        assert isinstance(app.screen, RoHomeScreen)
    assert status_of(store, ac_id, 1) is RoundStatus.APPROVED
    assert services.round_view(store, ac_id, 1).entries[0].values == v  # the entered figures stood
    verified(store, ac_id)


async def test_double_entry_keyed_by_the_second_operator_and_compared_by_the_ro(hall):
    store, ac_id = hall
    submitted(store, ac_id, 1)
    v = votes_of(store, ac_id, "1")
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        await open_review(pilot, 1)
        await pilot.press("f6")
        await pilot.pause()
        await type_text(pilot, "op1")  # op1 keyed the round: refused
        assert "must be by someone else" in text(app.screen, "#status")
        await pilot.press("f6")
        await pilot.pause()
        await type_text(pilot, "op2")
        assert "opened for op2" in text(app.screen, "#status")
        await pilot.press("escape")
        await sign_out(pilot)

        await sign_in(pilot, "op2", "2222")
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        assert "Double entry assigned to you: round 1" in text(dash, "#summary")
        await pilot.press("f4")
        await pilot.pause()
        entry = app.screen
        assert isinstance(entry, BlindEntryScreen) and entry.purpose == "double"
        for p in entry.prompts:
            await type_text(pilot, str(v[p.field] + (2 if p.field == "nota" else 0)))
        assert "every cell re-keyed" in text(entry, "#status")
        await pilot.press("escape")
        await pilot.pause()
        assert "Double entry assigned" not in text(app.screen, "#summary")
        await sign_out(pilot)

        await sign_in(pilot, RO.username, RO_PIN)
        screen = await open_review(pilot, 1)
        assert "double 5/5, 1 differ" in text(screen, "#facts")
        await pilot.press("f6")
        await pilot.pause()
        result = app.screen
        assert isinstance(result, BlindResultScreen) and result.purpose == "double"
        row = [i for i, c in enumerate(result.cells) if c.differs][0]
        result.query_one("#cells", DataTable).move_cursor(row=row)
        await pilot.press("f3")  # take the re-keyed figure
        await pilot.pause()
        assert "0 difference(s)" in text(result, "#summary")
    assert services.round_view(store, ac_id, 1).entries[0].values["nota"] == v["nota"] + 2
    verified(store, ac_id)


async def test_postal_round_shows_its_scans_and_needs_them_for_approval(hall):
    store, ac_id = hall
    postal(store, ac_id, approve=False)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        screen = await open_review(pilot, 0)
        assert "Postal total 20" in text(screen, "#facts") and "none (E116)" in text(screen, "#facts")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert any("E116" in line for line in app.screen.lines)
        await pilot.press("escape")
        info = ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", PDF, OPERATOR)
        await pilot.press("f2")  # approval re-reads the round: the scan is there now
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, RO_PIN)
        assert isinstance(app.screen, RoHomeScreen)
        screen = await open_review(pilot, 0)
        assert f"13a.pdf {info.sha256[:8]}" in text(screen, "#facts")
        assert f"{info.size} B  sha256 {info.sha256[:12]}" in text(screen, "#report-text")
    assert status_of(store, ac_id, 0) is RoundStatus.APPROVED


async def test_idle_lock_opens_only_with_the_users_pin_and_others_can_only_sign_out(hall):
    store, ac_id = hall
    submitted(store, ac_id, 1)
    app = EncoreApp(store, Settings(idle_lock_minutes=10))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        screen = await open_review(pilot, 1)
        assert app.check_idle_lock() is False  # just typed
        assert app.check_idle_lock(time.monotonic() + 9 * 60) is False
        assert app.check_idle_lock(time.monotonic() + 10 * 60) is True
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "ro1" in text(app.screen, "Label")
        await pilot.press("f2")  # nothing behind the lock is reachable
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, "9999")
        assert "Wrong PIN" in text(app.screen, "#lock-error")
        assert last_event(store, 0).kind == "user.sign_in_failed"  # accounts: the store chain
        await type_text(pilot, RO_PIN)
        assert app.screen is screen  # back where the RO was

        assert app.check_idle_lock(time.monotonic() + 3600) is True
        await pilot.pause()
        await pilot.press("f9")  # somebody else: sign out only
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and app.actor is None
        assert app.check_idle_lock(time.monotonic() + 3600) is False  # nobody signed in
    assert status_of(store, ac_id, 1) is RoundStatus.SUBMITTED


async def test_idle_lock_off_with_zero_minutes(hall):
    store, ac_id = hall
    app = EncoreApp(store, Settings(idle_lock_minutes=0))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        assert app.check_idle_lock(time.monotonic() + 10 * 3600) is False
        assert isinstance(app.screen, RoHomeScreen)


async def test_help_lists_the_review_keys(hall):
    store, ac_id = hall
    submitted(store, ac_id, 1)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = str(app.screen.query_one(".dialog-body Static").render())
        assert "home.dashboard" in body and "Counting dashboard" in body
        await pilot.press("escape")
        await open_review(pilot, 1)
        await pilot.press("f1")
        await pilot.pause()
        body = str(app.screen.query_one(".dialog-body Static").render())
        for binding_id in (
            "review.approve",
            "review.return",
            "review.correct",
            "review.spot",
            "review.double",
            "review.edit",
            "review.report",
        ):
            assert binding_id in body
        await pilot.press("escape", "f8")  # print the round sheet, as on the round entry screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = text(app.screen, "#status")
        assert "Round 1 sheet" in status and ".pdf" in status, status


def test_review_screen_snapshot(hall, snap_compare):
    store, ac_id = hall
    submitted(store, ac_id, 1)

    async def run_before(pilot) -> None:
        await sign_in(pilot, RO.username, RO_PIN)
        await open_review(pilot, 1)

    assert snap_compare(EncoreApp(store, Settings()), terminal_size=SIZE, run_before=run_before)


async def test_aro_lands_on_the_queue_but_only_the_ro_decides(hall):
    store, ac_id = hall
    services.add_user(store, "aro1", "aro", "5555", "Assistant RO")
    submitted(store, ac_id, 1)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "aro1", "5555")
        assert isinstance(app.screen, RoHomeScreen) and not app.screen.read_only
        screen = await open_review(pilot, 1)
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is screen  # no PIN asked
        assert "Only the RO may approve a round; your role is aro" in text(screen, "#status")
        await pilot.press("escape", "f2")  # the ARO can still type rounds on the dashboard
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and not app.screen.read_only
    assert status_of(store, ac_id, 1) is RoundStatus.SUBMITTED
