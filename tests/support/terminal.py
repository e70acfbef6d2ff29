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
