"""Re-derive the whole state of a store from the journal's events (pure): the one ledger.

The store keeps the same state in its tables for speed; `encore journal verify` replays the
events with `replay` and compares with what the tables hold (`CountState.to_comparable`).

The counting events (cell.entered, table.*, round.*) carry their change in their own fields.
Every event may also carry `effects` (services/uow.py writes them in the same transaction
that changes the tables):

    records       {key: value | null}     one row of ro_record each (settings, draw, lot, …)
    blind         [[round, purpose, station, field, value | null]]
    cells         [[round, station, field, value | null]]      the counted figures
    rounds        [[round, kind, status, revision, remark]]     a round's resulting state
    invalidated   [round, …]                                     → needs re-approval
    vvpat_counts  [[station, attempt, {field: slips}]]
    attachments   [[purpose, round | null, sha256, filename, size, media_type]]
    snapshots     [[round, revision, stage, digest]]            approved/submitted figures
    accounts      {username: account state}                     (store chain) see account_state

and `outbox.queued` events name each queued push with the sha256 of its exact bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from encore_tui.domain.plan import CountingPlan
from encore_tui.domain.rounds import RoundStatus

RO_SECTIONS = ("records", "blind", "vvpat_counts", "attachments")


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def account_state(row: Mapping[str, Any]) -> dict:
    """What the journal keeps of an account row: everything that decides who may do what (the
    PIN as the sha256 of its Argon2 hash, so the journal holds no crackable hash)."""
    return {
        "display_name": row["display_name"],
        "role": row["role"],
        "pin": hashlib.sha256(str(row["pin_hash"]).encode()).hexdigest(),
        "active": int(row["active"]),
        "failed_attempts": int(row["failed_attempts"]),
        "locked_until": row["locked_until"],
    }


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
    # RO verification state (blind checks, VVPAT, attachments, declaration)
    ro: dict[str, dict] = field(default_factory=dict)
    # (round, revision, stage) -> digest of the figures snapshot
    snapshots: dict[tuple[int, int, str], str] = field(default_factory=dict)
    # idempotency key -> (kind, sha256 of the bytes to send, seq of the outbox.queued event)
    outbox: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    # username -> account_state (store chain)
    accounts: dict[str, dict] = field(default_factory=dict)
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
            "snapshots": dict(sorted(self.snapshots.items())),
            "outbox": {k: v[:2] for k, v in sorted(self.outbox.items())},
            "accounts": dict(sorted(self.accounts.items())),
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
    elif kind == "setup.amended":
        state.setup = p["setup"]
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
    elif kind == "outbox.queued":
        state.outbox[p["key"]] = (p["kind"], p["sha256"], seq)
        state.touched_by[("outbox", p["key"])] = seq
    if "effects" in p:
        apply_effects(state, seq, p["effects"] or {})


def apply_effects(state: CountState, seq: int, eff: Mapping[str, Any]) -> None:
    """Apply the `effects` an event carries (see the module docstring)."""
    ro = state.ro
    for sec in RO_SECTIONS:
        ro.setdefault(sec, {})
    for r, kind_, status, revision, remark in eff.get("rounds", []):
        rs = state.rounds.setdefault(int(r), RoundState(kind_))
        rs.kind, rs.status, rs.revision, rs.remark = kind_, status, int(revision), remark
        state.touched_by[("round", int(r))] = seq
    for r in eff.get("invalidated", []):
        if int(r) not in state.rounds:
            raise ReplayError(seq, f"round {r} does not exist")
        state.rounds[int(r)].status = RoundStatus.NEEDS_REAPPROVAL.value
        state.touched_by[("round", int(r))] = seq
    for r, station, f, v in eff.get("cells", []):
        key = (int(r), station, f)
        if v is None:
            state.cells.pop(key, None)
        else:
            state.cells[key] = int(v)
        state.touched_by[key] = seq
    for key, value in (eff.get("records") or {}).items():
        if value is None:
            ro["records"].pop(key, None)
        else:
            ro["records"][key] = canonical(value)
        state.touched_by[("records", key)] = seq
    for r, purpose, station, f, v in eff.get("blind", []):
        key = (int(r), purpose, station, f)
        if v is None:
            ro["blind"].pop(key, None)
        else:
            ro["blind"][key] = int(v)
        state.touched_by[("blind", key)] = seq
    for station, attempt, values in eff.get("vvpat_counts", []):
        key = (station, int(attempt))
        ro["vvpat_counts"][key] = canonical({k: int(v) for k, v in values.items()})
        state.touched_by[("vvpat_counts", key)] = seq
    for purpose, r, sha, filename, size, media_type in eff.get("attachments", []):
        key = (purpose, -1 if r is None else int(r), sha)
        ro["attachments"][key] = (filename, int(size), media_type, sha)
        state.touched_by[("attachments", key)] = seq
    for r, revision, stage, digest in eff.get("snapshots", []):
        key = (int(r), int(revision), stage)
        state.snapshots[key] = digest
        state.touched_by[("snapshots", key)] = seq
    for username, acct in (eff.get("accounts") or {}).items():
        state.accounts[username] = dict(acct)
        state.touched_by[("accounts", username)] = seq


def replay(events: Iterable[tuple[int, str, Mapping[str, Any]]]) -> CountState:
    state = CountState()
    for seq, kind, payload in events:
        apply(state, seq, kind, payload)
    return state
