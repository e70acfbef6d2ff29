"""What changes after the first push reaches central as what it is — the counting app, the relay
and the reference receiver under uvicorn, end to end:
- a change of the counting plan, or a candidate's name corrected, goes as a signed setup
  amendment: the board marks it, and the rounds that follow are accepted;
- a recount (Rule 63): the RO's order is pushed with the decision, the board shows "recount"
  until the recounted rounds arrive, and the declaration then goes through."""

from __future__ import annotations

import re

import httpx
import pytest

from encore_tui import services
from encore_tui.push import queue
from encore_tui.services import ro, ro_result
from encore_tui.wire import keys
from tests.conftest import OPERATOR, RO
from tests.support.receiver import CentralServer, relay_for
from tests.support.ro import RO_PIN, count_and_approve, make_ac, postal, verified, vvpat_done


def _card(url: str, ac_no: int) -> str:
    page = httpx.get(url + "/board").text
    card = re.search(rf'<section class="ac" id="ac{ac_no}">(.*?)</section>', page, re.S)
    assert card, page
    return " ".join(re.sub(r"<[^>]+>", " ", card[1]).split())


def test_a_plan_change_after_the_first_push_goes_as_a_setup_amendment(store, tmp_path):
    centre_key = keys.init_keys()
    ac_id = make_ac(store, n_stations=7, tables=2)  # 4 rounds: 2 + 2 + 2 + 1 stations
    ac_no = services.load_context(store, ac_id).setup.ac.number
    services.change_plan(store, ac_id, 3, RO)  # before anything was queued: nothing for central
    assert services.load_context(store, ac_id).last_round == 3
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1])
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), ac_no)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        assert relay.flush(force=True).failed == []
        assert [k for _, k in central.messages()] == ["postal", "round"]
        # five tables from round 2 on: the 4 stations left are one round, 2 rounds in all
        services.change_plan(store, ac_id, 5, RO)
        assert services.load_context(store, ac_id).last_round == 2
        rep = relay.flush(force=True)
        assert rep.failed == [] and rep.left == 0, rep
        assert [k for _, k in central.messages()] == ["postal", "round", "setup"]
        assert queue.queue_state(store)[-1].label == "setup amendment (revision 3)"
        res = httpx.get(f"{central.url}/v1/acs/{ac_no}").json()
        assert res["rounds_planned"] == 2 and res["plan_changes"] == [[3, 2]]
        assert res["setup_amendments"][0]["reason"] == "Counting plan changed: 5 tables, 3 → 2 rounds"
        card = _card(central.url, ac_no)
        assert "Round 1 of 2 (plan changed from 3 rounds)" in card
        assert "Setup amended" in card and "Counting plan changed: 5 tables, 3 → 2 rounds" in card
        count_and_approve(store, ac_id, [2])  # the last round of the new plan is accepted
        rep = relay.flush(force=True)
        assert rep.failed == [] and rep.left == 0, rep
        assert "Round 2 of 2" in _card(central.url, ac_no)
        verified(store, ac_id)
        relay.close()
    finally:
        central.stop()


