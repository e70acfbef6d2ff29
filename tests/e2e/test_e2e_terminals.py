"""End to end in a real terminal (tmux at 80×24), as the terminal draws it:

- in Hindi (`--lang hi`, xterm-256color), every footer and header is compared with the expected
  text cell by cell: tmux's cells, split the way tmux splits them (glibc wcwidth per character,
  a zero-width sign riding on the cell before it);
- on the Linux text console (TERM=linux), every glyph on the screen is one the console font
  has, and the colours (capture-pane -e) keep an error, a warning and a normal figure apart.
"""

from __future__ import annotations

import re

import pytest

from encore_tui.services.demo import make_demo
from encore_tui.widgets.console import CONSOLE_GLYPHS
from tests.conftest import require_tool
from tests.support.terminal import assert_cells, footer, pad, terminal_cells
from tests.support.tmux import Tmux
from tests.support.tmux import start_in as start

pytestmark = pytest.mark.slow


def col_of(line: str, needle: str) -> int:
    """The terminal column where `needle` starts in `line`."""
    return len(terminal_cells(line[: line.index(needle)]))


# -- Hindi -----------------------------------------------------------------------------------


def test_hindi_footers_and_headers_sit_cell_by_cell_at_80x24(tmp_path):
    tmux = require_tool("tmux")
    db = make_demo("bihar", fresh=True, rehearsal=False)
    t = Tmux(tmux, tmp_path / "home")
    try:
        start(t, "hi", db, "xterm-256color", "hi")
        screen = t.wait_for("hi", "f12 संदेश")  # the footer is drawn last
        assert_cells(screen.splitlines()[-1], footer(" ^q बंद  f1 मदद  f12 संदेश "))

        t.keys("hi", "operator", "Enter")
        t.wait_for("hi", "साइन इन के लिए Enter")
        t.keys("hi", "1111", "Enter")
        t.wait_for("hi", "मतगणना डैशबोर्ड")
        screen = t.wait_for("hi", "f9 साइन आउट")
        lines = screen.splitlines()
        assert_cells(lines[0], " AC 999 डेमो नगर (काल्पनिक) · मतगणना डैशबोर्ड · Demo Operator (ऑपरेटर)")
        header = next(ln for ln in lines if "स्थिति" in ln)
        columns = [("चक्र", 10), ("स्थिति", 12), ("टेबल", 6), ("अलग रखी", 11), ("आगे", 18), ("अंतर", 7)]
        assert_cells(header, "".join(" " + pad(label, w) + " " for label, w in columns))
        row = next(ln for ln in lines if ln.startswith(" चक्र 1 "))
        # each heading sits on the column of its figures
        assert col_of(header, "स्थिति") == col_of(row, "प्रारूप") == 13
        assert col_of(header, "टेबल") == col_of(row, "0/14") == 27
        assert col_of(header, "चक्र") == col_of(row, "चक्र 1") == 1
        postal = next(ln for ln in lines if ln.startswith(" डाक मतपत्र "))  # the whole word
        assert col_of(postal, "प्रारूप") == 13
        assert_cells(lines[-1], footer(" f6 रुझान  f5 ताज़ा करें  f9 साइन आउट  ^q बंद  f1 मदद  f12 संदेश "))

        t.keys("hi", "Down", "Enter")
        t.wait_for("hi", "चक्र 1/3")
        screen = t.wait_for("hi", "f7 कुल")
        lines = screen.splitlines()
        assert_cells(lines[0], " AC 999 डेमो नगर (काल्पनिक) · चक्र 1/3 · प्रारूप · Demo Operator")
        tables = "".join(pad(f"T{i} ", 7, right=True) + " " for i in range(1, 6))  # "T1 " + its mark
        totals = pad("चक्र", 7, right=True) + " " + pad("संचयी", 7, right=True) + " "
        assert_cells(lines[1], pad(" टेबल", 22) + tables + totals)
        stations = "".join(pad(str(i), 7, right=True) + " " for i in range(1, 6))
        assert_cells(lines[2], pad("▶मतदान केंद्र", 22) + stations)
        # a Hindi name, cut to its 12 cells, keeps the party column where a Latin name puts it
        assert_cells(
            lines[3], pad("  1 रमेश कुमार याद JVP", 62) + pad("0", 7, right=True) + pad("0", 8, right=True)
        )
        assert_cells(
            lines[10], pad("  8 रेखा कुशवाहा   IND", 62) + pad("0", 7, right=True) + pad("0", 8, right=True)
        )
        assert [ln.strip() for ln in lines[13:16]] == ["योग", "17C भाग I", "अंतर"]
        assert_cells(
            lines[-1], footer(" f2 अलग रखें  f3 17C मानें  f5 जमा  f6 रुझान  f7 कुल  ^q बंद  f1 मदद  f12 संदेश ")
        )

        t.keys("hi", "F1")
        screen = t.wait_for("hi", "कुंजियाँ")
        box = [ln for ln in screen.splitlines() if "┃" in ln or "┓" in ln or "┛" in ln]
        assert len(box) > 10
        # the help box keeps its right border: the same cell on every line, under the corner
        ends = {len(terminal_cells(ln.rstrip())) for ln in box}
        assert ends == {78}, ends
        ids = [ln for ln in box if "grid.up" in ln or "round.keep_aside" in ln]
        assert len({col_of(ln, "grid.up" if "grid.up" in ln else "round.keep_aside") for ln in ids}) == 1
    finally:
        t.kill_server()


