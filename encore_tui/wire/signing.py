"""Request signing (centre → central) and its verification, shared by both ends.

A push is signed with the counting centre's Ed25519 key (encore_tui/wire/keys.py) over

    encore-push-v1 \\n METHOD \\n PATH \\n sha256(body) hex \\n Idempotency-Key \\n X-Encore-Time

so central can tell that the body, the target, the message identity and the moment are the
ones the centre signed. The time bounds a replay window; central also refuses a signature it
has already seen. A legitimate retry is signed afresh (new time, new signature) and is
answered from central's idempotency record.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from encore_tui.wire import keys

SCHEME = "encore-push-v1"
H_KEY_ID = "X-Encore-Key-Id"
H_TIME = "X-Encore-Time"
H_DIGEST = "X-Encore-Content-SHA256"
H_SIGNATURE = "X-Encore-Signature"
H_IDEMPOTENCY = "Idempotency-Key"


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def key_id(public_b64: str) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def valid_public_key(public_b64: str) -> bool:
    try:
        return len(base64.b64decode(public_b64, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def string_to_sign(method: str, path: str, digest: str, idempotency_key: str, ts: str) -> bytes:
    return "\n".join([SCHEME, method.upper(), path, digest, idempotency_key, ts]).encode()


def now_text() -> str:
    # microseconds: two signings of one message (a quick retry) must differ, or it is a replay
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sign_request(
    key: Ed25519PrivateKey,
    method: str,
    path: str,
    body: bytes,
    idempotency_key: str,
    ts: str | None = None,
) -> dict[str, str]:
    """The headers that make a request verifiable by central."""
    ts = ts or now_text()
    digest = body_digest(body)
    return {
        H_KEY_ID: key_id(keys.public_key_b64(key)),
        H_TIME: ts,
        H_DIGEST: digest,
        H_IDEMPOTENCY: idempotency_key,
        H_SIGNATURE: keys.sign(key, string_to_sign(method, path, digest, idempotency_key, ts)),
        "Content-Type": "application/json",
    }


class SignatureProblem(ValueError):
    """Why a request is not accepted as signed: (HTTP status, stable code, sentence)."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason = status, code, reason


def parse_time(ts: str) -> datetime:
    try:
        t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureProblem(401, "bad_time", f"{H_TIME} {ts!r} is not an ISO 8601 UTC time") from None
    if t.tzinfo is None:
        raise SignatureProblem(401, "bad_time", f"{H_TIME} must carry a time zone (Z)")
    return t


def check_headers(headers: Mapping[str, str]) -> tuple[str, str, str, str]:
    """(key id, time, idempotency key, signature) — or a 401 naming the missing header."""
    got = {
        h: headers.get(h.lower()) or headers.get(h) for h in (H_KEY_ID, H_TIME, H_IDEMPOTENCY, H_SIGNATURE)
    }
    missing = [h for h, v in got.items() if not v]
    if missing:
        raise SignatureProblem(401, "unsigned", "the request is not signed: missing " + ", ".join(missing))
    idem = got[H_IDEMPOTENCY] or ""
    if len(idem) > 80:
        raise SignatureProblem(400, "bad_idempotency_key", f"{H_IDEMPOTENCY} is longer than 80 characters")
    return got[H_KEY_ID] or "", got[H_TIME] or "", idem, got[H_SIGNATURE] or ""


def verify_request(
    public_b64: str,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    now: datetime,
    window_seconds: int,
) -> None:
    """Raise SignatureProblem unless the request was signed by `public_b64` within the window."""
    _, ts, idem, signature = check_headers(headers)
    digest = body_digest(body)
    claimed = headers.get(H_DIGEST.lower()) or headers.get(H_DIGEST)
    if claimed and claimed != digest:
        raise SignatureProblem(
            400,
            "body_digest_mismatch",
            "the body does not match its SHA-256 header: it was altered in transit",
        )
    t = parse_time(ts)
    skew = abs((now - t).total_seconds())
    if skew > window_seconds:
        raise SignatureProblem(
            401,
            "stale_time",
            f"the request time {ts} is {int(skew)} s away from the server's clock (allowed ±{window_seconds} s):"
            " check the counting PC's clock",
        )
    if not keys.verify(public_b64, string_to_sign(method, path, digest, idem, ts), signature):
        raise SignatureProblem(
            401, "bad_signature", "the signature does not verify: the body or the headers were altered"
        )
