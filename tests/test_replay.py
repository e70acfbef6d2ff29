"""`encore training replay` (issue 18): a recorded count re-applied from its journal into a scratch
store, round by round, on the real dashboard and trends screens; the recording never written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable

from encore_tui import services
from encore_tui.app import replay_app
from encore_tui.base.config import Settings
from encore_tui.base.i18n import set_lang
from encore_tui.domain import playback
from encore_tui.domain.rounds import NotAllowed, Role, RoundStatus
from encore_tui.screens.replay import ReplayDashboard, ReplayTrends
from encore_tui.services.replay import load_recording
from encore_tui.services.replay_player import Player
from tests.support.recorded import derived_state, file_digest, journal_rows, small_count
from tests.support.ro import RO_PIN
from tests.support.screens import SIZE, status_text, text

TRAINER = services.Actor("meena", Role.TRAINER, "Meena")


def statuses(store, ac_id) -> dict[int, RoundStatus]:
    return {r: i.status for r, i in services.dashboard(store, ac_id).rounds.items()}


def test_chapters_are_the_rounds_in_the_order_the_hall_began_them():
    ev = [
        ("setup.created", {}),
        ("form17c.imported", {"effects": {"records": {"form17c:1": {}}}}),
        ("cell.entered", {"round": 0, "station": "P1"}),
        ("round.approved", {"round": 0}),
        ("cell.entered", {"round": 1, "station": "1"}),
        ("cell.entered", {"round": 2, "station": "4"}),
        ("round.approved", {"round": 1}),  # approved while round 2 is typed: round 2's chapter
        ("round.correction_opened", {"round": 1}),  # a correction stays in the chapter it happened in
        ("cell.entered", {"round": 3, "station": "7"}),
    ]
    parts = playback.chapters(ev)
    assert [(c.round_no, c.start, c.end) for c in parts] == [(0, 2, 4), (1, 4, 5), (2, 5, 8), (3, 8, 9)]
    ts = [f"2026-12-02T10:{m:02d}:00+00:00" for m in (0, 0, 1, 5, 6, 7, 9, 30, 31)]
    at = playback.schedule(ts, parts, 4.0)
    assert at[:2] == [0.0, 0.0]  # the prologue at once
    assert all(a <= b for a, b in zip(at, at[1:], strict=False))
    assert [at[c.start] for c in parts] == [0.0, 4.0, 8.0, 12.0]  # one round per 4 s at ×1
    # inside round 2's chapter the recorded rhythm is kept: 2 min, then 21 min to the correction
    assert at[6] - at[5] < at[7] - at[6]
    # real time: as long after round 0 began as recorded (the prologue at once)
    assert playback.real_time(ts, parts) == [0.0, 0.0, 0.0, 240.0, 300.0, 360.0, 480.0, 1740.0, 1800.0]
    assert playback.chapter_at(parts, 1) is None and playback.chapter_at(parts, 6) == 2
    assert playback.faster(4.0) == 8.0 and playback.slower(0.25) == 0.25


def test_a_replay_reaches_the_recorded_state_round_by_round_and_never_writes_the_recording(store, tmp_path):
    ac_id = small_count(store)
    before = journal_rows(store, ac_id)
    digest = file_digest(store.path) if store.path else None
    rec = load_recording(store, ac_id, TRAINER)
    player = Player(rec, round_seconds=1000.0, folder=tmp_path / "scratch")
    try:
        assert player.status().round_no == 0  # the setup (and the RO's settings) shown; postal next
        assert set(statuses(player.store, player.ac_id).values()) == {RoundStatus.DRAFT}
        seen = []
        while not player.finished:
            player.next_round()
            assert player.advance(0.0)
            st = statuses(player.store, player.ac_id)
            seen.append((player.status().round_no, st))
        # each → shows one more round: postal approved first, then rounds 1, 2, 3 in turn
        assert [r for r, _ in seen] == [1, 2, 3, 3]
        assert seen[0][1][0] is RoundStatus.APPROVED and seen[0][1][1] is RoundStatus.DRAFT
        assert seen[1][1][1] is RoundStatus.APPROVED and seen[1][1][2] is RoundStatus.DRAFT
        assert seen[-1][1] == statuses(store, ac_id)  # the end: as recorded (round 1 corrected)
        assert derived_state(player.store, player.ac_id) == derived_state(store, ac_id)
        assert services.form20(player.store, player.ac_id)[1] == services.form20(store, ac_id)[1]
        rep = services.verify_journal(player.store, player.ac_id)
        assert rep.ok, str(rep)  # the scratch store is an ordinary, verifiable store
        # the pushes queued, with the round and revision columns tx.push writes
        queued = outbox_columns(player.store, player.ac_id)
        assert queued == outbox_columns(store, ac_id)
        assert ("correction", 1, 2) in queued and ("postal", 0, 1) in queued, queued
        # back a round: the scratch store is rebuilt up to the start of round 2
        player.previous_round()
        assert player.advance(0.0)
        assert player.status().round_no == 2
        assert statuses(player.store, player.ac_id)[2] is RoundStatus.DRAFT
        assert statuses(player.store, player.ac_id)[1] is RoundStatus.APPROVED
        assert services.verify_journal(player.store, player.ac_id).ok
    finally:
        player.close()
    assert journal_rows(store, ac_id) == before  # the recording: byte for byte as it was
    if digest:
        assert file_digest(store.path) == digest


def test_the_clock_plays_rounds_at_the_chosen_speed_and_pauses(sqlite_store, tmp_path):
    ac_id = small_count(sqlite_store)
    player = Player(load_recording(sqlite_store, ac_id, TRAINER), round_seconds=2.0, from_round=1)
    try:
        assert player.status().round_no == 1  # --from-round: postal shown at once
        assert statuses(player.store, player.ac_id)[0] is RoundStatus.APPROVED
        player.toggle_pause()
        assert not player.advance(10.0) and player.status().round_no == 1  # paused: nothing moves
        player.toggle_pause()
        player.faster()  # ×2: 2 s of recording per wall second
        assert player.speed == 2.0
        player.advance(1.0)  # 2 s of recording: round 1 shown, round 2 begins
        assert player.status().round_no == 2
        player.advance(100.0)
        assert player.finished and player.status().round_no == 3
    finally:
        player.close()
    with pytest.raises(ValueError, match="no round 9"):
        Player(load_recording(sqlite_store, ac_id, TRAINER), from_round=9)


async def test_the_replay_screens_at_80x24_keys_and_status(sqlite_store, tmp_path):
    ac_id = small_count(sqlite_store)
    player = Player(load_recording(sqlite_store, ac_id, TRAINER), round_seconds=1000.0, folder=tmp_path / "s")
    app = replay_app(Settings(), player, TRAINER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReplayDashboard)
            assert status_text(screen) == "Replay · postal ballots · ×1"
            # the footer at 80 columns: every replay key, q Quit included (not cut)
            for shown in ("← → Round", "f6 Trends", "Space Pause", "+ - Speed", "q Quit"):
                assert shown in footer_line(screen), footer_line(screen)
            assert "read-only" in text(screen, "#title")
            await pilot.press("space", "right")  # paused: → shows exactly the rounds before
            await until(pilot, lambda: player.status().round_no == 1)
            await until(pilot, lambda: status_text(screen) == "Replay · round 1 of 3 · ×1 · paused")
            table = screen.query_one("#rounds", DataTable)
            assert "approved" in str(table.get_row("0")[1])  # the postal round, as recorded
            assert "draft" in str(table.get_row("1")[1])
            await pilot.press("right", "plus", "plus")
            await until(pilot, lambda: status_text(screen) == "Replay · round 2 of 3 · ×4 · paused")
            assert "approved" in str(table.get_row("1")[1])
            assert table.cursor_row == 2  # the rounds table follows the round being played
            await pilot.press("f6")
            await pilot.pause()
            assert isinstance(app.screen, ReplayTrends)
            assert "after round 1" in text(app.screen, "#title")
            assert "q Quit" in footer_line(app.screen) and "esc Back" in footer_line(app.screen)
            await pilot.press("right")  # the keys work on the trends too
            await until(pilot, lambda: "after round 2" in text(app.screen, "#title"))
            assert text(app.screen, "#status") == "Replay · round 3 of 3 · ×4 · paused"
            await pilot.press("space")
            await until(pilot, lambda: text(app.screen, "#status") == "Replay · round 3 of 3 · ×4")
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen and "round 3 of 3" in status_text(screen)
            kept = app.session
            await pilot.press("left", "left")
            await until(pilot, lambda: player.status().round_no == 1)
            await until(pilot, lambda: "draft" in str(table.get_row("1")[1]))
            # going back rebuilt the scratch store: the session follows it, the trainer stays
            assert app.session.store is player.store is not kept.store
            assert app.session.actor is TRAINER and app.session.ac_id == player.ac_id
            app._trends()  # Trends from the command palette: the replay's, with its keys
            await pilot.pause()
            assert isinstance(app.screen, ReplayTrends)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0
    finally:
        player.close()


async def test_the_replay_speaks_hindi(sqlite_store, tmp_path):
    ac_id = small_count(sqlite_store)
    player = Player(load_recording(sqlite_store, ac_id, TRAINER), round_seconds=1000.0, from_round=2)
    app = replay_app(Settings(lang="hi"), player, TRAINER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("space")
            await until(pilot, lambda: status_text(app.screen) == "पुनःप्रदर्शन · चक्र 2 / 3 · ×1 · रुका हुआ")
            footer = "\n".join(s.text for s in app.screen._compositor.render_strips())
            assert "← → चक्र" in footer and "+ - गति" in footer and "रुझान" in footer and "q बंद" in footer
            assert "Meena (प्रशिक्षक)" in footer  # the trainer who signed in, as on any dashboard
            names = {"TESTPUR", "CANDIDATE", "NOTA", "Esc", "Meena"}
            latin = set(re.findall(r"[A-Za-z]{3,}", footer)) - names
            assert not latin - {"Enter", "Ctrl", "Space"}, latin
    finally:
        player.close()
        set_lang("en")


def outbox_columns(store, ac_id: int) -> list[tuple]:
    from sqlalchemy import select

    from encore_tui.store.models import outbox

    cols = (outbox.c.kind, outbox.c.round_no, outbox.c.revision)
    with store.read() as conn:
        return [
            tuple(r) for r in conn.execute(select(*cols).where(outbox.c.ac_id == ac_id).order_by(outbox.c.id))
        ]


def footer_line(screen) -> str:
    """The screen's last line as drawn (the footer)."""
    return screen._compositor.render_strips()[-1].text


