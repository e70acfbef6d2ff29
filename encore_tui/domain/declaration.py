"""The declaration of the result (Form 21C/21D/21E, Form 22) and the draw of lots on a tie.

Shared by the RO services (which record them) and printing (which prints them).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


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
