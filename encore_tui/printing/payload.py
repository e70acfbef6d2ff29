"""The QR payload printed on every sheet (documented in docs/printing.md).

Compact JSON, keys sorted, no spaces; `s` (when a centre key exists) is the base64 Ed25519
signature over the same JSON without `s`. Keys:

  v    payload version (1)
  k    document: rs round sheet, f20, 21c, 21d, 21e, 22, pb postal result sheet, ca correction annex,
       ts/tk/tr/tc training sheets, answer key, report, certificate (with `sn`: the session)
  ac   AC number
  r    round (rs, ca); the last round included (forms)
  rev  revision of that round (rs, ca)
  st   a approved / s submitted / d draft (figures not yet submitted)
  d    figures digest: the round's figures digest (rs, ca: the newer revision); the documents'
       own figures digest (forms: sha256 of their canonical figures)
  p    sheet digest of the previous round's sheet (rs, ca); the chain head (forms)
  t    rs: 8-hex digest of each table; forms: 8-hex figures digest of each round 0..r
  o    ca: the older revision's figures digest
  w    21c/21d/21e/22: winner's serial; dr: 1 when printed before the declaration (draft)
  pg   page number
  at   time printed (UTC ISO)
  js   the journal's chain head when printed: seq of the AC's newest event
  jh   its hash, first 32 hex digits (`encore verify sheet` checks the store's journal has it)
  s    signature
"""

from __future__ import annotations

import json

from encore_tui.store.journal import canonical
from encore_tui.wire.keys import sign as ed_sign
from encore_tui.wire.keys import verify

VERSION = 1
KINDS = {
    "rs": "round sheet",
    "f20": "Form 20",
    "21c": "Form 21C",
    "21d": "Form 21D",
    "21e": "Form 21E",
    "22": "Form 22",
    "pb": "postal result sheet",
    "ca": "correction annex",
    "ts": "training sheets",
    "tk": "training answer key",
    "tr": "training report",
    "tc": "training certificate",
}


class PayloadError(ValueError):
    pass


def unsigned_text(payload: dict) -> str:
    return canonical({k: v for k, v in payload.items() if k != "s"})


def sign(payload: dict, key) -> dict:
    """Add the centre's signature when `key` (Ed25519 private key) is given."""
    if key is None:
        return dict(payload)

    return {**payload, "s": ed_sign(key, unsigned_text(payload).encode())}


def encode(payload: dict) -> str:
    return canonical(payload)


def decode(text: str) -> dict:
    text = text.strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(
            "That is not a sheet's QR text (it should start with '{' and be the whole text the "
            f"scanner read): {exc.msg} at character {exc.pos}."
        ) from None
    if not isinstance(data, dict) or data.get("v") != VERSION or data.get("k") not in KINDS:
        raise PayloadError("That QR text is not from an encore sheet (unknown version or document).")
    for k in ("ac", "d"):
        if k not in data:
            raise PayloadError(f"The QR text lacks '{k}': it is incomplete — scan the code again.")
    return data


def check_signature(payload: dict, public_b64: str) -> bool:
    return "s" in payload and verify(public_b64, unsigned_text(payload).encode(), payload["s"])
