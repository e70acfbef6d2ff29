"""A round's decisions once it is entered: submit to the RO, return, approve (with every
approval check inside the transaction), publish, open a correction; the snapshot of its
figures kept at each decision and the message pushed to central for it. Each is ONE unit of
work; a caller may say "saved" only after the function returned."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping

from sqlalchemy import Connection, select, update

from encore_tui.domain import anomalies
from encore_tui.domain import checks as ck
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, RoundStatus, authorize, next_status
from encore_tui.domain.tally import Totals, entry_totals, round_tallies, sum_totals
from encore_tui.services.anomalies import round_anomalies_in
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue, RoundBlocked, ServiceError
from encore_tui.services.queries import entries_in, round_checks, round_row
from encore_tui.services.ro_checks import approval_checks
from encore_tui.services.ro_tx import get_record
from encore_tui.services.uow import Saved, Tx, unit_of_work
from encore_tui.services.users import confirm_pin
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import round_revision as rev_t
from encore_tui.wire import build as wire_build
from encore_tui.wire import messages as wire

log = logging.getLogger("encore.services")


def figures_snapshot(ctx: AcContext, round_no: int, entries: list[TableEntry]) -> tuple[str, str]:
    """Canonical JSON of a round's figures and its sha256 digest (printed on the sheet)."""
    doc = {
        "ac": ctx.setup.ac.number,
        "round": round_no,
        "tables": [
            {
                "table": e.table_no,
                "station": e.station,
                "values": dict(sorted(e.values.items())),
                "kept_aside": e.kept_aside.value if e.kept_aside else None,
                "note": e.kept_aside_note,
            }
            for e in entries
        ],
    }
    text = journal.canonical(doc)
    return text, hashlib.sha256(text.encode()).hexdigest()


def _transition(
    tx: Tx,
    round_no: int,
    action: Action,
    kind: str,
    *,
    remark: str | None = None,
    bump: bool = False,
    extra: Mapping | None = None,
    snapshot: tuple[str, str, str] | None = None,
):
    """Move a round to its next status and journal it; `snapshot` (stage, text, digest) keeps
    the figures as they were at this decision, carried by the same event."""
    conn, ac_id, actor, ts = tx.conn, tx.ac_id, tx.actor, tx.ts
    row = round_row(conn, ac_id, round_no)
    new = next_status(RoundStatus(row.status), action)
    revision = row.revision + (1 if bump else 0)
    remark = row.remark if remark is None else remark
    conn.execute(
        update(round_t)
        .where(round_t.c.ac_id == ac_id, round_t.c.round_no == round_no)
        .values(status=new.value, revision=revision, remark=remark, updated_at=ts, updated_by=actor.username)
    )
    if snapshot is not None:
        stage, text, digest = snapshot
        tx.snapshot(round_no, revision, stage, text, digest)
    payload = {"round": round_no, "status": new.value, "revision": revision, "remark": remark}
    payload.update(extra or {})
    ev = tx.event(kind, payload)
    return new, revision, ev


def submit_round(store: Store, ac_id: int, round_no: int, actor: Actor) -> Saved:
    """Hand a complete round to the RO. Refused (RoundBlocked) while any check blocks."""
    authorize(actor.role, Action.SUBMIT)
    with unit_of_work(store, ac_id, actor) as tx:
        conn = tx.conn
        ctx = load_context(store, ac_id, conn)
        entries = entries_in(conn, ctx, round_no)
        problems = ck.blocking(round_checks(conn, ctx, round_no, entries))
        if problems:
            raise RoundBlocked(
                f"Round {round_no} cannot be submitted: "
                + "; ".join(str(p) for p in problems[:3])
                + (f" and {len(problems) - 3} more" if len(problems) > 3 else ""),
                problems,
            )
        text, digest = figures_snapshot(ctx, round_no, entries)
        _, _, ev = _transition(
            tx,
            round_no,
            Action.SUBMIT,
            "round.submitted",
            bump=True,
            extra={"digest": digest},
            snapshot=("submitted", text, digest),
        )
    return tx.saved(ev)


