"""The counting documents: round sheet (TRV + RDF), Form 20, the postal result sheet and the
correction annex. Each function returns the PDF bytes; the declaration documents (Form 21C/21D,
21E, 22) are in printing/declaration.py."""

from __future__ import annotations

from encore_tui import services
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import RoundStatus
from encore_tui.domain.setup import Setup
from encore_tui.domain.tally import Totals, lead
from encore_tui.printing import chain as ch
from encore_tui.printing import data as dd
from encore_tui.printing.doc import MARGIN, Column, Row, Sheet, grid
from encore_tui.printing.labels import STAGE, STATUS_HI, L, bi, en, hi
from encore_tui.printing.parts import (
    KEPT_ASIDE_HI,
    WATERMARK_DRAFT,
    ac_lines,
    cand_rows,
    cell_text,
    forms_payload,
    head,
    label_cols,
    round_title,
    totals_rows,
)
from encore_tui.services.errors import ServiceError


def _pair(key: str, value_en: str, value_hi: str) -> str:
    """A label with its value in each language: "Status: approved / स्थिति: अनुमोदित"."""
    return f"{en(key)}: {value_en} / {hi(key)}: {value_hi}"


def _part(g: int, gs: int, of: str = "") -> str:
    """'part 2 of 3' of a grid split across pages (of the `of` label, when given)."""
    e, h = (f"{en(of)} — ", f"{hi(of)} — ") if of else ("", "")
    return f"{e}{en('part')} {g + 1} of {gs} / {h}{hi('part')} {g + 1}/{gs}"


# the stage of the figures a round status speaks of; another stage is named beside it
_STATUS_STAGE = {
    RoundStatus.DRAFT: ch.DRAFT,
    RoundStatus.SUBMITTED: ch.SUBMITTED,
    RoundStatus.APPROVED: ch.APPROVED,
    RoundStatus.PUBLISHED: ch.APPROVED,
}


def _status_text(status: RoundStatus, stage: str) -> str:
    value_en, value_hi = status.label, STATUS_HI[status.value]
    if _STATUS_STAGE.get(status) != stage:
        value_en += f" ({en('figures')} {STAGE[stage][0]})"
        value_hi += f" ({hi('figures')} {STAGE[stage][1]})"
    return _pair("status", value_en, value_hi)


