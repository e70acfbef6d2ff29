"""VVPAT verification after the last EVM round: the draw of lots, Rule 56D applications, slip
counts and recounts, the slip count prevailing through the correction path, the final round of
kept-aside stations, and closing the verification (queued for push as kind "vvpat")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from encore_tui.domain import checks as ck
from encore_tui.domain import vvpat
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.rounds import Action, RoundStatus, authorize
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue, RoundBlocked, ServiceError
from encore_tui.services.queries import all_entries, form20_in, round_infos
from encore_tui.services.ro_tx import get_record, open_corrections, records_like
from encore_tui.services.uow import Saved, unit_of_work
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import ro_record as rec_t
from encore_tui.store.models import vvpat_count as vv_t
from encore_tui.wire import build as wire_build
from encore_tui.wire import messages as wire

DRAW, COMPLETED, ROUND = "vvpat_draw", "vvpat_completed", "vvpat_round"


def _evm_rounds_approved(conn, ctx: AcContext) -> None:
    infos = round_infos(conn, ctx.ac_id)
    pending = [r for r in range(1, ctx.last_round + 1) if not infos[r].status.is_approved]
    if pending:
        raise ServiceError(
            f"VVPAT verification follows the last EVM round: rounds {', '.join(map(str, pending[:6]))}"
            f"{'…' if len(pending) > 6 else ''} are not approved yet."
        )


def _counted(conn, ctx: AcContext) -> dict[str, dict[str, int]]:
    """Station → its EVM figures, for stations counted from their EVM (not kept aside)."""
    entries = all_entries(conn, ctx)
    out = {}
    for r in range(1, ctx.last_round + 1):
        for e in entries[r]:
            if e.kept_aside is None and e.values:
                out[e.station] = dict(e.values)
    return out


def _kept_aside(conn, ctx: AcContext) -> list[str]:
    entries = all_entries(conn, ctx)
    kept = {e.station for r in range(1, ctx.last_round + 1) for e in entries[r] if e.kept_aside}
    return [s.number for s in ctx.setup.stations if s.number in kept]


def _completed_guard(conn, ac_id: int) -> None:
    if get_record(conn, ac_id, COMPLETED):
        raise ServiceError("VVPAT verification is closed; nothing more can be recorded in it.")


def record_draw(
    store: Store, ac_id: int, stations: Sequence[str], drawn_by: str, witnesses: str, actor: Actor
) -> list[str]:
    """The 5 polling stations drawn by lot (in front of the candidates and the observer)."""
    authorize(actor.role, Action.VVPAT)
    if not drawn_by.strip():
        raise InvalidValue("Say who drew the lots.")
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        _evm_rounds_approved(conn, ctx)
        if get_record(conn, ac_id, DRAW):
            raise ServiceError("The VVPAT draw is already recorded; a draw of lots is not repeated.")
        figures = _counted(conn, ctx)  # once: it reads every round (was once per station)
        counted = [s.number for s in ctx.setup.stations if s.number in figures]
        try:
            drawn = vvpat.validate_draw(stations, counted)
        except vvpat.DrawError as exc:
            raise InvalidValue(str(exc)) from None
        fx.record(DRAW, {"stations": drawn, "drawn_by": drawn_by.strip(), "witnesses": witnesses.strip()})
        fx.event("vvpat.drawn", {"stations": drawn})
    return drawn


def decide_56d(
    store: Store, ac_id: int, applicant: str, station: str, allowed: bool, reason: str, actor: Actor
) -> int:
    """A Rule 56D application for slip counting at a station, decided in writing with reasons.
    Returns the application's number. Allowed stations join the verification."""
    authorize(actor.role, Action.VVPAT)
    if not applicant.strip() or not reason.strip():
        raise InvalidValue("Record the applicant and the reasons for the decision.")
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        _completed_guard(conn, ac_id)
        if station not in _counted(conn, ctx):
            raise InvalidValue(f"PS {station} is not a station counted from its EVM.")
        n = len(records_like(conn, ac_id, "vvpat_56d:")) + 1
        fx.record(
            f"vvpat_56d:{n:03d}",
            {
                "no": n,
                "applicant": applicant.strip(),
                "station": station,
                "allowed": bool(allowed),
                "reason": reason.strip(),
            },
        )
        fx.event("vvpat.application", {"no": n, "station": station, "allowed": bool(allowed)})
    return n


