"""Issue 18's "done when", in real terminals on PostgreSQL: a trainer (at the console, `encore
training …` as a subprocess) makes a session of rounds 1-3 of Gummidipoondi with two seeded
faults, prints the sheets (the PDF rendered and read back: the trainees type what the printed
pages say), seats two trainees; both type in parallel in two tmux sessions of the real app at
80×24 — asha perfectly, bina with mistakes (two figures transposed, one typo she fixes) and
one missed fault (the CU that cannot display its result kept aside as "mock poll") — and the
report ranks them with the exact counts of right/wrong cells and faults caught."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import pytest

from encore_tui.store import open_store
from tests.conftest import GUMMIDIPOONDI, ROOT, _fresh_pg_store, require_tool
from tests.support.pdf import qr_payloads
from tests.support.tmux import Tmux
from tests.support.training import PrintedSheet, read_sheets

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CANDIDATES = 12


def encore(db: str, home, *argv: str, stdin: str = "") -> str:
    env = {"ENCORE_HOME": str(home), "PATH": "/usr/bin:/bin", "USER": "console"}
    res = subprocess.run(
        [sys.executable, "-m", "encore_tui", "--db", db, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


class Trainee:
    """One trainee at one terminal: signs in, types each round's sheets, submits."""

    def __init__(self, t: Tmux, name: str, sheets: list[PrintedSheet]) -> None:
        self.t, self.s, self.sheets = t, name, sheets
        self.error: BaseException | None = None

    def keys(self, *keys: str) -> None:
        self.t.keys(self.s, *keys)

    def wait(self, needle: str, timeout: float = 120) -> str:
        return self.t.wait_for(self.s, needle, timeout)

    def saved(self, table_no: int, total: int, timeout: float = 120) -> None:
        """Wait until the status says the table's total was saved (keys are then all handled)."""
        pattern = re.compile(rf"T{table_no} Total \(CU\) = {total}(?!\d)")
        end = time.monotonic() + timeout
        while not pattern.search(screen := self.t.text(self.s)):
            if time.monotonic() > end:
                pytest.fail(f"{self.s}: T{table_no} total {total} never saved:\n{screen}")
            time.sleep(0.1)

    def figures(self, values) -> None:
        keys: list[str] = []
        for v in values:
            keys += [str(v), "Enter"]
        self.keys(*keys)

    def sign_in(self, pin: str) -> None:
        # the store holds the source AC and both copies: the first Enter chooses from the AC
        # list, typed ahead as soon as the app is up (the store may still be opening: the keys
        # are kept until the list appears)
        self.wait("Sign in")
        self.keys("Enter", self.s, "Enter", pin, "Enter")
        self.wait("Counting dashboard")

    def table(self, sh: PrintedSheet) -> None:  # how each trainee handles a sheet
        raise NotImplementedError

    def run(self) -> None:
        try:
            self.sign_in("1234")
            self.keys("Down")  # the cursor starts on the postal round, not part of the session
            for r in (1, 2, 3):
                self.keys("Enter")
                self.wait(f"Round {r}/29")
                for sh in (x for x in self.sheets if x.round_no == r):
                    self.table(sh)
                self.keys("F5")
                self.wait(f"Hand Round {r} to the RO?")
                self.keys("Enter")
                self.wait(f"Round {r} submitted to the RO")
        except BaseException as exc:  # reported by the test's thread join
            self.error = exc


class Asha(Trainee):
    """Types every sheet as printed; corrects the miscopied total when E101 fires; keeps the
    CU that cannot display its result aside with that reason."""

    def table(self, sh: PrintedSheet) -> None:
        if sh.remark.startswith("Control Unit does not display"):
            self.keys("F2")
            self.wait("Reason")
            self.keys("Enter")  # 1. Control Unit cannot display the result
            self.wait(f"(PS {sh.station}) kept aside")
            self.keys("Tab")
            return
        self.figures(sh.typed())
        self.saved(sh.table_no, sh.total)
        if sum(sh.candidates) + sh.nota != sh.total:
            self.wait("E101")
            self.keys("Left", "End")
            self.figures([sum(sh.candidates) + sh.nota])
            self.saved(sh.table_no, sum(sh.candidates) + sh.nota)


