"""Correcting the setup after counting began: a candidate's name or party misspelt in the
setup, decided by the RO (or the administrator) with a reason.

One unit of work: the AC's setup, a `setup.amended` journal event (the whole new setup, the
candidate before and after, the reason) and, once something was queued for central, the signed
setup amendment central needs (`counting.amend_central_setup`; the board marks it). The number of
candidates and their ballot order never change. The printed sheets' chain keeps starting from the
setup as it was first made (`setup_genesis`), so sheets printed before the correction still verify.
"""

from __future__ import annotations

import json

from sqlalchemy import update

from encore_tui.domain.rounds import Action, authorize
from encore_tui.domain.setup import Setup
from encore_tui.services.context import Actor, load_context
from encore_tui.services.counting import amend_central_setup
from encore_tui.services.errors import InvalidValue, ServiceError
from encore_tui.services.ro_tx import get_record
from encore_tui.services.uow import Saved, unit_of_work
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t

GENESIS = "setup_genesis"  # ro_record: the setup JSON the sheet chain starts from
COUNT = "setup_amendments"  # ro_record: how many amendments so far (the message's revision)
FIELDS = ("name", "name_hi", "party", "party_hi")


def amend_candidate(
    store: Store, ac_id: int, serial: int, changes: dict[str, str], reason: str, actor: Actor
) -> Saved:
    """Correct candidate `serial`'s name, Hindi name, party or Hindi party (`changes`)."""
    authorize(actor.role, Action.CHANGE_PLAN)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidValue("Give the reason for the correction (it is shown on the results board).")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidValue(f"Only {', '.join(FIELDS)} can be corrected, not {', '.join(unknown)}.")
    changes = {k: " ".join(v.split()) for k, v in changes.items()}
    if any(not v for k, v in changes.items() if k in ("name", "party")):
        raise InvalidValue("A candidate's name and party cannot be empty.")
    with unit_of_work(store, ac_id, actor) as tx:
        conn = tx.conn
        ctx = load_context(store, ac_id, conn)
        if get_record(conn, ac_id, "form20_signed"):
            raise ServiceError("Form 20 is signed: the setup cannot change any more.")
        before = next((c for c in ctx.setup.candidates if c.serial == serial), None)
        if before is None:
            raise InvalidValue(f"There is no candidate {serial}: the ballot has 1..{ctx.n}.")
        after = before.model_copy(update=changes)
        if after == before:
            raise InvalidValue(f"Candidate {serial} already reads so: nothing to correct.")
        doc = json.loads(ctx.setup.model_dump_json())
        doc["candidates"][serial - 1] = json.loads(after.model_dump_json())
        new = Setup.model_validate(doc)
        if get_record(conn, ac_id, GENESIS) is None:
            tx.record(GENESIS, {"json": ctx.setup.model_dump_json()})
        n = (get_record(conn, ac_id, COUNT) or {}).get("n", 0) + 1
        tx.record(COUNT, {"n": n})
        conn.execute(update(ac_t).where(ac_t.c.id == ac_id).values(setup_json=new.model_dump_json()))
        ev = tx.event(
            "setup.amended",
            {
                "setup": json.loads(new.model_dump_json()),
                "serial": serial,
                "before": {k: getattr(before, k) for k in FIELDS},
                "after": {k: getattr(after, k) for k in FIELDS},
                "reason": reason,
            },
        )
        what = f"candidate {serial}: {before.name} ({before.party}) → {after.name} ({after.party})"
        amend_central_setup(tx, ctx, new, ctx.last_round, f"{reason} — {what}", n, ev)
    store.cache.pop(("ctx", ac_id), None)
    return tx.saved(ev)


def genesis_setup_json(store: Store, ac_id: int, current: Setup) -> str:
    """The setup JSON the printed sheets' chain starts from: as first made, even after a
    correction (sheets printed before it still verify)."""
    with store.read() as conn:
        rec = get_record(conn, ac_id, GENESIS)
    return rec["json"] if rec else current.model_dump_json()