# -- round sheet -------------------------------------------------------------------------------------
def round_sheet(
    store, ac_id: int, round_no: int, *, printed_by: str = "", key=None, postal_sheet=False
) -> bytes:
    view = services.round_view(store, ac_id, round_no)
    acs = dd.ac_state(store, ac_id)
    st = acs.states[round_no]
    setup, n = acs.setup, acs.ctx.n
    at = dd.now_iso()
    postal = round_no == POSTAL_ROUND
    payload = {
        "v": 1,
        "k": "pb" if postal_sheet else "rs",
        "ac": setup.ac.number,
        "r": round_no,
        "rev": st.revision,
        "st": st.stage,
        "d": st.digest,
        "p": acs.prev_of(round_no)[:32],
        "t": st.table_digests,
        "at": at,
        **acs.anchor,
    }
    # the operator is who submitted these figures (the approval snapshot is the RO's)
    snap_by = next(
        (
            x["by"]
            for x in reversed(st.snapshots)
            if x["digest"] == st.digest and x["revision"] == st.revision and x["stage"] == "submitted"
        ),
        "",
    )
    # nobody typed a figure yet: the last writer is whoever created the AC, not an operator
    typed = any(e.values or e.kept_aside for e in view.entries)
    operator = snap_by or (view.info.updated_by if typed else "—")
    status = view.info.status
    sub = [
        f"{round_title(round_no)}    {bi('revision')}: {st.revision}    {_status_text(status, st.stage)}"
        f"    {bi('operator')}: {operator}",
        f"{bi('printed')}: {dd.local_time(at)}    {bi('figures')} sha256: {st.digest[:16]}…    "
        f"{bi('previous_sheet')}: {acs.prev_of(round_no)[:12]}…",
    ]
    banner = None
    if st.stage == ch.SUBMITTED:
        banner = bi("submitted")
    if status is RoundStatus.NEEDS_REAPPROVAL:
        banner = "An earlier round was corrected: this round needs re-approval / पिछले चक्र में संशोधन: पुनः अनुमोदन आवश्यक"
    title = (
        L["postal_sheet"]
        if postal_sheet
        else (
            (
                f"{en('round_sheet')} — {en('round')} {round_no}",
                f"{hi('round_sheet')} — {hi('round')} {round_no}",
            )
        )
    )
    pdf = Sheet(
        setup,
        title,
        payload,
        key,
        orientation="P" if postal_sheet else "L",
        subtitle=sub,
        watermark=WATERMARK_DRAFT if st.stage == ch.DRAFT else None,
        banner=banner,
        printed_at=dd.local_time(at),
        printed_by=printed_by,
    )
    entries = view.entries
    kept = {i for i, e in enumerate(entries) if e.kept_aside}

    def vals(field: str) -> list[str]:
        cells = ["—" if e.kept_aside else cell_text(e.values.get(field)) for e in entries]
        return [*cells, str(sum(e.values.get(field, 0) for e in entries if not e.kept_aside))]

    def valid() -> list[str]:
        cells = ["—" if e.kept_aside else str(e.candidate_sum(n)) for e in entries]
        return [*cells, str(sum(e.candidate_sum(n) for e in entries if not e.kept_aside))]

    tcols = []
    for e in entries:
        lines = [(f"{en('table') if not postal else en('postal_table')} {e.table_no}", "B")]
        if not postal:
            lines.append((f"PS {e.station}", ""))
        if e.kept_aside:
            lines += [("KEPT ASIDE", "B"), ("अलग रखी गई", "")]
        tcols.append(Column(lines, 0))
    total_w = 17
    avail = pdf.w - 2 * MARGIN - sum(c.width for c in label_cols()) - total_w
    for c in tcols:  # as wide as the page allows; past 11 mm a column the tables split across pages
        c.width = max(11.0, min(18.0, avail / max(1, len(tcols))))
    tcols.append(Column(head("round_total") if not postal_sheet else head("total"), total_w))
    rows = cand_rows(setup, lambda c: vals(c.field), [])
    rows += totals_rows(
        {
            "nota": lambda: vals("nota"),
            "rejected": lambda: vals("rejected"),
            "valid": valid,
            "total": lambda: vals("total"),
        },
        postal,
    )
    pdf.add_page()
    heading = "Votes per candidate at each postal table / प्रत्येक डाक टेबल पर अभ्यर्थीवार मत"
    pdf.put(MARGIN, pdf.body_top, 180, 5, heading if postal_sheet else bi("trv"), size=10, style="B")
    pdf.set_y(pdf.body_top + 6)
    grid(
        pdf,
        label_cols(),
        tcols,
        rows,
        head_h=12,
        row_h=7.4,
        size=8,
        shaded_cols=kept,
        start_new_page=False,
        label=lambda a, b, g, gs, c0: _part(g, gs, "trv") if gs > 1 else "",
    )
    if kept:
        pdf.need(6 + 5 * len(kept))
        pdf.set_y(pdf.get_y() + 2)
        pdf.para(bi("kept_aside"), size=9, style="B")
        for i in sorted(kept):
            e = entries[i]
            note = f" — {e.kept_aside_note}" if e.kept_aside_note else ""
            pdf.para(
                f"{en('table')} {e.table_no}, PS {e.station}: {e.kept_aside.label} / "
                f"{hi('table')} {e.table_no}, {hi('ps')} {e.station}: {KEPT_ASIDE_HI[e.kept_aside]}{note}",
                size=9,
            )
    from encore_tui.services.anomalies import round_anomalies

    anomalies = round_anomalies(store, ac_id, round_no)
    if anomalies:  # W204-W208, with the RO's remark once acknowledged
        pdf.need(6 + 5 * len(anomalies))
        pdf.set_y(pdf.get_y() + 2)
        pdf.para("Anomaly warnings (acknowledged by the RO with a remark)", size=9, style="B")
        for c in anomalies:
            state = "" if c.acknowledged else " — NOT ACKNOWLEDGED"
            pdf.para(f"{c.code.code} {en('table')} {c.table_no}, PS {c.station}: {c.message}{state}", size=9)
    if not postal_sheet:
        _round_declaration(pdf, view, acs)
    else:
        pdf.set_y(pdf.get_y() + 4)
        pdf.signature_blocks([L["ro"], L["observer"]])
    return bytes(pdf.output())


