"""Issue 14, findings 1, 3 and 6 against a real receiver (uvicorn subprocess, SQLite and
PostgreSQL): only strict UTF-8 JSON is accepted and exactly the signed bytes are kept; the body
limit counts bytes as they arrive (chunked too); every signing header is strict and required; a
centre's key can be revoked at once."""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from encore_tui.central import store as cs
from encore_tui.wire import keys, signing
from encore_tui.wire import messages as wire
from tests import test_central
from tests.support.central import World, refusal
from tests.support.receiver import CentralServer, encore

world = test_central.world  # the module fixture: a receiver with AC 7's real messages


def _stored(world: World) -> list[tuple[str, str, str]]:
    st = cs.open_central(world.central.db)
    try:
        with st.read() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    select(cs.message.c.idempotency_key, cs.message.c.body_sha256, cs.message.c.body)
                )
            ]
    finally:
        st.close()


def _board_ok(world: World) -> None:
    for path in ("/board", "/v1/acs", "/v1/acs/7"):
        r = httpx.get(world.url + path)
        assert r.status_code in (200, 404), (path, r.status_code, r.text[:300])


@pytest.mark.parametrize(
    "label,encode",
    [
        ("utf-8 with BOM", lambda t: b"\xef\xbb\xbf" + t.encode()),
        ("utf-16", lambda t: t.encode("utf-16")),
        ("utf-16-le", lambda t: t.encode("utf-16-le")),
        ("utf-32", lambda t: t.encode("utf-32")),
        ("latin-1 byte", lambda t: t.replace("CANDIDATE 1", "CANDIDAT\u00c9 1").encode("latin-1")),
    ],
)
def test_only_strict_utf8_is_accepted_and_nothing_breaks(world, label, encode):
    kind, body, idem = world.message(0)
    r = world.post(kind, encode(body.decode()), idem + "-enc-" + label.replace(" ", "-"))
    assert r.status_code == 415 and refusal(r) == "bad_encoding", r.text
    assert "UTF-8" in r.json()["reason"]
    _board_ok(world)
    # the real message still goes through afterwards
    assert world.post(kind, body, idem).status_code == 200
    _board_ok(world)


def test_exactly_the_signed_bytes_are_stored(world):
    kind, body, idem = world.message(0)
    assert world.post(kind, body, idem).status_code == 200
    # non-ASCII and escapes survive byte for byte
    for key, digest, text in _stored(world):
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == digest, key


def test_headers_are_strict_and_all_required(world):
    kind, body, idem = world.message(1)
    path = wire.PATHS[kind].format(ac=7)
    good = signing.sign_request(world.key, "POST", path, body, idem + "-h")
    raw = base64.b64decode(good[signing.H_SIGNATURE])

    def send(**change):
        h = dict(good)
        for k, v in change.items():
            name = {"digest": signing.H_DIGEST, "sig": signing.H_SIGNATURE, "kid": signing.H_KEY_ID, "idem": signing.H_IDEMPOTENCY, "ts": signing.H_TIME}[k]  # fmt: skip
            if v is None:
                del h[name]
            else:
                h[name] = v
        return httpx.post(world.url + path, content=body, headers=h, timeout=10)

    r = send(digest=None)  # the digest header is required (docs said so, the code did not)
    assert r.status_code == 401 and refusal(r) == "unsigned" and signing.H_DIGEST in r.json()["reason"]
    r = send(digest=good[signing.H_DIGEST].upper())
    assert r.status_code == 400 and refusal(r) == "bad_header"
    # re-encoded variants of a valid signature: unpadded, URL-safe, with whitespace, spare bits
    variants = [
        good[signing.H_SIGNATURE].rstrip("="),
        base64.urlsafe_b64encode(raw).decode().replace("=", "") + "==",
        good[signing.H_SIGNATURE][:40] + " " + good[signing.H_SIGNATURE][40:],
        good[signing.H_SIGNATURE][:85] + chr(ord(good[signing.H_SIGNATURE][85]) + 1) + "==",
    ]
    for v in variants:
        if v == good[signing.H_SIGNATURE]:
            continue
        r = send(sig=v)
        assert r.status_code in (400, 401), (v, r.status_code, r.text)
        assert refusal(r) in ("bad_signature_encoding", "bad_signature"), r.text
    r = send(sig="A" * 150)  # long: a clear 400, on PostgreSQL too (it was a 500)
    assert r.status_code == 400 and refusal(r) == "bad_signature_encoding"
    r = send(sig="A" * 5000)
    assert r.status_code in (400, 431) and r.status_code < 500
    r = send(kid="Z" * 16)
    assert r.status_code == 400 and refusal(r) == "bad_header"
    r = send(idem="x" * 81)
    assert r.status_code == 400 and refusal(r) == "bad_idempotency_key"
    r = send(ts="yesterday")
    assert r.status_code == 401 and refusal(r) == "bad_time"
    assert send().status_code == 200  # the untouched request is accepted
    # a captured signature re-encoded is no longer a cached 200: it is refused
    r = send(sig=good[signing.H_SIGNATURE].rstrip("="))
    assert r.status_code == 400


