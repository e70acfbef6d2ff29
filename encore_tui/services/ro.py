"""RO review: the queue, a round's review with its difference view, approval with the PIN
re-entered, return, correction (and its annex), the blind spot check and full double entry.
Screens and the CLI call these; each write is one transaction and one journal event."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from encore_tui.domain import checks as ck
from encore_tui.domain import review
from encore_tui.domain.entries import KeptAsideReason, TableEntry
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.review import BlindPurpose, CellChange, SpotMode
from encore_tui.domain.rounds import Action, Role, RoundStatus, authorize
from encore_tui.domain.setup import NOTA, REJECTED, TOTAL
from encore_tui.domain.tally import Totals, entry_totals, sum_totals
from encore_tui.services import decisions
from encore_tui.services.anomalies import pending_anomalies
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue, ServiceError
from encore_tui.services.queries import RoundView, entries_in, round_infos, round_view
from encore_tui.services.ro_checks import (
    SPOT_SETTING,
    blind_cells_of,
    blind_key,
    compare,
    postal_scan_count,
    rekeyed_values,
    ro_path_checks,
    spot_check_rounds_in,
    spot_required,
)
from encore_tui.services.ro_result import list_attachments
from encore_tui.services.ro_tx import get_record, records_like
from encore_tui.services.uow import Saved, unit_of_work
from encore_tui.store.engine import Store
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import journal as journal_t
from encore_tui.store.models import round_revision as rev_t
from encore_tui.store.models import user as user_t

AWAITING_RO = (RoundStatus.SUBMITTED, RoundStatus.CORRECTION, RoundStatus.NEEDS_REAPPROVAL)


# -- settings ---------------------------------------------------------------------------------------
def spot_check_rounds(store: Store, ac_id: int) -> int:
    """How many first EVM rounds need a blind spot check before the RO approves them."""
    with store.read() as conn:
        return spot_check_rounds_in(conn, ac_id)


def set_spot_check_rounds(store: Store, ac_id: int, rounds: int, actor: Actor) -> Saved:
    authorize(actor.role, Action.CHANGE_PLAN)
    if not 0 <= rounds <= 99:
        raise InvalidValue("The number of spot-checked rounds is 0..99 (0: none required).")
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        load_context(store, ac_id, conn)
        fx.record(SPOT_SETTING, {"value": rounds})
        ev = fx.event("ro.setting_changed", {"setting": "spot_check_rounds", "value": rounds})
    return fx.saved(ev)


# -- the queue and a round's review -------------------------------------------------------------------
@dataclass(frozen=True)
class QueueItem:
    round_no: int
    kind: str  # postal | evm | vvpat
    status: RoundStatus
    revision: int
    updated_at: str
    updated_by: str
    remark: str
    in_order: bool  # every earlier round is approved: this one can be approved now
    spot_required: bool
    spot_state: str  # "not needed" | "to draw" | "3/5 keyed" | "differs" | "done"
    double_state: str  # "" | "2/24 keyed" | "differs" | "done"


def _blind_state(cells: list[review.BlindCell] | None) -> str:
    if cells is None:
        return ""
    if any(c.differs for c in cells):
        return "differs"
    keyed = sum(1 for c in cells if c.keyed)
    return "done" if keyed == len(cells) else f"{keyed}/{len(cells)} keyed"


def review_queue(store: Store, ac_id: int) -> list[QueueItem]:
    """Rounds waiting for the RO (submitted, in correction, needing re-approval), postal first,
    then in round order."""
    ctx = load_context(store, ac_id)
    k = spot_check_rounds(store, ac_id)
    out = []
    with store.read() as conn:
        infos = round_infos(conn, ac_id)
        for r, info in sorted(infos.items()):
            if info.status not in AWAITING_RO:
                continue
            entries = entries_in(conn, ctx, r)
            in_order = r == POSTAL_ROUND or all(i.status.is_approved for rr, i in infos.items() if 0 < rr < r)
            required = spot_required(r, info.status, k)
            # a spot check binds the submitted figures only (not a correction or re-approval)
            submitted = info.status is RoundStatus.SUBMITTED
            spot = compare(conn, ctx, r, BlindPurpose.SPOT, entries) if submitted else None
            spot_state = _blind_state(spot) or ("to draw" if required else "not needed")
            out.append(
                QueueItem(
                    r,
                    info.kind,
                    info.status,
                    info.revision,
                    info.updated_at,
                    info.updated_by,
                    info.remark,
                    in_order,
                    required,
                    spot_state,
                    _blind_state(compare(conn, ctx, r, BlindPurpose.DOUBLE, entries)) if submitted else "",
                )
            )
    return out


@dataclass(frozen=True)
class RoundDiff:
    round_no: int
    base_revision: int
    base_stage: str  # submitted | approved
    base_at: str
    base_by: str
    current_revision: int
    changes: list[CellChange]


def _snapshots(conn, ac_id: int, round_no: int) -> list:
    return conn.execute(
        select(rev_t)
        .where(rev_t.c.ac_id == ac_id, rev_t.c.round_no == round_no)
        .order_by(rev_t.c.revision, rev_t.c.created_at)
    ).all()


def _base_snapshot(rows, below: int):
    """The latest snapshot of an earlier revision, its approved stage preferred."""
    earlier = [r for r in rows if r.revision < below]
    if not earlier:
        return None
    rev = max(r.revision for r in earlier)
    same = [r for r in earlier if r.revision == rev]
    approved = [r for r in same if r.stage == "approved"]
    return (approved or same)[-1]


def round_diff(store: Store, ac_id: int, round_no: int) -> RoundDiff | None:
    """The round's current figures against its previous revision (None for a first submission)."""
    import json

    ctx = load_context(store, ac_id)
    with store.read() as conn:
        info = round_infos(conn, ac_id).get(round_no)
        if info is None:
            raise ServiceError(f"There is no round {round_no}.")
        base = _base_snapshot(_snapshots(conn, ac_id, round_no), info.revision)
        if base is None:
            return None
        text, _ = decisions.figures_snapshot(ctx, round_no, entries_in(conn, ctx, round_no))
    changes = review.diff_figures(json.loads(base.figures), json.loads(text), ctx.fields_of(round_no))
    return RoundDiff(
        round_no, base.revision, base.stage, base.created_at, base.created_by, info.revision, changes
    )


