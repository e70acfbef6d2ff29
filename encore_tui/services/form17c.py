"""Form 17C Part I use-cases: import a CSV, key a field from the paper copy, confirm the CU serial
at the table. Each is one unit of work (services/uow.py) and one journal event; the record of a
station is an `ro_record` row `form17c:<station>`, so `encore journal verify` replays it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, select

from encore_tui.base.fast import Fast
from encore_tui.domain import checks as ck
from encore_tui.domain import form17c as f17
from encore_tui.domain.form17c import Form17C, Form17CSource
from encore_tui.domain.rounds import Action, RoundStatus, authorize
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue, ServiceError, StaleEdit
from encore_tui.services.ro_tx import get_record, records_like
from encore_tui.services.uow import Saved, unit_of_work
from encore_tui.store.engine import Store
from encore_tui.store.models import ro_record as rec_t
from encore_tui.store.models import round_ as round_t

PREFIX = "form17c:"
CU_SETTING = "setting:confirm_cu_serial"
CU_PREFIX = "cu_serial:"
DOUBLE = "form17c_double"  # {keyer}: the RO assigned the second, blind keying
BLIND_PREFIX = "form17c_blind:"  # the second keying of a station
# a station's 17C may change only while its round can still be typed in
_OPEN = (RoundStatus.DRAFT, RoundStatus.RETURNED, RoundStatus.CORRECTION)


# -- reading ---------------------------------------------------------------------------------------
def records_in(conn: Connection, ac_id: int, stations: Iterable[str] | None = None) -> dict[str, Form17C]:
    """The recorded forms (of `stations` only, when given: a round's tables on every re-read)."""
    if stations is None:
        rows = records_like(conn, ac_id, PREFIX).items()
    else:
        keys = [PREFIX + s for s in stations]
        rows = [
            (r.key, json.loads(r.value))
            for r in conn.execute(
                select(rec_t.c.key, rec_t.c.value).where(rec_t.c.ac_id == ac_id, rec_t.c.key.in_(keys))
            )
        ]
    return {k[len(PREFIX) :]: Form17C.model_validate(v) for k, v in rows}


def form17c_in(conn: Connection, ctx: AcContext, stations: Iterable[str] | None = None) -> dict[str, Form17C]:
    """Each station's Form 17C Part I (recorded, else the setup's legacy figures)."""
    stations = None if stations is None else list(stations)  # read twice below
    eff = f17.effective(ctx.setup, records_in(conn, ctx.ac_id, stations))
    if stations is None:
        return eff
    wanted = set(stations)
    return {s: r for s, r in eff.items() if s in wanted}


def tendered_in(conn: Connection, ctx: AcContext) -> dict[str, int | None]:
    """Each station's tendered ballot papers, from its Form 17C Part I (Form 20's column)."""
    return f17.tendered_by_station(form17c_in(conn, ctx))


# every Enter reads it (the bound of a cell): compiled once, run on the DBAPI cursor
_RECORD_VALUE = Fast(
    select(rec_t.c.value).where(rec_t.c.ac_id == bindparam("a"), rec_t.c.key == bindparam("k"))
)


def electors_in(conn: Connection, ctx: AcContext, station: str) -> int | None:
    """The electors on a station's recorded Form 17C Part I (the bound of a cell), if any."""
    row = _RECORD_VALUE.one(conn, {"a": ctx.ac_id, "k": PREFIX + station})
    return json.loads(row[0]).get("electors") if row else None


def form17c(store: Store, ac_id: int, stations: Iterable[str] | None = None) -> dict[str, Form17C]:
    """Each station's Form 17C Part I; `stations`: only those (the screen after one Enter)."""
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        return form17c_in(conn, ctx, stations)


def cu_confirmation_on(conn: Connection, ac_id: int) -> bool:
    rec = get_record(conn, ac_id, CU_SETTING)
    return bool(rec and rec.get("value"))


def cu_confirmed_in(conn: Connection, ac_id: int) -> dict[str, str] | None:
    """The CU serial confirmed at each table; None while the RO has the confirmation off."""
    if not cu_confirmation_on(conn, ac_id):
        return None
    return {k[len(CU_PREFIX) :]: v["serial"] for k, v in records_like(conn, ac_id, CU_PREFIX).items()}


# -- guards ----------------------------------------------------------------------------------------
def _station_open(
    conn: Connection, ctx: AcContext, station: str, many: tuple[dict, dict] | None = None
) -> None:
    """`many`: (station → round, round → status), read once by a caller that checks many."""
    if station not in ctx.stations_by_number:
        raise InvalidValue(f"PS {station} is not a polling station of this AC: check the number.")
    if many is not None:
        round_no = many[0][station]
        status = many[1][round_no]
    else:
        round_no = ctx.plan.locate(station).round_no
        status = RoundStatus(
            conn.execute(
                select(round_t.c.status).where(round_t.c.ac_id == ctx.ac_id, round_t.c.round_no == round_no)
            ).scalar_one()
        )
    if status not in _OPEN:
        raise ServiceError(
            f"PS {station} is in round {round_no}, which is {status.label}: its Form 17C Part I was "
            "checked with it. Ask the RO to open a correction of the round first."
        )


def _refuse_problems(rec: Form17C) -> None:
    problems = rec.problems()
    if problems:
        raise InvalidValue(f"PS {rec.station}: {problems[0][1]}: check the paper 17C.")


# -- writing ---------------------------------------------------------------------------------------
def import_form17c(
    store: Store, ac_id: int, records: Sequence[Form17C], actor: Actor, *, file: str = ""
) -> Saved:
    """Record many stations' Part I at once, all or nothing (one event naming each station)."""
    authorize(actor.role, Action.IMPORT)
    if not records:
        raise InvalidValue("No Form 17C Part I rows to import.")
    seen: set[str] = set()
    with unit_of_work(store, ac_id, actor) as tx:
        ctx = load_context(store, ac_id, tx.conn)
        rows = tx.conn.execute(select(round_t.c.round_no, round_t.c.status).where(round_t.c.ac_id == ac_id))
        statuses = {r: RoundStatus(status) for r, status in rows}
        round_of = {s: r for r, stations in enumerate(ctx.plan.rounds, start=1) for s in stations}
        for rec in records:
            if rec.station in seen:
                raise InvalidValue(f"PS {rec.station} is listed twice.")
            seen.add(rec.station)
            _station_open(tx.conn, ctx, rec.station, (round_of, statuses))
            _refuse_problems(rec)
        tx.records({PREFIX + r.station: r.to_json() for r in records})
        sources = sorted({r.source.value for r in records})
        ev = tx.event(
            "form17c.imported",
            {"file": file, "source": ",".join(sources), "stations": [r.station for r in records]},
        )
    return tx.saved(ev)


def parse_field(field: str, text: str) -> int | str | None:
    """What was typed into a field of the entry screen → its value, or a clear refusal."""
    t = text.strip()
    if field not in (*f17.FIELDS, "remarks"):
        raise InvalidValue(f"'{field}' is not a field of Form 17C Part I.")
    if t == "":
        return None if field != "remarks" else ""
    if field in f17.NUMBER_FIELDS:
        if not t.isascii() or not t.isdigit():
            raise InvalidValue(f"'{text}' is not a number: type digits 0-9 only.")
        return int(t)
    if field == "remarks":
        return t
    serial = f17.normalize_serial(t)
    if not serial.isascii() or not serial.isalnum() or len(serial) > f17.MAX_SERIAL:
        raise InvalidValue(
            f"'{text}' is not an EVM serial: letters and digits as printed on the unit "
            f"(at most {f17.MAX_SERIAL})."
        )
    return serial


def enter_form17c(
    store: Store,
    ac_id: int,
    station: str,
    field: str,
    value: int | str | None,
    actor: Actor,
    *,
    expected: int | str | None | type[...] = ...,
    blind: bool = False,
) -> Saved:
    """Save one field of a station's Part I as keyed from the paper copy (None clears it).
    `expected` is what the screen showed: a change by somebody else meanwhile is refused.
    `blind`: the second keying (double entry), by the operator the RO assigned, kept apart."""
    authorize(actor.role, Action.ENTER)
    if field not in (*f17.FIELDS, "remarks"):
        raise InvalidValue(f"'{field}' is not a field of Form 17C Part I.")
    prefix = BLIND_PREFIX if blind else PREFIX
    with unit_of_work(store, ac_id, actor) as tx:
        ctx = load_context(store, ac_id, tx.conn)
        _station_open(tx.conn, ctx, station)
        if blind and double_keyer_in(tx.conn, ac_id) != actor.username:
            raise ServiceError("The second keying of Form 17C is not assigned to you (the RO assigns it).")
        found = get_record(tx.conn, ac_id, prefix + station)
        cur = Form17C.model_validate(found) if found else None
        before = getattr(cur, field) if cur is not None else None
        if expected is not ... and expected != before:
            raise StaleEdit(
                f"PS {station} {f17.LABELS[field]}: somebody changed it to "
                f"{'blank' if before in (None, '') else before} while you had "
                f"{'blank' if expected in (None, '') else expected}. Check the paper and type it again."
            )
        base = cur.to_json() if cur is not None else {"station": station}
        try:
            rec = Form17C.model_validate({**base, field: value, "source": Form17CSource.KEYED.value})
        except ValidationError as exc:
            raise InvalidValue(f"PS {station} {f17.LABELS[field]}: {exc.errors()[0]['msg']}") from exc
        after = getattr(rec, field)
        ev = None
        if cur is None or before != after:
            _refuse_problems(rec)
            tx.record(prefix + station, rec.to_json())
            payload = {"station": station, "field": field, "before": before, "after": after}
            ev = tx.event("form17c.entered", payload | ({"blind": True} if blind else {}))
    return tx.saved(ev, before=None, after=None)


# -- double entry: a second, blind keying by another operator ----------------------------------------
def double_keyer_in(conn: Connection, ac_id: int) -> str | None:
    rec = get_record(conn, ac_id, DOUBLE)
    return rec["keyer"] if rec else None


def double_keyer(store: Store, ac_id: int) -> str | None:
    with store.read() as conn:
        return double_keyer_in(conn, ac_id)


def open_double(store: Store, ac_id: int, keyer: str, actor: Actor) -> Saved:
    """The RO has a second operator key Form 17C Part I blind from the same paper copies."""
    from encore_tui.domain.rounds import Role
    from encore_tui.services.users import list_users

    authorize(actor.role, Action.APPROVE)
    if keyer not in {u.username for u in list_users(store) if u.role in (Role.OPERATOR, Role.ARO)}:
        raise InvalidValue(f"'{keyer}' is not an operator account.")
    with unit_of_work(store, ac_id, actor) as tx:
        typed = select(rec_t.c.updated_by).where(rec_t.c.ac_id == ac_id, rec_t.c.key.startswith(PREFIX))
        if keyer in set(tx.conn.execute(typed.distinct()).scalars()):
            raise InvalidValue(f"'{keyer}' keyed Form 17C: the second keying must be by someone else.")
        if double_keyer_in(tx.conn, ac_id) is not None:
            raise ServiceError("The second keying of Form 17C is already assigned.")
        tx.record(DOUBLE, {"keyer": keyer})
        ev = tx.event("form17c.double_opened", {"keyer": keyer})
    return tx.saved(ev)


def blind_records(store: Store, ac_id: int, actor: Actor) -> dict[str, Form17C]:
    """The second keying, shown only to its keyer (blind: never the first keying's figures)."""
    with store.read() as conn:
        if double_keyer_in(conn, ac_id) != actor.username:
            raise ServiceError("The second keying of Form 17C is not assigned to you.")
        rows = records_like(conn, ac_id, BLIND_PREFIX).items()
    return {k[len(BLIND_PREFIX) :]: Form17C.model_validate(v) for k, v in rows}


def differences_in(
    conn: Connection, ac_id: int, stations: Iterable[str] | None = None
) -> list[tuple[str, str, object, object]]:
    """(station, field, first keying, second keying) wherever both keyed a station and differ."""
    wanted = None if stations is None else set(stations)
    second = {k[len(BLIND_PREFIX) :]: v for k, v in records_like(conn, ac_id, BLIND_PREFIX).items()}
    if not second:
        return []
    first = records_in(conn, ac_id, second if wanted is None else [s for s in second if s in wanted])
    out = []
    for station, rec in sorted(first.items()):
        other = second[station]
        out += [
            (station, f, getattr(rec, f), other.get(f)) for f in f17.FIELDS if getattr(rec, f) != other.get(f)
        ]
    return out


def differences_check(conn: Connection, ctx: AcContext, round_no: int, entries) -> list[ck.Check]:
    """E125 on a counted table whose station's two 17C keyings differ (its 17C is in doubt)."""
    counted = {e.station: e for e in entries if e.values}
    if round_no == 0 or not counted:
        return []
    out = []
    for station, field, first, second in differences_in(conn, ctx.ac_id, counted):
        e = counted[station]
        out.append(
            ck.Check(
                ck.FORM17C_KEYINGS_DIFFER,
                f"17C {f17.LABELS[field]}: {first} / second keying {second}: correct the wrong one",
                round_no=round_no,
                station=station,
                table_no=e.table_no,
            )
        )
    return out


def differences(store: Store, ac_id: int) -> list[tuple[str, str, object, object]]:
    with store.read() as conn:
        return differences_in(conn, ac_id)


def set_cu_confirmation(store: Store, ac_id: int, on: bool, actor: Actor) -> Saved:
    """The RO's setting: operators confirm the CU serial at each table (checked against 17C)."""
    authorize(actor.role, Action.CHANGE_PLAN)
    with unit_of_work(store, ac_id, actor) as tx:
        load_context(store, ac_id, tx.conn)
        tx.record(CU_SETTING, {"value": bool(on)})
        ev = tx.event("ro.setting_changed", {"setting": "confirm_cu_serial", "value": bool(on)})
    return tx.saved(ev)


def confirm_cu_serial(store: Store, ac_id: int, station: str, serial: str, actor: Actor) -> Saved:
    """The serial read off the CU brought to the table (E120 if it is not the 17C's)."""
    authorize(actor.role, Action.ENTER)
    value = parse_field("cu_id", serial)
    if value is None:
        raise InvalidValue("Type the serial printed on the CU at the table.")
    with unit_of_work(store, ac_id, actor) as tx:
        ctx = load_context(store, ac_id, tx.conn)
        _station_open(tx.conn, ctx, station)
        tx.record(CU_PREFIX + station, {"serial": value})
        rec = form17c_in(tx.conn, ctx).get(station)
        ev = tx.event(
            "table.cu_confirmed",
            {"station": station, "serial": value, "form17c": rec.cu_id if rec is not None else None},
        )
    return tx.saved(ev)
