"""The documents: round sheet (TRV + RDF), Form 20, Form 21C/21D, Form 21E, Form 22, the postal
result sheet and the correction annex. Each function returns the PDF bytes."""

from __future__ import annotations

from encore_tui.domain.declaration import Declaration
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import RoundStatus
from encore_tui.domain.setup import ElectionKind, Setup
from encore_tui.domain.tally import Totals
from encore_tui.printing import chain as ch
from encore_tui.printing import data as dd
from encore_tui.printing.doc import MARGIN, Column, Row, Sheet, grid
from encore_tui.printing.labels import L, bi, en, hi

KEPT_ASIDE_HI = {
    KeptAsideReason.CU_DISPLAY_FAILURE: "कंट्रोल यूनिट परिणाम नहीं दिखा सकी",
    KeptAsideReason.MOCK_POLL_NOT_CLEARED: "मॉक पोल डेटा हटाया नहीं गया",
    KeptAsideReason.TOTAL_DIFFERS_17C: "सीयू का योग प्रपत्र 17ग भाग-I से भिन्न",
    KeptAsideReason.OTHER: "अन्य कारण (टिप्पणी देखें)",
}
WATERMARK_DRAFT = f"{en('draft')} / {hi('draft')}"


def _n(v) -> str:
    return "" if v is None else str(v)


def _head(key: str) -> list[tuple[str, str]]:
    e, h = L[key]
    return [(e, "B"), (h, "")]


def _cand_rows(setup: Setup, per_cand, extra_rows) -> list[Row]:
    rows = [Row([str(c.serial), dd.cand_label(c), dd.party_label(c), *per_cand(c)]) for c in setup.candidates]
    return rows + extra_rows


def _label_cols(wide: bool = True) -> list[Column]:
    return [
        Column(_head("sl"), 7, "C"),
        Column(_head("candidate"), 50 if wide else 44, "L"),
        Column(_head("party"), 28 if wide else 24, "L"),
    ]


def _totals_rows(get: dict[str, callable], postal: bool) -> list[Row]:
    """NOTA, [rejected], total-valid and total rows; `get` maps a field to its cells."""
    rows = [Row(["", f"{en('nota')}\n{hi('nota')}", "", *get["nota"]()])]
    if postal:
        rows.append(Row(["", f"{en('rejected')}\n{hi('rejected')}", "", *get["rejected"]()]))
    rows.append(
        Row(["", f"{en('total_valid')}\n{hi('total_valid')}", "", *get["valid"]()], bold=True, shade=True)
    )
    rows.append(Row(["", f"{en('total')}\n{hi('total')}", "", *get["total"]()], bold=True, shade=True))
    return rows


def _round_title(round_no: int) -> str:
    return bi("postal_round") if round_no == POSTAL_ROUND else f"{bi('round')}: {round_no}"


