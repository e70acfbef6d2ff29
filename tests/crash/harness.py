"""Crash harness: a child process runs the real entry and approval paths through the service
layer on a real SQLite file; the parent SIGKILLs it at random moments (some inside COMMIT),
reopens the store and checks that nothing acknowledged was lost and nothing unacknowledged is
half-present.

How it works
- A *scenario* is a deterministic list of steps for one AC (from a seed). Every step is one
  service call that appends exactly ONE event to the AC's journal chain, so "how far did we
  get" is read from the store itself: step i is done  <=>  i + 1 step events follow the AC's
  set-up events (FIRST_STEP_SEQ). A restarted child resumes from wherever the store is.
- The child reports on a pipe: `C` just before each COMMIT is sent to SQLite (a SQLAlchemy
  `commit` event) and `A <i>` after the service for step i RETURNED (the moment a screen would
  say "saved").
- The parent forks the child (imports already loaded: a kill cycle costs milliseconds), kills it
  with SIGKILL — after a random delay, or a few microseconds after a `C` (inside the commit's
  write/fsync), or right after an ack — then checks the store (see `check_store`).
- One store is reused across kills until its scenario is complete; then a fresh store starts.

Extending it (push): add a step kind to EXECUTORS and EVENT_KINDS and emit it from `scenario`;
see docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import select
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.domain.setup import AssemblyConstituency, Candidate, Election, PollingStation, Setup
from encore_tui.services import Actor, ro, ro_result  # noqa: F401  (services.ro, services.ro_result)
from encore_tui.store import journal as journal_mod
from encore_tui.store.engine import Store, open_store

OPERATOR = Actor("op1", Role.OPERATOR, "Operator One")
RO = Actor("ro1", Role.RO, "Returning Officer")
ADMIN = Actor("admin", Role.ADMIN, "Admin")
ACTORS = {a.username: a for a in (OPERATOR, RO, ADMIN)}


def crash_setup() -> Setup:
    """3 candidates, 7 stations at 3 tables (rounds of 3, 3, 1), one postal table. PS 3's CU
    total will differ from its 17C Part I so a warning must be acknowledged."""
    stations = [
        PollingStation(number=str(i), name=f"School {i}", electors=1000, form17c_total=100 + i)
        for i in range(1, 8)
    ]
    return Setup(
        election=Election(name="Crash Test Election"),
        ac=AssemblyConstituency(number=42, name="CRASHPUR", electors=7000),
        candidates=[Candidate(serial=i, name=f"CANDIDATE {i}", party=f"P{i}") for i in range(1, 4)],
        stations=stations,
        counting_tables=3,
        postal_tables=1,
    )


# -- steps ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    kind: str  # a key of EXECUTORS
    args: dict[str, Any]

    def label(self) -> str:
        return f"{self.kind} {json.dumps(self.args, sort_keys=True)}"


def _cell(store: Store, ac_id: int, a: dict) -> None:
    services.enter_cell(
        store,
        ac_id,
        a["round"],
        a["station"],
        a["field"],
        a["value"],
        ACTORS[a["actor"]],
        expected=a["expected"],
        cursor={"round": a["round"], "station": a["station"], "field": a["field"]},
    )


EXECUTORS: dict[str, Callable[[Store, int, dict], Any]] = {
    "cell": _cell,
    "keep_aside": lambda s, ac, a: services.keep_aside(
        s, ac, a["round"], a["station"], a["reason"], OPERATOR
    ),
    "restore": lambda s, ac, a: services.restore_table(s, ac, a["round"], a["station"], OPERATOR),
    "ack": lambda s, ac, a: services.acknowledge_warning(
        s, ac, a["round"], a["station"], a["code"], OPERATOR
    ),
    "submit": lambda s, ac, a: services.submit_round(s, ac, a["round"], OPERATOR),
    "return": lambda s, ac, a: services.return_round(s, ac, a["round"], a["remark"], RO),
    "approve": lambda s, ac, a: services.approve_round(s, ac, a["round"], RO),
    "correct": lambda s, ac, a: services.open_correction(s, ac, a["round"], a["reason"], RO),
}

# the one journal event each step kind appends
EVENT_KINDS = {
    "cell": "cell.entered",
    "keep_aside": "table.kept_aside",
    "restore": "table.restored",
    "ack": "warning.acknowledged",
    "submit": "round.submitted",
    "return": "round.returned",
    "approve": "round.approved",
    "correct": "round.correction_opened",
}


def step_matches(step: Step, kind: str, payload: dict) -> bool:
    """Is this journal event the one `step` appends?"""
    if EVENT_KINDS[step.kind] != kind:
        return False
    a = step.args
    if payload.get("round") != a["round"]:
        return False
    if step.kind == "cell":
        return (payload["station"], payload["field"], payload["before"], payload["after"]) == (
            a["station"],
            a["field"],
            a["expected"],
            a["value"],
        )
    if step.kind in ("keep_aside", "restore", "ack"):
        return payload["station"] == a["station"]
    return True


def scenario(seed: int) -> list[Step]:
    """The steps of one AC's counting day, in the order the hall would do them."""
    rng = random.Random(seed)
    setup = crash_setup()
    cells: dict[tuple[int, str, str], int] = {}
    steps: list[Step] = []

    def cell(r: int, s: str, f: str, v: int | None, actor: str = "op1") -> None:
        before = cells.get((r, s, f))
        assert before != v, "every step must change something (one event per step)"
        steps.append(
            Step(
                "cell", {"round": r, "station": s, "field": f, "value": v, "expected": before, "actor": actor}
            )
        )
        if v is None:
            cells.pop((r, s, f), None)
        else:
            cells[(r, s, f)] = v

    def table(r: int, s: str, total: int, postal: bool = False, typo: bool = False) -> None:
        nota = rng.randint(0, 5)
        rejected = rng.randint(0, 4) if postal else 0
        rest = total - nota - rejected
        c1 = rng.randint(0, rest)
        c2 = rng.randint(0, rest - c1)
        values = {"c1": c1, "c2": c2, "c3": rest - c1 - c2, "nota": nota, "total": total}
        if postal:
            values["rejected"] = rejected
        order = list(values)
        rng.shuffle(order)  # operators jump around the grid
        for f in order:
            if typo and f == order[0]:
                cell(r, s, f, values[f] + 7)  # a slip of the finger, corrected at once
            cell(r, s, f, values[f])

    def shift(r: int, s: str, actor: str = "op1") -> None:
        """Move one vote between two fields (the sum stays right): two cell steps."""
        donor = next((f for f in ("c2", "c3", "nota") if cells[(r, s, f)] > 0), "c1")
        taker = "c2" if donor == "c1" else "c1"
        cell(r, s, taker, cells[(r, s, taker)] + 1, actor)
        cell(r, s, donor, cells[(r, s, donor)] - 1, actor)

    total_of = {st.number: st.form17c_total for st in setup.stations}
    # postal round first (round 0, table P1)
    table(0, "P1", rng.randint(20, 60), postal=True, typo=True)
    steps += [Step("submit", {"round": 0}), Step("approve", {"round": 0})]
    # round 1: PS 1 counted; PS 2 kept aside; PS 3's CU total differs from 17C -> acknowledged
    table(1, "1", total_of["1"])
    steps.append(Step("keep_aside", {"round": 1, "station": "2", "reason": "cu_display_failure"}))
    table(1, "3", total_of["3"] + 5)
    steps.append(Step("ack", {"round": 1, "station": "3", "code": "W201"}))
    steps.append(Step("submit", {"round": 1}))
    steps.append(Step("return", {"round": 1, "remark": "recheck table 1 against the sheet"}))
    shift(1, "1")
    steps += [Step("submit", {"round": 1}), Step("approve", {"round": 1})]
    # round 2: a cell cleared and typed again; a table kept aside and restored
    steps.append(Step("keep_aside", {"round": 2, "station": "5", "reason": "mock_poll_not_cleared"}))
    steps.append(Step("restore", {"round": 2, "station": "5"}))
    for s in ("4", "5", "6"):
        table(2, s, total_of[s], typo=rng.random() < 0.5)
    cell(2, "4", "nota", None)
    nota_sum = cells[(2, "4", "total")] - sum(cells[(2, "4", f"c{i}")] for i in (1, 2, 3))
    cell(2, "4", "nota", nota_sum)
    steps += [Step("submit", {"round": 2}), Step("approve", {"round": 2})]
    # the RO corrects round 1 after round 2 was approved: round 2 needs re-approval
    steps.append(Step("correct", {"round": 1, "reason": "table 1 misread"}))
    shift(1, "1", actor="ro1")
    steps += [Step("approve", {"round": 1}), Step("approve", {"round": 2})]
    # round 3 (the last, one table)
    table(3, "7", total_of["7"])
    steps += [Step("submit", {"round": 3}), Step("approve", {"round": 3})]
    return steps


