"""Cell widths: the app measures Devanagari as the terminal does (widgets/cells.py).

The terminal's measure is glibc's `wcwidth`, added up per character (what tmux and xterm do):
a spacing vowel sign (ा ि ी ो, category Mc) is one cell, a virama or a nukta none.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest
from rich.cells import cell_len, set_cell_size

from encore_tui.base.i18n import HI
from encore_tui.widgets import cells
from tests.support.terminal import glibc_width

WORDS = ["सहायता", "स्थिति", "पुष्टि करें", "उपयोगकर्ता नाम", "बिहार विधान सभा", "निर्वाचन क्षेत्र", "कि", "कः"]


def test_the_patch_is_pinned_to_the_installed_rich_and_textual():
    # rich.cells looks its width table up through `load_cell_table`: re-check on an upgrade
    assert version("rich") == cells.PATCHED_FOR["rich"]
    assert version("textual") == cells.PATCHED_FOR["textual"]


def test_unpatched_rich_gets_hindi_widths_wrong():
    """The reason for the module: a fresh Rich counts a vowel sign as no cell."""
    code = "from rich.cells import cell_len; print(cell_len('सहायता'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "4"
    assert glibc_width("सहायता") == 6


@pytest.mark.parametrize("word", WORDS + sorted(set(HI.values())))
def test_after_install_every_label_measures_as_glibc(word):
    cells.install()
    assert cell_len(word) == glibc_width(word)


def test_install_is_idempotent_and_cropping_follows_the_terminal():
    cells.install()
    cells.install()
    assert cell_len("सहायता") == 6
    assert cell_len(set_cell_size("सहायता", 4)) == 4
    assert set_cell_size("सहायता", 4) == "सहाय"
    assert cell_len("a\u094d") == 1  # a virama stays zero width
    assert cell_len("abc") == 3 and cell_len("中") == 2  # Latin and CJK untouched


def test_the_shipped_table_is_what_wcwidth_says():
    """cells_table.py is wcwidth's answer (the app does not import wcwidth: ~150 ms of cold
    start); a wcwidth upgrade that changes it fails here: `python -m encore_tui.widgets.cells`."""
    from encore_tui.widgets.cells_table import ONE_CELL

    assert cells.terminal_one_cell() == ONE_CELL
    assert (0x093E, 0x0940) in ONE_CELL  # ा ि ी


def test_merge_widths_cuts_ranges_and_keeps_the_rest():
    table = [(0x300, 0x36F, 0), (0x900, 0x902, 0), (0x93A, 0x94F, 0), (0x1100, 0x115F, 2)]
    merged = cells.merge_widths(table, ((0x93B, 0x93B), (0x93E, 0x940), (0x949, 0x94C)))
    assert merged == [
        (0x300, 0x36F, 0),
        (0x900, 0x902, 0),
        (0x93A, 0x93A, 0),
        (0x93C, 0x93D, 0),
        (0x941, 0x948, 0),
        (0x94D, 0x94F, 0),
        (0x1100, 0x115F, 2),
    ]


def test_fit_and_pad_count_terminal_cells():
    cells.install()
    assert cells.fit("सहायता", 8) == "सहायता  " and glibc_width(cells.fit("सहायता", 8)) == 8
    assert glibc_width(cells.fit("श्याम सुन्दर पासवान", 12)) == 12  # cut to 12 cells
    assert cells.fit("42", 5, ">") == "   42" and cells.fit("TOTAL", 3) == "TOT"
    assert cells.pad("स्थिति", 7) == "स्थिति  " and cells.pad("long text", 4) == "long text"  # never cut
