"""Where each AC of a store stands, for the trainer's live screen (`encore training watch`): in a
training store every trainee's copy is an AC. Read only, one snapshot per refresh."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from encore_tui.domain.playback import event_round
from encore_tui.domain.rounds import RoundStatus
from encore_tui.services.context import Actor, load_context
from encore_tui.services.queries import entries_in, round_checks, round_infos
from encore_tui.services.training import refuse_unless_trainer, trainees_by_ac
from encore_tui.store import journal as journal_mod
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import journal as journal_t

HANDED_OVER = {
    RoundStatus.SUBMITTED,
    RoundStatus.APPROVED,
    RoundStatus.PUBLISHED,
    RoundStatus.NEEDS_REAPPROVAL,
    RoundStatus.CORRECTION,
}
ENTRY_KINDS = ("cell.entered", "table.imported", "table.kept_aside", "table.restored")
TAIL = 40  # journal events read back per AC to find the round being typed


@dataclass(frozen=True)
class AcProgress:
    ac_id: int
    number: int
    name: str
    trainee: str | None  # the trainee seated on this copy (services.training), in a training store
    round_no: int  # the round being typed (the last one an entry or a decision touched)
    rounds: int  # EVM rounds in the plan
    submitted: int  # rounds handed to the RO (and beyond)
    approved: int  # rounds approved or published
    cells: int  # figures entered in the current round
    cells_expected: int  # tables × fields of the current round
    last_entry: str | None  # UTC ISO time of the last figure or table entry
    failing: int  # errors (E-codes) the current round's checks report now


def _recent(conn: Connection, ac_id: int) -> tuple[int | None, str | None]:
    """(the round being typed, time of the latest entry) from the journal's tail: the round of
    the latest figure or table entry, else of the latest decision."""
    head = conn.execute(select(func.max(journal_t.c.seq)).where(journal_t.c.ac_id == ac_id)).scalar() or 0
    typed, decided, last = None, None, None
    for ev in journal_mod.events(conn, ac_id, since=max(0, head - TAIL)):
        r = event_round(ev.kind, ev.payload)
        if ev.kind in ENTRY_KINDS:
            typed, last = r, ev.ts
        elif r is not None:
            decided = r
    if last is None:
        row = conn.execute(
            select(journal_t.c.ts, journal_t.c.payload)
            .where(journal_t.c.ac_id == ac_id, journal_t.c.kind.in_(ENTRY_KINDS))
            .order_by(journal_t.c.seq.desc())
            .limit(1)
        ).first()
        if row is not None:
            last = row.ts
    return (typed if typed is not None else decided), last


def ac_progress(store: Store, actor: Actor) -> list[AcProgress]:
    """Every AC of the store, by number, with its progress now: a trainer's or an
    administrator's view (it names every trainee)."""
    refuse_unless_trainer(actor, "watch the trainees' progress")
    out = []
    with store.read(snapshot=True) as conn:
        trainees = trainees_by_ac(conn)
        acs = conn.execute(select(ac_t.c.id, ac_t.c.number, ac_t.c.name).order_by(ac_t.c.number)).all()
        for a in acs:
            ctx = load_context(store, a.id, conn)
            infos = round_infos(conn, a.id)
            recent, last = _recent(conn, a.id)
            if recent is None or recent not in infos:  # nothing typed yet: the first round not done
                todo = [r for r, i in infos.items() if not i.status.is_approved]
                recent = todo[0] if todo else max(infos)
            entries = entries_in(conn, ctx, recent)
            failing = sum(1 for c in round_checks(conn, ctx, recent, entries) if c.is_error)
            fields = len(ctx.fields_of(recent))
            out.append(
                AcProgress(
                    a.id,
                    a.number,
                    a.name,
                    trainees.get(a.id),
                    recent,
                    ctx.last_round,
                    sum(1 for i in infos.values() if i.status in HANDED_OVER),
                    sum(1 for i in infos.values() if i.status.is_approved),
                    sum(len(e.values) for e in entries),
                    fields * len(ctx.tables_of(recent)),
                    last,
                    failing,
                )
            )
    return out
