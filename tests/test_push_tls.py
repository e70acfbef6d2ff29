"""TLS to central is verified against the configured CA bundle (and only that)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import subprocess
import sys
import time

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from encore_tui.push import queue
from encore_tui.push.relay import PushConfig, Relay
from encore_tui.wire import keys
from tests.conftest import ROOT
from tests.support.receiver import encore, free_port, make_counted_ac


def _cert(subject: str, issuer_key, issuer_name, key, ca: bool):
    now = dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
    return b.sign(issuer_key, hashes.SHA256())


def _pem(obj) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_relay_verifies_central_tls_against_the_ca_bundle(sqlite_store, tmp_path):
    ca_key, srv_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "encore test CA")])
    ca = _cert("encore test CA", ca_key, ca_name, ca_key, ca=True)
    srv = _cert("127.0.0.1", ca_key, ca_name, srv_key, ca=False)
    (tmp_path / "ca.pem").write_bytes(_pem(ca))
    (tmp_path / "srv.pem").write_bytes(_pem(srv))
    (tmp_path / "srv.key").write_bytes(_pem(srv_key))

    store = sqlite_store
    make_counted_ac(store, rounds=(1,))
    centre = keys.init_keys()
    db, port = str(tmp_path / "central.db"), free_port()
    encore("central", "add-centre", "--db", db, "--ac", "7", "--public-key", keys.public_key_b64(centre))
    proc = subprocess.Popen(
        [sys.executable, "-m", "encore_tui", "central", "serve", "--db", db, "--port", str(port),
         "--key", str(tmp_path / "central.key"), "--ssl-certfile", str(tmp_path / "srv.pem"),
         "--ssl-keyfile", str(tmp_path / "srv.key")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"https://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
                httpx.get(url + "/v1/server-key", verify=ctx, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        central_key = encore(
            "central", "keys", "show", "-q", "--key", str(tmp_path / "central.key")
        ).stdout.strip()
        untrusting = Relay(store, PushConfig(url=url, central_key=central_key, base_delay=0.05), centre)
        rep = untrusting.flush(force=True)
        untrusting.close()
        assert rep.acked == [] and "CERTIFICATE_VERIFY_FAILED" in queue.queue_state(store)[0].last_error
        cfg = PushConfig(
            url=url, central_key=central_key, ca_bundle=str(tmp_path / "ca.pem"), base_delay=0.05
        )
        trusting = Relay(store, cfg, centre)
        assert len(trusting.flush(force=True).acked) == 2
        trusting.close()
    finally:
        proc.terminate()
        proc.wait(10)
