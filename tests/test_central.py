"""The reference receiver under uvicorn (a subprocess on 127.0.0.1), on SQLite and PostgreSQL:
it refuses what is not provably from a registered centre, not fresh, altered, or wrong."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from encore_tui import services
from encore_tui.domain.tally import lead
from encore_tui.push import queue
from encore_tui.store import open_store
from encore_tui.wire import build as wire_build
from encore_tui.wire import keys, signing
from encore_tui.wire import messages as wire
from tests.conftest import ROOT
from tests.support.central import World, central_db, payload, refusal
from tests.support.receiver import CentralServer, make_counted_ac


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("central")
    db = central_db(request, tmp)
    store = open_store(tmp / "centre.db")
    make_counted_ac(store)
    messages = [(it.kind, payload(store, it.id), it.idempotency_key) for it in queue.queue_state(store)]
    store.close()
    key = keys.init_keys(tmp / "centre.key")
    central = CentralServer(tmp, db).start()
    central.add_centre(keys.public_key_b64(key), 7)
    yield World(central, key, messages)
    central.stop()


def _accept_all(world: World) -> None:
    for kind, body, idem in world.messages:
        r = world.post(kind, body.encode(), idem)
        assert r.status_code == 200, r.text


def test_accepts_and_publishes_results(world):
    _accept_all(world)
    res = httpx.get(world.url + "/v1/acs/7").json()
    final = wire.RoundResult.model_validate_json(world.messages[-1][1])
    assert res["rounds_counted"] == 3 and res["rounds_planned"] == 3
    assert res["cumulative"] == final.cumulative.model_dump()
    ld = lead(final.cumulative.candidates)
    assert res["leading"]["serial"] == ld.leader and res["margin"] == ld.margin
    assert [r["kind"] for r in res["received"]] == ["postal", "round", "round", "round"]
    page = httpx.get(world.url + "/board")
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.text
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "TESTPUR" in text and "CANDIDATE 1 (P1)" in text and "Round 3 of 3" in text
    assert httpx.get(world.url + "/v1/acs").json()[0]["ac"] == 7
    assert refusal(httpx.get(world.url + "/v1/acs/8")) == "no_such_ac"


def test_idempotent_same_key_same_body_same_answer_other_body_422(world):
    world.accepted_before(1)
    kind, body, idem = world.message(1)
    first = world.post(kind, body, idem)
    again = world.post(kind, body, idem)  # a retry: newly signed, answered from the record
    assert first.status_code == again.status_code == 200 and first.content == again.content
    other = body.replace(b'"revision":1', b'"revision":9')
    r = world.post(kind, other, idem)
    assert r.status_code == 422 and refusal(r) == "idempotency_key_reused"


def test_tampered_body_is_refused(world):
    kind, body, idem = world.message(2)
    path = wire.PATHS[kind].format(ac=7)
    h = signing.sign_request(world.key, "POST", path, body, idem + "-t")
    tampered = body.replace(b'"candidates":[', b'"candidates":[1', 1)
    r = httpx.post(world.url + path, content=tampered, headers=h)
    assert r.status_code == 400 and refusal(r) == "body_digest_mismatch"
    h[signing.H_DIGEST] = signing.body_digest(tampered)  # the digest header fixed up too
    r = httpx.post(world.url + path, content=tampered, headers=h)
    assert r.status_code == 401 and refusal(r) == "bad_signature"


def test_replay_is_refused(world):
    world.accepted_before(3)
    kind, body, idem = world.message(3)
    path = wire.PATHS[kind].format(ac=7)
    h = signing.sign_request(world.key, "POST", path, body, idem)
    assert httpx.post(world.url + path, content=body, headers=h).status_code == 200
    r = httpx.post(world.url + path, content=body, headers=h)  # the very same request again
    assert r.status_code == 409 and refusal(r) == "replay"
    old = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = world.post(kind, body, idem, ts=old)
    assert r.status_code == 401 and refusal(r) == "stale_time" and "clock" in r.json()["reason"]


def test_wrong_key_unsigned_and_foreign_ac_are_refused(world, tmp_path):
    kind, body, idem = world.message(1)
    stranger = keys.init_keys(tmp_path / "stranger.key")
    r = world.post(kind, body, idem, key=stranger)
    assert r.status_code == 401 and refusal(r) == "unknown_key"
    r = httpx.post(world.url + wire.PATHS[kind].format(ac=7), content=body)
    assert r.status_code == 401 and refusal(r) == "unsigned"
    # a key registered for another AC may not write AC 7
    world.central.add_centre(keys.public_key_b64(stranger), 8)
    r = world.post(kind, body, idem + "-s", key=stranger)
    assert r.status_code == 403 and refusal(r) == "ac_not_allowed"
    # the AC in the path must be the AC of the message
    r = world.post(kind, body, idem + "-x", ac=8, key=stranger)
    assert r.status_code == 422 and refusal(r) == "ac_mismatch"
    # a signature by the right key over another path does not carry over
    h = signing.sign_request(world.key, "POST", "/v1/acs/7/postal", body, idem)
    r = httpx.post(world.url + wire.PATHS[kind].format(ac=7), content=body, headers=h)
    assert r.status_code == 401 and refusal(r) == "bad_signature"


def _edit(body: bytes, fn) -> bytes:
    doc = json.loads(body)
    fn(doc)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "what,edit,reason",
    [
        (
            "table sum",
            lambda d: d["tables"][0].__setitem__("total", d["tables"][0]["total"] + 1),
            "not the total",
        ),
        (
            "this round",
            lambda d: [
                d["this_round"]["candidates"].__setitem__(0, d["this_round"]["candidates"][0] + 5),
                d["this_round"].__setitem__("total_valid", d["this_round"]["total_valid"] + 5),
                d["this_round"].__setitem__("total", d["this_round"]["total"] + 5),
            ],
            "not the sum of the tables",
        ),  # fmt: skip
        (
            "brought forward",
            lambda d: (
                [
                    d[k]["candidates"].__setitem__(1, d[k]["candidates"][1] + 7)
                    for k in ("brought_forward", "cumulative")
                ]
                + [
                    d[k].__setitem__(f, d[k][f] + 7)
                    for k in ("brought_forward", "cumulative")
                    for f in ("total_valid", "total")
                ]
            ),
            "differs from round 1",
        ),  # fmt: skip
        ("beyond the plan", lambda d: d.__setitem__("round", 4), "beyond the 3 rounds planned"),
    ],
)
def test_a_round_that_does_not_add_up_is_refused(world, what, edit, reason):
    _accept_all(world)
    kind, body, idem = world.message(2)  # round 2
    r = world.post(kind, _edit(body, edit), idem + "-bad-" + what.replace(" ", "-"))
    assert r.status_code == 422, r.text
    assert refusal(r) == "does_not_add_up" and reason in r.json()["reason"]


def test_an_oversized_body_is_refused_before_it_is_read(world):
    r = httpx.post(world.url + "/v1/acs/7/rounds", content=b"x" * (16 * 1024 * 1024 + 1))
    assert r.status_code == 413 and refusal(r) == "too_large"


def test_model_level_nonsense_is_a_clear_422(world):
    kind, body, idem = world.message(1)
    r = world.post(
        kind,
        _edit(body, lambda d: d["tables"][0].__setitem__("kept_aside", "cu_display_failure")),
        idem + "-k",
    )
    assert r.status_code == 422 and "kept aside and cannot carry figures" in r.json()["reason"]
    r = world.post(kind, b"{not json", idem + "-j")
    assert r.status_code == 422 and refusal(r) == "invalid_body"
    r = world.post("correction", body, idem + "-c")  # a round posted as a correction
    assert r.status_code == 422 and refusal(r) in ("kind_mismatch", "invalid_body")


def test_vvpat_and_declaration_with_certificate(world):
    _accept_all(world)
    final_round = wire.RoundResult.model_validate_json(world.messages[-1][1])
    contest = final_round.contest
    t1 = final_round.tables[0]
    slips = t1.model_copy()
    vv = wire.VvpatResult(
        contest=contest,
        drawn_at=datetime.now(UTC),
        drawn_by="ro1",
        stations=[
            wire.VvpatStation(station=t1.station, why="draw_of_lots", evm=t1, slips=slips, matches=True)
        ],
        cumulative=final_round.cumulative,
        approval=wire.Approval(by="ro1", name="Returning Officer", at=datetime.now(UTC)),
        journal_hash="a" * 64,
    )
    r = world.post("vvpat", vv.model_dump_json().encode(), "ac7-vvpat-1")
    assert r.status_code == 200, r.text
    ld = lead(final_round.cumulative.candidates)
    scan = (ROOT / "README.md").read_bytes()  # any bytes stand in for the signed scan
    from encore_tui.domain.declaration import Declaration

    votes = final_round.cumulative.candidates
    decl = wire_build.declaration_result(
        setup_of(contest),
        contest.rounds_planned,
        Declaration(
            winner_serial=ld.leader,
            winner_votes=votes[ld.leader - 1],
            runner_up_serial=ld.runner_up,
            margin=ld.margin,
            declared_at=datetime.now(UTC),
            ro_name="Returning Officer",
        ),
        final_round.cumulative.totals(),
        wire.Certificate.of("form22-signed.pdf", "application/pdf", scan),
        "b" * 64,
    )
    body = decl.model_dump_json().encode()
    wrong = decl.model_copy(update={"winner": ld.runner_up}).model_dump_json().encode()
    r = world.post("declaration", wrong, "ac7-decl-wrong")
    assert r.status_code == 422 and "not the one with the most votes" in r.json()["reason"]
    bad_scan = body.replace(decl.certificate.sha256.encode(), b"0" * 64)
    r = world.post("declaration", bad_scan, "ac7-decl-scan")
    assert r.status_code == 422 and "does not match its sha256" in r.json()["reason"]
    r = world.post("declaration", body, "ac7-decl-1")
    assert r.status_code == 200, r.text
    res = httpx.get(world.url + "/v1/acs/7").json()
    assert res["status"] == "declared" and res["vvpat_received"]
    assert res["declared"]["winner"]["serial"] == ld.leader
    assert "elected" in httpx.get(world.url + "/board").text
    receipt = wire.SignedReceipt.model_validate_json(r.content)
    assert keys.verify(world.central.public_key, wire.canonical_receipt(receipt.receipt), receipt.signature)
    assert base64.b64decode(decl.certificate.data_b64) == scan


def setup_of(contest: wire.Contest):
    from tests.conftest import small_setup

    return small_setup(ac_no=contest.ac)


def test_every_wire_kind_has_a_route_and_an_endpoint(world):
    doc = httpx.get(world.url + "/openapi.json").json()
    assert set(wire.MODELS) == set(wire.PATHS)
    for kind, path in wire.PATHS.items():
        assert "post" in doc["paths"][path], kind


def test_openapi_document_in_docs_is_up_to_date():
    from encore_tui.central.cli import openapi_text

    committed = (Path(ROOT) / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_text(), "regenerate: encore central openapi -o docs/openapi.json"


def test_payload_written_at_approval_is_complete(small_ac):
    """The outbox row of each approval is the full wire message, checked by central's rules."""
    from encore_tui.central import checks
    from tests.conftest import OPERATOR, RO
    from tests.support.flows import approve, postal_done, type_round, type_table

    store, ac_id = small_ac
    postal_done(store, ac_id)
    type_round(store, ac_id, 1)
    services.keep_aside(store, ac_id, 2, "4", "cu_display_failure", OPERATOR)
    for st in ("5", "6"):
        s = services.load_context(store, ac_id).setup.station(st)
        type_table(store, ac_id, 2, st, [s.form17c_total - 10, 6, 3], 1)
    approve(store, ac_id, 1)
    approve(store, ac_id, 2)
    items = queue.queue_state(store)
    assert [it.kind for it in items] == ["postal", "round", "round"]
    msgs = [wire.parse(it.kind, payload(store, it.id)) for it in items]
    postal, r1, r2 = msgs
    assert (
        isinstance(postal, wire.PostalResult)
        and postal.totals.total == 20
        and not checks.check_postal(postal)
    )
    assert r2.tables[0].kept_aside == "cu_display_failure" and r2.tables[0].votes is None
    assert [t.station for t in r2.tables] == ["4", "5", "6"]
    tallies = services.round_tallies(store, ac_id)
    assert r2.cumulative.totals() == tallies[1].cumulative
    assert r2.brought_forward.totals() == r1.cumulative.totals() and r2.postal == postal.totals
    assert r2.approval.by == RO.username and r2.revision == 1
    assert r2.figures_digest == services.revisions(store, ac_id, 2)[-1]["digest"]
    assert not checks.check_round(r2, r1) and not checks.check_round(r1, None)
    assert r2.contest.candidates[0].name == "CANDIDATE 1" and r2.contest.rounds_planned == 3
    # a correction is its own kind, with the reason; every approval has its own key
    services.open_correction(store, ac_id, 1, "recheck table 2", RO)
    services.approve_round(store, ac_id, 1, RO)
    services.approve_round(store, ac_id, 2, RO)  # re-approval
    items = queue.queue_state(store)
    assert [it.kind for it in items][-2:] == ["correction", "round"]
    corr = wire.parse("correction", payload(store, items[-2].id))
    assert corr.correction_reason == "recheck table 2" and corr.revision == 2
    assert len({it.idempotency_key for it in items}) == len(items)


