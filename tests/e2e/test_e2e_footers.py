"""Every screen's footer fits 80 columns, in English and in Hindi (issue 16): tmux at 80×24
(xterm-256color) runs the app on the Gummidipoondi store (round 1 submitted, so the RO has it to
review); on each screen the last line is compared with the expected footer cell by cell, the
terminal's cells (glibc wcwidth). A key that does not fit is left out whole (widgets/footer.py),
never cut: "^q Qui", "f12 M" or "^o Sca" fail here.
"""

from __future__ import annotations

import time

import pytest

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.services import Actor, form17c
from encore_tui.services.counting import import_results
from encore_tui.services.demo import DEMO_ACCOUNTS
from encore_tui.services.importing import read_form20_dir
from encore_tui.store import open_store
from tests.conftest import ADMIN, GUMMIDIPOONDI, require_tool
from tests.support.terminal import assert_cells, footer
from tests.support.tmux import Tmux, start_in

pytestmark = pytest.mark.slow
S = "foot"
PALETTE = {"en": "▏^p Commands ", "hi": "▏^p आदेश "}

# (keys to press, a landmark to wait for, the footer's keys in English, in Hindi)
WALK = [
    (
        (),
        ("Type your user name", "उपयोगकर्ता नाम"),
        " ^q Quit  f1 Help  f12 Messages ",
        " ^q बंद  f1 मदद  f12 संदेश ",
    ),
    (("operator", "Enter"), ("Type your PIN", "अपना पिन लिखें"), None, None),
    (
        ("1111", "Enter"),
        ("Counting dashboard", "मतगणना डैशबोर्ड"),
        " f6 Trends  f5 Refresh  f9 Sign out  ^q Quit  f1 Help ",
        " f6 रुझान  f5 ताज़ा करें  f9 साइन आउट  ^q बंद  f1 मदद  f12 संदेश ",
    ),
    (
        ("Home", "Enter"),
        ("Postal ·", "डाक मतपत्र ·"),
        " f5 Submit  f6 Trends  f7 Totals  ^o Scans  ^q Quit  f1 Help ",
        " f5 जमा  f6 रुझान  f7 कुल  ^o स्कैन  ^q बंद  f1 मदद  f12 संदेश ",
    ),
    (
        ("C-o",),
        ("Form 13A/13B", "प्रपत्र 13A/13B"),
        " f2 Attach  esc Back  ^q Quit  f1 Help  f12 Messages ",
        " f2 जोड़ें  esc वापस  ^q बंद  f1 मदद  f12 संदेश ",
    ),
    (
        ("Escape", "Escape", "Down", "Down", "Enter"),
        ("Round 2/29", "चक्र 2/29"),
        " f2 Keep aside  f3 Ack 17C  f5 Submit  f7 Totals  f1 Help ",
        " f2 अलग रखें  f3 17C मानें  f5 जमा  f6 रुझान  f7 कुल  ^q बंद  f1 मदद  f12 संदेश ",
    ),
    (
        ("F6",),
        ("Cumulative votes", "संचयी मत"),
        " esc Back  ^q Quit  f1 Help  f12 Messages ",
        " esc वापस  ^q बंद  f1 मदद  f12 संदेश ",
    ),
    (
        ("Escape", "Escape", "F7"),
        ("17C", "17C"),
        " f5 Refresh  ^q Quit  f1 Help  f12 Messages ",
        " f5 ताज़ा करें  ^q बंद  f1 मदद  f12 संदेश ",
    ),
    (("Escape", "F9"), ("Type your user name", "उपयोगकर्ता नाम"), None, None),
    (("ro", "Enter"), ("Type your PIN", "अपना पिन लिखें"), None, None),
    (
        ("2222", "Enter"),
        ("RO review", "निर्वाचन अधिकारी समीक्षा"),
        " f2 Dashboard  f3 VVPAT  f4 Result  f9 Sign out  f1 Help ",
        " f2 डैशबोर्ड  f5 ताज़ा करें  f3 VVPAT  f4 परिणाम  f9 साइन आउट  f1 मदद ",
    ),
    (
        ("Enter",),
        ("Round 1/29 ·", "चक्र 1/29 ·"),
        " f2 Approve  f3 Return  f5 Spot  f6 Double  f10 Report  f1 Help ",
        " f2 स्वीकृत करें  f3 लौटाएँ  f5 जाँच  f6 दोहरी  f10 रिपोर्ट  ^q बंद  f1 मदद ",
    ),
    (
        ("Escape", "F3"),
        ("VVPAT", "VVPAT"),
        "f2 Draw f3 56D f4 Slips f8 Close ^q Quit f1 Help f12 Messages",
        "f2 लॉटरी f3 56D f4 पर्चियाँ f7 चक्र f8 बंद करें ^q बंद f1 मदद f12 संदेश",
    ),
    (
        ("Escape", "F4"),
        ("Form 20", "प्रपत्र 20"),
        "f2 Recount f3 Sign F20 f5 Declare f8 Print ^o Scans f1 Help",
        "f2 पुनर्गणना f3 F20 हस्ताक्षर f5 घोषित करें f8 छापें ^o स्कैन ^q बंद f1 मदद",
    ),
    (
        ("C-o",),
        ("21C", "21C"),
        " f2 Attach  esc Back  ^q Quit  f1 Help  f12 Messages ",
        " f2 जोड़ें  esc वापस  ^q बंद  f1 मदद  f12 संदेश ",
    ),
]


def last_line(t: Tmux, want: str, timeout: float = 15) -> str:
    """The screen's last line once it shows `want` (the footer is drawn last, and redrawn when
    the screen's keys change), or as it is after `timeout` (a wait, not a timing assertion)."""
    end = time.monotonic() + timeout
    while True:
        last = t.text(S).splitlines()[-1]
        if last.rstrip() == want.rstrip() or time.monotonic() > end:
            return last
        time.sleep(0.1)


@pytest.fixture(scope="module")
def store_with_round_1_submitted(tmp_path_factory):
    db = tmp_path_factory.mktemp("footers") / "day.db"
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(db)
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    for username, role, pin, display in DEMO_ACCOUNTS:
        services.add_user(store, username, role, pin, display)
    form17c.import_form17c(store, ac_id, imp.form17c, ADMIN)
    import_results(store, ac_id, imp.station_values, imp.postal_values, ADMIN)
    services.submit_round(store, ac_id, 1, Actor("operator", Role.OPERATOR, "Demo Operator"))
    store.engine.dispose()
    return db


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_every_footer_fits_80_columns_cell_by_cell(tmp_path, lang, store_with_round_1_submitted):
    tmux = require_tool("tmux")
    t = Tmux(tmux, tmp_path / "home")
    i = 0 if lang == "en" else 1
    try:
        start_in(t, S, store_with_round_1_submitted, "xterm-256color", lang)
        for keys, landmarks, en, hi in WALK:
            if keys:
                t.keys(S, *keys)
            t.wait_for(S, landmarks[i])
            if en is None:  # a step on the way (sign-in, typed in two steps)
                continue
            want = footer(en if lang == "en" else hi, PALETTE[lang])
            assert_cells(last_line(t, want), want)
    finally:
        t.kill_server()
