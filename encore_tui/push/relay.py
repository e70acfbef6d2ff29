"""The outbox relay: sends queued messages to central in order, signed, until acknowledged.

- Order: per AC, the oldest pending row goes first; later rows wait behind a row that is
  being retried (central never sees round 5 before round 4). A row refused for good
  (`failed`) does not hold the others back; it waits for `encore push --retry-failed`.
- Retries: capped exponential backoff with jitter; the next attempt time is stored in the
  row, so a restart neither forgets nor hurries a backoff. Retry-After is honoured.
- Done means acknowledged: a row is `acked` only on a receipt signed by the configured central
  key for exactly this idempotency key and body. The receipt is kept in the row.
- On acknowledging a round (or the postal result), the round is marked published through
  services.publish_round, as the SYSTEM actor, if it is still that approval.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError
from sqlalchemy import select

from encore_tui import services
from encore_tui.domain.rounds import IllegalTransition, RoundStatus
from encore_tui.push import queue
from encore_tui.store.engine import Store
from encore_tui.store.models import outbox as outbox_t
from encore_tui.store.models import round_ as round_t
from encore_tui.wire import keys, signing
from encore_tui.wire import messages as wire

log = logging.getLogger("encore.push")

PERMANENT = {400, 404, 405, 413, 415, 422}  # retrying the same message cannot help
PUBLISHES = {
    "round": True,
    "correction": True,
    "postal": True,
    "vvpat": False,
    "declaration": False,
    "setup": False,
    "recount": False,
    "document": False,
}
MAX_RETRY_AFTER = 3600.0


class PushConfigError(ValueError):
    pass


@dataclass(frozen=True)
class PushConfig:
    url: str  # e.g. https://results.example.gov.in
    central_key: str  # base64 Ed25519 public key that signs central's receipts
    ca_bundle: str = ""  # PEM file of the CA(s) to trust for TLS; empty: the system's
    timeout: float = 10.0
    base_delay: float = 1.0
    max_delay: float = 300.0

    @classmethod
    def from_settings(cls, settings, **overrides) -> PushConfig:
        url = overrides.pop("url", None) or settings.push_url
        central_key = overrides.pop("central_key", None) or settings.push_central_key
        if not url:
            raise PushConfigError(
                "No central endpoint configured: set push_url in the config file (or $ENCORE_PUSH_URL)."
            )
        if not central_key or not signing.valid_public_key(central_key):
            raise PushConfigError(
                "Central's receipt key is not configured: set push_central_key (or $ENCORE_CENTRAL_KEY) "
                "to the key `encore central keys show` prints at central."
            )
        ca = settings.ca_bundle or ""
        if ca and not os.path.isfile(ca):
            raise PushConfigError(
                f"The CA bundle {ca} (ca_bundle) does not exist: fix the path or leave it empty."
            )
        return cls(url=url.rstrip("/"), central_key=central_key, ca_bundle=ca, **overrides)


@dataclass
class FlushReport:
    acked: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retrying: dict[int, str] = field(default_factory=dict)  # row id → why
    left: int = 0
    next_attempt_at: str | None = None


def backoff(attempts: int, base: float, cap: float, rand: Callable[[], float]) -> float:
    """Full exponential backoff (base·2^(n-1), capped) with jitter in [50 %, 100 %]."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay * (0.5 + 0.5 * rand())


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


def _ts(t: datetime) -> str:
    return t.isoformat(timespec="microseconds")


