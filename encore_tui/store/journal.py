"""The append-only, hash-chained journal: one chain per AC.

hash = sha256(canonical JSON of [ac_id, seq, ts, actor, role, kind, payload, prev_hash]).
`payload` is stored as the canonical JSON text that was hashed, so re-hashing needs no
re-serialisation guesses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from encore_tui.base.fast import Fast
from encore_tui.domain.events import require
from encore_tui.store.models import chain_head, journal

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    ac_id: int, seq: int, ts: str, actor: str, role: str, kind: str, payload: str, prev: str
) -> str:
    return hashlib.sha256(canonical([ac_id, seq, ts, actor, role, kind, payload, prev]).encode()).hexdigest()


@dataclass(frozen=True)
class JournalEvent:
    ac_id: int
    seq: int
    ts: str
    actor: str
    role: str
    kind: str
    payload: dict
    prev_hash: str
    hash: str


# Built once: constructing SQLAlchemy expressions costs ~0.3 ms each, and append() runs on
# every keystroke that saves a cell.
_HEAD = Fast(
    select(chain_head.c.seq, chain_head.c.hash).where(chain_head.c.ac_id == bindparam("a")).with_for_update()
)
_LOCK = Fast(select(chain_head.c.seq).where(chain_head.c.ac_id == bindparam("a")).with_for_update())
_INSERT = Fast(insert(journal).values({c.name: bindparam("p_" + c.name) for c in journal.columns}))
_MOVE_HEAD = Fast(
    update(chain_head)
    .where(chain_head.c.ac_id == bindparam("a"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def start_chain(conn: Connection, ac_id: int) -> None:
    conn.execute(insert(chain_head).values(ac_id=ac_id, seq=0, hash=GENESIS))


def lock_chain(conn: Connection, ac_id: int) -> None:
    """Take the AC's chain-head row lock at the START of a write transaction.

    Every service reads state, checks it, then writes. On PostgreSQL (READ COMMITTED) two
    sessions could both read the same old value and both write (a lost update, or a duplicate
    insert), and the stale-edit check would never fire. Locking the chain head first makes
    writers of one AC run one after the other, each reading what the previous one committed.
    (On SQLite the store's file lock + BEGIN IMMEDIATE already serialise all writers.)"""
    _LOCK.one(conn, {"a": ac_id})


def append(
    conn: Connection, ac_id: int, actor: str, role: str, kind: str, payload: dict, ts: str | None = None
) -> JournalEvent:
    """Append one event inside the caller's transaction (locks the chain head)."""
    require(kind)
    ts = ts or now()
    head = _HEAD.one(conn, {"a": ac_id})
    if head is None:
        raise LookupError(f"AC {ac_id} has no journal chain")
    prev = head[1]
    seq = head[0] + 1
    text = canonical(payload)
    h = event_hash(ac_id, seq, ts, actor, role, kind, text, prev)
    row = {"ac_id": ac_id, "seq": seq, "ts": ts, "actor": actor, "role": role, "kind": kind}
    row.update(payload=text, prev_hash=prev, hash=h)
    _INSERT.rowcount(conn, {"p_" + k: v for k, v in row.items()})
    _MOVE_HEAD.rowcount(conn, {"a": ac_id, "new_seq": seq, "new_hash": h})
    return JournalEvent(ac_id, seq, ts, actor, role, kind, payload, prev, h)


def events(conn: Connection, ac_id: int, since: int = 0) -> Iterator[JournalEvent]:
    rows = conn.execute(
        select(journal).where(journal.c.ac_id == ac_id, journal.c.seq > since).order_by(journal.c.seq)
    )
    for r in rows:
        yield JournalEvent(
            r.ac_id, r.seq, r.ts, r.actor, r.role, r.kind, json.loads(r.payload), r.prev_hash, r.hash
        )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def walk(conn: Connection, ac_id: int) -> tuple[int, ChainBreak | None]:
    """Re-hash every event in order. Returns (events checked, first break or None)."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    rows = conn.execute(select(journal).where(journal.c.ac_id == ac_id).order_by(journal.c.seq))
    for r in rows:
        n += 1
        if r.seq != expected_seq:
            return n, ChainBreak(expected_seq, f"event #{expected_seq} is missing (next is #{r.seq})")
        if r.prev_hash != prev:
            return n, ChainBreak(r.seq, f"event #{r.seq} does not link to event #{r.seq - 1}")
        h = event_hash(r.ac_id, r.seq, r.ts, r.actor, r.role, r.kind, r.payload, r.prev_hash)
        if h != r.hash:
            return n, ChainBreak(r.seq, f"event #{r.seq} ({r.kind} by {r.actor} at {r.ts}) was altered")
        prev = r.hash
        expected_seq += 1
    head = conn.execute(select(chain_head).where(chain_head.c.ac_id == ac_id)).one_or_none()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        return n, ChainBreak(
            head.seq,
            f"the journal ends at #{expected_seq - 1} but its head says #{head.seq}: events were removed",
        )
    return n, None
