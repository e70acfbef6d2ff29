"""How a real terminal measures text: glibc's wcwidth, character by character (tmux, xterm)."""

from __future__ import annotations

import ctypes
import locale


def glibc_width(text: str) -> int:
    """The width glibc's wcwidth gives, character by character, as a terminal adds it up."""
    if locale.setlocale(locale.LC_CTYPE, None) in ("C", "POSIX"):
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
    libc = ctypes.CDLL("libc.so.6")
    libc.wcwidth.argtypes = [ctypes.c_wchar]
    widths = [libc.wcwidth(ch) for ch in text]
    assert min(widths, default=0) >= 0, text
    return sum(widths)


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


def pad(text: str, width: int, right: bool = False) -> str:
    """`text` padded with spaces to `width` terminal cells (the terminal's measure, glibc)."""
    fill = " " * (width - glibc_width(text))
    return fill + text if right else text + fill


def assert_cells(line: str, expected: str, width: int = 80) -> None:
    """The captured line holds, cell by cell, the expected text (padded to the full width)."""
    got, want = terminal_cells(pad(line, width)), terminal_cells(pad(expected, width))
    assert len(want) == width, f"expected text is {len(want)} cells: {expected!r}"
    bad = [i for i in range(width) if got[i : i + 1] != want[i : i + 1]]
    assert not bad, (
        f"cell {bad[0]}: {got[bad[0] : bad[0] + 1]} != {want[bad[0] : bad[0] + 1]}\n{line!r}\n{expected!r}"
    )
    assert len(got) == width, f"the line is {len(got)} cells wide: {line!r}"


def footer(left: str, palette: str = "▏^p आदेश ") -> str:
    """A footer: its keys from the left, the command palette's key at the right end."""
    return pad(left, 80 - glibc_width(palette)) + palette
