"""Training sessions: a trainer turns a past count into practice (see docs/training.md).

A session fixes the answer key (the source AC's official figures for the chosen rounds, plus the
seeded faults: domain/training.py). Each trainee gets a seat: their own copy of the AC (a new
`ac` row with its own journal chain; setup, plan and Form 17C Part I copied, the seeded 17C
faults applied) and an account bound to it. The trainee types in the real app; the score is read
from the copy's journal (domain/training.score).

Who may read what: the key, the sheets and the report need Action.TRAIN (trainer, admin); a
trainee may read their own seat's figures and score only. Every change is one unit of work,
journaled: `training.created` and `training.seated` on the store chain (with the key's sha256,
not the key), the copy's `setup.created` and `form17c.imported` on the copy's chain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, insert, select

from encore_tui.domain import training as tr
from encore_tui.domain.form17c import Form17C, Form17CSource
from encore_tui.domain.ledger import canonical
from encore_tui.domain.rounds import Action, NotAllowed, Role, may
from encore_tui.domain.setup import Setup
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.counting import insert_ac
from encore_tui.services.errors import InvalidValue, ServiceError
from encore_tui.services.form17c import PREFIX, records_in
from encore_tui.services.uow import STORE_CHAIN, sha256, unit_of_work
from encore_tui.services.users import hash_pin
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import chain_head, has_training
from encore_tui.store.models import training_seat as seat_t
from encore_tui.store.models import training_session as sess_t
from encore_tui.store.models import user as user_t

FIRST_COPY_NUMBER = 901  # trainees' copies are numbered from here (an AC number is unique in a store)


@dataclass(frozen=True)
class Session:
    id: int
    name: str
    source_ac_id: int
    source_name: str
    rounds: tuple[int, ...]
    pass_mark: int
    created_at: str
    created_by: str
    seats: tuple[tuple[str, int], ...]  # (username, ac_id of the copy)


@dataclass(frozen=True)
class Sheet:
    """One Form 17C Part II as the counting supervisor hands it over (never the answer)."""

    round_no: int
    table_no: int
    station: str
    figures: Mapping[str, int] | None
    note: str


@dataclass(frozen=True)
class Report:
    session: Session
    setup: Setup
    key: tr.AnswerKey
    ranked: list[tr.Ranked]
    often_wrong: list[tuple[tr.CellKey, int]]


def refuse_unless_trainer(actor: Actor, what: str) -> None:
    """Raise NotAllowed unless `actor` may run training (a trainer or an administrator)."""
    if not may(actor.role, Action.TRAIN):
        raise NotAllowed(
            f"{actor.username} ({actor.role.value}) may not {what}: only a trainer or an administrator may."
        )


# -- creating a session ------------------------------------------------------------------------
def official_from_store(conn: Connection, ac_id: int, stations: Iterable[str]) -> dict[str, dict[str, int]]:
    """The figures the source AC holds for `stations` (a rehearsal store: imported or counted)."""
    wanted = list(stations)
    out: dict[str, dict[str, int]] = {}
    for s, f, v in conn.execute(
        select(cell_t.c.station, cell_t.c.field, cell_t.c.value).where(
            cell_t.c.ac_id == ac_id, cell_t.c.round_no > 0, cell_t.c.station.in_(wanted)
        )
    ):
        out.setdefault(s, {})[f] = int(v)
    return out


def create_session(
    store: Store,
    actor: Actor,
    source_ac_id: int,
    rounds: Sequence[int],
    faults: Iterable[tr.FaultSpec | str] = (),
    *,
    pass_mark: int = 90,
    name: str = "",
    official: Mapping[str, Mapping[str, int]] | None = None,
) -> int:
    """A session of `rounds` of the source AC. `official`: the official figures by station (a
    Form 20 folder); None: the figures the source AC holds (a rehearsal store)."""
    refuse_unless_trainer(actor, "create a training session")
    if not 0 <= pass_mark <= 100:
        raise InvalidValue(f"The pass mark is a percentage (0-100), not {pass_mark}.")
    specs = [f if isinstance(f, tr.FaultSpec) else tr.FaultSpec.parse(f) for f in faults]
    ctx = load_context(store, source_ac_id)
    rounds = sorted(set(rounds))
    if not rounds:
        raise InvalidValue("Choose at least one round (e.g. --rounds 1-3).")
    last = ctx.plan.round_count
    if rounds[0] < 1 or rounds[-1] > last:
        raise InvalidValue(f"AC {ctx.setup.ac.number} has EVM rounds 1 to {last}; {rounds[-1]} is not one.")
    blocked = [r for r in rounds if last >= 2 and r >= last - 1]
    if blocked:
        raise InvalidValue(
            f"Rounds {last - 1} and {last} wait for the postal result (E108), which a training session "
            f"does not count: choose rounds up to {last - 2}."
        )
    plan_rounds = {r: ctx.plan.stations_of(r) for r in rounds}
    with unit_of_work(store, STORE_CHAIN, actor) as tx:
        stations = [s for st in plan_rounds.values() for s in st]
        figures = official if official is not None else official_from_store(tx.conn, source_ac_id, stations)
        try:
            key = tr.make_key(plan_rounds, figures, ctx.n, specs)
        except tr.TrainingError as exc:
            hint = (
                ""
                if official is not None
                else " (the store holds no official figures for it: give the Form 20 folder with"
                " --figures DIR, or import the AC with --with-results)"
            )
            raise ServiceError(str(exc).rstrip(".") + hint + ".") from None
        rounds_json, faults_json = key.to_json()
        span = f"rounds {rounds[0]}-{rounds[-1]}" if len(rounds) > 1 else f"round {rounds[0]}"
        name = name.strip() or f"{ctx.setup.ac.name} {span}"
        sid = tx.conn.execute(
            insert(sess_t).values(
                name=name,
                source_ac_id=source_ac_id,
                rounds_json=canonical(rounds_json),
                faults_json=canonical(faults_json),
                pass_mark=int(pass_mark),
                created_at=tx.ts,
                created_by=actor.username,
            )
        ).inserted_primary_key[0]
        tx.event(
            "training.created",
            {
                "session": sid,
                "name": name,
                "source_ac": ctx.setup.ac.number,
                "rounds": rounds,
                "faults": [f"{f.kind.value}@{f.round_no}/{f.station}" for f in key.faults],
                "pass_mark": int(pass_mark),
                "key_sha256": sha256(canonical([rounds_json, faults_json])),
            },
        )
    return sid


def _session_row(conn: Connection, session_id: int):
    row = conn.execute(select(sess_t).where(sess_t.c.id == session_id)).one_or_none()
    if row is None:
        raise ServiceError(
            f"There is no training session {session_id} in this store (`encore training list`)."
        )
    return row


def _key_of(row) -> tr.AnswerKey:
    return tr.AnswerKey.from_json(json.loads(row.rounds_json), json.loads(row.faults_json))


def _session(conn: Connection, row) -> Session:
    seats = conn.execute(
        select(seat_t.c.username, seat_t.c.ac_id)
        .where(seat_t.c.session_id == row.id)
        .order_by(seat_t.c.username)
    ).all()
    source = conn.execute(select(ac_t.c.name).where(ac_t.c.id == row.source_ac_id)).scalar() or "?"
    rounds = tuple(sorted(int(r) for r in json.loads(row.rounds_json)["rounds"]))
    return Session(
        row.id,
        row.name,
        row.source_ac_id,
        source,
        rounds,
        row.pass_mark,
        row.created_at,
        row.created_by,
        tuple((u, a) for u, a in seats),
    )


# -- seats -------------------------------------------------------------------------------------
def seat(
    store: Store,
    actor: Actor,
    session_id: int,
    username: str,
    pin: str,
    *,
    display_name: str = "",
    role: Role | str = Role.OPERATOR,
) -> int:
    """Seat a trainee: their account (bound to the copy) and their own copy of the AC, in one
    unit of work. Returns the copy's AC id."""
    refuse_unless_trainer(actor, "seat a trainee")
    role = Role(role)
    if role not in (Role.OPERATOR, Role.ARO, Role.RO):
        raise InvalidValue("A trainee types or decides rounds: role operator, aro or ro.")
    username = username.strip().lower()
    if not re.fullmatch(r"[a-z0-9_.-]{2,40}", username):
        raise InvalidValue("User names are 2-40 lower-case letters, digits, '.', '_' or '-'.")
    pin_hash = hash_pin(pin)
    with store.read() as conn:
        row = _session_row(conn, session_id)
        key = _key_of(row)
    src = load_context(store, row.source_ac_id)
    # The store chain's head is locked first (STORE_CHAIN): two trainers seating at once, each
    # from their own PC, run one after the other, so the second reads the copy number and the
    # user names the first committed (else both took the same number: a duplicate key on
    # PostgreSQL). insert_ac then points the unit of work at the new copy's own chain.
    with unit_of_work(store, STORE_CHAIN, actor) as tx:
        conn = tx.conn
        if conn.execute(select(user_t.c.id).where(user_t.c.username == username)).first():
            raise ServiceError(f"There is already a user '{username}': choose another name for the trainee.")
        top = conn.execute(select(func.max(ac_t.c.number))).scalar() or 0
        number = max(top + 1, FIRST_COPY_NUMBER)
        ac = src.setup.ac
        names = {"number": number, "name": f"{ac.name} — training: {username}"}
        if ac.name_hi:  # the Hindi screens name the copy too
            names["name_hi"] = f"{ac.name_hi} — प्रशिक्षण: {username}"
        ac = ac.model_copy(update=names)
        copy_setup = src.setup.model_copy(update={"ac": ac})
        copy_id = insert_ac(tx, copy_setup, src.plan)
        records = _copy_form17c(conn, src, key)
        tx.records({PREFIX + r.station: r.to_json() for r in records})
        tx.event(
            "form17c.imported",
            {
                "file": f"training session {session_id}",
                "source": ",".join(sorted({r.source.value for r in records})),
                "stations": [r.station for r in records],
            },
        )
        conn.execute(
            insert(user_t).values(
                username=username,
                display_name=display_name or username,
                role=role.value,
                pin_hash=pin_hash,
                failed_attempts=0,
                active=1,
                created_at=tx.ts,
            )
        )
        conn.execute(insert(seat_t).values(session_id=session_id, username=username, ac_id=copy_id))
        tx.account(username)
        tx.event("user.added", {"username": username, "role": role.value}, chain=STORE_CHAIN)
        tx.event(
            "training.seated",
            {"session": session_id, "username": username, "ac_id": copy_id, "ac_number": number},
            chain=STORE_CHAIN,
        )
    return copy_id


