"""Setup models: the election, the AC, its candidates and polling stations.

This is also the documented JSON setup format (`encore import setup FILE`); its JSON Schema is
written to docs/setup.schema.json by `encore schema setup`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NOTA = "nota"
TOTAL = "total"
REJECTED = "rejected"


class ElectionKind(StrEnum):
    GENERAL = "general"
    BYE = "bye"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Election(_Model):
    name: str = Field(min_length=1, description="e.g. General Election to Bihar Legislative Assembly 2025")
    name_hi: str | None = None
    kind: ElectionKind = ElectionKind.GENERAL
    state: str | None = None


class AssemblyConstituency(_Model):
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    name_hi: str | None = None
    electors: int = Field(ge=0, description="total electors of the AC")
    date_of_counting: dt.date | None = None
    district: str | None = None


class Candidate(_Model):
    serial: int = Field(ge=1, description="ballot order, 1..n")
    name: str = Field(min_length=1)
    name_hi: str | None = None
    party: str = Field(min_length=1, description="party abbreviation, IND for independents")
    party_hi: str | None = None
    symbol: str | None = None

    @property
    def field(self) -> str:
        return f"c{self.serial}"


class PollingStation(_Model):
    number: str = Field(min_length=1, description="a string: '7', '7 M', '7 A(W)'")
    name: str = ""
    electors: int | None = Field(default=None, ge=0)
    form17c_total: int | None = Field(
        default=None, ge=0, description="Form 17C Part I: total votes recorded in the EVM"
    )
    tendered: int | None = Field(default=None, ge=0, description="tendered ballot papers (17C Part I)")

    @field_validator("number")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("polling station number is empty")
        return v


class Setup(_Model):
    """Everything needed before counting starts. Stations are listed in Form 20 order."""

    format_version: int = Field(default=1, ge=1, le=1)
    election: Election
    ac: AssemblyConstituency
    candidates: list[Candidate] = Field(min_length=1)
    stations: list[PollingStation] = Field(min_length=1)
    counting_tables: int = Field(default=14, ge=1, le=60)
    postal_tables: int = Field(default=1, ge=1, le=20)
    fictional: bool = Field(default=False, description="demo data that is not a real AC")

    @model_validator(mode="after")
    def _consistent(self) -> Setup:
        serials = [c.serial for c in self.candidates]
        if serials != list(range(1, len(serials) + 1)):
            raise ValueError(f"candidate serials must be 1..{len(serials)} in ballot order, got {serials}")
        seen: set[str] = set()
        for s in self.stations:
            if s.number in seen:
                raise ValueError(f"polling station {s.number!r} is listed twice")
            seen.add(s.number)
        return self

    # -- convenience -------------------------------------------------------------------------
    @property
    def candidate_fields(self) -> list[str]:
        return [c.field for c in self.candidates]

    @property
    def demo_mark(self) -> str:
        """The mark after the AC's name for demo data, unless the name says FICTIONAL already."""
        return " (FICTIONAL DEMO)" if self.fictional and "FICTIONAL" not in self.ac.name.upper() else ""

    def station(self, number: str) -> PollingStation:
        try:
            return self.station_index()[number]
        except KeyError:
            raise KeyError(number) from None

    def station_index(self) -> dict[str, PollingStation]:
        """Stations by number (built once per frozen setup: the checks of every Enter use it)."""
        return self._station_index

    @cached_property
    def _station_index(self) -> dict[str, PollingStation]:
        return {s.number: s for s in self.stations}
