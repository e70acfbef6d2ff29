"""The RO's VVPAT verification screen and the result/declaration screen, driven key by key with
Textual's Pilot on a real SQLite store built through the services. Every step checks what the
screen shows and what the store holds (through services)."""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain import vvpat
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.rounds import RoundStatus
from encore_tui.screens.dialogs import MessageDialog, TextDialog
from encore_tui.screens.ro.forms import FormDialog
from encore_tui.screens.ro.home import RoHomeScreen
from encore_tui.screens.ro.result import ResultScreen
from encore_tui.screens.ro.vvpat import VvpatScreen
from encore_tui.services import ro, ro_result, ro_vvpat
from tests.conftest import OPERATOR, RO
from tests.support.ro import RO_PIN, count_and_approve, make_ac, postal, type_table, verified, votes_of
from tests.support.screens import reads_done

SIZE = (80, 24)


async def sign_in(pilot, user: str, pin: str) -> None:
    await pilot.press(*user, "enter")
    await pilot.press(*pin, "enter")
    await pilot.pause()
    assert pilot.app.actor is not None and pilot.app.actor.username == user


async def open_screen(pilot, screen):
    pilot.app.push_screen(screen)
    await reads_done(pilot)  # what the screen reads in its thread worker has landed
    assert pilot.app.screen is screen
    return screen


async def open_from_home(pilot, key: str, kind):
    """The RO's way in: F3 (VVPAT) or F4 (result) on the review queue."""
    assert isinstance(pilot.app.screen, RoHomeScreen)
    await pilot.press(key)
    await reads_done(pilot)
    assert isinstance(pilot.app.screen, kind)
    return pilot.app.screen


async def fill(pilot, *answers: str) -> None:
    """Type each answer in the form's next field (Enter moves on; the last Enter gives it)."""
    assert isinstance(pilot.app.screen, FormDialog), type(pilot.app.screen)
    for a in answers:
        await pilot.press(*a, "enter")
    await pilot.pause()


def text_of(screen, sel: str) -> str:
    return str(screen.query_one(sel).render())


def screen_text(screen) -> str:
    return "\n".join(text_of(screen, s) for s in ("#title", "#status")) + "\n" + summary(screen)


def summary(screen) -> str:
    for sel in ("#vv-summary", "#res-summary"):
        if screen.query(sel):
            return text_of(screen, sel)
    return ""


def slips(store, ac_id, station, c1_shift=0) -> list[str]:
    v = votes_of(store, ac_id, station)
    return [str(v["c1"] + c1_shift), str(v["c2"]), str(v["c3"]), str(v["nota"])]


def events(store, ac_id) -> int:
    return verified(store, ac_id).events


@pytest.fixture
def counted(sqlite_store):
    """8 stations at 3 tables (rounds of 3, 3, 2); PS 8 kept aside in round 3; all approved."""
    store = sqlite_store
    ac_id = make_ac(store, n_stations=8)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2])
    type_table(store, ac_id, 3, "7", votes_of(store, ac_id, "7"))
    services.keep_aside(store, ac_id, 3, "8", KeptAsideReason.CU_DISPLAY_FAILURE, OPERATOR)
    services.submit_round(store, ac_id, 3, OPERATOR)
    ro.approve(store, ac_id, 3, RO, RO_PIN)
    return store, ac_id


