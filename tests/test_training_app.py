"""A trainee signs in to the real app and lands on their own copy of the AC, whatever AC the
sign-in list (or --ac) named; at the console, commands refuse another copy."""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain.rounds import Role
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.services import training
from tests.conftest import ADMIN, small_setup
from tests.support.cli import console
from tests.support.screens import SIZE, sign_in

TRAINER = services.Actor("meena", Role.TRAINER)


def official(station: str) -> dict[str, int]:
    v = {"c1": 40 + int(station), "c2": 30, "c3": 20, "nota": 1}
    return {**v, "total": sum(v.values())}


@pytest.fixture
def seated(sqlite_store):
    store = sqlite_store
    setup = small_setup(n_stations=10)  # 4 rounds: 1-2 come before the postal rule (E108)
    src = services.create_ac(store, setup, ADMIN)
    figures = {s.number: official(s.number) for s in setup.stations}
    sid = training.create_session(store, TRAINER, src, [1, 2], ["cu_display@1/2"], official=figures)
    copies = {
        u: training.seat(store, TRAINER, sid, u, "1234", display_name=u.title()) for u in ("asha", "bina")
    }
    services.add_user(store, "meena", "trainer", "5555", "Training officer")
    return store, src, sid, copies


async def test_a_trainee_lands_on_their_own_copy_whatever_ac_was_chosen(seated):
    store, src, _sid, copies = seated
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "enter")  # bina's copy chosen from the list…
        await sign_in(pilot, "asha", "1234")  # …but asha signs in
        assert app.ac_id == copies["asha"]
        assert isinstance(app.screen, DashboardScreen)
        assert "training: asha" in str(app.screen.query_one("#title").render())
    app = EncoreApp(store, Settings(ac=7))  # `encore --ac 7`: the source AC
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "bina", "1234")
        assert app.ac_id == copies["bina"]


async def test_a_trainer_sees_the_dashboard_read_only(seated):
    store, src, _sid, _copies = seated
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await sign_in(pilot, "meena", "5555")
        assert app.ac_id == src and app.actor.role is Role.TRAINER
        assert isinstance(app.screen, DashboardScreen) and app.screen.read_only


def test_console_commands_refuse_a_trainee_on_another_copy(seated, monkeypatch, capsys):
    store, _src, _sid, _copies = seated
    run = console(store, monkeypatch, capsys)
    code, out = run("--ac", "902", "ro", "approve", "1", "--user", "asha", stdin="1234\n")
    assert code != 0 and "'asha' is a trainee seated on their own copy of the AC" in out
    code, out = run("training", "key", "1", "--out", "/tmp/never.pdf", "--user", "asha", stdin="1234\n")
    assert code != 0 and "only a trainer or an administrator may" in out


def test_an_ro_trainees_approved_round_is_never_pushed_to_central(seated):
    """A training copy's results must not reach the central results board: the relay leaves
    them queued (the copy's journal still names them)."""
    from encore_tui.push import queue
    from encore_tui.services import ro
    from tests.conftest import approvable

    store, src, sid, copies = seated
    rosa = services.Actor("rosa", Role.RO, "Rosa")
    copy = training.seat(store, TRAINER, sid, "rosa", "1234", role="ro")
    approvable(store, copy)
    ro.set_spot_check_rounds(store, copy, 0, rosa)
    _s, _setup, key = training.answer_key(store, TRAINER, sid)
    fields = services.load_context(store, copy).fields_of(1)
    for st in key.rounds[1]:
        if st == "2":
            services.keep_aside(store, copy, 1, st, "cu_display_failure", rosa)
            continue
        for f in fields:
            services.enter_cell(store, copy, 1, st, f, key.official[st][f], rosa)
    services.submit_round(store, copy, 1, rosa)
    services.approve_round(store, copy, 1, rosa)
    assert queue.queue_counts(store, copy).get("queued", 0) >= 1  # journaled and queued…
    assert [h for h in queue.heads(store) if h.ac_id == copy] == []  # …but never sent
    sc = training.trainee_score(store, TRAINER, sid, "rosa")  # round 1 of the session's 1-2
    assert (sc.right, sc.wrong, sc.blank, sc.caught, sc.rounds_submitted) == (10, 0, 15, 1, 1)


def test_a_store_made_before_training_still_signs_in_and_pushes(tmp_path):
    """Opened without creating tables (`encore ro …`, `encore push`): no training tables, no
    trainee, and nothing refused for it."""
    from encore_tui.push import queue
    from encore_tui.store import open_store
    from encore_tui.store.models import training_seat, training_session

    store = open_store(tmp_path / "old.db")
    training_seat.drop(store.engine)
    training_session.drop(store.engine)
    services.create_ac(store, small_setup(), ADMIN)
    store.close()
    old = open_store(tmp_path / "old.db", create=False)
    assert services.seat_ac(old, "asha") is None and queue.heads(old) == []


def test_a_copy_of_a_hindi_ac_says_training_in_hindi_too(sqlite_store):
    from encore_tui.services.importing import read_setup_json
    from tests.support.pdf import BIHAR

    store = sqlite_store
    setup = read_setup_json(BIHAR)
    src = services.create_ac(store, setup, ADMIN)
    plan = services.load_context(store, src).plan
    figures = {
        s: {**{f"c{i}": 1 for i in range(1, len(setup.candidates) + 1)}, "nota": 0}
        for s in plan.stations_of(1)
    }
    for v in figures.values():
        v["total"] = sum(v.values())
    sid = training.create_session(store, TRAINER, src, [1], official=figures)
    copy = services.load_context(store, training.seat(store, TRAINER, sid, "asha", "1234")).setup.ac
    assert copy.name_hi == f"{setup.ac.name_hi} — प्रशिक्षण: asha" and copy.name.endswith("— training: asha")
