"""Use-cases that change the count: set up an AC and its plan, enter a cell, keep a table aside,
import figures. Each is ONE transaction that updates the state tables and appends one journal
event; a caller may say "saved" only after the function returned. A round's decisions once it
is entered (submit, approve, correct…) are in services/decisions.py."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from encore_tui.base.fast import Fast
from encore_tui.domain import checks as ck
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.plan import POSTAL_ROUND, CountingPlan
from encore_tui.domain.rounds import (
    Action,
    RoundStatus,
    authorize,
    may_edit,
)
from encore_tui.domain.setup import Setup
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue, ServiceError, StaleEdit
from encore_tui.services.form17c import electors_in
from encore_tui.services.queries import round_row
from encore_tui.services.uow import Saved, Tx, unit_of_work
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import outbox as outbox_t
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import table_state as ts_t
from encore_tui.store.models import ui_state as ui_t
from encore_tui.wire import build as wire_build
from encore_tui.wire import messages as wire

log = logging.getLogger("encore.services")


# -- setup ---------------------------------------------------------------------------------------
def create_ac(store: Store, setup: Setup, actor: Actor, plan: CountingPlan | None = None) -> int:
    authorize(actor.role, Action.IMPORT)
    plan = plan or CountingPlan.make([s.number for s in setup.stations], setup.counting_tables)
    problems = ck.check_plan(plan.rounds, [s.number for s in setup.stations])
    if problems:
        raise ServiceError("; ".join(str(p) for p in problems[:5]))
    with unit_of_work(store, None, actor) as tx:
        ac_id = insert_ac(tx, setup, plan)
    return ac_id


def insert_ac(tx: Tx, setup: Setup, plan: CountingPlan) -> int:
    """Inside a unit of work: the AC row, its chain, its rounds and the `setup.created` event
    (sets tx.ac_id). Callers authorize first (create_ac: import; a training seat: train)."""
    conn, ts, actor = tx.conn, tx.ts, tx.actor
    if conn.execute(select(ac_t.c.id).where(ac_t.c.number == setup.ac.number)).first():
        raise ServiceError(
            f"AC {setup.ac.number} is already in this store; use another store "
            "(--db) or `encore demo --fresh` to start again."
        )
    ac_id = conn.execute(
        insert(ac_t).values(
            number=setup.ac.number,
            name=setup.ac.name,
            setup_json=setup.model_dump_json(),
            plan_json=json.dumps(plan.to_json()),
            plan_version=1,
            created_at=ts,
        )
    ).inserted_primary_key[0]
    journal.start_chain(conn, ac_id)
    tx.ac_id = ac_id
    rows = [{"ac_id": ac_id, "round_no": 0, "kind": "postal"}] + [
        {"ac_id": ac_id, "round_no": r, "kind": "evm"} for r in range(1, plan.round_count + 1)
    ]
    conn.execute(
        insert(round_t),
        [
            dict(
                r,
                status=RoundStatus.DRAFT.value,
                revision=0,
                remark="",
                updated_at=ts,
                updated_by=actor.username,
            )
            for r in rows
        ],
    )
    tx.event("setup.created", {"setup": json.loads(setup.model_dump_json()), "plan": plan.to_json()})
    return ac_id


def change_plan(store: Store, ac_id: int, tables: int, actor: Actor) -> CountingPlan:
    """Change the number of tables for rounds not yet started (never below rounds done)."""
    authorize(actor.role, Action.CHANGE_PLAN)
    with unit_of_work(store, ac_id, actor) as tx:
        conn, ts = tx.conn, tx.ts
        ctx = load_context(store, ac_id, conn)
        started = {
            r
            for (r,) in conn.execute(
                select(cell_t.c.round_no).where(cell_t.c.ac_id == ac_id, cell_t.c.round_no > 0).distinct()
            )
        }
        started |= {
            r
            for (r,) in conn.execute(
                select(round_t.c.round_no).where(
                    round_t.c.ac_id == ac_id,
                    round_t.c.round_no > 0,
                    round_t.c.status != RoundStatus.DRAFT.value,
                )
            )
        }
        started |= {
            r
            for (r,) in conn.execute(
                select(ts_t.c.round_no).where(ts_t.c.ac_id == ac_id, ts_t.c.round_no > 0).distinct()
            )
        }
        done = max(started, default=0)
        new = ctx.plan.replan(tables, done)
        conn.execute(
            update(ac_t)
            .where(ac_t.c.id == ac_id)
            .values(plan_json=json.dumps(new.to_json()), plan_version=ctx.plan_version + 1)
        )
        conn.execute(
            delete(round_t).where(
                round_t.c.ac_id == ac_id, round_t.c.kind == "evm", round_t.c.round_no > new.round_count
            )
        )
        existing = {r for (r,) in conn.execute(select(round_t.c.round_no).where(round_t.c.ac_id == ac_id))}
        for r in range(1, new.round_count + 1):
            if r not in existing:
                conn.execute(
                    insert(round_t).values(
                        ac_id=ac_id,
                        round_no=r,
                        kind="evm",
                        status=RoundStatus.DRAFT.value,
                        revision=0,
                        remark="",
                        updated_at=ts,
                        updated_by=actor.username,
                    )
                )
        ev = tx.event("plan.changed", {"plan": new.to_json(), "tables": tables, "rounds_done": done})
        if new.round_count != ctx.plan.round_count:  # what central knows of the plan
            why = f"Counting plan changed: {tables} tables, {ctx.plan.round_count} → {new.round_count} rounds"
            amend_central_setup(tx, ctx, ctx.setup, new.round_count, why, ctx.plan_version + 1, ev)
    store.cache.pop(("ctx", ac_id), None)
    return new


def amend_central_setup(
    tx, ctx: AcContext, setup: Setup, rounds_planned: int, reason: str, version: int, ev: journal.JournalEvent
) -> bool:
    """Central holds the contest of the AC's first message: once something was queued for it, a
    change of the contest (names, parties, AC or election name, rounds planned) goes as a signed
    setup amendment, queued in the transaction that makes the change (after its journal event
    `ev`); the board marks it. False: nothing was queued yet (the first message will carry it)."""
    if tx.conn.execute(select(outbox_t.c.id).where(outbox_t.c.ac_id == ctx.ac_id)).first() is None:
        return False
    msg = wire.SetupAmendment(
        contest=wire_build.contest_of(setup, rounds_planned),
        revision=version,
        reason=reason,
        approval=wire.Approval(by=tx.actor.username, name=tx.actor.label, at=tx.ts),
        journal_hash=ev.hash,
        journal_seq=ev.seq,
    )
    return tx.push(
        msg.kind, msg.model_dump(mode="json"), wire.round_key("setup", setup.ac.number, None, version, ev.seq)
    )


# -- helpers -------------------------------------------------------------------------------------
def _table_no(ctx: AcContext, round_no: int, station: str) -> int:
    tables = ctx.tables_of(round_no)
    try:
        return tables.index(station) + 1
    except ValueError:
        raise ServiceError(f"PS {station} is not counted in round {round_no}.") from None


def _check_editable(ctx: AcContext, row, actor: Actor) -> None:
    _check_status(row.round_no, RoundStatus(row.status), actor)


def _check_status(round_no: int, status: RoundStatus, actor: Actor) -> None:
    authorize(actor.role, Action.ENTER)
    if not may_edit(status, actor.role):
        who = "the RO (correction)" if status.is_approved else "nobody until the RO returns it"
        raise ServiceError(f"Round {round_no} is {status.label}: it can be changed by {who}.")


_UI_UPDATE = Fast(
    update(ui_t)
    .where(ui_t.c.username == bindparam("u"), ui_t.c.ac_id == bindparam("a"))
    .values(state=bindparam("s"), updated_at=bindparam("t"))
)
_UI_INSERT = Fast(insert(ui_t).values({c.name: bindparam("p_" + c.name) for c in ui_t.columns}))


def _save_ui(conn: Connection, actor: Actor, ac_id: int, state: Mapping | None, ts: str) -> None:
    if state is None:
        return
    text = json.dumps(dict(state), sort_keys=True)
    if not _UI_UPDATE.rowcount(conn, {"u": actor.username, "a": ac_id, "s": text, "t": ts}):
        _UI_INSERT.rowcount(
            conn, {"p_username": actor.username, "p_ac_id": ac_id, "p_state": text, "p_updated_at": ts}
        )


def parse_cell_text(text: str, maximum: int) -> int | None:
    """What an operator typed into a cell → a vote count, or a clear refusal."""
    t = text.strip()
    if t == "":
        return None
    if not t.isascii() or not t.isdigit():
        raise InvalidValue(f"'{text}' is not a number of votes: type digits 0-9 only.")
    v = int(t)
    if v > maximum:
        raise InvalidValue(f"{v} is more than the {maximum} electors of this station: check the sheet.")
    return v


# -- entry ---------------------------------------------------------------------------------------
# enter_cell runs on every Enter: its statements are built once (see store/journal.py).
# the hot path of every Enter key: compiled once, run on the DBAPI cursor (base/fast.py)
_ROUND_STATUS = Fast(
    select(round_t.c.status).where(round_t.c.ac_id == bindparam("a"), round_t.c.round_no == bindparam("r"))
)
_KEPT = Fast(
    select(ts_t.c.kept_aside).where(
        ts_t.c.ac_id == bindparam("a"), ts_t.c.round_no == bindparam("r"), ts_t.c.station == bindparam("s")
    )
)
_CELL_KEY = (
    cell_t.c.ac_id == bindparam("a"),
    cell_t.c.round_no == bindparam("r"),
    cell_t.c.station == bindparam("s"),
    cell_t.c.field == bindparam("f"),
)
_CELL = Fast(
    select(cell_t.c.value, cell_t.c.version, cell_t.c.updated_by, cell_t.c.updated_at).where(*_CELL_KEY)
)
_CELL_DELETE = Fast(delete(cell_t).where(*_CELL_KEY))
_CELL_INSERT = Fast(insert(cell_t).values({c.name: bindparam("p_" + c.name) for c in cell_t.columns}))
_CELL_UPDATE = Fast(
    update(cell_t)
    .where(*_CELL_KEY)
    .values(
        value=bindparam("v"), version=bindparam("ver"), updated_at=bindparam("t"), updated_by=bindparam("u")
    )
)


def enter_cell(
    store: Store,
    ac_id: int,
    round_no: int,
    station: str,
    field: str,
    value: int | None,
    actor: Actor,
    *,
    expected: int | None | type[...] = ...,
    cursor: Mapping | None = None,
) -> Saved:
    """Save one cell durably (value None clears it). `expected` is the value the screen showed:
    if somebody else changed it meanwhile the edit is refused, never silently overwritten."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidValue(f"{value!r} is not a number of votes.")
    ts = journal.now()
    key = {"a": ac_id, "r": round_no, "s": station, "f": field}
    # one transaction for everything, reads included: the hot path of every Enter key
    with unit_of_work(store, ac_id, actor, ts=ts) as tx:
        conn = tx.conn
        ctx = load_context(store, ac_id, conn)
        if field not in ctx.fields_of(round_no):
            raise InvalidValue(f"'{field}' is not a cell of round {round_no}.")
        table_no = _table_no(ctx, round_no, station)
        if value is not None:
            limit = ctx.max_value(round_no, station)
            if round_no != POSTAL_ROUND:  # the electors on the station's Form 17C Part I, if recorded
                limit = electors_in(conn, ctx, station) or limit
            if value > limit:
                raise InvalidValue(
                    f"{value} is more than the {limit} electors of this station: check the sheet."
                )
        status = _ROUND_STATUS.one(conn, {"a": ac_id, "r": round_no})
        if status is None:
            raise ServiceError(f"There is no round {round_no} in this AC.")
        _check_status(round_no, RoundStatus(status[0]), actor)
        kept = _KEPT.one(conn, key)
        if kept is not None and kept[0]:
            raise ServiceError(f"Table {table_no} (PS {station}) is kept aside: restore it before typing.")
        cur = _CELL.one(conn, key)
        before = cur[0] if cur else None
        if expected is not ... and expected != before:
            who = cur[2] if cur else "someone"
            when = cur[3][11:19] if cur else "?"
            raise StaleEdit(
                f"Table {table_no} (PS {station}) {ck.field_name(ctx.setup, field)}: {who} changed it to "
                f"{before if before is not None else 'blank'} at {when} UTC while you had "
                f"{expected if expected is not None else 'blank'}. Check the sheet and type it again."
            )
        if before == value:
            _save_ui(conn, actor, ac_id, cursor, ts)
            return Saved(ts, 0, before, value)
        if value is None:
            _CELL_DELETE.rowcount(conn, key)
        elif cur is None:
            row = {
                "ac_id": ac_id,
                "round_no": round_no,
                "station": station,
                "field": field,
                "value": value,
                "version": 1,
                "updated_at": ts,
                "updated_by": actor.username,
            }
            _CELL_INSERT.rowcount(conn, {"p_" + k: v for k, v in row.items()})
        else:
            _CELL_UPDATE.rowcount(conn, {**key, "v": value, "ver": cur[1] + 1, "t": ts, "u": actor.username})
        ev = tx.event(
            "cell.entered",
            {
                "round": round_no,
                "station": station,
                "table": table_no,
                "field": field,
                "before": before,
                "after": value,
            },
        )
        _save_ui(conn, actor, ac_id, cursor, ts)
    return tx.saved(ev, before=before, after=value)


