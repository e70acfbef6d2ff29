"""The RO's whole day reaches central: rounds, the final VVPAT round of kept-aside stations,
the VVPAT verification, the declaration and the signed certificate — pushed by the relay to the
reference receiver under uvicorn, checked, stored once and shown on its board."""

from __future__ import annotations

import hashlib

import httpx
from sqlalchemy import update

from encore_tui import services
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.services import ro, ro_result, ro_vvpat
from encore_tui.store.models import outbox
from encore_tui.wire import build as wire_build
from encore_tui.wire import keys
from encore_tui.wire import messages as wire
from tests.conftest import OPERATOR, RO
from tests.support.receiver import CentralServer, relay_for, states
from tests.support.ro import PDF, RO_PIN, count_and_approve, make_ac, postal, type_table, verified, votes_of


def test_a_counting_day_reaches_central_once_with_the_declared_winner(store, tmp_path):
    centre_key = keys.init_keys()
    ac_id = make_ac(store, n_stations=7)
    ac_no = services.load_context(store, ac_id).setup.ac.number
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2])
    for s in services.load_context(store, ac_id).tables_of(3):
        if s == "7":
            services.keep_aside(store, ac_id, 3, s, KeptAsideReason.MOCK_POLL_NOT_CLEARED, OPERATOR)
        else:
            type_table(store, ac_id, 3, s, votes_of(store, ac_id, s))
    services.submit_round(store, ac_id, 3, OPERATOR)
    ro.approve(store, ac_id, 3, RO, RO_PIN)
    # VVPAT: five stations drawn, slips match; station 7 counted from its slips in round 4
    drawn = ["1", "2", "3", "4", "5"]
    ro_vvpat.record_draw(store, ac_id, drawn, "agent of P2", "Observer", RO)
    for s in drawn:
        v = votes_of(store, ac_id, s)
        ro_vvpat.enter_slip_count(store, ac_id, s, {k: v[k] for k in ("c1", "c2", "c3", "nota")}, OPERATOR)
    assert ro_vvpat.open_vvpat_round(store, ac_id, RO) == 4
    type_table(store, ac_id, 4, "7", votes_of(store, ac_id, "7"))
    services.submit_round(store, ac_id, 4, OPERATOR)
    ro.approve(store, ac_id, 4, RO, RO_PIN)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    f20_scan = PDF + b"Form 20 signed by the RO"
    ro_result.attach_scan(store, ac_id, "form20", "form20-signed.pdf", f20_scan, RO)  # before declaring
    decl = ro_result.declare_result(store, ac_id, RO, RO_PIN, place="Counting Centre, Testpur")
    ro_result.attach_scan(store, ac_id, "form22", "form22-signed.pdf", PDF + b"signed by the RO", RO)
    votes = ro_result.result_status(store, ac_id).votes

    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), ac_no)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        rep = relay.flush(force=True)
        assert rep.failed == [] and rep.left == 0, rep
        kinds = [k for _, k in central.messages()]
        assert kinds == [
            "postal", "round", "round", "round", "round", "vvpat", "document", "declaration", "document",
            "declaration",
        ]  # fmt: skip
        assert states(store) == ["acked"] * 10
        # the VVPAT round went out as what it is: round 4 of kind vvpat (the plan has 3 rounds)
        r4 = httpx.get(f"{central.url}/v1/acs/{ac_no}/rounds/4").json()
        assert (
            r4[0]["message"]["round_kind"] == "vvpat" and r4[0]["message"]["contest"]["rounds_planned"] == 3
        )
        assert [t["station"] for t in r4[0]["message"]["tables"]] == ["7"]

        res = httpx.get(f"{central.url}/v1/acs/{ac_no}").json()
        assert res["status"] == "declared" and res["vvpat_received"] and res["vvpat_round"]
        assert res["declared"]["winner"]["serial"] == decl.winner_serial == 1
        assert res["declared"]["margin"] == decl.margin == votes[0] - votes[1]
        assert res["declared"]["place"] == "Counting Centre, Testpur" and res["declared"]["certificate"]
        assert res["cumulative"]["candidates"] == list(votes)
        # the signed Form 20 and Form 22 are on file at central, by their sha256
        f22_scan = PDF + b"signed by the RO"
        assert res["signed_documents"] == {
            "20": hashlib.sha256(f20_scan).hexdigest(),
            "22": hashlib.sha256(f22_scan).hexdigest(),
        }
        board = httpx.get(central.url + "/board").text
        assert "elected" in board and "certificate received" in board and "VVPAT round" in board
        assert "Signed Form 20 on file" in board and "Signed Form 22 on file" in board
        # every round acknowledged is published locally; the journal still verifies
        d = services.dashboard(store, ac_id)
        assert all(d.rounds[r].status.value == "published" for r in (0, 1, 2, 3, 4))
        verified(store, ac_id)

        # replay: every row sent again (as after a crash before the receipts were kept)
        with store.write() as conn:
            conn.execute(update(outbox).values(state="queued", next_attempt_at=None))
        rep = relay.flush(force=True)
        assert len(rep.acked) == 10 and rep.failed == []
        assert len(central.messages()) == 10  # answered from the idempotency records: no duplicate
        again = httpx.get(f"{central.url}/v1/acs/{ac_no}").json()
        assert again["declared"] == res["declared"] and len(again["received"]) == 10
        relay.close()
    finally:
        central.stop()


def test_central_checks_the_declarations_evm_and_postal_parts():
    from encore_tui.domain.declaration import Declaration
    from encore_tui.domain.tally import Totals
    from tests.conftest import small_setup

    setup = small_setup()
    final = Totals((300, 200, 20), 5)
    d = Declaration(
        winner_serial=1, winner_votes=300, runner_up_serial=2, margin=100, declared_at="2026-12-01T10:00:00Z",
        ro_name="RO",
    )  # fmt: skip
    msg = wire_build.declaration_result(setup, 3, d, final, None, "c" * 64)
    assert msg.certificate is None and msg.form == "21C"
    from encore_tui.central.checks import check_declaration

    assert check_declaration(msg) == []
    evm, post = Totals((290, 195, 20), 5), Totals((10, 5, 0), 0)
    assert (
        check_declaration(msg.model_copy(update={"evm": wire.Tally.of(evm), "postal": wire.Tally.of(post)}))
        == []
    )
    bad = msg.model_copy(update={"evm": wire.Tally.of(evm), "postal": wire.Tally.of(Totals((9, 5, 0), 0))})
    assert check_declaration(bad) == ["final is not evm + postal"]


def test_central_takes_a_signed_form_21c_only_after_the_declaration():
    """A signed document's message (kind `document`): Form 20 at any time once signed, Form 21C
    and 22 only once central holds the declaration (the model's check, as the receiver runs it)."""
    import datetime as dt

    import pytest

    from encore_tui.central import acmodel
    from encore_tui.central.codes import Refusal
    from tests.conftest import small_setup

    setup = small_setup()
    doc = wire.SignedDocument(
        contest=wire_build.contest_of(setup, 3),
        form="21C",
        filename="form21c.pdf",
        media_type="application/pdf",
        size=10,
        sha256="a" * 64,
        attached_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        attached_by="ro",
        journal_hash="b" * 64,
    )
    with pytest.raises(Refusal) as exc:
        acmodel.check(None, doc)
    assert exc.value.code == "not_declared"
    f20 = doc.model_copy(update={"form": "20"})
    acmodel.check(None, f20)
    assert acmodel.apply(None, f20, 1, "2026-12-01T10:00:00Z").documents == {"20": "a" * 64}
