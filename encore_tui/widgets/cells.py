"""Cell widths as the terminal measures them: the one patch of Rich's width table.

Rich (and so Textual) gives a spacing vowel sign (ा ि ी ो ः…, Unicode category Mc) zero cells;
terminals give it one (glibc `wcwidth`, tmux, xterm, the `wcwidth` package): "सहायता" is 4 cells
to Rich and 6 on the screen. Every Hindi label then overflows by one cell per vowel sign, so
footers repeat or lose text, boxes lose their right border and headers drift off their columns.

`install()` (called once by the app, before anything is measured) rewrites Rich's per-character
width table so every Mc character the terminal draws as one cell (`cells_table.ONE_CELL`, made
from the `wcwidth` package by `write_table`) is one cell to Rich too, and clears Rich's width
caches. Everything in Rich and Textual measures through that table
(`rich.cells.get_character_cell_size`, through `cell_len`), so this is the only place patched.

Pinned: `PATCHED_FOR` names the Rich version this was written against (rich.cells looks the
table up through its module global `load_cell_table`); tests/test_cells.py fails on another
version, so an upgrade is checked by hand before it ships.
"""

from __future__ import annotations

import bisect
from functools import cache
from pathlib import Path

PATCHED_FOR = {"rich": "15.0.0", "textual": "8.2.8"}

_installed = False


def terminal_one_cell() -> tuple[tuple[int, int], ...]:
    """Ranges of Mc code points a terminal draws as one cell after their base letter.

    The `wcwidth` package's table of Mc, confirmed by its `wcswidth`. Only this per-character
    measure is taken from it: its `wcswidth` of a whole word also narrows conjuncts (क्ष),
    which glibc, tmux and xterm do not; they add up the characters, and so does Rich."""
    import wcwidth
    from wcwidth.table_mc import CATEGORY_MC

    latest = max(CATEGORY_MC, key=lambda v: tuple(map(int, v.split("."))))
    ones = [
        cp
        for start, end in CATEGORY_MC[latest]
        for cp in range(start, end + 1)
        if wcwidth.wcswidth("a" + chr(cp)) == 2
    ]
    ranges: list[tuple[int, int]] = []
    for cp in ones:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return tuple(ranges)


def merge_widths(
    widths: list[tuple[int, int, int]] | tuple[tuple[int, int, int], ...],
    ones: tuple[tuple[int, int], ...],
) -> list[tuple[int, int, int]]:
    """Rich's sorted (start, end, width) table with every code point in `ones` set to width 1
    (Rich's lookup answers 1 for a code point in no range, so those are cut out of the table)."""
    starts = [s for s, _ in ones]

    def one(cp: int) -> bool:
        i = bisect.bisect_right(starts, cp) - 1
        return i >= 0 and ones[i][0] <= cp <= ones[i][1]

    out: list[tuple[int, int, int]] = []
    for start, end, width in widths:
        last = bisect.bisect_right(starts, end) - 1  # the last range starting by `end`
        if width == 1 or last < 0 or ones[last][1] < start:
            out.append((start, end, width))
            continue
        run: int | None = None
        for cp in range(start, end + 1):
            if one(cp):
                if run is not None:
                    out.append((run, cp - 1, width))
                    run = None
            elif run is None:
                run = cp
        if run is not None:
            out.append((run, end, width))
    return out


def install() -> None:
    """Make Rich measure like the terminal (idempotent)."""
    global _installed
    if _installed:
        return
    import rich.cells

    original = rich.cells.load_cell_table
    from encore_tui.widgets.cells_table import ONE_CELL as ones  # wcwidth's answer, shipped

    @cache
    def load_cell_table(unicode_version: str = "auto"):
        table = original(unicode_version)
        return table._replace(widths=merge_widths(table.widths, ones))

    rich.cells.load_cell_table = load_cell_table
    rich.cells.get_character_cell_size.cache_clear()
    rich.cells.cached_cell_len.cache_clear()
    _installed = True


def fit(text: str, width: int, align: str = "<") -> str:
    """`text` cut or padded to exactly `width` terminal cells (`<` left, `>` right aligned);
    what str.ljust/rjust and slicing do for Latin, for any script."""
    if text.isascii():  # the grid's figures: no measuring needed
        return text[:width].rjust(width) if align == ">" else text[:width].ljust(width)
    from rich.cells import cell_len, set_cell_size

    text = set_cell_size(text, width) if cell_len(text) > width else text
    pad = " " * (width - cell_len(text))
    return pad + text if align == ">" else text + pad


def pad(text: str, width: int) -> str:
    """`text` padded to at least `width` terminal cells (never cut): str.ljust for any script."""
    from rich.cells import cell_len

    return text + " " * (width - cell_len(text))


def write_table() -> Path:
    """Re-make cells_table.py from the installed `wcwidth` (`python -m encore_tui.widgets.cells`).
    Importing wcwidth costs ~150 ms of cold start, so the app ships its answer instead."""
    import wcwidth

    ranges = [f"(0x{a:04X}, 0x{b:04X})" for a, b in terminal_one_cell()]
    rows = ["    " + ", ".join(ranges[i : i + 5]) + "," for i in range(0, len(ranges), 5)]
    path = Path(__file__).with_name("cells_table.py")
    path.write_text(
        f'''"""Generated by `python -m encore_tui.widgets.cells` from the `wcwidth` package ({wcwidth.__version__}): the ranges
of spacing marks (category Mc) a terminal draws as one cell. widgets/cells.py gives them one
cell in Rich; tests/test_cells.py checks this table against wcwidth. Not edited by hand."""

# fmt: off
ONE_CELL: tuple[tuple[int, int], ...] = (
'''
        + "\n".join(rows)
        + "\n)\n# fmt: on\n"
    )
    return path


if __name__ == "__main__":
    print(write_table())
