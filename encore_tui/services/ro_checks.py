"""What blocks an approval beyond the arithmetic: an open blind spot check or double entry.

Called by services.counting.approve_round inside its transaction, so EVERY approval path (RO
screens, CLI, scripts) respects a drawn spot check or an opened double entry.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from encore_tui.domain import checks as ck
from encore_tui.domain import review
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.rounds import RoundStatus
from encore_tui.services.context import AcContext
from encore_tui.services.ro_tx import get_record
from encore_tui.store.models import blind_cell as blind_t


def blind_key(round_no: int, purpose: review.BlindPurpose | str) -> str:
    return f"blind:{round_no}:{review.BlindPurpose(purpose).value}"


def blind_cells_of(
    conn: Connection, ctx: AcContext, round_no: int, purpose: review.BlindPurpose, entries: list[TableEntry]
) -> list[tuple[str, str]] | None:
    """The cells to re-key for this purpose, or None when it was never opened for the round."""
    header = get_record(conn, ctx.ac_id, blind_key(round_no, purpose))
    if header is None:
        return None
    if purpose is review.BlindPurpose.SPOT:
        return [(s, f) for s, f in header["picks"]]
    # double entry: every cell of every counted table (kept-aside tables have none)
    return [(e.station, f) for e in entries if e.kept_aside is None for f in ctx.fields_of(round_no)]


def rekeyed_values(
    conn: Connection, ac_id: int, round_no: int, purpose: review.BlindPurpose
) -> dict[tuple[str, str], int]:
    rows = conn.execute(
        select(blind_t.c.station, blind_t.c.field, blind_t.c.value).where(
            blind_t.c.ac_id == ac_id, blind_t.c.round_no == round_no, blind_t.c.purpose == purpose.value
        )
    )
    return {(r.station, r.field): r.value for r in rows}


def compare(
    conn: Connection, ctx: AcContext, round_no: int, purpose: review.BlindPurpose, entries: list[TableEntry]
) -> list[review.BlindCell] | None:
    cells = blind_cells_of(conn, ctx, round_no, purpose, entries)
    if cells is None:
        return None
    return review.compare_blind(entries, cells, rekeyed_values(conn, ctx.ac_id, round_no, purpose))


def approval_checks(
    conn: Connection, ctx: AcContext, round_no: int, entries: list[TableEntry], status: RoundStatus
) -> list[ck.Check]:
    """Blind checks block the approval of a SUBMITTED round. A correction or re-approval is the
    RO's own figures: a spot check of an earlier submission does not apply to it."""
    if status is not RoundStatus.SUBMITTED:
        return []
    out: list[ck.Check] = []
    for purpose in review.BlindPurpose:
        cells = compare(conn, ctx, round_no, purpose, entries)
        if cells is not None:
            out.extend(review.blind_checks(purpose, round_no, cells))
    return out