@dataclass(frozen=True)
class RoundReview:
    """Everything the RO's review screen shows for one round."""

    view: RoundView  # figures, checks, this round's and cumulative totals, lead
    diff: RoundDiff | None
    spot_required: bool
    spot: list[review.BlindCell] | None  # None: not drawn
    double: list[review.BlindCell] | None  # None: no double entry
    blockers: list[ck.Check]  # what stops approval right now (empty: the RO may approve)
    in_order: bool
    scans: list = field(default_factory=list)  # postal round: the Form 13A/13B AttachmentInfo list


def review_round(store: Store, ac_id: int, round_no: int) -> RoundReview:
    view = round_view(store, ac_id, round_no)
    ctx = view.ctx
    k = spot_check_rounds(store, ac_id)
    with store.read() as conn:
        infos = round_infos(conn, ac_id)
        spot = compare(conn, ctx, round_no, BlindPurpose.SPOT, view.entries)
        double = compare(conn, ctx, round_no, BlindPurpose.DOUBLE, view.entries)
        scans = postal_scan_count(conn, ac_id) if round_no == POSTAL_ROUND else 0
    in_order = round_no == POSTAL_ROUND or all(
        i.status.is_approved for r, i in infos.items() if 0 < r < round_no
    )
    blockers = [c for c in view.checks if c.is_error]
    required = spot_required(round_no, view.info.status, k)
    # the same rules approve_round checks inside its transaction
    blockers += ro_path_checks(round_no, view.info.status, required, spot, scans)
    if view.info.status is RoundStatus.SUBMITTED:
        for purpose, cells in ((BlindPurpose.SPOT, spot), (BlindPurpose.DOUBLE, double)):
            if cells is not None:
                blockers += review.blind_checks(purpose, round_no, cells)
    if view.info.status is RoundStatus.SUBMITTED:  # W204-W208: the RO acknowledges them
        blockers += pending_anomalies(store, ac_id, round_no)
    scan_list = []
    if round_no == POSTAL_ROUND:
        scan_list = [a for a in list_attachments(store, ac_id) if a.purpose in ("form13a", "form13b")]
    return RoundReview(
        view, round_diff(store, ac_id, round_no), required, spot, double, blockers, in_order, scan_list
    )


