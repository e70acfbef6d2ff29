"""Replaying a recorded count (`encore training replay`): the AC's journal read once from the
recorded store (never written), and its events re-applied, in order, into a scratch store.

The scratch store starts as the recorded AC's setup (`create_ac` with the recorded setup and
plan); each batch of events is then ONE unit of work that writes what each event says (as
domain/ledger.py re-derives it) and journals the event again with its recorded payload, by its
recorded actor. The scratch store is therefore an ordinary store: the dashboard and trends
screens read it as they read any store, and `encore journal verify` passes on it. What an event
names but does not carry (the bytes of a queued push, a snapshot's figures, a scan) is copied
from the recorded store's rows.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from encore_tui.domain.events import EVENT_KINDS, EventKind, register
from encore_tui.domain.plan import CountingPlan
from encore_tui.domain.rounds import Role, RoundStatus
from encore_tui.domain.setup import Setup
from encore_tui.services.context import Actor
from encore_tui.services.counting import create_ac
from encore_tui.services.errors import ServiceError
from encore_tui.services.training import refuse_unless_trainer
from encore_tui.services.uow import Tx, unit_of_work
from encore_tui.store import journal, open_store
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import attachment as att_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import outbox as outbox_t
from encore_tui.store.models import outbox_round
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import round_revision as rev_t
from encore_tui.store.models import table_state as ts_t

REPLAY = Actor("replay", Role.ADMIN, "encore replay")


@dataclass(frozen=True)
class Recorded:
    seq: int
    ts: str
    actor: str
    role: str
    kind: str
    payload: dict


@dataclass
class Recording:
    """Everything a replay needs, read in one snapshot of the recorded store."""

    ac_id: int
    number: int
    name: str
    events: list[Recorded]  # events[0] is setup.created
    outbox: dict[str, dict] = field(default_factory=dict)  # idempotency key -> row
    snapshots: dict[tuple[int, int, str], str] = field(default_factory=dict)  # -> figures
    attachments: dict[tuple[str, str], dict] = field(default_factory=dict)  # (purpose, sha) -> row

    @property
    def setup(self) -> Setup:
        return Setup.model_validate(self.events[0].payload["setup"])

    @property
    def plan(self) -> CountingPlan:
        return CountingPlan.from_json(self.events[0].payload["plan"])


# the outbox columns a replay copies (`select(outbox)` would name round_no/revision, which a store
# made before them lacks until it is opened for writing: a recording is only read)
_OUTBOX_READ = ("idempotency_key", "kind", "payload", "state", "attempts", "next_attempt_at")
_OUTBOX_READ += ("last_error", "receipt", "acked_at")


def load_recording(store: Store, ac_id: int, actor: Actor) -> Recording:
    """Read the AC's journal (and the rows its events name) in one read-only snapshot: for a
    trainer or an administrator (a recording may be another trainee's copy)."""
    refuse_unless_trainer(actor, "replay a recorded count")
    with store.read(snapshot=True) as conn:
        row = conn.execute(select(ac_t.c.number, ac_t.c.name).where(ac_t.c.id == ac_id)).one_or_none()
        if row is None:
            raise ServiceError(f"There is no AC with id {ac_id} in this store.")
        events = [
            Recorded(e.seq, e.ts, e.actor, e.role, e.kind, e.payload) for e in journal.events(conn, ac_id)
        ]
        if not events or events[0].kind != "setup.created":
            raise ServiceError(
                f"AC {row.number} has no recorded setup in its journal: there is nothing to replay."
            )
        rec = Recording(ac_id, row.number, row.name, events)
        cols = [outbox_t.c[c] for c in _OUTBOX_READ]
        for r in conn.execute(select(*cols).where(outbox_t.c.ac_id == ac_id)):
            rec.outbox[r.idempotency_key] = dict(r._mapping)
        for r in conn.execute(select(rev_t).where(rev_t.c.ac_id == ac_id)):
            rec.snapshots[(r.round_no, r.revision, r.stage)] = r.figures
        for r in conn.execute(select(att_t).where(att_t.c.ac_id == ac_id)):
            rec.attachments[(r.purpose, r.sha256)] = dict(r._mapping)
    return rec


def new_scratch(rec: Recording, folder: Path | None = None) -> tuple[Store, int]:
    """A fresh scratch store (a temporary SQLite file) holding the recorded AC's setup only."""
    folder = Path(folder or tempfile.mkdtemp(prefix="encore-replay-"))
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while (folder / f"replay-{n}.db").exists():
        n += 1
    store = open_store(folder / f"replay-{n}.db")
    ac_id = create_ac(store, rec.setup, REPLAY, rec.plan)
    return store, ac_id


def apply_events(store: Store, ac_id: int, rec: Recording, start: int, stop: int) -> int:
    """Re-apply the recorded events [start, stop) into the scratch store: one unit of work.
    Returns `stop`. events[0] (the setup) is already in the scratch store: start at 1."""
    start = max(1, start)
    if stop <= start:
        return max(stop, start)
    for ev in rec.events[start:stop]:
        if ev.kind not in EVENT_KINDS:  # a kind this program does not declare (a newer version's)
            register(EventKind(ev.kind, "an event of the replayed recording", changes_state=False))
    with unit_of_work(store, ac_id, REPLAY) as tx:
        for ev in rec.events[start:stop]:
            tx.actor = Actor(ev.actor, ev.role)  # type: ignore[arg-type]  # journaled as recorded
            tx.eff = {}
            _apply_one(tx, rec, ev)
            tx.eff = {}  # the recorded payload carries its effects already
            queued = tx.event(ev.kind, ev.payload)
            if ev.kind == "outbox.queued":
                _queue(tx, rec, ev.payload, queued.seq)
    store.cache.pop(("ctx", ac_id), None)  # a plan change or the VVPAT round: read the AC again
    return stop


# -- what one event writes (as domain/ledger.apply derives it) ------------------------------------
def _apply_one(tx: Tx, rec: Recording, ev: Recorded) -> None:
    p, kind, conn = ev.payload, ev.kind, tx.conn
    if kind == "plan.changed":
        _plan(tx, p["plan"])
    elif kind == "cell.entered":
        put_cells(tx, [(int(p["round"]), p["station"], p["field"], p["after"])])
    elif kind == "table.imported":
        put_cells(tx, [(int(p["round"]), p["station"], f, int(v)) for f, v in p["values"].items()])
    elif kind == "table.kept_aside":
        _table(tx, int(p["round"]), p["station"], kept_aside=p["reason"], note=p.get("note", ""))
    elif kind == "table.restored":
        _table(tx, int(p["round"]), p["station"], kept_aside=None, note="")
    elif kind == "warning.acknowledged":
        r, s = int(p["round"]), p["station"]
        cur = conn.execute(
            select(ts_t.c.acknowledged).where(
                ts_t.c.ac_id == tx.ac_id, ts_t.c.round_no == r, ts_t.c.station == s
            )
        ).scalar()
        _table(tx, r, s, acknowledged=json.dumps(sorted(set(json.loads(cur or "[]")) | {p["code"]})))
    elif kind.startswith("round."):
        r = int(p["round"])
        rk = conn.execute(
            select(round_t.c.kind).where(round_t.c.ac_id == tx.ac_id, round_t.c.round_no == r)
        ).scalar()
        if rk is None:
            raise ServiceError(f"event #{ev.seq}: round {r} does not exist in the replay")
        tx.round_state(r, rk, p["status"], int(p["revision"]), p.get("remark", ""))
        tx.invalidate([int(x) for x in p.get("invalidated", [])])
    if "effects" in p:
        _effects(tx, rec, p["effects"] or {})


def _effects(tx: Tx, rec: Recording, eff: Mapping[str, Any]) -> None:
    for r, kind_, status, revision, remark in eff.get("rounds", []):
        tx.round_state(int(r), kind_, status, int(revision), remark)
    tx.invalidate([int(r) for r in eff.get("invalidated", [])])
    put_cells(tx, [(int(r), station, f, v) for r, station, f, v in eff.get("cells", [])])
    for key, value in (eff.get("records") or {}).items():
        tx.record(key, value)
    for r, purpose, station, f, v in eff.get("blind", []):
        tx.blind(int(r), purpose, station, f, v)
    for station, attempt, values in eff.get("vvpat_counts", []):
        tx.vvpat_count(station, int(attempt), {k: int(v) for k, v in values.items()})
    for purpose, r, sha, filename, _size, media_type in eff.get("attachments", []):
        row = rec.attachments.get((purpose, sha))
        if row is not None:
            tx.attachment(purpose, r, filename, media_type, row["content"])
    for r, revision, stage, digest in eff.get("snapshots", []):
        figures = rec.snapshots.get((int(r), int(revision), stage))
        if figures is not None:
            tx.snapshot(int(r), int(revision), stage, figures, digest)
    # accounts live on the store chain, not the AC's: a replay has none


# The cells of a replay are written with statements built once (as tx.cell writes them, without
# building SQL per cell: a count imported table by table is thousands of cells per round)
_KEY = (
    cell_t.c.ac_id == bindparam("k_a"),
    cell_t.c.round_no == bindparam("k_r"),
    cell_t.c.station == bindparam("k_s"),
)
_VERSIONS = select(cell_t.c.field, cell_t.c.version).where(*_KEY)
_INSERT = insert(cell_t)
_UPDATE = (
    update(cell_t)
    .where(*_KEY, cell_t.c.field == bindparam("k_f"))
    .values(
        value=bindparam("v"), version=bindparam("ver"), updated_at=bindparam("t"), updated_by=bindparam("u")
    )
)
_DELETE = delete(cell_t).where(*_KEY, cell_t.c.field == bindparam("k_f"))


def put_cells(tx: Tx, cells: list[tuple[int, str, str, int | None]]) -> None:
    """Write counted figures (value None: the cell cleared), station by station."""
    by_station: dict[tuple[int, str], list[tuple[str, int | None]]] = {}
    for r, station, f, v in cells:
        by_station.setdefault((r, station), []).append((f, v))
    who = {"t": tx.ts, "u": tx.actor.username}
    for (r, station), items in by_station.items():
        key = {"k_a": tx.ac_id, "k_r": r, "k_s": station}
        have = dict(tx.conn.execute(_VERSIONS, key).all())
        new, changed, gone = [], [], []
        for f, v in dict(items).items():  # the last value of a field wins
            if v is None:
                if f in have:
                    gone.append({**key, "k_f": f})
            elif f in have:
                changed.append({**key, "k_f": f, "v": int(v), "ver": have[f] + 1, **who})
            else:
                new.append(
                    {"ac_id": tx.ac_id, "round_no": r, "station": station, "field": f, "value": int(v)}
                    | {"version": 1, "updated_at": tx.ts, "updated_by": tx.actor.username}
                )
        for stmt, rows in ((_INSERT, new), (_UPDATE, changed), (_DELETE, gone)):
            if rows:
                tx.conn.execute(stmt, rows)


def _plan(tx: Tx, plan_json: dict) -> None:
    conn, ac_id = tx.conn, tx.ac_id
    plan = CountingPlan.from_json(plan_json)
    version = conn.execute(select(ac_t.c.plan_version).where(ac_t.c.id == ac_id)).scalar_one()
    conn.execute(
        update(ac_t)
        .where(ac_t.c.id == ac_id)
        .values(plan_json=json.dumps(plan_json), plan_version=version + 1)
    )
    conn.execute(
        delete(round_t).where(
            round_t.c.ac_id == ac_id, round_t.c.kind == "evm", round_t.c.round_no > plan.round_count
        )
    )
    have = {r for (r,) in conn.execute(select(round_t.c.round_no).where(round_t.c.ac_id == ac_id))}
    for r in range(1, plan.round_count + 1):
        if r not in have:
            tx.round_state(r, "evm", RoundStatus.DRAFT.value, 0, "")


def _table(tx: Tx, round_no: int, station: str, **values) -> None:
    conn = tx.conn
    where = (ts_t.c.ac_id == tx.ac_id, ts_t.c.round_no == round_no, ts_t.c.station == station)
    stamp = {"updated_at": tx.ts, "updated_by": tx.actor.username}
    if not conn.execute(update(ts_t).where(*where).values(**stamp, **values)).rowcount:
        row = {"kept_aside": None, "note": "", "acknowledged": "[]", **values}
        conn.execute(insert(ts_t).values(ac_id=tx.ac_id, round_no=round_no, station=station, **stamp, **row))


def _queue(tx: Tx, rec: Recording, p: Mapping[str, Any], seq: int) -> None:
    """The outbox row an `outbox.queued` event names: its recorded bytes (and delivery state,
    which is not evidence: not journaled), with the round and revision columns `tx.push` writes,
    read from those bytes as `encore journal verify` checks them (`models.outbox_round`)."""
    row = rec.outbox.get(p["key"])
    if row is None:
        raise ServiceError(f"the recorded store has no outbox row {p['key']} for its outbox.queued event")
    try:
        message = json.loads(row["payload"])
    except ValueError:
        message = None  # damaged bytes: copied as they are (verify names them on both stores)
    round_no, revision = outbox_round(row["kind"], message if isinstance(message, dict) else {})
    tx.conn.execute(
        insert(outbox_t).values(
            ac_id=tx.ac_id,
            created_at=tx.ts,
            journal_seq=seq,
            round_no=round_no,
            revision=revision,
            **row,
        )
    )