def _table_state_upsert(
    conn: Connection, ac_id: int, round_no: int, station: str, ts: str, actor: Actor, **values
) -> None:
    where = (ts_t.c.ac_id == ac_id, ts_t.c.round_no == round_no, ts_t.c.station == station)
    n = conn.execute(
        update(ts_t).where(*where).values(updated_at=ts, updated_by=actor.username, **values)
    ).rowcount
    if not n:
        base = {"kept_aside": None, "note": "", "acknowledged": "[]"}
        base.update(values)
        conn.execute(
            insert(ts_t).values(
                ac_id=ac_id,
                round_no=round_no,
                station=station,
                updated_at=ts,
                updated_by=actor.username,
                **base,
            )
        )


def keep_aside(
    store: Store,
    ac_id: int,
    round_no: int,
    station: str,
    reason: KeptAsideReason | str,
    actor: Actor,
    note: str = "",
) -> Saved:
    """Leave a table blank in its round; its VVPAT slips are counted at the end."""
    reason = KeptAsideReason(reason)
    if reason is KeptAsideReason.OTHER and not note.strip():
        raise InvalidValue("Say why the table is kept aside (a short note) when the reason is 'other'.")
    if round_no == POSTAL_ROUND:
        raise ServiceError("Postal tables cannot be kept aside.")
    with unit_of_work(store, ac_id, actor) as tx:
        conn, ts = tx.conn, tx.ts
        ctx = load_context(store, ac_id, conn)
        table_no = _table_no(ctx, round_no, station)
        _check_editable(ctx, round_row(conn, ac_id, round_no), actor)
        had = conn.execute(
            select(cell_t.c.field).where(
                cell_t.c.ac_id == ac_id, cell_t.c.round_no == round_no, cell_t.c.station == station
            )
        ).first()
        if had:
            raise ServiceError(
                f"Table {table_no} (PS {station}) has figures: clear them (Backspace, Enter) "
                "before keeping it aside."
            )
        _table_state_upsert(
            conn, ac_id, round_no, station, ts, actor, kept_aside=reason.value, note=note.strip()
        )
        ev = tx.event(
            "table.kept_aside",
            {
                "round": round_no,
                "station": station,
                "table": table_no,
                "reason": reason.value,
                "note": note.strip(),
            },
        )
    return tx.saved(ev)


