"""Domain rules: plan, checks, tallies, leads, Form 20, the round state machine, roles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from encore_tui.domain import checks as ck
from encore_tui.domain.entries import KeptAsideReason, TableEntry, entry_fields
from encore_tui.domain.ledger import replay
from encore_tui.domain.plan import CountingPlan, PlanError
from encore_tui.domain.rounds import (
    Action,
    IllegalTransition,
    NotAllowed,
    Role,
    RoundStatus,
    authorize,
    can,
    may,
    may_edit,
    next_status,
)
from encore_tui.domain.tally import Totals, form20, lead, retally, round_tallies
from tests.conftest import small_setup

# -- plan ---------------------------------------------------------------------------------------


def test_plan_allots_stations_in_order_last_round_short():
    stations = [str(i) for i in range(1, 406)]
    plan = CountingPlan.make(stations, 14)
    assert plan.round_count == 29
    assert plan.stations_of(1) == tuple(str(i) for i in range(1, 15))
    assert plan.stations_of(29) == tuple(str(i) for i in range(393, 406))
    assert plan.locate("15").round_no == 2 and plan.locate("15").table_no == 1


@given(n=st.integers(1, 600), tables=st.integers(1, 30), new_tables=st.integers(1, 30), data=st.data())
def test_replan_keeps_done_rounds_and_counts_every_station_once(n, tables, new_tables, data):
    stations = [f"{i}" for i in range(n)]
    plan = CountingPlan.make(stations, tables)
    done = data.draw(st.integers(0, plan.round_count))
    new = plan.replan(new_tables, done)
    assert new.rounds[:done] == plan.rounds[:done]
    flat = [s for r in new.rounds for s in r]
    assert flat == stations  # same order, each once
    assert new.round_count >= done
    assert ck.check_plan(new.rounds, stations) == []


def test_plan_refuses_a_station_twice_and_check_plan_finds_gaps():
    with pytest.raises(PlanError):
        CountingPlan.make(["1", "2", "1"], 2)
    problems = ck.check_plan([("1", "2"), ("2",)], ["1", "2", "3"])
    codes = sorted(p.code.code for p in problems)
    assert codes == ["E104", "E105"]


# -- checks -------------------------------------------------------------------------------------
SETUP = small_setup()  # 3 candidates, stations 1..7, electors 1000, 17C total 100+i


def entry(values=None, station="1", kept=None, acks=frozenset()):
    return TableEntry(1, 1, station, values or {}, kept, "", acks)


def full(c=(50, 30, 20), nota=1, total=None, station="1"):
    v = {f"c{i}": x for i, x in enumerate(c, 1)}
    v["nota"] = nota
    v["total"] = sum(c) + nota if total is None else total
    return entry(v, station)


def codes(checks):
    return sorted(c.code.code for c in checks)


def test_a_table_that_adds_up_and_tallies_with_17c_has_no_checks():
    assert ck.check_table(SETUP, full((50, 30, 20), 1, station="1")) == []  # 101 == 17C of PS 1


def test_sum_mismatch_blocks():
    checks = ck.check_table(SETUP, full((50, 30, 20), 1, total=102))
    assert "E101" in codes(checks)
    assert all(c.blocks for c in checks if c.code.code == "E101")


def test_17c_mismatch_is_a_warning_until_acknowledged():
    e = full((50, 30, 20), 2)  # total 102 vs 17C 101
    (w,) = ck.check_table(SETUP, e)
    assert w.code.code == "W201" and w.blocks
    acked = TableEntry(1, 1, "1", e.values, None, "", frozenset({"W201"}))
    (w2,) = ck.check_table(SETUP, acked)
    assert not w2.blocks


def test_blank_cells_and_over_electors():
    assert codes(ck.check_table(SETUP, entry({"c1": 5}))) == ["E102"]
    big = full((900, 100, 20), 0)
    assert "E103" in codes(ck.check_table(SETUP, big))


def test_kept_aside_table_is_listed_and_must_be_blank():
    assert codes(ck.check_table(SETUP, entry(kept=KeptAsideReason.CU_DISPLAY_FAILURE))) == ["W203"]
    assert "E106" in codes(ck.check_table(SETUP, entry({"c1": 1}, kept=KeptAsideReason.OTHER)))
    assert not any(c.blocks for c in ck.check_table(SETUP, entry(kept=KeptAsideReason.MOCK_POLL_NOT_CLEARED)))


def test_postal_sum_includes_rejected():
    v = {"c1": 10, "c2": 5, "c3": 0, "nota": 1, "rejected": 4, "total": 20}
    assert ck.check_table(SETUP, TableEntry(0, 1, "P1", v), postal=True) == []
    v["total"] = 16
    assert codes(ck.check_table(SETUP, TableEntry(0, 1, "P1", v), postal=True)) == ["E107"]


def test_penultimate_round_needs_the_postal_result_approved():
    entries = [full(station="7")]
    got = ck.check_round(SETUP, 2, entries, postal_approved=False, round_count=3)
    assert "E108" in codes(got)
    assert "E108" not in codes(ck.check_round(SETUP, 1, entries, postal_approved=False, round_count=3))
    assert "E108" not in codes(ck.check_round(SETUP, 2, entries, postal_approved=True, round_count=3))


def test_entry_fields_order():
    assert entry_fields(2, postal=False) == ["c1", "c2", "nota", "total"]
    assert entry_fields(2, postal=True) == ["c1", "c2", "nota", "rejected", "total"]


# -- tallies ------------------------------------------------------------------------------------
def test_lead_ignores_nota_and_reports_ties():
    ld = lead([10, 30, 20])
    assert (ld.leader, ld.runner_up, ld.margin, ld.is_tie) == (2, 3, 10, False)
    tie = lead([30, 30, 5])
    assert tie.is_tie and tie.tied == (1, 2) and tie.margin == 0
    assert lead([0, 0]).leader is None


votes = st.lists(st.integers(0, 5000), min_size=3, max_size=3)


@given(
    rounds=st.lists(
        st.lists(st.tuples(votes, st.integers(0, 100)), min_size=1, max_size=4), min_size=1, max_size=6
    ),
    postal=st.tuples(votes, st.integers(0, 50), st.integers(0, 50)),
)
def test_cumulative_tallies_add_up(rounds, postal):
    n = 3
    entries = {}
    for r, tables in enumerate(rounds, start=1):
        entries[r] = [
            TableEntry(r, t, f"{r}-{t}", {**{f"c{i}": v for i, v in enumerate(c, 1)}, "nota": nota})
            for t, (c, nota) in enumerate(tables, 1)
        ]
    p = Totals(tuple(postal[0]), postal[1], postal[2])
    tallies = round_tallies(entries, n, p)
    assert len(tallies) == len(rounds)
    expected = p
    for t in tallies:
        assert t.brought_forward == expected
        assert t.cumulative == t.brought_forward + t.this_round
        assert t.cumulative.total == t.cumulative.total_valid + t.cumulative.nota + t.cumulative.rejected
        expected = t.cumulative
        if t.lead.leader:
            assert t.cumulative.votes[t.lead.leader - 1] == max(t.cumulative.votes)
    grand = sum(sum(c) + nota for tables in rounds for c, nota in tables)
    assert tallies[-1].cumulative.total == grand + p.total
    # a screen re-tallies its round after one table changed: same as tallying from scratch
    last = max(entries)
    changed = [*entries[last][:-1], TableEntry(last, 99, "x", {"c1": 7, "c2": 0, "c3": 3, "nota": 1})]
    again = retally(tallies[-1], changed, n)
    assert again == round_tallies({**entries, last: changed}, n, p)[-1]


def test_form20_rows_footers_and_uncounted_station():
    setup = small_setup(n_stations=3)
    e = {"1": full((50, 30, 20), 1, station="1"), "2": full((5, 5, 5), 0, station="2")}
    f = form20(setup, e, Totals((1, 2, 3), 1, 4))
    assert [r.station for r in f.rows] == ["1", "2", "3"]
    assert f.rows[2].counted is False
    assert f.evm == Totals((55, 35, 25), 1, 0)
    assert f.total_polled.total == f.evm.total + f.postal.total
    assert f.evm.total_valid == 115  # NOTA excluded


# -- state machine and roles ----------------------------------------------------------------------
def test_the_normal_path_and_the_return_path():
    s = RoundStatus.DRAFT
    for a, expect in [
        (Action.SUBMIT, "submitted"),
        (Action.RETURN, "returned"),
        (Action.SUBMIT, "submitted"),
        (Action.APPROVE, "approved"),
        (Action.PUBLISH, "published"),
        (Action.CORRECT, "correction"),
        (Action.APPROVE, "approved"),
        (Action.INVALIDATE, "needs_reapproval"),
        (Action.APPROVE, "approved"),
    ]:
        s = next_status(s, a)
        assert s.value == expect
    with pytest.raises(IllegalTransition):
        next_status(RoundStatus.DRAFT, Action.APPROVE)


@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_no_action_sequence_reaches_an_illegal_state(actions):
    s = RoundStatus.DRAFT
    for a in actions:
        if can(s, a):
            new = next_status(s, a)
            # approved figures are never editable by an operator; editing only in draft/returned/correction
            assert not may_edit(new, Role.OPERATOR) or new in (RoundStatus.DRAFT, RoundStatus.RETURNED)
            if new is RoundStatus.PUBLISHED:
                assert s is RoundStatus.APPROVED  # only an approved round is published
            s = new
        else:
            with pytest.raises(IllegalTransition):
                next_status(s, a)


@pytest.mark.parametrize("action", list(Action))
def test_operator_never_approves_and_observer_never_changes(action):
    if action in (Action.APPROVE, Action.RETURN, Action.CORRECT, Action.DECLARE, Action.VVPAT):
        assert not may(Role.OPERATOR, action)
    if action is not Action.VIEW:
        assert not may(Role.OBSERVER, action)
        with pytest.raises(NotAllowed):
            authorize(Role.OBSERVER, action)


def test_replay_builds_rounds_and_cells():
    plan = CountingPlan.make(["1", "2", "3"], 2)
    events = [
        (1, "setup.created", {"setup": {}, "plan": plan.to_json()}),
        (2, "cell.entered", {"round": 1, "station": "1", "field": "c1", "before": None, "after": 5}),
        (3, "cell.entered", {"round": 1, "station": "1", "field": "c1", "before": 5, "after": None}),
        (4, "table.kept_aside", {"round": 2, "station": "3", "reason": "other", "note": "x"}),
        (5, "round.submitted", {"round": 1, "status": "submitted", "revision": 1, "remark": ""}),
    ]
    s = replay(events)
    assert s.cells == {}
    assert s.rounds[1].status == "submitted" and s.rounds[2].status == "draft" and 0 in s.rounds
    assert s.tables[(2, "3")].kept_aside == "other"
    assert s.touched_by[(1, "1", "c1")] == 3


@settings(max_examples=50)
@given(
    st.lists(
        st.text(alphabet="0123456789 AMW()", min_size=1, max_size=6), min_size=1, max_size=30, unique=True
    )
)
def test_station_numbers_are_strings_kept_as_given(numbers):
    from encore_tui.domain.setup import PollingStation

    cleaned = [" ".join(n.split()) for n in numbers]
    if any(not c for c in cleaned) or len(set(cleaned)) != len(cleaned):
        return
    stations = [PollingStation(number=n) for n in numbers]
    assert [s.number for s in stations] == cleaned
