"""Two trainers seating trainees at the same moment, each from their own PC (their own Store, so
their own connection): both seats are made, with distinct copy numbers (901, 902…), on SQLite
and on PostgreSQL, and the store chain stays one unbroken chain."""

from __future__ import annotations

import threading

from sqlalchemy import select

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.services import training
from encore_tui.store import open_store
from encore_tui.store.models import ac as ac_t
from tests.conftest import ADMIN, small_setup

TRAINERS = [services.Actor("meena", Role.TRAINER), services.Actor("ravi", Role.TRAINER)]


def _at_once(jobs: list) -> list:
    """Each job in its own thread, released together by a barrier: its result or exception."""
    barrier = threading.Barrier(len(jobs))
    out: list = [None] * len(jobs)

    def go(i, fn):
        barrier.wait(timeout=10)
        try:
            out[i] = fn()
        except BaseException as exc:  # asserted on below
            out[i] = exc

    threads = [threading.Thread(target=go, args=(i, fn)) for i, fn in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), f"a seat hung: {out}"
    return out


def test_two_trainers_seating_at_once_get_distinct_copies(store):
    setup = small_setup(n_stations=10, tables=3)
    src = services.create_ac(store, setup, ADMIN)
    official = {s.number: {"c1": 50, "c2": 30, "c3": 20, "nota": 1, "total": 101} for s in setup.stations}
    sid = training.create_session(store, ADMIN, src, [1], official=official)
    url = store.engine.url.render_as_string(hide_password=False)
    others = [open_store(url, create=False) for _ in TRAINERS]
    try:
        for i in range(4):  # each race on its own; a race lost once would fail the test
            names = [f"t{i}a", f"t{i}b"]
            jobs = [
                (lambda st=st, tr=tr, n=n: training.seat(st, tr, sid, n, "1234"))
                for st, tr, n in zip(others, TRAINERS, names, strict=True)
            ]
            out = _at_once(jobs)
            errors = [r for r in out if isinstance(r, BaseException)]
            assert not errors, f"race {i}: {errors!r}"
        seats = dict(training.session(store, ADMIN, sid).seats)
        assert len(seats) == 8
        with store.read() as conn:
            numbers = dict(conn.execute(select(ac_t.c.id, ac_t.c.number)).all())
        copies = sorted(numbers[a] for a in seats.values())
        assert copies == list(range(901, 909)), copies
        for ac_id in (0, *seats.values()):
            rep = services.verify_journal(store, ac_id)
            assert rep.ok, str(rep)
        for name, ac_id in seats.items():  # each trainee lands on their own copy
            assert services.users.seat_ac(store, name) == ac_id
    finally:
        for st in others:
            st.engine.dispose()
