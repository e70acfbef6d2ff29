"""RO review on SQLite and PostgreSQL: queue, difference view, approval with the PIN, correction
and its annex, the blind spot check and full double entry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from encore_tui import services
from encore_tui.domain import review
from encore_tui.domain.rounds import NotAllowed, RoundStatus
from encore_tui.services import ro
from encore_tui.store.models import blind_cell, outbox, ro_record
from tests.conftest import OBSERVER, OPERATOR, OPERATOR2, RO
from tests.support.ro import RO_PIN, count_and_approve, make_ac, postal, type_round, verified, votes_of


@given(st.integers(0, 2**48), st.integers(1, 30), st.sets(st.sampled_from(["1", "2", "3"])))
def test_spot_picks_are_reproducible_distinct_and_skip_kept_aside_tables(seed, k, kept):
    from encore_tui.domain.entries import KeptAsideReason, TableEntry

    entries = [
        TableEntry(1, t, s, {}, KeptAsideReason.OTHER if s in kept else None) for t, s in enumerate("123", 1)
    ]
    fields = ["c1", "c2", "nota", "total"]
    picks = review.spot_picks(seed, entries, fields, review.SpotMode.CELLS, k)
    assert picks == review.spot_picks(seed, entries, fields, review.SpotMode.CELLS, k)
    assert len(set(picks)) == len(picks) == min(k, 4 * (3 - len(kept)))
    assert not any(s in kept for s, _f in picks)
    totals = review.spot_picks(seed, entries, fields, review.SpotMode.TOTALS, k)
    assert totals == [(s, "total") for s in "123" if s not in kept]


@pytest.fixture
def ac(store):
    return store, make_ac(store)


def test_queue_lists_rounds_waiting_for_the_ro_in_order(ac):
    store, ac_id = ac
    postal(store, ac_id, approve=False)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    q = ro.review_queue(store, ac_id)
    assert [(i.round_no, i.kind, i.status) for i in q] == [
        (0, "postal", RoundStatus.SUBMITTED),
        (1, "evm", RoundStatus.SUBMITTED),
    ]
    assert all(i.in_order for i in q) and q[1].spot_state == "not needed"
    rv = ro.review_round(store, ac_id, 0)
    assert [c.code.code for c in rv.blockers] == ["E116"]  # the 13A/13B scans are missing
    with pytest.raises(services.RoundBlocked, match="E116"):
        ro.approve(store, ac_id, 0, RO, RO_PIN)
    verified(store, ac_id)


def test_approval_needs_the_ro_and_the_right_pin(ac):
    store, ac_id = ac
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    with pytest.raises(NotAllowed):
        ro.approve(store, ac_id, 1, OPERATOR, "1111")
    with pytest.raises(NotAllowed):
        ro.approve(store, ac_id, 1, OBSERVER, "3333")
    with pytest.raises(services.AuthError, match="4 tries left"):
        ro.approve(store, ac_id, 1, RO, "0000")
    assert services.round_view(store, ac_id, 1).info.status is RoundStatus.SUBMITTED
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    v = services.round_view(store, ac_id, 1)
    assert v.info.status is RoundStatus.APPROVED and v.info.updated_by == RO.username
    with store.read() as conn:
        kinds = [k for (k,) in conn.execute(select(outbox.c.kind))]
    assert kinds == ["round"]
    verified(store, ac_id)


def test_difference_view_names_changed_cells_after_a_return(ac):
    store, ac_id = ac
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    assert ro.round_diff(store, ac_id, 1) is None  # a first submission has nothing to compare
    services.return_round(store, ac_id, 1, "table 2: c1 and c2 swapped?", RO)
    services.enter_cell(store, ac_id, 1, "2", "c1", 85, OPERATOR)
    services.enter_cell(store, ac_id, 1, "2", "c2", 7, OPERATOR)
    services.enter_cell(store, ac_id, 1, "2", "nota", 7, OPERATOR)  # 85+7+3+7 = 102
    services.submit_round(store, ac_id, 1, OPERATOR)
    d = ro.round_diff(store, ac_id, 1)
    assert (d.base_revision, d.base_stage, d.current_revision) == (1, "submitted", 2)
    assert [(c.table_no, c.station, c.field, c.before, c.after) for c in d.changes] == [
        (2, "2", "c1", 92, 85),
        (2, "2", "c2", 6, 7),
        (2, "2", "nota", 1, 7),
    ]
    assert ro.review_round(store, ac_id, 1).diff == d
    verified(store, ac_id)


def test_correction_of_round_3_after_round_7_published(store):
    ac_id = make_ac(store, n_stations=24, tables=3)  # 8 rounds
    postal(store, ac_id)
    count_and_approve(store, ac_id, range(1, 8))
    for r in range(1, 8):
        services.publish_round(store, ac_id, r, services.SYSTEM)
    type_round(store, ac_id, 8)
    services.submit_round(store, ac_id, 8, OPERATOR)
    before = {t.round_no: t for t in services.round_tallies(store, ac_id)}
    figures_before = {r: services.round_view(store, ac_id, r).entries for r in range(0, 9) if r != 3}

    with pytest.raises(NotAllowed):
        ro.correct(store, ac_id, 3, "misread", OPERATOR, "1111")
    with pytest.raises(services.InvalidValue):
        ro.correct(store, ac_id, 3, "  ", RO, RO_PIN)
    ro.correct(store, ac_id, 3, "table 2 (PS 8): 5 votes of candidate 1 belong to candidate 2", RO, RO_PIN)
    status = {r: services.round_view(store, ac_id, r).info.status for r in range(0, 9)}
    assert status[3] is RoundStatus.CORRECTION
    assert all(status[r] is RoundStatus.NEEDS_REAPPROVAL for r in range(4, 8))
    assert status[8] is RoundStatus.SUBMITTED and status[0] is RoundStatus.APPROVED
    assert status[1] is status[2] is RoundStatus.PUBLISHED
    assert [i.round_no for i in ro.review_queue(store, ac_id)] == [3, 4, 5, 6, 7, 8]

    with pytest.raises(services.ServiceError):  # operators never touch a correction
        services.enter_cell(store, ac_id, 3, "8", "c1", 1, OPERATOR)
    v = votes_of(store, ac_id, "8")
    services.enter_cell(store, ac_id, 3, "8", "c1", v["c1"] - 5, RO)
    services.enter_cell(store, ac_id, 3, "8", "c2", v["c2"] + 5, RO)
    with pytest.raises(services.ServiceError, match="Approve round 3"):
        ro.approve(store, ac_id, 4, RO, RO_PIN)
    for r in range(3, 9):
        ro.approve(store, ac_id, r, RO, RO_PIN)

    after = {t.round_no: t for t in services.round_tallies(store, ac_id)}
    for r in (1, 2):
        assert after[r] == before[r]
    for r in range(3, 9):
        assert after[r].cumulative.votes[0] == before[r].cumulative.votes[0] - 5
        assert after[r].cumulative.votes[1] == before[r].cumulative.votes[1] + 5
        assert after[r].cumulative.total == before[r].cumulative.total
    assert after[3].this_round.votes[0] == before[3].this_round.votes[0] - 5
    assert after[4].this_round == before[4].this_round  # later rounds' own figures unchanged
    for r, entries in figures_before.items():
        assert services.round_view(store, ac_id, r).entries == entries
    infos = {r: services.round_view(store, ac_id, r).info for r in range(0, 9)}
    assert infos[3].revision == 2 and all(infos[r].revision == 1 for r in range(4, 9))

    annex = ro.correction_annex(store, ac_id, 3)
    assert (annex.from_revision, annex.to_revision, annex.approved_by) == (1, 2, RO.username)
    assert "candidate 2" in annex.reason and annex.opened_by == RO.username
    assert [(c.station, c.field, c.before, c.after) for c in annex.changes] == [
        ("8", "c1", v["c1"], v["c1"] - 5),
        ("8", "c2", v["c2"], v["c2"] + 5),
    ]
    assert annex.invalidated == [4, 5, 6, 7]
    assert annex.this_round_after.votes[0] == annex.this_round_before.votes[0] - 5
    with store.read() as conn:
        kinds = [k for (k,) in conn.execute(select(outbox.c.kind).order_by(outbox.c.id))]
    # postal + 8 rounds, then round 3's correction and rounds 4-7 again at their new state
    assert sorted(kinds) == sorted(["postal"] + ["round"] * 8 + ["correction"] + ["round"] * 4)
    assert kinds.index("correction") < len(kinds) - 4  # rounds 4-7 re-approved after it
    verified(store, ac_id)


def test_spot_check_blocks_approval_until_resolved(ac):
    store, ac_id = ac
    ro.set_spot_check_rounds(store, ac_id, 2, RO)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    assert ro.review_queue(store, ac_id)[0].spot_state == "to draw"
    with pytest.raises(services.RoundBlocked, match="E113"):
        ro.approve(store, ac_id, 1, RO, RO_PIN)
    with pytest.raises(NotAllowed):
        ro.draw_spot_check(store, ac_id, 1, OPERATOR)
    picks = ro.draw_spot_check(store, ac_id, 1, RO, cells=4, seed=12345)
    entries = services.round_view(store, ac_id, 1).entries
    assert picks == review.spot_picks(
        12345, entries, services.load_context(store, ac_id).fields_of(1), review.SpotMode.CELLS, 4
    )
    with pytest.raises(services.ServiceError, match="cannot be redrawn"):
        ro.draw_spot_check(store, ac_id, 1, RO, seed=1)
    sheet = ro.blind_sheet(store, ac_id, 1, "spot", RO)
    assert [(p.station, p.field) for p in sheet.prompts] == picks
    assert all(p.rekeyed is None for p in sheet.prompts)
    assert not any(hasattr(p, "entered") for p in sheet.prompts)  # blind: no operator figure
    with pytest.raises(services.RoundBlocked, match="E113"):  # even the raw approval path
        services.approve_round(store, ac_id, 1, RO)
    values = {e.station: e.values for e in entries}
    (s0, f0), *rest = picks
    ro.enter_blind(store, ac_id, 1, "spot", s0, f0, values[s0][f0] + 1, RO)  # the RO reads it differently
    for s, f in rest:
        ro.enter_blind(store, ac_id, 1, "spot", s, f, values[s][f], RO)
    assert ro.review_queue(store, ac_id)[0].spot_state == "differs"
    with pytest.raises(services.RoundBlocked, match="E114"):
        ro.approve(store, ac_id, 1, RO, RO_PIN)
    with pytest.raises(services.RoundBlocked, match="E114"):
        services.approve_round(store, ac_id, 1, RO)
    cells = ro.blind_result(store, ac_id, 1, "spot", RO)
    assert [(c.station, c.field, c.entered, c.rekeyed) for c in cells if c.differs] == [
        (s0, f0, values[s0][f0], values[s0][f0] + 1)
    ]
    with pytest.raises(services.ServiceError):
        ro.blind_result(store, ac_id, 1, "spot", OPERATOR)
    ro.enter_blind(store, ac_id, 1, "spot", s0, f0, values[s0][f0], RO)  # re-checked the paper
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    verified(store, ac_id)


def test_spot_check_resolved_by_taking_the_rekeyed_figure_changes_the_cell(ac):
    store, ac_id = ac
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.draw_spot_check(store, ac_id, 1, RO, mode="totals", seed=7)
    sheet = ro.blind_sheet(store, ac_id, 1, "spot", RO)
    assert [(p.station, p.field) for p in sheet.prompts] == [("1", "total"), ("2", "total"), ("3", "total")]
    for p in sheet.prompts:
        ro.enter_blind(
            store, ac_id, 1, "spot", p.station, p.field, 999 if p.station == "2" else 100 + int(p.station), RO
        )
    with pytest.raises(NotAllowed):
        ro.resolve_blind(store, ac_id, 1, "spot", "2", "total", "entered", OPERATOR)
    ro.resolve_blind(store, ac_id, 1, "spot", "2", "total", "rekeyed", RO)
    assert services.round_view(store, ac_id, 1).entries[1].values["total"] == 999
    with pytest.raises(services.RoundBlocked, match="E101"):  # now the table does not add up
        ro.approve(store, ac_id, 1, RO, RO_PIN)
    verified(store, ac_id)
    ro.resolve_blind(store, ac_id, 1, "spot", "2", "total", "rekeyed", RO)  # no difference left: a no-op
    services.return_round(store, ac_id, 1, "table 2 total re-read as 999: check the sheet", RO)
    services.enter_cell(store, ac_id, 1, "2", "total", 102, OPERATOR)
    services.submit_round(store, ac_id, 1, OPERATOR)
    with pytest.raises(services.RoundBlocked, match="E114"):  # the RO's 999 still disagrees
        ro.approve(store, ac_id, 1, RO, RO_PIN)
    ro.resolve_blind(store, ac_id, 1, "spot", "2", "total", "entered", RO)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    verified(store, ac_id)


def test_double_entry_diff_side_by_side_and_decided_cell_by_cell(ac):
    store, ac_id = ac
    type_round(store, ac_id, 1)
    with pytest.raises(services.InvalidValue, match="second keying"):
        ro.open_double_entry(store, ac_id, 1, "op1", RO)  # op1 keyed the round
    with pytest.raises(NotAllowed):
        ro.open_double_entry(store, ac_id, 1, "op2", OPERATOR)
    ro.open_double_entry(store, ac_id, 1, "op2", RO)
    services.submit_round(store, ac_id, 1, OPERATOR)
    with pytest.raises(services.ServiceError, match="assigned to 'op2'"):
        ro.enter_blind(store, ac_id, 1, "double", "1", "c1", 1, OPERATOR)
    sheet = ro.blind_sheet(store, ac_id, 1, "double", OPERATOR2)
    assert len(sheet.prompts) == 3 * 5
    with pytest.raises(services.RoundBlocked, match="E115"):
        services.approve_round(store, ac_id, 1, RO)
    for p in sheet.prompts:
        v = votes_of(store, ac_id, p.station)[p.field]
        if (p.station, p.field) == ("3", "c2"):
            v = 9  # the second operator reads 9 where the first typed 6
        ro.enter_blind(store, ac_id, 1, "double", p.station, p.field, v, OPERATOR2)
    cells = ro.blind_result(store, ac_id, 1, "double", RO)
    assert len(cells) == 15 and [(c.table_no, c.field, c.entered, c.rekeyed) for c in cells if c.differs] == [
        (3, "c2", 6, 9)
    ]
    assert ro.review_queue(store, ac_id)[0].double_state == "differs"
    with pytest.raises(services.RoundBlocked, match="E114"):
        ro.approve(store, ac_id, 1, RO, RO_PIN)
    ro.resolve_blind(store, ac_id, 1, "double", "3", "c2", "entered", RO)
    assert ro.review_queue(store, ac_id)[0].double_state == "done"
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    verified(store, ac_id)


def test_verify_fails_when_ro_tables_are_changed_behind_the_apps_back(ac):
    store, ac_id = ac
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.draw_spot_check(store, ac_id, 1, RO, seed=3, cells=2)
    p = ro.blind_sheet(store, ac_id, 1, "spot", RO).prompts[0]
    ro.enter_blind(store, ac_id, 1, "spot", p.station, p.field, 5, RO)
    verified(store, ac_id)
    with store.engine.begin() as conn:
        conn.execute(update(blind_cell).values(value=6))
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and "blind" in rep.problem and rep.event_seq is not None
    with store.engine.begin() as conn:
        conn.execute(update(blind_cell).values(value=5))
        conn.execute(
            update(ro_record)
            .where(ro_record.c.key == "setting:spot_check_rounds")
            .values(value='{"value":9}')
        )
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and "setting:spot_check_rounds" in rep.problem


def test_observer_sees_but_changes_nothing(ac):
    store, ac_id = ac
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    assert ro.review_round(store, ac_id, 1).view.info.status is RoundStatus.SUBMITTED
    for call in (
        lambda: ro.draw_spot_check(store, ac_id, 1, OBSERVER),
        lambda: ro.open_double_entry(store, ac_id, 1, "op2", OBSERVER),
        lambda: ro.return_to_operator(store, ac_id, 1, "x", OBSERVER),
        lambda: ro.set_spot_check_rounds(store, ac_id, 1, OBSERVER),
        lambda: ro.correct(store, ac_id, 1, "x", OBSERVER, "3333"),
    ):
        with pytest.raises(NotAllowed):
            call()
    verified(store, ac_id)
