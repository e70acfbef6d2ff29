"""ECI rules that depend on the margin, checked before Form 20 is signed and the result declared.

- Rejected postal ballots (E123): when the margin between the winner and the runner-up is less
  than the number of postal ballots rejected, every rejected postal ballot is re-verified before
  the result is declared; the RO records the re-verification and its outcome.
- Kept-aside stations (E124): stations whose CU was kept aside because mock-poll data was not
  cleared, or because its total differed from Form 17C Part I: when the margin (without them) is
  not more than their total votes recorded (Form 17C Part I), their VVPAT slips are counted; the
  RO records that decision (the counts themselves are E110's business).

Pure: the services pass the Form 20 figures, the kept-aside reasons, the 17C records and what the
RO recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from encore_tui.domain import checks as ck
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.form17c import Form17C
from encore_tui.domain.tally import Form20, Totals, lead

# kept-aside reasons whose stations fall under the margin rule
MARGIN_REASONS = (KeptAsideReason.MOCK_POLL_NOT_CLEARED, KeptAsideReason.TOTAL_DIFFERS_17C)


@dataclass(frozen=True)
class KeptAsideExposure:
    """The stations under the margin rule, their 17C total, and the margin without them."""

    stations: tuple[str, ...]
    recorded: int  # their total votes recorded (Form 17C Part I)
    unknown: tuple[str, ...]  # of them, stations with no 17C total (the rule cannot be cleared)
    margin: int | None  # the margin with their rows left out (None: nobody has a vote)

    @property
    def slips_required(self) -> bool:
        return bool(self.stations) and (
            self.margin is None or bool(self.unknown) or self.margin <= self.recorded
        )


def margin(f20: Form20) -> int | None:
    ld = lead(f20.total_polled.votes)
    return None if ld.leader is None else ld.margin


def kept_aside_exposure(
    f20: Form20, kept: Mapping[str, KeptAsideReason], form17c: Mapping[str, Form17C]
) -> KeptAsideExposure:
    stations = tuple(s for s, why in kept.items() if why in MARGIN_REASONS)
    rows = [r for r in f20.rows if r.station in stations]
    without = f20.total_polled
    for r in rows:  # their slip counts, once entered, do not decide whether they must be counted
        without = Totals(
            tuple(a - b for a, b in zip(without.votes, r.totals.votes, strict=True)),
            without.nota - r.totals.nota,
            without.rejected - r.totals.rejected,
        )
    ld = lead(without.votes)
    totals = {s: (form17c[s].votes_recorded if s in form17c else None) for s in stations}
    return KeptAsideExposure(
        stations,
        sum(v for v in totals.values() if v is not None),
        tuple(s for s, v in totals.items() if v is None),
        None if ld.leader is None else ld.margin,
    )


def margin_checks(
    f20: Form20,
    kept: Mapping[str, KeptAsideReason],
    form17c: Mapping[str, Form17C],
    *,
    postal_reverified: Mapping | None,
    kept_aside_decision: Mapping | None,
) -> list[ck.Check]:
    out: list[ck.Check] = []
    m, rejected = margin(f20), f20.postal.rejected
    if m is not None and rejected and m < rejected and postal_reverified is None:
        out.append(
            ck.Check(
                ck.POSTAL_REVERIFY_PENDING,
                f"margin {m} < {rejected} rejected postal ballots: re-verify every rejected postal "
                "ballot and record the outcome",
            )
        )
    ex = kept_aside_exposure(f20, kept, form17c)
    if ex.slips_required:
        decided = set((kept_aside_decision or {}).get("stations", []))
        missing = [s for s in ex.stations if s not in decided]
        if missing:
            why = (
                f"no 17C total for PS {', '.join(ex.unknown)}"
                if ex.unknown
                else f"margin {ex.margin} ≤ {ex.recorded} votes recorded (17C)"
            )
            out.append(
                ck.Check(
                    ck.KEPT_ASIDE_SLIPS_DECISION,
                    f"{why} at kept-aside PS {', '.join(missing)}: their VVPAT slips are counted; "
                    "record the RO's decision",
                )
            )
    return out