def return_round(store: Store, ac_id: int, round_no: int, remark: str, actor: Actor) -> Saved:
    authorize(actor.role, Action.RETURN)
    if not remark.strip():
        raise InvalidValue("Write a remark telling the operator what to check.")
    with unit_of_work(store, ac_id, actor) as tx:
        _, _, ev = _transition(tx, round_no, Action.RETURN, "round.returned", remark=remark.strip())
    return tx.saved(ev)


def approve_round(store: Store, ac_id: int, round_no: int, actor: Actor, pin: str | None = None) -> Saved:
    """RO approval, the only way a round is approved: in round order, every rule checked inside
    the transaction (arithmetic, the blind spot check of the first rounds, an opened double
    entry, the postal scans); queues the round for publication in the same transaction.
    `pin`: re-entered by the RO on every interactive path (screens, `encore ro approve`)."""
    authorize(actor.role, Action.APPROVE)
    if pin is not None:
        confirm_pin(store, actor, pin, ac_id)

    with unit_of_work(store, ac_id, actor) as tx:
        conn, ts = tx.conn, tx.ts
        ctx = load_context(store, ac_id, conn)
        if round_no > 0:
            pending = conn.execute(
                select(round_t.c.round_no, round_t.c.status)
                .where(
                    round_t.c.ac_id == ac_id,
                    round_t.c.round_no > 0,
                    round_t.c.round_no < round_no,
                    round_t.c.status.not_in([RoundStatus.APPROVED.value, RoundStatus.PUBLISHED.value]),
                )
                .order_by(round_t.c.round_no)
            ).first()
            if pending:
                raise ServiceError(
                    f"Approve round {pending.round_no} ({RoundStatus(pending.status).label}) "
                    f"first: rounds are approved in order."
                )
        entries = entries_in(conn, ctx, round_no)
        problems = [c for c in round_checks(conn, ctx, round_no, entries) if c.is_error]
        before = round_row(conn, ac_id, round_no)
        problems += approval_checks(conn, ctx, round_no, entries, RoundStatus(before.status))
        if RoundStatus(before.status) is RoundStatus.SUBMITTED:  # as the blind checks: not the RO's own
            problems += anomalies.pending(round_anomalies_in(conn, ctx, round_no, entries))  # W204-W208
        if problems:
            raise RoundBlocked(f"Round {round_no} cannot be approved: {problems[0]}", problems)
        text, digest = figures_snapshot(ctx, round_no, entries)
        _, revision, ev = _transition(
            tx,
            round_no,
            Action.APPROVE,
            "round.approved",
            remark="",
            extra={"digest": digest},
            snapshot=("approved", text, digest),
        )
        # the complete message central receives (encore_tui/wire/messages.py), written with the approval
        reason = before.remark if before.status == RoundStatus.CORRECTION.value else ""
        msg = _round_message(conn, ctx, round_no, revision, entries, actor, ts, digest, ev, reason)
        key = wire.round_key(msg.kind, ctx.setup.ac.number, round_no, revision, ev.seq)
        tx.push(msg.kind, msg.model_dump(mode="json"), key)
    return tx.saved(ev, note=_after_approval(store, ac_id, round_no))


AFTER_APPROVAL = "after_approval"  # store.cache key: callable(store, ac_id, round_no) -> str


def _after_approval(store: Store, ac_id: int, round_no: int) -> str:
    """Run the hook installed for this store (services.backup.backup_after_approvals), after the
    approval committed. It never fails the approval: a problem is logged and returned as a note."""
    hook = store.cache.get(AFTER_APPROVAL)
    if hook is None:
        return ""
    try:
        return hook(store, ac_id, round_no) or ""
    except Exception as exc:  # the approval is saved; whatever the hook does cannot undo it
        log.exception("after approval of round %s", round_no)
        return f"Round {round_no} is approved and saved, but {exc}"


def publish_round(
    store: Store, ac_id: int, round_no: int, actor: Actor, revision: int | None = None
) -> Saved:
    """Mark an approved round published (the relay does this on central's acknowledgement)."""
    authorize(actor.role, Action.PUBLISH)
    with unit_of_work(store, ac_id, actor) as tx:
        row = round_row(tx.conn, ac_id, round_no)
        if revision is not None and row.revision != revision:
            raise ServiceError(f"Round {round_no} is at revision {row.revision}, not {revision}.")
        _, _, ev = _transition(tx, round_no, Action.PUBLISH, "round.published")
    return tx.saved(ev)


