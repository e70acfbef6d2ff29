"""Every refusal central gives, declared once: a stable code, its HTTP status and what it means.

The relay shows the code to the RO (`[code] reason`); docs/push.md lists every code (a test
checks that the list and this registry agree). 409 means "wait": the relay retries the message
and it is accepted once the earlier message it needs has arrived. Other 4xx are final for that
message: retrying the same bytes cannot help.
"""

from __future__ import annotations

CODES: dict[str, tuple[int, str]] = {
    # signing and transport (before the message is read)
    "unsigned": (401, "a signing header is missing"),
    "bad_header": (400, "a signing header is malformed (key id, digest) or too long"),
    "bad_time": (401, "X-Encore-Time is not an ISO 8601 UTC time"),
    "stale_time": (401, "the request time is outside the accepted window: check the counting PC's clock"),
    "bad_idempotency_key": (400, "Idempotency-Key is not 1-80 characters of A-Z a-z 0-9 . _ : -"),
    "bad_signature_encoding": (400, "X-Encore-Signature is not the standard base64 of 64 bytes"),
    "bad_signature": (401, "the signature does not verify over this method, path, body and headers"),
    "body_digest_mismatch": (400, "the body does not match its X-Encore-Content-SHA256 header"),
    "unknown_key": (401, "the key id is not registered at central (`encore central add-centre`)"),
    "key_revoked": (403, "the centre's key was revoked (`encore central revoke`)"),
    "ac_not_allowed": (403, "the key may not write this AC (`encore central add-centre --ac`)"),
    "too_large": (413, "the body is over 16 MB (counted as it arrives, chunked bodies too)"),
    "bad_encoding": (
        415,
        "the body is not strict UTF-8 (a byte-order mark, UTF-16/32, NUL or invalid bytes)",
    ),
    "replay": (409, "this very signed request was already received"),
    "idempotency_key_reused": (422, "the Idempotency-Key was already used for another body"),
    "busy": (503, "the store is busy: retry after Retry-After seconds"),
    # the message itself
    "invalid_body": (422, "the body is not JSON of the message's schema"),
    "kind_mismatch": (422, "the message's kind is not the endpoint's"),
    "ac_mismatch": (422, "the message's AC is not the AC in the path"),
    "does_not_add_up": (422, "the figures of the message do not add up (tables, totals, brought forward)"),
    # the message against what central already holds for the AC (central/acmodel.py)
    "setup_changed": (422, "the AC, election, candidates or parties differ from what central holds"),
    "plan_below_rounds_done": (422, "rounds planned is changed below the rounds already received"),
    "round_out_of_order": (409, "the round before is not held (or is being re-verified): this one waits"),
    "old_revision": (422, "a revision older than the one central holds"),
    "station_counted_twice": (422, "a polling station already counted in another round"),
    "station_not_kept_aside": (422, "the VVPAT round lists a station that was not kept aside"),
    "postal_missing": (409, "the message needs the postal result, which central does not hold yet: it waits"),
    "postal_mismatch": (
        422,
        "the postal result folded into the round is not the postal message central holds",
    ),
    "rounds_missing": (409, "VVPAT results before every planned round is held and current: it waits"),
    "declaration_too_early": (
        409,
        "a declaration before every round and the VVPAT result are held: it waits",
    ),
    "declaration_mismatch": (422, "the declared totals are not the totals central holds"),
    "declared_differently": (422, "the AC was already declared with another result"),
    "recount_round_missing": (409, "a recount of a round central does not hold yet: it waits for it"),
    "after_declaration": (422, "a round, correction, postal or VVPAT message after the declaration"),
    "not_declared": (422, "a signed Form 21C or 22 before the result is declared"),
    # reading
    "no_such_ac": (404, "nothing has been received for this AC"),
    "no_such_round": (404, "nothing has been received for this round"),
}


class Refusal(Exception):
    """A refusal with a registered code (the status comes from the registry)."""

    def __init__(self, code: str, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason
        self.status = status if status is not None else CODES[code][0]