async def until(pilot, predicate, tries: int = 200) -> None:
    """Wait for the replay's worker to show something (a wait, not a timing assertion)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen never showed it")


def test_replay_cli_refuses_what_it_cannot_play_and_says_what_to_do(sqlite_store, tmp_path, capsys):
    from encore_tui.cli.main import main

    small_count(sqlite_store)
    db = str(sqlite_store.path)
    assert main(["training", "replay", "--db", db, "--speed", "0"]) == 2
    assert "--speed and --round-seconds must be numbers above 0" in capsys.readouterr().err
    assert main(["training", "replay", "--db", db, "--from-round", "9"]) == 2
    assert "the recording has no round 9." in capsys.readouterr().err
    assert main(["training", "replay", "--db", str(tmp_path / "none.db")]) == 2
    assert "There is no store at" in capsys.readouterr().err
    assert main(["training", "watch", "--db", str(tmp_path / "none.db")]) == 2
    assert not (tmp_path / "none.db").exists()  # only read: nothing created


def test_replay_and_watch_are_a_trainers_signed_in_with_user_or_the_console_administrator(
    sqlite_store, monkeypatch, capsys
):
    from tests.support.cli import console

    ac_id = small_count(sqlite_store)
    services.add_user(sqlite_store, "meena", "trainer", "5555", "Training officer")
    before = journal_rows(sqlite_store, ac_id)
    run = console(sqlite_store, monkeypatch, capsys)
    for user, pin in (("op1", "1111"), ("ro1", RO_PIN), ("obs", "3333")):
        for cmd in ("replay", "watch"):
            code, out = run("training", cmd, "--user", user, stdin=f"{pin}\n")
            assert code == 2 and "only a trainer or an administrator may" in out, out
    code, out = run("training", "replay", "--user", "meena", stdin="0000\n")
    assert code == 2 and "Wrong user name or PIN" in out
    # the trainer (and the console administrator, without --user) get as far as the recording:
    # the round asked for is not in it
    code, out = run("training", "replay", "--user", "meena", "--from-round", "9", stdin="5555\n")
    assert code == 2 and "the recording has no round 9." in out, out
    code, out = run("training", "replay", "--from-round", "9")
    assert code == 2 and "the recording has no round 9." in out, out
    assert journal_rows(sqlite_store, ac_id) == before  # sign-ins go on the store chain only
    with pytest.raises(NotAllowed):
        load_recording(sqlite_store, ac_id, services.Actor("op1", Role.OPERATOR))


def test_a_store_made_before_the_outbox_round_columns_replays_with_them(sqlite_store, tmp_path):
    """A recording is only read, so a store made before the outbox's round/revision columns is
    not upgraded: the replay reads the columns it has and writes round/revision from the bytes."""
    from sqlalchemy import text as sql

    ac_id = small_count(sqlite_store)
    with sqlite_store.engine.begin() as conn:
        conn.execute(sql("ALTER TABLE outbox DROP COLUMN round_no"))
        conn.execute(sql("ALTER TABLE outbox DROP COLUMN revision"))
    player = Player(load_recording(sqlite_store, ac_id, TRAINER), folder=tmp_path / "s")
    try:
        player.seek(len(player.rec.events))
        rep = services.verify_journal(player.store, player.ac_id)
        assert rep.ok, str(rep)
        assert ("postal", 0, 1) in outbox_columns(player.store, player.ac_id)
    finally:
        player.close()


def test_an_event_kind_this_version_does_not_know_is_replayed_as_recorded(sqlite_store, tmp_path):
    from encore_tui.domain.events import EVENT_KINDS, EventKind, register

    ac_id = small_count(sqlite_store)
    kind = register(EventKind("training.note", "a note a newer version journals"))
    from encore_tui.services.uow import unit_of_work
    from tests.conftest import ADMIN

    with unit_of_work(sqlite_store, ac_id, ADMIN) as tx:
        tx.event(kind.id, {"note": "seeded fault in table 3"})
    del EVENT_KINDS[kind.id]  # the replaying program has not heard of it
    player = Player(load_recording(sqlite_store, ac_id, TRAINER), folder=tmp_path / "s")
    try:
        player.seek(len(player.rec.events))
        assert player.finished
        assert derived_state(player.store, player.ac_id) == derived_state(sqlite_store, ac_id)
    finally:
        player.close()
        EVENT_KINDS.pop(kind.id, None)


def _events(draw_rounds: list[int | None]) -> list[tuple[str, dict]]:
    return [("ro.setting_changed", {}) if r is None else ("cell.entered", {"round": r}) for r in draw_rounds]


@settings(max_examples=200, deadline=None)
@given(
    rounds=st.lists(st.one_of(st.none(), st.integers(0, 8)), max_size=60),
    minutes=st.lists(st.integers(0, 90), min_size=60, max_size=60),
    seconds=st.floats(0.5, 30),
)
def test_chapters_cover_the_recording_in_order_and_the_schedule_never_runs_back(rounds, minutes, seconds):
    ev = _events(rounds)
    parts = playback.chapters(ev)
    # chapters: contiguous from the first round event to the end, rounds strictly rising
    if parts:
        assert parts[-1].end == len(ev)
        assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
        assert all(a.round_no < b.round_no for a, b in zip(parts, parts[1:], strict=False))
        assert all(rounds[i] is None for i in range(parts[0].start))  # the prologue: no round
    else:
        assert all(r is None for r in rounds)
    ts = [f"2026-12-02T{8 + m // 60:02d}:{m % 60:02d}:00+00:00" for m in sorted(minutes)][: len(ev)]
    at = playback.schedule(ts, parts, seconds)
    assert all(a <= b for a, b in zip(at, at[1:], strict=False))
    for k, ch in enumerate(parts):
        assert at[ch.start] == pytest.approx(k * seconds)
        assert at[ch.end - 1] < (k + 1) * seconds  # a round ends before the next one starts


def test_real_time_plays_a_trainee_at_the_pace_recorded(sqlite_store, tmp_path):
    ac_id = small_count(sqlite_store)
    rec = load_recording(sqlite_store, ac_id, TRAINER)
    player = Player(rec, real_time=True, speed=2.0, folder=tmp_path / "s")
    try:
        span = player.at[-1]  # the recorded count took `span` seconds from its first figure
        assert span > 0
        player.advance(span / 2 / 2 * 0.999)  # ×2: a quarter of its time in wall seconds is half of it
        assert 1 < player.position < len(rec.events)
        assert not player.finished
        player.advance(span / 2)
        assert player.finished
    finally:
        player.close()
