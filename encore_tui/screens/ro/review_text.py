"""The RO review screen's text: the right-hand totals, the report (F10) and the blind-check
summaries. Pure text from the review the services return; screens/ro/review.py shows it."""

from __future__ import annotations

from encore_tui.base.i18n import t
from encore_tui.domain import checks as ck
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import RoundStatus
from encore_tui.screens.common import (
    check_text,
    lead_line,
    local_time,
    name_of,
    round_name,
)
from encore_tui.widgets.cells import fit

AWAITING_RO = (RoundStatus.SUBMITTED, RoundStatus.CORRECTION, RoundStatus.NEEDS_REAPPROVAL)
CORRECTABLE = (RoundStatus.APPROVED, RoundStatus.PUBLISHED, RoundStatus.NEEDS_REAPPROVAL)
OBSERVER_REFUSAL = "Observers change nothing: this decision is the RO's."


def fmt(v) -> str:
    return "blank" if v is None else str(v)


def blind_summary(name: str, cells, short: bool = False) -> str:
    keyed = sum(1 for c in cells if c.keyed)
    diffs = sum(1 for c in cells if c.differs)
    if short:
        return f"{t(name)} {keyed}/{len(cells)}" + (", " + t("{n} differ", n=diffs) if diffs else "")
    return f"{t(name)}: " + t("{k}/{n} re-keyed, {d} difference(s)", k=keyed, n=len(cells), d=diffs)


def report_lines(rv) -> list[str]:
    """Everything about the round as text (the F10 report)."""
    v = rv.view
    setup = v.ctx.setup
    info = v.info
    lines = [
        f"{round_name(info.round_no)} ({t(info.kind)}) — {t(info.status.label)}, "
        + t(
            "revision {rev}; last change by {who} at {at}",
            rev=info.revision,
            who=info.updated_by or "-",
            at=local_time(info.updated_at) if info.updated_at else "-",
        )
    ]
    if info.remark:
        lines.append(f"{t('Remark')}: {info.remark}")
    lines.append("")
    if rv.blockers:
        lines.append(t("BLOCKS APPROVAL:"))
        lines += [f"  {check_text(c)}" for c in rv.blockers]
    elif not rv.in_order:
        lines.append(t("Approve the earlier rounds first (rounds are approved in order)."))
    elif info.status in AWAITING_RO:
        lines.append(t("Nothing blocks approval."))
    warnings = [c for c in v.checks if not c.is_error]
    if warnings:
        lines.append(t("Warnings:"))
        lines += [
            f"  {check_text(c)}" + (f" ({t('acknowledged')})" if c.acknowledged else "") for c in warnings
        ]
    lines.append("")
    if rv.diff is not None:
        d = rv.diff
        lines.append(
            t(
                "CHANGES since revision {rev} ({stage} by {who} at {at}):",
                rev=d.base_revision,
                stage=t(d.base_stage),
                who=d.base_by,
                at=local_time(d.base_at),
            )
        )
        lines += [
            f"  {t('table {no} PS {station}', no=c.table_no, station=c.station)} {ck.field_name(setup, c.field)}: "
            f"{fmt(c.before)} → {fmt(c.after)}"
            for c in d.changes
        ] or ["  " + t("nothing changed")]
    else:
        lines.append(t("First revision: no earlier revision to compare with."))
    lines.append("")
    if v.tally is not None:
        this, cum = v.tally.this_round, v.tally.cumulative
        lines.append(f"{'':28}{fit(t('this round'), 11, '>')}{fit(t('cumulative'), 11, '>')}")
        for c in setup.candidates:
            lines.append(
                f"{c.serial:>2} {fit(name_of(c), 18)} {c.party[:6]:<6}"
                f"{this.votes[c.serial - 1]:>11}{cum.votes[c.serial - 1]:>11}"
            )
        lines.append(f"{'   NOTA':<28}{this.nota:>11}{cum.nota:>11}")
        lines.append(f"{fit('   ' + t('Total'), 28)}{this.total:>11}{cum.total:>11}")
        lines.append(lead_line(setup, v.tally.lead, cum.votes, f"r{info.round_no}"))
    else:
        p = v.postal_totals
        lines.append(t("Postal ballots:"))
        for c in setup.candidates:
            lines.append(f"{c.serial:>2} {fit(name_of(c), 18)} {c.party[:6]:<6}{p.votes[c.serial - 1]:>11}")
        lines.append(f"{'   NOTA':<28}{p.nota:>11}")
        lines.append(f"{fit('   ' + t('Rejected'), 28)}{p.rejected:>11}")
        lines.append(f"{fit('   ' + t('Total'), 28)}{p.total:>11}")
    lines.append("")
    if info.round_no != POSTAL_ROUND:
        if rv.spot is None:
            lines.append(
                "Spot check: " + ("REQUIRED, not drawn yet (F5)" if rv.spot_required else "not drawn")
            )
        else:
            lines.append(blind_summary("Spot check", rv.spot))
            lines += [
                f"  table {c.table_no} PS {c.station} {ck.field_name(setup, c.field)}: "
                f"entered {fmt(c.entered)}, re-keyed {fmt(c.rekeyed)}"
                for c in rv.spot
                if c.differs
            ]
        if rv.double is not None:
            lines.append(blind_summary("Double entry", rv.double))
    else:
        lines.append(t("Scanned Form 13A/13B:"))
        lines += [
            f"  {a.label[:20]:<20} {a.filename[:24]:<24} {a.size:>9} B  sha256 {a.sha256[:12]}…"
            for a in rv.scans
        ] or ["  " + t("none attached (E116): Ctrl+O attaches them (the operator or the RO)")]
    return lines