async def test_vvpat_draw_mismatch_recount_amend_kept_aside_round_and_close(counted):
    store, ac_id = counted
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "ro1", RO_PIN)
        screen = await open_from_home(pilot, "f3", VvpatScreen)
        assert "No draw recorded yet" in summary(screen)
        assert "PS 8" in summary(screen)  # kept aside, round not opened yet

        # the draw of lots: 5 stations, who drew, witnesses
        await pilot.press("f2")
        await pilot.pause()
        await fill(pilot, "1", "3", "5", "6", "7", "Agent of P2", "Observer, agents of P1-P3")
        assert app.screen is screen
        v = ro_vvpat.vvpat_view(store, ac_id)
        assert v.draw["stations"] == ["1", "3", "5", "6", "7"] and v.draw["drawn_by"] == "Agent of P2"
        assert "Drawn by lot: PS 1, 3, 5, 6, 7" in summary(screen)
        assert "E119" in summary(screen)  # no slip count yet
        await pilot.press("f2")  # a draw of lots is not repeated
        await pilot.pause()
        assert app.screen is screen and "already recorded" in text_of(screen, "#status")

        # a Rule 56D application, rejected with reasons
        await pilot.press("f3")
        await pilot.pause()
        await fill(pilot, "Candidate 3 (P3)", "2", "n", "no ground stated")
        assert ro_vvpat.vvpat_view(store, ac_id).applications[0]["allowed"] is False
        assert "Rule 56D #1 Candidate 3 (P3): PS 2 rejected" in summary(screen)

        # PS 3 (second row): the slips give candidate 1 two more than the EVM
        table = screen.query_one("#vv-stations")
        table.move_cursor(row=1)
        await pilot.press("f4")
        await pilot.pause()
        form = app.screen
        await pilot.press("x")  # digits only
        assert "type digits only" in text_of(form, "#form-msg")
        await fill(pilot, *slips(store, ac_id, "3", 2))
        st = ro_vvpat.vvpat_view(store, ac_id).stations[1]
        assert st.station == "3" and st.status is vvpat.StationStatus.MISMATCH
        assert st.count["c1"] == votes_of(store, ac_id, "3")["c1"] + 2
        # the candidate by name (issue 16: not "c1")
        assert "MISMATCH" in text_of(screen, "#status") and "CANDIDATE 1 " in text_of(screen, "#status")
        assert "E118" in str(table.get_row("3")[3])
        assert "E118" in summary(screen)

        # amend is refused before the recount; the recount still differs
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen is screen and "only after a recount" in text_of(screen, "#status")
        await pilot.press("f5")
        await pilot.pause()
        await fill(pilot, *slips(store, ac_id, "3", 2))
        st = ro_vvpat.vvpat_view(store, ac_id).stations[1]
        assert st.status is vvpat.StationStatus.SLIP_PREVAILS and st.recount is not None
        assert "slip prevails" in text_of(screen, "#status").lower()

        # the slip count prevails: round 1 corrected, later rounds need re-approval (said first)
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        said = " ".join(app.screen.lines)
        assert "round 1 for correction" in said and "Round 1 and rounds 2, 3 then need your approval" in said
        await pilot.press("enter")
        await pilot.pause()
        rounds = services.dashboard(store, ac_id).rounds
        assert rounds[1].status is RoundStatus.CORRECTION and rounds[1].revision == 2
        assert rounds[2].status is rounds[3].status is RoundStatus.NEEDS_REAPPROVAL
        ps3 = services.round_view(store, ac_id, 1).entries[2].values
        assert ps3["c1"] == votes_of(store, ac_id, "3")["c1"] + 2
        assert ro_vvpat.vvpat_view(store, ac_id).stations[1].status is vvpat.StationStatus.AMENDED
        assert "Approve rounds 1–3 again" in text_of(screen, "#status")

        # the kept-aside round cannot open before the rounds are approved again
        await pilot.press("f7")
        await pilot.pause()
        assert "not approved yet" in text_of(screen, "#status")
        assert ro_vvpat.vvpat_view(store, ac_id).vvpat_round is None
        for r in (1, 2, 3):
            ro.approve(store, ac_id, r, RO, RO_PIN)
        await pilot.press("f7")
        await pilot.pause()
        assert ro_vvpat.vvpat_view(store, ac_id).vvpat_round == 4
        assert services.load_context(store, ac_id).tables_of(4) == ["8"]
        assert "Round 4 is open" in text_of(screen, "#status") and "round 4 open" in summary(screen)

        # closing is refused while a drawn station has no slip count
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog) and any("E119" in x for x in app.screen.lines)
        await pilot.press("escape")
        assert ro_vvpat.vvpat_view(store, ac_id).completed is None
        for s in ("1", "5", "6", "7"):
            v = votes_of(store, ac_id, s)
            ro_vvpat.enter_slip_count(
                store, ac_id, s, {k: v[k] for k in ("c1", "c2", "c3", "nota")}, OPERATOR
            )
        await pilot.press("ctrl+r", "f8")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        await pilot.press("enter")
        await pilot.pause()
        v = ro_vvpat.vvpat_view(store, ac_id)
        assert v.done and v.completed["by"] == "ro1"
        assert "VVPAT verification closed" in summary(screen)
        await pilot.press("f4")  # nothing more after the close
        await pilot.pause()
        await fill(pilot, *slips(store, ac_id, "1"))
        assert "closed" in text_of(screen, "#status")
    verified(store, ac_id)


