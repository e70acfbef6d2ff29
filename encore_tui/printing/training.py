"""Training documents (docs/training.md): the Form 17C Part II sheets a trainee keys from, the
trainer's answer key, the batch report for the district and the certificate of completion.

The sheets show what the counting supervisor wrote, seeded faults included; never the answer.
Every page carries the QR payload (`k`: ts sheets, tk key, tr report, tc certificate; `d` the
sha256 of the session's key, or of the report's scores)."""

from __future__ import annotations

from encore_tui.domain import training as tr
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.ledger import canonical
from encore_tui.domain.setup import NOTA, TOTAL, Setup
from encore_tui.printing import data as dd
from encore_tui.printing.doc import MARGIN, Column, Row, Sheet, grid
from encore_tui.printing.labels import bi, en, hi
from encore_tui.printing.parts import cell_text, head, label_cols
from encore_tui.services.training import Report, Session
from encore_tui.services.training import Sheet as SheetData
from encore_tui.services.uow import sha256

FORM_17C_II = ("Form 17C Part II — Result of counting", "प्ररूप 17ग भाग II — गणना का परिणाम")
TRAINING = "TRAINING — not a real count / प्रशिक्षण — वास्तविक मतगणना नहीं"
KEY_TITLE = ("Training answer key — for the trainer only", "प्रशिक्षण उत्तर कुंजी — केवल प्रशिक्षक हेतु")
REPORT_TITLE = ("Training report", "प्रशिक्षण रिपोर्ट")
CERT_TITLE = ("Certificate of completion", "प्रशिक्षण पूर्णता प्रमाण-पत्र")
HINDI_REASON = {
    KeptAsideReason.TOTAL_DIFFERS_17C: "सीयू का योग प्ररूप 17ग भाग I से भिन्न",
    KeptAsideReason.CU_DISPLAY_FAILURE: "कंट्रोल यूनिट परिणाम प्रदर्शित नहीं करती",
    KeptAsideReason.MOCK_POLL_NOT_CLEARED: "मॉक पोल डेटा नहीं हटाया गया",
}


def _key_digest(key: tr.AnswerKey) -> str:
    return sha256(canonical(list(key.to_json())))


def _sheet(setup: Setup, title, session: Session, kind: str, digest: str, at: str, by: str, **kw) -> Sheet:
    payload = {"v": 1, "k": kind, "ac": setup.ac.number, "sn": session.id, "d": digest, "at": at}
    subtitle = [f"Training session {session.id}: {session.name} / प्रशिक्षण सत्र {session.id}"]
    return Sheet(
        setup,
        title,
        payload,
        None,
        subtitle=subtitle + list(kw.pop("subtitle", [])),
        banner=TRAINING,
        printed_at=dd.local_time(at),
        printed_by=by,
        **kw,
    )


def _field_label(setup: Setup, field: str) -> str:
    if field == NOTA:
        return f"{en('nota')} / {hi('nota')}"
    if field == TOTAL:
        return f"{en('total')} / {hi('total')}"
    return str(setup.candidates[int(field[1:]) - 1].serial)


# -- the sheets --------------------------------------------------------------------------------
def sheets_pdf(
    session: Session,
    setup: Setup,
    key: tr.AnswerKey,
    sheets: list[SheetData],
    by: str = "",
    trainee: str = "",
) -> bytes:
    """One Form 17C Part II per station, as the counting supervisor hands it to the operator
    (`trainee`: the name printed on every page of that trainee's set)."""
    at = dd.now_iso()
    sub = [f"Trainee / प्रशिक्षु: {trainee}"] if trainee else []
    pdf = _sheet(setup, FORM_17C_II, session, "ts", _key_digest(key), at, by, orientation="P", subtitle=sub)
    votes = Column([("Votes / मत", "B"), ("(figures) / (अंकों में)", "")], 34)
    for sh in sheets:
        pdf.add_page()
        y = pdf.body_top
        line = (
            f"{bi('round')}: {sh.round_no}     {bi('table')}: {sh.table_no}     "
            f"Polling station / मतदान केंद्र: {sh.station}"
        )
        pdf.put(MARGIN, y, pdf.w - 2 * MARGIN, 7, line, size=12, style="B")
        y += 9
        if sh.note:
            pdf.set_fill_color(255, 235, 200)
            note_hi = next((h for e, h in tr.SHEET_NOTES.values() if e == sh.note), "")
            pdf.put(MARGIN, y, pdf.w - 2 * MARGIN, 6, f"Remark: {sh.note}", size=10, style="B", fill=True)
            y += 6
            if note_hi:
                pdf.put(MARGIN, y, pdf.w - 2 * MARGIN, 6, f"टिप्पणी: {note_hi}", size=10, style="B", fill=True)
                y += 6
            pdf.set_fill_color(255, 255, 255)
            y += 2
        pdf.set_y(y)
        fig = sh.figures or {}
        rows = [
            Row([str(c.serial), dd.cand_label(c), dd.party_label(c), cell_text(fig.get(c.field))])
            for c in setup.candidates
        ]
        rows.append(Row(["", f"{en('nota')}\n{hi('nota')}", "", cell_text(fig.get(NOTA))]))
        rows.append(
            Row(["", f"{en('total')}\n{hi('total')}", "", cell_text(fig.get(TOTAL))], bold=True, shade=True)
        )
        grid(pdf, label_cols(wide=False), [votes], rows, head_h=10, row_h=7.4, size=10, start_new_page=False)
        pdf.set_y(pdf.get_y() + 3)
        pdf.need(40)
        pdf.para(
            "Whether the total tallies with the total shown against item 5 of Part I: __________ / "
            "क्या योग भाग I की मद 5 में दर्शाए गए योग से मेल खाता है: __________",
            size=9,
        )
        pdf.signature_blocks([("Counting Supervisor", "गणना पर्यवेक्षक"), ("Counting Agent", "गणना अभिकर्ता")])
    return bytes(pdf.output())


