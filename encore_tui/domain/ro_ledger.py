"""Replay of the RO verification events (pure; called by domain/ledger.py).

Every RO event (blind.*, vvpat.*, attachment.*, recount.*, result.*, form20.*, ro.*) carries
its complete effect on the state under `effects`, written by services/ro_tx.py in the same
transaction that changes the tables:

    records       {key: value | null}     one row of ro_record each (settings, draw, lot, …)
    blind         [[round, purpose, station, field, value | null]]
    cells         [[round, station, field, value | null]]      the counted figures
    rounds        [[round, kind, status, revision, remark]]     a round's resulting state
    invalidated   [round, …]                                     → needs re-approval
    vvpat_counts  [[station, attempt, {field: slips}]]
    attachments   [[purpose, round | null, sha256, filename, size, media_type]]

`encore journal verify` re-applies them and compares with the tables (services/verify.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

PREFIXES = frozenset({"ro", "blind", "attachment", "vvpat", "recount", "result", "form20"})
SECTIONS = ("records", "blind", "vvpat_counts", "attachments")


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def apply(state, seq: int, kind: str, p: Mapping[str, Any]) -> None:
    from encore_tui.domain.ledger import ReplayError, RoundState
    from encore_tui.domain.rounds import RoundStatus

    eff = p.get("effects") or {}
    ro = state.ro
    for sec in SECTIONS:
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
