"""VVPAT verification (pure): the draw of 5 stations per AC, Rule 56D applications, slip counts
compared with the EVM count, recount, and when the slip count prevails.

ECI rule: after the last EVM round the RO draws 5 polling stations by lot; their VVPAT slips
are counted and compared with the EVM (Control Unit) count per candidate and NOTA. On a
mismatch the slips are recounted; if the difference remains, the slip count prevails and the
result is amended. A candidate may apply in writing (Rule 56D) for slip counting at any PS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from encore_tui.domain import checks as ck
from encore_tui.domain.setup import NOTA

DRAW_SIZE = 5
COUNT = 1  # first slip count
RECOUNT = 2  # recount after a mismatch


class DrawError(ValueError):
    pass


def slip_fields(candidate_count: int) -> list[str]:
    """What is counted from the slips: each candidate and NOTA (the total is their sum)."""
    return [f"c{i}" for i in range(1, candidate_count + 1)] + [NOTA]


def validate_draw(drawn: Sequence[str], counted: Sequence[str]) -> list[str]:
    """The stations drawn by lot: counted stations, distinct, exactly 5 (all, when fewer exist).
    Returns them normalised; raises DrawError saying what is wrong."""
    norm = [" ".join(s.split()) for s in drawn]
    counted_set = set(counted)
    dupes = sorted({s for s in norm if norm.count(s) > 1})
    if dupes:
        raise DrawError(f"PS {', '.join(dupes)} drawn twice: each station once.")
    unknown = [s for s in norm if s not in counted_set]
    if unknown:
        raise DrawError(
            f"PS {', '.join(unknown)} is not a counted polling station (kept-aside stations are "
            "counted from their slips anyway)."
        )
    need = min(DRAW_SIZE, len(counted_set))
    if len(norm) != need:
        raise DrawError(f"{need} stations must be drawn by lot, not {len(norm)}.")
    return norm


class StationStatus(StrEnum):
    PENDING = "pending"  # no slip count yet
    MATCH = "match"
    MISMATCH = "mismatch"  # recount the slips
    MATCH_ON_RECOUNT = "match_on_recount"
    SLIP_PREVAILS = "slip_prevails"  # amend the station's result through the correction path
    AMENDED = "amended"  # the EVM figures now equal the slip count

    @property
    def done(self) -> bool:
        return self in (StationStatus.MATCH, StationStatus.MATCH_ON_RECOUNT, StationStatus.AMENDED)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class SlipDifference:
    field: str
    evm: int
    slips: int

    @property
    def delta(self) -> int:
        return self.slips - self.evm


@dataclass(frozen=True)
class VvpatStation:
    station: str
    why: str  # "lot" | "rule 56D"
    evm: Mapping[str, int]  # the station's current EVM figures (candidates + NOTA)
    count: Mapping[str, int] | None = None
    recount: Mapping[str, int] | None = None
    amended: bool = False
    differences: tuple[SlipDifference, ...] = field(default=())

    @property
    def final(self) -> Mapping[str, int] | None:
        return self.recount if self.recount is not None else self.count

    @property
    def status(self) -> StationStatus:
        if self.count is None:
            return StationStatus.PENDING
        if self.final == self.evm:
            if self.amended:
                return StationStatus.AMENDED
            return StationStatus.MATCH if self.recount is None else StationStatus.MATCH_ON_RECOUNT
        return StationStatus.MISMATCH if self.recount is None else StationStatus.SLIP_PREVAILS


def differences(evm: Mapping[str, int], slips: Mapping[str, int], fields: Sequence[str]) -> tuple:
    return tuple(
        SlipDifference(f, evm.get(f, 0), slips.get(f, 0)) for f in fields if evm.get(f, 0) != slips.get(f, 0)
    )


def make_station(
    station: str,
    why: str,
    evm: Mapping[str, int],
    fields: Sequence[str],
    count: Mapping[str, int] | None,
    recount: Mapping[str, int] | None,
    amended: bool,
) -> VvpatStation:
    evm_only = {f: evm.get(f, 0) for f in fields}
    final = recount if recount is not None else count
    diffs = differences(evm_only, final, fields) if final is not None else ()
    return VvpatStation(station, why, evm_only, count, recount, amended, diffs)


def completion_checks(drawn: bool, stations: Sequence[VvpatStation]) -> list[ck.Check]:
    """What stops the RO from closing VVPAT verification."""
    out: list[ck.Check] = []
    if not drawn:
        out.append(ck.Check(ck.VVPAT_NOT_DONE, "record the stations drawn by lot first"))
    for s in stations:
        st = s.status
        if st is StationStatus.PENDING:
            out.append(
                ck.Check(ck.VVPAT_COUNT_MISSING, f"PS {s.station}: enter the slip count", station=s.station)
            )
        elif st is StationStatus.MISMATCH:
            d = ", ".join(f"{x.field} EVM {x.evm} slips {x.slips}" for x in s.differences[:3])
            out.append(
                ck.Check(ck.VVPAT_MISMATCH, f"PS {s.station}: recount the slips ({d})", station=s.station)
            )
        elif st is StationStatus.SLIP_PREVAILS:
            out.append(
                ck.Check(
                    ck.VVPAT_MISMATCH,
                    f"PS {s.station}: the difference remains after the recount: amend the result "
                    "(slip count prevails)",
                    station=s.station,
                )
            )
    return out


def amended_values(slips: Mapping[str, int], fields: Sequence[str]) -> dict[str, int]:
    """The station's Form 17C Part II figures after the slip count prevails."""
    values = {f: int(slips.get(f, 0)) for f in fields}
    values["total"] = sum(values.values())
    return values
