"""The counting plan: which station is counted at which table in which round.

PS 1 → table 1, PS 2 → table 2 … `tables` stations make a round; the last round is short.
Round 0 is the postal round (its "tables" are the postal tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

POSTAL_ROUND = 0


def postal_table_key(table_no: int) -> str:
    return f"P{table_no}"


class PlanError(ValueError):
    pass


@dataclass(frozen=True)
class Slot:
    round_no: int
    table_no: int
    station: str


@dataclass(frozen=True)
class CountingPlan:
    tables: int
    rounds: tuple[tuple[str, ...], ...]  # rounds[i] is round i+1, stations by table

    @classmethod
    def make(cls, stations: Sequence[str], tables: int) -> CountingPlan:
        if tables < 1:
            raise PlanError("a round needs at least one counting table")
        if len(set(stations)) != len(stations):
            raise PlanError("a polling station may not appear in two rounds")
        rounds = tuple(tuple(stations[i : i + tables]) for i in range(0, len(stations), tables))
        return cls(tables=tables, rounds=rounds)

    @property
    def round_count(self) -> int:
        return len(self.rounds)

    def stations_of(self, round_no: int) -> tuple[str, ...]:
        if not 1 <= round_no <= len(self.rounds):
            raise PlanError(f"there is no EVM round {round_no} (plan has {len(self.rounds)})")
        return self.rounds[round_no - 1]

    def slots(self) -> list[Slot]:
        return [
            Slot(r, t, s)
            for r, stations in enumerate(self.rounds, start=1)
            for t, s in enumerate(stations, start=1)
        ]

    def locate(self, station: str) -> Slot:
        for slot in self.slots():
            if slot.station == station:
                return slot
        raise KeyError(station)

    def replan(self, tables: int, rounds_done: int) -> CountingPlan:
        """Change the number of tables for the rounds not yet started.

        The first `rounds_done` rounds stay exactly as they were; the remaining stations are
        re-allotted in order. The plan can never shrink below the rounds already done.
        """
        if rounds_done < 0 or rounds_done > len(self.rounds):
            raise PlanError(f"rounds done must be 0..{len(self.rounds)}")
        kept = self.rounds[:rounds_done]
        rest = [s for r in self.rounds[rounds_done:] for s in r]
        new = CountingPlan.make(rest, tables)
        plan = CountingPlan(tables=tables, rounds=kept + new.rounds)
        if plan.round_count < rounds_done:
            raise PlanError("the number of rounds cannot go below the rounds already done")
        return plan

    def to_json(self) -> dict:
        return {"tables": self.tables, "rounds": [list(r) for r in self.rounds]}

    @classmethod
    def from_json(cls, data: dict) -> CountingPlan:
        return cls(tables=int(data["tables"]), rounds=tuple(tuple(r) for r in data["rounds"]))
