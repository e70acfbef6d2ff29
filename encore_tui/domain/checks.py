"""Arithmetic and procedure checks with stable codes.

Errors block (a round cannot be submitted, a result cannot be declared); warnings must be
acknowledged ("checked against the paper") or, for the 17C mismatch, the table kept aside.
Codes never change meaning: screens, printouts and tests refer to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from encore_tui.domain.entries import TableEntry, entry_fields
from encore_tui.domain.form17c import Form17C, effective, normalize_serial, station_electors
from encore_tui.domain.setup import NOTA, REJECTED, TOTAL, Setup


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class CheckCode:
    code: str
    severity: Severity
    title: str


# The registry: every check the software makes, declared once.
SUM_MISMATCH = CheckCode("E101", Severity.ERROR, "candidates + NOTA do not add up to the CU total")
INCOMPLETE = CheckCode("E102", Severity.ERROR, "a counted table has blank cells")
OVER_ELECTORS = CheckCode("E103", Severity.ERROR, "more votes than electors")
STATION_TWICE = CheckCode("E104", Severity.ERROR, "a polling station appears in two rounds")
STATION_UNCOUNTED = CheckCode("E105", Severity.ERROR, "a polling station was never counted")
KEPT_ASIDE_HAS_VALUES = CheckCode("E106", Severity.ERROR, "a kept-aside table has figures")
POSTAL_SUM_MISMATCH = CheckCode(
    "E107", Severity.ERROR, "postal candidates + NOTA + rejected do not add up to the total"
)
POSTAL_NOT_DONE = CheckCode(
    "E108", Severity.ERROR, "postal counting must be approved before the penultimate round"
)
ROUND_NOT_APPROVED = CheckCode("E109", Severity.ERROR, "a round is not approved")
KEPT_ASIDE_PENDING = CheckCode("E110", Severity.ERROR, "a kept-aside station has no VVPAT slip count yet")
VVPAT_NOT_DONE = CheckCode("E111", Severity.ERROR, "VVPAT verification is not complete")
TIE_UNDECIDED = CheckCode("E112", Severity.ERROR, "the leading candidates are tied: draw of lots needed")
# RO verification (blind re-keying, postal scans, VVPAT, Form 20): see docs/ro-mode.md
SPOT_CHECK_PENDING = CheckCode("E113", Severity.ERROR, "the blind spot check is not finished")
BLIND_DIFFERS = CheckCode("E114", Severity.ERROR, "a blind re-keyed figure differs from the entered one")
DOUBLE_ENTRY_PENDING = CheckCode("E115", Severity.ERROR, "the second (blind) keying is not finished")
POSTAL_SCANS_MISSING = CheckCode("E116", Severity.ERROR, "no scanned Form 13A/13B is attached")
FORM20_NOT_SIGNED = CheckCode("E117", Severity.ERROR, "the RO has not signed Form 20")
VVPAT_MISMATCH = CheckCode("E118", Severity.ERROR, "VVPAT slip count differs from the EVM count")
VVPAT_COUNT_MISSING = CheckCode("E119", Severity.ERROR, "a station drawn for VVPAT has no slip count")
# Form 17C Part I (domain/form17c.py)
CU_SERIAL_MISMATCH = CheckCode(
    "E120", Severity.ERROR, "the CU at the table is not the one Form 17C Part I names (wrong machine)"
)
CU_SERIAL_UNCONFIRMED = CheckCode("E121", Severity.ERROR, "the CU serial at the table is not confirmed")
OVER_17C = CheckCode("E122", Severity.ERROR, "a candidate has more votes than the station recorded (17C)")
FORM17C_KEYINGS_DIFFER = CheckCode(
    "E125", Severity.ERROR, "the two keyings of the station's Form 17C Part I differ"
)
# ECI rules that depend on the margin (domain/margin_rules.py)
POSTAL_REVERIFY_PENDING = CheckCode(
    "E123", Severity.ERROR, "margin below the rejected postal ballots: their re-verification is not recorded"
)
KEPT_ASIDE_SLIPS_DECISION = CheckCode(
    "E124",
    Severity.ERROR,
    "margin within kept-aside stations' 17C votes: the RO's slip-count decision is not recorded",
)
# anomalies the RO acknowledges with a remark before approving (domain/anomalies.py)
TURNOUT_HIGH = CheckCode("W204", Severity.WARNING, "turnout of the station above the threshold")
CANDIDATE_SHARE_HIGH = CheckCode(
    "W205", Severity.WARNING, "one candidate above the threshold share of the station's votes"
)
NOTA_SHARE_HIGH = CheckCode("W206", Severity.WARNING, "NOTA above the threshold share of the votes")
REJECTED_SHARE_HIGH = CheckCode("W207", Severity.WARNING, "rejected postal ballots above the threshold share")
IDENTICAL_FIGURES = CheckCode("W208", Severity.WARNING, "a station's figures are identical to another's")
TOTAL_NE_17C = CheckCode("W201", Severity.WARNING, "CU total differs from Form 17C Part I")
NO_17C = CheckCode("W202", Severity.WARNING, "Form 17C Part I total not recorded for this station")
KEPT_ASIDE = CheckCode("W203", Severity.WARNING, "table kept aside: VVPAT slips to be counted at the end")

ALL_CODES = {c.code: c for c in [
    SUM_MISMATCH, INCOMPLETE, OVER_ELECTORS, STATION_TWICE, STATION_UNCOUNTED,
    KEPT_ASIDE_HAS_VALUES, POSTAL_SUM_MISMATCH, POSTAL_NOT_DONE, ROUND_NOT_APPROVED,
    KEPT_ASIDE_PENDING, VVPAT_NOT_DONE, TIE_UNDECIDED, SPOT_CHECK_PENDING, BLIND_DIFFERS,
    DOUBLE_ENTRY_PENDING, POSTAL_SCANS_MISSING, FORM20_NOT_SIGNED, VVPAT_MISMATCH, VVPAT_COUNT_MISSING,
    CU_SERIAL_MISMATCH, CU_SERIAL_UNCONFIRMED, OVER_17C, FORM17C_KEYINGS_DIFFER, POSTAL_REVERIFY_PENDING, KEPT_ASIDE_SLIPS_DECISION,
    TOTAL_NE_17C, NO_17C, KEPT_ASIDE, TURNOUT_HIGH, CANDIDATE_SHARE_HIGH, NOTA_SHARE_HIGH, REJECTED_SHARE_HIGH,
    IDENTICAL_FIGURES,
]}  # fmt: skip

# warnings that an operator can acknowledge (W203 is informational: listed, never blocks)
ACKNOWLEDGEABLE = {TOTAL_NE_17C.code, NO_17C.code}


@dataclass(frozen=True)
class Check:
    code: CheckCode
    message: str
    round_no: int | None = None
    station: str | None = None
    table_no: int | None = None
    acknowledged: bool = False

    @property
    def is_error(self) -> bool:
        return self.code.severity is Severity.ERROR

    @property
    def blocks(self) -> bool:
        """Errors always block; warnings block until acknowledged."""
        if self.is_error:
            return True
        return self.code.code in ACKNOWLEDGEABLE and not self.acknowledged

    def __str__(self) -> str:
        where = f"table {self.table_no} (PS {self.station}): " if self.table_no else ""
        return f"{self.code.code} {where}{self.message}"


def field_name(setup: Setup, field: str) -> str:
    """A field as the counting sheet says it: the candidate's name for c2, NOTA, Total, Rejected
    (names are distinct on a ballot; the serial would only lengthen an 80-column status line)."""
    if field.startswith("c") and field[1:].isdigit() and 0 < int(field[1:]) <= len(setup.candidates):
        c = setup.candidates[int(field[1:]) - 1]
        return c.name
    return {NOTA: "NOTA", TOTAL: "Total", REJECTED: "Rejected"}.get(field, field)


def check_table(
    setup: Setup,
    entry: TableEntry,
    postal: bool = False,
    *,
    form17c: Mapping[str, Form17C] | None = None,
    cu_confirmed: Mapping[str, str] | None = None,
) -> list[Check]:
    """Checks on one table. A blank, non-kept-aside table yields INCOMPLETE only.

    `form17c`: the stations' Form 17C Part I (None: the setup's legacy figures).
    `cu_confirmed`: the CU serial confirmed at each table, when the RO turned that confirmation
    on (None: off)."""
    n = len(setup.candidates)
    where = {"round_no": entry.round_no, "station": entry.station, "table_no": entry.table_no}
    out: list[Check] = []
    if entry.kept_aside is not None:
        if entry.values:
            out.append(Check(KEPT_ASIDE_HAS_VALUES, "clear the figures or restore the table", **where))
        out.append(Check(KEPT_ASIDE, entry.kept_aside.label, **where))
        return out
    missing = entry.missing(n, postal)
    if missing:
        out.append(
            Check(
                INCOMPLETE,
                f"{len(missing)} blank: {', '.join(field_name(setup, f) for f in missing[:4])}"
                + ("…" if len(missing) > 4 else ""),
                **where,
            )
        )
    total = entry.value(TOTAL)
    if total is not None and not missing:
        counted = entry.counted_sum(n)
        if counted != total:
            code = POSTAL_SUM_MISMATCH if postal else SUM_MISMATCH
            out.append(
                Check(code, f"sum {counted} ≠ total {total} (difference {counted - total:+d})", **where)
            )
    if postal:
        return out
    if entry.station not in setup.station_index():
        return out
    records = effective(setup, {}) if form17c is None else form17c
    rec = records.get(entry.station)
    electors = station_electors(setup, entry.station, rec)
    if total is not None and electors is not None and total > electors:
        out.append(Check(OVER_ELECTORS, f"total {total} > electors {electors}", **where))
    recorded = rec.votes_recorded if rec is not None else None
    if recorded is not None:
        over = [f"{f} {v}" for f, v in sorted(entry.values.items()) if f not in (TOTAL,) and v > recorded]
        if over:
            out.append(
                Check(OVER_17C, f"{', '.join(over[:3])} > {recorded} votes recorded (17C Part I)", **where)
            )
    if cu_confirmed is not None and entry.values:
        seen = cu_confirmed.get(entry.station)
        expected = rec.cu_id if rec is not None else None
        if seen is None:
            out.append(Check(CU_SERIAL_UNCONFIRMED, "confirm the serial on the CU at the table", **where))
        elif expected is not None and normalize_serial(seen) != expected:
            out.append(
                Check(CU_SERIAL_MISMATCH, f"CU {seen} at the table, 17C Part I names {expected}", **where)
            )
    if total is not None:
        if recorded is None:
            out.append(
                Check(
                    NO_17C,
                    "compare the CU total with the paper 17C Part I",
                    acknowledged=NO_17C.code in entry.acknowledged,
                    **where,
                )
            )
        elif total != recorded:
            out.append(
                Check(
                    TOTAL_NE_17C,
                    f"CU total {total} ≠ 17C Part I {recorded}: keep aside or acknowledge",
                    acknowledged=TOTAL_NE_17C.code in entry.acknowledged,
                    **where,
                )
            )
    return out


def max_cell_value(setup: Setup, station: str) -> int:
    """The largest number a cell may hold for a station: its electors, else the AC's."""
    st = setup.station_index().get(station)
    if st is not None and st.electors is not None:
        return st.electors
    return setup.ac.electors


