"""Group commit for the receiver's writes.

A SQLite commit in WAL with synchronous=FULL waits for an fsync (~2-3 ms here), and writes are
serialised (one writer at a time, across worker processes), so one transaction per push caps
ingest at one fsync per message. Instead, a request puts its message in `pending` and waits;
the writer thread stores every message waiting then, in ONE transaction (each in its own
savepoint, so a refusal undoes only that message), and answers all of them once COMMIT returned. Nothing is answered before it is durable; a batch is never held
back to grow (it is whatever arrived while the previous commit ran).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
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
    """One writer thread per process, started when a message arrives (it ends after a few idle
    seconds): it takes every message waiting, writes them with `write(batch)` (one transaction),
    then wakes each request. Requests wait on an asyncio future (`submit`), so no thread of the
    pool is held per push, or on an event (`run`, for callers outside an event loop)."""

    IDLE_SECONDS = 5.0

    def __init__(self, write: Callable[[list[Item]], None]) -> None:
        self._write = write
        self._queue: queue.SimpleQueue[tuple[Item, Callable[[], None]]] = queue.SimpleQueue()
        self._lock = threading.Lock()  # guards _thread
        self._writer = threading.Lock()  # held while a batch is written (and by `held`)
        self._thread: threading.Thread | None = None
        self._first = 0  # messages the writer took and holds until it has the writer lock
        self.batches = 0  # transactions written (messages / batches: how much group commit saves)
        self.messages = 0

    def waiting(self) -> int:
        """Messages waiting for the writer now."""
        return self._queue.qsize() + self._first

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the writer: messages wait meanwhile, then go in one batch (tests use it)."""
        with self._writer:
            yield

    def _put(self, item: Item, done: Callable[[], None]) -> None:
        self._queue.put((item, done))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="central-writer", daemon=True)
                self._thread.start()

    async def submit(self, item: Item) -> Item:
        """Store `item` with whatever else is waiting; returns it with its result or error set,
        once the batch's COMMIT returned (or failed)."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def done() -> None:
            with contextlib.suppress(RuntimeError):  # the event loop is gone (shutting down)
                loop.call_soon_threadsafe(_resolve, fut)

        self._put(item, done)
        await fut
        return item

    def run(self, item: Item) -> Item:
        """`submit` for a caller that is not in an event loop."""
        ev = threading.Event()
        self._put(item, ev.set)
        ev.wait()
        return item

    def _loop(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():  # a message put now starts a new writer
                        self._thread = None
                        return
                continue
            self._first = 1
            with self._writer:
                self._first = 0
                taken = [first]
                while len(taken) < MAX_BATCH:
                    try:
                        taken.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                batch = [it for it, _ in taken]
                self.batches += 1
                self.messages += len(batch)
                try:
                    self._write(batch)
                except BaseException as exc:  # noqa: BLE001 - nothing of the batch was stored
                    for b in batch:
                        b.result, b.error = None, exc
                finally:
                    for b, done in taken:
                        b.done = True
                        done()


def _resolve(fut) -> None:
    if not fut.done():  # not if the request was cancelled meanwhile
        fut.set_result(None)
