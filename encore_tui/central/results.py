"""What central publishes for an AC, derived from every message it holds (pure).

Rounds are shown up to the last one that is complete and current: when the RO corrects round
r (or the postal result), the rounds after r that central holds are stale until their
re-approval arrives, exactly as on the counting floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from encore_tui.domain.tally import lead
from encore_tui.wire import messages as wire


@dataclass(frozen=True)
class Held:
    """One stored message, parsed."""

    id: int
    kind: str
    received_at: str
    msg: wire.RoundResult | wire.PostalResult | wire.VvpatResult | wire.DeclarationResult


class Standing(BaseModel):
    serial: int
    name: str
    party: str
    votes: int


class Received(BaseModel):
    kind: str
    round: int | None
    revision: int
    received_at: str
    current: bool  # False: superseded by a later revision, or stale after an earlier correction


class Declared(BaseModel):
    winner: Standing
    runner_up: Standing | None = None
    margin: int
    form: str
    declared_at: str
    by_lot: bool
    ro_name: str = ""
    place: str = ""
    certificate: bool = False  # the signed certificate (Form 22) scan was received


class AcResults(BaseModel):
    ac: int
    ac_name: str
    election: str
    fictional: bool
    rounds_planned: int
    rounds_counted: int  # rounds 1..i received, current and in order (N+1: the VVPAT round too)
    status: Literal["postal_only", "counting", "awaiting_reapproval", "declared"]
    stale_rounds: list[int]
    postal: wire.Tally | None
    cumulative: wire.Tally | None
    leading: Standing | None
    trailing: Standing | None
    margin: int
    tied: list[int]
    vvpat_received: bool
    vvpat_round: bool = False  # the final round of kept-aside stations (round N+1) is counted
    declared: Declared | None
    received: list[Received]


def _standing(contest: wire.Contest, serial: int | None, votes: Sequence[int]) -> Standing | None:
    if serial is None:
        return None
    c = contest.candidates[serial - 1]
    return Standing(serial=serial, name=c.name, party=c.party, votes=votes[serial - 1])


def summarize(held: Sequence[Held]) -> AcResults | None:
    if not held:
        return None
    held = sorted(held, key=lambda h: h.id)
    contest = held[-1].msg.contest
    latest: dict[int, Held] = {}
    postal: Held | None = None
    invalidators: list[tuple[int, int]] = []  # (round corrected, message id)
    vvpat = decl = None
    for h in held:
        m = h.msg
        if isinstance(m, wire.RoundResult):
            latest[m.round] = h
            if m.kind == "correction":
                invalidators.append((m.round, h.id))
        elif isinstance(m, wire.PostalResult):
            postal = h
            if m.correction:
                invalidators.append((0, h.id))
        elif isinstance(m, wire.VvpatResult):
            vvpat = h
        elif decl is None or m.revision >= decl.msg.revision:
            decl = h

    def stale(r: int) -> bool:
        return any(rc < r and i > latest[r].id for rc, i in invalidators)

    stale_rounds = sorted(r for r in latest if stale(r))
    counted = 0
    while counted + 1 in latest and not stale(counted + 1):
        counted += 1
    cum: wire.Tally | None = None
    if counted:
        msg = latest[counted].msg
        assert isinstance(msg, wire.RoundResult)
        cum = msg.cumulative
    elif postal is not None:
        assert isinstance(postal.msg, wire.PostalResult)
        cum = postal.msg.totals
    if vvpat is not None and counted >= contest.rounds_planned and vvpat.id > latest[counted].id:
        assert isinstance(vvpat.msg, wire.VvpatResult)
        cum = vvpat.msg.cumulative  # the totals after slip counts prevailed, when newer
    declared = None
    if decl is not None:
        d = decl.msg
        assert isinstance(d, wire.DeclarationResult)
        cum = d.final
        w = _standing(contest, d.winner, d.final.candidates)
        assert w is not None
        declared = Declared(
            winner=w,
            runner_up=_standing(contest, d.runner_up, d.final.candidates),
            margin=d.margin,
            form=d.form,
            declared_at=d.declared_at.isoformat(),
            by_lot=d.tie_lot is not None,
            ro_name=d.ro_name,
            place=d.place,
            certificate=any(
                isinstance(h.msg, wire.DeclarationResult) and h.msg.certificate is not None for h in held
            ),
        )
    ld = lead(cum.candidates) if cum else lead([])
    received = []
    for h in held:
        m = h.msg
        rnd = (
            m.round if isinstance(m, wire.RoundResult) else (0 if isinstance(m, wire.PostalResult) else None)
        )
        if isinstance(m, wire.RoundResult):
            current = latest[m.round].id == h.id and not stale(m.round)
        else:  # the latest postal / VVPAT / declaration message is the current one
            current = h in (postal, vvpat, decl)
        received.append(
            Received(kind=h.kind, round=rnd, revision=m.revision, received_at=h.received_at, current=current)
        )
    if declared:
        status = "declared"
    elif stale_rounds:
        status = "awaiting_reapproval"
    elif counted:
        status = "counting"
    else:
        status = "postal_only"
    return AcResults(
        ac=contest.ac,
        ac_name=contest.ac_name,
        election=contest.election,
        fictional=contest.fictional,
        rounds_planned=contest.rounds_planned,
        rounds_counted=counted,
        status=status,
        stale_rounds=stale_rounds,
        postal=postal.msg.totals
        if postal is not None and isinstance(postal.msg, wire.PostalResult)
        else None,
        cumulative=cum,
        leading=_standing(contest, ld.leader, cum.candidates) if cum else None,
        trailing=_standing(contest, ld.runner_up, cum.candidates) if cum else None,
        margin=ld.margin,
        tied=list(ld.tied),
        vvpat_received=vvpat is not None,
        vvpat_round=counted > contest.rounds_planned,
        declared=declared,
        received=received,
    )