def check_round(
    setup: Setup,
    round_no: int,
    entries: Sequence[TableEntry],
    *,
    postal: bool = False,
    postal_approved: bool = True,
    round_count: int | None = None,
    form17c: Mapping[str, Form17C] | None = None,
    cu_confirmed: Mapping[str, str] | None = None,
) -> list[Check]:
    out: list[Check] = []
    if form17c is None and not postal:
        form17c = effective(setup, {})
    for e in entries:
        out.extend(check_table(setup, e, postal=postal, form17c=form17c, cu_confirmed=cu_confirmed))
    if (
        not postal
        and round_count is not None
        and round_count >= 2
        and round_no >= round_count - 1
        and not postal_approved
    ):
        out.append(
            Check(
                POSTAL_NOT_DONE,
                f"round {round_no} is the {'last' if round_no == round_count else 'penultimate'}"
                " EVM round: the RO must approve the postal result first",
                round_no=round_no,
            )
        )
    return out


def check_plan(rounds: Iterable[Sequence[str]], all_stations: Iterable[str]) -> list[Check]:
    """Every station in exactly one round."""
    seen: dict[str, int] = {}
    out: list[Check] = []
    for r, stations in enumerate(rounds, start=1):
        for s in stations:
            if s in seen:
                out.append(Check(STATION_TWICE, f"PS {s} in rounds {seen[s]} and {r}", round_no=r, station=s))
            else:
                seen[s] = r
    for s in all_stations:
        if s not in seen:
            out.append(Check(STATION_UNCOUNTED, f"PS {s} is in no round", station=s))
    return out


def blocking(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.blocks]


def summarize(checks: Iterable[Check]) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for c in checks:
        counts[c.code.code] = counts.get(c.code.code, 0) + 1
    return counts


__all__ = ["NOTA", "TOTAL", "entry_fields"]
