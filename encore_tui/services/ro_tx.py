"""Reading the RO tables: records, and the RO state in the shape the ledger derives (verify)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Connection, select

from encore_tui.domain.ledger import canonical
from encore_tui.store.models import attachment as att_t
from encore_tui.store.models import blind_cell as blind_t
from encore_tui.store.models import ro_record as rec_t
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
