"""Under `--lang hi` no English reaches a screen: every screen of the operator and the RO is
opened with Pilot on the bilingual Bihar demo AC, its visible text (the rendered lines of the
screen, as the terminal gets them) is collected, and every Latin word in it must be a name
of a person or party, a code (E101, PS, CU, NOTA…) or a key (f5, Enter…) — `ALLOWED`.
Candidate names follow the setup's Hindi names (`name_hi`).
"""

from __future__ import annotations

import re

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.base.i18n import set_lang
from encore_tui.domain.rounds import Role
from encore_tui.screens.round_entry import open_round
from encore_tui.services import Actor, ro
from encore_tui.services.demo import DEMO_ACCOUNTS, make_demo
from encore_tui.store import open_store
from tests.conftest import OPERATOR
from tests.support.scans import png_bytes

SIZE = (80, 24)

# Codes, units and keys: the same in every language (as on the printed forms and the keyboard)
CODES = {
    "AC", "PS", "CU", "BU", "NOTA", "EVM", "VVPAT", "RO", "ARO", "PIN", "PDF", "SHA", "ETPBS",
    "17C", "13A", "13B", "Form", "T", "P", "r", "ok", "KA", "ack", "id",
    "Enter", "Esc", "Tab", "Ctrl", "Shift", "Home", "End", "PgUp", "PgDn", "Del", "Backspace",
    "enter", "escape", "tab", "ctrl", "shift", "home", "end", "up", "down", "left", "right",
    "backspace", "delete", "pageup", "pagedown", "q", "p", "esc", "pgdn", "pgup",
    "sha256", "ALL", "y", "n",  # "ALL": typed for a full recount; y/n: typed in a yes/no field
}  # fmt: skip
HASH = re.compile(r"^[0-9a-f]{8,64}$")  # a scan's sha256, shown in part
# F5, E101, W201, T3, P1, and a single capital: an initial, or a code cut at a box's edge
KEY = re.compile(r"^(?:[fF]\d{1,2}|[EW]\d{3}|[A-Z]\d+|\d+[A-Z]?|[A-Z])$")


def allowed_words(setup) -> set[str]:
    """Codes, keys, binding ids (what the config file's [keys] names), and proper names: of
    people (candidates, users), parties, places (polling stations, the AC) and the program."""
    from encore_tui.app import EncoreApp
    from encore_tui.screens import dashboard, round_entry
    from encore_tui.screens.ro import home, result, review, vvpat
    from encore_tui.widgets.tally_grid import TallyGrid

    names = set(CODES) | {"encore", "tui", "keys"}  # "keys": the config file's [keys], as written
    proper = [f"{c.name} {c.party}" for c in setup.candidates]
    proper += [s.name for s in setup.stations] + [setup.ac.name]
    proper += [f"{u} {display}" for u, _role, _pin, display in DEMO_ACCOUNTS]
    names.add(OPERATOR.username)  # who typed the figures (shown as "last change by")
    for text in proper:
        for word in re.findall(r"[A-Za-z]+", text):
            names |= {word[:n] for n in range(1, len(word) + 1)}  # names cut at a column edge
    screens = [dashboard.DashboardScreen, round_entry.RoundScreen, home.RoHomeScreen, review.RoReviewScreen]
    from encore_tui.screens.blind import BlindEntryScreen, BlindResultScreen
    from encore_tui.screens.scans import ScansScreen, ScanViewer

    more = (BlindEntryScreen, BlindResultScreen, ScansScreen, ScanViewer)
    for cls in (EncoreApp, TallyGrid, vvpat.VvpatScreen, result.ResultScreen, *more, *screens):
        names |= {b.id for b in cls.BINDINGS if b.id}
    return names