def _chunked_upload(url: str, path: str, total: int, headers: dict[str, str], out: list) -> None:
    """POST `total` bytes with Transfer-Encoding: chunked over a raw socket, as fast as the
    server takes them; records the status line (or how the connection ended)."""
    host, port = url.removeprefix("http://").split(":")
    s = socket.create_connection((host, int(port)), timeout=60)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        s.sendall(head.encode())
        chunk = b"[" * (1 << 20)
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sent = 0
        try:
            while sent < total:
                s.sendall(frame)
                sent += len(chunk)
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: what we want
        s.settimeout(30)
        try:
            data = s.recv(200)
        except OSError as exc:
            data = repr(exc).encode()
        out.append((sent, data.split(b"\r\n", 1)[0].decode(errors="replace")))
    finally:
        s.close()


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_memory_stays_bounded_through_four_256_mb_chunked_uploads(tmp_path):
    """4 concurrent 256 MB chunked POSTs, unsigned and signed by a registered centre: the
    receiver's peak resident memory stays under 300 MB (it went to 3.1 GB)."""
    key = keys.init_keys(tmp_path / "centre.key")
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(key), 7)
        path = "/v1/acs/7/rounds"
        signed = signing.sign_request(key, "POST", path, b"{}", "big-1")
        signed.pop("Content-Type")
        results: list = []
        threads = [
            threading.Thread(
                target=_chunked_upload,
                args=(central.url, path, 256 << 20, signed if i % 2 else {}, results),
            )
            for i in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        peak = _peak_rss_mb(central.proc.pid)
        assert len(results) == 4
        statuses = sorted(line for _, line in results)
        assert all(("401" in s or "413" in s or "Error" in s or s == "") for s in statuses), statuses
        assert any("413" in s for s in statuses) or any("401" in s for s in statuses), statuses
        assert peak < 300, f"peak RSS {peak:.0f} MB"
        assert httpx.get(central.url + "/board").status_code == 200
    finally:
        central.stop()


def test_a_revoked_key_is_refused_at_once_and_grants_are_listed(tmp_path):
    key = keys.init_keys(tmp_path / "centre.key")
    central = CentralServer(tmp_path, str(tmp_path / "central.db"), workers=2).start()
    try:
        pub = keys.public_key_b64(key)
        central.add_centre(pub, 7)
        kid = signing.key_id(pub)
        listed = encore("central", "grants", "--db", central.db).stdout
        assert kid in listed and "active" in listed and " 7 " in f" {listed} "
        from encore_tui.push import queue
        from encore_tui.store import open_store
        from tests.support.central import payload
        from tests.support.receiver import make_counted_ac

        store = open_store(tmp_path / "centre.db")
        make_counted_ac(store)
        items = [(it.kind, payload(store, it.id), it.idempotency_key) for it in queue.queue_state(store)]
        store.close()
        w = World(central, key, items)
        kind, body, idem = w.message(0)
        # both workers have the key in their cache (several pushes land on each)
        for _ in range(6):
            assert w.post(kind, body, idem).status_code == 200
        encore("central", "revoke", "--db", central.db, kid, "--reason", "laptop stolen")
        for i in range(6):  # every worker refuses at once (no cache in the way)
            kind, body, idem = w.message(1 + i % 3)
            r = w.post(kind, body, idem)
            assert r.status_code == 403 and refusal(r) == "key_revoked", r.text
        listed = encore("central", "grants", "--db", central.db).stdout
        assert "REVOKED" in listed
        again = encore(
            "central", "add-centre", "--db", central.db, "--public-key", pub, "--ac", "7", check=False
        )
        assert again.returncode == 2 and "stays revoked" in again.stderr
    finally:
        central.stop()


def test_unknown_key_is_refused_before_the_body_is_read(world):
    """A stranger's big body is not read: the 401 comes back while the upload is still going."""
    stranger_headers = signing.sign_request(world.key, "POST", "/v1/acs/7/rounds", b"{}", "s-1")
    stranger_headers[signing.H_KEY_ID] = "0123456789abcdef"
    stranger_headers.pop("Content-Type")
    out: list = []
    t0 = time.monotonic()
    _chunked_upload(world.url, "/v1/acs/7/rounds", 64 << 20, stranger_headers, out)
    sent, line = out[0]
    assert "401" in line or line == "" or "Error" in line, line
    assert sent < 64 << 20 or time.monotonic() - t0 < 30