def restore_table(store: Store, ac_id: int, round_no: int, station: str, actor: Actor) -> Saved:
    with unit_of_work(store, ac_id, actor) as tx:
        conn, ts = tx.conn, tx.ts
        ctx = load_context(store, ac_id, conn)
        table_no = _table_no(ctx, round_no, station)
        _check_editable(ctx, round_row(conn, ac_id, round_no), actor)
        _table_state_upsert(conn, ac_id, round_no, station, ts, actor, kept_aside=None, note="")
        ev = tx.event("table.restored", {"round": round_no, "station": station, "table": table_no})
    return tx.saved(ev)


def acknowledge_warning(
    store: Store, ac_id: int, round_no: int, station: str, code: str, actor: Actor
) -> Saved:
    """The operator checked the figure against the paper: the warning no longer blocks."""
    if code not in ck.ACKNOWLEDGEABLE:
        raise InvalidValue(f"{code} is not a warning that can be acknowledged.")
    with unit_of_work(store, ac_id, actor) as tx:
        conn, ts = tx.conn, tx.ts
        ctx = load_context(store, ac_id, conn)
        table_no = _table_no(ctx, round_no, station)
        _check_editable(ctx, round_row(conn, ac_id, round_no), actor)
        cur = conn.execute(
            select(ts_t.c.acknowledged).where(
                ts_t.c.ac_id == ac_id, ts_t.c.round_no == round_no, ts_t.c.station == station
            )
        ).scalar()
        acks = sorted(set(json.loads(cur or "[]")) | {code})
        _table_state_upsert(conn, ac_id, round_no, station, ts, actor, acknowledged=json.dumps(acks))
        ev = tx.event(
            "warning.acknowledged", {"round": round_no, "station": station, "table": table_no, "code": code}
        )
    return tx.saved(ev)