def screen_text(app) -> str:
    """What the terminal is sent for the whole screen, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def english(text: str, allowed: set[str]) -> list[str]:
    words = re.findall(r"(?<![0-9A-Za-z])[A-Za-z][A-Za-z0-9._]*", text)
    words = [w.rstrip(".") for w in words]
    return sorted({w for w in words if w not in allowed and not KEY.match(w) and not HASH.match(w)})


@pytest.fixture
def bihar(tmp_path):
    db = make_demo("bihar", fresh=True, rehearsal=False)
    store = open_store(db)
    ac_id = services.list_acs(store)[0].ac_id
    ctx = services.load_context(store, ac_id)
    # round 1 typed and submitted, and given to "operator" to key blind (double entry)
    for station in ctx.tables_of(1):
        total = ctx.setup.station(station).form17c_total  # adds up and matches 17C Part I
        fields = ctx.fields_of(1)[:-1]  # c1..c8, nota
        values = {f: 1 for f in fields} | {"c1": total - (len(fields) - 1), "total": total}
        for f, v in values.items():
            services.enter_cell(store, ac_id, 1, station, f, v, OPERATOR)
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.open_double_entry(store, ac_id, 1, "operator", Actor("ro", Role.RO, "Demo Returning Officer"))
    # round 2 (the penultimate: E108 until the postal result is approved): two tables, one
    # whose figures do not add up (E101)
    for station in ctx.tables_of(2)[:2]:
        for i, f in enumerate(ctx.fields_of(2)[:-1]):
            services.enter_cell(store, ac_id, 2, station, f, 10 + i, OPERATOR)
    services.enter_cell(store, ac_id, 2, ctx.tables_of(2)[0], "total", 7, OPERATOR)
    # the postal round, submitted: the RO has it to review (and no scan attached: E116)
    postal = {f: 2 for f in ctx.fields_of(0)}
    postal["total"] = sum(v for f, v in postal.items() if f != "total")
    for station in ctx.tables_of(0):
        for f, v in postal.items():
            services.enter_cell(store, ac_id, 0, station, f, v, OPERATOR)
    services.submit_round(store, ac_id, 0, OPERATOR)
    yield store, ac_id, ctx.setup
    store.close()
    set_lang("en")


def bihar_scans(store):
    """The scanner's folder, with one scan of the postal Form 13A in it."""
    from pathlib import Path

    folder = Path(store.engine.url.database).parent / "scans"
    folder.mkdir(exist_ok=True)
    (folder / "form13a-table1.png").write_bytes(png_bytes())
    return folder


async def collect(pilot, seen: dict[str, str], name: str) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    seen[name] = screen_text(pilot.app)


def queue_row(round_no: int):
    """On the RO's review queue: the cursor to `round_no` (Enter then opens it)."""

    def move(app) -> None:
        table = app.screen.query_one("#queue")
        table.move_cursor(row=[rk.value for rk in table.rows].index(str(round_no)))

    return move


def idle_lock(app) -> None:
    app.last_input -= 3600  # an hour idle: the screen locks
    app.settings.idle_lock_minutes = 5
    app.check_idle_lock()


# The walk: keys to press (or a call on the app), then the name the screen is collected under
# (None: nothing to collect, the next step follows)
WALK = [
    ((), "sign-in"),
    ((*"operator", "enter"), "sign-in PIN"),
    ((*"1111", "enter"), "dashboard"),
    (("f1",), "dashboard F1"),
    (("escape", "f12"), "messages F12"),
    (("escape", "f6"), "trends"),
    (("escape",), None),
    (lambda app: open_round(app.screen, 2), "round 2"),
    (("f1",), "round 2 F1"),
    (("escape", "f2"), "keep aside"),
    (("escape", "escape"), None),
    (lambda app: open_round(app.screen, 0), "postal"),
    (("escape", "f4"), "double entry (blind)"),
    (("escape",), None),
    (("ctrl+p",), "command palette"),
    (("escape",), None),
    (lambda app: app.sign_out(), None),
    ((*"ro", "enter", *"2222", "enter"), "RO home"),
    (("f1",), "RO home F1"),
    (("escape", "enter"), "RO review (postal)"),
    (("f1",), "RO review F1"),
    (("escape", "f10"), "RO review report"),
    (("f10", "ctrl+o"), "scans"),
    (("f2",), "scan: which form"),
    (("enter",), "scan picker"),
    (("enter",), "scan attached"),
    (("enter",), "scan viewer"),
    (("escape", "escape", "f2"), "PIN dialog"),
    ((*"9999", "enter"), "wrong PIN"),
    (("escape",), None),
    (queue_row(1), None),
    (("enter",), "RO review (round 1)"),
    (("f3",), "return form"),
    (("escape", "f6"), "blind comparison"),
    (("escape", "escape"), None),
    (("f3",), "VVPAT"),
    (("f2",), "VVPAT draw form"),
    ((*"99", "enter", *"98", "enter", *"97", "enter", *"96", "enter", *"95", "enter"), None),
    ((*"12", "enter", *"34", "enter"), "VVPAT draw refused"),
    (("escape", "f3"), "Rule 56D form"),
    (("escape", "escape"), None),
    (("f4",), "result"),
    (("f2",), "recount form"),
    (("escape", "f3"), "sign refused"),
    (idle_lock, "idle lock"),
]