def _verification_set(conn, ac_id: int) -> list[tuple[str, str]]:
    draw = get_record(conn, ac_id, DRAW)
    out = [(s, "lot") for s in (draw or {}).get("stations", [])]
    seen = {s for s, _ in out}
    for _k, a in sorted(records_like(conn, ac_id, "vvpat_56d:").items()):
        if a["allowed"] and a["station"] not in seen:
            out.append((a["station"], "rule 56D"))
            seen.add(a["station"])
    return out


def _slip_counts(conn, ac_id: int) -> dict[tuple[str, int], dict[str, int]]:
    import json

    return {
        (r.station, r.attempt): json.loads(r.slips)
        for r in conn.execute(select(vv_t).where(vv_t.c.ac_id == ac_id))
    }


def _stations(conn, ctx: AcContext) -> list[vvpat.VvpatStation]:
    counted = _counted(conn, ctx)
    counts = _slip_counts(conn, ctx.ac_id)
    amended = records_like(conn, ctx.ac_id, "vvpat_amended:")
    fields = vvpat.slip_fields(ctx.n)
    return [
        vvpat.make_station(
            s,
            why,
            counted.get(s, {}),
            fields,
            counts.get((s, vvpat.COUNT)),
            counts.get((s, vvpat.RECOUNT)),
            f"vvpat_amended:{s}" in amended,
        )
        for s, why in _verification_set(conn, ctx.ac_id)
    ]


def enter_slip_count(
    store: Store, ac_id: int, station: str, slips: Mapping[str, int], actor: Actor, *, recount: bool = False
) -> vvpat.VvpatStation:
    """The slip count (or, after a mismatch, the recount) of a drawn/allowed station."""
    authorize(actor.role, Action.ENTER)
    ctx = load_context(store, ac_id)
    fields = vvpat.slip_fields(ctx.n)
    unknown = set(slips) - set(fields)
    missing = [f for f in fields if f not in slips]
    if unknown or missing:
        raise InvalidValue(
            "Enter every candidate and NOTA"
            + (f"; missing {', '.join(ck.field_name(ctx.setup, f) for f in missing)}" if missing else "")
            + (f"; unknown {', '.join(sorted(unknown))}" if unknown else "")
        )
    for f, v in slips.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > ctx.max_value(1, station):
            raise InvalidValue(f"{ck.field_name(ctx.setup, f)}: {v!r} is not a possible number of slips.")
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        _completed_guard(conn, ac_id)
        stations = {s.station: s for s in _stations(conn, ctx)}
        cur = stations.get(station)
        if cur is None:
            raise InvalidValue(f"PS {station} was not drawn by lot nor allowed under Rule 56D.")
        if recount and cur.status is not vvpat.StationStatus.MISMATCH and cur.recount is None:
            raise ServiceError(f"PS {station}: a recount follows a mismatch only (now: {cur.status.label}).")
        if not recount and cur.recount is not None:
            raise ServiceError(f"PS {station} was already recounted; the first count cannot change now.")
        if cur.amended:
            raise ServiceError(f"PS {station} was already amended from its slip count.")
        attempt = vvpat.RECOUNT if recount else vvpat.COUNT
        fx.vvpat_count(station, attempt, {f: int(slips[f]) for f in fields})
        fx.event("vvpat.counted", {"station": station, "attempt": attempt})
        return {s.station: s for s in _stations(conn, ctx)}[station]


