"""The outbox as the relay and the dashboard see it.

Rows are written by services (approve_round → Tx.push) in the approval transaction, with an
`outbox.queued` journal event naming the sha256 of the exact bytes to send; the relay refuses a
row whose bytes no longer match that event (`journal_problem`). From then on only the relay
changes a row, and only its delivery columns (state, attempts, next_attempt_at, last_error,
receipt, acked_at). Delivery bookkeeping is not counting state, so it is not journaled; what it
leads to (a round published) is, through services.publish_round.

    queued ──send──► sent ──signed receipt──► acked
      ▲               │  └── refused for good (400/404/413/422) ──► failed ──requeue──► queued
      └─network error, 5xx, 429, 401/403 (retried with backoff)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from encore_tui.services.queries import outbox_counts
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import chain_head, has_training
from encore_tui.store.models import journal as journal_t
from encore_tui.store.models import outbox as outbox_t
from encore_tui.store.models import training_seat as seat_t

STATES = ("queued", "sent", "acked", "failed")
PENDING = ("queued", "sent")  # 'sent' = a request went out and no answer was recorded yet


def now_ts() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class OutboxItem:
    """One message to central, as the dashboard shows it."""

    id: int
    ac_id: int
    ac_number: int
    kind: str
    round_no: int | None
    revision: int | None
    idempotency_key: str
    state: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    created_at: str
    acked_at: str | None
    receipt: dict | None

    @property
    def label(self) -> str:
        what = {
            "postal": "postal result",
            "vvpat": "VVPAT result",
            "declaration": "declaration",
            "setup": "setup amendment",
            "recount": "recount order",
        }.get(self.kind)
        if what is None:
            what = f"round {self.round_no}" + (" correction" if self.kind == "correction" else "")
        return f"{what} (revision {self.revision})" if self.revision else what


def _item(r) -> OutboxItem:
    return OutboxItem(
        r.id,
        r.ac_id,
        r.number,
        r.kind,
        r.round_no,
        r.revision,
        r.idempotency_key,
        r.state,
        r.attempts,
        r.next_attempt_at,
        r.last_error,
        r.created_at,
        r.acked_at,
        json.loads(r.receipt) if r.receipt else None,
    )


def _select():
    return select(outbox_t, ac_t.c.number).join(ac_t, ac_t.c.id == outbox_t.c.ac_id)


def queue_state(store: Store, ac_id: int | None = None, states: tuple[str, ...] = STATES) -> list[OutboxItem]:
    """Every outbox row (oldest first) with its delivery state and, if failed, the reason."""
    q = _select().where(outbox_t.c.state.in_(states)).order_by(outbox_t.c.id)
    if ac_id is not None:
        q = q.where(outbox_t.c.ac_id == ac_id)
    with store.read() as conn:
        return [_item(r) for r in conn.execute(q)]


def queue_counts(store: Store, ac_id: int | None = None) -> dict[str, int]:
    """Every delivery state with its count, none left out (counted by services.queries)."""
    return dict.fromkeys(STATES, 0) | outbox_counts(store, ac_id)


@dataclass(frozen=True)
class Pending:
    id: int
    ac_id: int
    kind: str
    key: str
    payload: str
    attempts: int
    next_attempt_at: str | None
    journal_seq: int | None = None
    ac_number: int | None = None  # the AC's number (the path: /v1/acs/{ac}/rounds)
    round_no: int | None = None  # 0: postal; None: VVPAT, declaration (outbox columns)
    revision: int | None = None


HELD = "NOT sent: "  # how a refused row's last_error starts


def journal_problem(store: Store, row: Pending) -> str | None:
    """Why these bytes must not be sent, or None: the row's outbox.queued event must exist,
    hash to itself, be linked by the event after it (or be the head), name this row's key and
    the sha256 of exactly these bytes."""
    why = None
    with store.read() as conn:
        ev = None
        if row.journal_seq is not None:
            ev = conn.execute(
                select(journal_t).where(journal_t.c.ac_id == row.ac_id, journal_t.c.seq == row.journal_seq)
            ).one_or_none()
        if ev is None:
            return HELD + "no journal event records these bytes; run `encore journal verify`."
        nxt = conn.execute(
            select(journal_t.c.prev_hash).where(
                journal_t.c.ac_id == row.ac_id, journal_t.c.seq == row.journal_seq + 1
            )
        ).scalar()
        if nxt is None:
            nxt = conn.execute(select(chain_head.c.hash).where(chain_head.c.ac_id == row.ac_id)).scalar()
    h = journal.event_hash(ev.ac_id, ev.seq, ev.ts, ev.actor, ev.role, ev.kind, ev.payload, ev.prev_hash)
    p = json.loads(ev.payload)
    if h != ev.hash or nxt != ev.hash:
        why = f"journal event #{ev.seq} that records these bytes was altered"
    elif ev.kind != "outbox.queued" or p.get("key") != row.key:
        why = f"journal event #{ev.seq} records another message"
    elif p.get("sha256") != hashlib.sha256(row.payload.encode()).hexdigest():
        why = "the bytes queued for central differ from those the journal recorded (changed behind the app's back)"
    if why:
        return HELD + why + "; the row is kept. Run `encore journal verify`."
    return None


def heads(store: Store) -> list[Pending]:
    """Per AC, the oldest row not yet acked or failed: messages go out strictly in order. A
    trainee's copy of an AC (services/training.py) is never sent: training is not a result."""
    with store.read() as conn:
        q = _select().where(outbox_t.c.state.in_(PENDING)).order_by(outbox_t.c.ac_id, outbox_t.c.id)
        if has_training(conn):
            q = q.where(outbox_t.c.ac_id.not_in(select(seat_t.c.ac_id)))
        rows = conn.execute(q).all()
    out: dict[int, Pending] = {}
    for r in rows:
        out.setdefault(
            r.ac_id,
            Pending(
                r.id,
                r.ac_id,
                r.kind,
                r.idempotency_key,
                r.payload,
                r.attempts,
                r.next_attempt_at,
                r.journal_seq,
                r.number,
                r.round_no,
                r.revision,
            ),
        )
    return list(out.values())


def _set(store: Store, row_id: int, **values) -> None:
    with store.write() as conn:
        conn.execute(update(outbox_t).where(outbox_t.c.id == row_id).values(**values))


def mark_sending(store: Store, row_id: int, attempts: int, next_attempt_at: str) -> None:
    """Before the request: if we die mid-request the row is retried after the backoff."""
    _set(store, row_id, state="sent", attempts=attempts, next_attempt_at=next_attempt_at)


def mark_retry(store: Store, row_id: int, error: str, next_attempt_at: str) -> None:
    _set(store, row_id, state="queued", last_error=error[:2000], next_attempt_at=next_attempt_at)


def mark_failed(store: Store, row_id: int, error: str) -> None:
    _set(store, row_id, state="failed", last_error=error[:2000], next_attempt_at=None)


def mark_acked(store: Store, row_id: int, receipt: str) -> None:
    _set(
        store,
        row_id,
        state="acked",
        receipt=receipt,
        acked_at=now_ts(),
        last_error=None,
        next_attempt_at=None,
    )


def requeue_failed(store: Store, ac_id: int | None = None) -> int:
    """After the cause of a refusal was fixed at central: try the failed rows again."""
    q = update(outbox_t).where(outbox_t.c.state == "failed")
    if ac_id is not None:
        q = q.where(outbox_t.c.ac_id == ac_id)
    with store.write() as conn:
        return conn.execute(q.values(state="queued", next_attempt_at=None)).rowcount
