"""Push end to end: real approved rounds (made through services) pushed by the relay to the
reference receiver running under uvicorn on 127.0.0.1 in a subprocess, on SQLite and PostgreSQL.

The receiver in a subprocess and the helpers around it are in tests/support/receiver.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from encore_tui import services
from encore_tui.base.config import load_settings
from encore_tui.domain.rounds import RoundStatus
from encore_tui.push import queue
from encore_tui.push.relay import PushConfig, Relay
from encore_tui.wire import keys, signing
from encore_tui.wire import messages as wire
from tests.conftest import ADMIN, RO, approvable, small_setup
from tests.support.flows import approve, type_round
from tests.support.receiver import CentralServer, encore, free_port, make_counted_ac, relay_for, states

ROOT = Path(__file__).resolve().parent.parent


class Proxy:
    """A TCP proxy between the relay and central that can break one request on purpose.

    mode 'pass': forward; 'half': forward the head and half the body, then kill central and
    hang up (central never completes the request); 'after': forward the whole request, wait
    for central's answer, then kill central and hang up without passing the answer on;
    'hold': forward the request, keep central's answer and the connection (the sender waits).
    """

    def __init__(self, upstream_port: int, on_break) -> None:
        self.upstream_port = upstream_port
        self.on_break = on_break
        self.mode = "pass"
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.broken = 0
        self.held = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    @staticmethod
    def _read_message(sock: socket.socket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest

    def _serve(self, client: socket.socket) -> None:
        with client:
            while True:
                request = self._read_message(client)
                if request is None:
                    return
                try:
                    up = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
                except OSError:
                    return
                with up:
                    if self.mode == "half":
                        up.sendall(
                            request[: len(request) - max(1, (len(request) - request.index(b"\r\n\r\n")) // 2)]
                        )
                        time.sleep(0.2)
                        self._break()
                        return
                    up.sendall(request)
                    response = self._read_message(up)
                    if response is None:
                        return
                    if self.mode == "after":
                        self._break()
                        return
                    if self.mode == "hold":
                        self.held.set()
                        client.recv(1)  # until the sender goes away
                        return
                    client.sendall(response)

    def _break(self) -> None:
        self.mode = "pass"
        self.broken += 1
        self.on_break()

    def close(self) -> None:
        self.sock.close()


# -- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path):
    """(counting store, receiver store URL) on the same backend."""
    from encore_tui.central import store as cs
    from encore_tui.store import open_store

    if request.param == "sqlite":
        yield open_store(tmp_path / "centre.db"), str(tmp_path / "central.db")
        return
    from tests.conftest import _fresh_pg_store

    url = request.getfixturevalue("pg_database")
    store = _fresh_pg_store(url)
    central = cs.open_central(url)
    cs.metadata.drop_all(central.engine)
    central.engine.dispose()
    yield store, url
    store.engine.dispose()


@pytest.fixture
def centre_key():
    return keys.init_keys()


# -- tests -------------------------------------------------------------------------------------------
def test_offline_then_online_everything_arrives_once(backend, tmp_path, centre_key):
    store, central_db = backend
    ac_id = make_counted_ac(store)
    port = free_port()
    central = CentralServer(tmp_path, central_db, port)
    # central is down: nothing is lost, every row waits with the reason and a next attempt time
    relay = relay_for(store, central.url, "A" * 43 + "=", centre_key)
    rep = relay.flush(force=True)
    assert rep.acked == [] and rep.left == 4
    first = queue.queue_state(store)
    assert first[0].state == "queued" and "not reachable" in first[0].last_error
    assert first[0].attempts == 1 and first[0].next_attempt_at
    assert all(it.attempts == 0 for it in first[1:])  # in order: later rows wait behind the head
    rep = relay.flush(force=True)
    assert queue.queue_state(store)[0].attempts == 2
    relay.close()

    central.start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        rep = relay.flush(force=True)
        assert len(rep.acked) == 4 and rep.left == 0, rep
        assert states(store) == ["acked"] * 4
        keys_sent = [it.idempotency_key for it in queue.queue_state(store)]
        assert [k for k, _ in central.messages()] == keys_sent  # in order, exactly once
        assert [kind for _, kind in central.messages()] == ["postal", "round", "round", "round"]
        # the acknowledged rounds are published locally, and the receipts verify
        d = services.dashboard(store, ac_id)
        assert all(d.rounds[r].status is RoundStatus.PUBLISHED for r in (0, 1, 2, 3))
        for it in queue.queue_state(store):
            signed = wire.SignedReceipt.model_validate(it.receipt)
            assert keys.verify(central.public_key, wire.canonical_receipt(signed.receipt), signed.signature)
            assert signed.receipt.idempotency_key == it.idempotency_key
        assert services.verify_journal(store, ac_id).ok
        # flushing again sends nothing more
        assert relay.flush(force=True).acked == []
        assert len(central.messages()) == 4
        res = httpx.get(central.url + "/v1/acs/7").json()
        assert res["rounds_counted"] == 3 and res["status"] == "counting"
        tallies = services.round_tallies(store, ac_id)
        assert res["cumulative"]["candidates"] == list(tallies[-1].cumulative.votes)
        assert res["margin"] == tallies[-1].lead.margin
        relay.close()
    finally:
        central.stop()


def test_several_worker_processes_share_one_store_replays_refused_everywhere(backend, tmp_path, centre_key):
    """`--workers 2`: two uvicorn processes on one store. Every message is stored once, a
    replayed signed request is refused whichever process gets it, and a retry with the same
    Idempotency-Key gets the first receipt back."""
    store, central_db = backend
    make_counted_ac(store)
    central = CentralServer(tmp_path, central_db, workers=2).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        assert len(relay.flush(force=True).acked) == 4
        relay.close()
        assert len(central.messages()) == 4
        from sqlalchemy import select

        from encore_tui.store.models import outbox

        first = queue.queue_state(store)[0]
        with store.read() as conn:
            body = conn.execute(select(outbox.c.payload).where(outbox.c.id == first.id)).scalar().encode()
        path = wire.PATHS[first.kind].format(ac=7)
        headers = signing.sign_request(centre_key, "POST", path, body, "replay-probe-1")
        answers = []
        with httpx.Client() as c:
            answers.append(c.post(central.url + path, content=body, headers=headers).status_code)
            for _ in range(6):  # new connections: both processes get to see the replay
                with httpx.Client() as fresh:
                    r = fresh.post(central.url + path, content=body, headers=headers)
                    answers.append((r.status_code, r.json().get("error")))
        assert answers[0] == 200 and set(answers[1:]) == {(409, "replay")}, answers
        again = signing.sign_request(centre_key, "POST", path, body, "replay-probe-1")  # new signature
        r1 = httpx.post(central.url + path, content=body, headers=again)
        assert r1.status_code == 200
        stored = [k for k, _ in central.messages()]
        assert stored.count("replay-probe-1") == 1 and len(stored) == 5
    finally:
        central.stop()


@pytest.mark.parametrize("mode", ["half", "after"])
def test_central_killed_mid_request_no_loss_no_duplicate(backend, tmp_path, centre_key, mode):
    store, central_db = backend
    ac_id = make_counted_ac(store, rounds=(1, 2))
    central = CentralServer(tmp_path, central_db).start()
    proxy = Proxy(central.port, central.kill)
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)
        relay = relay_for(store, proxy.url, central.public_key, centre_key)
        assert len(relay.flush(force=True).acked) == 3  # postal, rounds 1 and 2
        type_round(store, ac_id, 3)
        approve(store, ac_id, 3)
        proxy.mode = mode  # central dies while handling round 3
        rep = relay.flush(force=True)
        assert proxy.broken == 1 and rep.acked == [] and rep.left == 1
        assert states(store)[-1] == "queued"
        stored = [k for k, _ in central.messages()]
        round3 = queue.queue_state(store)[-1].idempotency_key
        # 'half': central never completed the request; 'after': it did, and the answer was lost
        assert (round3 in stored) is (mode == "after")
        central.start()  # same port, same store
        rep = relay.flush(force=True)
        assert rep.acked and rep.left == 0
        stored = [k for k, _ in central.messages()]
        assert stored.count(round3) == 1 and len(stored) == 4
        assert states(store) == ["acked"] * 4
        assert services.dashboard(store, ac_id).rounds[3].status is RoundStatus.PUBLISHED
        relay.close()
    finally:
        proxy.close()
        central.stop()


def test_relay_killed_mid_request_resends_once(sqlite_store, tmp_path, centre_key):
    """`encore push` dies after central stored round 1 but before it heard back: the row stays
    'sent'; the next run sends it again and central answers from its idempotency record."""
    from encore_tui.store import open_store

    db = tmp_path / "centre.db"
    store = open_store(db)
    make_counted_ac(store, rounds=(1,), postal=False)
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    proxy = Proxy(central.port, lambda: None)
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)
        proxy.mode = "hold"
        env = {"ENCORE_DB": str(db), "ENCORE_PUSH_URL": proxy.url, "ENCORE_CENTRAL_KEY": central.public_key}
        push = subprocess.Popen(
            [sys.executable, "-m", "encore_tui", "push"], cwd=ROOT, env={**os.environ, **env}
        )
        assert proxy.held.wait(30)
        push.send_signal(signal.SIGKILL)
        push.wait(10)
        row = queue.queue_state(store)[0]
        assert row.state == "sent" and row.attempts == 1 and row.next_attempt_at
        assert len(central.messages()) == 1  # central has it; the centre does not know
        proxy.mode = "pass"
        relay = relay_for(store, proxy.url, central.public_key, centre_key)
        assert relay.flush(force=True).acked == [row.id]
        assert len(central.messages()) == 1 and states(store) == ["acked"]
        assert services.dashboard(store, 1).rounds[1].status is RoundStatus.PUBLISHED
        relay.close()
    finally:
        proxy.close()
        central.stop()
        store.close()


def test_correction_and_reapproval_reach_central_and_republish(backend, tmp_path, centre_key):
    store, central_db = backend
    ac_id = make_counted_ac(store)
    central = CentralServer(tmp_path, central_db).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        assert len(relay.flush().acked) == 4
        services.open_correction(store, ac_id, 2, "table 1 keyed 10 votes short", RO)
        services.enter_cell(store, ac_id, 2, "4", "c1", 104, RO)  # was 94
        services.enter_cell(store, ac_id, 2, "4", "total", 114, RO)
        services.acknowledge_warning(store, ac_id, 2, "4", "W201", RO)
        services.approve_round(store, ac_id, 2, RO)
        mid = httpx.get(central.url + "/v1/acs/7").json()
        assert mid["rounds_counted"] == 3  # central has not heard of the correction yet
        rep = relay.flush()
        assert len(rep.acked) == 1
        res = httpx.get(central.url + "/v1/acs/7").json()
        assert res["status"] == "awaiting_reapproval" and res["stale_rounds"] == [3]
        assert res["rounds_counted"] == 2
        services.approve_round(store, ac_id, 3, RO)  # re-approval: new cumulative totals
        assert len(relay.flush().acked) == 1
        res = httpx.get(central.url + "/v1/acs/7").json()
        assert res["status"] == "counting" and res["rounds_counted"] == 3
        tallies = services.round_tallies(store, ac_id)
        assert res["cumulative"]["candidates"] == list(tallies[-1].cumulative.votes)
        assert [m for _, m in central.messages()] == [
            "postal",
            "round",
            "round",
            "round",
            "correction",
            "round",
        ]
        rounds = services.dashboard(store, ac_id).rounds
        assert rounds[2].status is RoundStatus.PUBLISHED and rounds[3].status is RoundStatus.PUBLISHED
        revs = [r for r in res["received"] if r["round"] == 2]
        assert [(r["kind"], r["revision"], r["current"]) for r in revs] == [
            ("round", 1, False),
            ("correction", 2, True),
        ]
        # every revision is kept, exactly as signed
        kept = httpx.get(central.url + "/v1/acs/7/rounds/2").json()
        assert [(k["kind"], k["revision"]) for k in kept] == [("round", 1), ("correction", 2)]
        assert kept[1]["message"]["correction_reason"] == "table 1 keyed 10 votes short"
        assert (
            kept[0]["message"]["tables"][0]["votes"][0] == 94
            and kept[1]["message"]["tables"][0]["votes"][0] == 104
        )
        relay.close()
    finally:
        central.stop()


def test_a_refused_message_fails_with_the_reason_and_others_go_on(sqlite_store, tmp_path, centre_key):
    store = sqlite_store
    make_counted_ac(store, rounds=(1,))
    make_counted_ac(store, rounds=(1,), postal=False, ac_no=8)
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)  # AC 8 not granted
        relay = relay_for(store, central.url, central.public_key, centre_key)
        rep = relay.flush(force=True)
        items = {(it.ac_number, it.label): it for it in queue.queue_state(store)}
        assert items[(7, "round 1 (revision 1)")].state == "acked"
        ac8 = items[(8, "round 1 (revision 1)")]
        assert ac8.state == "queued" and "may not write AC 8" in ac8.last_error  # 403: retried
        # a body central refuses for good (422) is 'failed' and does not hold the queue: queued
        # through the one write path (journaled bytes), so the relay does send it
        from sqlalchemy import delete

        from encore_tui.services.uow import unit_of_work
        from encore_tui.store.models import outbox

        with unit_of_work(store, ac8.ac_id, RO) as tx:
            tx.conn.execute(delete(outbox).where(outbox.c.id == ac8.id))
            tx.push("round", {"contest": {"ac": 8}}, ac8.idempotency_key)
        bad = next(it for it in queue.queue_state(store) if it.idempotency_key == ac8.idempotency_key)
        central.add_centre(keys.public_key_b64(centre_key), 8)
        rep = relay.flush(force=True)
        assert rep.failed == [bad.id]
        failed = [it for it in queue.queue_state(store) if it.state == "failed"]
        assert len(failed) == 1 and "HTTP 422" in failed[0].last_error
        assert queue.requeue_failed(store) == 1 and queue.queue_counts(store)["queued"] == 1
        relay.close()
    finally:
        central.stop()


class _Scripted(threading.Thread):
    """A real HTTP server on 127.0.0.1 that answers with a scripted status and headers."""

    def __init__(self, status: int, headers: dict[str, str]) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.hits = 0

        class H(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                outer.hits += 1
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                body = b'{"error":"busy","reason":"try later"}'
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        super().__init__(target=self.server.serve_forever, daemon=True)
        self.start()


def test_retry_after_is_honoured_and_the_backoff_survives_a_restart(sqlite_store, centre_key):
    store = sqlite_store
    make_counted_ac(store, rounds=(1,))
    srv = _Scripted(429, {"Retry-After": "120"})
    try:
        relay = relay_for(store, srv.url, "A" * 43 + "=", centre_key)
        before = queue.now_ts()
        relay.flush()
        head = queue.queue_state(store)[0]
        assert srv.hits == 1 and head.state == "queued" and "HTTP 429" in head.last_error
        # the next attempt is ~120 s away (Retry-After), not the 50 ms backoff
        from datetime import datetime

        gap = datetime.fromisoformat(head.next_attempt_at) - datetime.fromisoformat(before)
        assert 110 < gap.total_seconds() < 130
        relay.close()
        relay = relay_for(store, srv.url, "A" * 43 + "=", centre_key)  # a restarted relay
        relay.flush()
        assert srv.hits == 1  # it remembers not to knock before then
        relay.close()
    finally:
        srv.server.shutdown()


def test_backoff_grows_capped_with_jitter(sqlite_store, centre_key):
    from datetime import datetime

    from encore_tui.push.relay import backoff, retry_after_seconds

    assert [backoff(n, 1.0, 60.0, lambda: 1.0) for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]
    assert backoff(3, 1.0, 60.0, lambda: 0.0) == 2.0  # jitter: half to full
    assert retry_after_seconds("7", datetime.now().astimezone()) == 7
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", datetime.now().astimezone()) == 0
    assert retry_after_seconds("soon", datetime.now().astimezone()) is None
    store = sqlite_store
    make_counted_ac(store, rounds=(1,))
    cfg = PushConfig(
        url=f"http://127.0.0.1:{free_port()}", central_key="A" * 43 + "=", base_delay=10, max_delay=40
    )
    relay = Relay(store, cfg, centre_key, rand=lambda: 1.0)
    gaps = []
    for _ in range(4):
        t0 = datetime.fromisoformat(queue.now_ts())
        relay.flush(force=True)
        gaps.append(
            round((datetime.fromisoformat(queue.queue_state(store)[0].next_attempt_at) - t0).total_seconds())
        )
    assert gaps == [10, 20, 40, 40]
    relay.close()


def test_a_receipt_not_signed_by_central_is_not_an_acknowledgement(sqlite_store, tmp_path, centre_key):
    store = sqlite_store
    make_counted_ac(store, rounds=(1,))
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)
        impostor = keys.public_key_b64(keys.init_keys(tmp_path / "other.key"))
        relay = relay_for(store, central.url, impostor, centre_key)
        rep = relay.flush(force=True)
        assert rep.acked == [] and set(states(store)) == {"queued"}
        assert "not signed by the configured central key" in queue.queue_state(store)[0].last_error
        assert services.dashboard(store, 1).rounds[0].status is RoundStatus.APPROVED  # not published
        relay.close()
        relay = relay_for(store, central.url, central.public_key, centre_key)
        assert len(relay.flush(force=True).acked) == 2  # idempotent: stored once at central
        assert len(central.messages()) == 2
        relay.close()
    finally:
        central.stop()


def test_push_cli_flushes_and_exit_code_says_what_is_left(tmp_path, centre_key):
    from encore_tui.store import open_store

    db = tmp_path / "centre.db"
    store = open_store(db)
    make_counted_ac(store, rounds=(1,))
    store.close()
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        env = {"ENCORE_DB": str(db), "ENCORE_PUSH_URL": central.url}
        r = encore("push", env=env, check=False)
        assert r.returncode == 2 and "push_central_key" in r.stderr
        env["ENCORE_CENTRAL_KEY"] = central.public_key
        r = encore("push", env=env, check=False)  # key not registered yet: 401, retried later
        assert r.returncode == 1 and "is not registered" in r.stdout
        assert encore("push", "--list", env=env, check=False).returncode == 1
        central.add_centre(encore("keys", "show", "-q").stdout.strip(), 7)
        r = encore("push", "--now", env=env, check=False)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "Sent and acknowledged: 2" in r.stdout
        listing = encore("push", "--list", env=env).stdout
        assert "round 1 (revision 1)" in listing and "acked" in listing
        # --watch sends what the RO approves next, within a poll interval
        store = open_store(db)
        watch = subprocess.Popen(
            [sys.executable, "-m", "encore_tui", "push", "--watch"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            type_round(store, 1, 2)
            approve(store, 1, 2)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and queue.queue_counts(store)["acked"] < 3:
                time.sleep(0.1)
            assert queue.queue_counts(store)["acked"] == 3
        finally:
            watch.send_signal(signal.SIGINT)
            watch.wait(10)
        store.close()
    finally:
        central.stop()


def test_keys_cli(tmp_path):
    r = encore("keys", "show", check=False)
    assert r.returncode == 2 and "encore keys init" in r.stderr
    r = encore("keys", "init")
    assert "Public key" in r.stdout
    path = Path(os.environ["ENCORE_HOME"]) / "keys" / "centre.key"
    assert path.stat().st_mode & 0o777 == 0o600
    pub = encore("keys", "show", "-q").stdout.strip()
    assert pub in r.stdout and len(pub) == 44
    assert encore("keys", "init", check=False).returncode == 2  # never silently replaced
    r = encore(
        "central",
        "add-centre",
        "--ac",
        "7",
        "--public-key",
        "nonsense",
        "--db",
        str(tmp_path / "c.db"),
        check=False,
    )
    assert r.returncode == 2 and "base64" in r.stderr


def test_settings_carry_the_push_configuration(monkeypatch, tmp_path):
    from encore_tui.push.relay import PushConfigError

    ca = tmp_path / "ca.pem"
    ca.write_text("placeholder: only the path is checked here; test_push_tls uses a real CA\n")
    monkeypatch.setenv("ENCORE_PUSH_URL", "https://results.example/")
    monkeypatch.setenv("ENCORE_CENTRAL_KEY", "B" * 43 + "=")
    monkeypatch.setenv("ENCORE_CA_BUNDLE", str(ca))
    cfg = PushConfig.from_settings(load_settings())
    assert cfg.url == "https://results.example" and cfg.ca_bundle == str(ca)
    monkeypatch.setenv("ENCORE_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(PushConfigError, match="does not exist"):
        PushConfig.from_settings(load_settings())
    monkeypatch.setenv("ENCORE_CENTRAL_KEY", "not a key")
    with pytest.raises(PushConfigError, match="push_central_key"):
        PushConfig.from_settings(load_settings())


def test_postal_correction_makes_central_wait_for_every_round_again(backend, tmp_path, centre_key):
    store, central_db = backend
    ac_id = make_counted_ac(store, rounds=(1, 2))
    central = CentralServer(tmp_path, central_db).start()
    try:
        central.add_centre(keys.public_key_b64(centre_key), 7)
        relay = relay_for(store, central.url, central.public_key, centre_key)
        assert len(relay.flush().acked) == 3
        services.open_correction(store, ac_id, 0, "postal table 1: 5 ballots for candidate 2 missed", RO)
        services.enter_cell(store, ac_id, 0, "P1", "c2", 10, RO)
        services.enter_cell(store, ac_id, 0, "P1", "total", 25, RO)
        services.approve_round(store, ac_id, 0, RO)
        assert len(relay.flush().acked) == 1
        res = httpx.get(central.url + "/v1/acs/7").json()
        assert res["status"] == "awaiting_reapproval" and res["stale_rounds"] == [1, 2]
        assert res["rounds_counted"] == 0 and res["postal"]["candidates"] == [10, 10, 1]
        for r in (1, 2):
            services.approve_round(store, ac_id, r, RO)
        assert len(relay.flush().acked) == 2
        res = httpx.get(central.url + "/v1/acs/7").json()
        assert res["status"] == "counting" and res["rounds_counted"] == 2
        assert res["cumulative"]["candidates"] == list(
            services.round_tallies(store, ac_id)[1].cumulative.votes
        )
        assert all(
            services.dashboard(store, ac_id).rounds[r].status is RoundStatus.PUBLISHED for r in (0, 1, 2)
        )
        relay.close()
    finally:
        central.stop()


def test_a_kind_the_relay_does_not_know_fails_with_a_reason(sqlite_store, centre_key):
    from encore_tui.services.uow import unit_of_work

    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    approvable(store, ac_id)
    with unit_of_work(store, ac_id, ADMIN) as tx:
        tx.push("hologram", {"contest": {"ac": 7}}, "ac7-hologram-1")
    relay = relay_for(store, f"http://127.0.0.1:{free_port()}", "A" * 43 + "=", centre_key)
    rep = relay.flush(force=True)
    relay.close()
    assert len(rep.failed) == 1
    assert "cannot send a 'hologram' message" in queue.queue_state(store)[0].last_error