# -- decisions ------------------------------------------------------------------------------------
def approve(store: Store, ac_id: int, round_no: int, actor: Actor, pin: str) -> Saved:
    """The RO approves with the PIN re-entered (every rule is checked by approve_round itself)."""
    return decisions.approve_round(store, ac_id, round_no, actor, pin=pin)


def return_to_operator(store: Store, ac_id: int, round_no: int, remark: str, actor: Actor) -> Saved:
    return decisions.return_round(store, ac_id, round_no, remark, actor)


def correct(store: Store, ac_id: int, round_no: int, reason: str, actor: Actor, pin: str) -> Saved:
    """Open an approved/published round for correction (PIN re-entered); later rounds then need
    re-approval. The RO then types the right figures and approves it again."""
    return decisions.open_correction(store, ac_id, round_no, reason, actor, pin=pin)


# -- the correction annex ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CorrectionAnnex:
    """What the printed correction annex shows: revision N against N+1."""

    ac_number: int
    ac_name: str
    round_no: int
    from_revision: int
    to_revision: int
    reason: str
    opened_by: str
    opened_at: str
    opened_event: int
    approved_by: str | None  # None while the correction is not approved yet
    approved_at: str | None
    changes: list[CellChange]
    invalidated: list[int]  # later rounds that had to be approved (and published) again
    this_round_before: Totals | None
    this_round_after: Totals | None
    candidates: list[str] = field(default_factory=list)


def correction_annex(store: Store, ac_id: int, round_no: int, revision: int | None = None) -> CorrectionAnnex:
    """The annex of the correction that produced `revision` (default: the latest correction)."""
    import json

    ctx = load_context(store, ac_id)
    with store.read() as conn:
        openings = []
        for r in conn.execute(
            select(journal_t)
            .where(
                journal_t.c.ac_id == ac_id,
                journal_t.c.kind.in_(["round.correction_opened", "vvpat.amended", "recount.decided"]),
            )
            .order_by(journal_t.c.seq)
        ):
            p = json.loads(r.payload)
            if r.kind == "round.correction_opened":
                if int(p["round"]) == round_no:
                    openings.append((int(p["revision"]), p.get("remark", ""), r, p.get("invalidated", [])))
            else:
                eff = p.get("effects", {})
                for rr, _k, _s, rev, remark in eff.get("rounds", []):
                    if int(rr) == round_no:
                        openings.append((int(rev), remark, r, eff.get("invalidated", [])))
        if revision is not None:
            openings = [o for o in openings if o[0] == revision]
        if not openings:
            raise ServiceError(
                f"Round {round_no} has no correction{f' to revision {revision}' if revision else ''}."
            )
        to_rev, reason, ev, invalidated = openings[-1]
        snaps = _snapshots(conn, ac_id, round_no)
        base = _base_snapshot([s for s in snaps if s.stage == "approved"], to_rev)
        after = [s for s in snaps if s.revision == to_rev and s.stage == "approved"]
        if after:
            after_doc, approved_by, approved_at = (
                json.loads(after[-1].figures),
                after[-1].created_by,
                after[-1].created_at,
            )
        else:
            text, _ = decisions.figures_snapshot(ctx, round_no, entries_in(conn, ctx, round_no))
            after_doc, approved_by, approved_at = json.loads(text), None, None
    before_doc = json.loads(base.figures) if base else {"tables": []}
    fields = ctx.fields_of(round_no)
    return CorrectionAnnex(
        ctx.setup.ac.number,
        ctx.setup.ac.name,
        round_no,
        base.revision if base else 0,
        to_rev,
        reason,
        ev.actor,
        ev.ts,
        ev.seq,
        approved_by,
        approved_at,
        review.diff_figures(before_doc, after_doc, fields),
        [int(x) for x in invalidated],
        _doc_totals(ctx, before_doc) if base else None,
        _doc_totals(ctx, after_doc),
        [c.name for c in ctx.setup.candidates],
    )