def amend_from_slips(store: Store, ac_id: int, station: str, actor: Actor) -> Saved:
    """The difference remained after the recount: the slip count prevails. The station's round
    is opened for correction (a new revision; later approved rounds need re-approval) and the
    station's figures are replaced by the slip count. The RO then approves the rounds again."""
    authorize(actor.role, Action.VVPAT)
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        _completed_guard(conn, ac_id)
        cur = {s.station: s for s in _stations(conn, ctx)}.get(station)
        if cur is None or cur.status is not vvpat.StationStatus.SLIP_PREVAILS:
            state = cur.status.label if cur else "not in the verification"
            raise ServiceError(
                f"PS {station}: the slip count prevails only after a recount still differs ({state})."
            )
        round_no = ctx.plan.locate(station).round_no
        fields = vvpat.slip_fields(ctx.n)
        values = vvpat.amended_values(cur.recount, fields)
        reason = f"VVPAT slip count prevails at PS {station} (difference remained after recount)"
        invalidated = open_corrections(fx, ac_id, [round_no], reason)
        before = dict(_counted(conn, ctx)[station])
        for f, v in values.items():
            if before.get(f) != v:
                fx.cell(round_no, station, f, v)
        fx.record(f"vvpat_amended:{station}", {"round": round_no, "before": before, "after": values})
        ev = fx.event(
            "vvpat.amended",
            {"station": station, "round": round_no, "reason": reason, "invalidated": invalidated},
        )
    return fx.saved(ev)


def open_vvpat_round(store: Store, ac_id: int, actor: Actor) -> int:
    """The final round (N+1, kind vvpat) whose tables are the kept-aside stations: their slip
    counts are entered, submitted and approved like any round. Returns its number."""
    authorize(actor.role, Action.VVPAT)
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        _evm_rounds_approved(conn, ctx)
        if get_record(conn, ac_id, ROUND):
            raise ServiceError("The VVPAT round of kept-aside stations is already open.")
        kept = _kept_aside(conn, ctx)
        if not kept:
            raise ServiceError("No station was kept aside: there is no VVPAT round to open.")
        r = ctx.last_round + 1
        fx.record(ROUND, {"round": r, "stations": kept})
        fx.round_state(r, "vvpat", RoundStatus.DRAFT.value, 0, "")
        # other processes reload the AC context when its version changes
        conn.execute(update(ac_t).where(ac_t.c.id == ac_id).values(plan_version=ctx.plan_version + 1))
        fx.event("vvpat.round_opened", {"round": r, "stations": kept})
    store.cache.pop(("ctx", ac_id), None)
    return r


@dataclass(frozen=True)
class VvpatView:
    draw: dict | None  # stations, drawn_by, witnesses
    applications: list[dict]  # Rule 56D: no, applicant, station, allowed, reason
    stations: list[vvpat.VvpatStation]  # drawn + allowed, with EVM vs slips and status
    kept_aside: list[str]
    vvpat_round: int | None
    completed: dict | None
    checks: list[ck.Check]  # what stops closing the verification

    @property
    def done(self) -> bool:
        return self.completed is not None


def vvpat_view(store: Store, ac_id: int) -> VvpatView:
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        draw = get_record(conn, ac_id, DRAW)
        apps = [a for _k, a in sorted(records_like(conn, ac_id, "vvpat_56d:").items())]
        stations = _stations(conn, ctx)
        kept = _kept_aside(conn, ctx)
        rnd = get_record(conn, ac_id, ROUND)
        completed = get_record(conn, ac_id, COMPLETED)
    return VvpatView(
        draw,
        apps,
        stations,
        kept,
        rnd["round"] if rnd else None,
        completed,
        [] if completed else vvpat.completion_checks(draw is not None, stations),
    )


