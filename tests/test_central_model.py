"""Issue 14, findings 2, 4 and 5: central keeps its own model of each AC and checks every new
message against it. Each attack of the issue, against a real receiver (uvicorn subprocess, on
SQLite and PostgreSQL): refused with a stable code, what the board shows does not change, and
the board and JSON of every other AC stay 200 throughout."""

from __future__ import annotations

import re

import httpx
import pytest

from encore_tui.domain.tally import Totals, lead
from encore_tui.wire import keys
from encore_tui.wire import messages as wire
from tests.support.central import OTHER, ROUNDS, Board, build, central_db, contest, declaration
from tests.support.receiver import CentralServer


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def board(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("central-model")
    db = central_db(request, tmp)
    key = keys.init_keys(tmp / "centre.key")
    central = CentralServer(tmp, db).start()
    central.add_centre(keys.public_key_b64(key), *range(20, 40))
    b = Board(central, key)
    postal, rounds = build(OTHER, seed=99)
    b.accept(postal, *rounds[:3])
    yield b
    central.stop()


def test_vvpat_with_no_rounds_planned_does_not_break_the_board(board):
    postal, rounds = build(20)
    board.accept(postal, rounds[0])
    cum = rounds[0].cumulative
    t1 = rounds[0].tables[0]
    vv = wire.VvpatResult(
        contest=contest(20, rounds_planned=0),
        stations=[wire.VvpatStation(station=t1.station, why="draw_of_lots", evm=t1, slips=t1, matches=True)],
        cumulative=cum,
        approval=rounds[0].approval,
        journal_hash="0" * 64,
    )
    board.refused(vv, 422, "plan_below_rounds_done")
    board.refused(vv.model_copy(update={"contest": contest(20)}), 409, "rounds_missing")
    # an AC whose first message is such a VVPAT message: accepted or not, nothing breaks
    board.post(vv.model_copy(update={"contest": contest(21, rounds_planned=0)}))
    board.shown(21)


def test_a_round_with_fewer_candidates_is_refused(board):
    postal, rounds = build(22)
    board.accept(postal, rounds[0])
    six = contest(22, candidates=contest(22).candidates[:6])
    r5 = rounds[4]

    def cut(t: wire.Tally) -> wire.Tally:
        return wire.Tally.of(Totals(tuple(t.candidates[:6]), t.nota, t.rejected))

    small = r5.model_copy(
        update={
            "contest": six,
            "tables": [
                t.model_copy(update={"votes": t.votes[:6], "total": sum(t.votes[:6]) + t.nota})
                for t in r5.tables
            ],
            "this_round": cut(r5.this_round),
            "brought_forward": cut(r5.brought_forward),
            "cumulative": cut(r5.cumulative),
            "postal": cut(r5.postal),
        }
    )
    board.refused(small, 422, "setup_changed")


def _bump(t: wire.Tally, serial: int, by: int) -> wire.Tally:
    v = list(t.candidates)
    v[serial - 1] += by
    return wire.Tally.of(Totals(tuple(v), t.nota, t.rejected))


def test_postal_folded_into_a_round_must_be_the_postal_message(board):
    postal, rounds = build(23)
    board.accept(postal)
    r1 = rounds[0]
    trailing = lead(r1.cumulative.candidates).runner_up
    forged = r1.model_copy(
        update={
            "postal": _bump(r1.postal, trailing, 5000),
            "brought_forward": _bump(r1.brought_forward, trailing, 5000),
            "cumulative": _bump(r1.cumulative, trailing, 5000),
        }
    )
    r = board.refused(forged, 422, "postal_mismatch")
    assert "postal" in r.json()["reason"]
    board.accept(r1)


def test_a_station_is_counted_once(board):
    postal, rounds = build(24)
    board.accept(postal, rounds[0])
    r2 = rounds[1]
    same = r2.model_copy(
        update={
            "tables": [
                t.model_copy(update={"station": s.station})
                for t, s in zip(r2.tables, rounds[0].tables, strict=True)
            ]
        }
    )
    r = board.refused(same, 422, "station_counted_twice")
    assert "PS 1 (round 1)" in r.json()["reason"]


def test_rounds_arrive_in_order_a_later_one_waits(board):
    postal, rounds = build(25)
    board.accept(postal, rounds[0])
    r = board.refused(rounds[9], 409, "round_out_of_order")
    assert "round 9 has not been received" in r.json()["reason"]
    board.accept(*rounds[1:9])
    board.accept(rounds[9])  # the gap filled, the same round is accepted
    assert httpx.get(f"{board.url}/v1/acs/25").json()["rounds_counted"] == 10


def test_declaration_only_after_every_round_and_vvpat_and_nothing_after_it(board):
    postal, rounds = build(26)
    board.accept(postal, rounds[0], rounds[1])
    early = declaration(rounds, contest(26), rounds[1].cumulative)
    r = board.refused(early, 409, "declaration_too_early")
    assert "round(s) 3, 4" in r.json()["reason"]
    board.accept(*rounds[2:])
    board.refused(declaration(rounds, contest(26), rounds[-1].cumulative), 409, "declaration_too_early")
    t1 = rounds[-1].tables[0]
    vv = wire.VvpatResult(
        contest=contest(26),
        stations=[wire.VvpatStation(station=t1.station, why="draw_of_lots", evm=t1, slips=t1, matches=True)],
        cumulative=rounds[-1].cumulative,
        approval=rounds[-1].approval,
        journal_hash="0" * 64,
    )
    board.accept(vv)
    wrong = _bump(rounds[-1].cumulative, 1, 1000)
    board.refused(declaration(rounds, contest(26), wrong), 422, "declaration_mismatch")
    board.accept(declaration(rounds, contest(26), rounds[-1].cumulative))
    shown = httpx.get(f"{board.url}/v1/acs/26").json()
    assert shown["status"] == "declared" and shown["rounds_counted"] == ROUNDS
    # a correction lowering the winner after the declaration, and a further round: refused
    last = rounds[-1]
    winner = lead(last.cumulative.candidates).leader
    corr = last.model_copy(update={"kind": "correction", "correction_reason": "recheck", "revision": 2})
    board.refused(corr, 422, "after_declaration")
    board.refused(_bump_round(last, winner), 422, "after_declaration")
    html = httpx.get(f"{board.url}/board").text
    assert f"Round {ROUNDS} of {ROUNDS}" in html and "DECLARED" in html


def _bump_round(r: wire.RoundResult, serial: int) -> wire.RoundResult:
    return r.model_copy(update={"revision": r.revision + 1})


def test_a_centre_cannot_relabel_its_ac(board):
    postal, rounds = build(27)
    board.accept(postal, *rounds[:5])
    r6 = rounds[5]
    swapped = list(contest(27).candidates)
    swapped[0], swapped[1] = (
        swapped[0].model_copy(update={"name": swapped[1].name, "party": swapped[1].party}),
        swapped[1].model_copy(update={"name": swapped[0].name, "party": swapped[0].party}),
    )
    for change in (
        {"candidates": swapped},
        {"ac_name": "SOMEWHERE ELSE"},
        {"election": "Another Election"},
        {"fictional": True},
    ):
        board.refused(r6.model_copy(update={"contest": contest(27, **change)}), 422, "setup_changed")
    fewer = postal.model_copy(update={"contest": contest(27, rounds_planned=4), "revision": 2})
    board.refused(fewer, 422, "plan_below_rounds_done")
    # the number of rounds may change (plan tables), never below those received; the board says so
    board.accept(r6.model_copy(update={"contest": contest(27, rounds_planned=30)}))
    assert "plan changed from 29 rounds" in httpx.get(f"{board.url}/board").text
    # the page heading is central's own, not the elections named in the messages
    board.post(build(28)[0].model_copy(update={"contest": contest(28, election="<b>Mine</b> 2099")}))
    heading = re.search(r"<h1>(.*?)</h1>", httpx.get(f"{board.url}/board").text).group(1)
    assert "Mine" not in heading and "Tamil Nadu" not in heading


def test_the_relay_shows_the_refusal_code_to_the_ro(board):
    from encore_tui.push.relay import _reason

    postal, rounds = build(29)
    board.accept(postal)
    r = board.post(rounds[3])
    assert r.status_code == 409
    assert _reason(r).startswith("[round_out_of_order] ")


def test_a_signed_setup_amendment_changes_the_contest_and_the_board_marks_it(board):
    postal, rounds = build(30)
    board.accept(postal, *rounds[:2])
    fixed = contest(30, candidates=[
        c.model_copy(update={"name": "CANDIDATE ONE (corrected spelling)"}) if c.serial == 1 else c
        for c in contest(30).candidates
    ])  # fmt: skip
    amend = wire.SetupAmendment(
        contest=fixed,
        reason="candidate 1's name misspelt in the setup",
        approval=rounds[0].approval,
        journal_hash="0" * 64,
    )
    fewer = amend.model_copy(update={"contest": contest(30, candidates=contest(30).candidates[:11])})
    board.refused(fewer, 422, "setup_changed")
    board.accept(amend)
    card = board.shown(30)[1]
    assert "Setup amended" in card and "misspelt" in card
    # from now on the amended contest is the one; the old one is refused
    board.refused(rounds[2], 422, "setup_changed")
    board.accept(rounds[2].model_copy(update={"contest": fixed}))
    assert (
        httpx.get(f"{board.url}/v1/acs/30").json()["setup_amendments"][0]["reason"].startswith("candidate 1")
    )


def test_a_recount_order_holds_the_declaration_until_the_recounted_rounds_arrive(board):
    postal, rounds = build(32)
    c = contest(32)

    def order(rounds_: list[int], no: int = 1) -> wire.RecountOrder:
        return wire.RecountOrder(
            contest=c, revision=no, applicant="Candidate 2 (P2)", stations=["15"], rounds=rounds_,
            reason="margin of 3 votes", approval=rounds[0].approval, journal_hash="0" * 64,
        )  # fmt: skip

    board.accept(postal, rounds[0])
    board.refused(order([2]), 409, "recount_round_missing")  # round 2 not held yet: it waits
    board.accept(*rounds[1:])
    t1 = rounds[-1].tables[0]
    vv = wire.VvpatResult(
        contest=c,
        stations=[wire.VvpatStation(station=t1.station, why="draw_of_lots", evm=t1, slips=t1, matches=True)],
        cumulative=rounds[-1].cumulative,
        approval=rounds[-1].approval,
        journal_hash="0" * 64,
    )
    board.accept(vv, order([2]))
    shown = httpx.get(f"{board.url}/v1/acs/32").json()
    assert shown["status"] == "recount" and shown["recounting"] == [2]
    assert "Recount (Rule 63) under way: round(s) 2" in board.shown(32)[1]
    final = declaration(rounds, c, rounds[-1].cumulative)
    r = board.refused(final, 409, "declaration_too_early")
    assert "recounted figures of round(s) 2" in r.json()["reason"]
    # the recount confirms every figure: round 2 again (a correction), later rounds re-approved
    fix = rounds[1].model_copy(update={"kind": "correction", "revision": 2, "correction_reason": "Recount"})
    board.accept(fix)
    shown = httpx.get(f"{board.url}/v1/acs/32").json()  # recounted; rounds 3.. to be re-approved
    assert shown["status"] == "awaiting_reapproval" and shown["recounting"] == []
    board.accept(*[r.model_copy(update={"revision": 2}) for r in rounds[2:]])
    shown = httpx.get(f"{board.url}/v1/acs/32").json()
    assert shown["status"] == "counting" and shown["recounts"][0]["done"]
    board.accept(final)
    assert "margin of 3 votes (recounted)" in board.shown(32)[1]
    board.refused(order([3], no=2), 422, "after_declaration")  # Form 20 signed: no recount after
