"""`encore journal verify`: re-walk the hash chain and re-derive the state from the events."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from encore_tui.domain.ledger import ReplayError, replay
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import table_state as ts_t


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
        return f"journal of AC id {self.ac_id}: FAILED at event #{self.event_seq}: {self.problem}"


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
    from encore_tui.services.ro_tx import stored_ro_state

    return {
        "ro": stored_ro_state(conn, ac_id),
        "plan": plan,
        "rounds": rounds,
        "cells": dict(sorted(cells.items())),
        "tables": dict(sorted(tables.items())),
    }


def verify_journal(store: Store, ac_id: int) -> VerifyReport:
    with store.read() as conn:
        n, brk = journal.walk(conn, ac_id)
        if brk is not None:
            return VerifyReport(ac_id, n, False, brk.reason, brk.seq)
        if ac_id == 0:
            return VerifyReport(ac_id, n, True)
        try:
            state = replay((e.seq, e.kind, e.payload) for e in journal.events(conn, ac_id))
        except ReplayError as exc:
            return VerifyReport(ac_id, n, False, str(exc), exc.seq)
        derived = state.to_comparable()
        stored = _stored_state(conn, ac_id)
    for section in ("plan", "rounds", "cells", "tables", "ro"):
        d, s = derived[section], stored[section]
        if d == s:
            continue
        if section == "ro":
            return _ro_difference(ac_id, n, d, s, state.touched_by)
        if section == "plan":
            return VerifyReport(
                ac_id, n, False, "the counting plan differs from the journal", state.touched_by.get("plan")
            )
        keys = sorted(set(d) | set(s), key=str)
        for k in keys:
            if d.get(k) != s.get(k):
                touch_key = (
                    ("round", k) if section == "rounds" else ("table", *k) if section == "tables" else k
                )
                seq = state.touched_by.get(touch_key)
                what = {
                    "rounds": f"round {k}",
                    "cells": f"round {k[0]} PS {k[1]} {k[2]}" if section == "cells" else "",
                    "tables": f"round {k[0]} PS {k[1]}" if section == "tables" else "",
                }[section]
                since = f"last changed by event #{seq}" if seq else "no event ever wrote it"
                return VerifyReport(
                    ac_id,
                    n,
                    False,
                    f"{what}: the store has {s.get(k)!r} but the journal gives {d.get(k)!r} "
                    f"({since}): changed behind the application's back",
                    seq,
                )
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