async def test_observer_views_vvpat_and_result_but_decides_nothing(counted):
    store, ac_id = counted
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "obs", "3333")
        before = events(store, ac_id)  # after the sign-in's own event
        screen = await open_screen(pilot, VvpatScreen())
        assert "read-only" in text_of(screen, "#title")
        for key in ("f2", "f3", "f4", "f6", "f7", "f8"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key  # no dialog opens
            assert "view this screen only" in text_of(screen, "#status")
        await pilot.press("escape")
        screen = await open_from_home(pilot, "f4", ResultScreen)
        for key in ("f2", "f3", "f4", "f5", "f6"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
            assert "Only the RO" in text_of(screen, "#status")
    assert events(store, ac_id) == before
    assert ro_vvpat.vvpat_view(store, ac_id).draw is None


async def test_declaration_blocked_while_a_station_is_uncounted(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2])  # round 3 (PS 7) never typed
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "ro1", RO_PIN)
        before = events(store, ac_id)  # after the sign-in's own event
        screen = await open_screen(pilot, ResultScreen())
        assert "Not yet declarable" in summary(screen) and "E105" in summary(screen)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)  # a refusal, not the PIN dialog
        lines = app.screen.lines
        assert any(x.startswith("E105") and "PS 7" in x for x in lines)
        assert {x[:4] for x in lines} >= {"E105", "E109", "E111", "E117"}
        await pilot.press("escape")
        assert "E105" in text_of(screen, "#status") and "PS 7" in text_of(screen, "#status")
        await pilot.press("f3")  # Form 20 cannot be signed either
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog) and "E105" in app.screen.lines[0]
        await pilot.press("escape")
    st = ro_result.result_status(store, ac_id)
    assert st.declaration is None and st.form20_signed is None
    assert [c.station for c in st.checks if c.code.code == "E105"] == ["7"]
    assert events(store, ac_id) == before  # nothing changed in the store


@pytest.fixture
def tied(sqlite_store):
    """One station; EVM + postal give candidates 1 and 2 55 votes each; VVPAT closed."""
    store = sqlite_store
    ac_id = make_ac(store, n_stations=1, tables=1)
    postal(store, ac_id)  # postal: c1 10, c2 5, c3 1
    type_table(store, ac_id, 1, "1", {"c1": 45, "c2": 50, "c3": 5, "nota": 1, "total": 101})
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    ro_vvpat.record_draw(store, ac_id, ["1"], "Agent of P3", "Observer", RO)
    ro_vvpat.enter_slip_count(store, ac_id, "1", {"c1": 45, "c2": 50, "c3": 5, "nota": 1}, OPERATOR)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    # margin 0 < 3 rejected postal ballots: their re-verification is recorded first (E123)
    from encore_tui.services import ro_margin

    ro_margin.record_postal_reverification(store, ac_id, 3, "upheld", "re-verified", RO, RO_PIN)
    return store, ac_id


