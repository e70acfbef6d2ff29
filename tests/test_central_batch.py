"""Group commit in the receiver (central/batch.py): messages that arrive while a commit runs are
stored together in one transaction, each in its own savepoint, so a refused message in a batch
undoes only itself and the board shows exactly the accepted ones."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from encore_tui.central import store as cs
from encore_tui.central.app import create_app
from encore_tui.central.batch import GroupCommit, Item
from encore_tui.wire import keys, signing
from encore_tui.wire import messages as wire
from tests.support.central import build, central_db
from tests.support.receiver import encore


def _signed(key, msg: wire.Message, idem: str) -> tuple[str, bytes, dict]:
    body = msg.model_dump_json().encode()
    path = wire.PATHS[msg.kind].format(ac=msg.contest.ac)
    return path, body, signing.sign_request(key, "POST", path, body, idem)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def receiver(request, tmp_path):
    db = central_db(request, tmp_path)
    key = keys.init_keys(tmp_path / "centre.key")
    grant = ["central", "add-centre", "--db", str(db), "--public-key", keys.public_key_b64(key)]
    encore(*grant, "--ac", "20", "--ac", "21", "--ac", "22")
    store = cs.open_central(db)
    app = create_app(store, keys.init_keys(tmp_path / "server.key"))
    with TestClient(app) as client:
        yield client, app.state.writer, key, store
    store.close()


def test_a_batch_stores_each_message_on_its_own(receiver):
    client, writer, key, store = receiver
    (p20, r20), (p21, r21), (p22, r22) = build(20, seed=1), build(21, seed=2), build(22, seed=3)
    for m in (p20, p21, p22):
        path, body, h = _signed(key, m, f"postal-{m.contest.ac}")
        assert client.post(path, content=body, headers=h).status_code == 200
    good20 = _signed(key, r20[0], "r20-1")
    sends = {
        "good 20": good20,
        "replay of good 20": good20,  # the very same signed request: refused, the first stays
        "good 21": _signed(key, r21[0], "r21-1"),
        "22 out of order": _signed(key, r22[1], "r22-2"),  # round 2 before round 1: waits (409)
        "22 key reused": _signed(key, r22[0], "postal-22"),  # another body under a used key
    }
    answers: dict[str, object] = {}

    def send(name: str) -> None:
        path, body, h = sends[name]
        answers[name] = client.post(path, content=body, headers=h)

    before = writer.batches
    with writer.held():  # every message waits for the writer, then all go in one transaction
        threads = [threading.Thread(target=send, args=(n,)) for n in sends]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while writer.waiting() < len(sends) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert writer.waiting() == len(sends)
    for t in threads:
        t.join(30)
    assert writer.batches == before + 1  # one transaction, one commit for the five
    status = {n: (r.status_code, r.json().get("error")) for n, r in answers.items()}  # type: ignore[attr-defined]
    # the two copies of one signed request: whichever came first is stored, the other is a replay
    twins = sorted([status.pop("good 20"), status.pop("replay of good 20")], key=str)
    assert twins == [(200, None), (409, "replay")]
    assert status == {
        "good 21": (200, None),
        "22 out of order": (409, "round_out_of_order"),
        "22 key reused": (422, "idempotency_key_reused"),
    }
    receipt = wire.SignedReceipt.model_validate_json(answers["good 21"].content)  # type: ignore[attr-defined]
    assert receipt.receipt.round == 1 and receipt.receipt.ac == 21
    # the store holds the accepted ones only; the board and JSON say so
    with store.read() as conn:
        held = conn.execute(
            select(cs.message.c.ac, func.count()).group_by(cs.message.c.ac).order_by(cs.message.c.ac)
        ).all()
        seen = set(conn.execute(select(cs.seen.c.signature)).scalars())
    assert [tuple(r) for r in held] == [(20, 2), (21, 2), (22, 1)]
    # what a refused message wrote (its signature as seen) was undone with it, nothing more
    accepted = {sends[n][2][signing.H_SIGNATURE] for n in ("good 20", "good 21")}
    refused = {sends[n][2][signing.H_SIGNATURE] for n in ("22 out of order", "22 key reused")}
    assert accepted <= seen and not refused & seen and len(seen) == 5
    for ac, counted, status_ in ((20, 1, "counting"), (21, 1, "counting"), (22, 0, "postal_only")):
        res = client.get(f"/v1/acs/{ac}").json()
        assert (res["rounds_counted"], res["status"], res["received_count"]) == (
            counted,
            status_,
            counted + 1,
        )
    # the refused ones go through once what they wait for is there
    path, body, h = _signed(key, r22[0], "r22-1")
    assert client.post(path, content=body, headers=h).status_code == 200
    path, body, h = _signed(key, r22[1], "r22-2b")
    assert client.post(path, content=body, headers=h).status_code == 200
    assert client.get("/v1/acs/22").json()["rounds_counted"] == 2


def test_a_failed_batch_answers_every_message_with_the_failure():
    def write(batch: list[Item]) -> None:
        batch[0].result = "stored?"  # set before the commit failed: must not be answered
        raise RuntimeError("the disk is full")

    gc = GroupCommit(write)
    done = gc.run(Item("round", 7, None, None))
    assert done.done and done.result is None and isinstance(done.error, RuntimeError)
