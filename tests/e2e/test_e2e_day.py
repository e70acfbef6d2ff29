"""The whole counting day in the app (issue 16), in a real terminal: tmux at 80×24 runs
`python -m encore_tui --db FILE` on the Gummidipoondi rehearsal store (every official figure
already entered, as `encore demo --rehearsal` makes it; 29 rounds). Operator and RO take turns
in the one window (a SQLite store admits one), and nothing is done at a console:

operator: postal round, Form 13A scan attached from the scans folder (Ctrl+O, F2), submitted;
every EVM round opened and submitted (F5) · RO: approves the postal round and every round (the
first three after the blind spot check, re-keyed from the paper), prints a round sheet (F8) ·
RO: VVPAT draw, the five slip counts, closed · RO: Form 20 signed, result declared, Form 20,
21C, 21E and 22 printed (F8), the signed Form 22 and Form 20 scans attached.

What the screens said is checked on the screen (capture-pane); what was decided, in the store.
The same day is run in English and in Hindi (`--lang hi`): the steps are shared, and in Hindi
each wait looks for the Hindi text (`HINDI`, written out here, not taken from the app's table).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fpdf import FPDF

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.services import Actor, form17c, ro, ro_result
from encore_tui.services.counting import import_results
from encore_tui.services.demo import DEMO_ACCOUNTS
from encore_tui.services.importing import read_form20_dir
from encore_tui.store import open_store
from encore_tui.widgets.console import to_console
from tests.conftest import ADMIN, GUMMIDIPOONDI, require_tool
from tests.support.scans import png_bytes
from tests.support.tmux import Tmux

pytestmark = pytest.mark.slow
S = "day"

# What the Hindi screens say where the English ones say the key (a template: {r}, {n}, {s}…)
HINDI = {
    "Type your user name": "अपना उपयोगकर्ता नाम लिखें",
    "Type your PIN": "अपना पिन लिखें",
    "Counting dashboard": "मतगणना डैशबोर्ड",
    "Postal · draft": "डाक मतपत्र · प्रारूप",
    "scanned Form 13A/13B": "स्कैन किए प्रपत्र 13A/13B",
    "Attach a scan of which form?": "किस प्रपत्र का स्कैन जोड़ें?",
    "form13a-bundle.pdf attached": "form13a-bundle.pdf संलग्न",
    "page 1/1": "पृष्ठ 1/1",
    "Attach  esc Back": "जोड़ें  esc वापस",
    "Hand Postal to the RO?": "डाक मतपत्र निर्वाचन अधिकारी को सौंपें?",
    "Postal submitted to the RO": "डाक मतपत्र निर्वाचन अधिकारी को जमा",
    "Round {r}/{last}": "चक्र {r}/{last}",
    "Hand Round {r} to the RO?": "चक्र {r} निर्वाचन अधिकारी को सौंपें?",
    "Round {r} submitted to the RO": "चक्र {r} निर्वाचन अधिकारी को जमा",
    "RO review": "निर्वाचन अधिकारी समीक्षा",
    "Postal ·": "डाक मतपत्र ·",
    "Round {r}/{last} ·": "चक्र {r}/{last} ·",
    "Blind spot check": "बिना देखे जाँच",
    "1/{n} · table": "1/{n} · टेबल",
    "Keep entered": "दर्ज रखें",
    "(Round 1 sheet, ": "(चक्र 1 की शीट, ",
    "your PIN": "आपका पिन",
    "Postal approved by ro": "डाक मतपत्र ro द्वारा स्वीकृत",
    "Round {r} approved by ro": "चक्र {r} ro द्वारा स्वीकृत",
    "Draw": "अभी कोई लॉटरी दर्ज नहीं",  # the VVPAT screen (the review queue may say "लॉटरी" too)
    "Station drawn 1": "निकाला गया मतदान केंद्र 1",
    "drawn by lot. F4": "लॉटरी से निकले। F4",
    "PS {s}: VVPAT slips": "मतदान केंद्र {s}: उम्मीदवारवार VVPAT पर्चियाँ",
    "PS {s}: match — the slips agree with the EVM": "मतदान केंद्र {s}: मेल — पर्चियाँ EVM से मेल खाती हैं",
    "Close VVPAT verification": "VVPAT सत्यापन बंद करें",
    "VVPAT verification closed (": "VVPAT सत्यापन बंद (",  # not the dialog's "… बंद करें"
    "Result (Form 20)": "परिणाम (प्रपत्र 20)",
    "Sign Form 20": "ऊपर के अंक अंतिम हैं",  # the dialog (E117 also says "प्रपत्र 20 पर हस्ताक्षर")
    "Form 20 signed": "प्रपत्र 20 पर हस्ताक्षर (sha256",
    "Place of the declaration": "घोषणा का स्थान",
    "Place: {place}": "स्थान: {place}",
    "DECLARED": "मतों से निर्वाचित",  # "घोषित" alone is on the declaration's own dialog
    "Form 21E (return of election)": "प्रपत्र 21E (निर्वाचन की विवरणी)",
    "({name}, ": "({name}, ",
    "Form 20": "प्रपत्र 20",
    "Form 21C": "प्रपत्र 21C",
    "Form 21E": "प्रपत्र 21E",
    "Form 22": "प्रपत्र 22",
    "NOT printed": "नहीं छपा",
    "Form 22 scan form22-signed.png attached": "प्रपत्र 22 स्कैन form22-signed.png संलग्न",
    "signed Form 20 / 21C / 22": "हस्ताक्षरित प्रपत्र 20 / 21C / 22",
    "form20-signed.png attached": "form20-signed.png संलग्न",
}


def scan_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=24)
    pdf.cell(text=text)
    return bytes(pdf.output())


def wait_file(folder: Path, pattern: str, timeout: float = 60) -> Path:
    """Wait until the PDF is written (a wait, not a timing assertion)."""
    end = time.monotonic() + timeout
    while not (found := sorted(folder.glob(pattern))):
        if time.monotonic() > end:
            pytest.fail(f"no {pattern} in {folder}")
        time.sleep(0.1)
    return found[0]


class Day:
    def __init__(self, t: Tmux, lang: str) -> None:
        self.t, self.lang = t, lang

    def keys(self, *keys: str) -> None:
        self.t.keys(S, *keys)

    def say(self, text: str, **fields: object) -> str:
        """What the screen says for `text` in the day's language (as the console draws it)."""
        said = HINDI[text] if self.lang == "hi" else text
        return to_console(said.format(**fields) if fields else said)

    def wait(self, text: str, timeout: float = 60, **fields: object) -> str:
        return self.t.wait_for(S, self.say(text, **fields), timeout)

    def sign_in(self, user: str, pin: str) -> None:
        self.wait("Type your user name")
        self.keys(user, "Enter")
        self.wait("Type your PIN")
        self.keys(pin, "Enter")

    def sign_out(self) -> None:
        self.keys("F9")
        self.wait("Type your user name")


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_whole_counting_day_is_done_in_the_app_at_80x24(tmp_path, lang):
    tmux = require_tool("tmux")
    require_tool("pdftoppm")
    home = tmp_path / "home"
    (home / "scans").mkdir(parents=True)  # the default scans folder: <data dir>/scans
    db = tmp_path / "day.db"
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(db)
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    for username, role, pin, display in DEMO_ACCOUNTS:
        services.add_user(store, username, role, pin, display)
    form17c.import_form17c(store, ac_id, imp.form17c, ADMIN)  # rehearsal: Part I from Form 20
    import_results(store, ac_id, imp.station_values, imp.postal_values, ADMIN)
    ctx = services.load_context(store, ac_id)
    last = ctx.last_round
    assert last == 29
    ro_user = Actor("ro", Role.RO, "Demo Returning Officer")
    scans = home / "scans"
    (scans / "form13a-bundle.pdf").write_bytes(scan_pdf("Form 13A declarations, postal table 1"))

    t = Tmux(tmux, home)
    d = Day(t, lang)
    try:
        t.start(S, db, lang)
        # -- the operator: the postal round with its scan, then every round it may submit --------
        d.sign_in("operator", "1111")
        d.wait("Counting dashboard")
        d.keys("Enter")  # the cursor starts on the first round to type: the postal round
        d.wait("Postal · draft")
        d.keys("C-o")
        d.wait("scanned Form 13A/13B")
        d.keys("F2")
        d.wait("Attach a scan of which form?")
        d.keys("Enter")
        t.wait_for(S, "form13a-bundle.pdf")
        d.keys("Enter")
        screen = d.wait("form13a-bundle.pdf attached")
        d.keys("Enter")  # view it: drawn with half blocks
        screen = d.wait("page 1/1")
        assert "▀" in screen
        d.keys("Escape")
        d.wait("Attach  esc Back")
        d.keys("Escape")
        d.wait("Postal · draft")
        d.keys("F5")
        d.wait("Hand Postal to the RO?")
        d.keys("Enter")
        d.wait("Postal submitted to the RO")

        def submit(r: int) -> None:  # Enter opens the round the cursor is on: the next to submit
            d.keys("Enter")
            d.wait("Round {r}/{last}", r=r, last=last)
            d.keys("F5")
            d.wait("Hand Round {r} to the RO?", r=r)
            d.keys("Enter")
            d.wait("Round {r} submitted to the RO", r=r)

        for r in range(1, last - 1):  # rounds 28-29 wait for the postal approval (E108)
            submit(r)
        d.sign_out()

        # -- the RO: the postal round, then the rounds in order (spot check on the first three) --
        d.sign_in("ro", "2222")
        d.wait("RO review")

        def approve(r: int) -> None:
            d.keys("Enter")
            d.wait("Postal ·" if r == 0 else "Round {r}/{last} ·", r=r, last=last)
            if 1 <= r <= 3:
                d.keys("F5")
                d.wait("Blind spot check")
                sheet = ro.blind_sheet(store, ac_id, r, "spot", ro_user)
                d.wait("1/{n} · table", n=len(sheet.prompts))
                for p in sheet.prompts:  # typed from the paper, in one burst
                    d.keys(str(imp.station_values[p.station][p.field]), "Enter")
                d.wait("Keep entered")
                d.keys("Escape")
                d.wait("Round {r}/{last}", r=r, last=last)
            if r == 1:
                d.keys("F8")  # the round sheet, from the review
                d.wait("(Round 1 sheet, ")
            d.keys("F2")
            d.wait("your PIN")
            d.keys("2222", "Enter")
            d.wait("Postal approved by ro" if r == 0 else "Round {r} approved by ro", r=r)

        for r in range(0, last - 1):
            approve(r)
        d.sign_out()
        d.sign_in("operator", "1111")
        d.wait("Counting dashboard")
        for r in (last - 1, last):
            submit(r)
        d.sign_out()
        d.sign_in("ro", "2222")
        d.wait("RO review")
        for r in (last - 1, last):
            approve(r)

        # -- VVPAT: the draw of lots, five slip counts, closed ------------------------------------
        drawn = [s.number for s in imp.setup.stations][10:15]
        d.keys("F3")
        d.wait("Draw")
        d.keys("F2")
        d.wait("Station drawn 1")
        for s in drawn:
            d.keys(s, "Enter")
        d.keys("Agent of DMK, in front of all", "Enter", "Observer", "Enter")
        d.wait("drawn by lot. F4")
        for i, s in enumerate(drawn):
            if i:
                d.keys("Down")
            d.keys("F4")
            d.wait("PS {s}: VVPAT slips", s=s)
            official = imp.station_values[s]
            for f in [c.field for c in imp.setup.candidates] + ["nota"]:
                d.keys(str(official[f]), "Enter")
            d.wait("PS {s}: match — the slips agree with the EVM", s=s)  # TERM=linux: — as -
        d.keys("F8")
        d.wait("Close VVPAT verification")
        d.keys("Enter")
        d.wait("VVPAT verification closed (")
        d.keys("Escape")

        # -- the result: Form 20 signed, declared, every form printed, the signed scans ------------
        d.keys("F4")
        d.wait("Result (Form 20)")
        d.keys("F3")
        d.wait("Sign Form 20")
        d.keys("2222", "Enter")
        d.wait("Form 20 signed")
        d.keys("F5")
        d.wait("Place of the declaration")
        d.keys("Gummidipoondi counting centre", "Enter")
        d.wait("Place: {place}", place="Gummidipoondi counting centre")
        d.keys("2222", "Enter")
        d.wait("DECLARED")
        prints = home / "prints"
        documents = {"form20": "Form 20", "form21c": "Form 21C", "form21e": "Form 21E", "form22": "Form 22"}
        for n, (what, name) in enumerate(documents.items(), start=1):
            d.keys("F8")
            d.wait("Form 21E (return of election)")
            d.keys(str(n))
            wait_file(prints, f"*-{what}-*.pdf")
            screen = d.wait("({name}, ", name=d.say(name))  # "Saved /…/ac1-form20-….pdf (Form 20, 32 pages)"
            assert d.say("NOT printed") not in screen
        (scans / "form22-signed.png").write_bytes(png_bytes())
        os.utime(scans / "form22-signed.png")  # the newest file: the scanner just wrote it
        d.keys("F6")
        t.wait_for(S, "form22-signed.png")
        d.keys("Enter")
        d.wait("Form 22 scan form22-signed.png attached")
        (scans / "form20-signed.png").write_bytes(png_bytes((0, 0, 0), (255, 255, 255)))
        later = time.time() + 5
        os.utime(scans / "form20-signed.png", (later, later))  # the scanner's newest file
        d.keys("C-o")
        d.wait("signed Form 20 / 21C / 22")
        d.keys("F2")
        d.wait("Attach a scan of which form?")
        d.keys("Enter")  # Form 20 (signed)
        t.wait_for(S, "form20-signed.png")
        d.keys("Enter")  # the newest scan (a typed path works too: tests/test_day_scans.py)
        d.wait("form20-signed.png attached")
        t.keys(S, "C-q")
    finally:
        t.kill_server()

    # -- the store: decided, attached, journaled --------------------------------------------------
    st = ro_result.result_status(store, ac_id)
    assert st.declaration is not None and st.form20_signed is not None
    assert st.declaration.winner_serial == 1  # GOVINDARAJAN T.J (DMK), as in the official Form 20
    got = sorted((a.purpose, a.filename) for a in ro_result.list_attachments(store, ac_id))
    assert got == [
        ("form13a", "form13a-bundle.pdf"),
        ("form20", "form20-signed.png"),
        ("form22", "form22-signed.png"),
    ]
    prints = sorted(p.name for p in (home / "prints").glob("*.pdf"))
    for what in ("round-r1", "form20", "form21c", "form21e", "form22"):
        assert any(f"-{what}-" in p for p in prints), prints
    assert all(i.status.is_approved for i in services.dashboard(store, ac_id).rounds.values())
    rep = services.verify_journal(store, ac_id)
    assert rep.ok, str(rep)
    store.engine.dispose()
    assert Path(db).exists()
