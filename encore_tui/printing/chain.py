"""Digests that tie a printed sheet to the store, and the chain of round sheets.

No fpdf here: the push relay may import this to send the sheet chain digest.

- The *figures digest* of a round is `services.decisions.figures_snapshot` (sha256 of the
  canonical JSON of every table of the round): the same digest the RO's approval records.
- A *table digest* is the first 8 hex digits of sha256 of one table's canonical JSON (the
  element of that snapshot's `tables` list); a sheet's QR carries them so `encore verify sheet`
  can name the table, and through the stored revisions the cell, that differs.
- The *sheet digest* of round r is sha256 of the canonical JSON
  `{"ac": AC, "d": figures digest, "p": sheet digest of round r-1, "r": r, "rev": revision}`;
  round 0 (postal) links to the *genesis* digest, sha256 of `{"ac": AC, "setup": sha256(setup JSON)}`.
  A changed figure in any earlier round changes every later sheet digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from encore_tui.services import load_context, revisions
from encore_tui.services.decisions import figures_snapshot
from encore_tui.services.queries import all_entries, round_infos
from encore_tui.store.journal import canonical

APPROVED, SUBMITTED, DRAFT = "a", "s", "d"  # stage letters printed in the QR payload
STAGE_NAMES = {APPROVED: "approved", SUBMITTED: "submitted", DRAFT: "not submitted (draft)"}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def table_digest(table: dict) -> str:
    return sha(canonical(table))[:8]


def genesis(ac_number: int, setup_json: str) -> str:
    return sha(canonical({"ac": ac_number, "setup": sha(setup_json)}))


def sheet_digest(ac_number: int, round_no: int, revision: int, figures: str, prev: str) -> str:
    return sha(canonical({"ac": ac_number, "d": figures, "p": prev, "r": round_no, "rev": revision}))


@dataclass
class RoundState:
    """One round as the store holds it now (or held it at some time, for verification)."""

    round_no: int
    revision: int
    stage: str  # APPROVED / SUBMITTED / DRAFT
    digest: str
    tables: list[dict]
    snapshots: list[dict] = field(default_factory=list)  # services.revisions(), oldest first

    @property
    def table_digests(self) -> list[str]:
        return [table_digest(t) for t in self.tables]


def _stage(revision: int, digest: str, snapshots: list[dict]) -> str:
    mine = [s for s in snapshots if s["revision"] == revision and s["digest"] == digest]
    if any(s["stage"] == "approved" for s in mine):
        return APPROVED
    return SUBMITTED if mine else DRAFT


def round_states(store, ac_id: int) -> tuple[object, dict[int, RoundState]]:
    """(ctx, {round: RoundState}) for every round, from the live figures and the snapshots."""

    ctx = load_context(store, ac_id)
    with store.read() as conn:
        entries = all_entries(conn, ctx)
        infos = round_infos(conn, ac_id)
    out = {}
    for r, es in sorted(entries.items()):
        text, digest = figures_snapshot(ctx, r, es)
        snaps = revisions(store, ac_id, r)
        rev = infos[r].revision
        out[r] = RoundState(r, rev, _stage(rev, digest, snaps), digest, json.loads(text)["tables"], snaps)
    return ctx, out


def chain(ac_number: int, setup_json: str, states: dict[int, RoundState]) -> dict[int, str]:
    """Sheet digest of every round 0..last, in order."""
    prev = genesis(ac_number, setup_json)
    out = {}
    for r in sorted(states):
        s = states[r]
        prev = out[r] = sheet_digest(ac_number, r, s.revision, s.digest, prev)
    return out


def states_at(states: dict[int, RoundState], at: str) -> dict[int, RoundState]:
    """The rounds as their snapshots stood at time `at` (ISO text): for a round changed since,
    its latest snapshot taken at or before `at`; a round unchanged since keeps its live state."""
    out = {}
    for r, s in states.items():
        later = [x for x in s.snapshots if x["at"] > at]
        if not later:
            out[r] = s
            continue
        before = [x for x in s.snapshots if x["at"] <= at]
        if not before:
            out[r] = s  # nothing recorded then (the round was a draft): best effort
            continue
        snap = before[-1]
        stage = APPROVED if snap["stage"] == "approved" else SUBMITTED
        out[r] = RoundState(
            r, snap["revision"], stage, snap["digest"], snap["figures"]["tables"], s.snapshots
        )
    return out