def _doc_totals(ctx: AcContext, doc) -> Totals:
    es = [
        TableEntry(
            doc.get("round", 0),
            t,
            s,
            v,
            KeptAsideReason(k) if k else None,
        )
        for s, (t, v, k) in review.figures_of(doc).items()
    ]
    return sum_totals((entry_totals(e, ctx.n) for e in es), ctx.n)


# -- blind spot check and double entry -------------------------------------------------------------
@dataclass(frozen=True)
class BlindPrompt:
    """One cell to re-key, WITHOUT the entered value."""

    table_no: int
    station: str
    field: str
    label: str  # candidate name / NOTA / Total
    rekeyed: int | None  # what this keyer typed so far


@dataclass(frozen=True)
class BlindSheet:
    round_no: int
    purpose: BlindPurpose
    keyer: str  # who may key (the RO for a spot check, the second operator for double entry)
    prompts: list[BlindPrompt]


def _label(ctx: AcContext, f: str) -> str:
    if f.startswith("c") and f[1:].isdigit():
        c = ctx.setup.candidates[int(f[1:]) - 1]
        return f"{c.serial}. {c.name} ({c.party})"
    return {NOTA: "NOTA", TOTAL: "Total", REJECTED: "Rejected"}.get(f, f)


def _round_status(conn, ac_id: int, round_no: int) -> RoundStatus:
    info = round_infos(conn, ac_id).get(round_no)
    if info is None:
        raise ServiceError(f"There is no round {round_no}.")
    return info.status


def draw_spot_check(
    store: Store,
    ac_id: int,
    round_no: int,
    actor: Actor,
    *,
    mode: SpotMode | str = SpotMode.CELLS,
    cells: int = review.DEFAULT_SPOT_CELLS,
    seed: int | None = None,
) -> list[tuple[str, str]]:
    """Draw the cells the RO re-keys blind (seed recorded so the draw can be reproduced).
    One draw per round: it cannot be redrawn to find a friendlier sample."""
    authorize(actor.role, Action.APPROVE)
    mode = SpotMode(mode)
    if not 1 <= cells <= 100:
        raise InvalidValue("Spot-check 1..100 cells.")
    seed = secrets.randbits(48) if seed is None else int(seed)
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        if _round_status(conn, ac_id, round_no) is not RoundStatus.SUBMITTED:
            raise ServiceError(f"Round {round_no} is not submitted: a spot check is drawn before approval.")
        if get_record(conn, ac_id, blind_key(round_no, BlindPurpose.SPOT)):
            raise ServiceError(f"The spot check of round {round_no} was already drawn; it cannot be redrawn.")
        entries = entries_in(conn, ctx, round_no)
        picks = review.spot_picks(seed, entries, ctx.fields_of(round_no), mode, cells)
        if not picks:
            raise ServiceError(f"Round {round_no} has no counted table to spot-check.")
        fx.record(
            blind_key(round_no, BlindPurpose.SPOT),
            {
                "seed": seed,
                "mode": mode.value,
                "cells": cells,
                "picks": [list(p) for p in picks],
                "keyer": actor.username,
            },
        )
        fx.event("blind.opened", {"round": round_no, "purpose": "spot", "seed": seed, "mode": mode.value})
    return picks