def _round_declaration(pdf: Sheet, view, acs: dd.AcState) -> None:
    setup, n = acs.setup, acs.ctx.n
    if view.tally is not None:
        bf, this, cum, ld = (
            view.tally.brought_forward,
            view.tally.this_round,
            view.tally.cumulative,
            view.tally.lead,
        )
    else:  # the postal round: nothing is brought forward
        bf, this, cum = Totals.zero(n), view.postal_totals, view.postal_totals
        ld = lead(cum.votes)
    pdf.add_page()
    pdf.put(MARGIN, pdf.body_top, 200, 5, bi("rdf"), size=10, style="B")
    pdf.set_y(pdf.body_top + 6)
    cols = [
        Column(head("brought_forward"), 30),
        Column(head("this_round"), 30),
        Column(head("cumulative"), 30),
    ]

    def trio(f) -> list[str]:
        return [str(f(bf)), str(f(this)), str(f(cum))]

    rows = cand_rows(setup, lambda c: trio(lambda t: t.votes[c.serial - 1]), [])
    rows += totals_rows(
        {
            "nota": lambda: trio(lambda t: t.nota),
            "rejected": lambda: trio(lambda t: t.rejected),
            "valid": lambda: trio(lambda t: t.total_valid),
            "total": lambda: trio(lambda t: t.total),
        },
        True,
    )
    grid(pdf, label_cols(), cols, rows, head_h=10, row_h=7.2, size=8.5, start_new_page=False)
    pdf.set_y(pdf.get_y() + 2)
    pdf.need(20)
    pdf.para(_lead_text(setup, ld, cum), size=9.5, style="B")
    pdf.signature_blocks([L["ro"], L["observer"]])


def _lead_text(setup: Setup, ld, cum: Totals) -> str:
    if ld.leader is None:
        return "No votes yet / अभी कोई मत नहीं"
    c = setup.candidates
    text = f"{bi('leading')}: {c[ld.leader - 1].serial}. {dd.cand_inline(c[ld.leader - 1])} — {cum.votes[ld.leader - 1]}"
    if ld.runner_up:
        r = c[ld.runner_up - 1]
        text += f"\n{bi('trailing')}: {r.serial}. {dd.cand_inline(r)} — {cum.votes[ld.runner_up - 1]}"
        text += f"\n{bi('margin')}: {ld.margin}"
    if ld.is_tie:
        text += f"\n{bi('tie')}: " + ", ".join(str(s) for s in ld.tied)
    return text