def import_results(
    store: Store,
    ac_id: int,
    station_values: Mapping[str, Mapping[str, int]],
    postal: Mapping[str, int] | None,
    actor: Actor,
) -> int:
    """Enter every station's figures as imported table entries (rehearsals, acceptance tests).
    All or nothing: one transaction, one `table.imported` event per table."""
    authorize(actor.role, Action.IMPORT)
    n = 0
    with unit_of_work(store, ac_id, actor) as tx:
        conn, ts = tx.conn, tx.ts
        ctx = load_context(store, ac_id, conn)
        items: list[tuple[int, str, Mapping[str, int]]] = []
        if postal:
            items.append((POSTAL_ROUND, ctx.tables_of(POSTAL_ROUND)[0], postal))
        for station, values in station_values.items():
            items.append((ctx.plan.locate(station).round_no, station, values))
        for round_no, station, values in items:
            status = RoundStatus(round_row(conn, ac_id, round_no).status)
            if status not in (RoundStatus.DRAFT, RoundStatus.RETURNED):
                raise ServiceError(f"Round {round_no} is {status.label}: results cannot be imported into it.")
            unknown = set(values) - set(ctx.fields_of(round_no))
            if unknown:
                raise InvalidValue(f"PS {station}: unknown fields {sorted(unknown)}")
            conn.execute(
                delete(cell_t).where(
                    cell_t.c.ac_id == ac_id, cell_t.c.round_no == round_no, cell_t.c.station == station
                )
            )
            conn.execute(
                insert(cell_t),
                [
                    {
                        "ac_id": ac_id,
                        "round_no": round_no,
                        "station": station,
                        "field": f,
                        "value": int(v),
                        "version": 1,
                        "updated_at": ts,
                        "updated_by": actor.username,
                    }
                    for f, v in values.items()
                ],
            )
            tx.event(
                "table.imported",
                {
                    "round": round_no,
                    "station": station,
                    "table": _table_no(ctx, round_no, station),
                    "values": {f: int(v) for f, v in values.items()},
                    "source": "import",
                },
            )
            n += 1
    return n


def save_ui_state(store: Store, actor: Actor, ac_id: int, state: Mapping) -> None:
    """Where the operator is (screen, round, cell): restored after a power cut."""
    ts = journal.now()
    with store.write() as conn:
        _save_ui(conn, actor, ac_id, state, ts)
