"""The crash harness in CI: >= 200 SIGKILLs of a child running the real services on a real
SQLite file, each followed by a full check (see harness.py). The long mode (10,000 kills) is
benchmarks/crash_long.py."""

from __future__ import annotations

import sqlite3

from tests.crash import harness

CI_KILLS = 240


def test_sigkill_at_random_moments_loses_nothing_and_duplicates_nothing(tmp_path):
    f = harness.run(CI_KILLS, tmp_path, seed=11)
    report = f.table() + "\n" + "\n".join(f.problems)
    assert f.kills >= 200, report
    assert f.failures == 0, report
    # the kills really landed where they matter
    assert f.kills_after_commit_signal >= 20, report
    assert f.steps_acknowledged >= 100, report
    assert f.stores_completed >= 1, report


def test_the_checker_notices_a_lost_acknowledged_step(tmp_path):
    """The harness must be able to fail: drop the last acknowledged cell behind its back."""
    run = harness.CrashRun(tmp_path, seed=3)
    while run.acked < 5:
        run.one_kill()
    assert run.figures.failures == 0, run.figures.problems
    con = sqlite3.connect(run.db)
    con.execute(
        "DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal WHERE ac_id = ?)", (run.ac_id,)
    )
    con.commit()
    con.close()
    run.check_store()
    assert run.figures.losses == 1
    assert run.figures.verify_failures == 1  # the chain head no longer matches


def test_the_checker_notices_a_half_present_step(tmp_path):
    run = harness.CrashRun(tmp_path, seed=4)
    while run.acked < 3:
        run.one_kill()
    con = sqlite3.connect(run.db)
    con.execute("UPDATE cell SET value = value + 1 WHERE rowid = (SELECT min(rowid) FROM cell)")
    con.commit()
    con.close()
    run.check_store()
    assert run.figures.half_present == 1 and run.figures.verify_failures == 1


def test_the_scenario_is_one_event_per_step_and_completes(tmp_path):
    """Run one scenario to the end without kills: every step is accepted by the services."""
    steps = harness.scenario(5)
    kinds = {s.kind for s in steps}
    assert kinds == set(harness.EXECUTORS)
    run = harness.CrashRun(tmp_path, seed=5)
    store = harness.open_store(run.db, create=False)
    for st in run.steps:
        harness.EXECUTORS[st.kind](store, run.ac_id, st.args)
    store.close()
    run.acked = len(run.steps)
    assert run.check_store() is True
    assert run.figures.failures == 0, run.figures.problems
