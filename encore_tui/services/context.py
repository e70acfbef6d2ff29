"""Who is acting, and the AC being counted (setup and plan, cached per store)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Connection, bindparam, select

from encore_tui.base.fast import Fast
from encore_tui.domain.entries import entry_fields
from encore_tui.domain.plan import POSTAL_ROUND, CountingPlan, postal_table_key
from encore_tui.domain.rounds import Role
from encore_tui.domain.setup import Setup
from encore_tui.services.errors import ServiceError
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import ro_record


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    display_name: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.username


SYSTEM = Actor("system", Role.SYSTEM, "encore (automatic)")


@dataclass(frozen=True)
class AcContext:
    ac_id: int
    setup: Setup
    plan: CountingPlan
    plan_version: int
    # the final VVPAT round of kept-aside stations (round N+1), once the RO opened it
    extra_rounds: tuple[tuple[int, tuple[str, ...]], ...] = ()

    @property
    def n(self) -> int:
        return len(self.setup.candidates)

    @cached_property
    def stations_by_number(self):
        return self.setup.station_index()

    def tables_of(self, round_no: int) -> list[str]:
        """The 'stations' (columns) of a round in table order."""
        if round_no == POSTAL_ROUND:
            return [postal_table_key(i) for i in range(1, self.setup.postal_tables + 1)]
        for r, stations in self.extra_rounds:
            if r == round_no:
                return list(stations)
        return list(self.plan.stations_of(round_no))

    def fields_of(self, round_no: int) -> list[str]:
        return entry_fields(self.n, postal=round_no == POSTAL_ROUND)

    def max_value(self, round_no: int, station: str) -> int:
        """The largest figure a cell may hold: the station's electors (else the AC's)."""
        st = None if round_no == POSTAL_ROUND else self.stations_by_number.get(station)
        if st is not None and st.electors is not None:
            return st.electors
        return self.setup.ac.electors

    @property
    def last_round(self) -> int:
        """The last EVM round of the plan (a final VVPAT round, if any, comes after it)."""
        return self.plan.round_count

    @property
    def all_rounds(self) -> list[int]:
        return [POSTAL_ROUND, *range(1, self.plan.round_count + 1), *(r for r, _ in self.extra_rounds)]


_PLAN_VERSION = Fast(select(ac_t.c.plan_version).where(ac_t.c.id == bindparam("a")))


def load_context(store: Store, ac_id: int, conn: Connection | None = None) -> AcContext:
    """The AC's setup and plan; cached until the plan version changes."""

    def _load(c: Connection) -> AcContext:
        row = _PLAN_VERSION.one(c, {"a": ac_id})
        if row is None:
            raise ServiceError(f"There is no AC with id {ac_id} in this store.")
        cached = store.cache.get(("ctx", ac_id))
        if cached is not None and cached.plan_version == row[0]:
            return cached
        full = c.execute(select(ac_t).where(ac_t.c.id == ac_id)).one()
        vv = c.execute(
            select(ro_record.c.value).where(ro_record.c.ac_id == ac_id, ro_record.c.key == "vvpat_round")
        ).scalar()
        extra = ()
        if vv:
            d = json.loads(vv)
            extra = ((int(d["round"]), tuple(d["stations"])),)
        ctx = AcContext(
            ac_id,
            Setup.model_validate_json(full.setup_json),
            CountingPlan.from_json(json.loads(full.plan_json)),
            full.plan_version,
            extra,
        )
        store.cache[("ctx", ac_id)] = ctx
        return ctx

    if conn is not None:
        return _load(conn)
    with store.read() as c:
        return _load(c)
