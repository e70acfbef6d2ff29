"""The declaration documents: Form 21C/21D (declaration of result), Form 21E (return of
election) and Form 22 (certificate of election). Each function returns the PDF bytes."""

from __future__ import annotations

from encore_tui import services
from encore_tui.domain.declaration import Declaration
from encore_tui.domain.setup import ElectionKind, Setup
from encore_tui.printing import data as dd
from encore_tui.printing.doc import MARGIN, Column, Sheet, grid
from encore_tui.printing.labels import L, bi, en, hi, state_hi
from encore_tui.printing.parts import (
    ac_lines,
    cand_rows,
    cell_text,
    forms_payload,
    head,
    label_cols,
)


def _result(store, ac_id: int, declaration: Declaration | None, at: str):
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
    payload = forms_payload(kind, acs, dd.form20_digest(f20), at, extra)
    return Sheet(
        acs.setup,
        title,
        payload,
        key,
        orientation=orientation,
        subtitle=ac_lines(acs.setup),
        watermark=f"{en('draft')} / {hi('draft')}" if res.draft else None,
        banner=bi("not_declared") if res.draft else None,
        printed_at=dd.local_time(at),
        printed_by=printed_by,
    )


def _house(setup: Setup) -> tuple[str, str]:
    state = setup.election.state or ""
    return (
        f"Legislative Assembly of {state}" if state else "Legislative Assembly",
        f"{state_hi(state)} विधान सभा" if state else "विधान सभा",
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
    c = setup.candidates

    def names_hi(serials) -> str:
        return ", ".join(c[s - 1].name_hi or c[s - 1].name for s in serials)

    if d and d.tie_lot:
        t = d.tie_lot
        names = ", ".join(c[s - 1].name for s in t.tied_serials)
        at = t.at.astimezone().strftime("%d-%m-%Y %H:%M")
        # who drew and who saw it are the RO's own words (English): the Hindi gives the time
        return (
            f"The votes being equal between {names}, the result was decided by lot under Section 65 of the "
            f"R.P. Act, 1951: the lot, drawn by {t.drawn_by} at {at}"
            f"{' in the presence of ' + t.witnesses if t.witnesses else ''}, fell on "
            f"{c[t.drawn_serial - 1].name}, who is treated as having received one additional vote. / "
            f"{names_hi(t.tied_serials)} के मत बराबर होने पर लोक प्रतिनिधित्व अधिनियम, 1951 की धारा 65 के "
            f"अधीन लॉट द्वारा निर्णय किया गया: {at} पर निकाला गया लॉट "
            f"{names_hi([t.drawn_serial])} के पक्ष में निकला, जिन्हें एक अतिरिक्त मत प्राप्त हुआ माना गया है।"
        )
    if res.tied:
        return (
            "TIE: "
            + ", ".join(c[s - 1].name for s in res.tied)
            + " have equal votes; the RO must decide by lot (Section 65) before declaring. / "
            f"मत बराबर: {names_hi(res.tied)} के मत बराबर हैं; घोषणा से पहले रिटर्निंग ऑफिसर द्वारा "
            "धारा 65 के अधीन लॉट द्वारा निर्णय आवश्यक।"
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
    cols = [Column(head("votes"), 30)]
    rows = cand_rows(setup, lambda c: [str(tp.votes[c.serial - 1])], [])
    grid(pdf, label_cols(), cols, rows, head_h=10, row_h=7.2, size=9, start_new_page=False)
    pdf.set_y(pdf.get_y() + 3)
    pdf.need(40)
    for key_, value in (
        ("electors", setup.ac.electors),
        ("total_valid", tp.total_valid),
        ("nota", tp.nota),
        ("rejected", tp.rejected),
        ("tendered", cell_text(f20.tendered) or "0"),
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
