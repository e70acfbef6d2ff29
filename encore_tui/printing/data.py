"""What a document needs from the store, gathered through the services (no fpdf here, so
`encore verify sheet` and the push relay can use it too)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from encore_tui.domain.declaration import Declaration
from encore_tui.domain.setup import Candidate, Setup
from encore_tui.domain.tally import Form20, lead
from encore_tui.printing import chain as ch
from encore_tui.store import journal
from encore_tui.store.models import chain_head
from encore_tui.store.models import journal as journal_t


def now_iso() -> str:
    return journal.now()


def local_time(iso: str) -> str:
    """'14-11-2025 10:02 IST' style, in the PC's local time zone."""
    t = dt.datetime.fromisoformat(iso).astimezone()
    return t.strftime("%d-%m-%Y %H:%M %Z").strip()


def cand_label(c: Candidate) -> str:
    return f"{c.name}\n{c.name_hi}" if c.name_hi else c.name


def party_label(c: Candidate) -> str:
    return f"{c.party}\n{c.party_hi}" if c.party_hi else c.party


def cand_inline(c: Candidate) -> str:
    name = f"{c.name} ({c.name_hi})" if c.name_hi else c.name
    party = f"{c.party} ({c.party_hi})" if c.party_hi else c.party
    return f"{name}, {party}"


@dataclass
class AcState:
    """The whole AC now: setup, every round's state and the sheet chain."""

    ctx: object
    states: dict[int, ch.RoundState]
    chain: dict[int, str]
    genesis: str
    head: tuple[int, str] = (0, "")  # the journal's chain head (seq, hash) when it was read
    setup_json: str = ""  # the setup as first made: the chain starts from it (services/amend.py)

    @property
    def anchor(self) -> dict:
        """QR keys js/jh: the journal's chain head when the sheet was printed (an anchor of the
        store's journal on paper: `encore verify sheet` checks the store still has that event)."""
        # 32 hex digits (128 bits) of the hash, like the sheet chain's `p`: the QR stays small
        return {"js": self.head[0], "jh": self.head[1][:32]} if self.head[0] else {}

    @property
    def setup(self) -> Setup:
        return self.ctx.setup

    def prev_of(self, round_no: int) -> str:
        return self.genesis if round_no == 0 else self.chain[round_no - 1]

    @property
    def last_round(self) -> int:
        return max(self.states)

    @property
    def round_digests(self) -> list[str]:
        return [self.states[r].digest[:8] for r in sorted(self.states)]

    @property
    def all_approved(self) -> bool:
        return all(s.stage == ch.APPROVED for s in self.states.values())


def ac_state(store, ac_id: int) -> AcState:
    from sqlalchemy import select

    with store.read() as conn:
        head = conn.execute(
            select(chain_head.c.seq, chain_head.c.hash).where(chain_head.c.ac_id == ac_id)
        ).one_or_none()
    ctx, states = ch.round_states(store, ac_id)
    from encore_tui.services.amend import genesis_setup_json

    setup_json = genesis_setup_json(store, ac_id, ctx.setup)  # as first made: the chain's start
    return AcState(
        ctx,
        states,
        ch.chain(ctx.setup.ac.number, setup_json, states),
        ch.genesis(ctx.setup.ac.number, setup_json),
        (int(head[0]), head[1]) if head else (0, ""),
        setup_json,
    )


def form20_digest(f20: Form20) -> str:
    """sha256 of a Form 20's figures: each row and the postal totals."""
    doc = {
        "rows": [[r.station, *r.totals.votes, r.totals.nota, r.totals.rejected] for r in f20.rows],
        "postal": [*f20.postal.votes, f20.postal.nota, f20.postal.rejected],
    }
    return ch.sha(journal.canonical(doc))


@dataclass(frozen=True)
class Result:
    """The declaration to print, and whether it is only a draft from the current lead."""

    declaration: Declaration | None
    draft: bool
    tied: tuple[int, ...] = ()


def draft_declaration(setup: Setup, f20: Form20, at: str) -> Result:
    """Before the RO declares: the current lead as a draft (NOTA never leads)."""
    ld = lead(f20.total_polled.votes)
    if ld.leader is None:
        return Result(None, True)
    return Result(
        Declaration(
            winner_serial=ld.leader,
            winner_votes=f20.total_polled.votes[ld.leader - 1],
            runner_up_serial=ld.runner_up,
            margin=ld.margin,
            declared_at=dt.datetime.fromisoformat(at),
            ro_name="",
            place=setup.ac.district or "",
        ),
        True,
        ld.tied,
    )


def correction_reasons(store, ac_id: int, round_no: int) -> list[tuple[str, int, str, str]]:
    """(time, new revision, RO, reason) of each correction opened on the round, from the journal."""
    from sqlalchemy import select

    with store.read() as conn:
        rows = conn.execute(
            select(journal_t.c.ts, journal_t.c.actor, journal_t.c.payload)
            .where(journal_t.c.ac_id == ac_id, journal_t.c.kind == "round.correction_opened")
            .order_by(journal_t.c.seq)
        ).all()
    out = []
    for ts, actor, payload in rows:
        p = json.loads(payload)
        if p.get("round") == round_no:
            out.append((ts, p.get("revision", 0), actor, p.get("remark", "")))
    return out


def pick_revisions(state: ch.RoundState, old: int | None, new: int | None) -> tuple[dict, dict]:
    """The two snapshots a correction annex compares: by default the last approved snapshot of
    an earlier revision against the newest figures (the current snapshot, else the live ones)."""
    snaps = state.snapshots
    live = {
        "revision": state.revision,
        "stage": "live",
        "digest": state.digest,
        "at": "",
        "by": "",
        "figures": {"tables": state.tables},
    }

    def latest(rev: int) -> dict | None:
        cands = [s for s in snaps if s["revision"] == rev]
        appr = [s for s in cands if s["stage"] == "approved"]
        return (appr or cands or [None])[-1]

    if new is None:
        newer = latest(state.revision)
        newer = newer if newer and newer["digest"] == state.digest else live
    else:
        newer = latest(new) or (live if new == state.revision else None)
    if newer is None:
        raise LookupError(f"Round {state.round_no} has no revision {new}.")
    if old is None:
        olds = [s for s in snaps if s["revision"] < newer["revision"] and s["stage"] == "approved"]
        if not olds:
            raise LookupError(
                f"Round {state.round_no} has no earlier approved revision to compare with: "
                "a correction annex needs a round that was approved and then corrected."
            )
        older = olds[-1]
    else:
        older = latest(old)
        if older is None:
            raise LookupError(f"Round {state.round_no} has no revision {old}.")
    return older, newer