def open_double_entry(store: Store, ac_id: int, round_no: int, keyer: str, actor: Actor) -> Saved:
    """The RO has a second operator key the whole round blind into a separate area."""
    authorize(actor.role, Action.APPROVE)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        status = _round_status(conn, ac_id, round_no)
        if status.is_approved or status in (RoundStatus.CORRECTION, RoundStatus.NEEDS_REAPPROVAL):
            raise ServiceError(
                f"Round {round_no} is {status.label}: double entry is for rounds not yet approved."
            )
        u = conn.execute(select(user_t).where(user_t.c.username == keyer)).one_or_none()
        if u is None or Role(u.role) not in (Role.OPERATOR, Role.ARO):
            raise InvalidValue(f"'{keyer}' is not an operator account.")
        first = {
            by
            for (by,) in conn.execute(
                select(cell_t.c.updated_by)
                .where(cell_t.c.ac_id == ac_id, cell_t.c.round_no == round_no)
                .distinct()
            )
        }
        if keyer in first:
            raise InvalidValue(f"'{keyer}' keyed this round: the second keying must be by someone else.")
        if get_record(conn, ac_id, blind_key(round_no, BlindPurpose.DOUBLE)):
            raise ServiceError(f"Double entry of round {round_no} is already open.")
        fx.record(blind_key(round_no, BlindPurpose.DOUBLE), {"keyer": keyer})
        ev = fx.event("blind.opened", {"round": round_no, "purpose": "double", "keyer": keyer})
    return fx.saved(ev)


def blind_sheet(
    store: Store, ac_id: int, round_no: int, purpose: BlindPurpose | str, actor: Actor
) -> BlindSheet:
    """The cells to re-key for this keyer, never showing the entered figures."""
    purpose = BlindPurpose(purpose)
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        header = get_record(conn, ac_id, blind_key(round_no, purpose))
        if header is None:
            raise ServiceError(
                f"No {'spot check' if purpose is BlindPurpose.SPOT else 'double entry'} is open for round {round_no}."
            )
        _may_key(purpose, header, actor)
        entries = entries_in(conn, ctx, round_no)

        cells = blind_cells_of(conn, ctx, round_no, purpose, entries) or []
        mine = rekeyed_values(conn, ac_id, round_no, purpose)
    tables = {e.station: e.table_no for e in entries}
    return BlindSheet(
        round_no,
        purpose,
        header["keyer"],
        [BlindPrompt(tables.get(s, 0), s, f, _label(ctx, f), mine.get((s, f))) for s, f in cells],
    )


def double_entries_for(store: Store, ac_id: int, actor: Actor) -> list[int]:
    """Rounds whose blind second keying is assigned to this user and still has cells to key
    (rounds already approved are left out): what the operator's dashboard offers."""

    ctx = load_context(store, ac_id)
    out = []
    with store.read() as conn:
        infos = round_infos(conn, ac_id)
        for key, header in records_like(conn, ac_id, "blind:").items():
            _, r, purpose = key.split(":")
            info = infos.get(int(r))
            if purpose != BlindPurpose.DOUBLE.value or header.get("keyer") != actor.username:
                continue
            if info is None or info.status.is_approved:
                continue
            cells = (
                blind_cells_of(conn, ctx, int(r), BlindPurpose.DOUBLE, entries_in(conn, ctx, int(r))) or []
            )
            mine = rekeyed_values(conn, ac_id, int(r), BlindPurpose.DOUBLE)
            if any(c not in mine for c in cells):
                out.append(int(r))
    return sorted(out)


def _may_key(purpose: BlindPurpose, header: dict, actor: Actor) -> None:
    if purpose is BlindPurpose.SPOT:
        authorize(actor.role, Action.APPROVE)
    else:
        authorize(actor.role, Action.ENTER)
        if actor.username != header["keyer"]:
            raise ServiceError(f"The second keying of this round is assigned to '{header['keyer']}'.")


