"""The Linux text console profile (widgets/console.py): the glyph table and the palette."""

from __future__ import annotations

from rich.cells import cell_len
from textual._border import BORDER_CHARS

from encore_tui.widgets import console
from encore_tui.widgets.console import CONSOLE_GLYPHS, glyph_table, to_console


def test_is_console_only_for_the_linux_console():
    assert console.is_console("linux") and console.is_console("linux-16color")
    assert not console.is_console("xterm-256color") and not console.is_console("screen")


def test_every_replacement_is_a_console_glyph_as_wide_as_the_original():
    for cp, repl in glyph_table().items():
        assert set(repl) <= CONSOLE_GLYPHS, (chr(cp), repl)
        assert cell_len(repl) == cell_len(chr(cp)), (chr(cp), repl)


def test_every_box_line_and_block_ends_as_a_console_glyph():
    for cp in range(0x2500, 0x25A0):
        assert set(to_console(chr(cp))) <= CONSOLE_GLYPHS, hex(cp)


def test_every_textual_border_ends_as_a_console_glyph():
    drawn = {ch for rows in BORDER_CHARS.values() for row in rows for ch in row}
    assert {ch for ch in drawn if ch not in CONSOLE_GLYPHS}  # xterm glyphs are there to replace
    assert {ch for text in drawn for ch in to_console(text)} <= CONSOLE_GLYPHS


def test_the_glyphs_of_the_issue():
    assert to_console("┏━┓┃┗┛") == "┌─┐│└┘"
    assert to_console("▊▔▎▏▅") == "█▀▌▌█"
    assert to_console("≠ … 🔎 ◀▶") == "# » >  ◄►"
    assert to_console("Round 1 · E101 ─│") == "Round 1 · E101 ─│"  # console glyphs pass as they are


def test_console_palette_keeps_errors_warnings_and_figures_apart():
    t = console.CONSOLE_THEME
    assert t.ansi
    colours = {"error": t.error, "warning": t.warning, "accent": t.accent, "success": t.success}
    assert len(set(colours.values())) == len(colours), colours
    assert all(c.startswith("ansi_") for c in colours.values())
