"""Training sessions: the answer key, the seeded faults and the scoring of a trainee's journal.

A trainer turns a past count into practice: the official figures of a few rounds of an AC are
the answer key; each trainee types the rounds from printed Form 17C Part II sheets into their
own copy of the AC. Some sheets carry a seeded fault, recorded in the key with what "caught"
means (the check code that fires, the table kept aside with the right reason, the round returned
by the RO). Scoring is a pure function of the copy's journal events and the key: the journal is
tamper-evident and replayable, so is the score.

Pure: no I/O. The services (services/training.py) read the key and the journal and call `score`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from encore_tui.domain.checks import SUM_MISMATCH, TOTAL_NE_17C
from encore_tui.domain.entries import KeptAsideReason, entry_fields
from encore_tui.domain.setup import TOTAL

Table = tuple[int, str]  # (round, station)
CellKey = tuple[int, str, str]  # (round, station, field)


class FaultKind(StrEnum):
    """The faults a trainer may seed, as the counting hall meets them."""

    SUM_MISMATCH = "sum_mismatch"  # the supervisor miscopied the CU total: candidates + NOTA ≠ total
    TOTAL_NE_17C = "total_ne_17c"  # the CU total differs from the station's Form 17C Part I
    CU_DISPLAY = "cu_display"  # the CU cannot display its result
    MOCK_POLL = "mock_poll"  # mock-poll data not cleared from the CU
    RO_RETURN = "ro_return"  # two figures transposed on the sheet: only the RO's comparison finds it

    @property
    def keep_aside(self) -> KeptAsideReason | None:
        """The reason the table must be kept aside with, for the faults caught that way."""
        return {
            FaultKind.TOTAL_NE_17C: KeptAsideReason.TOTAL_DIFFERS_17C,
            FaultKind.CU_DISPLAY: KeptAsideReason.CU_DISPLAY_FAILURE,
            FaultKind.MOCK_POLL: KeptAsideReason.MOCK_POLL_NOT_CLEARED,
        }.get(self)


CAUGHT = {  # what "caught" means, printed in the answer key
    FaultKind.SUM_MISMATCH: f"{SUM_MISMATCH.code} fired on the sheet's figures and the total was "
    "corrected to the candidates + NOTA before the round was handed in",
    FaultKind.TOTAL_NE_17C: f"{TOTAL_NE_17C.code} fired and the table was kept aside: "
    f"{KeptAsideReason.TOTAL_DIFFERS_17C.label}",
    FaultKind.CU_DISPLAY: f"table kept aside: {KeptAsideReason.CU_DISPLAY_FAILURE.label}",
    FaultKind.MOCK_POLL: f"table kept aside: {KeptAsideReason.MOCK_POLL_NOT_CLEARED.label}",
    FaultKind.RO_RETURN: "the RO returned the round and the official figures were entered",
}

SHEET_NOTES = {  # what the counting supervisor writes on the sheet (English, Hindi)
    FaultKind.CU_DISPLAY: ("Control Unit does not display the result", "कंट्रोल यूनिट परिणाम प्रदर्शित नहीं करती"),
    FaultKind.MOCK_POLL: (
        "Presiding Officer's report: mock-poll data not cleared from the CU",
        "पीठासीन अधिकारी की रिपोर्ट: मॉक पोल डेटा सीयू से नहीं हटाया गया",
    ),
}

SUM_DELTA = 10  # the miscopied total: official total + 10
TOTAL_17C_DELTA = 7  # the copy's Form 17C Part I total: official total + 7
MOCK_VOTES = 50  # mock votes left in the CU, all on candidate 1


class TrainingError(ValueError):
    """A session that cannot be made as asked (bad fault spec, station not in the rounds)."""


@dataclass(frozen=True)
class FaultSpec:
    kind: FaultKind
    round_no: int
    station: str

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """`KIND@ROUND/STATION`, e.g. `sum_mismatch@2/17` or `cu_display@1/7 M`."""
        m = re.fullmatch(r"\s*([a-z_0-9]+)@(\d+)/(.+?)\s*", text)
        if not m:
            raise TrainingError(f"'{text}' is not a fault: write KIND@ROUND/STATION, e.g. sum_mismatch@2/17.")
        try:
            kind = FaultKind(m.group(1))
        except ValueError:
            kinds = ", ".join(k.value for k in FaultKind)
            raise TrainingError(f"'{m.group(1)}' is not a fault kind (one of: {kinds}).") from None
        return cls(kind, int(m.group(2)), " ".join(m.group(3).split()))


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    round_no: int
    station: str
    table_no: int
    sheet: Mapping[str, int] | None  # the figures on the sheet (None: nothing written)
    note: str = ""  # the supervisor's remark on the sheet
    form17c_total: int | None = None  # the copy's Form 17C Part I total (TOTAL_NE_17C)

    @property
    def caught_means(self) -> str:
        return CAUGHT[self.kind]

    def to_json(self) -> dict:
        return {
            "kind": self.kind.value,
            "round": self.round_no,
            "station": self.station,
            "table": self.table_no,
            "sheet": None if self.sheet is None else dict(self.sheet),
            "note": self.note,
            "form17c_total": self.form17c_total,
        }

    @classmethod
    def from_json(cls, d: Mapping) -> Fault:
        return cls(
            FaultKind(d["kind"]),
            int(d["round"]),
            str(d["station"]),
            int(d["table"]),
            None if d.get("sheet") is None else {k: int(v) for k, v in d["sheet"].items()},
            d.get("note", ""),
            d.get("form17c_total"),
        )


@dataclass(frozen=True)
class AnswerKey:
    """The official figures of the session's rounds and the faults seeded into their sheets."""

    rounds: Mapping[int, tuple[str, ...]]  # round → stations in table order
    official: Mapping[str, Mapping[str, int]]  # station → field → official figure
    faults: tuple[Fault, ...] = ()

    def fault_at(self, round_no: int, station: str) -> Fault | None:
        return next((f for f in self.faults if (f.round_no, f.station) == (round_no, station)), None)

    def tables(self) -> list[tuple[int, int, str]]:
        """(round, table, station) of every table of the session."""
        return [(r, i, s) for r in sorted(self.rounds) for i, s in enumerate(self.rounds[r], start=1)]

    def expected(self) -> dict[CellKey, int]:
        """Every cell a trainee must type, with its right figure. A table to be kept aside has none."""
        out: dict[CellKey, int] = {}
        for r, _t, s in self.tables():
            f = self.fault_at(r, s)
            if f is not None and f.kind.keep_aside is not None:
                continue
            for fld, v in self.official[s].items():
                out[(r, s, fld)] = v
        return out

    def sheet(self, round_no: int, station: str) -> tuple[Mapping[str, int] | None, str]:
        """What the printed Form 17C Part II shows: figures (None: none written) and a remark."""
        f = self.fault_at(round_no, station)
        if f is None:
            return self.official[station], ""
        return f.sheet, f.note

    def to_json(self) -> tuple[dict, list]:
        """(rounds_json, faults_json) as the store keeps them."""
        rounds = {
            "rounds": {str(r): list(s) for r, s in sorted(self.rounds.items())},
            "official": {s: dict(v) for s, v in self.official.items()},
        }
        return rounds, [f.to_json() for f in self.faults]

    @classmethod
    def from_json(cls, rounds: Mapping, faults: Sequence[Mapping]) -> AnswerKey:
        def ordered(figures: Mapping) -> dict[str, int]:  # ballot order, as the sheet lists them
            n = sum(1 for k in figures if k.startswith("c"))
            return {k: int(figures[k]) for k in entry_fields(n, postal=False) if k in figures}

        def ordered_fault(d: Mapping) -> Fault:
            f = Fault.from_json(d)
            return f if f.sheet is None else replace(f, sheet=ordered(f.sheet))

        return cls(
            {int(r): tuple(s) for r, s in rounds["rounds"].items()},
            {s: ordered(f) for s, f in rounds["official"].items()},
            tuple(ordered_fault(f) for f in faults),
        )


