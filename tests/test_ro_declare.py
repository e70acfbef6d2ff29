"""Postal scans, recount, Form 20 sign-off, the tie lot and the declaration (SQLite, PostgreSQL)."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, update

from encore_tui import services
from encore_tui.domain import declaration as dd
from encore_tui.domain.rounds import NotAllowed, RoundStatus
from encore_tui.services import ro, ro_margin, ro_result, ro_vvpat
from encore_tui.store.models import attachment, outbox, ro_record
from encore_tui.wire import messages as wire
from tests.conftest import OBSERVER, OPERATOR, RO
from tests.support.ro import (
    PDF,
    RO_PIN,
    count_and_approve,
    make_ac,
    postal,
    type_round,
    type_table,
    verified,
    votes_of,
    vvpat_done,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def counted(store):
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2, 3])
    return store, ac_id


def codes(checks):
    return sorted({c.code.code for c in checks})


def test_postal_scans_are_stored_with_their_hash_and_checked(store, tmp_path):
    ac_id = make_ac(store)
    with pytest.raises(services.InvalidValue, match="PDF, PNG, JPEG or TIFF"):
        ro_result.attach_scan(store, ac_id, "form13a", "notes.txt", b"hello", OPERATOR)
    with pytest.raises(services.InvalidValue, match="empty"):
        ro_result.attach_scan(store, ac_id, "form13b", "x.pdf", b"", OPERATOR)
    with pytest.raises(NotAllowed):
        ro_result.attach_scan(store, ac_id, "form13a", "a.pdf", PDF, OBSERVER)
    (tmp_path / "13b.png").write_bytes(PNG)
    info = ro_result.attach_scan_file(store, ac_id, "form13b", tmp_path / "13b.png", OPERATOR)
    assert (info.media_type, info.size, info.round_no) == ("image/png", len(PNG), 0)
    with pytest.raises(services.ServiceError, match="already attached"):
        ro_result.attach_scan(store, ac_id, "form13b", "again.png", PNG, OPERATOR)
    with pytest.raises(services.ServiceError, match="after the result is declared"):
        ro_result.attach_scan(store, ac_id, "form22", "cert.pdf", PDF, RO)
    assert [a.filename for a in ro_result.list_attachments(store, ac_id)] == ["13b.png"]
    got, content = ro_result.read_attachment(store, ac_id, info.id)
    assert content == PNG and got.sha256 == info.sha256
    out = ro_result.export_attachment(store, ac_id, info.id, tmp_path / "view.png")
    assert out.read_bytes() == PNG
    verified(store, ac_id)
    with store.engine.begin() as conn:  # a scan swapped behind the application's back
        conn.execute(update(attachment).values(content=PNG + b"!"))
    with pytest.raises(services.ServiceError, match="altered"):
        ro_result.read_attachment(store, ac_id, info.id)
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and "attachments" in rep.problem


def test_postal_round_is_approved_by_the_ro_after_the_scans(store):
    ac_id = make_ac(store)
    postal(store, ac_id, approve=False)
    with pytest.raises(services.RoundBlocked, match="E116"):
        ro.approve(store, ac_id, 0, RO, RO_PIN)
    ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", PDF, OPERATOR)
    rv = ro.review_round(store, ac_id, 0)
    assert rv.blockers == [] and rv.view.postal_totals.total == 20
    assert [(a.purpose, a.filename) for a in rv.scans] == [("form13a", "13a.pdf")]
    ro.approve(store, ac_id, 0, RO, RO_PIN)
    assert services.round_view(store, ac_id, 0).info.status is RoundStatus.APPROVED
    verified(store, ac_id)


def test_declaration_is_blocked_while_a_station_is_uncounted(store):
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2])
    type_round(store, ac_id, 3)  # PS 7 typed but round 3 not submitted
    services.enter_cell(store, ac_id, 3, "7", "total", None, OPERATOR)
    st = ro_result.result_status(store, ac_id)
    assert codes(st.checks) == ["E105", "E109", "E111", "E117"]
    assert [c.station for c in st.checks if c.code.code == "E105"] == ["7"]
    with pytest.raises(services.RoundBlocked, match="E105"):
        ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    with pytest.raises(services.RoundBlocked, match="E105"):
        ro_result.declare_result(store, ac_id, RO, RO_PIN)
    verified(store, ac_id)


def test_a_kept_aside_station_blocks_until_its_vvpat_round(store):
    from encore_tui.domain.entries import KeptAsideReason

    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2])
    services.keep_aside(store, ac_id, 3, "7", KeptAsideReason.MOCK_POLL_NOT_CLEARED, OPERATOR)
    services.submit_round(store, ac_id, 3, OPERATOR)
    ro.approve(store, ac_id, 3, RO, RO_PIN)
    vvpat_done(store, ac_id)
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E110", "E117"]
    ro_vvpat.open_vvpat_round(store, ac_id, RO)
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E109", "E110", "E117"]
    type_table(store, ac_id, 4, "7", votes_of(store, ac_id, "7"))
    services.submit_round(store, ac_id, 4, OPERATOR)
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E109", "E117"]
    ro.approve(store, ac_id, 4, RO, RO_PIN)
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    decl = ro_result.declare_result(store, ac_id, RO, RO_PIN, place="Counting Centre, Testpur")
    assert decl.winner_serial == 1
    verified(store, ac_id)


def test_full_path_recount_sign_declare_and_certificate(counted):
    store, ac_id = counted
    vvpat_done(store, ac_id)
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E117"]
    with pytest.raises(services.RoundBlocked, match="E117"):
        ro_result.declare_result(store, ac_id, RO, RO_PIN)
    # a partial recount before Form 20 is signed runs through the correction path
    with pytest.raises(NotAllowed):
        ro_result.record_recount(store, ac_id, "Candidate 2", ["4"], True, "close", OPERATOR)
    assert ro_result.record_recount(store, ac_id, "Candidate 3", None, False, "no ground given", RO) == []
    rounds = ro_result.record_recount(
        store, ac_id, "Candidate 2 (P2)", ["4"], True, "margin small at PS 4", RO
    )
    assert rounds == [2]
    assert services.round_view(store, ac_id, 2).info.status is RoundStatus.CORRECTION
    assert services.round_view(store, ac_id, 3).info.status is RoundStatus.NEEDS_REAPPROVAL
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E109", "E117"]
    services.enter_cell(store, ac_id, 2, "4", "c2", 5, RO)  # the recount found one vote less for c2…
    services.enter_cell(store, ac_id, 2, "4", "nota", 2, RO)  # …which was a NOTA vote
    ro.approve(store, ac_id, 2, RO, RO_PIN)
    ro.approve(store, ac_id, 3, RO, RO_PIN)
    annex = ro.correction_annex(store, ac_id, 2)
    assert "Recount (Rule 63)" in annex.reason and [c.field for c in annex.changes] == ["c2", "nota"]

    with pytest.raises(services.AuthError):
        ro_result.sign_form20(store, ac_id, RO, "9999")
    signed = ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    assert len(signed["sha256"]) == 64
    with pytest.raises(services.ServiceError, match="no recount application"):
        ro_result.record_recount(store, ac_id, "Candidate 2", ["1"], True, "again", RO)
    with pytest.raises(services.ServiceError, match="Form 20 is signed"):
        ro.correct(store, ac_id, 1, "late change", RO, RO_PIN)
    with pytest.raises(services.ServiceError, match="Form 20 is signed"):  # the raw service too
        services.open_correction(store, ac_id, 2, "late change", RO)
    assert services.dashboard(store, ac_id).rounds[2].status.is_approved
    with pytest.raises(services.ServiceError, match="no lot"):
        ro_result.record_tie_lot(store, ac_id, 1, "RO", "", RO)
    with pytest.raises(NotAllowed):
        ro_result.declare_result(store, ac_id, OPERATOR, "1111")
    decl = ro_result.declare_result(store, ac_id, RO, RO_PIN, place="Testpur")
    votes = ro_result.result_status(store, ac_id).votes
    assert decl.winner_serial == 1 and decl.winner_votes == votes[0] and decl.margin == votes[0] - votes[1]
    assert decl.ro_name == RO.display_name and decl.tie_lot is None
    with pytest.raises(services.ServiceError, match="already declared"):
        ro_result.declare_result(store, ac_id, RO, RO_PIN)
    assert ro_result.result_status(store, ac_id).declaration == decl

    ro_result.attach_scan(store, ac_id, "form22", "form22-signed.pdf", PDF + b"signed", RO)
    with store.read() as conn:
        rows = [
            (r.kind, r.idempotency_key, json.loads(r.payload))
            for r in conn.execute(select(outbox.c.kind, outbox.c.idempotency_key, outbox.c.payload))
        ]
    # the outbox holds the wire messages central accepts (encore_tui/wire/messages.py), nothing else
    for kind, _key, p in rows:
        wire.MODELS[kind].model_validate(p)
    (vv,) = [p for k, _, p in rows if k == "vvpat"]
    assert len(vv["stations"]) == 5 and all(s["matches"] for s in vv["stations"])
    decls = [(key, p) for k, key, p in rows if k == "declaration"]
    assert [p["revision"] for _, p in decls] == [1, 2]
    assert [key.split("-")[1:3] for key, _ in decls] == [["declaration", "v1"], ["declaration", "v2"]]
    first, second = (p for _, p in decls)
    assert first["winner"] == 1 and first["margin"] == decl.margin and first["certificate"] is None
    assert first["form20_sha256"] == signed["sha256"] and first["place"] == "Testpur"
    assert first["final"]["candidates"] == list(votes)
    assert second["certificate"]["sha256"] == hashlib.sha256(PDF + b"signed").hexdigest()
    assert {
        k: v for k, v in second.items() if k not in ("certificate", "revision", "journal_hash", "journal_seq")
    } == {
        k: v for k, v in first.items() if k not in ("certificate", "revision", "journal_hash", "journal_seq")
    }
    verified(store, ac_id)
    with store.engine.begin() as conn:
        conn.execute(
            update(ro_record).where(ro_record.c.key == "declaration").values(value='{"winner_serial":2}')
        )
    rep = services.verify_journal(store, ac_id)
    assert not rep.ok and "declaration" in rep.problem


def test_tie_is_decided_by_a_recorded_lot(store):
    ac_id = make_ac(store, n_stations=1, tables=1)  # one round, one station (17C total 101)
    postal(store, ac_id)  # postal: c1 10, c2 5, c3 1
    type_table(store, ac_id, 1, "1", {"c1": 45, "c2": 50, "c3": 5, "nota": 1, "total": 101})
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    with pytest.raises(services.InvalidValue, match="drawn twice"):
        ro_vvpat.record_draw(store, ac_id, ["1", "1"], "x", "", RO)
    ro_vvpat.record_draw(store, ac_id, ["1"], "Agent of P3", "Observer", RO)
    ro_vvpat.enter_slip_count(store, ac_id, "1", {"c1": 45, "c2": 50, "c3": 5, "nota": 1}, OPERATOR)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    with pytest.raises(services.ServiceError, match="Sign Form 20 first"):
        ro_result.record_tie_lot(store, ac_id, 2, "RO", "", RO)
    # a tie (margin 0) is below the 3 rejected postal ballots: they are re-verified first (E123)
    assert "E123" in codes(ro_result.declaration_checks(store, ac_id))
    ro_margin.record_postal_reverification(
        store, ac_id, 3, "upheld", "re-verified before the agents", RO, RO_PIN
    )
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    st = ro_result.result_status(store, ac_id)
    assert st.votes[:2] == (55, 55) and st.tied == (1, 2) and codes(st.checks) == ["E112"]
    with pytest.raises(services.RoundBlocked, match="E112"):
        ro_result.declare_result(store, ac_id, RO, RO_PIN)
    with pytest.raises(services.InvalidValue, match="between candidates 1, 2"):
        ro_result.record_tie_lot(store, ac_id, 3, "RO", "", RO)
    with pytest.raises(NotAllowed):
        ro_result.record_tie_lot(store, ac_id, 2, "RO", "", OBSERVER)
    lot = ro_result.record_tie_lot(
        store, ac_id, 2, "the RO, in front of both candidates", "Observer; agents", RO
    )
    assert lot.tied_serials == (1, 2) and lot.drawn_serial == 2
    with pytest.raises(services.ServiceError, match="not drawn again"):
        ro_result.record_tie_lot(store, ac_id, 1, "RO", "", RO)
    decl = ro_result.declare_result(store, ac_id, RO, RO_PIN)
    assert (decl.winner_serial, decl.winner_votes, decl.runner_up_serial, decl.margin) == (2, 56, 1, 1)
    assert decl.tie_lot == lot
    with store.read() as conn:
        (row,) = conn.execute(select(outbox.c.payload).where(outbox.c.kind == "declaration")).all()
    msg = wire.DeclarationResult.model_validate_json(row.payload)
    assert msg.tie_lot.drawn_by.startswith("the RO") and (msg.winner, msg.margin) == (2, 1)
    from encore_tui.central.checks import check_declaration

    assert check_declaration(msg) == []  # central accepts the tie decided by lot
    verified(store, ac_id)


def test_decide_rules():
    import datetime as dt

    assert dd.decide([5, 9, 2], None) == (2, 9, 1, 4)
    with pytest.raises(dd.ResultError, match="tied"):
        dd.decide([9, 9, 2], None)
    lot = dd.TieLot(tied_serials=(1, 2), drawn_serial=1, drawn_by="RO", at=dt.datetime.now(dt.UTC))
    assert dd.decide([9, 9, 2], lot) == (1, 10, 2, 1)
    with pytest.raises(dd.ResultError, match="not tied"):
        dd.decide([9, 8, 2], lot)
    with pytest.raises(dd.ResultError, match="no candidate"):
        dd.decide([0, 0], None)


def test_every_ro_decision_is_refused_to_operators_and_observers(counted):
    """Operators never approve, correct, draw, decide or declare; observers never change anything."""
    from tests.conftest import OPERATOR2

    store, ac_id = counted
    decisions = {
        "approve": lambda a: ro.approve(store, ac_id, 1, a, "1111"),
        "return": lambda a: ro.return_to_operator(store, ac_id, 1, "x", a),
        "correct": lambda a: ro.correct(store, ac_id, 1, "x", a, "1111"),
        "settings": lambda a: ro.set_spot_check_rounds(store, ac_id, 1, a),
        "spot": lambda a: ro.draw_spot_check(store, ac_id, 1, a),
        "double": lambda a: ro.open_double_entry(store, ac_id, 1, "op2", a),
        "resolve": lambda a: ro.resolve_blind(store, ac_id, 1, "spot", "1", "c1", "entered", a),
        "draw": lambda a: ro_vvpat.record_draw(store, ac_id, ["1", "2", "3", "4", "5"], "x", "", a),
        "56d": lambda a: ro_vvpat.decide_56d(store, ac_id, "x", "1", True, "x", a),
        "amend": lambda a: ro_vvpat.amend_from_slips(store, ac_id, "1", a),
        "vvpat round": lambda a: ro_vvpat.open_vvpat_round(store, ac_id, a),
        "vvpat complete": lambda a: ro_vvpat.complete_vvpat(store, ac_id, a),
        "recount": lambda a: ro_result.record_recount(store, ac_id, "x", ["1"], True, "x", a),
        "tie": lambda a: ro_result.record_tie_lot(store, ac_id, 1, "x", "", a),
        "sign": lambda a: ro_result.sign_form20(store, ac_id, a, "1111"),
        "declare": lambda a: ro_result.declare_result(store, ac_id, a, "1111"),
        "form22": lambda a: ro_result.attach_scan(store, ac_id, "form22", "c.pdf", PDF, a),
    }
    entry_like = {  # what an operator may do, an observer may not
        "13a": lambda a: ro_result.attach_scan(store, ac_id, "form13a", "a.pdf", PDF + b"x", a),
        "slips": lambda a: ro_vvpat.enter_slip_count(store, ac_id, "1", {}, a),
        "blind": lambda a: ro.enter_blind(store, ac_id, 1, "double", "1", "c1", 1, a),
    }
    for call in decisions.values():
        for who in (OPERATOR, OPERATOR2, OBSERVER):
            with pytest.raises(NotAllowed):
                call(who)
    for call in entry_like.values():
        with pytest.raises(NotAllowed):
            call(OBSERVER)
    with store.read() as conn:
        assert conn.execute(select(ro_record.c.key)).all() == [("setting:spot_check_rounds",)]
    verified(store, ac_id)


def test_a_full_recount_opens_the_postal_round_and_every_evm_round(counted):
    store, ac_id = counted
    vvpat_done(store, ac_id)
    last = services.load_context(store, ac_id).last_round
    rounds = ro_result.record_recount(store, ac_id, "Candidate 2 (P2)", None, True, "margin of 3 votes", RO)
    assert rounds == list(range(0, last + 1))
    d = services.dashboard(store, ac_id)
    assert all(d.rounds[r].status is RoundStatus.CORRECTION for r in rounds)
    assert "E109" in codes(ro_result.declaration_checks(store, ac_id))
    for r in rounds:  # the recount confirms every figure: each approved again, in order
        ro.approve(store, ac_id, r, RO, RO_PIN)
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E117"]
    assert services.verify_journal(store, ac_id).ok