# -- Form 20 ---------------------------------------------------------------------------------------
def form20(store, ac_id: int, *, printed_by: str = "", key=None) -> bytes:
    acs = dd.ac_state(store, ac_id)
    _, f20 = services.form20(store, ac_id)
    setup = acs.setup
    at = dd.now_iso()
    payload = forms_payload("f20", acs, dd.form20_digest(f20), at)
    draft = not acs.all_approved
    pdf = Sheet(
        setup,
        L["form20"],
        payload,
        key,
        subtitle=[*ac_lines(setup), f"{bi('printed')}: {dd.local_time(at)}    Part I / भाग I"],
        watermark=WATERMARK_DRAFT if draft else None,
        banner="Not every round is approved yet / सभी चक्र अभी अनुमोदित नहीं" if draft else None,
        printed_at=dd.local_time(at),
        printed_by=printed_by,
    )
    fixed = [Column(head("sl"), 8, "C"), Column(head("ps_no"), 15, "C")]
    data = []
    for c in setup.candidates:
        lines = [(f"{c.serial}. {c.name}", "B")]
        if c.name_hi:
            lines.append((c.name_hi, ""))
        lines.append((c.party + (f" / {c.party_hi}" if c.party_hi else ""), ""))
        data.append(Column(lines, 17))
    data += [
        Column(head("total_valid"), 17),
        Column(head("rejected"), 14),
        Column(head("nota"), 14),
        Column(head("total_votes"), 17),
        Column(head("tendered"), 14),
    ]

    def cells(t: Totals, tendered) -> list[str]:
        return [
            *(str(v) for v in t.votes),
            str(t.total_valid),
            str(t.rejected),
            str(t.nota),
            str(t.total),
            cell_text(tendered),
        ]

    rows = []
    for r in f20.rows:
        mark = "" if r.counted else (" KA" if r.kept_aside else " *")
        rows.append(Row([str(r.sl_no), r.station + mark, *cells(r.totals, r.tendered)]))
    rows += [
        Row([f"{en(k)}\n{hi(k)}", "", *cells(t, tend)], bold=True, shade=True, height=14, span=True)
        for k, t, tend in (
            ("evm_votes", f20.evm, f20.tendered),
            ("postal_votes", f20.postal, None),
            ("total_polled", f20.total_polled, f20.tendered),
        )
    ]
    nc = len(setup.candidates)

    def label(a: int, b: int, g: int, gs: int, c0: int) -> str:
        last_row = min(b, len(f20.rows) - 1)
        ps = f"{bi('ps')} {f20.rows[a].station}–{f20.rows[last_row].station}" if a < len(f20.rows) else ""
        part = f"columns part {g + 1} of {gs} / स्तंभ भाग {g + 1}/{gs}" if gs > 1 else ""
        span = f"candidates from {c0 + 1} / अभ्यर्थी {c0 + 1} से" if c0 < nc and gs > 1 else ""
        return "    ".join(x for x in (ps, part, span) if x)

    grid(pdf, fixed, data, rows, head_h=19, row_h=4.6, size=7.5, head_size=6.3, label=label, reserve_last=44)
    legend = "KA = kept aside, VVPAT count awaited / अलग रखी गई;  * = not yet counted / गणना शेष."
    pdf.need(14)
    pdf.set_y(pdf.get_y() + 1.5)
    pdf.para(legend, size=7.5, h=4)
    pdf.need(32)
    pdf.signature_blocks([L["ro"]])
    return bytes(pdf.output())


def postal_sheet(store, ac_id: int, *, printed_by: str = "", key=None) -> bytes:
    return round_sheet(store, ac_id, POSTAL_ROUND, printed_by=printed_by, key=key, postal_sheet=True)


