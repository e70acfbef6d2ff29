"""`encore training watch` (issue 18): the trainer's live screen over every AC of a store, re-read
every 2 s while trainees type (here: the services, as a trainee's app would)."""

from __future__ import annotations

import datetime as dt

import pytest

from encore_tui import services
from encore_tui.app import watch_app
from encore_tui.base.config import Settings
from encore_tui.base.i18n import set_lang
from encore_tui.domain.rounds import NotAllowed, Role
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.training_watch import WatchScreen, ago
from encore_tui.services import ro, training
from encore_tui.services.progress import ac_progress
from tests.conftest import ADMIN, OBSERVER, OPERATOR, RO, small_setup
from tests.support.ro import type_table, votes_of
from tests.support.screens import SIZE, status_text
from tests.support.screens import text as widget_text

TRAINER = services.Actor("meena", Role.TRAINER, "Meena")


def two_acs(store) -> tuple[int, int]:
    a = services.create_ac(store, small_setup(ac_no=7), ADMIN)
    b = services.create_ac(store, small_setup(ac_no=8), ADMIN)
    for ac_id in (a, b):
        ro.set_spot_check_rounds(store, ac_id, 0, RO)
    return a, b


def row(app, ac_id: int) -> list[str]:
    table = app.screen.query_one("#acs")
    return [str(c) for c in table.get_row(str(ac_id))]


async def until(pilot, predicate, tries: int = 120) -> None:
    """Wait for the 2 s refresh to show something (a wait, not a timing assertion)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the watch screen never showed it")


def test_ago_says_how_long_since_the_last_entry():
    now = dt.datetime(2026, 12, 2, 12, 0, 0, tzinfo=dt.UTC)
    assert ago(None, now) == "—"
    assert ago("2026-12-02T11:59:58+00:00", now) == "just now"
    assert ago("2026-12-02T11:59:30+00:00", now) == "30 s ago"
    assert ago("2026-12-02T11:58:00+00:00", now) == "2 min ago"
    assert ago("2026-12-02T09:00:00+00:00", now) == "3 h ago"


def test_progress_follows_the_round_being_typed(store):
    a, b = two_acs(store)
    before = {p.ac_id: p for p in ac_progress(store, TRAINER)}
    assert before[a].round_no == 0 and before[a].cells == 0 and before[a].last_entry is None
    ctx = services.load_context(store, b)
    first, second = ctx.tables_of(1)[:2]
    type_table(store, b, 1, first, votes_of(store, b, first))
    services.enter_cell(store, b, 1, second, "c1", 50, OPERATOR)
    services.enter_cell(store, b, 1, second, "total", 7, OPERATOR)  # does not add up: E101
    p = {p.ac_id: p for p in ac_progress(store, ADMIN)}
    assert (p[b].round_no, p[b].cells, p[b].cells_expected) == (1, 7, 15)
    assert p[b].failing >= 1 and p[b].last_entry is not None
    assert p[a] == before[a]  # the other trainee's copy: untouched
    for who in (OPERATOR, RO, OBSERVER):  # it names every trainee: the trainer's and admin's only
        with pytest.raises(NotAllowed, match="only a trainer or an administrator"):
            ac_progress(store, who)


def seat_asha(store, source_ac: int) -> int:
    """A training session on AC 7's round 1 with asha seated: her own copy of the AC (901)."""
    ctx = services.load_context(store, source_ac)
    figures = {}
    for s in ctx.setup.stations:
        v = {"c1": 40, "c2": 30, "c3": 20, "nota": 1}
        figures[s.number] = {**v, "total": sum(v.values())}
    sid = training.create_session(store, TRAINER, source_ac, [1], official=figures)
    return training.seat(store, TRAINER, sid, "asha", "1234", display_name="Asha Devi")


async def test_watch_shows_two_acs_progress_changing_while_one_is_typed(store):
    a, b = two_acs(store)
    copy = seat_asha(store, a)
    app = watch_app(Settings(), store, TRAINER)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WatchScreen) and app.screen.progress)
        screen = app.screen
        assert "3 ACs" in status_text(screen)
        assert row(app, copy)[0].strip() == "asha"  # the trainee seated on the copy, not the AC's name
        assert row(app, copy)[1:5] == ["Postal", "0/0", "0/6", "—"]
        assert row(app, a)[0].startswith("7 TESTPUR")
        assert row(app, b)[0].startswith("8 TESTPUR")
        assert row(app, b)[1:4] == ["Postal", "0/0", "0/6"]
        # a trainee types into AC 8's round 1: the next refresh shows it, AC 7 stays as it was
        ctx = services.load_context(store, b)
        first, second = ctx.tables_of(1)[:2]
        type_table(store, b, 1, first, votes_of(store, b, first))
        services.enter_cell(store, b, 1, second, "total", 9, OPERATOR)
        await until(pilot, lambda: row(app, b)[3] == "6/15")
        assert row(app, b)[1] == "Round 1" and row(app, b)[4] == "just now"
        errors = [c.code.code for c in services.round_view(store, b, 1).checks if c.is_error]
        assert "E102" in errors  # table 2: blank cells
        assert row(app, b)[5] == f"[bold red]{len(errors)}[/]"
        assert row(app, a)[1:5] == ["Postal", "0/0", "0/6", "—"]
        # AC 7: the postal round typed and submitted
        for f, v in {"c1": 10, "c2": 5, "c3": 1, "nota": 1, "rejected": 3, "total": 20}.items():
            services.enter_cell(store, a, 0, "P1", f, v, OPERATOR)
        services.submit_round(store, a, 0, OPERATOR)
        await until(pilot, lambda: row(app, a)[2] == "1/0")
        assert row(app, a)[3] == "6/6" and row(app, a)[5] == "0"
        assert row(app, copy)[1:5] == ["Postal", "0/0", "0/6", "—"]  # asha has typed nothing
        # Enter opens AC 8's dashboard, read-only; Esc comes back to the list
        screen.query_one("#acs").move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and app.ac_id == b
        assert app.session.ac_id == b and app.session.actor is TRAINER
        assert "AC 8" in widget_text(app.screen, "#title") and "read-only" in widget_text(
            app.screen, "#title"
        )
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and app.session.ac_id is None  # the list: no AC open
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_watch_in_hindi(sqlite_store):
    two_acs(sqlite_store)
    app = watch_app(Settings(lang="hi"), sqlite_store, TRAINER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, WatchScreen) and app.screen.progress)
            await pilot.pause()
            shown = "\n".join(s.text for s in app.screen._compositor.render_strips())
            for label in ("प्रशिक्षु / क्षेत्र", "भेजे/स्वीकृत", "अंतिम प्रविष्टि", "त्रुटियाँ", "डाक मतपत्र"):
                assert label in shown, label
            assert "2 क्षेत्र" in status_text(app.screen)
    finally:
        set_lang("en")