def parse_rounds(text: str) -> list[int]:
    """`1-3`, `2`, `1,3,5` → round numbers."""
    out: list[int] = []
    for part in text.replace(" ", "").split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not m:
            raise TrainingError(f"'{text}' is not a list of rounds: write e.g. 1-3 or 1,2,5.")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if a < 1 or b < a:
            raise TrainingError(f"'{part}' is not a range of EVM rounds (1 or more, low-high).")
        out.extend(range(a, b + 1))
    return sorted(set(out))


def make_key(
    rounds: Mapping[int, Sequence[str]],
    official: Mapping[str, Mapping[str, int]],
    candidate_count: int,
    specs: Iterable[FaultSpec] = (),
) -> AnswerKey:
    """The key of a session: `rounds` (round → stations of the plan), the official figures of
    those stations (every field of `entry_fields`), and the faults to seed."""
    fields = entry_fields(candidate_count, postal=False)
    for r, stations in rounds.items():
        for s in stations:
            have = official.get(s)
            if have is None or any(f not in have for f in fields):
                raise TrainingError(
                    f"PS {s} (round {r}) has no official figures: import the official result first."
                )
    faults: list[Fault] = []
    seen: set[Table] = set()
    for spec in specs:
        if spec.round_no not in rounds:
            raise TrainingError(f"Round {spec.round_no} is not one of the session's rounds {sorted(rounds)}.")
        stations = list(rounds[spec.round_no])
        if spec.station not in stations:
            raise TrainingError(
                f"PS {spec.station} is not counted in round {spec.round_no} (its stations: "
                f"{', '.join(stations)})."
            )
        if (spec.round_no, spec.station) in seen:
            raise TrainingError(f"PS {spec.station} of round {spec.round_no} already has a fault.")
        seen.add((spec.round_no, spec.station))
        faults.append(_seed(spec, stations.index(spec.station) + 1, official[spec.station], candidate_count))
    key_official = {s: {f: int(official[s][f]) for f in fields} for st in rounds.values() for s in st}
    return AnswerKey({r: tuple(s) for r, s in rounds.items()}, key_official, tuple(faults))