def _copy_form17c(conn: Connection, src: AcContext, key: tr.AnswerKey) -> list[Form17C]:
    """The source's Form 17C Part I; a key station without one gets its official total (as a
    rehearsal takes it from Form 20); then the seeded 17C faults."""
    recs = dict(records_in(conn, src.ac_id))
    for _r, _t, s in key.tables():
        if s not in recs or recs[s].votes_recorded is None:
            recs[s] = Form17C(station=s, votes_recorded=key.official[s]["total"], source=Form17CSource.FORM20)
    for f in key.faults:
        if f.form17c_total is not None:
            recs[f.station] = recs[f.station].model_copy(update={"votes_recorded": f.form17c_total})
    return [recs[s] for s in sorted(recs)]


# -- reading (who may read what is checked here) ----------------------------------------------
def sessions(store: Store, actor: Actor) -> list[Session]:
    refuse_unless_trainer(actor, "list training sessions")
    with store.read() as conn:
        return [_session(conn, r) for r in conn.execute(select(sess_t).order_by(sess_t.c.id)).all()]


def session(store: Store, actor: Actor, session_id: int) -> Session:
    refuse_unless_trainer(actor, "read a training session")
    with store.read() as conn:
        return _session(conn, _session_row(conn, session_id))


def answer_key(store: Store, actor: Actor, session_id: int) -> tuple[Session, Setup, tr.AnswerKey]:
    """The official figures and the faults: trainers and administrators only."""
    refuse_unless_trainer(actor, "read the answer key")
    with store.read() as conn:
        row = _session_row(conn, session_id)
        s = _session(conn, row)
    return s, load_context(store, s.source_ac_id).setup, _key_of(row)


