"""Push to the central results endpoint: outbox relay, httpx client, request signing.

Importing this package is cheap: `encore` imports `cli.push` to build its parser, and the app's
first screen must not wait for SQLAlchemy. The queue functions load on first use."""

from __future__ import annotations

__all__ = ["OutboxItem", "queue_counts", "queue_state", "requeue_failed"]


def __getattr__(name: str):
    if name in __all__:
        from encore_tui.push import queue

        return getattr(queue, name)
    raise AttributeError(f"module 'encore_tui.push' has no attribute {name!r}")