def _seed(spec: FaultSpec, table_no: int, official: Mapping[str, int], n: int) -> Fault:
    fig = {k: int(v) for k, v in official.items()}
    kind, base = spec.kind, (spec.kind, spec.round_no, spec.station, table_no)
    if kind is FaultKind.SUM_MISMATCH:
        return Fault(*base, sheet={**fig, TOTAL: fig[TOTAL] + SUM_DELTA})
    if kind is FaultKind.TOTAL_NE_17C:
        return Fault(*base, sheet=fig, form17c_total=fig[TOTAL] + TOTAL_17C_DELTA)
    if kind is FaultKind.CU_DISPLAY:
        return Fault(*base, sheet=None, note=SHEET_NOTES[kind][0])
    if kind is FaultKind.MOCK_POLL:
        sheet = {**fig, "c1": fig["c1"] + MOCK_VOTES, TOTAL: fig[TOTAL] + MOCK_VOTES}
        return Fault(*base, sheet=sheet, note=SHEET_NOTES[kind][0])
    # RO_RETURN: the two figures of the first pair of candidates that differ, transposed
    cands = [f"c{i}" for i in range(1, n + 1)]
    pair = next(((a, b) for a in cands for b in cands if a < b and fig[a] != fig[b]), None)
    if pair is None:
        raise TrainingError(
            f"PS {spec.station}: every candidate has the same figure; choose another station."
        )
    a, b = pair
    return Fault(*base, sheet={**fig, a: fig[b], b: fig[a]}, note="")


# -- scoring -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """A journal event as scoring needs it (services map store/journal.JournalEvent to it)."""

    ac_id: int
    seq: int
    ts: str
    actor: str
    kind: str
    payload: Mapping


@dataclass(frozen=True)
class FaultResult:
    fault: Fault
    caught: bool
    how: str  # what the journal shows: the check that fired, the reason kept aside, the return


