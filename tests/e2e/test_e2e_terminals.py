"""End to end in a real terminal (tmux at 80×24), as the terminal draws it:

- in Hindi (`--lang hi`, xterm-256color), every footer and header is compared with the expected
  text cell by cell: tmux's cells, split the way tmux splits them (glibc wcwidth per character,
  a zero-width sign riding on the cell before it);
- on the Linux text console (TERM=linux), every glyph on the screen is one the console font
  has, and the colours (capture-pane -e) keep an error, a warning and a normal figure apart.
"""

from __future__ import annotations

import re
import sys

import pytest

from encore_tui.services.demo import make_demo
from encore_tui.widgets.console import CONSOLE_GLYPHS
from tests.conftest import ROOT, require_tool
from tests.e2e.test_e2e_powercut import Tmux
from tests.test_cells import glibc_width

pytestmark = pytest.mark.slow


def start(t: Tmux, session: str, db, term: str, lang: str = "en") -> None:
    cmd = (
        f"cd {ROOT} && exec env -u COLORTERM ENCORE_HOME={t.home} TERM={term} "
        f"{sys.executable} -m encore_tui --db {db} --lang {lang}"
    )
    t.run("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd)


def terminal_cells(line: str) -> list[str]:
    """A captured line as the terminal's cells: each cell holds its character and the
    zero-width signs after it; a wide character takes two (the second empty)."""
    out: list[str] = []
    for ch in line:
        w = glibc_width(ch)
        if w == 0 and out:
            out[-1] += ch
        else:
            out.append(ch)
            out.extend([""] * (w - 1))
    return out


def assert_cells(line: str, expected: str, width: int = 80) -> None:
    got, want = terminal_cells(line.ljust(width)), terminal_cells(expected.ljust(width))
    assert len(want) == width, f"expected text is {len(want)} cells: {expected!r}"
    bad = [i for i in range(width) if got[i : i + 1] != want[i : i + 1]]
    assert not bad, (
        f"cell {bad[0]}: {got[bad[0] : bad[0] + 1]} != {want[bad[0] : bad[0] + 1]}\n{line!r}\n{expected!r}"
    )
    assert len(got) == width, f"the line is {len(got)} cells wide: {line!r}"


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
        screen = t.wait_for("hi", "उपयोगकर्ता नाम")
        lines = screen.splitlines()
        assert_cells(lines[-1], " ^q बंद करें  f1 सहायता  f12 संदेश  ^p आदेश                            ▏^p आदेश ")

        t.keys("hi", "operator", "Enter")
        t.wait_for("hi", "पिन")
        t.keys("hi", "1111", "Enter")
        screen = t.wait_for("hi", "मतगणना डैशबोर्ड")
        lines = screen.splitlines()
        assert_cells(lines[0], " AC 999 डेमो नगर (काल्पनिक) · मतगणना डैशबोर्ड · Demo Operator (ऑपरेटर)")
        header = next(ln for ln in lines if "स्थिति" in ln)
        first = next(ln for ln in lines if "डाक मतपत्र" in ln and "प्रारूप" in ln)
        # each heading starts on the column of its figures
        assert col_of(header, "स्थिति") == col_of(first, "प्रारूप")
        assert col_of(header, "टेबल") == col_of(first, "0/")
        assert_cells(header, " चक्र      स्थिति        टेबल    अलग रखी      आगे                 अंतर")
        assert_cells(lines[-1], " f6 रुझान  f5 ताज़ा करें  f9 साइन आउट  ^q बंद करें  f1 सहायता  f12 संदेश ▏^p आदेश ")

        t.keys("hi", "Down", "Enter")
        screen = t.wait_for("hi", "चक्र 1/")
        lines = screen.splitlines()
        assert_cells(lines[1], " टेबल                    T1      T2      T3      T4      T5      चक्र    संचयी ")
        assert_cells(
            lines[2], "▶मतदान केंद्र                 1       2       3       4       5                 "
        )
        row = next(ln for ln in lines if "रमेश कुमार" in ln)
        assert col_of(row, "JVP") == 17  # the party column after a Hindi name
        assert_cells(lines[-1], " f2 अलग रखें  f3 17C स्वीकारें  f5 जमा करें  f6 रुझान  f7 कुल  ^q बंद करें  ▏^p आदेश ")

        t.keys("hi", "F1")
        screen = t.wait_for("hi", "कुंजियाँ")
        box = [ln for ln in screen.splitlines() if "┃" in ln]
        assert len(box) > 10
        # the help box keeps its right border: the same cell on every line
        assert {len(terminal_cells(ln.rstrip())) for ln in box} == {len(terminal_cells(box[0].rstrip()))}
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