def expected_cells(steps: list[Step]) -> dict[tuple[int, str, str], int]:
    out: dict[tuple[int, str, str], int] = {}
    for st in steps:
        if st.kind == "cell":
            k = (st.args["round"], st.args["station"], st.args["field"])
            if st.args["value"] is None:
                out.pop(k, None)
            else:
                out[k] = st.args["value"]
    return out


# -- the child -----------------------------------------------------------------------------------
# seq 1 is setup.created, 2 the spot-check setting, 3 the postal scan (see _new_store)
FIRST_STEP_SEQ = 4
# an approval is one step but two events: round.approved, then the outbox.queued of its push
NOT_A_STEP = frozenset({"outbox.queued"})


def _steps_done(store: Store, ac_id: int) -> int:
    from sqlalchemy import func, select

    from encore_tui.store.models import journal

    with store.read() as conn:
        return conn.execute(
            select(func.count()).where(
                journal.c.ac_id == ac_id, journal.c.seq >= FIRST_STEP_SEQ, journal.c.kind.not_in(NOT_A_STEP)
            )
        ).scalar_one()


def child_main(db: Path, seed: int, ac_id: int, wfd: int) -> None:
    """Run the scenario from wherever the store is. Never returns (os._exit)."""
    code = 0
    try:
        from sqlalchemy import event

        store = open_store(db, create=False)

        @event.listens_for(store.engine, "commit")
        def _about_to_commit(conn) -> None:
            if conn.info.get("immediate"):  # write transactions only (reads commit too)
                os.write(wfd, b"C\n")

        steps = scenario(seed)
        start = _steps_done(store, ac_id)
        os.write(wfd, f"S {start}\n".encode())
        for i in range(start, len(steps)):
            EXECUTORS[steps[i].kind](store, ac_id, steps[i].args)
            os.write(wfd, f"A {i}\n".encode())  # the service returned: "saved"
        os.write(wfd, b"D\n")
    except BaseException as exc:  # a real failure: tell the parent, which fails the run
        with contextlib.suppress(OSError):
            os.write(wfd, f"E {type(exc).__name__}: {exc}\n".encode()[:4000])
        code = 1
    os._exit(code)