@dataclass(frozen=True)
class Score:
    cells: int  # cells to type (the key's expected cells)
    right: int
    wrong: int  # a figure that differs from the official one
    blank: int
    corrected: int  # right when its round was first handed in, after holding a wrong figure
    faults: tuple[FaultResult, ...]
    keystrokes: int
    active_seconds: float
    table_seconds: Mapping[Table, float]
    round_seconds: Mapping[int, float]  # first entry of the round → its first submission
    rounds_submitted: int
    wrong_cells: tuple[CellKey, ...]

    @property
    def caught(self) -> int:
        return sum(1 for f in self.faults if f.caught)

    @property
    def percent(self) -> float:
        """(right cells + faults caught) / (cells + faults), in per cent."""
        whole = self.cells + len(self.faults)
        return 100.0 * (self.right + self.caught) / whole if whole else 0.0

    @property
    def keys_per_minute(self) -> float | None:
        if self.active_seconds <= 0:
            return None
        return self.keystrokes * 60.0 / self.active_seconds

    @property
    def mean_table_seconds(self) -> float | None:
        v = list(self.table_seconds.values())
        return sum(v) / len(v) if v else None


IDLE_CAP = 60.0  # seconds: a longer pause between two entries counts as this much typing time


def _seconds(a: str, b: str) -> float:
    return (dt.datetime.fromisoformat(b) - dt.datetime.fromisoformat(a)).total_seconds()


@dataclass
class _Table:
    values: dict[str, int] = field(default_factory=dict)
    kept: str | None = None
    first_ts: str | None = None
    last_ts: str | None = None
    e101: bool = False
    w201: bool = False


def score(key: AnswerKey, events: Iterable[Event], ac_id: int) -> Score:
    """Score the trainee's copy (`ac_id`) from its journal events; events of other ACs are ignored.

    What is counted:
    - cells: the final state of every expected cell (right, wrong, blank); `corrected`: a right
      cell that held a wrong figure and was put right before its round was first handed in.
    - keystrokes: for every `cell.entered` event, the digits of the figure saved plus one Enter
      (a cleared cell: the Enter only). Arrow keys, Backspace and retyped-but-unchanged figures
      leave no event and are not counted.
    - active time: the sum of the gaps between consecutive `cell.entered` events, each gap capped
      at IDLE_CAP seconds (a pause to ask, read or fetch a sheet counts as a minute at most);
      keys per minute = keystrokes / active time.
    - time per table: its first to its last `cell.entered`; time per round: the first event of the
      round (a cell or keep-aside) to the round's first `round.submitted`.
    - faults: see CAUGHT; judged on the final state and on what fired on the way (E101 is
      re-derived from the figures after each entry, W201 from the copy's Form 17C total in the key).
    """
    tables: dict[Table, _Table] = {(r, s): _Table() for r, _t, s in key.tables()}
    history: dict[CellKey, list[tuple[int, int | None]]] = {}
    first_submit: dict[int, str] = {}
    submit_seq: dict[int, int] = {}
    round_start: dict[int, str] = {}
    returned: dict[int, int] = {}  # round → returns seen
    status: dict[int, str] = {}
    keystrokes, active, last_entry_ts = 0, 0.0, None
    for ev in sorted((e for e in events if e.ac_id == ac_id), key=lambda e: e.seq):
        p = ev.payload
        r = p.get("round")
        if ev.kind in ("cell.entered", "table.imported", "table.kept_aside", "table.restored"):
            t = tables.get((r, p.get("station")))
            if t is None:
                continue
            round_start.setdefault(r, ev.ts)
            if ev.kind == "cell.entered":
                after = p.get("after")
                if after is None:
                    t.values.pop(p["field"], None)
                else:
                    t.values[p["field"]] = int(after)
                history.setdefault((r, p["station"], p["field"]), []).append((ev.seq, after))
                keystrokes += (len(str(after)) if after is not None else 0) + 1
                if last_entry_ts is not None:
                    active += min(IDLE_CAP, max(0.0, _seconds(last_entry_ts, ev.ts)))
                last_entry_ts = ev.ts
                t.first_ts = t.first_ts or ev.ts
                t.last_ts = ev.ts
            elif ev.kind == "table.imported":
                t.values = {k: int(v) for k, v in p.get("values", {}).items()}
            elif ev.kind == "table.kept_aside":
                t.kept = p.get("reason")
            else:
                t.kept = None
            _fired(key, r, p["station"], t)
        elif ev.kind == "round.submitted" and r in key.rounds:
            if r not in first_submit:
                first_submit[r], submit_seq[r] = ev.ts, ev.seq
            status[r] = "submitted"
        elif ev.kind == "round.returned" and r in key.rounds:
            returned[r] = returned.get(r, 0) + 1
            status[r] = "returned"
        elif ev.kind == "round.approved" and r in key.rounds:
            status[r] = "approved"
    expected = key.expected()
    right = wrong = blank = corrected = 0
    wrong_cells: list[CellKey] = []
    for (r, s, fld), want in expected.items():
        got = tables[(r, s)].values.get(fld)
        if got is None:
            blank += 1
        elif got == want:
            right += 1
            until = submit_seq.get(r)  # what was typed before the round was first handed in
            typed = [v for q, v in history.get((r, s, fld), []) if until is None or q < until]
            if typed and typed[-1] == want and any(v is not None and v != want for v in typed):
                corrected += 1
        else:
            wrong += 1
            wrong_cells.append((r, s, fld))
    faults = tuple(_judge(f, tables[(f.round_no, f.station)], returned, key) for f in key.faults)
    table_seconds = {
        k: _seconds(t.first_ts, t.last_ts) for k, t in tables.items() if t.first_ts and t.last_ts
    }
    round_seconds = {r: _seconds(round_start[r], ts) for r, ts in first_submit.items() if r in round_start}
    return Score(
        cells=len(expected),
        right=right,
        wrong=wrong,
        blank=blank,
        corrected=corrected,
        faults=faults,
        keystrokes=keystrokes,
        active_seconds=active,
        table_seconds=table_seconds,
        round_seconds=round_seconds,
        rounds_submitted=sum(1 for s in status.values() if s in ("submitted", "approved")),
        wrong_cells=tuple(wrong_cells),
    )