async def test_no_english_on_any_screen_in_hindi(bihar):
    store, ac_id, setup = bihar
    seen: dict[str, str] = {}
    store_dir = bihar_scans(store)
    app = EncoreApp(store, Settings(lang="hi", scans_dir=str(store_dir)))
    async with app.run_test(size=SIZE) as pilot:
        for step, name in WALK:
            if callable(step):
                step(app)
            else:
                await pilot.press(*step)
            if name is None:
                await pilot.pause()
            else:
                await collect(pilot, seen, name)
    # the walk reached every screen it names (a landmark of each, in Hindi)
    landmarks = {
        "sign-in": "उपयोगकर्ता नाम",
        "dashboard": "मतगणना डैशबोर्ड",
        "dashboard F1": "कुंजियाँ",
        "messages F12": "नवीनतम पहले",
        "trends": "रुझान",
        "round 2": "E101",
        "round 2 F1": "ग्रिड (0-9 से अंक लिखें)",
        "keep aside": "अन्य कारण",
        "postal": "डाक कुल",
        "double entry (blind)": "रमेश कुमार यादव",
        "command palette": "आदेश खोजें",
        "RO home": "निर्वाचन अधिकारी समीक्षा",
        "RO review (postal)": "E116",
        "RO review report": "स्वीकृति रोकने वाली जाँचें",
        "VVPAT": "अभी कोई लॉटरी दर्ज नहीं",
        "result": "अभी घोषित नहीं हो सकता",
        "idle lock": "मिनट निष्क्रिय",
        "scans": "स्कैन किए प्रपत्र 13A/13B",
        "scan: which form": "किस प्रपत्र का स्कैन",
        "scan picker": "form13a-table1.png",
        "scan attached": "संलग्न",
        "scan viewer": "पृष्ठ 1/1",
        "PIN dialog": "पिन",
        "wrong PIN": "सहेजा नहीं गया",
        "return form": "टिप्पणी",
        "blind comparison": "दोहरी प्रविष्टि",
        "VVPAT draw form": "लॉटरी",
        "VVPAT draw refused": "सत्यापन अंतिम EVM चक्र के बाद",
        "recount form": "आवेदक",
        "Rule 56D form": "नियम 56D आवेदन",
        "sign refused": "प्रपत्र 20",
    }
    missed = {name: mark for name, mark in landmarks.items() if mark not in seen[name]}
    assert not missed, "\n".join(f"{name}: {mark!r} not on\n{seen[name]}" for name, mark in missed.items())
    allowed = allowed_words(setup)
    # the scanner's folder and the scan's file name: paths, as the file system spells them
    allowed |= set(re.findall(r"[A-Za-z][A-Za-z0-9._]*", f"{store_dir} form13a-table1.png"))
    found = {name: english(text, allowed) for name, text in seen.items()}
    found = {name: words for name, words in found.items() if words}
    report = {
        name: [ln for ln in seen[name].splitlines() if any(w in ln for w in found[name])] for name in found
    }
    assert not found, "\n".join(
        f"{name}: {words}\n  " + "\n  ".join(report[name]) for name, words in found.items()
    )