def test_a_tie_needs_the_draw_of_lots_and_its_one_extra_vote():
    from encore_tui.central.checks import check_declaration
    from encore_tui.domain.declaration import Declaration, TieLot
    from encore_tui.domain.tally import Totals
    from tests.conftest import small_setup

    setup, final = small_setup(), Totals((500, 500, 20), 5)
    cert = wire.Certificate.of("f22.png", "image/png", b"\x89PNG scan")
    now = datetime.now(UTC)

    def decl(lot, margin):
        d = Declaration(
            winner_serial=2, winner_votes=500, runner_up_serial=1, margin=margin, declared_at=now, ro_name="RO",
            tie_lot=lot,
        )  # fmt: skip
        return wire_build.declaration_result(setup, 3, d, final, cert, "c" * 64)

    assert "draw of lots (tie_lot) is required" in check_declaration(decl(None, 0))[0]
    lot = TieLot(tied_serials=(1, 2), drawn_serial=2, drawn_by="RO", witnesses="agents, observer", at=now)
    assert check_declaration(decl(lot, 1)) == []
    assert "one extra vote" in check_declaration(decl(lot, 0))[0]
    wrong = lot.model_copy(update={"drawn_serial": 1})
    assert "does not match" in check_declaration(decl(wrong, 1))[0]
