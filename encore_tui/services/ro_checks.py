"""What blocks an approval beyond the arithmetic: the blind spot check of the first rounds, an
open double entry, the postal scans.

Called by services.decisions.approve_round inside its transaction, so EVERY approval path (RO
screens, CLI, scripts) respects them; the review screen shows the same list (ro.review_round).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from encore_tui.domain import checks as ck
from encore_tui.domain import review
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import RoundStatus
from encore_tui.services.context import AcContext
from encore_tui.services.ro_tx import get_record
from encore_tui.store.models import attachment as att_t
from encore_tui.store.models import blind_cell as blind_t

SPOT_SETTING = "setting:spot_check_rounds"


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


def spot_check_rounds_in(conn: Connection, ac_id: int) -> int:
    rec = get_record(conn, ac_id, SPOT_SETTING)
    return review.DEFAULT_SPOT_CHECK_ROUNDS if rec is None else int(rec["value"])


def spot_required(round_no: int, status: RoundStatus, k: int) -> bool:
    return status is RoundStatus.SUBMITTED and 1 <= round_no <= k


def postal_scan_count(conn: Connection, ac_id: int) -> int:
    return conn.execute(
        select(func.count())
        .select_from(att_t)
        .where(att_t.c.ac_id == ac_id, att_t.c.purpose.in_(["form13a", "form13b"]))
    ).scalar_one()


def ro_path_checks(
    round_no: int, status: RoundStatus, spot_is_required: bool, spot, postal_scans: int
) -> list[ck.Check]:
    out = []
    if spot_is_required and spot is None:
        out.append(
            ck.Check(
                ck.SPOT_CHECK_PENDING,
                f"round {round_no} is one of the first rounds: draw the blind spot check and re-key it",
                round_no=round_no,
            )
        )
    if round_no == POSTAL_ROUND and status is RoundStatus.SUBMITTED and postal_scans == 0:
        out.append(
            ck.Check(ck.POSTAL_SCANS_MISSING, "attach the scanned Form 13A/13B before approving", round_no=0)
        )
    return out


def approval_checks(
    conn: Connection, ctx: AcContext, round_no: int, entries: list[TableEntry], status: RoundStatus
) -> list[ck.Check]:
    """Blind checks block the approval of a SUBMITTED round. A correction or re-approval is the
    RO's own figures: a spot check of an earlier submission does not apply to it."""
    if status is not RoundStatus.SUBMITTED:
        return []
    spot = compare(conn, ctx, round_no, review.BlindPurpose.SPOT, entries)
    required = spot_required(round_no, status, spot_check_rounds_in(conn, ctx.ac_id))
    scans = postal_scan_count(conn, ctx.ac_id) if round_no == POSTAL_ROUND else 0
    out = ro_path_checks(round_no, status, required, spot, scans)
    for purpose in review.BlindPurpose:
        cells = (
            spot if purpose is review.BlindPurpose.SPOT else compare(conn, ctx, round_no, purpose, entries)
        )
        if cells is not None:
            out.extend(review.blind_checks(purpose, round_no, cells))
    return out
