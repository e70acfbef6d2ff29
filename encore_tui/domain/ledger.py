"""Re-derive the counting state from the journal's events (pure).

The store keeps the same state in its tables for speed; `encore journal verify` replays the
events with `replay` and compares with what the tables hold (`CountState.to_comparable`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from encore_tui.domain import ro_ledger
from encore_tui.domain.plan import CountingPlan
from encore_tui.domain.rounds import RoundStatus


@dataclass
class RoundState:
    kind: str  # postal | evm | vvpat
    status: str = RoundStatus.DRAFT.value
    revision: int = 0
    remark: str = ""


@dataclass
class TableState:
    kept_aside: str | None = None
    note: str = ""
    acknowledged: set[str] = field(default_factory=set)


@dataclass
class CountState:
    setup: dict | None = None
    plan: dict | None = None
    rounds: dict[int, RoundState] = field(default_factory=dict)
    cells: dict[tuple[int, str, str], int] = field(default_factory=dict)
    tables: dict[tuple[int, str], TableState] = field(default_factory=dict)
    # RO verification state (blind checks, VVPAT, attachments, declaration): domain/ro_ledger.py
    ro: dict[str, dict] = field(default_factory=dict)
    # which event last touched each key, to name it when the tables disagree
    touched_by: dict[Any, int] = field(default_factory=dict)

    def to_comparable(self) -> dict:
        return {
            "plan": self.plan,
            "rounds": {r: (s.kind, s.status, s.revision, s.remark) for r, s in sorted(self.rounds.items())},
            "cells": dict(sorted(self.cells.items())),
            "tables": {
                k: (t.kept_aside, t.note, tuple(sorted(t.acknowledged)))
                for k, t in sorted(self.tables.items())
                if t.kept_aside or t.note or t.acknowledged
            },
            "ro": {
                k: dict(sorted(v.items(), key=lambda kv: str(kv[0]))) for k, v in sorted(self.ro.items()) if v
            },
        }


class ReplayError(ValueError):
    def __init__(self, seq: int, message: str) -> None:
        super().__init__(f"event #{seq}: {message}")
        self.seq = seq


def _table(state: CountState, r: int, s: str) -> TableState:
    return state.tables.setdefault((r, s), TableState())


def apply(state: CountState, seq: int, kind: str, p: Mapping[str, Any]) -> None:
    """Apply one event. Unknown kinds that change no counting state are ignored."""
    if kind == "setup.created":
        state.setup = p["setup"]
        state.plan = p["plan"]
        plan = CountingPlan.from_json(p["plan"])
        state.rounds = {0: RoundState("postal")}
        for r in range(1, plan.round_count + 1):
            state.rounds[r] = RoundState("evm")
        state.touched_by["plan"] = seq
    elif kind == "plan.changed":
        plan = CountingPlan.from_json(p["plan"])
        state.plan = p["plan"]
        for r in list(state.rounds):
            if state.rounds[r].kind == "evm" and r > plan.round_count:
                del state.rounds[r]
        for r in range(1, plan.round_count + 1):
            state.rounds.setdefault(r, RoundState("evm"))
        state.touched_by["plan"] = seq
    elif kind == "cell.entered":
        key = (int(p["round"]), p["station"], p["field"])
        if p["after"] is None:
            state.cells.pop(key, None)
        else:
            state.cells[key] = int(p["after"])
        state.touched_by[key] = seq
    elif kind == "table.imported":
        r, s = int(p["round"]), p["station"]
        for f, v in p["values"].items():
            state.cells[(r, s, f)] = int(v)
            state.touched_by[(r, s, f)] = seq
    elif kind == "table.kept_aside":
        t = _table(state, int(p["round"]), p["station"])
        t.kept_aside, t.note = p["reason"], p.get("note", "")
        state.touched_by[("table", int(p["round"]), p["station"])] = seq
    elif kind == "table.restored":
        t = _table(state, int(p["round"]), p["station"])
        t.kept_aside, t.note = None, ""
        state.touched_by[("table", int(p["round"]), p["station"])] = seq
    elif kind == "warning.acknowledged":
        _table(state, int(p["round"]), p["station"]).acknowledged.add(p["code"])
        state.touched_by[("table", int(p["round"]), p["station"])] = seq
    elif kind.startswith("round."):
        r = int(p["round"])
        if r not in state.rounds:
            raise ReplayError(seq, f"round {r} does not exist")
        rs = state.rounds[r]
        # every round.* event carries the round's resulting status, revision and remark
        rs.status, rs.revision, rs.remark = p["status"], int(p["revision"]), p.get("remark", "")
        for other in p.get("invalidated", []):
            state.rounds[int(other)].status = RoundStatus.NEEDS_REAPPROVAL.value
            state.touched_by[("round", int(other))] = seq
        state.touched_by[("round", r)] = seq
    elif kind.split(".", 1)[0] in ro_ledger.PREFIXES:
        ro_ledger.apply(state, seq, kind, p)


def replay(events: Iterable[tuple[int, str, Mapping[str, Any]]]) -> CountState:
    state = CountState()
    for seq, kind, payload in events:
        apply(state, seq, kind, payload)
    return state
