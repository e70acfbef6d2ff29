"""Form 17C Part I: the polling-day record of one polling station, and the rules that use it.

The presiding officer fills Part I at the close of poll: the station's electors, the voters in
the register of voters (17A), the total votes recorded in the EVM, the tendered ballot papers,
the test votes of the mock poll, the serial numbers of the Control Unit, Ballot Unit and VVPAT,
and remarks. Its copy reaches the RO; on counting day the CU total read at the table is compared
with it (checks.py W201/W202), and a candidate can never have more votes than the station
recorded (E122).

A record is kept per station in the store (services/form17c.py), journaled with where it came
from: `import` (a Form 17C CSV), `keyed` (typed from the paper copy), `form20` (taken from the
official Form 20 for a rehearsal: NOT an independent figure) or `setup` (the legacy
`form17c_total`/`tendered` fields of a setup JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from encore_tui.domain.setup import Setup


class Form17CSource(StrEnum):
    IMPORT = "import"
    KEYED = "keyed"
    FORM20 = "form20"
    SETUP = "setup"


# the figures and serials of Part I, in the order of the CSV and of the entry screen
NUMBER_FIELDS = ("electors", "voters_17a", "votes_recorded", "tendered", "test_votes")
SERIAL_FIELDS = ("cu_id", "bu_id", "vvpat_id")
FIELDS = (*NUMBER_FIELDS, *SERIAL_FIELDS)
REQUIRED = ("votes_recorded",)  # a record without the EVM total compares with nothing

LABELS = {
    "electors": "Electors",
    "voters_17a": "Voters (17A)",
    "votes_recorded": "Votes in EVM",
    "tendered": "Tendered",
    "test_votes": "Test votes",
    "cu_id": "CU serial",
    "bu_id": "BU serial",
    "vvpat_id": "VVPAT serial",
    "remarks": "PO remarks",
}

MAX_SERIAL = 20


def normalize_serial(text: str) -> str:
    """EVM serials as printed (e.g. 'CUNEM 12345'): case and spaces do not make another machine."""
    return "".join(text.split()).upper()


class Form17C(BaseModel):
    """Form 17C Part I of one polling station. Every figure is optional while it is being keyed;
    `problems()` says what is inconsistent, `complete` whether the EVM total is there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    station: str = Field(min_length=1)
    electors: int | None = Field(default=None, ge=0)
    voters_17a: int | None = Field(default=None, ge=0, description="voters as per the register (17A)")
    votes_recorded: int | None = Field(default=None, ge=0, description="total votes recorded in the EVM")
    tendered: int | None = Field(default=None, ge=0, description="tendered ballot papers")
    test_votes: int | None = Field(default=None, ge=0, description="test votes recorded (mock poll)")
    cu_id: str | None = Field(default=None, max_length=MAX_SERIAL)
    bu_id: str | None = Field(default=None, max_length=MAX_SERIAL)
    vvpat_id: str | None = Field(default=None, max_length=MAX_SERIAL)
    remarks: str = Field(default="", max_length=500, description="the presiding officer's remarks")
    source: Form17CSource = Form17CSource.KEYED

    @field_validator("cu_id", "bu_id", "vvpat_id")
    @classmethod
    def _serial(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = normalize_serial(v)
        return v or None

    @property
    def complete(self) -> bool:
        return all(getattr(self, f) is not None for f in REQUIRED)

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for every figure that contradicts another on the same form."""
        out: list[tuple[str, str]] = []
        e, v, r = self.electors, self.voters_17a, self.votes_recorded
        if e is not None and v is not None and v > e:
            out.append(("voters_17a", f"voters in 17A {v} > electors {e}"))
        if v is not None and r is not None and r > v:
            out.append(("votes_recorded", f"EVM votes {r} > voters in 17A {v}"))
        if e is not None and r is not None and r > e and v is None:
            out.append(("votes_recorded", f"EVM votes {r} > electors {e}"))
        return out

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


def from_setup(setup: Setup) -> dict[str, Form17C]:
    """The legacy figures a setup JSON may carry (`form17c_total`, `tendered`)."""
    out = {}
    for s in setup.stations:
        if s.form17c_total is not None or s.tendered is not None:
            out[s.number] = Form17C(
                station=s.number,
                electors=s.electors,
                votes_recorded=s.form17c_total,
                tendered=s.tendered,
                source=Form17CSource.SETUP,
            )
    return out


def effective(setup: Setup, records: Mapping[str, Form17C]) -> dict[str, Form17C]:
    """The 17C Part I of every station that has one: a recorded form wins over setup figures."""
    return {**from_setup(setup), **records}


def station_electors(setup: Setup, station: str, rec: Form17C | None) -> int | None:
    """The electors of a station: its Form 17C if it says, else the setup's."""
    if rec is not None and rec.electors is not None:
        return rec.electors
    st = setup.station_index().get(station)
    return st.electors if st is not None else None


def tendered_by_station(records: Mapping[str, Form17C]) -> dict[str, int | None]:
    return {s: r.tendered for s, r in records.items()}
