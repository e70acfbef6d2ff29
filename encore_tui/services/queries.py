"""Read-side: what screens, printouts, the CLI and the push relay show. No writes here."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field

from sqlalchemy import Connection, bindparam, func, select

from encore_tui.domain import checks as ck
from encore_tui.domain import tally
from encore_tui.domain.entries import KeptAsideReason, TableEntry
from encore_tui.domain.form17c import Form17C
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import RoundStatus, provisional
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import ServiceError
from encore_tui.services.form17c import cu_confirmed_in, differences_check, form17c_in, tendered_in
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import cell as cell_t
from encore_tui.store.models import outbox as outbox_t
from encore_tui.store.models import round_ as round_t
from encore_tui.store.models import round_revision as rev_t
from encore_tui.store.models import table_state as ts_t
from encore_tui.store.models import ui_state as ui_t


@dataclass(frozen=True)
class AcSummary:
    ac_id: int
    number: int
    name: str


def list_acs(store: Store) -> list[AcSummary]:
    with store.read() as conn:
        return [
            AcSummary(r.id, r.number, r.name)
            for r in conn.execute(select(ac_t.c.id, ac_t.c.number, ac_t.c.name).order_by(ac_t.c.number))
        ]


def _entries_from_rows(ctx: AcContext, round_no: int, cells, states) -> list[TableEntry]:
    values: dict[str, dict[str, int]] = defaultdict(dict)
    for station, field, value in cells:
        values[station][field] = value
    st = {s: (k, n, a) for s, k, n, a in states}
    out = []
    for t, station in enumerate(ctx.tables_of(round_no), start=1):
        kept, note, acks = st.get(station, (None, "", "[]"))
        out.append(
            TableEntry(
                round_no,
                t,
                station,
                values.get(station, {}),
                KeptAsideReason(kept) if kept else None,
                note or "",
                frozenset(json.loads(acks or "[]")),
            )
        )
    return out


def entries_in(conn: Connection, ctx: AcContext, round_no: int) -> list[TableEntry]:
    """Every table of a round in table order (blank tables included)."""
    cells = conn.execute(
        select(cell_t.c.station, cell_t.c.field, cell_t.c.value).where(
            cell_t.c.ac_id == ctx.ac_id, cell_t.c.round_no == round_no
        )
    ).all()
    states = conn.execute(
        select(ts_t.c.station, ts_t.c.kept_aside, ts_t.c.note, ts_t.c.acknowledged).where(
            ts_t.c.ac_id == ctx.ac_id, ts_t.c.round_no == round_no
        )
    ).all()
    return _entries_from_rows(ctx, round_no, cells, states)


def all_entries(conn: Connection, ctx: AcContext) -> dict[int, list[TableEntry]]:
    cells = defaultdict(list)
    for r in conn.execute(
        select(cell_t.c.round_no, cell_t.c.station, cell_t.c.field, cell_t.c.value).where(
            cell_t.c.ac_id == ctx.ac_id
        )
    ):
        cells[r.round_no].append((r.station, r.field, r.value))
    states = defaultdict(list)
    for r in conn.execute(
        select(ts_t.c.round_no, ts_t.c.station, ts_t.c.kept_aside, ts_t.c.note, ts_t.c.acknowledged).where(
            ts_t.c.ac_id == ctx.ac_id
        )
    ):
        states[r.round_no].append((r.station, r.kept_aside, r.note, r.acknowledged))
    rounds = ctx.all_rounds
    return {r: _entries_from_rows(ctx, r, cells[r], states[r]) for r in rounds}


@dataclass(frozen=True)
class RoundInfo:
    round_no: int
    kind: str
    status: RoundStatus
    revision: int
    remark: str
    updated_at: str
    updated_by: str


def round_infos(conn: Connection, ac_id: int) -> dict[int, RoundInfo]:
    return {
        r.round_no: RoundInfo(
            r.round_no, r.kind, RoundStatus(r.status), r.revision, r.remark, r.updated_at, r.updated_by
        )
        for r in conn.execute(select(round_t).where(round_t.c.ac_id == ac_id).order_by(round_t.c.round_no))
    }


@dataclass(frozen=True)
class RoundView:
    """Everything a screen or a printout needs about one round."""

    ctx: AcContext
    info: RoundInfo
    entries: list[TableEntry]
    checks: list[ck.Check]
    tally: tally.RoundTally | None  # None for the postal round
    postal_totals: tally.Totals
    form17c: Mapping[str, Form17C] = dc_field(default_factory=dict)  # stations' Form 17C Part I
    cu_confirmed: Mapping[str, str] | None = None  # None: the RO has the CU confirmation off
    provisional: bool = True  # the tally after this round brings forward a round not approved

    @property
    def form17c_totals(self) -> dict[str, int | None]:
        """The 17C Part I total of each table of the round (the grid's check row)."""
        return {
            e.station: (r.votes_recorded if (r := self.form17c.get(e.station)) else None)
            for e in self.entries
        }

    @property
    def blocking(self) -> list[ck.Check]:
        return ck.blocking(self.checks)


def postal_totals(entries: list[TableEntry], n: int) -> tally.Totals:
    return tally.sum_totals((tally.entry_totals(e, n) for e in entries), n)


_ROUND = select(round_t).where(round_t.c.ac_id == bindparam("a"), round_t.c.round_no == bindparam("r"))


def round_row(conn: Connection, ac_id: int, round_no: int):
    """One round's row (status, revision, remark…), inside the caller's transaction."""
    row = conn.execute(_ROUND, {"a": ac_id, "r": round_no}).one_or_none()
    if row is None:
        raise ServiceError(f"There is no round {round_no} in this AC.")
    return row


def round_checks(
    conn: Connection, ctx: AcContext, round_no: int, entries: list[TableEntry]
) -> list[ck.Check]:
    """The checks of one round as entered (domain/checks.py), inside the caller's transaction."""
    postal_status = conn.execute(
        select(round_t.c.status).where(round_t.c.ac_id == ctx.ac_id, round_t.c.round_no == POSTAL_ROUND)
    ).scalar_one()
    return differences_check(conn, ctx, round_no, entries) + ck.check_round(
        ctx.setup,
        round_no,
        entries,
        postal=round_no == POSTAL_ROUND,
        postal_approved=RoundStatus(postal_status).is_approved,
        round_count=ctx.last_round,
        form17c=form17c_in(conn, ctx, ctx.tables_of(round_no)),
        cu_confirmed=cu_confirmed_in(conn, ctx.ac_id),
    )


def round_view(store: Store, ac_id: int, round_no: int) -> RoundView:
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        infos = round_infos(conn, ac_id)
        if round_no not in infos:
            raise ServiceError(f"There is no round {round_no}.")
        entries = all_entries(conn, ctx)
        checks = round_checks(conn, ctx, round_no, entries[round_no])
        records = form17c_in(conn, ctx, ctx.tables_of(round_no)) if round_no != POSTAL_ROUND else {}
        cu = cu_confirmed_in(conn, ac_id)
    ptot = postal_totals(entries[POSTAL_ROUND], ctx.n)
    rt = None
    if round_no > 0:
        upto = {r: e for r, e in entries.items() if 0 < r <= round_no}
        rt = tally.round_tallies(upto, ctx.n, ptot)[-1]
    prov = provisional(round_no, {r: i.status for r, i in infos.items()})
    return RoundView(ctx, infos[round_no], entries[round_no], checks, rt, ptot, records, cu, prov)


def round_tallies(store: Store, ac_id: int) -> list[tally.RoundTally]:
    """Cumulative tallies over every EVM round as entered (for trends and the dashboard)."""
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        entries = all_entries(conn, ctx)
    return tally.round_tallies(
        {r: e for r, e in entries.items() if r > 0}, ctx.n, postal_totals(entries[POSTAL_ROUND], ctx.n)
    )


def form20(store: Store, ac_id: int) -> tuple[AcContext, tally.Form20]:
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        return ctx, form20_in(conn, ctx)


def form20_in(conn: Connection, ctx: AcContext) -> tally.Form20:
    """Form 20 from inside the caller's transaction (so a check and the write it allows agree)."""
    entries = all_entries(conn, ctx)
    return tally.form20(
        ctx.setup,
        tally.counted_entries(entries),
        postal_totals(entries[POSTAL_ROUND], ctx.n),
        tendered_in(conn, ctx),  # each station's tendered ballot papers, from its Form 17C Part I
    )


@dataclass(frozen=True)
class Dashboard:
    ctx: AcContext
    rounds: dict[int, RoundInfo]
    entered: dict[int, int]  # round → tables with at least one figure or kept aside
    kept_aside: list[TableEntry]
    leader: tally.RoundTally | None
    outbox: dict[str, int]

    def provisional(self, round_no: int) -> bool:
        return provisional(round_no, {r: i.status for r, i in self.rounds.items()})


def outbox_counts_in(conn: Connection, ac_id: int | None) -> dict[str, int]:
    """Messages to central by delivery state (queued, sent, acked, failed; states with none
    left out), of one AC or (None) of every AC, inside the caller's transaction."""
    q = select(outbox_t.c.state, func.count()).group_by(outbox_t.c.state)
    if ac_id is not None:
        q = q.where(outbox_t.c.ac_id == ac_id)
    return dict(conn.execute(q).all())


def outbox_counts(store: Store, ac_id: int | None = None) -> dict[str, int]:
    """The dashboard's push line (re-read every few seconds while the relay works) and
    `encore push`'s summary: the one place the outbox is counted."""
    with store.read() as conn:
        return outbox_counts_in(conn, ac_id)


def dashboard(store: Store, ac_id: int) -> Dashboard:
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        infos = round_infos(conn, ac_id)
        entries = all_entries(conn, ctx)
        ob = outbox_counts_in(conn, ac_id)
    entered = {r: sum(1 for e in es if e.values or e.kept_aside) for r, es in entries.items()}
    kept = [e for r, es in entries.items() for e in es if e.kept_aside]
    tallies = tally.round_tallies(
        {r: e for r, e in entries.items() if r > 0 and entered.get(r)},
        ctx.n,
        postal_totals(entries[POSTAL_ROUND], ctx.n),
    )
    return Dashboard(ctx, infos, entered, kept, tallies[-1] if tallies else None, ob)


def revisions(store: Store, ac_id: int, round_no: int) -> list[dict]:
    """Snapshots of a round's figures at each submission/approval, oldest first."""
    with store.read() as conn:
        rows = conn.execute(
            select(rev_t)
            .where(rev_t.c.ac_id == ac_id, rev_t.c.round_no == round_no)
            .order_by(rev_t.c.revision, rev_t.c.created_at)
        ).all()
    return [
        {
            "revision": r.revision,
            "stage": r.stage,
            "digest": r.digest,
            "at": r.created_at,
            "by": r.created_by,
            "figures": json.loads(r.figures),
        }
        for r in rows
    ]


def load_ui_state(store: Store, actor: Actor, ac_id: int) -> dict | None:
    with store.read() as conn:
        text = conn.execute(
            select(ui_t.c.state).where(ui_t.c.username == actor.username, ui_t.c.ac_id == ac_id)
        ).scalar()
    return json.loads(text) if text else None
