"""`encore journal verify`: re-walk the hash chain and re-derive the state from the events.

Everything that matters is compared with what the events say: the counted figures, tables and
rounds, the RO records, the approved/submitted snapshots (their figures re-hashed), every
outbox row (the sha256 of the exact bytes the relay will send) and, on the store chain, every
account (role, PIN hash, lock-out). One snapshot of the store is read (PostgreSQL: REPEATABLE
READ), so writers running meanwhile never make it cry wolf.

`verify_receipts` compares the chain with the anchors kept outside the store: central's signed
receipts echo the chain head each push carried (seq + hash).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from encore_tui.domain.ledger import ReplayError, account_state, replay
from encore_tui.services.ro_tx import stored_ro_state
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import chain_head, outbox_round
from encore_tui.store.models import journal as journal_t
from encore_tui.store.models import outbox as outbox_t
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import round_revision as rev_t
from encore_tui.store.models import table_state as ts_t
from encore_tui.store.models import user as user_t


@dataclass(frozen=True)
class VerifyReport:
    ac_id: int
    events: int
    ok: bool
    problem: str = ""
    event_seq: int | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"journal of AC id {self.ac_id}: {self.events} events, chain intact, state re-derived and matches"
        at = f"event #{self.event_seq}" if self.event_seq else "the store"
        return f"journal of AC id {self.ac_id}: FAILED at {at}: {self.problem}"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _stored_state(conn, ac_id: int) -> dict:
    plan = json.loads(conn.execute(select(ac_t.c.plan_json).where(ac_t.c.id == ac_id)).scalar_one())
    rounds = {
        r.round_no: (r.kind, r.status, r.revision, r.remark)
        for r in conn.execute(select(round_t).where(round_t.c.ac_id == ac_id).order_by(round_t.c.round_no))
    }
    cells = {
        (r.round_no, r.station, r.field): r.value
        for r in conn.execute(select(cell_t).where(cell_t.c.ac_id == ac_id))
    }
    tables = {}
    for r in conn.execute(select(ts_t).where(ts_t.c.ac_id == ac_id)):
        acks = tuple(sorted(json.loads(r.acknowledged or "[]")))
        if r.kept_aside or r.note or acks:
            tables[(r.round_no, r.station)] = (r.kept_aside, r.note, acks)
    snapshots = {}
    for r in conn.execute(select(rev_t).where(rev_t.c.ac_id == ac_id)):
        # the figures are re-hashed: an edited snapshot shows even when its digest was kept
        snapshots[(r.round_no, r.revision, r.stage)] = (
            r.digest if _sha(r.figures) == r.digest else f"figures whose sha256 is {_sha(r.figures)}"
        )
    outbox = {
        r.idempotency_key: (r.kind, _outbox_digest(r))
        for r in conn.execute(select(outbox_t).where(outbox_t.c.ac_id == ac_id))
    }

    return {
        "ro": stored_ro_state(conn, ac_id),
        "plan": plan,
        "rounds": rounds,
        "cells": dict(sorted(cells.items())),
        "tables": dict(sorted(tables.items())),
        "snapshots": dict(sorted(snapshots.items())),
        "outbox": dict(sorted(outbox.items())),
    }


def _outbox_digest(r) -> str:
    """The sha256 of a row's bytes, or what is wrong with its round/revision columns: they must
    say what the bytes carry (the relay publishes the round the columns name)."""
    digest = _sha(r.payload)
    try:
        p = json.loads(r.payload)
    except ValueError:
        return digest  # bytes that are not JSON differ from the journal's digest anyway
    carried = outbox_round(r.kind, p if isinstance(p, dict) else {})
    if (r.round_no, r.revision) != carried:
        return (
            f"{digest} with round/revision columns {r.round_no}/{r.revision}, not {carried[0]}/{carried[1]}"
        )
    return digest


def stored_accounts(conn) -> dict[str, dict]:
    return {r.username: account_state(r._mapping) for r in conn.execute(select(user_t))}


_WHAT = {
    "rounds": lambda k: f"round {k}",
    "cells": lambda k: f"round {k[0]} PS {k[1]} {k[2]}",
    "tables": lambda k: f"round {k[0]} PS {k[1]}",
    "snapshots": lambda k: f"the {k[2]} snapshot of round {k[0]} revision {k[1]}",
    "outbox": lambda k: f"the push {k} (bytes queued for central)",
    "accounts": lambda k: f"account '{k}'",
}
_TOUCH = {
    "rounds": lambda k: ("round", k),
    "tables": lambda k: ("table", *k),
    "cells": lambda k: k,
    "snapshots": lambda k: ("snapshots", k),
    "outbox": lambda k: ("outbox", k),
    "accounts": lambda k: ("accounts", k),
}


def _difference(ac_id: int, n: int, section: str, d: dict, s: dict, touched_by: dict) -> VerifyReport:
    for k in sorted(set(d) | set(s), key=str):
        if d.get(k) != s.get(k):
            seq = touched_by.get(_TOUCH[section](k))
            since = f"last changed by event #{seq}" if seq else "no event ever wrote it"
            found = "the store has no such row" if k not in s else f"the store has {s.get(k)!r}"
            return VerifyReport(
                ac_id,
                n,
                False,
                f"{_WHAT[section](k)}: {found} but the journal gives {d.get(k)!r} "
                f"({since}): changed behind the application's back",
                seq,
            )
    return VerifyReport(ac_id, n, False, f"{section} differ from the journal", None)


def verify_journal(store: Store, ac_id: int) -> VerifyReport:
    with store.read(snapshot=True) as conn:
        n, brk = journal.walk(conn, ac_id)
        if brk is not None:
            return VerifyReport(ac_id, n, False, brk.reason, brk.seq)
        try:
            state = replay((e.seq, e.kind, e.payload) for e in journal.events(conn, ac_id))
        except ReplayError as exc:
            return VerifyReport(ac_id, n, False, str(exc), exc.seq)
        derived = state.to_comparable()
        stored = {"accounts": stored_accounts(conn)} if ac_id == 0 else _stored_state(conn, ac_id)
    sections = (
        ("accounts",) if ac_id == 0 else ("plan", "rounds", "cells", "tables", "snapshots", "outbox", "ro")
    )
    for section in sections:
        d, s = derived[section], stored[section]
        if d == s:
            continue
        if section == "ro":
            return _ro_difference(ac_id, n, d, s, state.touched_by)
        if section == "plan":
            return VerifyReport(
                ac_id, n, False, "the counting plan differs from the journal", state.touched_by.get("plan")
            )
        return _difference(ac_id, n, section, d, s, state.touched_by)
    return VerifyReport(ac_id, n, True)


def _ro_difference(ac_id: int, n: int, derived: dict, stored: dict, touched_by: dict) -> VerifyReport:
    """Name the first RO record (blind figure, slip count, scan, decision) that differs."""
    for sec in sorted(set(derived) | set(stored)):
        d, s = derived.get(sec, {}), stored.get(sec, {})
        for k in sorted(set(d) | set(s), key=str):
            if d.get(k) != s.get(k):
                seq = touched_by.get((sec, k))
                since = f"last changed by event #{seq}" if seq else "no event ever wrote it"
                return VerifyReport(
                    ac_id,
                    n,
                    False,
                    f"{sec} {k}: the store has {s.get(k)!r} but the journal gives {d.get(k)!r} "
                    f"({since}): changed behind the application's back",
                    seq,
                )
    return VerifyReport(ac_id, n, False, "RO records differ from the journal", None)


# -- anchors outside the store -------------------------------------------------------------------
@dataclass(frozen=True)
class ReceiptReport:
    ac_id: int
    receipts: int  # signed receipts checked
    ok: bool
    problem: str = ""
    newest: tuple[int, str] | None = None  # (seq, hash) of the newest anchor central signed

    def __str__(self) -> str:
        if not self.ok:
            return f"receipts of AC id {self.ac_id}: FAILED: {self.problem}"
        if not self.receipts:
            return f"receipts of AC id {self.ac_id}: none yet (nothing acknowledged by central)"
        seq, h = self.newest or (0, "")
        return (
            f"receipts of AC id {self.ac_id}: {self.receipts} signed by central; the chain holds the "
            f"newest anchor (event #{seq}, {h[:12]}…)"
        )


def verify_receipts(store: Store, ac_id: int, central_key: str, fetched: Sequence[str] = ()) -> ReceiptReport:
    """Every acknowledged push's signed receipt echoes the chain head that push carried: the
    store's event at that seq must still have that hash (caught: truncation, or any rewrite of
    the chain up to there, however consistent). `fetched`: receipts asked of central itself
    (`GET /v1/acs/{ac}/anchor`), which still count when the store's own rows were deleted.
    A receipt not signed by `central_key` fails."""
    from pydantic import ValidationError

    from encore_tui.wire import keys
    from encore_tui.wire import messages as wire

    with store.read(snapshot=True) as conn:
        rows = conn.execute(
            select(outbox_t.c.idempotency_key, outbox_t.c.receipt)
            .where(outbox_t.c.ac_id == ac_id, outbox_t.c.state == "acked")
            .order_by(outbox_t.c.id)
        ).all()
        texts: list[tuple[str, str | None]] = [(r.idempotency_key, r.receipt) for r in rows]
        texts += [("", t) for t in fetched]
        head = conn.execute(select(chain_head).where(chain_head.c.ac_id == ac_id)).one_or_none()
        n = 0
        newest: tuple[int, str] | None = None
        for key, receipt in texts:
            where = f"push {key}" if key else "central's newest receipt"
            if not receipt:
                return ReceiptReport(ac_id, n, False, f"{where} is acknowledged but its receipt is gone")
            try:
                signed = wire.SignedReceipt.model_validate_json(receipt)
            except ValidationError:
                return ReceiptReport(ac_id, n, False, f"the receipt of {where} is not a receipt")
            rc = signed.receipt
            if (key and rc.idempotency_key != key) or not keys.verify(
                central_key, wire.canonical_receipt(rc), signed.signature
            ):
                return ReceiptReport(
                    ac_id, n, False, f"the receipt of {where} is not signed by central's key"
                )
            n += 1
            if rc.journal_seq is None or rc.journal_hash is None:
                continue
            ev = conn.execute(
                select(journal_t.c.hash).where(journal_t.c.ac_id == ac_id, journal_t.c.seq == rc.journal_seq)
            ).scalar()
            if ev != rc.journal_hash:
                what = "is missing" if ev is None else "has another hash"
                return ReceiptReport(
                    ac_id,
                    n,
                    False,
                    f"central signed that event #{rc.journal_seq} had hash {rc.journal_hash[:12]}… "
                    f"({where}), but the store's event #{rc.journal_seq} {what}: "
                    "the journal was cut or rewritten",
                )
            if newest is None or rc.journal_seq > newest[0]:
                newest = (rc.journal_seq, rc.journal_hash)
        if newest and head is not None and head.seq < newest[0]:
            return ReceiptReport(
                ac_id,
                n,
                False,
                f"the chain head says #{head.seq} but central saw #{newest[0]}: events were removed",
            )
    return ReceiptReport(ac_id, n, True, newest=newest)


def fetch_anchor(push_url: str, ac_number: int, timeout: float = 5.0) -> tuple[str | None, str]:
    """Central's newest receipt for an AC: (text or None, what happened)."""
    import httpx

    try:
        resp = httpx.get(f"{push_url.rstrip('/')}/v1/acs/{ac_number}/anchor", timeout=timeout)
    except httpx.HTTPError as exc:
        return (
            None,
            f"central not reachable ({exc.__class__.__name__}): only the receipts in the store were checked",
        )
    if resp.status_code == 404:
        return None, "central has received nothing for this AC yet"
    if resp.status_code != 200:
        return None, f"central answered HTTP {resp.status_code}: only the receipts in the store were checked"
    return resp.text, "central's newest receipt fetched"
