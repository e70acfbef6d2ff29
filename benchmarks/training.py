"""A scripted trainee: the real `encore` app in a pseudo-terminal at 80×24 types a training
session's rounds (Gummidipoondi, rounds 1-3, a miscopied total and a CU that cannot display its
result seeded) from the sheets, and the session is scored from the copy's journal as
`encore training report` scores it: keys per minute, accuracy, faults caught.

The trainee types each table as one burst of keys (digits, Enter), waits until the status line
says its total was saved, fixes the miscopied total when E101 fires, keeps the dead CU aside,
makes a typo in 1 figure in 25 (never the total) and corrects it at once, and submits each round. It types as fast
as the app takes keys: the keys per minute are the app's ceiling on this machine, not a
person's speed. `python benchmarks/training.py [--rounds 1]`; no pass/fail.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pty_session import PY, PtySession  # noqa: E402
from benchmarks.service_bench import AC_DIR  # noqa: E402
from encore_tui import services  # noqa: E402
from encore_tui.services import training  # noqa: E402
from encore_tui.services.importing import read_form20_dir  # noqa: E402
from encore_tui.services.users import admin_actor  # noqa: E402
from encore_tui.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOWN, UP, LEFT, END, TAB = "\x1b[B", "\x1b[A", "\x1b[D", "\x1b[F", "\t"
F2, F5 = "\x1bOQ", "\x1b[15~"
TYPO_EVERY = 25


def make_session(folder: Path, rounds: list[int]) -> tuple[Path, int]:
    imp = read_form20_dir(AC_DIR)
    db = folder / "training.db"
    store = open_store(db)
    admin = admin_actor()
    src = services.create_ac(store, imp.setup, admin)
    faults = ["sum_mismatch@1/2"] + (["cu_display@2/16"] if 2 in rounds else [])
    sid = training.create_session(store, admin, src, rounds, faults, official=imp.station_values)
    training.seat(store, admin, sid, "trainee", "1234")
    store.close()
    return db, sid


class Typist:
    def __init__(self, s: PtySession, pace: float = 0.0) -> None:
        self.s, self.pace = s, pace

    def send_and_wait(self, keys: str, needle: str, timeout: float = 60) -> None:
        """Send keys (one every `pace` seconds, else in one burst), then wait until `needle`
        is written after them."""
        mark = len(self.s.buffer)
        if self.pace:
            for k in re.findall(r"\x1b\[[0-9;]*[A-Z~]|\x1bO.|.", keys, flags=re.S):
                self.s.send(k)
                time.sleep(self.pace)
        else:
            self.s.send(keys)
        end = time.perf_counter() + timeout
        while needle.encode() not in self.s.buffer[mark:]:
            if time.perf_counter() > end:
                raise TimeoutError(f"{needle!r} never written; last: {bytes(self.s.buffer[-300:])!r}")
            self.s._read(0.05)  # noqa: SLF001 (the session's own reader)


def type_session(db: Path, home: Path, sheets, rng: random.Random, pace: float = 0.0) -> float:
    with PtySession(
        [PY, "-m", "encore_tui", "--db", str(db)], cwd=str(ROOT), env={"ENCORE_HOME": str(home)}
    ) as s:
        t = Typist(s)
        # typed ahead as soon as the app is up: the first Enter chooses from the AC list, which
        # appears once the store is open (keys typed before are kept for it)
        s.wait_for("Sign in")
        t.send_and_wait("\rtrainee\r1234\r", "Counting dashboard")
        s.drain(0.2)
        s.send(DOWN)
        s.drain(0.15)
        start = time.perf_counter()
        t.pace = pace
        rounds = sorted({sh.round_no for sh in sheets})
        for r in rounds:
            t.send_and_wait("\r", f"Round {r}/")
            s.drain(0.2)
            for sh in (x for x in sheets if x.round_no == r):
                if sh.figures is None:
                    t.send_and_wait(F2, "Reason")
                    t.send_and_wait("\r", "kept aside")
                    s.send(TAB)
                    continue
                keys = ""
                for f, v in sh.figures.items():
                    # a typo, seen and put right at once (Up goes back within the table: not on Total)
                    if f != "total" and rng.randrange(TYPO_EVERY) == 0:
                        keys += f"{v + 1}\r{UP}"
                    keys += f"{v}\r"
                total = sh.figures["total"]
                t.send_and_wait(keys, f"T{sh.table_no} Total (CU) = {total}")
                right = sum(v for f, v in sh.figures.items() if f != "total")
                if right != total:  # E101: the supervisor miscopied the total
                    t.send_and_wait(f"{LEFT}{END}{right}\r", f"T{sh.table_no} Total (CU) = {right}")
            t.send_and_wait(F5, f"Hand Round {r} to the RO?")
            t.send_and_wait("\r", f"Round {r} submitted")
        return time.perf_counter() - start


def measure(rounds: list[int], seed: int = 18, pace: float = 0.0) -> dict:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        db, sid = make_session(folder, rounds)
        store = open_store(db)
        admin = admin_actor()
        _s, _setup, sheets = training.sheets(store, admin, sid)
        store.close()
        (folder / "home").mkdir()
        wall = type_session(db, folder / "home", sheets, random.Random(seed), pace)
        store = open_store(db)
        sc = training.trainee_score(store, admin, sid, "trainee")
        store.close()
    return {"score": sc, "wall": wall, "tables": len(sheets)}


def _row(what: str, m: dict) -> dict:
    sc = m["score"]
    kpm = sc.keys_per_minute or 0.0
    return {
        "figure": f"scripted trainee through the app (pty 80×24), {what}: {m['tables']} tables of "
        f"Gummidipoondi, typos corrected, {len(sc.faults)} seeded fault(s)",
        "value": f"{kpm:.0f} keys/min as scored ({sc.keystrokes} keys, {sc.active_seconds:.1f} s active); "
        f"accuracy {100 * sc.right / sc.cells:.1f} % ({sc.right}/{sc.cells} cells, {sc.corrected} fixed), "
        f"faults {sc.caught}/{len(sc.faults)}, score {sc.percent:.1f} %",
        "target": "(reported)",
        "met": None,
    }


def rows(smoke: bool = False) -> list[dict]:
    """Two figures: keys as fast as the app takes them (its ceiling), and a paced typist at one key
    every 0.2 s (300 keys/min: the scored speed should say so, less the waits for the saves)."""
    out = [_row("keys in bursts", measure([1] if smoke else [1, 2, 3]))]
    if not smoke:
        out.append(_row("one key every 0.2 s", measure([1], pace=0.2)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", default="1-3", help="the rounds to type (default 1-3)")
    ap.add_argument("--pace", type=float, default=0.0, help="seconds between keys (default: bursts)")
    a = ap.parse_args()
    from encore_tui.domain.training import parse_rounds

    m = measure(parse_rounds(a.rounds), pace=a.pace)
    sc = m["score"]
    print(
        "tables  cells  right  wrong  fixed  faults  keys  active_s  keys/min  mean_table_s  score%  wall_s"
    )
    print(
        f"{m['tables']:>6}  {sc.cells:>5}  {sc.right:>5}  {sc.wrong:>5}  {sc.corrected:>5}  "
        f"{sc.caught:>3}/{len(sc.faults):<2}  {sc.keystrokes:>4}  {sc.active_seconds:>8.1f}  "
        f"{sc.keys_per_minute or 0:>8.0f}  {sc.mean_table_seconds or 0:>12.2f}  {sc.percent:>6.1f}  {m['wall']:>6.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
