"""What central publishes for an AC, derived from every message it holds (pure).

Rounds are shown up to the last one that is complete and current: when the RO corrects round
r (or the postal result), the rounds after r that central holds are stale until their
re-approval arrives, exactly as on the counting floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from encore_tui.central.acmodel import AcModel
from encore_tui.domain.tally import lead
from encore_tui.wire import messages as wire


class SetupNote(BaseModel):
    at: str
    reason: str


class RecountNote(BaseModel):
    at: str  # when central received the order (UTC)
    rounds: list[int]  # 0: the postal ballots
    full: bool
    reason: str
    done: bool  # the recounted figures of every one of those rounds have arrived


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
    status: Literal["postal_only", "counting", "awaiting_reapproval", "recount", "declared"]
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
    # the newest acmodel.RECENT messages (oldest first): the document stays the same size however
    # many revisions arrive; every revision of a round is at /v1/acs/{ac}/rounds/{r}
    received: list[Received]
    received_count: int = 0  # every message central accepted for this AC
    updated_at: str = ""  # when central accepted the newest message of this AC (UTC)
    plan_changes: list[list[int]] = []
    setup_amendments: list[SetupNote] = []  # signed setup amendments, oldest first
    recounts: list[RecountNote] = []  # recounts (Rule 63) ordered, oldest first
    recounting: list[int] = []  # rounds whose recounted figures have not arrived yet
    signed_documents: dict[str, str] = {}  # "20", "21C", "22": the sha256 of the signed scan on file


def _standing(contest: wire.Contest, serial: int | None, votes: Sequence[int]) -> Standing | None:
    if serial is None:
        return None
    c = contest.candidates[serial - 1]
    return Standing(serial=serial, name=c.name, party=c.party, votes=votes[serial - 1])


def of_model(m: AcModel) -> AcResults:
    """What central publishes for an AC: derived from its model alone (built once per accepted
    message, never by re-reading the history)."""
    contest = m.contest
    cum = m.cumulative()
    counted = m.rounds_counted()
    d = m.declaration
    declared = None
    if d is not None:
        w = _standing(contest, d.winner, d.final.candidates)
        assert w is not None
        same = d.model_dump(
            include={"margin", "form", "declared_at", "by_lot", "ro_name", "place", "certificate"}
        )
        declared = Declared(winner=w, runner_up=_standing(contest, d.runner_up, d.final.candidates), **same)
    stale_rounds = sorted(r for r, h in m.rounds.items() if h.stale)
    current_ids = {h.id for h in m.rounds.values() if not h.stale}
    current_ids |= {x.id for x in (m.postal, m.vvpat, d) if x is not None}
    received = [  # 64 of them on every push: plain dicts, made into models by pydantic-core
        {
            "kind": e.kind,
            "round": e.round,
            "revision": e.revision,
            "received_at": e.received_at,
            "current": e.id in current_ids,
        }
        for e in m.received
    ]
    ld = lead(cum.candidates) if cum else lead([])
    recounting = m.recounting()
    if declared:
        status = "declared"
    elif recounting:
        status = "recount"
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
        postal=m.postal.totals if m.postal else None,
        cumulative=cum,
        leading=_standing(contest, ld.leader, cum.candidates) if cum else None,
        trailing=_standing(contest, ld.runner_up, cum.candidates) if cum else None,
        margin=ld.margin,
        tied=list(ld.tied),
        vvpat_received=m.vvpat is not None,
        vvpat_round=counted > contest.rounds_planned,
        declared=declared,
        received=received,
        received_count=m.received_count,
        updated_at=m.updated_at,
        plan_changes=[list(p) for p in m.plan_changes],
        setup_amendments=[SetupNote(at=at, reason=reason) for at, reason in m.amendments],
        recounts=[
            RecountNote(
                at=rc.received_at,
                rounds=rc.rounds,
                full=rc.full,
                reason=rc.reason,
                done=not set(rc.rounds) & set(recounting),
            )
            for rc in m.recounts
        ],
        recounting=recounting,
        signed_documents=dict(sorted(m.documents.items())),
    )