# -- the answer key ----------------------------------------------------------------------------
def key_pdf(session: Session, setup: Setup, key: tr.AnswerKey, by: str = "") -> bytes:
    """The official figures of every table and the faults with what "caught" means."""
    at = dd.now_iso()
    pdf = _sheet(setup, KEY_TITLE, session, "tk", _key_digest(key), at, by)
    fields = [*setup.candidate_fields, NOTA, TOTAL]
    fixed = [Column(head("table"), 14, "C"), Column(head("ps_no"), 22, "C")]
    data = [Column([(_field_label(setup, f), "B")], 15 if f != TOTAL else 17) for f in fields]
    pdf.add_page()
    pdf.set_y(pdf.body_top)
    for r in sorted(key.rounds):
        rows = []
        for t, st in enumerate(key.rounds[r], start=1):
            f = key.fault_at(r, st)
            mark = f" *{f.kind.value}" if f else ""
            shade = set(range(len(fields))) if f else set()
            rows.append(
                Row([str(t), st + mark, *(str(key.official[st][x]) for x in fields)], shade_cols=shade)
            )
        pdf.need(30)
        pdf.put(MARGIN, pdf.get_y() + 1, 200, 6, f"{bi('round')}: {r}", size=11, style="B")
        pdf.set_y(pdf.get_y() + 7)
        grid(pdf, fixed, data, rows, head_h=8, row_h=5.5, size=8, start_new_page=False)
    pdf.set_y(pdf.get_y() + 3)
    pdf.need(20)
    pdf.para('Seeded faults and what "caught" means / जानबूझकर डाली गई त्रुटियाँ', size=11, style="B")
    if not key.faults:
        pdf.para("None / कोई नहीं", size=9)
    for f in key.faults:
        sheet = (
            "nothing written"
            if f.sheet is None
            else (f"sheet total {f.sheet[TOTAL]} (official {key.official[f.station][TOTAL]})")
        )
        extra = (
            f"; the copies' Form 17C Part I total {f.form17c_total}" if f.form17c_total is not None else ""
        )
        pdf.need(12)
        pdf.para(
            f"Round {f.round_no}, table {f.table_no}, PS {f.station}: {f.kind.value} — {sheet}{extra}. "
            f"Caught when: {f.caught_means}.",
            size=9,
        )
    return bytes(pdf.output())


# -- the report --------------------------------------------------------------------------------
def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def report_rows(rep: Report) -> list[list[str]]:
    """The ranking as the terminal table and the PDF print it."""
    out = []
    for r in rep.ranked:
        s = r.score
        kpm = s.keys_per_minute
        out.append(
            [
                str(r.place),
                r.username,
                str(s.right),
                str(s.wrong),
                str(s.blank),
                str(s.corrected),
                f"{s.caught}/{len(s.faults)}",
                "–" if kpm is None else f"{kpm:.0f}",
                _mmss(s.mean_table_seconds),
                _mmss(sum(s.round_seconds.values()) / len(s.round_seconds) if s.round_seconds else None),
                f"{s.percent:.1f}",
                "yes" if r.passed else "no",
            ]
        )
    return out


REPORT_HEAD = [
    ("#", "क्र."),
    ("Trainee", "प्रशिक्षु"),
    ("Right", "सही"),
    ("Wrong", "गलत"),
    ("Blank", "रिक्त"),
    ("Fixed", "सुधारे"),
    ("Faults", "त्रुटियाँ"),
    ("Keys/min", "कुंजी/मि."),
    ("Table", "टेबल"),
    ("Round", "चक्र"),
    ("Score %", "अंक %"),
    ("Pass", "उत्तीर्ण"),
]


