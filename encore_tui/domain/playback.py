"""Playing a recorded count back (pure): the journal's events cut into chapters, one per round,
and the moment each event is shown at a chosen pace.

A chapter is one round as the hall typed it: it starts with the first event that touches a round
above every round seen so far (round 0, the postal round, usually first) and runs until the next new round
starts; approvals of round 7 made while round 8 is typed stay where they happened, in round 8's
chapter. Events before the first chapter (the setup, Form 17C Part I, the RO's settings) are
the prologue, applied at once.

Pacing: every chapter lasts `round_seconds` at ×1; inside it the events keep their recorded
rhythm (their timestamps' share of the chapter's span), or are spread evenly where the recording
has no span (figures imported in one go). Or `real_time`: each event as long after the first
round began as it was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


@dataclass(frozen=True)
class Chapter:
    round_no: int
    start: int  # index of its first event
    end: int  # index after its last event


def event_round(kind: str, payload: Mapping[str, Any]) -> int | None:
    """The round an event belongs to, if it is a round's (a figure, a table, a decision)."""
    if kind.startswith(("cell.", "table.", "round.", "warning.")) and "round" in payload:
        return int(payload["round"])
    eff = payload.get("effects") or {}
    for section in ("cells", "rounds"):
        if eff.get(section):
            return int(eff[section][0][0])
    return None


def chapters(events: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Chapter]:
    """The chapters of a recording (events as (kind, payload), in journal order)."""
    starts: list[tuple[int, int]] = []  # (index, round)
    top: int | None = None
    for i, (kind, payload) in enumerate(events):
        r = event_round(kind, payload)
        if r is not None and (top is None or r > top):  # a correction of an earlier round stays
            top = r
            starts.append((i, r))
    out = []
    for n, (i, r) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(events)
        out.append(Chapter(r, i, end))
    return out


def _seconds(ts: str) -> float:
    try:
        return dt.datetime.fromisoformat(ts).timestamp()
    except ValueError:
        return 0.0


def schedule(timestamps: Sequence[str], parts: Sequence[Chapter], round_seconds: float) -> list[float]:
    """When each event is shown, in seconds of playback at ×1 from the start (the prologue at 0).
    Non-decreasing; chapter k starts at k × round_seconds."""
    at = [0.0] * len(timestamps)
    for k, ch in enumerate(parts):
        base = k * round_seconds
        n = ch.end - ch.start
        secs = [_seconds(timestamps[i]) for i in range(ch.start, ch.end)]
        span = secs[-1] - secs[0] if secs else 0.0
        for j in range(n):
            frac = max(0.0, min(1.0, (secs[j] - secs[0]) / span)) if span > 0 else j / n
            # the last event of a chapter comes a little before the next chapter starts
            at[ch.start + j] = base + frac * round_seconds * 0.9
    for i in range(1, len(at)):  # out-of-order clocks never make time run backwards
        at[i] = max(at[i], at[i - 1])
    return at


def real_time(timestamps: Sequence[str], parts: Sequence[Chapter]) -> list[float]:
    """When each event is shown at ×1 in real time: as long after the first round's first event
    as it was recorded (the prologue at 0). A trainee's pace, as it was."""
    if not parts:
        return [0.0] * len(timestamps)
    t0 = _seconds(timestamps[parts[0].start])
    at = [0.0] * parts[0].start + [max(0.0, _seconds(ts) - t0) for ts in timestamps[parts[0].start :]]
    for i in range(1, len(at)):
        at[i] = max(at[i], at[i - 1])
    return at


def chapter_at(parts: Sequence[Chapter], position: int) -> int | None:
    """The index of the chapter the next event to show (`position`) belongs to (the last one
    once everything is shown; None before the first chapter)."""
    found = None
    for k, ch in enumerate(parts):
        if ch.start <= position:
            found = k
    return found


def faster(speed: float) -> float:
    return next((s for s in SPEEDS if s > speed), SPEEDS[-1])


def slower(speed: float) -> float:
    return next((s for s in reversed(SPEEDS) if s < speed), SPEEDS[0])


def speed_label(speed: float) -> str:
    return f"×{speed:g}"
