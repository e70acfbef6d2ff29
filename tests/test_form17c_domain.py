"""Form 17C Part I in the domain: the record, its consistency, and the counting checks that use it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encore_tui.domain import checks as ck
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.form17c import Form17C, Form17CSource, effective, normalize_serial
from encore_tui.domain.setup import PollingStation
from encore_tui.domain.tally import form20
from tests.conftest import small_setup

N = 3  # candidates of small_setup


def _setup(**station):
    base = small_setup()
    stations = [PollingStation(number=s.number, **station) for s in base.stations]
    return base.model_copy(update={"stations": stations})


def _entry(votes: tuple[int, ...], nota: int, total: int | None = None, acks=frozenset()) -> TableEntry:
    values = {f"c{i}": v for i, v in enumerate(votes, start=1)}
    values["nota"] = nota
    values["total"] = sum(votes) + nota if total is None else total
    return TableEntry(1, 1, "1", values, acknowledged=frozenset(acks))


def _codes(checks) -> set[str]:
    return {c.code.code for c in checks}


def test_codes_are_registered_once_with_their_severity():
    for code in (ck.CU_SERIAL_MISMATCH, ck.CU_SERIAL_UNCONFIRMED, ck.OVER_17C):
        assert ck.ALL_CODES[code.code] is code
        assert code.severity is ck.Severity.ERROR
    assert ck.ALL_CODES["W202"].severity is ck.Severity.WARNING


def test_record_consistency_names_the_field():
    assert Form17C(station="1", electors=900, voters_17a=600, votes_recorded=598).problems() == []
    assert [f for f, _ in Form17C(station="1", electors=500, voters_17a=600).problems()] == ["voters_17a"]
    assert [f for f, _ in Form17C(station="1", voters_17a=500, votes_recorded=501).problems()] == [
        "votes_recorded"
    ]
    assert [f for f, _ in Form17C(station="1", electors=500, votes_recorded=501).problems()] == [
        "votes_recorded"
    ]
    assert not Form17C(station="1", tendered=2).complete
    with pytest.raises(ValueError):
        Form17C(station="1", votes_recorded=-1)


def test_serials_are_compared_as_printed_not_as_typed():
    assert normalize_serial(" cunem 12345 ") == "CUNEM12345"
    assert Form17C(station="1", cu_id="cu 7").cu_id == "CU7"
    assert Form17C(station="1", cu_id="  ").cu_id is None


@given(
    votes=st.lists(st.integers(0, 700), min_size=N, max_size=N),
    nota=st.integers(0, 50),
    recorded=st.none() | st.integers(0, 800),
    electors=st.none() | st.integers(0, 1200),
    acked=st.sets(st.sampled_from(["W201", "W202"])),
)
def test_17c_checks_fire_exactly_when_their_rule_is_broken(votes, nota, recorded, electors, acked):
    setup = small_setup()
    rec = Form17C(station="1", votes_recorded=recorded, electors=electors)
    entry = _entry(tuple(votes), nota, acks=acked)
    checks = ck.check_table(setup, entry, form17c={"1": rec})
    codes = _codes(checks)
    total = sum(votes) + nota
    over = recorded is not None and any(v > recorded for v in [*votes, nota])
    assert ("E122" in codes) == over
    limit = electors if electors is not None else 1000  # small_setup's station electors
    assert ("E103" in codes) == (total > limit)
    assert ("W202" in codes) == (recorded is None)
    assert ("W201" in codes) == (recorded is not None and total != recorded)
    w = [c for c in checks if c.code.code in ("W201", "W202")]
    assert all(c.blocks == (c.code.code not in acked) for c in w)
    assert ck.blocking(checks) == [c for c in checks if c.is_error or c in w and c.code.code not in acked]


@given(
    expected=st.none() | st.text("ABC0123456789 ", min_size=1, max_size=8).filter(str.strip),
    seen=st.none() | st.text("abc0123456789 ", min_size=1, max_size=8).filter(str.strip),
    on=st.booleans(),
)
def test_cu_serial_confirmation_is_checked_only_when_the_ro_turned_it_on(expected, seen, on):
    setup = small_setup()
    rec = Form17C(station="1", votes_recorded=30, cu_id=expected)
    confirmed = ({"1": seen} if seen is not None else {}) if on else None
    codes = _codes(ck.check_table(setup, _entry((10, 10, 10), 0), form17c={"1": rec}, cu_confirmed=confirmed))
    if not on:
        assert not codes & {"E120", "E121"}
    elif seen is None:
        assert "E121" in codes and "E120" not in codes
    else:
        differs = rec.cu_id is not None and normalize_serial(seen) != rec.cu_id
        assert ("E120" in codes) == differs
        assert "E121" not in codes


def test_a_blank_table_needs_no_cu_confirmation_and_postal_tables_no_17c():
    setup = small_setup()
    blank = TableEntry(1, 1, "1", {})
    assert _codes(ck.check_table(setup, blank, form17c={}, cu_confirmed={})) == {"E102"}
    postal = TableEntry(0, 1, "P1", {"c1": 5, "c2": 0, "c3": 0, "nota": 0, "rejected": 0, "total": 5})
    assert _codes(ck.check_table(setup, postal, postal=True, form17c={}, cu_confirmed={})) == set()


def test_the_real_record_wins_over_setup_figures_and_no_record_means_w202():
    setup = _setup(form17c_total=520)
    rec = Form17C(station="1", votes_recorded=30, source=Form17CSource.IMPORT)
    eff = effective(setup, {"1": rec})
    assert eff["1"] is rec and eff["2"].votes_recorded == 520 and eff["2"].source is Form17CSource.SETUP
    bare = _setup()
    assert effective(bare, {}) == {}
    assert "W202" in _codes(ck.check_round(bare, 1, [_entry((10, 10, 10), 0)], form17c=effective(bare, {})))


def test_form20_tendered_comes_from_the_record():
    setup = _setup(tendered=9)  # legacy setup figures: what a record replaces
    f = form20(setup, {}, None, {"1": 2, "2": None, "3": 1})
    assert [r.tendered for r in f.rows[:3]] == [2, None, 1]
    assert f.tendered == 3
    assert form20(setup, {}, None).tendered == 9 * len(setup.stations)


def test_the_documented_json_schema_is_the_models():
    import json

    from tests.conftest import ROOT

    doc = json.loads((ROOT / "docs" / "form17c.schema.json").read_text(encoding="utf-8"))
    assert doc == Form17C.model_json_schema(), "regenerate: encore schema form17c -o docs/form17c.schema.json"
