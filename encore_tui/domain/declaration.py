"""The declaration of the result (Form 21C/21D/21E, Form 22) and the draw of lots on a tie.

Shared by the RO services (which record them) and printing (which prints them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from encore_tui.domain.tally import lead


class TieLot(BaseModel):
    """Section 65 RP Act: tied candidates; the one on whom the lot falls gets one extra vote."""

    model_config = ConfigDict(frozen=True)
    tied_serials: tuple[int, ...] = Field(min_length=2)
    drawn_serial: int
    drawn_by: str  # who drew the lot
    witnesses: str = ""  # candidates/agents/observer present
    at: dt.datetime


class Declaration(BaseModel):
    model_config = ConfigDict(frozen=True)
    winner_serial: int
    winner_votes: int
    runner_up_serial: int | None
    margin: int
    declared_at: dt.datetime
    ro_name: str
    place: str = ""
    tie_lot: TieLot | None = None


class ResultError(ValueError):
    pass


def tied_leaders(votes: Sequence[int]) -> tuple[int, ...]:
    """Serials of the candidates tied for the most votes (empty when there is a clear leader)."""
    ld = lead(votes)
    return ld.tied


def decide(votes: Sequence[int], tie_lot: TieLot | None) -> tuple[int, int, int | None, int]:
    """(winner serial, winner votes, runner-up serial, margin) from the final valid votes per
    candidate (NOTA never wins). On a tie the candidate on whom the lot fell is treated as having
    one extra vote (Section 65 RP Act), so the margin is 1."""
    ld = lead(votes)
    if ld.leader is None:
        raise ResultError("no candidate has a vote: nothing to declare")
    if not ld.is_tie:
        if tie_lot is not None:
            raise ResultError("a lot was recorded but the leading candidates are not tied")
        return ld.leader, votes[ld.leader - 1], ld.runner_up, ld.margin
    if tie_lot is None:
        raise ResultError(
            "candidates " + ", ".join(map(str, ld.tied)) + " are tied: the RO must decide by lot"
        )
    if set(tie_lot.tied_serials) != set(ld.tied) or tie_lot.drawn_serial not in ld.tied:
        raise ResultError("the recorded lot is not between the candidates tied now")
    winner = tie_lot.drawn_serial
    runner = next(s for s in ld.tied if s != winner)
    return winner, votes[winner - 1] + 1, runner, 1
