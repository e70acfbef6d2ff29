"""One RO change = one transaction whose table writes and journal event come from the same list
of effects (domain/ro_ledger.py replays them), so `encore journal verify` re-derives them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from encore_tui.domain.ro_ledger import canonical
from encore_tui.services.context import Actor
from encore_tui.store import journal
from encore_tui.store.models import attachment as att_t
from encore_tui.store.models import blind_cell as blind_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import ro_record as rec_t
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import vvpat_count as vv_t


class Effects:
    """Collects the changes of one service call, writing each to the tables as it goes."""

    def __init__(self, conn: Connection, ac_id: int, actor: Actor, ts: str) -> None:
        self.conn, self.ac_id, self.actor, self.ts = conn, ac_id, actor, ts
        self.eff: dict[str, Any] = {}

    def _add(self, section: str, item: Any) -> None:
        self.eff.setdefault(section, []).append(item)

    # -- writers ----------------------------------------------------------------------------------
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
        from encore_tui.domain.rounds import RoundStatus

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
        sha = hashlib.sha256(content).hexdigest()
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

    # -- the event --------------------------------------------------------------------------------
    def journal(self, kind: str, payload: Mapping | None = None) -> journal.JournalEvent:
        body = dict(payload or {})
        body["effects"] = self.eff
        return journal.append(
            self.conn, self.ac_id, self.actor.username, self.actor.role, kind, body, self.ts
        )


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
