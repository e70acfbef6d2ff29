"""The Linux text console (TERM=linux): its 8/16 colours and the glyphs its font has.

A cheap counting PC often runs the app on the text console, not in a terminal emulator. There
Textual's default theme maps to the 16 console colours so that the normal Round/Cumul. figures
come out the same bright red as an E101 error, and the glyphs of an xterm (heavy boxes ┏━┓,
eighth blocks ▊▔▎▏▅, ≠ … 🔎) show as diamonds: the console font has only the 256 glyphs of the
PC character set (CP437: ASCII, light and double box lines, ░▒▓█▀▄▌▐, ►◄▲▼ ·, ≤ ≥ ≈).

Under TERM=linux the app therefore
- uses `CONSOLE_THEME`: the console's own ANSI colours, chosen so that errors (bright red),
  warnings (bright yellow), normal figures (cyan) and success (green) all differ;
- writes through `console_driver(...)`, which passes every character it sends through
  `glyph_table()`, the one glyph table (each replacement as wide as the glyph it replaces,
  so no layout moves).
"""

from __future__ import annotations

import os
import unicodedata
from functools import cache

from textual.driver import Driver
from textual.theme import Theme

# The PC character set: what the Linux console's built-in font (and the CP437-based console
# fonts) can draw. Control positions 0x01-0x1F carry the font's symbols (►◄↑↓ •…).
CONSOLE_GLYPHS: frozenset[str] = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + list(bytes(range(0x80, 0x100)).decode("cp437"))
    + list("☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼")
)

# Explicit replacements; box lines and blocks not in the font are derived in `glyph_table`.
_EXPLICIT: dict[str, str] = {
    "…": "»",  # text cut at the edge (Textual's ellipsis)
    "≠": "#",
    "—": "-",
    "–": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "×": "x",
    "✓": "v",
    "✔": "v",
    "✗": "x",
    "▶": "►",
    "◀": "◄",
    "▸": "►",
    "◂": "◄",
    "●": "•",
    "⭘": "o",
    "◆": "♦",
    "🔎": "> ",  # the command palette's search icon (two cells)
    "▔": "▀",
    "▕": "▐",
}

# Eighth blocks rounded to the half or full block the font has (a border stays visible).
_BLOCKS = dict(zip("▁▂▃▅▆▇▏▎▍▋▊▉▖▗▘▝▚▞▙▛▜▟", "▄▄▄███▌▌▌▌██▄▄▀▀▒▒████", strict=True))


def _light_box(ch: str) -> str | None:
    """A heavy, rounded or dashed box line as the light line of the same shape."""
    name = unicodedata.name(ch, "")
    if not name.startswith("BOX DRAWINGS "):
        return None
    shape = name.removeprefix("BOX DRAWINGS ")
    for word in ("HEAVY", "ARC", "LIGHT"):
        shape = shape.replace(word, "")
    for dash in ("DOUBLE DASH", "TRIPLE DASH", "QUADRUPLE DASH"):
        shape = shape.replace(dash, "")
    shape = " ".join(shape.replace("AND", " ").split())
    tries = {
        "HORIZONTAL": "─",
        "VERTICAL": "│",
        "DOWN RIGHT": "┌",
        "DOWN LEFT": "┐",
        "UP RIGHT": "└",
        "UP LEFT": "┘",
        "VERTICAL RIGHT": "├",
        "VERTICAL LEFT": "┤",
        "DOWN HORIZONTAL": "┬",
        "UP HORIZONTAL": "┴",
        "VERTICAL HORIZONTAL": "┼",
        **dict.fromkeys(["LEFT", "RIGHT"], "─"),  # half lines (╴╸╼…)
        **dict.fromkeys(["UP", "DOWN"], "│"),
    }
    words = shape.split()
    # "UP LIGHT AND DOWN HEAVY" style names: the directions that are drawn
    dirs = {w for w in words if w in ("UP", "DOWN", "LEFT", "RIGHT", "VERTICAL", "HORIZONTAL")}
    if "VERTICAL" in dirs:
        dirs -= {"UP", "DOWN"}
    if "HORIZONTAL" in dirs:
        dirs -= {"LEFT", "RIGHT"}
    if {"UP", "DOWN"} <= dirs:
        dirs = (dirs - {"UP", "DOWN"}) | {"VERTICAL"}
    if {"LEFT", "RIGHT"} <= dirs:
        dirs = (dirs - {"LEFT", "RIGHT"}) | {"HORIZONTAL"}
    order = ["UP", "DOWN", "VERTICAL", "RIGHT", "LEFT", "HORIZONTAL"]
    key = " ".join(sorted(dirs, key=order.index))
    if key in tries:
        return tries[key]
    if "DIAGONAL" in shape:
        return {"DIAGONAL UPPER RIGHT TO LOWER LEFT": "/", "DIAGONAL UPPER LEFT TO LOWER RIGHT": "\\"}.get(
            shape, "X"
        )
    return None


@cache
def glyph_table() -> dict[int, str]:
    """`str.translate` table: every glyph the app or Textual draws that the console font lacks,
    to one it has, as many cells wide."""
    table = {ord(k): v for k, v in {**_EXPLICIT, **_BLOCKS}.items()}
    for cp in range(0x2500, 0x2580):
        ch = chr(cp)
        if ch not in CONSOLE_GLYPHS and cp not in table and (light := _light_box(ch)):
            table[cp] = light
    return table


def to_console(text: str) -> str:
    return text.translate(glyph_table())


def is_console(term: str | None = None) -> bool:
    """Whether the app runs on the Linux text console (TERM=linux, linux-16color…)."""
    term = os.environ.get("TERM", "") if term is None else term
    return term == "linux" or term.startswith("linux-")


CONSOLE_THEME = Theme(
    name="encore-console",
    ansi=True,
    dark=True,
    primary="ansi_blue",
    secondary="ansi_magenta",
    accent="ansi_cyan",  # normal Round/Cumul. figures
    warning="ansi_bright_yellow",  # W2xx, 17C differences
    error="ansi_bright_red",  # E1xx, refusals
    success="ansi_green",  # ok, saved
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    variables={
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_white",
        "border-blurred": "ansi_black",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "input-cursor-background": "ansi_white",
        "input-cursor-foreground": "ansi_black",
        "input-selection-background": "ansi_blue",
        "input-selection-foreground": "ansi_white",
        "screen-selection-background": "ansi_blue",
        "screen-selection-foreground": "ansi_white",
        "footer-key-foreground": "ansi_bright_white",
        "footer-description-foreground": "ansi_white",
    },
)


def console_driver(base: type[Driver]) -> type[Driver]:
    """The platform's driver (Linux on the console), sending only glyphs the console font has.
    Made from the driver Textual picked, so nothing Linux-only is imported elsewhere."""

    class ConsoleDriver(base):
        def write(self, data: str) -> None:
            super().write(data.translate(glyph_table()))

    return ConsoleDriver