def sheets(store: Store, actor: Actor, session_id: int) -> tuple[Session, Setup, list[Sheet]]:
    """Every Form 17C Part II of the session as the supervisor writes it (seeded faults included)."""
    refuse_unless_trainer(actor, "print the training sheets")
    s, setup, key = answer_key(store, actor, session_id)
    out = []
    for r, t, st in key.tables():
        figures, note = key.sheet(r, st)
        out.append(Sheet(r, t, st, figures, note))
    return s, setup, out


def trainees_by_ac(conn: Connection) -> dict[int, str]:
    """The trainee seated on each copy: ac id -> user name (none in a store made before the
    training tables, opened without creating them)."""
    if not has_training(conn):
        return {}
    return {int(a): str(u) for u, a in conn.execute(select(seat_t.c.username, seat_t.c.ac_id))}


def _seat_of(conn: Connection, session_id: int, username: str) -> int:
    ac_id = conn.execute(
        select(seat_t.c.ac_id).where(seat_t.c.session_id == session_id, seat_t.c.username == username)
    ).scalar()
    if ac_id is None:
        raise ServiceError(f"'{username}' has no seat in training session {session_id}.")
    return ac_id


def seat_cells(store: Store, actor: Actor, session_id: int, username: str) -> dict[tuple[int, str, str], int]:
    """A seat's figures: its trainee, a trainer or an administrator only."""
    if actor.username != username and not may(actor.role, Action.TRAIN):
        raise NotAllowed(f"{actor.username} may not read another trainee's figures ({username}'s).")
    with store.read() as conn:
        ac_id = _seat_of(conn, session_id, username)
        rows = conn.execute(
            select(cell_t.c.round_no, cell_t.c.station, cell_t.c.field, cell_t.c.value).where(
                cell_t.c.ac_id == ac_id
            )
        )
        return {(r, s, f): int(v) for r, s, f, v in rows}


