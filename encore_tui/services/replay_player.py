"""The replay's clock: which recorded events are due, applied into the scratch store from ONE
thread (the screen's worker runs `Player.run`); keys only set requests (pause, speed, jump).

Going back a round rebuilds the scratch store from the start up to that round (a journal is only
ever appended to): a new temporary file, the events applied in one unit of work.
"""

from __future__ import annotations

import bisect
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from encore_tui.domain import playback
from encore_tui.services.replay import Recording, apply_events, new_scratch

log = logging.getLogger("encore.replay")


@dataclass(frozen=True)
class ReplayStatus:
    round_no: int | None  # None: before the first round (the setup)
    rounds: int  # the plan's EVM rounds (a final VVPAT round may come after)
    speed: float
    paused: bool
    finished: bool
    position: int  # events shown (of `events`)
    events: int


class Player:
    def __init__(
        self,
        rec: Recording,
        *,
        round_seconds: float = 4.0,
        speed: float = 1.0,
        from_round: int | None = None,
        folder: Path | None = None,
        real_time: bool = False,
    ) -> None:
        if round_seconds <= 0:
            raise ValueError("--round-seconds must be above 0")
        self.rec = rec
        self._own_folder = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix="encore-replay-"))
        self.parts = playback.chapters([(e.kind, e.payload) for e in rec.events])
        stamps = [e.ts for e in rec.events]
        if real_time:  # as long as it took, × speed
            self.at = playback.real_time(stamps, self.parts)
        else:  # one round per round_seconds at ×1
            self.at = playback.schedule(stamps, self.parts, round_seconds)
        self.speed = speed
        self.paused = False
        self.rounds = rec.plan.round_count
        self._lock = threading.Lock()
        self._target: int | None = None  # a jump asked for (→, ←, --from-round)
        self.store, self.ac_id = new_scratch(rec, self.folder)
        self.position = 1  # the next event to apply (events[0], the setup, is in the scratch store)
        prologue = self.parts[0].start if self.parts else len(rec.events)
        self._apply_to(prologue)
        self.clock = 0.0  # seconds of recording shown, at ×1
        if from_round is not None:
            starts = [ch.start for ch in self.parts if ch.round_no >= from_round]
            if not starts:
                raise ValueError(f"the recording has no round {from_round}")
            self.seek(starts[0])

    # -- what the screens ask ----------------------------------------------------------------------
    def status(self) -> ReplayStatus:
        k = playback.chapter_at(self.parts, self.position)
        return ReplayStatus(
            None if k is None else self.parts[k].round_no,
            self.rounds,
            self.speed,
            self.paused,
            self.finished,
            self.position,
            len(self.rec.events),
        )

    @property
    def finished(self) -> bool:
        return self.position >= len(self.rec.events)

    def toggle_pause(self) -> None:
        with self._lock:
            self.paused = not self.paused

    def faster(self) -> None:
        with self._lock:
            self.speed = playback.faster(self.speed)

    def slower(self) -> None:
        with self._lock:
            self.speed = playback.slower(self.speed)

    def next_round(self) -> None:
        """Show the rest of this round at once: the next round's first event is next."""
        with self._lock:
            pos = self._target if self._target is not None else self.position
            later = [ch.start for ch in self.parts if ch.start > pos]
            self._target = later[0] if later else len(self.rec.events)

    def previous_round(self) -> None:
        """Back to the start of the previous round (it plays again from there)."""
        with self._lock:
            pos = self._target if self._target is not None else self.position
            k = playback.chapter_at(self.parts, pos)
            if k is not None:
                self._target = self.parts[max(0, k - 1)].start

    # -- the worker's side -------------------------------------------------------------------------
    def seek(self, target: int) -> None:
        """Make the scratch store show exactly the events before `target`."""
        target = max(1, min(target, len(self.rec.events)))
        if target < self.position:
            old = self.store
            self.store, self.ac_id = new_scratch(self.rec, self.folder)
            self.position = 1
            old.engine.dispose()
        self._apply_to(target)
        self.clock = self.at[target] - 1e-6 if target < len(self.at) else self.at[-1]

    def _apply_to(self, target: int) -> bool:
        if target <= self.position:
            return False
        self.position = apply_events(self.store, self.ac_id, self.rec, self.position, target)
        return True

    def advance(self, elapsed: float) -> bool:
        """Move the clock by `elapsed` wall seconds (× speed unless paused) and apply what is
        due. True if the scratch store changed."""
        with self._lock:
            target, self._target = self._target, None
            if not self.paused and target is None:
                self.clock += elapsed * self.speed
        if target is not None:
            before = (self.store, self.position)
            self.seek(target)
            return before != (self.store, self.position)
        due = bisect.bisect_right(self.at, self.clock)
        return self._apply_to(due)

    def run(
        self,
        should_stop: Callable[[], bool],
        on_change: Callable[[], None],
        on_error: Callable[[Exception], None],
        tick: float = 0.05,
        paint_every: float = 0.25,
    ) -> None:
        """The loop of the screen's thread worker: apply what is due, say so at most every
        `paint_every` seconds (and at once after a jump or at the end)."""
        last = time.monotonic()
        painted = 0.0
        dirty = False
        while not should_stop():
            time.sleep(tick)
            now = time.monotonic()
            jump = self._target is not None
            try:
                dirty = self.advance(now - last) or dirty
            except Exception as exc:  # said on the screen; the replay stops where it was
                log.exception("replay stopped")
                on_error(exc)
                return
            last = now
            if dirty and (jump or self.finished or now - painted >= paint_every):
                on_change()
                painted, dirty = now, False

    def close(self) -> None:
        self.store.engine.dispose()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)