async def test_recount_sign_tie_lot_declare_and_form22(tied, tmp_path):
    store, ac_id = tied
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "ro1", RO_PIN)
        screen = await open_screen(pilot, ResultScreen())
        table = screen.query_one("#res-table")
        assert [str(c) for c in table.get_row("c1")][3:6] == ["45", "10", "55"]
        assert (
            str(table.get_row("polled")[5])
            == "121"
            == str(ro_result.result_status(store, ac_id).form20.total_polled.total)
        )
        assert "TIED" in summary(screen) and "E117" in summary(screen)

        # a recount application, rejected with reasons
        await pilot.press("f2")
        await pilot.pause()
        await fill(pilot, "Candidate 1 (P1)", "1", "n", "no irregularity stated")
        (rc,) = ro_result.result_status(store, ac_id).recounts
        assert (rc["stations"], rc["allowed"], rc["rounds"]) == (["1"], False, [])
        assert "Recount #1 Candidate 1 (P1): PS 1 rejected" in summary(screen)

        # the lot waits for the sign-off; sign Form 20: a wrong PIN, then the right one
        await pilot.press("f4")
        await pilot.pause()
        await fill(pilot, "2", "RO", "")
        assert "Sign Form 20 first" in text_of(screen, "#status")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog) and app.screen.password
        await pilot.press(*"9999", "enter")
        await pilot.pause()
        assert app.screen is screen and "PIN" in text_of(screen, "#status")
        assert ro_result.result_status(store, ac_id).form20_signed is None
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*RO_PIN, "enter")
        await pilot.pause()
        st = ro_result.result_status(store, ac_id)
        assert st.form20_signed["by"] == "ro1"
        assert "Form 20 signed" in text_of(screen, "#status")
        assert [c.code.code for c in st.checks] == ["E112"]

        # tied: declaring is refused until the lot is recorded
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog) and app.screen.lines[0].startswith("E112")
        await pilot.press("escape")
        await pilot.press("f4")
        await pilot.pause()
        await fill(pilot, "3", "the RO, in front of both candidates", "Observer; agents")
        assert "between candidates 1, 2" in text_of(screen, "#status")  # 3 is not tied
        assert ro_result.result_status(store, ac_id).tie_lot is None
        await pilot.press("f4")
        await pilot.pause()
        await fill(pilot, "2", "the RO, in front of both candidates", "Observer; agents")
        lot = ro_result.result_status(store, ac_id).tie_lot
        assert lot.drawn_serial == 2 and lot.drawn_by.startswith("the RO") and lot.tied_serials == (1, 2)
        assert "fell on candidate 2" in summary(screen)
        assert "Ready to declare" in summary(screen)

        # declare: the place, then the PIN
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog) and not app.screen.password
        assert "CANDIDATE 2" in app.screen.lines[0]
        await pilot.press(*"Counting Centre", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog) and app.screen.password
        await pilot.press(*RO_PIN, "enter")
        await pilot.pause()
        d = ro_result.result_status(store, ac_id).declaration
        assert (d.winner_serial, d.winner_votes, d.runner_up_serial, d.margin) == (2, 56, 1, 1)
        assert d.place == "Counting Centre" and d.tie_lot == lot
        assert "DECLARED" in summary(screen) and "CANDIDATE 2 (P2)" in summary(screen)
        assert "ELECTED" in str(table.get_row("c2")[6])
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen is screen and "already declared" in text_of(screen, "#status")

        # the signed Form 22: a missing file is refused, the scan is attached
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press(*str(tmp_path / "nothere.pdf"), "enter")
        await pilot.pause()
        assert "Cannot read" in text_of(screen, "#status")
        (tmp_path / "form22.pdf").write_bytes(b"%PDF-1.4\n% signed Form 22\n")
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press(*str(tmp_path / "form22.pdf"), "enter")
        await pilot.pause()
        (scan,) = ro_result.list_attachments(store, ac_id, "form22")
        assert scan.filename == "form22.pdf"
        assert "form22.pdf" in summary(screen)
    verified(store, ac_id)