def events_of(conn: Connection, ac_id: int) -> list[tr.Event]:
    """The copy's journal as scoring reads it (the chain is re-hashed by `encore journal verify`)."""
    return [tr.Event(e.ac_id, e.seq, e.ts, e.actor, e.kind, e.payload) for e in journal.events(conn, ac_id)]


def trainee_score(store: Store, actor: Actor, session_id: int, username: str) -> tr.Score:
    """One trainee's score: its trainee, a trainer or an administrator."""
    if actor.username != username and not may(actor.role, Action.TRAIN):
        raise NotAllowed(f"{actor.username} may not read another trainee's score ({username}'s).")
    with store.read() as conn:
        row = _session_row(conn, session_id)
        ac_id = _seat_of(conn, session_id, username)
        return tr.score(_key_of(row), events_of(conn, ac_id), ac_id)


def report(store: Store, actor: Actor, session_id: int) -> Report:
    """The batch: every seat scored from its journal, ranked; the cells most often wrong."""
    refuse_unless_trainer(actor, "read the training report")
    with store.read() as conn:
        row = _session_row(conn, session_id)
        s = _session(conn, row)
        key = _key_of(row)
        scores = {u: tr.score(key, events_of(conn, a), a) for u, a in s.seats}
    setup = load_context(store, s.source_ac_id).setup
    return Report(s, setup, key, tr.rank(scores, s.pass_mark), tr.most_often_wrong(scores.values()))


# -- progress, polled by a live trainer screen -------------------------------------------------
@dataclass(frozen=True)
class SeatSummary:
    """One trainee's progress so far (the same figures as the report, from the same scoring)."""

    username: str
    ac_id: int
    cells: int  # cells to type in the session
    right: int
    wrong: int
    blank: int
    caught: int  # seeded faults caught so far
    faults: int
    rounds_submitted: int
    last_seq: int  # the copy's journal length (its seat's own events included)
    last_ts: str  # when the trainee last saved anything ("" before their first entry)

    @property
    def percent(self) -> float:
        whole = self.cells + self.faults
        return 100.0 * (self.right + self.caught) / whole if whole else 0.0


@dataclass
class SummaryCache:
    """What a polling screen keeps between two polls: each copy's journal read so far and its
    summary at that length. The journal only grows, so a poll reads only the events a trainee
    added since the last one, and scores only the copies that changed."""

    events: dict[int, list[tr.Event]] = field(default_factory=dict)  # ac_id -> events so far
    summaries: dict[int, SeatSummary] = field(default_factory=dict)  # ac_id -> at len(events)
    key: tuple[int, tr.AnswerKey] | None = None  # (session id, its key)


def seat_summaries(
    store: Store, session_id: int, actor: Actor, *, cache: SummaryCache | None = None
) -> list[SeatSummary]:
    """Every seat's progress, by user name: trainers and administrators only. Cheap enough to
    poll every 2 s: with the caller's `cache`, a poll where nobody typed is three small reads
    (the session, its seats, their chains' heads) and no journal read; a seat that changed
    costs the events it added and one scoring in memory."""
    refuse_unless_trainer(actor, "watch a training session")
    cache = cache if cache is not None else SummaryCache()
    out = []
    with store.read(snapshot=True) as conn:
        if cache.key is None or cache.key[0] != session_id:
            cache.events.clear()
            cache.summaries.clear()
            cache.key = (session_id, _key_of(_session_row(conn, session_id)))
        key = cache.key[1]
        seats = conn.execute(
            select(seat_t.c.username, seat_t.c.ac_id)
            .where(seat_t.c.session_id == session_id)
            .order_by(seat_t.c.username)
        ).all()
        copies = [a for _u, a in seats]
        heads = dict(
            conn.execute(
                select(chain_head.c.ac_id, chain_head.c.seq).where(chain_head.c.ac_id.in_(copies))
            ).all()
        )
        for username, ac_id in seats:
            seq = int(heads.get(ac_id, 0))
            done = cache.summaries.get(ac_id)
            if done is None or done.last_seq != seq or done.username != username:
                evs = cache.events.setdefault(ac_id, [])
                since = evs[-1].seq if evs else 0
                evs += [
                    tr.Event(e.ac_id, e.seq, e.ts, e.actor, e.kind, e.payload)
                    for e in journal.events(conn, ac_id, since)
                ]
                sc = tr.score(key, evs, ac_id)
                mine = next((e.ts for e in reversed(evs) if e.actor == username), "")
                done = cache.summaries[ac_id] = SeatSummary(
                    username,
                    ac_id,
                    sc.cells,
                    sc.right,
                    sc.wrong,
                    sc.blank,
                    sc.caught,
                    len(sc.faults),
                    sc.rounds_submitted,
                    evs[-1].seq if evs else 0,
                    mine,
                )
            out.append(done)
    return out