# -- the Linux text console ------------------------------------------------------------------

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def styled_cells(line: str) -> list[tuple[str, str]]:
    """(character, foreground SGR code) for each character of a `capture-pane -e` line."""
    out: list[tuple[str, str]] = []
    fg = "39"
    pos = 0
    for m in SGR.finditer(line + "\x1b[m"):
        out += [(ch, fg) for ch in line[pos : m.start()]]
        pos = m.end()
        codes = m.group(1).split(";") if m.group(1) else ["0"]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c in ("0", "39"):
                fg = "39"
            elif c in ("38",):
                fg = ";".join(codes[i : i + (3 if codes[i + 1] == "5" else 5)])
                i += 2 if codes[i + 1] == "5" else 4
            elif re.fullmatch(r"3[0-7]|9[0-7]", c):
                fg = c
            i += 1
    return out


def colour_of(line: str, needle: str) -> str:
    cells = styled_cells(line)
    text = "".join(ch for ch, _ in cells)
    at = text.index(needle)
    colours = {fg for _, fg in cells[at : at + len(needle)]}
    assert len(colours) == 1, (needle, colours)
    return colours.pop()


def test_linux_console_glyphs_and_colours(tmp_path):
    tmux = require_tool("tmux")
    db = make_demo("gummidipoondi", fresh=True, rehearsal=False)
    t = Tmux(tmux, tmp_path / "home")
    try:
        start(t, "con", db, "linux")
        t.wait_for("con", "Type your user name")
        t.keys("con", "operator", "Enter")
        t.wait_for("con", "Type your PIN")
        t.keys("con", "1111", "Enter")
        t.wait_for("con", "Counting dashboard")
        t.keys("con", "Down", "Enter")
        t.wait_for("con", "Round 1/29")
        # table 1: sum 13 against a CU total of 3 (E101); table 2: consistent, but 13 against
        # the 17C Part I total (W201)
        for table_total in ("3", "13"):
            for _ in range(13):
                t.keys("con", "1", "Enter")
            t.keys("con", table_total, "Enter")
        screen = t.wait_for("con", "W201")
        styled = t.run("capture-pane", "-p", "-e", "-t", "con").splitlines()

        # every glyph on the screen is one the console font has
        shown = {ch for ln in screen.splitlines() for ch in ln}
        assert shown <= CONSOLE_GLYPHS, sorted(shown - CONSOLE_GLYPHS)
        assert "┏" not in screen and "…" not in screen

        header = next(ln for ln in styled if "T1" in ln and "Cumul." in ln)
        error, warning = colour_of(header, "E101"), colour_of(header, "W201")
        figures = next(ln for ln in styled if "Total (CU)" in ln)
        normal = styled_cells(figures)[-3][1]  # the Cumul. figure, right-aligned
        assert len({error, warning, normal}) == 3, (error, warning, normal)
        assert error == "91" and warning == "93"  # the console's bright red and bright yellow
    finally:
        t.kill_server()
