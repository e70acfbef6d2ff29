"""The RO's decisions under the margin rules (domain/margin_rules.py): the re-verification of
rejected postal ballots, and the VVPAT slip count of kept-aside stations. Each is one unit of
work with the RO's PIN re-entered, recorded in `ro_record` (journaled, replayed by verify)."""

from __future__ import annotations

import contextlib

from sqlalchemy import Connection

from encore_tui.domain import checks as ck
from encore_tui.domain import margin_rules as mr
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, authorize
from encore_tui.domain.tally import Form20
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue, ServiceError
from encore_tui.services.form17c import form17c_in
from encore_tui.services.queries import all_entries, form20_in
from encore_tui.services.ro_tx import get_record
from encore_tui.services.uow import Saved, unit_of_work
from encore_tui.services.users import confirm_pin
from encore_tui.store.engine import Store

POSTAL_REVERIFIED = "postal_reverification"
KEPT_SLIPS = "kept_aside_slips_decision"
OUTCOMES = ("upheld", "corrected")  # every rejection upheld / some found valid: postal round corrected


def kept_reasons(conn: Connection, ctx: AcContext) -> dict[str, KeptAsideReason]:
    """Why each kept-aside station was kept aside (its EVM round's table)."""
    out: dict[str, KeptAsideReason] = {}
    for r, entries in all_entries(conn, ctx).items():
        if r == POSTAL_ROUND or r > ctx.last_round:
            continue
        out.update({e.station: e.kept_aside for e in entries if e.kept_aside is not None})
    return out


def margin_checks_in(conn: Connection, ctx: AcContext, f20: Form20) -> list[ck.Check]:
    return mr.margin_checks(
        f20,
        kept_reasons(conn, ctx),
        form17c_in(conn, ctx),
        postal_reverified=get_record(conn, ctx.ac_id, POSTAL_REVERIFIED),
        kept_aside_decision=get_record(conn, ctx.ac_id, KEPT_SLIPS),
    )


def _f20(conn: Connection, ctx: AcContext) -> Form20:
    return form20_in(conn, ctx)


@contextlib.contextmanager
def _ro_decision(store: Store, ac_id: int, actor: Actor, pin: str, remark: str, ask: str):
    """The RO's PIN, a remark, and one unit of work, before the result is declared."""
    authorize(actor.role, Action.DECLARE)
    if not remark.strip():
        raise InvalidValue(ask)
    confirm_pin(store, actor, pin, ac_id)
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as tx:
        if get_record(tx.conn, ac_id, "declaration"):
            raise ServiceError("The result is already declared.")
        yield tx, ctx


def record_postal_reverification(
    store: Store, ac_id: int, checked: int, outcome: str, remark: str, actor: Actor, pin: str
) -> Saved:
    """Every rejected postal ballot was re-verified (in front of the candidates' agents): the
    number checked, the outcome and the RO's remark. 'corrected': some were found valid and the
    RO corrects the postal round (ro correct 0); the rule is then met."""
    if outcome not in OUTCOMES:
        raise InvalidValue(f"The outcome is one of: {', '.join(OUTCOMES)}.")
    ask = "Write what was re-verified and found (who was present, the result)."
    with _ro_decision(store, ac_id, actor, pin, remark, ask) as (tx, ctx):
        f20 = _f20(tx.conn, ctx)
        rejected = f20.postal.rejected
        if rejected == 0:
            raise ServiceError("No postal ballot was rejected: there is nothing to re-verify.")
        if checked != rejected:
            raise InvalidValue(
                f"Every rejected postal ballot is re-verified: {rejected} were rejected, not {checked}."
            )
        rec = {
            "checked": checked,
            "rejected": rejected,
            "margin": mr.margin(f20),
            "outcome": outcome,
            "remark": remark.strip(),
            "by": actor.username,
            "at": tx.ts,
        }
        tx.record(POSTAL_REVERIFIED, rec)
        ev = tx.event("result.postal_reverified", {k: rec[k] for k in ("checked", "margin", "outcome")})
    return tx.saved(ev)


def record_kept_aside_slips(store: Store, ac_id: int, remark: str, actor: Actor, pin: str) -> Saved:
    """The RO's decision that the kept-aside stations under the margin rule have their VVPAT slips
    counted (the counts are entered in the VVPAT round: E110 until they are)."""
    ask = "Write the decision (who was present; the slips are counted)."
    with _ro_decision(store, ac_id, actor, pin, remark, ask) as (tx, ctx):
        ex = mr.kept_aside_exposure(_f20(tx.conn, ctx), kept_reasons(tx.conn, ctx), form17c_in(tx.conn, ctx))
        if not ex.stations:
            raise ServiceError("No station is kept aside for mock poll or a 17C mismatch.")
        rec = {
            "stations": list(ex.stations),
            "margin": ex.margin,
            "recorded": ex.recorded,
            "required": ex.slips_required,
            "remark": remark.strip(),
            "by": actor.username,
            "at": tx.ts,
        }
        tx.record(KEPT_SLIPS, rec)
        ev = tx.event("result.kept_aside_slips", {k: rec[k] for k in ("stations", "margin", "recorded")})
    return tx.saved(ev)
