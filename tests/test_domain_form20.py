"""The Form 20 supersede rule, in the domain: which entry counts for a station."""

from __future__ import annotations

from encore_tui.domain.entries import KeptAsideReason, TableEntry
from encore_tui.domain.tally import counted_entries

KEPT = KeptAsideReason.CU_DISPLAY_FAILURE
SLIPS = {"c1": 5, "c2": 3, "nota": 1, "total": 9}


def test_a_kept_aside_table_is_superseded_by_its_slip_count_once_that_has_figures():
    rounds = {
        0: [TableEntry(0, 1, "P1", {"c1": 4})],
        1: [TableEntry(1, 1, "1", {"c1": 1, "total": 1}), TableEntry(1, 2, "2", kept_aside=KEPT)],
        3: [TableEntry(3, 1, "2", SLIPS)],
    }
    got = counted_entries(rounds)
    assert set(got) == {"1", "2"}  # the postal round never counts as a station
    assert got["1"].round_no == 1
    assert got["2"].round_no == 3 and dict(got["2"].values) == SLIPS


def test_a_blank_slip_count_leaves_the_station_kept_aside():
    rounds = {1: [TableEntry(1, 2, "2", kept_aside=KEPT)], 3: [TableEntry(3, 1, "2", {})]}
    assert counted_entries(rounds)["2"].kept_aside is KEPT


def test_a_counted_table_is_never_replaced_by_a_later_entry():
    rounds = {1: [TableEntry(1, 1, "1", {"c1": 1})], 2: [TableEntry(2, 1, "1", {"c1": 7})]}
    assert counted_entries(rounds)["1"].round_no == 1