def cell_name(setup: Setup, ck: tr.CellKey) -> str:
    r, st, f = ck
    what = (
        "NOTA"
        if f == NOTA
        else "Total"
        if f == TOTAL
        else f"{f[1:]}. {setup.candidates[int(f[1:]) - 1].name}"
    )
    return f"round {r}, PS {st}, {what}"


def report_pdf(rep: Report, by: str = "") -> bytes:
    at = dd.now_iso()
    digest = sha256(canonical(report_rows(rep)))
    sub = [
        f"Pass mark / उत्तीर्णांक: {rep.session.pass_mark} %   Rounds / चक्र: {', '.join(map(str, rep.session.rounds))}"
    ]
    pdf = _sheet(rep.setup, REPORT_TITLE, rep.session, "tr", digest, at, by, subtitle=sub)
    widths = [9, 40, 16, 16, 16, 16, 18, 20, 18, 18, 18, 18]
    fixed = [
        Column([(e, "B"), (h, "")], w, "L" if i == 1 else "R")
        for i, ((e, h), w) in enumerate(zip(REPORT_HEAD[:2], widths[:2], strict=True))
    ]
    data = [Column([(e, "B"), (h, "")], w) for (e, h), w in zip(REPORT_HEAD[2:], widths[2:], strict=True)]
    rows = [Row(r) for r in report_rows(rep)]
    pdf.add_page()
    pdf.set_y(pdf.body_top)
    grid(
        pdf,
        fixed,
        data,
        rows or [Row(["", "no trainee seated", *[""] * 10])],
        head_h=10,
        row_h=6,
        size=9,
        start_new_page=False,
    )
    pdf.set_y(pdf.get_y() + 2)
    pdf.para(
        "Right/Wrong/Blank: cells as finally entered; Fixed: wrong figures put right before the round was "
        "handed in; Faults: seeded faults caught; Table, Round: mean time per table and from first entry "
        "to the round submitted (min:s).",
        size=8,
    )
    if rep.often_wrong:
        pdf.need(20)
        pdf.para("Cells most often wrong / सबसे अधिक गलत प्रविष्टियाँ", size=11, style="B")
        for ck, n in rep.often_wrong:
            pdf.para(f"{cell_name(rep.setup, ck)}: {n} trainee(s)", size=9)
    for r in rep.ranked:
        missed = [f for f in r.score.faults if not f.caught]
        if missed:
            pdf.need(10)
            pdf.para(
                f"{r.username} missed: "
                + "; ".join(
                    f"{f.fault.kind.value} round {f.fault.round_no} PS {f.fault.station} ({f.how})"
                    for f in missed
                ),
                size=9,
            )
    return bytes(pdf.output())


# -- the certificate ---------------------------------------------------------------------------
def certificate_pdf(
    session: Session, setup: Setup, username: str, display_name: str, sc: tr.Score, by: str = ""
) -> bytes:
    at = dd.now_iso()
    digest = sha256(canonical([session.id, username, round(sc.percent, 1)]))
    pdf = _sheet(setup, CERT_TITLE, session, "tc", digest, at, by, orientation="P")
    pdf.add_page()
    pdf.set_y(pdf.body_top + 12)
    name = display_name or username
    first, last = session.rounds[0], session.rounds[-1]
    rounds = f"{first}-{last}" if last != first else f"{first}"
    ac = f"{setup.ac.number} – {setup.ac.name}"
    pdf.para(CERT_TITLE[0], size=20, style="B", align="C", h=10)
    pdf.para(CERT_TITLE[1], size=18, style="B", align="C", h=10)
    pdf.set_y(pdf.get_y() + 8)
    pdf.para(
        f"This is to certify that {name} ({username}) has completed the training in keying Form 17C "
        f"Part II in encore-tui (session {session.id}: rounds {rounds} of AC {ac}) with a score of "
        f"{sc.percent:.1f} % (pass mark {session.pass_mark} %): {sc.right} of {sc.cells} figures right, "
        f"{sc.caught} of {len(sc.faults)} faults caught.",
        size=12,
        h=7,
    )
    pdf.set_y(pdf.get_y() + 4)
    pdf.para(
        f"प्रमाणित किया जाता है कि {name} ({username}) ने encore-tui में प्ररूप 17ग भाग II की प्रविष्टि का "
        f"प्रशिक्षण (सत्र {session.id}: विधान सभा निर्वाचन क्षेत्र {ac} के चक्र {rounds}) "
        f"{sc.percent:.1f} प्रतिशत अंकों (उत्तीर्णांक {session.pass_mark} प्रतिशत) के साथ पूर्ण किया है।",
        size=12,
        h=7,
    )
    pdf.set_y(pdf.get_y() + 16)
    pdf.signature_blocks(
        [("Training officer", "प्रशिक्षण अधिकारी"), ("District Election Officer", "जिला निर्वाचन अधिकारी")]
    )
    return bytes(pdf.output())