def enter_blind(
    store: Store,
    ac_id: int,
    round_no: int,
    purpose: BlindPurpose | str,
    station: str,
    field: str,
    value: int | None,
    actor: Actor,
) -> Saved:
    authorize(actor.role, Action.ENTER)  # observers never key; who exactly: _may_key below
    purpose = BlindPurpose(purpose)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidValue(f"{value!r} is not a number of votes.")
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        header = get_record(conn, ac_id, blind_key(round_no, purpose))
        if header is None:
            raise ServiceError(f"Nothing is open for blind keying in round {round_no}.")
        _may_key(purpose, header, actor)
        status = _round_status(conn, ac_id, round_no)
        if status.is_approved:
            raise ServiceError(f"Round {round_no} is already {status.label}.")

        cells = blind_cells_of(conn, ctx, round_no, purpose, entries_in(conn, ctx, round_no)) or []
        if (station, field) not in cells:
            raise InvalidValue(f"PS {station} {field} is not a cell to re-key in round {round_no}.")
        if value is not None and value > ctx.max_value(round_no, station):
            raise InvalidValue(f"{value} is more than the electors of this station: check the sheet.")
        fx.blind(round_no, purpose.value, station, field, value)
        ev = fx.event("blind.entered", {"round": round_no, "purpose": purpose.value})
    return fx.saved(ev, after=value)


def blind_result(store: Store, ac_id: int, round_no: int, purpose: BlindPurpose | str, actor: Actor):
    """Entered next to re-keyed figures, side by side (for the RO and the observer only: the
    blind keyer must not see the operator's figures)."""
    purpose = BlindPurpose(purpose)
    if actor.role not in (Role.RO, Role.OBSERVER):
        raise ServiceError("Only the RO (and the observer) see the comparison of a blind keying.")
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        entries = entries_in(conn, ctx, round_no)
        cells = compare(conn, ctx, round_no, purpose, entries)
    if cells is None:
        raise ServiceError(f"No {purpose.value} keying is open for round {round_no}.")
    return cells


def resolve_blind(
    store: Store,
    ac_id: int,
    round_no: int,
    purpose: BlindPurpose | str,
    station: str,
    field: str,
    take: str,
    actor: Actor,
) -> Saved:
    """The RO decides one differing cell: take "entered" (the operator's figure stands) or
    "rekeyed" (the blind figure replaces the entered one). Both areas then agree."""
    authorize(actor.role, Action.APPROVE)
    purpose = BlindPurpose(purpose)
    if take not in ("entered", "rekeyed"):
        raise InvalidValue("Take 'entered' or 'rekeyed'.")
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        status = _round_status(conn, ac_id, round_no)
        if status.is_approved or status is RoundStatus.NEEDS_REAPPROVAL:
            raise ServiceError(f"Round {round_no} is {status.label}: open a correction instead.")
        cells = compare(conn, ctx, round_no, purpose, entries_in(conn, ctx, round_no)) or []
        cell = next((c for c in cells if (c.station, c.field) == (station, field)), None)
        if cell is None or not cell.keyed:
            raise InvalidValue(f"PS {station} {field} has no re-keyed figure in round {round_no}.")
        value = cell.entered if take == "entered" else cell.rekeyed
        if value is None:
            raise InvalidValue("The entered cell is blank: take the re-keyed figure or return the round.")
        fx.blind(round_no, purpose.value, station, field, value)
        if value != cell.entered:
            fx.cell(round_no, station, field, value)
        ev = fx.event(
            "blind.resolved",
            {
                "round": round_no,
                "purpose": purpose.value,
                "station": station,
                "table": cell.table_no,
                "field": field,
                "entered": cell.entered,
                "rekeyed": cell.rekeyed,
                "took": take,
            },
        )
    return fx.saved(ev, before=cell.entered, after=value)