# -- round sheet -------------------------------------------------------------------------------------
def round_sheet(
    store, ac_id: int, round_no: int, *, printed_by: str = "", key=None, postal_sheet=False
) -> bytes:
    from encore_tui import services

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
    stage = ch.STAGE_NAMES[st.stage]
    sub = [
        f"{_round_title(round_no)}    {bi('revision')}: {st.revision}    {bi('status')}: {status.label}"
        f"{'' if status.value in stage else f' ({stage})'}"
        f"    {bi('operator')}: {operator}",
        f"{bi('printed')}: {dd.local_time(at)}    figures sha256: {st.digest[:16]}…    "
        f"previous sheet: {acs.prev_of(round_no)[:12]}…",
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
        cells = ["—" if e.kept_aside else _n(e.values.get(field)) for e in entries]
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
            lines.append(("KEPT ASIDE", "B"))
        tcols.append(Column(lines, 0))
    total_w = 17
    avail = pdf.w - 2 * MARGIN - sum(c.width for c in _label_cols()) - total_w
    for c in tcols:  # as wide as the page allows; past 11 mm a column the tables split across pages
        c.width = max(11.0, min(18.0, avail / max(1, len(tcols))))
    tcols.append(Column(_head("round_total") if not postal_sheet else _head("total"), total_w))
    rows = _cand_rows(setup, lambda c: vals(c.field), [])
    rows += _totals_rows(
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
        _label_cols(),
        tcols,
        rows,
        head_h=12,
        row_h=7.4,
        size=8,
        shaded_cols=kept,
        start_new_page=False,
        label=lambda a, b, g, gs, c0: f"{bi('trv')} — part {g + 1} of {gs}" if gs > 1 else "",
    )
    if kept:
        pdf.need(6 + 5 * len(kept))
        pdf.set_y(pdf.get_y() + 2)
        pdf.para(bi("kept_aside"), size=9, style="B")
        for i in sorted(kept):
            e = entries[i]
            note = f" — {e.kept_aside_note}" if e.kept_aside_note else ""
            pdf.para(
                f"{en('table')} {e.table_no}, PS {e.station}: {e.kept_aside.label} / {KEPT_ASIDE_HI[e.kept_aside]}{note}",
                size=9,
            )
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
        from encore_tui.domain.tally import lead

        bf, this, cum = Totals.zero(n), view.postal_totals, view.postal_totals
        ld = lead(cum.votes)
    pdf.add_page()
    pdf.put(MARGIN, pdf.body_top, 200, 5, bi("rdf"), size=10, style="B")
    pdf.set_y(pdf.body_top + 6)
    cols = [
        Column(_head("brought_forward"), 30),
        Column(_head("this_round"), 30),
        Column(_head("cumulative"), 30),
    ]

    def trio(f) -> list[str]:
        return [str(f(bf)), str(f(this)), str(f(cum))]

    rows = _cand_rows(setup, lambda c: trio(lambda t: t.votes[c.serial - 1]), [])
    rows += _totals_rows(
        {
            "nota": lambda: trio(lambda t: t.nota),
            "rejected": lambda: trio(lambda t: t.rejected),
            "valid": lambda: trio(lambda t: t.total_valid),
            "total": lambda: trio(lambda t: t.total),
        },
        True,
    )
    grid(pdf, _label_cols(), cols, rows, head_h=10, row_h=7.2, size=8.5, start_new_page=False)
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
def _forms_payload(kind: str, acs: dd.AcState, digest: str, at: str, extra: dict | None = None) -> dict:
    p = {
        "v": 1,
        "k": kind,
        "ac": acs.setup.ac.number,
        "r": acs.last_round,
        "d": digest,
        "p": acs.chain[acs.last_round][:32],
        "t": acs.round_digests,
        "at": at,
        **acs.anchor,
    }
    p.update(extra or {})
    return p


def _ac_lines(setup: Setup) -> list[str]:
    lines = [f"{bi('electors')}: {setup.ac.electors}"]
    if setup.ac.date_of_counting:
        lines[0] += f"    {bi('counting_date')}: {setup.ac.date_of_counting.strftime('%d-%m-%Y')}"
    return lines


def form20(store, ac_id: int, *, printed_by: str = "", key=None) -> bytes:
    from encore_tui import services

    acs = dd.ac_state(store, ac_id)
    _, f20 = services.form20(store, ac_id)
    setup = acs.setup
    at = dd.now_iso()
    payload = _forms_payload("f20", acs, dd.form20_digest(f20), at)
    draft = not acs.all_approved
    pdf = Sheet(
        setup,
        L["form20"],
        payload,
        key,
        subtitle=[*_ac_lines(setup), f"{bi('printed')}: {dd.local_time(at)}    Part I / भाग I"],
        watermark=WATERMARK_DRAFT if draft else None,
        banner="Not every round is approved yet / सभी चक्र अभी अनुमोदित नहीं" if draft else None,
        printed_at=dd.local_time(at),
        printed_by=printed_by,
    )
    fixed = [Column(_head("sl"), 8, "C"), Column(_head("ps_no"), 15, "C")]
    data = []
    for c in setup.candidates:
        lines = [(f"{c.serial}. {c.name}", "B")]
        if c.name_hi:
            lines.append((c.name_hi, ""))
        lines.append((c.party + (f" / {c.party_hi}" if c.party_hi else ""), ""))
        data.append(Column(lines, 17))
    data += [
        Column(_head("total_valid"), 17),
        Column(_head("rejected"), 14),
        Column(_head("nota"), 14),
        Column(_head("total_votes"), 17),
        Column(_head("tendered"), 14),
    ]

    def cells(t: Totals, tendered) -> list[str]:
        return [
            *(str(v) for v in t.votes),
            str(t.total_valid),
            str(t.rejected),
            str(t.nota),
            str(t.total),
            _n(tendered),
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
        span = f"candidates from {c0 + 1}" if c0 < nc and gs > 1 else ""
        return "    ".join(x for x in (ps, part, span) if x)

    grid(pdf, fixed, data, rows, head_h=19, row_h=4.6, size=7.5, head_size=6.3, label=label, reserve_last=44)
    legend = "KA = kept aside, VVPAT count awaited / अलग रखी गई;  * = not yet counted / गणना शेष."
    pdf.need(14)
    pdf.set_y(pdf.get_y() + 1.5)
    pdf.para(legend, size=7.5, h=4)
    pdf.need(32)
    pdf.signature_blocks([L["ro"]])
    return bytes(pdf.output())


# -- declaration documents ---------------------------------------------------------------------------
def _result(store, ac_id: int, declaration: Declaration | None, at: str):
    from encore_tui import services

    acs = dd.ac_state(store, ac_id)
    _, f20 = services.form20(store, ac_id)
    res = (
        dd.Result(declaration, False) if declaration is not None else dd.draft_declaration(acs.setup, f20, at)
    )
    return acs, f20, res


def _decl_sheet(kind: str, title, acs, f20, res, at, printed_by, key, orientation="P") -> Sheet:
    extra = {"w": res.declaration.winner_serial if res.declaration else 0}
    if res.draft:
        extra["dr"] = 1
    payload = _forms_payload(kind, acs, dd.form20_digest(f20), at, extra)
    return Sheet(
        acs.setup,
        title,
        payload,
        key,
        orientation=orientation,
        subtitle=_ac_lines(acs.setup),
        watermark=f"{en('draft')} / {hi('draft')}" if res.draft else None,
        banner=bi("not_declared") if res.draft else None,
        printed_at=dd.local_time(at),
        printed_by=printed_by,
    )


def _house(setup: Setup) -> tuple[str, str]:
    state = setup.election.state or ""
    return (
        f"Legislative Assembly of {state}" if state else "Legislative Assembly",
        f"{state} विधान सभा".strip() if state else "विधान सभा",
    )


def _when_where(res: dd.Result, setup: Setup) -> tuple[str, str, str]:
    d = res.declaration
    place = (d.place if d else "") or (setup.ac.district or "")
    date = d.declared_at.astimezone().strftime("%d-%m-%Y") if d and not res.draft else "__________"
    ro = d.ro_name if d and d.ro_name else ""
    return place, date, ro


def _winner_text(setup: Setup, res: dd.Result) -> tuple[str, str]:
    d = res.declaration
    if d is None:
        return "(no votes counted yet)", "(अभी कोई मत गिना नहीं गया)"
    c = setup.candidates[d.winner_serial - 1]
    e = f"{c.name} ({c.party})"
    h = f"{c.name_hi or c.name} ({c.party_hi or c.party})"
    return e, h


def _tie_text(setup: Setup, res: dd.Result) -> str:
    d = res.declaration
    if d and d.tie_lot:
        t = d.tie_lot
        names = ", ".join(setup.candidates[s - 1].name for s in t.tied_serials)
        return (
            f"The votes being equal between {names}, the result was decided by lot under Section 65 of the "
            f"R.P. Act, 1951: the lot, drawn by {t.drawn_by} at {t.at.astimezone().strftime('%d-%m-%Y %H:%M')}"
            f"{' in the presence of ' + t.witnesses if t.witnesses else ''}, fell on "
            f"{setup.candidates[t.drawn_serial - 1].name}, who is treated as having received one additional vote. / "
            "मत बराबर होने पर धारा 65 के अधीन लॉट द्वारा निर्णय किया गया।"
        )
    if res.tied:
        return (
            "TIE: "
            + ", ".join(setup.candidates[s - 1].name for s in res.tied)
            + " have equal votes; the RO must decide by lot (Section 65) before declaring. / "
            "मत बराबर: घोषणा से पहले लॉट द्वारा निर्णय आवश्यक।"
        )
    return ""


def form21c(
    store, ac_id: int, declaration: Declaration | None = None, *, printed_by: str = "", key=None
) -> bytes:
    """Form 21C (general election) or Form 21D (bye-election), by the setup's election kind."""
    at = dd.now_iso()
    acs, f20, res = _result(store, ac_id, declaration, at)
    setup = acs.setup
    bye = setup.election.kind is ElectionKind.BYE
    kind, title = ("21d", L["form21d"]) if bye else ("21c", L["form21c"])
    pdf = _decl_sheet(kind, title, acs, f20, res, at, printed_by, key)
    pdf.add_page()
    pdf.set_y(pdf.body_top + 2)
    pdf.para(
        "(See rule 64 of the Conduct of Elections Rules, 1961) / (निर्वाचनों का संचालन नियम, 1961 का नियम 64 देखिए)",
        size=9,
        align="C",
    )
    house_e, house_h = _house(setup)
    ac = f"{setup.ac.number} – {setup.ac.name}"
    ac_h = f"{setup.ac.number} – {setup.ac.name_hi or setup.ac.name}"
    pdf.para(
        f"{'Bye-election' if bye else 'General election'} to the {house_e} from {ac} Assembly Constituency.",
        size=10.5,
        style="B",
    )
    pdf.para(
        f"{house_h} के लिए {ac_h} विधान सभा निर्वाचन क्षेत्र से {'उप-निर्वाचन' if bye else 'साधारण निर्वाचन'}।",
        size=10.5,
        style="B",
    )
    we, wh = _winner_text(setup, res)
    seat = "to fill the vacancy in the seat of" if bye else "to fill the seat in"
    pdf.set_y(pdf.get_y() + 3)
    pdf.para(
        "In pursuance of the provisions contained in section 66 of the Representation of the People Act, 1951, "
        f"read with rule 64 of the Conduct of Elections Rules, 1961, I declare that {we} has been duly elected "
        f"{seat} the {house_e} from the above constituency.",
        size=10.5,
    )
    pdf.set_y(pdf.get_y() + 2)
    pdf.para(
        "लोक प्रतिनिधित्व अधिनियम, 1951 की धारा 66 और निर्वाचनों का संचालन नियम, 1961 के नियम 64 के उपबंधों के "
        f"अनुसरण में, मैं घोषित करता/करती हूँ कि {wh} उपर्युक्त निर्वाचन क्षेत्र से {house_h} के लिए विधिवत निर्वाचित हुए हैं।",
        size=10.5,
    )
    tie = _tie_text(setup, res)
    if tie:
        pdf.set_y(pdf.get_y() + 2)
        pdf.para(tie, size=9.5, style="B")
    _place_date_ro(pdf, res, setup)
    return bytes(pdf.output())


def _place_date_ro(pdf: Sheet, res: dd.Result, setup: Setup) -> None:
    place, date, ro = _when_where(res, setup)
    pdf.set_y(pdf.get_y() + 8)
    pdf.need(36)
    y = pdf.get_y()
    pdf.put(MARGIN, y, 90, 6, f"{bi('place')}: {place}", size=10)
    pdf.put(MARGIN, y + 7, 90, 6, f"{bi('date')}: {date}", size=10)
    x = pdf.w - MARGIN - 85
    pdf.put(x, y + 14, 85, 6, "______________________________", size=10, align="C")
    pdf.put(x, y + 20, 85, 6, f"{bi('ro')}", size=10, style="B", align="C")
    if ro:
        pdf.put(x, y + 26, 85, 6, ro, size=10, align="C")
    pdf.set_y(y + 34)


def form21e(
    store, ac_id: int, declaration: Declaration | None = None, *, printed_by: str = "", key=None
) -> bytes:
    at = dd.now_iso()
    acs, f20, res = _result(store, ac_id, declaration, at)
    setup = acs.setup
    pdf = _decl_sheet("21e", L["form21e"], acs, f20, res, at, printed_by, key)
    pdf.add_page()
    pdf.set_y(pdf.body_top + 1)
    pdf.para("(See rule 64 of the Conduct of Elections Rules, 1961) / (नियम 64 देखिए)", size=9, align="C")
    house_e, house_h = _house(setup)
    pdf.para(
        f"Election to the {house_e} from {setup.ac.number} – {setup.ac.name} constituency / "
        f"{setup.ac.number} – {setup.ac.name_hi or setup.ac.name} निर्वाचन क्षेत्र से {house_h} के लिए निर्वाचन",
        size=10,
        style="B",
    )
    pdf.set_y(pdf.get_y() + 2)
    tp = f20.total_polled
    cols = [Column(_head("votes"), 30)]
    rows = _cand_rows(setup, lambda c: [str(tp.votes[c.serial - 1])], [])
    grid(pdf, _label_cols(), cols, rows, head_h=10, row_h=7.2, size=9, start_new_page=False)
    pdf.set_y(pdf.get_y() + 3)
    pdf.need(40)
    for key_, value in (
        ("electors", setup.ac.electors),
        ("total_valid", tp.total_valid),
        ("nota", tp.nota),
        ("rejected", tp.rejected),
        ("tendered", _n(f20.tendered) or "0"),
    ):
        y = pdf.get_y()
        pdf.put(MARGIN, y, 130, 6, f"{bi(key_)}", size=10)
        pdf.put(MARGIN + 130, y, 30, 6, str(value), size=10, style="B", align="R")
        pdf.set_y(y + 6)
    we, wh = _winner_text(setup, res)
    pdf.set_y(pdf.get_y() + 3)
    pdf.para(
        f"I declare that {we} has been duly elected. / मैं घोषित करता/करती हूँ कि {wh} विधिवत निर्वाचित हुए हैं।",
        size=10.5,
    )
    tie = _tie_text(setup, res)
    if tie:
        pdf.para(tie, size=9.5, style="B")
    _place_date_ro(pdf, res, setup)
    return bytes(pdf.output())


def form22(
    store, ac_id: int, declaration: Declaration | None = None, *, printed_by: str = "", key=None
) -> bytes:
    at = dd.now_iso()
    acs, f20, res = _result(store, ac_id, declaration, at)
    setup = acs.setup
    pdf = _decl_sheet("22", L["form22"], acs, f20, res, at, printed_by, key)
    pdf.add_page()
    pdf.set_y(pdf.body_top + 4)
    pdf.para("(See rule 66 of the Conduct of Elections Rules, 1961) / (नियम 66 देखिए)", size=9, align="C")
    house_e, house_h = _house(setup)
    we, wh = _winner_text(setup, res)
    pdf.set_y(pdf.get_y() + 6)
    pdf.para(
        f"I, the Returning Officer, hereby certify that I have declared {we} to have been duly elected to the "
        f"{house_e} from {setup.ac.number} – {setup.ac.name} Assembly Constituency, and that in token thereof "
        "I have granted this certificate of election.",
        size=12,
        h=7,
    )
    pdf.set_y(pdf.get_y() + 4)
    pdf.para(
        f"मैं, रिटर्निंग ऑफिसर, प्रमाणित करता/करती हूँ कि मैंने {wh} को {setup.ac.number} – "
        f"{setup.ac.name_hi or setup.ac.name} विधान सभा निर्वाचन क्षेत्र से {house_h} के लिए विधिवत निर्वाचित "
        "घोषित किया है और इसके प्रतीक स्वरूप यह निर्वाचन प्रमाण-पत्र प्रदान किया है।",
        size=12,
        h=7,
    )
    tie = _tie_text(setup, res)
    if tie:
        pdf.set_y(pdf.get_y() + 2)
        pdf.para(tie, size=9.5)
    _place_date_ro(pdf, res, setup)
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
        from encore_tui.services.errors import ServiceError

        raise ServiceError(f"There is no round {round_no}.")
    st = acs.states[round_no]
    try:
        older, newer = dd.pick_revisions(st, old_rev, new_rev)
    except LookupError as exc:
        from encore_tui.services.errors import ServiceError

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
    sub = [
        f"{_round_title(round_no)}    {bi('revision')}: {older['revision']} ({older['stage']}) → "
        f"{newer['revision']} ({'not yet submitted' if newer['stage'] == 'live' else newer['stage']})",
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
    cols.append(Column(_head("change"), 15))
    rows = []
    labels = {c.field: (str(c.serial), dd.cand_label(c), dd.party_label(c)) for c in setup.candidates}
    labels["nota"] = ("", f"{en('nota')}\n{hi('nota')}", "")
    labels["rejected"] = ("", f"{en('rejected')}\n{hi('rejected')}", "")
    labels["total"] = ("", f"{en('total')}\n{hi('total')}", "")
    for f in fields:
        cells, marks = [], set()
        for i, k in enumerate(changed):
            o, nw = old_t.get(k, {}), new_t.get(k, {})
            ov = "KA" if o.get("kept_aside") else _n(o.get("values", {}).get(f))
            nv = "KA" if nw.get("kept_aside") else _n(nw.get("values", {}).get(f))
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
        _label_cols(),
        cols,
        rows,
        head_h=12,
        row_h=7.2,
        size=8,
        start_new_page=False,
        label=lambda a, b, g, gs, c0: f"part {g + 1} of {gs}" if gs > 1 else "",
    )
    pdf.set_y(pdf.get_y() + 3)
    pdf.signature_blocks([L["ro"], L["observer"]])
    return bytes(pdf.output())