def _fired(key: AnswerKey, round_no: int, station: str, t: _Table) -> None:
    """Mark the checks that fired on the table's figures just now (E101, W201)."""
    f = key.fault_at(round_no, station)
    if f is None or t.kept is not None:
        return
    n = sum(1 for k in key.official[station] if k.startswith("c"))
    fields = entry_fields(n, postal=False)
    filled = all(k in t.values for k in fields)
    if filled and sum(t.values[k] for k in fields if k != TOTAL) != t.values[TOTAL]:
        t.e101 = True
    if f.form17c_total is not None and t.values.get(TOTAL) not in (None, f.form17c_total):
        t.w201 = True


def _judge(f: Fault, t: _Table, returned: Mapping[int, int], key: AnswerKey) -> FaultResult:
    want = f.kind.keep_aside
    if want is not None:
        if t.kept == want.value:
            how = (f"{TOTAL_NE_17C.code}, " if t.w201 else "") + f"kept aside: {want.label}"
            return FaultResult(f, True, how)
        if t.kept is not None:
            return FaultResult(f, False, f"kept aside with the wrong reason ({t.kept})")
        return FaultResult(f, False, "figures entered: not kept aside" if t.values else "not handled")
    official = key.official[f.station]
    right = all(t.values.get(k) == v for k, v in official.items())
    if f.kind is FaultKind.SUM_MISMATCH:
        if t.e101 and right:
            return FaultResult(f, True, f"{SUM_MISMATCH.code} fired; total corrected")
        return FaultResult(f, False, f"{SUM_MISMATCH.code} fired, not resolved" if t.e101 else "not typed")
    if returned.get(f.round_no) and right:
        return FaultResult(f, True, "returned by the RO; official figures entered")
    return FaultResult(f, False, "not returned" if not returned.get(f.round_no) else "returned, still wrong")


# -- the batch ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ranked:
    place: int
    username: str
    score: Score
    passed: bool


def rank(scores: Mapping[str, Score], pass_mark: float) -> list[Ranked]:
    """Best first: score, then faults caught, fewer wrong cells, more keys per minute, name."""
    order = sorted(
        scores.items(),
        key=lambda kv: (
            -round(kv[1].percent, 6),
            -kv[1].caught,
            kv[1].wrong,
            -(kv[1].keys_per_minute or 0.0),
            kv[0],
        ),
    )
    return [Ranked(i, u, s, s.percent >= pass_mark) for i, (u, s) in enumerate(order, start=1)]


def most_often_wrong(scores: Iterable[Score], top: int = 10) -> list[tuple[CellKey, int]]:
    """The cells most trainees got wrong (round, station, field), most first."""
    c: Counter[CellKey] = Counter()
    for s in scores:
        c.update(s.wrong_cells)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
