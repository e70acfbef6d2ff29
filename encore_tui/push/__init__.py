"""Push to the central results endpoint: outbox relay, httpx client, request signing."""

from encore_tui.push.queue import OutboxItem, queue_counts, queue_state, requeue_failed

__all__ = ["OutboxItem", "queue_counts", "queue_state", "requeue_failed"]