# -- the parent ----------------------------------------------------------------------------------
@dataclass
class Figures:
    kills: int = 0
    kills_after_commit_signal: int = 0  # killed between "about to commit" and the ack
    kills_by_timer: int = 0
    kills_after_ack: int = 0
    steps_acknowledged: int = 0  # acks received from children
    acked_steps_checked: int = 0  # sum over checks of the acknowledged steps verified present
    in_flight_committed: int = 0  # a step present without its ack (allowed: at most one)
    losses: int = 0
    duplicates: int = 0
    half_present: int = 0
    integrity_failures: int = 0
    verify_failures: int = 0
    outbox_errors: int = 0
    child_errors: int = 0
    stores_completed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return (
            self.losses
            + self.duplicates
            + self.half_present
            + self.integrity_failures
            + self.verify_failures
            + self.outbox_errors
            + self.child_errors
        )

    def table(self) -> str:
        rows = [
            ("kills (SIGKILL)", self.kills),
            (
                "  of which inside a commit (after 'about to commit', before the ack)",
                self.kills_after_commit_signal,
            ),
            ("  of which at a random moment", self.kills_by_timer),
            ("  of which right after an acknowledgement", self.kills_after_ack),
            ("steps acknowledged by children", self.steps_acknowledged),
            ("acknowledged steps checked present (summed over checks)", self.acked_steps_checked),
            ("in-flight steps committed without an ack (allowed)", self.in_flight_committed),
            ("stores run to the end of their scenario", self.stores_completed),
            ("LOSSES (acknowledged step missing)", self.losses),
            ("DUPLICATES (a step applied twice / unexpected event)", self.duplicates),
            ("half-present steps (state without event or vice versa)", self.half_present),
            ("integrity_check failures", self.integrity_failures),
            ("journal verify failures", self.verify_failures),
            ("outbox errors (lost/duplicated push rows)", self.outbox_errors),
            ("child errors (a service refused a scenario step)", self.child_errors),
        ]
        w = max(len(r[0]) for r in rows)
        return "\n".join(f"{name:<{w}}  {value:>10}" for name, value in rows)