def refuse_if_form20_signed(conn: Connection, ac_id: int) -> None:
    """After the RO signs Form 20 the result is final: no correction, no recount (Rule 63/64)."""

    if get_record(conn, ac_id, "form20_signed"):
        raise ServiceError("Form 20 is signed: the result is final and no round can be corrected.")


def open_correction(
    store: Store, ac_id: int, round_no: int, reason: str, actor: Actor, pin: str | None = None
) -> Saved:
    """RO opens an approved/published round for correction: a new revision; every later approved
    round then needs re-approval (the ENCORE rule). `pin`: re-entered on interactive paths."""
    authorize(actor.role, Action.CORRECT)
    if not reason.strip():
        raise InvalidValue("Write the reason for the correction; it is printed on the correction annex.")
    if pin is not None:
        with store.read() as conn:  # before the PIN is checked: say so at once
            refuse_if_form20_signed(conn, ac_id)
        confirm_pin(store, actor, pin, ac_id)
    with unit_of_work(store, ac_id, actor) as tx:
        conn, ts = tx.conn, tx.ts
        refuse_if_form20_signed(conn, ac_id)
        later = [
            r
            for (r,) in conn.execute(
                select(round_t.c.round_no)
                .where(
                    round_t.c.ac_id == ac_id,
                    round_t.c.round_no > round_no,
                    round_t.c.status.in_([RoundStatus.APPROVED.value, RoundStatus.PUBLISHED.value]),
                )
                .order_by(round_t.c.round_no)
            )
        ]
        if later:
            conn.execute(
                update(round_t)
                .where(round_t.c.ac_id == ac_id, round_t.c.round_no.in_(later))
                .values(status=RoundStatus.NEEDS_REAPPROVAL.value, updated_at=ts, updated_by=actor.username)
            )
        _, _, ev = _transition(
            tx,
            round_no,
            Action.CORRECT,
            "round.correction_opened",
            remark=reason.strip(),
            bump=True,
            extra={"invalidated": later},
        )
    return tx.saved(ev)


# -- outbox --------------------------------------------------------------------------------------
def _round_message(
    conn: Connection,
    ctx: AcContext,
    round_no: int,
    revision: int,
    entries: list[TableEntry],
    actor: Actor,
    ts: str,
    digest: str,
    approval_event: journal.JournalEvent,
    correction_reason: str,
) -> wire.RoundResult | wire.PostalResult:
    """The wire message for an approved round: every table, and (EVM) the cumulative totals
    over the approved postal result and the earlier (approved, hence locked) rounds."""

    n = ctx.n
    approval = wire.Approval(by=actor.username, name=actor.label, at=ts)
    this = sum_totals((entry_totals(e, n) for e in entries), n)
    if round_no == POSTAL_ROUND:
        return wire_build.postal_result(
            ctx.setup,
            ctx.last_round,
            revision,
            entries,
            this,
            approval,
            digest,
            approval_event.hash,
            correction_reason,
            journal_seq=approval_event.seq,
        )
    # postal as last approved (its snapshot), even while it is open for correction
    snap = conn.execute(
        select(rev_t.c.figures)
        .where(rev_t.c.ac_id == ctx.ac_id, rev_t.c.round_no == POSTAL_ROUND, rev_t.c.stage == "approved")
        .order_by(rev_t.c.revision.desc())
    ).first()
    postal = None
    if snap is not None:
        tables = json.loads(snap.figures)["tables"]
        postal = sum_totals(
            (entry_totals(TableEntry(0, t["table"], t["station"], t["values"]), n) for t in tables), n
        )
    earlier = {r: entries_in(conn, ctx, r) for r in range(1, round_no)}
    tallies = round_tallies(earlier, n, postal)
    brought = tallies[-1].cumulative if tallies else (postal or Totals.zero(n))
    # the final VVPAT round of kept-aside stations (N+1) is pushed as what it is
    round_kind = "vvpat" if round_no > ctx.last_round else "evm"
    return wire_build.round_result(
        ctx.setup, ctx.last_round, round_no, revision, entries, this, brought, postal, approval,
        digest, approval_event.hash, correction_reason, round_kind, journal_seq=approval_event.seq,
    )  # fmt: skip
