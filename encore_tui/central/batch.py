"""Group commit for the receiver's writes.

A SQLite commit in WAL with synchronous=FULL waits for an fsync (~2-3 ms here), and writes are
serialised (one writer at a time, across worker processes), so one transaction per push caps
ingest at one fsync per message. Instead, a request thread puts its message in `pending` and
waits for the writer lock; whoever holds it stores every message waiting then, in ONE
transaction (each in its own savepoint, so a refusal undoes only that message), and answers all
of them once COMMIT returned. Nothing is answered before it is durable; a batch is never held
back to grow (it is whatever arrived while the previous commit ran).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_BATCH = 64  # messages in one transaction at most (bounds how long the write lock is held)


@dataclass
class Item:
    kind: str
    ac: int
    msg: Any
    signed: Any
    result: str | None = None  # the signed receipt (JSON) once stored
    error: BaseException | None = None  # the refusal (or failure) answered to this request
    done: bool = False


def is_integrity_error(exc: BaseException) -> bool:
    """A unique constraint hit (SQLAlchemy's or the driver's own, raised by base/fast.py)."""
    return any(c.__name__ == "IntegrityError" for c in type(exc).__mro__)


@contextlib.contextmanager
def savepoint(conn) -> Iterator[None]:
    """A savepoint on the driver's cursor (SQLAlchemy's nested transaction costs ~0.1 ms a
    message): an exception undoes what was written inside, and goes on."""
    cur = conn.connection.dbapi_connection.cursor()
    try:
        cur.execute("SAVEPOINT encore_item")
        try:
            yield
        except BaseException:
            cur.execute("ROLLBACK TO SAVEPOINT encore_item")
            cur.execute("RELEASE SAVEPOINT encore_item")
            raise
        cur.execute("RELEASE SAVEPOINT encore_item")
    finally:
        cur.close()


class GroupCommit:
    def __init__(self, write: Callable[[list[Item]], None]) -> None:
        self._write = write
        self._pending: list[Item] = []
        self._lock = threading.Lock()  # guards _pending
        self._writer = threading.Lock()  # one batch at a time in this process
        self.batches = 0  # transactions written (messages / batches: how much group commit saves)
        self.messages = 0

    def waiting(self) -> int:
        """Messages waiting for the writer now."""
        with self._lock:
            return len(self._pending)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the writer: messages wait meanwhile, then go in one batch (tests use it)."""
        with self._writer:
            yield

    def run(self, item: Item) -> Item:
        """Store `item` (in a batch with whatever else is waiting); returns it with its result
        or error set, after the batch's COMMIT returned (or failed)."""
        with self._lock:
            self._pending.append(item)
        while True:
            with self._writer:
                if item.done:
                    return item
                with self._lock:
                    batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                self.batches += 1
                self.messages += len(batch)
                try:
                    self._write(batch)
                except BaseException as exc:  # noqa: BLE001 - nothing of the batch was stored
                    for b in batch:
                        b.result, b.error = None, exc
                finally:
                    for b in batch:
                        b.done = True
                if item.done:
                    return item