class Relay:
    def __init__(
        self,
        store: Store,
        config: PushConfig,
        key: Ed25519PrivateKey,
        *,
        rand: Callable[[], float] = random.random,
        client: httpx.Client | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.key = key
        self.rand = rand
        # TLS is always verified: against the configured CA bundle, else the system's CAs
        verify = ssl.create_default_context(cafile=config.ca_bundle) if config.ca_bundle else True
        self.client = client or httpx.Client(
            verify=verify, timeout=httpx.Timeout(config.timeout, connect=5.0)
        )

    def close(self) -> None:
        self.client.close()

    # -- one message -----------------------------------------------------------------------------
    def send(self, row: queue.Pending) -> str:
        """Try one row once. Returns 'acked', 'failed' or 'retry' (the row records why)."""
        now = datetime.now(UTC)
        path_t = wire.PATHS.get(row.kind)
        ac_number = row.ac_number
        if path_t is None or ac_number is None:
            queue.mark_failed(self.store, row.id, f"cannot send a {row.kind!r} message: update encore-tui")
            return "failed"
        held = queue.journal_problem(self.store, row)
        if held:  # never send figures the journal does not vouch for
            log.error("push %s held: %s", row.key, held)
            queue.mark_failed(self.store, row.id, held)
            return "failed"
        attempts = row.attempts + 1
        delay = backoff(attempts, self.config.base_delay, self.config.max_delay, self.rand)
        queue.mark_sending(self.store, row.id, attempts, _ts(now + timedelta(seconds=delay)))
        path = path_t.format(ac=ac_number)
        body = row.payload.encode()
        headers = signing.sign_request(self.key, "POST", path, body, row.key)
        try:
            resp = self.client.post(self.config.url + path, content=body, headers=headers)
        except httpx.HTTPError as exc:
            why = f"central not reachable ({exc.__class__.__name__}: {exc})"
            queue.mark_retry(self.store, row.id, why, _ts(now + timedelta(seconds=delay)))
            return "retry"
        if resp.status_code in (200, 201):
            problem = self._check_receipt(resp, row, body)
            if problem:
                queue.mark_retry(self.store, row.id, problem, _ts(now + timedelta(seconds=delay)))
                return "retry"
            queue.mark_acked(self.store, row.id, resp.text)
            self._publish(row)
            return "acked"
        reason = _reason(resp)
        if resp.status_code in PERMANENT:
            queue.mark_failed(self.store, row.id, f"refused by central (HTTP {resp.status_code}): {reason}")
            return "failed"
        after = retry_after_seconds(resp.headers.get("Retry-After"), datetime.now(UTC))
        wait = after if after is not None else delay
        queue.mark_retry(
            self.store,
            row.id,
            f"HTTP {resp.status_code}: {reason}",
            _ts(datetime.now(UTC) + timedelta(seconds=wait)),
        )
        return "retry"

    def _check_receipt(self, resp: httpx.Response, row: queue.Pending, body: bytes) -> str | None:
        try:
            signed = wire.SignedReceipt.model_validate_json(resp.content)
        except ValidationError:
            return "central answered without a valid receipt; will retry"
        r = signed.receipt
        if r.idempotency_key != row.key or r.body_sha256 != signing.body_digest(body):
            return "central's receipt is for another message; will retry"
        if not keys.verify(self.config.central_key, wire.canonical_receipt(r), signed.signature):
            return "central's receipt is not signed by the configured central key (push_central_key)"
        return None

    def _publish(self, row: queue.Pending) -> None:
        if PUBLISHES.get(row.kind):
            publish_if_current(self.store, row.id)

    # -- the queue -------------------------------------------------------------------------------
    def flush(self, *, force: bool = False) -> FlushReport:
        """Send every due row (all pending rows with force=True), AC by AC in order."""
        report = FlushReport()
        reconcile_published(self.store)
        blocked: set[int] = set()
        tried: set[int] = set()
        while True:
            now = _ts(datetime.now(UTC))
            due = [
                h
                for h in queue.heads(self.store)
                if h.ac_id not in blocked
                and h.id not in tried
                and (force or h.next_attempt_at is None or h.next_attempt_at <= now)
            ]
            if not due:
                break
            for h in due:
                tried.add(h.id)
                outcome = self.send(h)
                if outcome == "acked":
                    report.acked.append(h.id)
                elif outcome == "failed":
                    report.failed.append(h.id)
                else:
                    blocked.add(h.ac_id)
        pending = queue.queue_state(self.store, states=queue.PENDING)
        report.left = len(pending)
        for it in pending:
            if it.last_error and it.id not in report.acked:
                report.retrying[it.id] = it.last_error
        times = [it.next_attempt_at for it in pending if it.next_attempt_at]
        report.next_attempt_at = min(times) if times else None
        return report

    def watch(
        self,
        stop: threading.Event,
        poll: float = 0.5,
        on_report: Callable[[FlushReport], None] | None = None,
    ) -> None:
        """Keep the queue flowing until `stop` is set; new rows go out within `poll` seconds."""
        while not stop.is_set():
            try:
                report = self.flush()
                if on_report and (report.acked or report.failed):
                    on_report(report)
            except Exception:  # the relay must outlive a bad moment (disk full, DB restart)
                log.exception("push relay: flush failed; retrying")
                stop.wait(5)
            stop.wait(poll)


def _reason(resp: httpx.Response) -> str:
    """Central's refusal as the RO sees it: its stable code (docs/push.md) and its sentence."""
    try:
        refusal = wire.Refusal.model_validate_json(resp.content)
        return f"[{refusal.error}] {refusal.reason}"
    except ValidationError:
        return (resp.text or resp.reason_phrase)[:300]


# -- publishing ------------------------------------------------------------------------------------
def publish_if_current(store: Store, row_id: int) -> bool:
    """Mark the round of an acknowledged row published, if that approval is still current:
    the round is approved at that revision and no later message for it was queued."""
    with store.read() as conn:
        row = conn.execute(select(outbox_t).where(outbox_t.c.id == row_id)).one()
        if row.state != "acked" or not PUBLISHES.get(row.kind):
            return False
        round_no, revision = row.round_no, row.revision  # written by tx.push with the message
        if round_no is None or revision is None:
            return False
        later = conn.execute(
            select(outbox_t.c.id).where(
                outbox_t.c.ac_id == row.ac_id,
                outbox_t.c.id > row.id,
                outbox_t.c.kind.in_([k for k, v in PUBLISHES.items() if v]),
                outbox_t.c.round_no == round_no,
            )
        ).first()
        if later is not None:  # a later message for this round was queued: this one is not current
            return False
        st = conn.execute(
            select(round_t.c.status, round_t.c.revision).where(
                round_t.c.ac_id == row.ac_id, round_t.c.round_no == round_no
            )
        ).one_or_none()
    if st is None or st.status != RoundStatus.APPROVED.value or st.revision != revision:
        return False
    try:
        services.publish_round(store, row.ac_id, round_no, services.SYSTEM, revision=revision)
    except (services.ServiceError, IllegalTransition) as exc:  # changed meanwhile: not current
        log.info("round %s not published: %s", round_no, exc)
        return False
    return True


def reconcile_published(store: Store) -> int:
    """After a crash between 'acked' and 'published': publish what central has acknowledged."""
    with store.read() as conn:
        waiting = conn.execute(
            select(round_t.c.ac_id).where(round_t.c.status == RoundStatus.APPROVED.value).limit(1)
        ).first()
        if waiting is None:
            return 0
        acked = [
            r.id
            for r in conn.execute(
                select(outbox_t.c.id)
                .where(
                    outbox_t.c.state == "acked", outbox_t.c.kind.in_([k for k, v in PUBLISHES.items() if v])
                )
                .order_by(outbox_t.c.id)
            )
        ]
    return sum(1 for i in acked if publish_if_current(store, i))


def open_relay(store: Store, settings, **overrides) -> Relay:
    key = keys.load_private_key()
    if key is None:
        raise PushConfigError(f"No signing key at {keys.key_path()}: run `encore keys init` first.")
    return Relay(store, PushConfig.from_settings(settings, **overrides), key)