def complete_vvpat(store: Store, ac_id: int, actor: Actor) -> dict:
    """Close VVPAT verification; queued for push (kind "vvpat") in the same transaction."""
    authorize(actor.role, Action.VVPAT)
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn, ts = fx.conn, fx.ts
        _completed_guard(conn, ac_id)
        draw = get_record(conn, ac_id, DRAW)
        stations = _stations(conn, ctx)
        problems = vvpat.completion_checks(draw is not None, stations)
        if problems:
            raise RoundBlocked("VVPAT verification cannot be closed: " + str(problems[0]), problems)
        apps = [a for _k, a in sorted(records_like(conn, ac_id, "vvpat_56d:").items())]
        amended = records_like(conn, ac_id, "vvpat_amended:")
        summary = {
            "ac": ctx.setup.ac.number,
            "ac_name": ctx.setup.ac.name,
            "drawn": draw,
            "applications_56d": apps,
            "stations": [
                {
                    "station": s.station,
                    "why": s.why,
                    "evm": dict(amended[f"vvpat_amended:{s.station}"]["before"])
                    if s.amended
                    else dict(s.evm),
                    "slip_count": dict(s.count or {}),
                    "slip_recount": dict(s.recount) if s.recount is not None else None,
                    "status": s.status.value,
                    "amended_to": amended[f"vvpat_amended:{s.station}"]["after"] if s.amended else None,
                }
                for s in stations
            ],
            "completed_by": actor.username,
            "completed_at": ts,
        }
        fx.record(COMPLETED, {"by": actor.username, "at": ts, "stations": [s.station for s in stations]})
        ev = fx.event("vvpat.completed", {"stations": [s.station for s in stations]})
        # what central receives: the wire message (encore_tui/wire/messages.py), written with the event
        msg = _vvpat_message(conn, ctx, draw, apps, stations, amended, actor, ts, ev)
        key = wire.round_key("vvpat", ctx.setup.ac.number, None, msg.revision, ev.seq)
        fx.push("vvpat", msg.model_dump(mode="json"), key)
    return summary


_WHY = {"lot": "draw_of_lots", "rule 56D": "rule_56d"}


def _vvpat_message(
    conn,
    ctx: AcContext,
    draw: dict | None,
    apps: list[dict],
    stations: list[vvpat.VvpatStation],
    amended: dict[str, dict],
    actor: Actor,
    ts: str,
    event: journal.JournalEvent,
) -> wire.VvpatResult:
    """The VVPAT message: per station the EVM figures compared (before any amendment), the
    final slip count (and the first one when recounted), and the AC's totals now (Form 20,
    EVM + postal, after the slip counts prevailed)."""
    n = ctx.n
    counted = _counted(conn, ctx)
    out = []
    for s in stations:
        evm_values = amended[f"vvpat_amended:{s.station}"]["before"] if s.amended else counted[s.station]
        slot = ctx.plan.locate(s.station)
        evm = wire_build.table_result(
            TableEntry(slot.round_no, slot.table_no, s.station, dict(evm_values)), n
        )
        final = s.recount if s.recount is not None else s.count
        slips = wire_build.slip_table(s.station, dict(final or {}), n, slot.table_no)
        first = (
            wire_build.slip_table(s.station, dict(s.count), n, slot.table_no)
            if s.recount is not None
            else None
        )
        out.append(
            wire.VvpatStation(
                station=s.station,
                why=_WHY.get(s.why, "draw_of_lots"),  # type: ignore[arg-type]
                evm=evm,
                slips=slips,
                first_count=first,
                recounted=s.recount is not None,
                matches=(evm.votes, evm.nota) == (slips.votes, slips.nota),
                amended=s.amended,
            )
        )
    drawn_at = conn.execute(
        select(rec_t.c.updated_at).where(rec_t.c.ac_id == ctx.ac_id, rec_t.c.key == DRAW)
    ).scalar()
    f20 = form20_in(conn, ctx)
    return wire_build.vvpat_result(
        ctx.setup,
        ctx.last_round,
        draw,
        dt.datetime.fromisoformat(drawn_at) if drawn_at else None,
        apps,
        out,
        f20.total_polled,
        wire.Approval(by=actor.username, name=actor.label, at=dt.datetime.fromisoformat(ts)),
        event.hash,
        journal_seq=event.seq,
    )
