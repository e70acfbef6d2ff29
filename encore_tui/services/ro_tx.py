"""The RO tables inside a transaction: records, corrections opened, and the RO state in the
shape the ledger derives (verify)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Connection, select

from encore_tui.domain.ledger import canonical
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, RoundStatus, next_status
from encore_tui.services.uow import Tx
from encore_tui.store.models import attachment as att_t
from encore_tui.store.models import blind_cell as blind_t
from encore_tui.store.models import ro_record as rec_t
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import vvpat_count as vv_t


def stored_ro_state(conn: Connection, ac_id: int) -> dict:
    """The RO tables in the shape of CountState.ro (for verify)."""
    records = {
        r.key: canonical(json.loads(r.value))
        for r in conn.execute(select(rec_t.c.key, rec_t.c.value).where(rec_t.c.ac_id == ac_id))
    }
    blind = {
        (r.round_no, r.purpose, r.station, r.field): r.value
        for r in conn.execute(select(blind_t).where(blind_t.c.ac_id == ac_id))
    }
    counts = {
        (r.station, r.attempt): canonical(json.loads(r.slips))
        for r in conn.execute(select(vv_t).where(vv_t.c.ac_id == ac_id))
    }
    atts = {}
    for r in conn.execute(select(att_t).where(att_t.c.ac_id == ac_id)):
        # re-hash the stored bytes: a swapped scan shows up even when its row metadata was kept
        content = bytes(r.content)
        atts[(r.purpose, -1 if r.round_no is None else r.round_no, r.sha256)] = (
            r.filename,
            len(content),
            r.media_type,
            hashlib.sha256(content).hexdigest(),
        )
    out = {"records": records, "blind": blind, "vvpat_counts": counts, "attachments": atts}
    return {k: dict(sorted(v.items(), key=lambda kv: str(kv[0]))) for k, v in sorted(out.items()) if v}


def get_record(conn: Connection, ac_id: int, key: str) -> dict | None:
    v = conn.execute(select(rec_t.c.value).where(rec_t.c.ac_id == ac_id, rec_t.c.key == key)).scalar()
    return json.loads(v) if v else None


def records_like(conn: Connection, ac_id: int, prefix: str) -> dict[str, dict]:
    rows = conn.execute(
        select(rec_t.c.key, rec_t.c.value).where(rec_t.c.ac_id == ac_id, rec_t.c.key.startswith(prefix))
    )
    return {r.key: json.loads(r.value) for r in rows}


def open_corrections(fx: Tx, ac_id: int, rounds: list[int], reason: str) -> list[int]:
    """Within one transaction: put `rounds` into correction (a new revision each, unless already
    in correction) and mark every later approved round for re-approval. Returns those."""
    rows = {r.round_no: r for r in fx.conn.execute(select(round_t).where(round_t.c.ac_id == ac_id))}
    targets = sorted(set(rounds))
    for r in targets:
        row = rows[r]
        status = RoundStatus(row.status)
        if status is RoundStatus.CORRECTION:
            continue
        new = next_status(status, Action.CORRECT)
        fx.round_state(r, row.kind, new.value, row.revision + 1, reason)
    first = targets[0]
    later = [
        r
        for r, row in sorted(rows.items())
        if r > first and r not in targets and RoundStatus(row.status).is_approved and r != POSTAL_ROUND
    ]
    fx.invalidate(later)
    return later