# -- correction annex ---------------------------------------------------------------------------------
def correction_annex(
    store,
    ac_id: int,
    round_no: int,
    old_rev: int | None = None,
    new_rev: int | None = None,
    *,
    printed_by: str = "",
    key=None,
) -> bytes:
    acs = dd.ac_state(store, ac_id)
    if round_no not in acs.states:
        raise ServiceError(f"There is no round {round_no}.")
    st = acs.states[round_no]
    try:
        older, newer = dd.pick_revisions(st, old_rev, new_rev)
    except LookupError as exc:
        raise ServiceError(str(exc)) from None
    setup = acs.setup
    at = dd.now_iso()
    payload = {
        "v": 1,
        "k": "ca",
        "ac": setup.ac.number,
        "r": round_no,
        "rev": newer["revision"],
        "st": ch.APPROVED
        if newer["stage"] == "approved"
        else ch.SUBMITTED
        if newer["stage"] == "submitted"
        else ch.DRAFT,
        "d": newer["digest"],
        "o": older["digest"],
        "p": acs.prev_of(round_no)[:32],
        "at": at,
        **acs.anchor,
    }
    reasons = [
        r
        for r in dd.correction_reasons(store, ac_id, round_no)
        if older["revision"] < r[1] <= newer["revision"]
    ]
    o, n = (
        {"approved": ch.APPROVED, "submitted": ch.SUBMITTED}.get(r["stage"], "live") for r in (older, newer)
    )
    sub = [
        f"{round_title(round_no)}    {bi('revision')}: {older['revision']} → {newer['revision']}    "
        + _pair("status", *(f"{STAGE[o][i]} → {STAGE[n][i]}" for i in (0, 1)))
    ]
    for ts, _rev, actor, reason in reasons:
        sub.append(f"{bi('reason')}: {reason}  ({actor}, {dd.local_time(ts)})")
    pdf = Sheet(
        setup,
        L["annex"],
        payload,
        key,
        subtitle=sub,
        watermark=WATERMARK_DRAFT if newer["stage"] == "live" else None,
        printed_at=dd.local_time(at),
        printed_by=printed_by,
    )
    old_t = {t["table"]: t for t in older["figures"]["tables"]}
    new_t = {t["table"]: t for t in newer["figures"]["tables"]}
    fields = (
        [c.field for c in setup.candidates] + ["nota"] + (["rejected"] if round_no == 0 else []) + ["total"]
    )
    changed = [k for k in sorted(set(old_t) | set(new_t)) if old_t.get(k) != new_t.get(k)]
    cols: list[Column] = []
    for k in changed:
        o, nw = old_t.get(k, {}), new_t.get(k, {})
        ps = nw.get("station") or o.get("station")
        cols.append(Column([(f"{en('table')} {k} PS {ps}", "B"), (f"rev {older['revision']}", "")], 15))
        cols.append(Column([(f"{en('table')} {k} PS {ps}", "B"), (f"rev {newer['revision']}", "")], 15))

    def tot(tables: dict, f: str) -> int:
        return sum(t["values"].get(f, 0) for t in tables.values() if not t.get("kept_aside"))

    cols.append(Column([(en("round_total"), "B"), (f"rev {older['revision']}", "")], 17))
    cols.append(Column([(en("round_total"), "B"), (f"rev {newer['revision']}", "")], 17))
    cols.append(Column(head("change"), 15))
    rows = []
    labels = {c.field: (str(c.serial), dd.cand_label(c), dd.party_label(c)) for c in setup.candidates}
    labels["nota"] = ("", f"{en('nota')}\n{hi('nota')}", "")
    labels["rejected"] = ("", f"{en('rejected')}\n{hi('rejected')}", "")
    labels["total"] = ("", f"{en('total')}\n{hi('total')}", "")
    for f in fields:
        cells, marks = [], set()
        for i, k in enumerate(changed):
            o, nw = old_t.get(k, {}), new_t.get(k, {})
            ov = "KA" if o.get("kept_aside") else cell_text(o.get("values", {}).get(f))
            nv = "KA" if nw.get("kept_aside") else cell_text(nw.get("values", {}).get(f))
            if ov != nv:
                marks |= {2 * i, 2 * i + 1}
                nv = f"{nv} *"
            cells += [ov, nv]
        a, b = tot(old_t, f), tot(new_t, f)
        if a != b:
            marks |= {len(cells), len(cells) + 1, len(cells) + 2}
        cells += [str(a), str(b), f"{b - a:+d}" if a != b else ""]
        rows.append(Row([*labels[f], *cells], bold=f == "total", shade_cols=marks))
    pdf.add_page()
    pdf.put(
        MARGIN,
        pdf.body_top,
        250,
        5,
        "Changed tables side by side; changed cells shaded and marked * / परिवर्तित टेबल; परिवर्तित खाने चिह्नित *",
        size=9,
        style="B",
    )
    pdf.set_y(pdf.body_top + 6)
    if not changed:
        pdf.para("The two revisions hold the same figures. / दोनों संशोधनों में आँकड़े समान हैं।", size=10)
    grid(
        pdf,
        label_cols(),
        cols,
        rows,
        head_h=12,
        row_h=7.2,
        size=8,
        start_new_page=False,
        label=lambda a, b, g, gs, c0: _part(g, gs) if gs > 1 else "",
    )
    pdf.set_y(pdf.get_y() + 3)
    pdf.signature_blocks([L["ro"], L["observer"]])
    return bytes(pdf.output())
