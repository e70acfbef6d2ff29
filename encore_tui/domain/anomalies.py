"""Anomaly warnings a careful RO wants to see before approving a round (W204–W208).

They are not errors: a station can truly vote 97 % for one candidate. Each is shown on the
review screen and on the round sheet, and blocks the approval until the RO acknowledges it with
a remark (services/anomalies.py). The thresholds are an AC setting the RO may change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from encore_tui.domain import checks as ck
from encore_tui.domain.checks import (
    CANDIDATE_SHARE_HIGH,
    IDENTICAL_FIGURES,
    NOTA_SHARE_HIGH,
    REJECTED_SHARE_HIGH,
    TURNOUT_HIGH,
)
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.form17c import Form17C, station_electors
from encore_tui.domain.setup import NOTA, REJECTED, TOTAL, Setup

CODES = {
    c.code: c
    for c in (TURNOUT_HIGH, CANDIDATE_SHARE_HIGH, NOTA_SHARE_HIGH, REJECTED_SHARE_HIGH, IDENTICAL_FIGURES)
}


class AnomalyThresholds(BaseModel):
    """Shares are fractions (0.95 = 95 %). `min_votes`: tables with fewer votes are not judged
    on shares or sameness (three votes can easily all go one way, or match another station)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    turnout: float = Field(default=0.95, gt=0, le=1, description="votes in the CU / electors")
    candidate_share: float = Field(default=0.95, gt=0, le=1)
    nota_share: float = Field(default=0.10, gt=0, le=1)
    rejected_share: float = Field(default=0.25, gt=0, le=1)
    min_votes: int = Field(default=50, ge=0)


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _key(e: TableEntry, n: int) -> tuple[int, ...] | None:
    if e.kept_aside is not None or e.value(TOTAL) is None:
        return None
    return (*e.votes(n), e.values.get(NOTA, 0), e.value(TOTAL))


def anomaly_checks(
    setup: Setup,
    entries: Sequence[TableEntry],
    thresholds: AnomalyThresholds,
    *,
    form17c: Mapping[str, Form17C] | None = None,
    others: Sequence[TableEntry] = (),
    acknowledged: Mapping[tuple[str, str], str] | None = None,
    postal: bool = False,
) -> list[ck.Check]:
    """The anomalies of a round's tables. `others`: the tables of every other round (for W208);
    `acknowledged`: (station, code) → the RO's remark."""
    n = len(setup.candidates)
    acks = acknowledged or {}
    form17c = form17c or {}
    th = thresholds
    out: list[ck.Check] = []
    seen: dict[tuple[int, ...], TableEntry] = {}
    for o in others:
        k = _key(o, n)
        if k is not None and k[-1] >= th.min_votes:
            seen.setdefault(k, o)

    for e in entries:
        found = _table_anomalies(setup, e, th, form17c.get(e.station), seen, postal)
        for code, message in found:
            remark = acks.get((e.station, code.code))
            out.append(
                ck.Check(
                    code,
                    message + (f" — RO: {remark}" if remark else ""),
                    round_no=e.round_no,
                    station=e.station,
                    table_no=e.table_no,
                    acknowledged=remark is not None,
                )
            )
    return out


def _table_anomalies(
    setup: Setup,
    e: TableEntry,
    th: AnomalyThresholds,
    rec: Form17C | None,
    seen: dict[tuple[int, ...], TableEntry],
    postal: bool,
) -> list[tuple[ck.CheckCode, str]]:
    n = len(setup.candidates)
    total = e.value(TOTAL)
    if e.kept_aside is not None or total is None or total == 0:
        return []
    out: list[tuple[ck.CheckCode, str]] = []
    if not postal:
        electors = station_electors(setup, e.station, rec)
        if electors and total / electors > th.turnout:
            out.append(
                (
                    TURNOUT_HIGH,
                    f"turnout {_pct(total / electors)} ({total} of {electors}) > {_pct(th.turnout)}",
                )
            )
    if total < th.min_votes:
        return out
    votes = e.votes(n)
    top = max(range(n), key=lambda i: votes[i])
    if votes[top] / total > th.candidate_share:
        out.append(
            (
                CANDIDATE_SHARE_HIGH,
                f"candidate {top + 1}: {_pct(votes[top] / total)} of {total} votes > {_pct(th.candidate_share)}",
            )
        )
    nota = e.values.get(NOTA, 0)
    if nota / total > th.nota_share:
        out.append(
            (NOTA_SHARE_HIGH, f"NOTA {nota} = {_pct(nota / total)} of {total} > {_pct(th.nota_share)}")
        )
    rejected = e.values.get(REJECTED, 0)
    if postal and rejected / total > th.rejected_share:
        out.append(
            (
                REJECTED_SHARE_HIGH,
                f"rejected {rejected} = {_pct(rejected / total)} of {total} > {_pct(th.rejected_share)}",
            )
        )
    k = _key(e, n)
    if not postal and k is not None:
        twin = seen.get(k)
        if twin is not None:
            out.append((IDENTICAL_FIGURES, f"every figure equals PS {twin.station} (round {twin.round_no})"))
        else:
            seen[k] = e
    return out


def pending(checks: Sequence[ck.Check]) -> list[ck.Check]:
    """The anomalies the RO has not acknowledged yet (they block the approval)."""
    return [c for c in checks if c.code.code in CODES and not c.acknowledged]