def test_a_recount_is_shown_as_such_and_its_figures_are_accepted(store, tmp_path):
    centre_key = keys.init_keys()
    ac_id = make_ac(store, n_stations=7)
    ac_no = services.load_context(store, ac_id).setup.ac.number
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2, 3])
    vvpat_done(store, ac_id)
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), ac_no)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        assert relay.flush(force=True).failed == []
        assert httpx.get(f"{central.url}/v1/acs/{ac_no}").json()["status"] == "counting"

        # a candidate applies; the RO allows a recount of PS 4 (round 2): the order goes out
        rounds = ro_result.record_recount(
            store, ac_id, "Candidate 2 (P2)", ["4"], True, "margin small at PS 4", RO
        )
        assert rounds == [2]
        rep = relay.flush(force=True)
        assert rep.failed == [] and rep.left == 0, rep
        assert [k for _, k in central.messages()][-1] == "recount"
        assert queue.queue_state(store)[-1].label == "recount order (revision 1)"
        res = httpx.get(f"{central.url}/v1/acs/{ac_no}").json()
        assert res["status"] == "recount" and res["recounting"] == [2]
        assert res["recounts"][0]["reason"] == "margin small at PS 4" and not res["recounts"][0]["done"]
        card = _card(central.url, ac_no)
        assert (
            "Recount (Rule 63) under way: round(s) 2" in card and "margin small at PS 4 (under way)" in card
        )

        # the recount finds one vote of candidate 2 was a NOTA vote; round 2 corrected, 3 re-approved
        services.enter_cell(store, ac_id, 2, "4", "c2", 5, RO)
        services.enter_cell(store, ac_id, 2, "4", "nota", 2, RO)
        ro.approve(store, ac_id, 2, RO, RO_PIN)
        ro.approve(store, ac_id, 3, RO, RO_PIN)
        ro_result.sign_form20(store, ac_id, RO, RO_PIN)
        decl = ro_result.declare_result(store, ac_id, RO, RO_PIN, place="Testpur")
        votes = ro_result.result_status(store, ac_id).votes
        rep = relay.flush(force=True)
        assert rep.failed == [] and rep.left == 0, rep  # the recounted figures, then the declaration
        kinds = [k for _, k in central.messages()]
        assert kinds[-4:] == ["recount", "correction", "round", "declaration"]
        res = httpx.get(f"{central.url}/v1/acs/{ac_no}").json()
        assert res["status"] == "declared" and res["recounting"] == [] and res["recounts"][0]["done"]
        assert res["cumulative"]["candidates"] == list(votes)
        assert res["declared"]["winner"]["serial"] == decl.winner_serial
        card = _card(central.url, ac_no)
        assert "DECLARED" in card and "margin small at PS 4 (recounted)" in card
        verified(store, ac_id)
        relay.close()
    finally:
        central.stop()


def test_a_corrected_candidate_name_goes_as_a_setup_amendment(store, tmp_path):
    from encore_tui.printing import data as printed
    from encore_tui.services.amend import amend_candidate

    centre_key = keys.init_keys()
    ac_id = make_ac(store, n_stations=7)
    ctx = services.load_context(store, ac_id)
    ac_no, old_name = ctx.setup.ac.number, ctx.setup.candidates[1].name
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1])
    chain_before = printed.ac_state(store, ac_id)
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), ac_no)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        assert relay.flush(force=True).failed == []
        with pytest.raises(services.NotAllowed):
            amend_candidate(store, ac_id, 2, {"name": "X"}, "typo", OPERATOR)
        with pytest.raises(services.InvalidValue, match="reason"):
            amend_candidate(store, ac_id, 2, {"name": "X"}, "  ", RO)
        amend_candidate(store, ac_id, 2, {"name": "CANDIDATE TWO"}, "name misspelt in the setup", RO)
        assert services.load_context(store, ac_id).setup.candidates[1].name == "CANDIDATE TWO"
        # the printed sheets' chain still starts from the setup as first made
        chain_after = printed.ac_state(store, ac_id)
        assert (chain_after.genesis, chain_after.chain) == (chain_before.genesis, chain_before.chain)
        rep = relay.flush(force=True)
        assert rep.failed == [] and rep.left == 0, rep
        assert [k for _, k in central.messages()][-1] == "setup"
        res = httpx.get(f"{central.url}/v1/acs/{ac_no}").json()
        why = res["setup_amendments"][0]["reason"]
        assert why == f"name misspelt in the setup — candidate 2: {old_name} (P2) → CANDIDATE TWO (P2)"
        # the next round carries the corrected name: central takes it (without the amendment it
        # would refuse it as setup_changed)
        count_and_approve(store, ac_id, [2])
        rep = relay.flush(force=True)
        assert rep.failed == [] and rep.left == 0, rep
        card = _card(central.url, ac_no)
        assert "Round 2 of 3" in card and "Setup amended" in card and "CANDIDATE TWO" in card
        verified(store, ac_id)
        relay.close()
    finally:
        central.stop()
