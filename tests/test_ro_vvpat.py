"""VVPAT verification on SQLite and PostgreSQL: the draw, Rule 56D, slip counts, the slip count
prevailing through the correction path, and the final round of kept-aside stations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from encore_tui import services
from encore_tui.domain import vvpat
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.rounds import NotAllowed, RoundStatus
from encore_tui.services import ro, ro_vvpat
from encore_tui.store.models import outbox, vvpat_count
from encore_tui.wire import messages as wire
from tests.conftest import OBSERVER, OPERATOR, RO
from tests.support.ro import (
    RO_PIN,
    count_and_approve,
    make_ac,
    postal,
    type_round,
    type_table,
    verified,
    votes_of,
)


def slips_of(store, ac_id, station, c1_shift=0):
    v = votes_of(store, ac_id, station)
    return {"c1": v["c1"] + c1_shift, "c2": v["c2"], "c3": v["c3"], "nota": v["nota"]}


@pytest.fixture
def counted(store):
    """8 stations at 3 tables (rounds of 3, 3, 2), postal and every round approved."""
    ac_id = make_ac(store, n_stations=8)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2, 3])
    return store, ac_id


def test_draw_rules():
    counted = ["1", "2", "3", "4", "5", "6"]
    assert vvpat.validate_draw(["2", "4", "6", " 1", "3"], counted) == ["2", "4", "6", "1", "3"]
    for bad, msg in (
        (["1", "2", "3", "4"], "5 stations"),
        (["1", "2", "3", "4", "5", "6"], "5 stations"),
        (["1", "1", "3", "4", "5"], "drawn twice"),
        (["1", "2", "3", "4", "9"], "not a counted"),
    ):
        with pytest.raises(vvpat.DrawError, match=msg):
            vvpat.validate_draw(bad, counted)
    assert vvpat.validate_draw(["2", "1"], ["1", "2"]) == ["2", "1"]  # fewer than 5 exist: all


@given(
    st.lists(st.integers(0, 50), min_size=4, max_size=4), st.lists(st.integers(0, 50), min_size=4, max_size=4)
)
def test_station_status_follows_the_rule(evm, slips):
    fields = vvpat.slip_fields(3)
    e, s = dict(zip(fields, evm, strict=True)), dict(zip(fields, slips, strict=True))
    first = vvpat.make_station("1", "lot", e, fields, s, None, False)
    assert first.status is (vvpat.StationStatus.MATCH if e == s else vvpat.StationStatus.MISMATCH)
    recount = vvpat.make_station("1", "lot", e, fields, s, s, False)
    assert recount.status in (vvpat.StationStatus.MATCH_ON_RECOUNT, vvpat.StationStatus.SLIP_PREVAILS)
    amended = vvpat.amended_values(s, fields)
    assert amended["total"] == sum(slips)


def test_draw_only_after_the_last_evm_round_and_only_once(store, monkeypatch):
    ac_id = make_ac(store, n_stations=8)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2])
    with pytest.raises(services.ServiceError, match="rounds 3 are not approved"):
        ro_vvpat.record_draw(store, ac_id, ["1", "2", "3", "4", "5"], "Candidate agent of P1", "", RO)
    count_and_approve(store, ac_id, [3])
    with pytest.raises(NotAllowed):
        ro_vvpat.record_draw(store, ac_id, ["1", "2", "3", "4", "5"], "x", "", OPERATOR)
    with pytest.raises(services.InvalidValue, match="5 stations"):
        ro_vvpat.record_draw(store, ac_id, ["1", "2"], "x", "", RO)
    reads = []
    real = ro_vvpat.all_entries
    monkeypatch.setattr(ro_vvpat, "all_entries", lambda *a: reads.append(1) or real(*a))
    ro_vvpat.record_draw(
        store, ac_id, ["2", "4", "6", "7", "8"], "Agent of P2", "Observer, agents of P1-P3", RO
    )
    # every round is read once, not once per station (on a 400-station AC that froze the
    # RO's screen for many seconds after the draw form's Enter)
    assert len(reads) == 1
    monkeypatch.undo()
    with pytest.raises(services.ServiceError, match="already recorded"):
        ro_vvpat.record_draw(store, ac_id, ["1", "2", "3", "4", "5"], "x", "", RO)
    view = ro_vvpat.vvpat_view(store, ac_id)
    assert [s.station for s in view.stations] == ["2", "4", "6", "7", "8"]
    assert {c.code.code for c in view.checks} == {"E119"}
    verified(store, ac_id)


def test_mismatch_recount_then_slip_count_prevails_through_the_correction_path(counted):
    store, ac_id = counted
    ro_vvpat.record_draw(store, ac_id, ["1", "3", "5", "7", "8"], "Agent of P1", "Observer", RO)
    n = ro_vvpat.decide_56d(store, ac_id, "Candidate 3 (P3)", "2", True, "close margin at PS 2", RO)
    ro_vvpat.decide_56d(store, ac_id, "Candidate 3 (P3)", "6", False, "no ground stated", RO)
    assert n == 1
    for s in ("1", "3", "5", "7", "8", "2"):
        shift = 2 if s == "3" else 0  # PS 3 (round 1): the slips give candidate 1 two more
        ro_vvpat.enter_slip_count(store, ac_id, s, slips_of(store, ac_id, s, shift), OPERATOR)
    view = ro_vvpat.vvpat_view(store, ac_id)
    assert [(s.station, s.why, s.status.value) for s in view.stations] == [
        ("1", "lot", "match"),
        ("3", "lot", "mismatch"),
        ("5", "lot", "match"),
        ("7", "lot", "match"),
        ("8", "lot", "match"),
        ("2", "rule 56D", "match"),
    ]
    d = view.stations[1].differences
    assert [(x.field, x.delta) for x in d] == [("c1", 2)]
    assert [c.code.code for c in view.checks] == ["E118"]
    with pytest.raises(services.ServiceError, match="only after a recount"):
        ro_vvpat.amend_from_slips(store, ac_id, "3", RO)
    with pytest.raises(services.ServiceError, match="follows a mismatch"):
        ro_vvpat.enter_slip_count(store, ac_id, "1", slips_of(store, ac_id, "1"), OPERATOR, recount=True)
    ro_vvpat.enter_slip_count(store, ac_id, "3", slips_of(store, ac_id, "3", 2), OPERATOR, recount=True)
    assert ro_vvpat.vvpat_view(store, ac_id).stations[1].status is vvpat.StationStatus.SLIP_PREVAILS
    with pytest.raises(services.RoundBlocked, match="E118"):
        ro_vvpat.complete_vvpat(store, ac_id, RO)
    with pytest.raises(NotAllowed):
        ro_vvpat.amend_from_slips(store, ac_id, "3", OPERATOR)
    before = services.round_tallies(store, ac_id)[-1].cumulative
    ro_vvpat.amend_from_slips(store, ac_id, "3", RO)

    status = {r: services.round_view(store, ac_id, r).info for r in (1, 2, 3)}
    assert status[1].status is RoundStatus.CORRECTION and status[1].revision == 2
    assert "VVPAT slip count prevails at PS 3" in status[1].remark
    assert status[2].status is status[3].status is RoundStatus.NEEDS_REAPPROVAL
    ps3 = services.round_view(store, ac_id, 1).entries[2].values
    assert ps3["c1"] == votes_of(store, ac_id, "3")["c1"] + 2 and ps3["total"] == 103 + 2
    after = services.round_tallies(store, ac_id)[-1].cumulative
    assert after.votes[0] == before.votes[0] + 2 and after.votes[1:] == before.votes[1:]
    annex = ro.correction_annex(store, ac_id, 1)
    assert [(c.station, c.field) for c in annex.changes] == [("3", "c1"), ("3", "total")]
    assert annex.invalidated == [2, 3] and annex.approved_by is None
    assert ro_vvpat.vvpat_view(store, ac_id).stations[1].status is vvpat.StationStatus.AMENDED
    verified(store, ac_id)

    for r in (1, 2, 3):
        ro.approve(store, ac_id, r, RO, RO_PIN)
    summary = ro_vvpat.complete_vvpat(store, ac_id, RO)
    assert (
        summary["stations"][1]["status"] == "amended"
        and summary["stations"][1]["amended_to"]["c1"] == ps3["c1"]
    )
    assert summary["stations"][1]["evm"]["c1"] == ps3["c1"] - 2
    with store.read() as conn:
        row = conn.execute(select(outbox.c.payload).where(outbox.c.kind == "vvpat")).one()
    msg = wire.VvpatResult.model_validate_json(row.payload)  # the wire message central accepts
    assert [s.station for s in msg.stations][:5] == ["1", "3", "5", "7", "8"]
    assert [a.allowed for a in msg.applications] == [True, False]
    amended = msg.stations[1]
    assert amended.amended and amended.recounted and not amended.matches and amended.first_count
    assert amended.evm.votes[0] == ps3["c1"] - 2 and amended.slips.votes[0] == ps3["c1"]
    assert ro_vvpat.vvpat_view(store, ac_id).done
    with pytest.raises(services.ServiceError, match="closed"):
        ro_vvpat.enter_slip_count(store, ac_id, "1", slips_of(store, ac_id, "1"), OPERATOR)
    verified(store, ac_id)
    with store.engine.begin() as conn:
        conn.execute(update(vvpat_count).where(vvpat_count.c.station == "5").values(slips='{"c1":1}'))
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and "vvpat_counts" in rep.problem and "'5'" in rep.problem


def test_kept_aside_stations_are_counted_in_a_final_vvpat_round(store):
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    for s in ("4", "5"):
        type_table(store, ac_id, 2, s, votes_of(store, ac_id, s))
    services.keep_aside(store, ac_id, 2, "6", KeptAsideReason.CU_DISPLAY_FAILURE, OPERATOR)
    services.submit_round(store, ac_id, 2, OPERATOR)
    ro.approve(store, ac_id, 2, RO, RO_PIN)
    with pytest.raises(services.ServiceError, match="not approved"):
        ro_vvpat.open_vvpat_round(store, ac_id, RO)
    count_and_approve(store, ac_id, [3])

    _ctx, f20 = services.form20(store, ac_id)
    row6 = f20.rows[5]
    assert row6.kept_aside and not row6.counted
    with pytest.raises(NotAllowed):
        ro_vvpat.open_vvpat_round(store, ac_id, OPERATOR)
    r = ro_vvpat.open_vvpat_round(store, ac_id, RO)
    assert r == 4
    ctx = services.load_context(store, ac_id)
    assert ctx.tables_of(4) == ["6"] and ctx.all_rounds == [0, 1, 2, 3, 4]
    assert services.round_view(store, ac_id, 4).info.kind == "vvpat"
    _ctx, f20 = services.form20(store, ac_id)
    assert f20.rows[5].kept_aside  # a blank slip-count table does not count the station yet
    type_table(store, ac_id, 4, "6", votes_of(store, ac_id, "6"))
    services.submit_round(store, ac_id, 4, OPERATOR)
    assert [i.round_no for i in ro.review_queue(store, ac_id)] == [4]
    ro.approve(store, ac_id, 4, RO, RO_PIN)
    _ctx, f20 = services.form20(store, ac_id)
    assert all(row.counted for row in f20.rows)
    assert f20.rows[5].totals.total == 106
    assert services.round_tallies(store, ac_id)[-1].round_no == 4
    verified(store, ac_id)
    # the VVPAT round survives a reload of the context from another process
    store.cache.clear()
    assert services.load_context(store, ac_id).tables_of(4) == ["6"]


def test_observer_cannot_touch_vvpat(counted):
    store, ac_id = counted
    for call in (
        lambda: ro_vvpat.record_draw(store, ac_id, ["1", "2", "3", "4", "5"], "x", "", OBSERVER),
        lambda: ro_vvpat.decide_56d(store, ac_id, "a", "1", True, "r", OBSERVER),
        lambda: ro_vvpat.enter_slip_count(store, ac_id, "1", {}, OBSERVER),
        lambda: ro_vvpat.open_vvpat_round(store, ac_id, OBSERVER),
        lambda: ro_vvpat.complete_vvpat(store, ac_id, OBSERVER),
    ):
        with pytest.raises(NotAllowed):
            call()
