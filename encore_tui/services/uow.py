"""The one write path: every change to a store is one unit of work.

    with unit_of_work(store, ac_id, actor) as tx:
        ...read and check through tx.conn: inside the lock, so nothing changes under the checks
        tx.cell(...); tx.record(...); tx.snapshot(...)      effects, written to the tables
        ev = tx.event("round.approved", {...})               the journal event that carries them
        tx.push("round", message, key)        outbox row + outbox.queued event
    return tx.saved(ev)                                       commit time, after COMMIT returned

`unit_of_work` takes the writer lock before the first read (SQLite: the store's file lock and
BEGIN IMMEDIATE; PostgreSQL: the AC's chain-head row, FOR UPDATE), so writers of one AC run one
after the other, operator's, RO's, the CLI's and the relay's alike. The event carries every
effect under `effects` (domain/ledger.py replays them), so `encore journal verify` re-derives
the tables from the journal alone and names the first one that differs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from encore_tui.domain.ledger import account_state, canonical
from encore_tui.domain.rounds import RoundStatus
from encore_tui.services.context import Actor
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import attachment as att_t
from encore_tui.store.models import blind_cell as blind_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import chain_head, outbox_round
from encore_tui.store.models import outbox as outbox_t
from encore_tui.store.models import ro_record as rec_t
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import round_revision as rev_t
from encore_tui.store.models import user as user_t
from encore_tui.store.models import vvpat_count as vv_t

STORE_CHAIN = 0  # the store-wide chain: accounts and sign-ins


@dataclass(frozen=True)
class Saved:
    """Returned once the change is durable."""

    ts: str
    seq: int
    before: int | None = None
    after: int | None = None
    note: str = ""  # something to show beside "saved" (e.g. the automatic backup failed)
    committed: str = ""  # UTC ISO time the COMMIT returned (what "saved HH:MM:SS" shows)


def sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


class Tx:
    """One unit of work: the connection (inside the lock), the actor, one timestamp, and the
    effects collected so far (written to the tables as they are added)."""

    def __init__(self, conn: Connection, ac_id: int | None, actor: Actor, ts: str) -> None:
        self.conn, self.ac_id, self.actor, self.ts = conn, ac_id, actor, ts
        self.eff: dict[str, Any] = {}
        self.committed = ""  # set by unit_of_work once COMMIT returned
        self.last: journal.JournalEvent | None = None

    def _add(self, section: str, item: Any) -> None:
        self.eff.setdefault(section, []).append(item)

    # -- the event --------------------------------------------------------------------------------
    def event(
        self, kind: str, payload: Mapping | None = None, *, chain: int | None = None
    ) -> journal.JournalEvent:
        """Append the journal event carrying every effect collected since the last event."""
        body = dict(payload or {})
        if self.eff:
            body["effects"] = self.eff
        ac = self.ac_id if chain is None else chain
        assert ac is not None, "an event needs a chain"
        ev = journal.append(self.conn, ac, self.actor.username, self.actor.role, kind, body, self.ts)
        self.eff = {}
        self.last = ev
        return ev

    def saved(self, ev: journal.JournalEvent | None = None, **kw) -> Saved:
        ev = ev or self.last
        return Saved(self.ts, ev.seq if ev else 0, committed=self.committed, **kw)

    # -- pushes -----------------------------------------------------------------------------------
    def push(
        self,
        kind: str,
        payload: Mapping,
        key: str,
    ) -> bool:
        """Queue a message for central: the outbox row and, in the same transaction, the
        `outbox.queued` event with the sha256 of the exact bytes the relay will send (it refuses
        a row whose bytes no longer match). The round (0: postal; None: VVPAT, declaration, setup…)
        and revision the message carries are kept as columns for the relay and the lists
        (`models.outbox_round`, the rule `encore journal verify` checks them by).
        False if that message was already queued."""
        exists = self.conn.execute(select(outbox_t.c.id).where(outbox_t.c.idempotency_key == key)).first()
        if exists:
            return False
        text = journal.canonical(dict(payload))
        round_no, revision = outbox_round(kind, payload)
        assert not self.eff, "journal the change before queueing its push"
        ev = self.event(
            "outbox.queued", {"key": key, "kind": kind, "sha256": sha256(text), "size": len(text.encode())}
        )
        self.conn.execute(
            insert(outbox_t).values(
                ac_id=self.ac_id,
                idempotency_key=key,
                kind=kind,
                round_no=round_no,
                revision=revision,
                payload=text,
                created_at=self.ts,
                state="queued",
                attempts=0,
                journal_seq=ev.seq,
            )
        )
        return True

    # -- effects ----------------------------------------------------------------------------------
    def snapshot(self, round_no: int, revision: int, stage: str, text: str, digest: str) -> None:
        """A round's figures as submitted/approved (what the sheet's digest names)."""
        where = (
            rev_t.c.ac_id == self.ac_id,
            rev_t.c.round_no == round_no,
            rev_t.c.revision == revision,
            rev_t.c.stage == stage,
        )
        self.conn.execute(delete(rev_t).where(*where))
        self.conn.execute(
            insert(rev_t).values(
                ac_id=self.ac_id,
                round_no=round_no,
                revision=revision,
                stage=stage,
                figures=text,
                digest=digest,
                created_at=self.ts,
                created_by=self.actor.username,
            )
        )
        self._add("snapshots", [round_no, revision, stage, digest])

    def account(self, username: str, **values) -> None:
        """Update an account row and record its resulting state (store chain)."""
        if values:
            self.conn.execute(update(user_t).where(user_t.c.username == username).values(**values))
        row = self.conn.execute(select(user_t).where(user_t.c.username == username)).one()
        self.eff.setdefault("accounts", {})[username] = account_state(row._mapping)

    def record(self, key: str, value: Mapping | None) -> None:
        where = (rec_t.c.ac_id == self.ac_id, rec_t.c.key == key)
        self.conn.execute(delete(rec_t).where(*where))
        if value is not None:
            self.conn.execute(
                insert(rec_t).values(
                    ac_id=self.ac_id,
                    key=key,
                    value=canonical(value),
                    updated_at=self.ts,
                    updated_by=self.actor.username,
                )
            )
        self.eff.setdefault("records", {})[key] = None if value is None else json.loads(canonical(value))

    def records(self, values: Mapping[str, Mapping]) -> None:
        """Many `record`s at once (an import): one DELETE and one multi-row INSERT."""
        if not values:
            return
        self.conn.execute(delete(rec_t).where(rec_t.c.ac_id == self.ac_id, rec_t.c.key.in_(list(values))))
        rows = [
            dict(
                ac_id=self.ac_id,
                key=k,
                value=canonical(v),
                updated_at=self.ts,
                updated_by=self.actor.username,
            )
            for k, v in values.items()
        ]
        self.conn.execute(insert(rec_t), rows)
        eff = self.eff.setdefault("records", {})
        for k, v in values.items():
            eff[k] = json.loads(canonical(v))

    def blind(self, round_no: int, purpose: str, station: str, field: str, value: int | None) -> None:
        where = (
            blind_t.c.ac_id == self.ac_id,
            blind_t.c.round_no == round_no,
            blind_t.c.purpose == purpose,
            blind_t.c.station == station,
            blind_t.c.field == field,
        )
        self.conn.execute(delete(blind_t).where(*where))
        if value is not None:
            self.conn.execute(
                insert(blind_t).values(
                    ac_id=self.ac_id,
                    round_no=round_no,
                    purpose=purpose,
                    station=station,
                    field=field,
                    value=int(value),
                    updated_at=self.ts,
                    updated_by=self.actor.username,
                )
            )
        self._add("blind", [round_no, purpose, station, field, value])

    def cell(self, round_no: int, station: str, field: str, value: int | None) -> None:
        key = (
            cell_t.c.ac_id == self.ac_id,
            cell_t.c.round_no == round_no,
            cell_t.c.station == station,
            cell_t.c.field == field,
        )
        cur = self.conn.execute(select(cell_t.c.version).where(*key)).scalar()
        if value is None:
            self.conn.execute(delete(cell_t).where(*key))
        elif cur is None:
            self.conn.execute(
                insert(cell_t).values(
                    ac_id=self.ac_id,
                    round_no=round_no,
                    station=station,
                    field=field,
                    value=int(value),
                    version=1,
                    updated_at=self.ts,
                    updated_by=self.actor.username,
                )
            )
        else:
            self.conn.execute(
                update(cell_t)
                .where(*key)
                .values(value=int(value), version=cur + 1, updated_at=self.ts, updated_by=self.actor.username)
            )
        self._add("cells", [round_no, station, field, value])

    def round_state(self, round_no: int, kind: str, status: str, revision: int, remark: str) -> None:
        where = (round_t.c.ac_id == self.ac_id, round_t.c.round_no == round_no)
        values = dict(
            kind=kind,
            status=status,
            revision=revision,
            remark=remark,
            updated_at=self.ts,
            updated_by=self.actor.username,
        )
        if not self.conn.execute(update(round_t).where(*where).values(**values)).rowcount:
            self.conn.execute(insert(round_t).values(ac_id=self.ac_id, round_no=round_no, **values))
        self._add("rounds", [round_no, kind, status, revision, remark])

    def invalidate(self, rounds: Sequence[int]) -> None:
        if not rounds:
            return
        self.conn.execute(
            update(round_t)
            .where(round_t.c.ac_id == self.ac_id, round_t.c.round_no.in_(list(rounds)))
            .values(
                status=RoundStatus.NEEDS_REAPPROVAL.value, updated_at=self.ts, updated_by=self.actor.username
            )
        )
        self.eff.setdefault("invalidated", []).extend(rounds)

    def vvpat_count(self, station: str, attempt: int, slips: Mapping[str, int]) -> None:
        where = (vv_t.c.ac_id == self.ac_id, vv_t.c.station == station, vv_t.c.attempt == attempt)
        self.conn.execute(delete(vv_t).where(*where))
        self.conn.execute(
            insert(vv_t).values(
                ac_id=self.ac_id,
                station=station,
                attempt=attempt,
                slips=canonical(dict(slips)),
                updated_at=self.ts,
                updated_by=self.actor.username,
            )
        )
        self._add("vvpat_counts", [station, attempt, dict(slips)])

    def attachment(
        self, purpose: str, round_no: int | None, filename: str, media_type: str, content: bytes
    ) -> str:
        sha = sha256(content)
        self.conn.execute(
            insert(att_t).values(
                ac_id=self.ac_id,
                purpose=purpose,
                round_no=round_no,
                filename=filename,
                media_type=media_type,
                size=len(content),
                sha256=sha,
                content=content,
                created_at=self.ts,
                created_by=self.actor.username,
            )
        )
        self._add("attachments", [purpose, round_no, sha, filename, len(content), media_type])
        return sha


def _ensure_chain(conn: Connection, ac_id: int) -> None:
    if conn.execute(select(chain_head.c.ac_id).where(chain_head.c.ac_id == ac_id)).first() is None:
        if conn.dialect.name == "postgresql":
            # two first writers at once both see no row: the second waits for the first's
            # insert and then inserts nothing (it would fail on the duplicate key), and the
            # FOR UPDATE that follows then waits for the first to commit
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            row = {"ac_id": ac_id, "seq": 0, "hash": journal.GENESIS}
            conn.execute(pg_insert(chain_head).values(row).on_conflict_do_nothing(index_elements=["ac_id"]))
        else:  # SQLite: the file lock already serialises every writer
            journal.start_chain(conn, ac_id)


@contextlib.contextmanager
def unit_of_work(store: Store, ac_id: int | None, actor: Actor, *, ts: str | None = None) -> Iterator[Tx]:
    """One durable change. `ac_id` None: a change that creates its AC (the caller sets tx.ac_id
    and starts its chain); STORE_CHAIN: accounts. Commits when the block ends without error."""
    tx: Tx
    with store.write() as conn:
        if ac_id == STORE_CHAIN:
            _ensure_chain(conn, STORE_CHAIN)
        if ac_id is not None:
            journal.lock_chain(conn, ac_id)
        tx = Tx(conn, ac_id, actor, ts or journal.now())
        yield tx
    tx.committed = journal.now()
