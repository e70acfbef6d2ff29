"""What is keyed for a counting table (Form 17C Part II) or a postal table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from encore_tui.domain.setup import NOTA, REJECTED, TOTAL


class KeptAsideReason(StrEnum):
    CU_DISPLAY_FAILURE = "cu_display_failure"
    MOCK_POLL_NOT_CLEARED = "mock_poll_not_cleared"
    TOTAL_DIFFERS_17C = "total_differs_17c"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KEPT_ASIDE_LABELS[self]


KEPT_ASIDE_LABELS = {
    KeptAsideReason.CU_DISPLAY_FAILURE: "Control Unit cannot display the result",
    KeptAsideReason.MOCK_POLL_NOT_CLEARED: "Mock-poll data not cleared",
    KeptAsideReason.TOTAL_DIFFERS_17C: "CU total differs from Form 17C Part I",
    KeptAsideReason.OTHER: "Other reason (see note)",
}


def entry_fields(candidate_count: int, postal: bool) -> list[str]:
    """The cells of one table, top to bottom as the operator types them."""
    fields = [f"c{i}" for i in range(1, candidate_count + 1)] + [NOTA]
    if postal:
        fields.append(REJECTED)
    fields.append(TOTAL)
    return fields


@dataclass(frozen=True)
class TableEntry:
    """One table of one round: the figures typed so far, or kept aside with a reason."""

    round_no: int
    table_no: int
    station: str  # station number; "P1".. for postal tables
    values: Mapping[str, int] = field(default_factory=dict)
    kept_aside: KeptAsideReason | None = None
    kept_aside_note: str = ""
    acknowledged: frozenset[str] = frozenset()  # warning codes checked against the paper

    def value(self, f: str) -> int | None:
        return self.values.get(f)

    def votes(self, candidate_count: int) -> tuple[int, ...]:
        return tuple(self.values.get(f"c{i}", 0) for i in range(1, candidate_count + 1))

    def candidate_sum(self, candidate_count: int) -> int:
        return sum(self.votes(candidate_count))

    def counted_sum(self, candidate_count: int) -> int:
        """Candidates + NOTA (+ rejected for postal): what must equal the typed total."""
        return self.candidate_sum(candidate_count) + self.values.get(NOTA, 0) + self.values.get(REJECTED, 0)

    def missing(self, candidate_count: int, postal: bool) -> list[str]:
        return [f for f in entry_fields(candidate_count, postal) if f not in self.values]

    @property
    def is_blank(self) -> bool:
        return not self.values
