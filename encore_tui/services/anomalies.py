"""Anomaly warnings (domain/anomalies.py) in the store: the RO's thresholds (an AC setting) and the
RO's acknowledgements with a remark, each one unit of work and one journal event. A round with
an anomaly not acknowledged cannot be approved (services/counting.approve_round)."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import Connection

from encore_tui.domain import anomalies as an
from encore_tui.domain import checks as ck
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, authorize
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue
from encore_tui.services.form17c import form17c_in
from encore_tui.services.queries import all_entries
from encore_tui.services.ro_tx import get_record, records_like
from encore_tui.services.uow import Saved, unit_of_work
from encore_tui.store.engine import Store

THRESHOLDS = "setting:anomaly_thresholds"
ACK = "anomaly_ack:"


def thresholds_in(conn: Connection, ac_id: int) -> an.AnomalyThresholds:
    rec = get_record(conn, ac_id, THRESHOLDS)
    return an.AnomalyThresholds.model_validate(rec) if rec else an.AnomalyThresholds()


def round_anomalies_in(
    conn: Connection, ctx: AcContext, round_no: int, entries: list[TableEntry] | None = None
) -> list[ck.Check]:
    every = all_entries(conn, ctx)
    mine = every[round_no] if entries is None else entries
    others = [e for r, es in every.items() if r not in (round_no, POSTAL_ROUND) for e in es]
    acks = {}
    for key, v in records_like(conn, ctx.ac_id, f"{ACK}{round_no}:").items():
        _, _r, station, code = key.split(":", 3)
        acks[(station, code)] = v["remark"]
    return an.anomaly_checks(
        ctx.setup,
        mine,
        thresholds_in(conn, ctx.ac_id),
        form17c=form17c_in(conn, ctx),
        others=others,
        acknowledged=acks,
        postal=round_no == POSTAL_ROUND,
    )


def round_anomalies(store: Store, ac_id: int, round_no: int) -> list[ck.Check]:
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        return round_anomalies_in(conn, ctx, round_no)


def pending_anomalies(store: Store, ac_id: int, round_no: int) -> list[ck.Check]:
    """The round's anomaly warnings not yet acknowledged (they block its approval)."""
    return an.pending(round_anomalies(store, ac_id, round_no))


def set_thresholds(store: Store, ac_id: int, actor: Actor, **values) -> an.AnomalyThresholds:
    """The RO changes the thresholds (the others keep their value)."""
    authorize(actor.role, Action.CHANGE_PLAN)
    with unit_of_work(store, ac_id, actor) as tx:
        cur = thresholds_in(tx.conn, ac_id)
        try:
            th = an.AnomalyThresholds.model_validate({**cur.model_dump(), **values})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InvalidValue(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
        tx.record(THRESHOLDS, th.model_dump())
        tx.event("ro.setting_changed", {"setting": "anomaly_thresholds", "value": th.model_dump()})
    return th


def acknowledge_anomaly(
    store: Store, ac_id: int, round_no: int, station: str, code: str, remark: str, actor: Actor
) -> Saved:
    """The RO looked at the anomaly (the paper, the agents, the presiding officer's diary) and
    says why it stands: printed with it on the round sheet."""
    authorize(actor.role, Action.APPROVE)
    if not remark.strip():
        raise InvalidValue("Write why the figure stands (what was checked): the remark is printed.")
    with unit_of_work(store, ac_id, actor) as tx:
        ctx = load_context(store, ac_id, tx.conn)
        raised = {(c.station, c.code.code) for c in round_anomalies_in(tx.conn, ctx, round_no)}
        if (station, code) not in raised:
            raise InvalidValue(f"{code} is not raised for PS {station} in round {round_no}.")
        tx.record(f"{ACK}{round_no}:{station}:{code}", {"remark": remark.strip(), "by": actor.username})
        ev = tx.event(
            "anomaly.acknowledged",
            {"round": round_no, "station": station, "code": code, "remark": remark.strip()},
        )
    return tx.saved(ev)
