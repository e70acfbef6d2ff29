"""`encore training replay` and `encore training watch` (issue 18): a recorded count played back
on the dashboard and trends screens, and the trainer's live screen over every AC of a store.

Both only read the store named by --db: the replay re-applies the recorded journal into a scratch
store of its own (services/replay.py), the watch screen re-reads progress every 2 s. Both are a
trainer's or an administrator's (a replay may show another trainee's copy, the watch names every
trainee): `--user NAME` signs the trainer in as the other `encore training` commands do (the PIN
is asked; that sign-in is journaled on the store chain, never on an AC's); without it, the
console administrator — who can open the store at the console anyway — and nothing is written."""

from __future__ import annotations

import argparse


def _store_args(p: argparse.ArgumentParser) -> None:
    # also accepted after the sub-command (`encore training replay --db FILE`); SUPPRESS keeps a
    # value given before it (`encore --db FILE training replay`)
    p.add_argument("--db", default=argparse.SUPPRESS, help="the store to read (never written)")
    p.add_argument("--lang", choices=["en", "hi"], default=argparse.SUPPRESS, help="language of the screens")
    p.add_argument(
        "--user", help="the trainer's account (the PIN is asked); default: the console administrator"
    )


def _open_read(args):
    from encore_tui.store import open_store

    return open_store(args.settings.db_url, create=False, timeout=args.settings.store_timeout)


def cmd_replay(args) -> int:
    from encore_tui.app import replay_app, run_viewer
    from encore_tui.cli.common import CliError, pick_ac, user_or_console
    from encore_tui.services.replay import load_recording
    from encore_tui.services.replay_player import Player

    if not args.speed > 0 or not args.round_seconds > 0:
        raise CliError("--speed and --round-seconds must be numbers above 0 (e.g. --speed 4).")
    store = _open_read(args)
    try:
        ac_id = pick_ac(store, args.ac)
        actor = user_or_console(args, store)
        rec = load_recording(store, ac_id, actor)
    finally:
        store.engine.dispose()  # everything is read: the recorded store is left alone from here
    try:
        player = Player(
            rec,
            round_seconds=args.round_seconds,
            speed=args.speed,
            from_round=args.from_round,
            real_time=args.real_time,
        )
    except ValueError as exc:
        raise CliError(f"{exc}.") from None
    try:
        return run_viewer(replay_app(args.settings, player, actor))
    finally:
        player.close()


def cmd_watch(args) -> int:
    from encore_tui.app import run_viewer, watch_app
    from encore_tui.cli.common import user_or_console
    from encore_tui.services.training import refuse_unless_trainer

    store = _open_read(args)
    try:
        actor = user_or_console(args, store)
        refuse_unless_trainer(actor, "watch the trainees' progress")  # said here, not on the screen
        return run_viewer(watch_app(args.settings, store, actor))
    finally:
        store.engine.dispose()


def register(sub: argparse._SubParsersAction) -> None:
    """Add `replay` and `watch` to the `encore training` group."""
    r = sub.add_parser(
        "replay",
        help="play a recorded count round by round on the dashboard and trends screens",
        description="Play a recorded count (an official rehearsal or a trainee's copy) round by "
        "round on the dashboard and trends screens, for briefing ROs and observers. The recorded "
        "store is only read. Keys: Space pause, → next round, ← back a round, + / - speed, "
        "F6 trends, q quit.",
    )
    _store_args(r)
    r.add_argument(
        "--ac", type=int, default=argparse.SUPPRESS, help="AC number, where the store holds several"
    )
    r.add_argument("--speed", type=float, default=1.0, help="× speed (1: one round per --round-seconds)")
    r.add_argument(
        "--round-seconds", type=float, default=4.0, help="seconds one round takes at ×1 (default 4)"
    )
    r.add_argument(
        "--real-time",
        action="store_true",
        help="as long as it took when recorded (× --speed), instead of one round per --round-seconds",
    )
    r.add_argument("--from-round", type=int, help="start at this round (the rounds before are shown at once)")
    r.set_defaults(func=cmd_replay)
    w = sub.add_parser(
        "watch",
        help="the trainer's live screen: every trainee's (every AC's) progress",
        description="Every AC of the store (in a training store, each trainee's copy) with its "
        "round, rounds submitted/approved, figures entered, last entry and failing checks; "
        "re-read every 2 s. Enter opens an AC's dashboard read-only; q quits.",
    )
    _store_args(w)
    w.set_defaults(func=cmd_watch)
