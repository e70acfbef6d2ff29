"""Issue 12, "Done when": on PostgreSQL every writer of one AC (operators, the RO) runs one
after the other through services/uow.unit_of_work, and `encore journal verify` never cries wolf
while they run.

1. A soak (ENCORE_SOAK_SECONDS, default 60): two operator processes typing different tables of
   the current round and submitting it, an RO process approving, returning and correcting
   rounds, and two verifier processes (verify_journal in a loop, and the `encore journal verify`
   command) running the whole time, each process with its own Store. Not one verify may fail.
2. Forced interleavings: an RO write and an operator write both wait for the AC's chain-head
   row lock held by somebody else, and complete, in order, once it is released; a cell edit and
   an approval of the same round, started together 30 times, never approve figures other than
   those stored.
3. The store chain (accounts) started by two first writers at once: one chain, no duplicate key.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import subprocess
import sys
import threading
import time
import traceback
from functools import partial

import pytest
from sqlalchemy import select, text

from encore_tui import services
from encore_tui.domain.rounds import IllegalTransition, RoundStatus
from encore_tui.services import ro
from encore_tui.services.decisions import figures_snapshot
from encore_tui.services.queries import entries_in, round_infos
from encore_tui.store import open_store
from encore_tui.store.models import chain_head
from encore_tui.store.models import journal as journal_t
from encore_tui.store.models import round_revision as rev_t
from tests.conftest import OPERATOR, OPERATOR2, RO, _fresh_pg_store
from tests.support.ro import RO_PIN, make_ac, postal, type_round, verified

pytestmark = pytest.mark.postgres

SOAK_SECONDS = float(os.environ.get("ENCORE_SOAK_SECONDS", "60"))
# refusals a writer meets when somebody else moved first: the screen shows them and re-reads
EXPECTED = (services.ServiceError, IllegalTransition)
AWAITING_RO = (RoundStatus.SUBMITTED, RoundStatus.CORRECTION, RoundStatus.NEEDS_REAPPROVAL)


def _votes(ctx, station: str, shift: int) -> dict[str, int]:
    """A consistent table (candidates + NOTA = total = Form 17C); `shift` moves votes from
    candidate 1 to candidate 2, so a retyped round has different figures."""
    st = ctx.setup.station(station)
    v = {"c1": st.form17c_total - 10 - shift, "c2": 6 + shift, "c3": 3, "nota": 1}
    v["total"] = sum(v.values())
    return v


def _infos(store, ac_id):
    with store.read() as c:
        return round_infos(c, ac_id)


def _entries(store, ctx, round_no):
    with store.read() as c:
        return {e.station: dict(e.values) for e in entries_in(c, ctx, round_no)}


def _journal_seqs(store, ac_id) -> tuple[list[int], int]:
    with store.read(snapshot=True) as c:
        seqs = [
            s for (s,) in c.execute(select(journal_t.c.seq).where(journal_t.c.ac_id == ac_id).order_by("seq"))
        ]
        head = c.execute(select(chain_head.c.seq).where(chain_head.c.ac_id == ac_id)).scalar_one()
    return seqs, head


def _contiguous(store, ac_id) -> int:
    seqs, head = _journal_seqs(store, ac_id)
    assert seqs == list(range(1, head + 1)), f"journal seqs not contiguous up to head #{head}"
    return head


# -- the soak's processes (module level: started with 'spawn') ----------------------------------
def _child(kind: str, url: str, ac_id: int, ready, go, stop, out, arg: int = 0) -> None:
    """Run one role from `go` until `stop` is set; report counts, unexpected errors and failed
    verifies."""
    res: dict = {"kind": f"{kind}{arg or ''}", "counts": {}, "unexpected": [], "failures": []}
    store = None
    try:
        store = open_store(url, create=False)
        services.load_context(store, ac_id)
        ready.put(kind)
        if not go.wait(timeout=120):
            raise TimeoutError("never told to start")
        {"operator": _operator, "ro": _ro, "verify": _verifier, "cli": _cli_verifier}[kind](
            store, url, ac_id, stop, res, arg
        )
    except BaseException:
        res["unexpected"].append(traceback.format_exc())
    finally:
        if store is not None:
            store.engine.dispose()
        out.put(res)


def _bump(res: dict, what: str, n: int = 1) -> None:
    res["counts"][what] = res["counts"].get(what, 0) + n


def _refused(res: dict, exc: BaseException) -> None:
    _bump(res, f"refused {type(exc).__name__}")


def _operator(store, url, ac_id, stop, res, k) -> None:
    """Type my half of the tables (every other one) of the lowest round being counted, with the
    value the screen showed as `expected`; submit the round once it is complete."""
    actor = (OPERATOR, OPERATOR2)[k]
    ctx = services.load_context(store, ac_id)
    while not stop.is_set():
        infos = _infos(store, ac_id)
        editable = (RoundStatus.DRAFT, RoundStatus.RETURNED)
        cur = next((r for r, i in infos.items() if r > 0 and i.status in editable), None)
        if cur is None:
            _bump(res, "idle (no round to type)")
            time.sleep(0.02)
            continue
        shift = infos[cur].revision % 5  # retyped after a return: other figures
        shown = _entries(store, ctx, cur)
        typed = 0
        try:
            for station in ctx.tables_of(cur)[k::2]:
                for f, v in _votes(ctx, station, shift).items():
                    if stop.is_set():
                        return
                    before = shown[station].get(f)
                    if before == v:
                        continue
                    services.enter_cell(store, ac_id, cur, station, f, v, actor, expected=before)
                    _bump(res, "cells")
                    typed += 1
        except EXPECTED as exc:  # the round was submitted/returned meanwhile: read it again
            _refused(res, exc)
            continue
        if typed:
            continue  # re-read: the other operator may have finished meanwhile
        try:
            services.submit_round(store, ac_id, cur, actor)
            _bump(res, "submits")
        except EXPECTED as exc:  # the other half is not typed yet, or it was just submitted
            _refused(res, exc)
            time.sleep(0.005)


def _ro(store, url, ac_id, stop, res, _arg) -> None:
    """Approve the lowest round awaiting the RO; return one submitted round in five with a
    remark; after every fourth approval correct one of the last approved rounds (PIN), type the
    corrected figures, and approve it (and re-approve the later rounds) in the next turns."""
    rng = random.Random(12)
    ctx = services.load_context(store, ac_id)
    since_correction = 0
    turn = 0
    while not stop.is_set():
        turn += 1
        infos = _infos(store, ac_id)
        waiting = [r for r, i in infos.items() if r > 0 and i.status in AWAITING_RO]
        if not waiting:
            time.sleep(0.005)
            continue
        r = waiting[0]
        status = infos[r].status
        try:
            if status is RoundStatus.SUBMITTED and rng.random() < 0.2:
                services.return_round(store, ac_id, r, f"check table 1 of round {r} against the sheet", RO)
                _bump(res, "returns")
                continue
            if turn % 3 == 0:
                ro.approve(store, ac_id, r, RO, RO_PIN)
            else:
                services.approve_round(store, ac_id, r, RO)
            _bump(res, "approvals" if status is RoundStatus.SUBMITTED else f"approvals ({status.label})")
            if status is RoundStatus.SUBMITTED:
                since_correction += 1
        except services.RoundBlocked as exc:
            _refused(res, exc)
            if status is RoundStatus.SUBMITTED:
                services.return_round(store, ac_id, r, f"fix: {exc}", RO)
                _bump(res, "returns")
            continue
        except EXPECTED as exc:  # "approve round N first": an earlier round is back with the operators
            _refused(res, exc)
            time.sleep(0.005)
            continue
        if since_correction >= 4:
            infos = _infos(store, ac_id)
            approved = [x for x, i in infos.items() if x > 0 and i.status.is_approved]
            if not approved:
                continue
            target = rng.choice(approved[-3:])
            try:
                ro.correct(store, ac_id, target, f"recount of table 1 in round {target}", RO, RO_PIN)
            except EXPECTED as exc:
                _refused(res, exc)
                continue
            _bump(res, "corrections")
            since_correction = 0
            # the RO types the recounted figures: one vote moves from candidate 1 to candidate 2
            station = ctx.tables_of(target)[0]
            now = _entries(store, ctx, target)[station]
            for f, v in (("c1", now["c1"] - 1), ("c2", now["c2"] + 1)):
                services.enter_cell(store, ac_id, target, station, f, v, RO, expected=now[f])
                _bump(res, "cells (RO corrections)")


def _verifier(store, url, ac_id, stop, res, _arg) -> None:
    while not stop.is_set():
        for chain in (ac_id, 0):
            rep = services.verify_journal(store, chain)
            _bump(res, "verify runs")
            if not rep.ok:
                res["failures"].append(str(rep))
            if chain == ac_id:
                res["counts"]["events at last verify"] = rep.events
        time.sleep(0.01)  # continuously, but leave a CPU to the writers on a small machine


def _cli_verifier(store, url, ac_id, stop, res, _arg) -> None:
    """`encore journal verify --db URL`, again and again (a run cut short by the end is dropped)."""
    cmd = [sys.executable, "-m", "encore_tui", "--db", url, "journal", "verify"]
    while not stop.is_set():
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while p.poll() is None and not stop.is_set() and time.monotonic() < deadline:
                time.sleep(0.05)
            if p.poll() is None:
                if not stop.is_set():
                    res["failures"].append("encore journal verify ran for more than 60 s")
                continue
            stdout, stderr = p.communicate()
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        _bump(res, "cli verify runs")
        if p.returncode != 0 or "FAILED" in stdout:
            res["failures"].append(f"rc={p.returncode}\n{stdout}\n{stderr}")


def test_soak_operators_ro_and_verify_at_once(pg_database):
    """~60 s of two operators, the RO and two verifiers in separate processes on one AC."""
    store = _fresh_pg_store(pg_database)
    # 4 tables, 1600 stations: 400 rounds, more than 60 s of typing
    ac_id = make_ac(store, n_stations=1600, tables=4)
    postal(store, ac_id)  # the postal round approved (with its Form 13A scan)
    verified(store, ac_id)

    ctx = mp.get_context("spawn")
    ready, go, stop, out = ctx.Queue(), ctx.Event(), ctx.Event(), ctx.Queue()
    roles = [("operator", 0), ("operator", 1), ("ro", 0), ("verify", 0), ("cli", 0)]
    procs = [
        ctx.Process(target=_child, args=(kind, pg_database, ac_id, ready, go, stop, out, arg), daemon=True)
        for kind, arg in roles
    ]
    results: list[dict] = []
    t0 = time.monotonic()
    try:
        for p in procs:
            p.start()
        for _ in procs:  # every process started and connected: the clock starts now, for all
            ready.get(timeout=120)
        go.set()
        started = time.monotonic()
        print(f"\n{len(procs)} processes ready in {started - t0:.1f} s")
        deadline = started + SOAK_SECONDS
        while time.monotonic() < deadline and all(p.is_alive() for p in procs):
            time.sleep(0.25)
        stop.set()
        ran = time.monotonic() - started
        for _ in procs:
            results.append(out.get(timeout=60))
        for p in procs:
            p.join(timeout=10)
        print(f"stopped in {time.monotonic() - started - ran:.1f} s")
    finally:
        go.set()
        stop.set()
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)

    by_kind = {r["kind"]: r for r in results}
    print(f"\nsoak of {ran:.1f} s on PostgreSQL ({os.cpu_count()} CPUs):")
    for kind, r in sorted(by_kind.items()):
        print(f"  {kind}: {dict(sorted(r['counts'].items()))}")
    infos = _infos(store, ac_id)
    counted = {s.label: sum(1 for r, i in infos.items() if r > 0 and i.status is s) for s in RoundStatus}
    print(f"  rounds: { ({k: v for k, v in counted.items() if v}) }")

    unexpected = [f"{r['kind']}: {tb}" for r in results for tb in r["unexpected"]]
    assert not unexpected, "\n".join(unexpected)
    failures = [f"{r['kind']}: {f}" for r in results for f in r["failures"]]
    assert not failures, f"{len(failures)} verify runs failed while the writers ran:\n" + "\n".join(
        failures[:5]
    )
    assert len(results) == len(procs) and all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]

    def total(what: str) -> int:
        return sum(r["counts"].get(what, 0) for r in results)

    assert (
        by_kind["operator"]["counts"].get("cells", 0) > 0
        and by_kind["operator1"]["counts"].get("cells", 0) > 0
    )
    assert total("submits") > 0
    assert total("approvals") > 0 and total("returns") > 0 and total("corrections") > 0
    assert total("verify runs") > 0 and total("cli verify runs") > 0
    assert counted["draft"] > 0, "the rounds ran out: make the AC bigger"

    # and afterwards: the whole store verifies, in process and through the command
    verified(store, ac_id)
    assert services.verify_journal(store, 0).ok
    _contiguous(store, ac_id)
    p = subprocess.run(
        [sys.executable, "-m", "encore_tui", "--db", pg_database, "journal", "verify"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    print(f"final verify in {time.monotonic() - started - ran:.1f} s after the stop")
    store.engine.dispose()


# -- forced interleavings ---------------------------------------------------------------------------
@pytest.fixture
def pg_urls(pg_database):
    """A fresh AC: postal approved, round 1 approved, round 2 typed and submitted, round 3 draft."""
    store = _fresh_pg_store(pg_database)
    ac_id = make_ac(store, n_stations=12, tables=3)
    postal(store, ac_id)
    for r in (1, 2):
        type_round(store, ac_id, r)
        services.submit_round(store, ac_id, r, OPERATOR)
    services.approve_round(store, ac_id, 1, RO)
    store.engine.dispose()
    stores = [open_store(pg_database, create=False) for _ in range(5)]
    yield stores, ac_id
    for s in stores:
        s.engine.dispose()


def _at_once(jobs: dict, timeout: float = 20.0) -> dict[str, object]:
    """Run each job in its own thread, released together by a barrier: its result or exception."""
    barrier = threading.Barrier(len(jobs))
    out: dict[str, object] = {}

    def go(name, fn):
        barrier.wait(timeout=5)
        try:
            out[name] = fn()
        except BaseException as exc:  # the caller asserts on it
            out[name] = exc

    threads = [threading.Thread(target=go, args=item) for item in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), f"a write hung: {out}"
    return out


RO_WRITES = {
    "return_round": lambda s, ac: services.return_round(s, ac, 2, "check table 2", RO),
    "approve_round": lambda s, ac: services.approve_round(s, ac, 2, RO),
    "ro.approve (PIN)": lambda s, ac: ro.approve(s, ac, 2, RO, RO_PIN),
    "set_spot_check_rounds": lambda s, ac: ro.set_spot_check_rounds(s, ac, 2, RO),
    "open_correction": lambda s, ac: services.open_correction(s, ac, 1, "recount table 1", RO),
}


def _waiting_on_locks(conn) -> int:
    return conn.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
    ).scalar_one()


@pytest.mark.parametrize("ro_write", list(RO_WRITES))
def test_ro_and_operator_writes_wait_for_the_chain_head_lock(pg_urls, ro_write):
    (holder_store, ro_store, op_store, reader, _), ac_id = pg_urls
    _, head = _journal_seqs(reader, ac_id)
    for s in (ro_store, op_store):  # connections opened, context cached: only the lock is left
        services.load_context(s, ac_id)
    results: dict[str, object] = {}

    def run(name, fn):
        try:
            results[name] = fn()
        except BaseException as exc:  # asserted below
            results[name] = exc

    threads = [
        threading.Thread(target=run, args=("ro", lambda: RO_WRITES[ro_write](ro_store, ac_id))),
        threading.Thread(
            target=run, args=("op", lambda: services.enter_cell(op_store, ac_id, 3, "7", "c1", 50, OPERATOR))
        ),
    ]
    with holder_store.engine.connect() as holder:
        tx = holder.begin()
        holder.execute(text("SELECT seq FROM chain_head WHERE ac_id = :a FOR UPDATE"), {"a": ac_id})
        for t in threads:
            t.start()
        time.sleep(0.5)
        with reader.engine.connect() as c:
            waiting = _waiting_on_locks(c)
        assert all(t.is_alive() for t in threads), f"a write did not wait for the chain-head lock: {results}"
        assert waiting >= 2, f"only {waiting} sessions wait on a lock"
        assert _journal_seqs(reader, ac_id) == (list(range(1, head + 1)), head), "something committed"
        tx.rollback()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a write never finished after the lock was released"
    assert all(isinstance(r, services.Saved) for r in results.values()), results
    new_head = _contiguous(reader, ac_id)
    assert new_head >= head + 2
    assert {results["ro"].seq, results["op"].seq} <= set(range(head + 1, new_head + 1))
    verified(reader, ac_id)


def test_cell_edit_and_approval_of_one_round_never_approve_other_figures(pg_urls):
    """30 times: round 1 in correction; at once the RO's second window changes a cell of it,
    an operator tries to change another (never allowed in a correction), an operator types in
    round 3, and the RO approves round 1. Either the approval came first (and the edit was
    refused: the round is approved), or the edit came first and the approval's checks saw it:
    the approved snapshot is always exactly the figures stored."""
    (edit_store, op_store, approve_store, reader, op2_store), ac_id = pg_urls
    ctx = services.load_context(reader, ac_id)
    station = ctx.tables_of(1)[0]
    good = _entries(reader, ctx, 1)[station]["c1"]  # round 1 table 1 adds up with this c1
    seen: dict[str, int] = {}
    for i in range(30):
        if _infos(reader, ac_id)[1].status.is_approved:
            services.open_correction(reader, ac_id, 1, f"recount {i}", RO)
        # even: consistent, and the edit breaks it; odd: broken by one, and the edit mends it
        start, edit = (good, good + 1) if i % 2 == 0 else (good + 1, good)
        services.enter_cell(reader, ac_id, 1, station, "c1", start, RO)
        for s in (edit_store, op_store, approve_store, op2_store):
            services.load_context(s, ac_id)
        _, head = _journal_seqs(reader, ac_id)
        out = _at_once(
            {
                "edit": partial(
                    services.enter_cell, edit_store, ac_id, 1, station, "c1", edit, RO, expected=start
                ),
                "approve": partial(services.approve_round, approve_store, ac_id, 1, RO),
                "op same round": partial(
                    services.enter_cell, op_store, ac_id, 1, station, "c2", 99, OPERATOR
                ),
                "op round 3": partial(services.enter_cell, op2_store, ac_id, 3, "8", "c1", 40 + i, OPERATOR2),
            }
        )

        assert isinstance(out["op same round"], services.ServiceError), out
        assert isinstance(out["op round 3"], services.Saved), out
        edit_r, appr = out["edit"], out["approve"]
        status = _infos(reader, ac_id)[1]
        stored = _entries(reader, ctx, 1)
        if isinstance(appr, services.Saved):
            assert status.status is RoundStatus.APPROVED
            with reader.read() as c:
                snap = c.execute(
                    select(rev_t.c.digest, rev_t.c.figures).where(
                        rev_t.c.ac_id == ac_id,
                        rev_t.c.round_no == 1,
                        rev_t.c.revision == status.revision,
                        rev_t.c.stage == "approved",
                    )
                ).one()
                approved_ev = c.execute(
                    select(journal_t.c.payload).where(journal_t.c.ac_id == ac_id, journal_t.c.seq == appr.seq)
                ).scalar_one()
            with reader.read() as c:
                _, now_digest = figures_snapshot(ctx, 1, entries_in(c, ctx, 1))
            assert snap.digest == now_digest, f"iteration {i}: approved figures are not the stored ones"
            assert f'"digest":"{now_digest}"' in approved_ev
            assert stored[station]["c1"] == good, f"iteration {i}: approved a table that does not add up"
            if isinstance(edit_r, services.Saved):
                assert edit_r.seq < appr.seq, f"iteration {i}: the edit committed after the approval"
                seen["edit, then approval"] = seen.get("edit, then approval", 0) + 1
            else:
                assert isinstance(edit_r, services.ServiceError) and "approved" in str(edit_r), edit_r
                seen["approval, then refused edit"] = seen.get("approval, then refused edit", 0) + 1
        else:
            # refused: the figures it checked did not add up (before or after the edit)
            assert isinstance(appr, services.RoundBlocked), appr
            assert status.status is RoundStatus.CORRECTION
            assert isinstance(edit_r, services.Saved), edit_r
            key = "edit, then refused approval" if i % 2 == 0 else "refused approval, then edit"
            seen[key] = seen.get(key, 0) + 1
            assert stored[station]["c1"] == edit
        assert _contiguous(reader, ac_id) > head
        verified(reader, ac_id)
    print(f"\n30 races of an edit and an approval: {seen}")


def test_first_accounts_added_at_once_start_one_store_chain(pg_database):
    """On a store without accounts the store chain does not exist yet: two first writers at
    once both found no chain head and both inserted one, and the second failed on the duplicate
    key. Now the second waits for the first and appends after it."""
    for i in range(5):
        _fresh_pg_store(pg_database).engine.dispose()
        stores = [open_store(pg_database, create=False) for _ in range(3)]
        out = _at_once(
            {
                f"op{n}": partial(services.add_user, st, f"op{n}", "operator", "1234")
                for n, st in enumerate(stores)
            }
        )
        errors = [r for r in out.values() if isinstance(r, BaseException)]
        assert not errors, f"iteration {i}: {errors}"
        assert sorted(u.username for u in services.list_users(stores[0])) == ["op0", "op1", "op2"]
        assert services.verify_journal(stores[0], 0).ok
        assert _contiguous(stores[0], 0) == 3
        for s in stores:
            s.engine.dispose()
