"""The service layer on SQLite and PostgreSQL: every change durable and journaled."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from encore_tui import services
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.rounds import NotAllowed, RoundStatus
from encore_tui.store.models import cell, journal
from tests.conftest import ADMIN, OBSERVER, OPERATOR, OPERATOR2, RO
from tests.support.flows import approve, postal_done, type_round, type_table


def test_cells_are_saved_journaled_and_shown(small_ac):
    store, ac_id = small_ac
    saved = services.enter_cell(store, ac_id, 1, "1", "c1", 42, OPERATOR)
    assert saved.after == 42 and saved.before is None and saved.seq > 1
    v = services.round_view(store, ac_id, 1)
    assert v.entries[0].values == {"c1": 42}
    assert [e.station for e in v.entries] == ["1", "2", "3"]
    assert services.verify_journal(store, ac_id).ok


def test_bad_values_never_reach_the_store(small_ac):
    store, ac_id = small_ac
    for bad in (-1, 1001, "12", True):
        with pytest.raises(services.InvalidValue):
            services.enter_cell(store, ac_id, 1, "1", "c1", bad, OPERATOR)
    with pytest.raises(services.InvalidValue):
        services.parse_cell_text("12a", 1000)
    with pytest.raises(services.InvalidValue):
        services.parse_cell_text("１２", 1000)  # full-width digits
    assert services.parse_cell_text(" 12 ", 1000) == 12
    with pytest.raises(services.ServiceError):
        services.enter_cell(store, ac_id, 1, "7", "c1", 1, OPERATOR)  # PS 7 is in round 3
    assert services.round_view(store, ac_id, 1).entries[0].values == {}


def test_submit_is_blocked_until_the_round_adds_up(small_ac):
    store, ac_id = small_ac
    type_round(store, ac_id, 1)
    services.enter_cell(store, ac_id, 1, "2", "total", 50, OPERATOR)  # wrong total
    with pytest.raises(services.RoundBlocked) as exc:
        services.submit_round(store, ac_id, 1, OPERATOR)
    assert "E101" in str(exc.value)
    services.enter_cell(store, ac_id, 1, "2", "total", 102, OPERATOR)
    services.submit_round(store, ac_id, 1, OPERATOR)
    assert services.round_view(store, ac_id, 1).info.status is RoundStatus.SUBMITTED
    with pytest.raises(services.ServiceError):  # locked for the operator
        services.enter_cell(store, ac_id, 1, "1", "c1", 1, OPERATOR)


def test_17c_warning_needs_acknowledgement_or_keep_aside(small_ac):
    store, ac_id = small_ac
    type_round(store, ac_id, 1)
    services.enter_cell(store, ac_id, 1, "3", "c2", 7, OPERATOR)
    services.enter_cell(store, ac_id, 1, "3", "total", 104, OPERATOR)  # adds up, but ≠ 17C (103)
    with pytest.raises(services.RoundBlocked) as exc:
        services.submit_round(store, ac_id, 1, OPERATOR)
    assert [c.code.code for c in exc.value.checks] == ["W201"]
    services.acknowledge_warning(store, ac_id, 1, "3", "W201", OPERATOR)
    services.submit_round(store, ac_id, 1, OPERATOR)


def test_kept_aside_table_stays_blank_and_round_can_be_submitted(small_ac):
    store, ac_id = small_ac
    type_table(store, ac_id, 1, "1", [91, 6, 3], 1)
    with pytest.raises(services.ServiceError):
        services.keep_aside(store, ac_id, 1, "1", KeptAsideReason.CU_DISPLAY_FAILURE, OPERATOR)
    services.keep_aside(store, ac_id, 1, "2", KeptAsideReason.CU_DISPLAY_FAILURE, OPERATOR)
    with pytest.raises(services.ServiceError):
        services.enter_cell(store, ac_id, 1, "2", "c1", 5, OPERATOR)
    with pytest.raises(services.InvalidValue):
        services.keep_aside(store, ac_id, 1, "3", KeptAsideReason.OTHER, OPERATOR)  # needs a note
    services.keep_aside(store, ac_id, 1, "3", "other", OPERATOR, note="seal broken")
    services.submit_round(store, ac_id, 1, OPERATOR)
    d = services.dashboard(store, ac_id)
    assert sorted(e.station for e in d.kept_aside) == ["2", "3"]
    assert services.verify_journal(store, ac_id).ok


def test_return_with_remark_then_resubmit_makes_a_new_revision(small_ac):
    store, ac_id = small_ac
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    with pytest.raises(NotAllowed):
        services.return_round(store, ac_id, 1, "check", OPERATOR)
    with pytest.raises(services.InvalidValue):
        services.return_round(store, ac_id, 1, "  ", RO)
    services.return_round(store, ac_id, 1, "Table 2: candidate 1 looks wrong", RO)
    info = services.round_view(store, ac_id, 1).info
    assert info.status is RoundStatus.RETURNED and "Table 2" in info.remark
    services.enter_cell(store, ac_id, 1, "2", "c1", 91, OPERATOR)
    services.enter_cell(store, ac_id, 1, "2", "c2", 7, OPERATOR)  # 91+7+3+1 = 102 == 17C
    services.submit_round(store, ac_id, 1, OPERATOR)
    revs = services.revisions(store, ac_id, 1)
    assert [r["revision"] for r in revs] == [1, 2]
    assert revs[0]["digest"] != revs[1]["digest"]


def test_rounds_are_approved_in_order_and_queued_for_publication(small_ac):
    store, ac_id = small_ac
    postal_done(store, ac_id)
    type_round(store, ac_id, 1)
    type_round(store, ac_id, 2)
    services.submit_round(store, ac_id, 2, OPERATOR)
    with pytest.raises(services.ServiceError, match="Approve round 1"):
        services.approve_round(store, ac_id, 2, RO)
    with pytest.raises(NotAllowed):
        services.approve_round(store, ac_id, 1, OPERATOR)
    approve(store, ac_id, 1)
    services.approve_round(store, ac_id, 2, RO)
    d = services.dashboard(store, ac_id)
    assert d.outbox == {"queued": 3}  # postal + rounds 1, 2
    services.publish_round(store, ac_id, 1, services.SYSTEM)
    assert services.round_view(store, ac_id, 1).info.status is RoundStatus.PUBLISHED


def test_correction_of_an_earlier_round_needs_reapproval_of_every_later_one(small_ac):
    store, ac_id = small_ac
    postal_done(store, ac_id)
    for r in (1, 2):
        type_round(store, ac_id, r)
        approve(store, ac_id, r)
    services.publish_round(store, ac_id, 1, services.SYSTEM)
    before = services.round_view(store, ac_id, 2).tally.cumulative
    services.open_correction(store, ac_id, 1, "table 1 candidate 2 misread", RO)
    assert services.round_view(store, ac_id, 2).info.status is RoundStatus.NEEDS_REAPPROVAL
    with pytest.raises(services.ServiceError):  # operators cannot touch a correction
        services.enter_cell(store, ac_id, 1, "1", "c2", 5, OPERATOR)
    services.enter_cell(store, ac_id, 1, "1", "c1", 90, RO)
    services.enter_cell(store, ac_id, 1, "1", "c2", 7, RO)
    with pytest.raises(services.ServiceError, match="Approve round 1"):
        services.approve_round(store, ac_id, 2, RO)
    services.approve_round(store, ac_id, 1, RO)
    services.approve_round(store, ac_id, 2, RO)
    after = services.round_view(store, ac_id, 2).tally.cumulative
    assert after.votes[0] == before.votes[0] - 1 and after.votes[1] == before.votes[1] + 1
    assert services.round_view(store, ac_id, 1).info.revision == 2
    assert services.verify_journal(store, ac_id).ok


def test_observer_changes_nothing(small_ac):
    store, ac_id = small_ac
    with pytest.raises(NotAllowed):
        services.enter_cell(store, ac_id, 1, "1", "c1", 1, OBSERVER)
    with pytest.raises(NotAllowed):
        services.submit_round(store, ac_id, 1, OBSERVER)
    with pytest.raises(NotAllowed):
        services.create_ac(store, services.load_context(store, ac_id).setup, OPERATOR)


def test_a_stale_edit_is_refused_naming_who_changed_it(small_ac):
    store, ac_id = small_ac
    services.enter_cell(store, ac_id, 1, "1", "c1", 10, OPERATOR)
    services.enter_cell(store, ac_id, 1, "1", "c1", 12, OPERATOR2, expected=10)
    with pytest.raises(services.StaleEdit, match="op2 changed it to 12"):
        services.enter_cell(store, ac_id, 1, "1", "c1", 11, OPERATOR, expected=10)


def test_postal_round_and_penultimate_rule(small_ac):
    store, ac_id = small_ac
    type_round(store, ac_id, 1)
    approve(store, ac_id, 1)
    type_round(store, ac_id, 2)  # round 2 of 3 is the penultimate
    with pytest.raises(services.RoundBlocked, match="E108"):
        services.submit_round(store, ac_id, 2, OPERATOR)
    postal_done(store, ac_id)
    services.submit_round(store, ac_id, 2, OPERATOR)
    view = services.round_view(store, ac_id, 1)
    assert view.tally.brought_forward.votes == (10, 5, 1)


def test_change_plan_never_touches_started_rounds(small_ac):
    store, ac_id = small_ac
    services.enter_cell(store, ac_id, 1, "1", "c1", 1, OPERATOR)
    with pytest.raises(NotAllowed):
        services.change_plan(store, ac_id, 2, OPERATOR)
    plan = services.change_plan(store, ac_id, 2, ADMIN)
    assert plan.rounds[0] == ("1", "2", "3") and plan.rounds[1:] == (("4", "5"), ("6", "7"))
    assert services.dashboard(store, ac_id).rounds.keys() == {0, 1, 2, 3}
    assert services.verify_journal(store, ac_id).ok


def test_journal_verify_names_the_event_after_a_change_behind_the_apps_back(small_ac):
    store, ac_id = small_ac
    type_round(store, ac_id, 1)
    assert services.verify_journal(store, ac_id).ok
    with store.engine.begin() as conn:
        conn.execute(update(cell).where(cell.c.station == "2", cell.c.field == "c2").values(value=60))
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and "PS 2 c2" in rep.problem and rep.event_seq is not None
    with store.engine.begin() as conn:
        conn.execute(update(cell).where(cell.c.station == "2", cell.c.field == "c2").values(value=6))
        seq = conn.execute(
            select(journal.c.seq)
            .where(journal.c.ac_id == ac_id, journal.c.kind == "cell.entered")
            .order_by(journal.c.seq)
            .limit(1)
        ).scalar()
        conn.execute(
            update(journal).where(journal.c.ac_id == ac_id, journal.c.seq == seq).values(actor="mallory")
        )
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and rep.event_seq == seq and "altered" in rep.problem
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM journal WHERE ac_id = :a AND seq = (SELECT MAX(seq) FROM journal WHERE ac_id = :a)"
            ),
            {"a": ac_id},
        )
        conn.execute(
            update(journal).where(journal.c.ac_id == ac_id, journal.c.seq == seq).values(actor="op1")
        )
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and "removed" in rep.problem


def test_users_pin_hash_and_lockout(store):
    import datetime as dt

    services.add_user(store, "asha", "operator", "2468", "Asha Kumari")
    a = services.authenticate(store, "asha", "2468")
    assert a.display_name == "Asha Kumari"
    with store.read() as conn:
        h = conn.execute(text("SELECT pin_hash FROM app_user")).scalar()
    assert h.startswith("$argon2id$") and "2468" not in h
    t0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    for _i in range(5):
        with pytest.raises(services.AuthError):
            services.authenticate(store, "asha", "0000", now=t0)
    with pytest.raises(services.AuthError, match="locked"):
        services.authenticate(store, "asha", "2468", now=t0 + dt.timedelta(minutes=1))
    assert services.authenticate(store, "asha", "2468", now=t0 + dt.timedelta(minutes=16)).username == "asha"
    with pytest.raises(services.ServiceError):
        services.add_user(store, "asha", "ro", "1234")
    assert services.verify_journal(store, 0).ok
