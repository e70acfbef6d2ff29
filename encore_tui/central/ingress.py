"""What a push must look like before central reads its body: strict headers, a body limit
counted as the bytes arrive (chunked too), strict UTF-8 JSON, exactly the signed bytes kept.

The order matters for memory: the headers are checked (well formed, a registered key) before a
single byte of the body is read, so an unsigned stranger is refused with nothing buffered; a
registered centre's body is read at most `limit` + one chunk, then refused with 413.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from encore_tui.central.codes import Refusal
from encore_tui.wire import signing

MAX_BODY = 16 * 1024 * 1024  # a declaration carries a scan of at most ~10 MB (base64: ~14 MB)
MAX_HEADER = 200  # no header central reads is longer than this (a signature is 88 characters)

_KEY_ID = re.compile(r"[0-9a-f]{16}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_IDEMPOTENCY = re.compile(r"[A-Za-z0-9._:\-]{1,80}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class PushHeaders:
    key_id: str
    time: str
    digest: str
    idempotency_key: str
    signature: str  # canonical base64 of the 64 signature bytes: one spelling per signature


def push_headers(headers: Mapping[str, str]) -> PushHeaders:
    """The five signing headers, each required and strictly formed, or a Refusal naming it."""
    names = (signing.H_KEY_ID, signing.H_TIME, signing.H_DIGEST, signing.H_IDEMPOTENCY, signing.H_SIGNATURE)
    got = {h: headers.get(h.lower()) or "" for h in names}
    missing = [h for h in names if not got[h]]
    if missing:
        raise Refusal(
            "unsigned",
            "the request is not signed: missing " + ", ".join(missing) + " (see docs/push.md)",
        )
    for h, v in got.items():
        if len(v) > MAX_HEADER:
            raise Refusal("bad_header", f"{h} is longer than {MAX_HEADER} characters")
    if not _KEY_ID.fullmatch(got[signing.H_KEY_ID]):
        raise Refusal("bad_header", f"{signing.H_KEY_ID} must be 16 lower-case hex digits")
    if not _TIME.fullmatch(got[signing.H_TIME]):
        raise Refusal(
            "bad_time", f"{signing.H_TIME} must be an ISO 8601 UTC time such as 2026-12-02T08:30:00Z"
        )
    if not _DIGEST.fullmatch(got[signing.H_DIGEST]):
        raise Refusal(
            "bad_header", f"{signing.H_DIGEST} must be the body's SHA-256 in 64 lower-case hex digits"
        )
    if not _IDEMPOTENCY.fullmatch(got[signing.H_IDEMPOTENCY]):
        raise Refusal(
            "bad_idempotency_key",
            f"{signing.H_IDEMPOTENCY} must be 1-80 characters of A-Z a-z 0-9 . _ : -",
        )
    sig = got[signing.H_SIGNATURE]
    try:
        raw = base64.b64decode(sig, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 64 or base64.b64encode(raw).decode() != sig:
        raise Refusal(
            "bad_signature_encoding", f"{signing.H_SIGNATURE} must be the standard base64 of 64 bytes"
        )
    return PushHeaders(
        got[signing.H_KEY_ID], got[signing.H_TIME], got[signing.H_DIGEST], got[signing.H_IDEMPOTENCY], sig
    )


async def read_limited(chunks: AsyncIterator[bytes], limit: int = MAX_BODY) -> bytes:
    """The whole body, counting as it arrives: past `limit` the rest is never read."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise Refusal("too_large", f"the body is over {limit // 2**20} MB")
        parts.append(chunk)
    return b"".join(parts)


def body_text(body: bytes) -> str:
    """The body as text, only if it is strict UTF-8 without a byte-order mark or NUL bytes: the
    text then encodes back to exactly the signed bytes, which is what central stores."""
    if body.startswith(_BOMS) or body[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        raise Refusal("bad_encoding", "the body starts with a byte-order mark: send UTF-8 JSON without a BOM")
    if b"\x00" in body:
        raise Refusal("bad_encoding", "the body contains NUL bytes (UTF-16/32?): send UTF-8 JSON")
    try:
        return body.decode("utf-8", "strict")
    except UnicodeDecodeError as exc:
        raise Refusal(
            "bad_encoding", f"the body is not valid UTF-8 (byte {exc.start}): send UTF-8 JSON"
        ) from None
