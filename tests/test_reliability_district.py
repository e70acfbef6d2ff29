"""District mode: several people on one AC in PostgreSQL at once, each with their own Store
(own connections), as on the district server. A stale edit is refused naming who changed what;
nothing is silently overwritten; the journal chain never forks."""

from __future__ import annotations

import contextlib
import threading

import pytest

from encore_tui import services
from encore_tui.base.fast import Fast
from encore_tui.store import open_store
from tests.conftest import OPERATOR, OPERATOR2, RO, approvable
from tests.support.flows import postal_done, type_round

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_ac(pg_database):
    from tests.conftest import ADMIN, _fresh_pg_store, small_setup

    s = _fresh_pg_store(pg_database)
    ac_id = services.create_ac(s, small_setup(), ADMIN)
    approvable(s, ac_id)
    s.engine.dispose()
    stores = [open_store(pg_database, create=False) for _ in range(3)]
    yield stores, ac_id
    for st in stores:
        st.engine.dispose()


PAUSES: list[int] = []


def _pause_after_reading_the_cell(monkeypatch, barrier: threading.Barrier) -> None:
    """Make both sessions read the cell before either writes (the worst interleaving).

    The hot-path statements run on the DBAPI cursor (base/fast.py), so the pause wraps that."""
    run = Fast.run

    def paused(self, conn, params):
        cur = run(self, conn, params)
        if self._for(conn.dialect)[0].lstrip().startswith("SELECT cell.value"):
            PAUSES.append(1)
            # broken barrier: the other session is (rightly) waiting for our lock
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=1.0)
        return cur

    monkeypatch.setattr(Fast, "run", paused)


@pytest.mark.parametrize("start", [None, 40], ids=["blank cell", "cell with a value"])
def test_two_operators_typing_the_same_cell_never_overwrite_silently(pg_ac, start, monkeypatch):
    (a, b, _), ac_id = pg_ac
    if start is not None:
        services.enter_cell(a, ac_id, 1, "1", "c1", start, OPERATOR)
    barrier = threading.Barrier(2)
    _pause_after_reading_the_cell(monkeypatch, barrier)
    results: dict[str, object] = {}

    def typer(store, actor, value):
        try:
            results[actor.username] = services.enter_cell(
                store, ac_id, 1, "1", "c1", value, actor, expected=start
            )
        except Exception as exc:  # recorded and asserted below
            results[actor.username] = exc

    t1 = threading.Thread(target=typer, args=(a, OPERATOR, 51))
    t2 = threading.Thread(target=typer, args=(b, OPERATOR2, 52))
    t1.start(), t2.start()
    t1.join(), t2.join()
    assert PAUSES, "the forced interleaving never happened (statement text changed?)"
    PAUSES.clear()
    ok = {u: r for u, r in results.items() if isinstance(r, services.Saved)}
    stale = {u: r for u, r in results.items() if isinstance(r, services.StaleEdit)}
    assert len(ok) == 1 and len(stale) == 1, results
    (winner,) = ok
    (loser, err) = next(iter(stale.items()))
    won_value = 51 if winner == "op1" else 52
    msg = str(err)
    # names who changed what, to which value, and what the loser had
    assert f"{winner} changed it to {won_value}" in msg and "PS 1" in msg and "CANDIDATE 1" in msg, (
        msg
    )  # the field by the name on the sheet
    assert services.round_view(a, ac_id, 1).entries[0].values["c1"] == won_value
    assert services.verify_journal(a, ac_id).ok


def test_two_operators_and_the_ro_at_once_keep_one_chain(pg_ac):
    """Operators type whole rounds and fight over shared cells while the RO decides rounds;
    afterwards every acknowledged value is there and the chain verifies (never forked)."""
    (a, b, ro_store), ac_id = pg_ac
    errors: list[BaseException] = []
    acknowledged: dict[tuple, int] = {}
    lock = threading.Lock()

    def contender(store, actor, base):
        for i in range(25):
            view = services.round_view(store, ac_id, 2).entries[0].values.get("c2")
            try:
                services.enter_cell(store, ac_id, 2, "4", "c2", base + i, actor, expected=view)
                with lock:
                    acknowledged[("4", "c2")] = base + i
            except services.StaleEdit:
                pass  # refused, named; the screen shows the new value and the operator retypes
            except BaseException as exc:
                errors.append(exc)

    def ro_work():
        try:
            postal_done(ro_store, ac_id)  # RO enters the postal round then approves it
            type_round(ro_store, ac_id, 1)
            services.submit_round(ro_store, ac_id, 1, RO)
            services.approve_round(ro_store, ac_id, 1, RO)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=contender, args=(a, OPERATOR, 100)),
        threading.Thread(target=contender, args=(b, OPERATOR2, 300)),
        threading.Thread(target=ro_work),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    final = services.round_view(a, ac_id, 2).entries[0].values["c2"]
    assert final == acknowledged[("4", "c2")]  # the last acknowledged write is what is stored
    rep = services.verify_journal(a, ac_id)
    assert rep.ok, rep
    assert services.round_view(a, ac_id, 1).info.status.is_approved


def test_concurrent_wrong_pins_all_count_towards_the_lock_out(pg_ac):
    (a, b, c), _ = pg_ac
    services.add_user(a, "op9", "operator", "5678")
    errs = []

    def wrong(store):
        for _ in range(2):
            try:
                services.authenticate(store, "op9", "0000")
            except services.AuthError as exc:
                errs.append(str(exc))

    ts = [threading.Thread(target=wrong, args=(s,)) for s in (a, b, c)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(errs) == 6
    with pytest.raises(services.AuthError, match="locked"):
        services.authenticate(a, "op9", "5678")