class Bina(Trainee):
    """Transposes candidates 1 and 2 on round 2 table 1, types a typo on round 3 table 1 and
    fixes it, corrects the miscopied total, and keeps the CU fault aside with the wrong reason."""

    def table(self, sh: PrintedSheet) -> None:
        if sh.remark:
            self.keys("F2")
            self.wait("Reason")
            self.keys("Down", "Enter")  # 2. mock-poll data not cleared: the wrong reason
            self.wait(f"(PS {sh.station}) kept aside")
            self.keys("Tab")
            return
        figs = sh.typed()
        if (sh.round_no, sh.table_no) == (2, 1):
            figs[0], figs[1] = figs[1], figs[0]
        if (sh.round_no, sh.table_no) == (3, 1):
            self.figures([figs[0] + 100])  # a typo…
            self.wait(f"= {figs[0] + 100}")
            self.keys("Up")
            self.figures(figs)  # …put right at once, then the rest of the sheet
        else:
            self.figures(figs)
        self.saved(sh.table_no, sh.total)
        if sum(sh.candidates) + sh.nota != sh.total:
            self.wait("E101")
            self.keys("Left", "End")
            self.figures([sum(sh.candidates) + sh.nota])
            self.saved(sh.table_no, sum(sh.candidates) + sh.nota)


def test_a_training_day_two_trainees_in_parallel_on_postgresql(tmp_path, pg_database):
    tmux = require_tool("tmux")
    require_tool("pdftoppm")
    home = tmp_path / "home"
    home.mkdir()
    _fresh_pg_store(pg_database).engine.dispose()
    db = pg_database
    # -- the trainer, at the console ----------------------------------------------------------
    encore(db, home, "import", "form20", str(GUMMIDIPOONDI), "--with-results", "--with-17c")
    encore(db, home, "user", "add", "meena", "--role", "trainer", "--pin", "5555")
    out = encore(
        db, home, "training", "create", "--user", "meena", "--from-ac", "1", "--rounds", "1-3",
        "--fault", "sum_mismatch@1/2", "--fault", "cu_display@2/16", "--pass-mark", "90",
        stdin="5555\n",
    )  # fmt: skip
    assert "Training session 1" in out and "2 seeded fault(s)" in out
    for who in ("asha", "bina"):
        encore(db, home, "training", "seat", "1", who, "--pin", "1234", "--user", "meena", stdin="5555\n")
    encore(db, home, "training", "sheets", "1", "--out", str(tmp_path), "--user", "meena", stdin="5555\n")
    pdf = tmp_path / "training-1-sheets.pdf"
    sheets = read_sheets(pdf, CANDIDATES)
    assert [(s.round_no, s.table_no) for s in sheets] == [(r, t) for r in (1, 2, 3) for t in range(1, 15)]
    assert len(qr_payloads(pdf, tmp_path)) == 42  # every page rendered, its QR read back
    (miscopied,) = [s for s in sheets if s.total is not None and sum(s.candidates) + s.nota != s.total]
    (no_display,) = [s for s in sheets if s.remark]
    assert (miscopied.station, no_display.station, no_display.total) == ("2", "16", None)

    # -- two trainees type in parallel, each in their own terminal ----------------------------
    t = Tmux(tmux, home)
    trainees = [Asha(t, "asha", sheets), Bina(t, "bina", sheets)]
    try:
        for tr in trainees:
            t.start(tr.s, db)
        threads = [threading.Thread(target=tr.run) for tr in trainees]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=900)
        for tr in trainees:
            if tr.error is not None:
                raise tr.error
        screen = t.text("asha")
        assert "901" in screen  # asha's own copy of the AC, not the source AC 1
    finally:
        t.kill_server()

    # -- the report ---------------------------------------------------------------------------
    out = encore(
        db,
        home,
        "training",
        "report",
        "1",
        "--pdf",
        str(tmp_path / "r.pdf"),
        "--user",
        "meena",
        stdin="5555\n",
    )
    lines = out.splitlines()
    cells = 41 * 14  # 42 tables, one kept aside, 14 cells each (12 candidates, NOTA, Total)
    assert lines[1].split() == [
        "#",
        "Trainee",
        "Right",
        "Wrong",
        "Blank",
        "Fixed",
        "Faults",
        "Keys/min",
        "Table",
        "Round",
        "Score",
        "%",
        "Pass",
    ]
    a, b = lines[2].split(), lines[3].split()
    assert a[:7] == ["1", "asha", str(cells), "0", "0", "1", "2/2"], out
    assert b[:7] == ["2", "bina", str(cells - 2), "2", "0", "2", "1/2"], out
    assert a[-2:] == ["100.0", "yes"] and b[-1] == "yes"
    assert (
        "bina: cu_display round 2 PS 16: MISSED (kept aside with the wrong reason (mock_poll_not_cleared))"
        in out
    )
    assert (
        "Cells most often wrong: round 2, PS 13, 1. GOVINDARAJAN T.J (1); round 2, PS 13, 2. DILLIY K.M (1)"
        in out
    )
    store = open_store(db)
    try:
        from encore_tui.services import verify_journal

        for ac_id in (0, 2, 3):
            assert verify_journal(store, ac_id).ok
    finally:
        store.engine.dispose()