class CrashRun:
    """Owns the current store and the acknowledged-step count for it."""

    def __init__(self, workdir: Path, seed: int = 1, max_delay: float = 0.03) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        self.seed = seed
        self.max_delay = max_delay
        self.figures = Figures()
        self.generation = 0
        self._new_store()

    # a fresh store with the AC created (by the parent, before any child runs)
    def _new_store(self) -> None:
        if getattr(self, "db", None) is not None:
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(str(self.db) + suffix).unlink(missing_ok=True)
        self.generation += 1
        self.scenario_seed = self.seed * 100_003 + self.generation
        self.steps = scenario(self.scenario_seed)
        self.db = self.workdir / f"crash-{self.generation}.db"
        store = open_store(self.db)
        self.ac_id = services.create_ac(store, crash_setup(), ADMIN)
        # the RO rules that are not under test here: no spot check, the postal scan attached
        services.ro.set_spot_check_rounds(store, self.ac_id, 0, RO)
        services.ro_result.attach_scan(store, self.ac_id, "form13a", "13a.pdf", b"%PDF-1.4\n", OPERATOR)
        store.close()
        self.acked = 0  # steps 0..acked-1 were acknowledged

    def _fail(self, kind: str, msg: str) -> None:
        setattr(self.figures, kind, getattr(self.figures, kind) + 1)
        if len(self.figures.problems) < 50:
            self.figures.problems.append(f"store {self.db.name}: {msg}")

    def one_kill(self) -> None:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(r)
            child_main(self.db, self.scenario_seed, self.ac_id, w)
        os.close(w)
        mode = self.rng.choices(["commit", "timer", "ack"], weights=[45, 40, 15])[0]
        deadline = time.monotonic() + self.rng.uniform(0, self.max_delay)
        commit_target = self.rng.randint(1, 4)
        ack_target = self.rng.randint(1, 4)
        commits = acks = 0
        in_commit = False
        killed_how = None
        buf = b""
        finished = False
        while killed_how is None and not finished:
            timeout = max(0.0, deadline - time.monotonic()) if mode == "timer" else 2.0
            ready, _, _ = select.select([r], [], [], timeout)
            if not ready:
                if mode == "timer":
                    killed_how = "timer"
                    break
                continue
            chunk = os.read(r, 65536)
            if not chunk:
                finished = True
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                tag = line[:1]
                if tag == b"C":
                    commits += 1
                    in_commit = True
                    if mode == "commit" and commits >= commit_target:
                        # land inside the commit: its WAL write + fsync take ~0.5 ms here (measured C->ack median 0.65 ms)
                        spin_until = time.perf_counter() + self.rng.uniform(0, 0.0015)
                        while time.perf_counter() < spin_until:
                            pass
                        killed_how = "commit"
                        break
                elif tag == b"A":
                    i = int(line[2:])
                    in_commit = False
                    if i != self.acked:
                        self._fail("child_errors", f"ack for step {i}, expected {self.acked}")
                    self.acked = max(self.acked, i + 1)
                    self.figures.steps_acknowledged += 1
                    acks += 1
                    if mode == "ack" and acks >= ack_target:
                        killed_how = "ack"
                        break
                elif tag == b"E":
                    self._fail("child_errors", line.decode(errors="replace"))
                elif tag == b"D":
                    finished = True
        if killed_how is not None:
            os.kill(pid, signal.SIGKILL)
        # drain what the child managed to say before dying (acks sent before the kill count)
        while True:
            try:
                chunk = os.read(r, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
        os.close(r)
        for line in buf.split(b"\n"):
            if line[:1] == b"A":
                i = int(line[2:])
                self.acked = max(self.acked, i + 1)
                self.figures.steps_acknowledged += 1
                in_commit = False
            elif line[:1] == b"C":
                in_commit = True
            elif line[:1] == b"E":
                self._fail("child_errors", line.decode(errors="replace"))
            elif line[:1] == b"D":
                finished = True
        os.waitpid(pid, 0)
        if killed_how is not None:
            self.figures.kills += 1
            if killed_how == "timer":
                self.figures.kills_by_timer += 1
            elif killed_how == "ack":
                self.figures.kills_after_ack += 1
            if in_commit:
                self.figures.kills_after_commit_signal += 1
        done = self.check_store()
        if done or finished:
            self.figures.stores_completed += 1
            self._new_store()

    def check_store(self) -> bool:
        """Reopen the store after the kill and check every promise. True when the scenario is done."""
        # 1. the file itself (raw sqlite3, as a fresh process would open it after a power cut)
        raw = sqlite3.connect(self.db, timeout=10)
        try:
            ok = raw.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            raw.close()
        if ok != "ok":
            self._fail("integrity_failures", f"integrity_check: {ok}")
            return True
        store = open_store(self.db, create=False)
        try:
            return self._check_contents(store)
        finally:
            store.close()

    def _check_contents(self, store: Store) -> bool:
        from sqlalchemy import select

        from encore_tui.store.models import outbox, ui_state

        f = self.figures
        with store.read() as conn:
            evs = [
                e
                for e in journal_mod.events(conn, self.ac_id)
                if e.seq >= FIRST_STEP_SEQ and e.kind not in NOT_A_STEP
            ]
            box = conn.execute(select(outbox.c.idempotency_key, outbox.c.payload)).all()
            cursor = conn.execute(
                select(ui_state.c.state).where(ui_state.c.username.in_(["op1", "ro1"]))
            ).all()
        present = len(evs)
        # 2. every acknowledged step is there, and each event is exactly its step
        if present < self.acked:
            self._fail("losses", f"{self.acked} steps acknowledged but only {present} in the journal")
        elif present > self.acked + 1:
            self._fail(
                "duplicates", f"{present} steps present, only {self.acked} acknowledged (+1 in flight)"
            )
        elif present == self.acked + 1:
            f.in_flight_committed += 1
            self.acked = present  # the in-flight step committed: later checks expect it
        for i, e in enumerate(evs):
            if i >= len(self.steps) or not step_matches(self.steps[i], e.kind, e.payload):
                want = self.steps[i].label() if i < len(self.steps) else "nothing"
                self._fail("duplicates", f"event #{e.seq} is {e.kind} {e.payload}, expected step {i}: {want}")
                break
        f.acked_steps_checked += min(present, self.acked)
        # 3. the tables are exactly the re-derivation of the journal (no half-present step)
        rep = services.verify_journal(store, self.ac_id)
        if not rep.ok:
            self._fail("verify_failures", str(rep))
        view_cells = {}
        with store.read() as conn:
            from encore_tui.store.models import cell

            for rr in conn.execute(select(cell.c.round_no, cell.c.station, cell.c.field, cell.c.value)):
                view_cells[(rr.round_no, rr.station, rr.field)] = rr.value
        if view_cells != expected_cells(self.steps[:present]):
            self._fail("half_present", "stored cells differ from the acknowledged steps")
        # the cursor is saved in the same transaction as its cell
        cell_steps = [s for s in self.steps[:present] if s.kind == "cell"]
        if cell_steps:
            last = cell_steps[-1].args
            want = {"round": last["round"], "station": last["station"], "field": last["field"]}
            got = [json.loads(c.state) for c in cursor]
            if want not in got:
                self._fail("half_present", f"UI cursor {got} is not at the last saved cell {want}")
        # 4. the outbox: exactly one row per approval event (its key names the approval's journal seq,
        # see wire.round_key: ac{N}-{kind}-r{round}-v{revision}-e{seq})
        keys = sorted(
            f"-r{e.payload['round']}-v{e.payload['revision']}-e{e.seq}"
            for e in evs
            if e.kind == "round.approved"
        )
        stored = sorted(m.group(0) for k, _ in box if (m := re.search(r"-r\d+-v\d+-e\d+$", k)))
        if stored != keys or len(box) != len(stored):
            self._fail("outbox_errors", f"outbox has {[k for k, _ in box]}, approvals give {keys}")
        return present >= len(self.steps)


def run(
    kills: int, workdir: Path, seed: int = 1, progress: Callable[[Figures], None] | None = None
) -> Figures:
    run_ = CrashRun(workdir, seed)
    last = time.monotonic()
    while run_.figures.kills < kills:
        run_.one_kill()
        if progress and time.monotonic() - last > 10:
            progress(run_.figures)
            last = time.monotonic()
    return run_.figures
