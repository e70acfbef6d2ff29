"""`encore push` (flush the outbox to central; --watch keeps running) and `encore keys`.

Only argparse at module level: the handlers import httpx and friends when they run.
"""

from __future__ import annotations

import argparse
import sys


def cmd_keys_init(args) -> int:
    from encore_tui.wire import keys
    from encore_tui.wire.signing import key_id

    try:
        key = keys.init_keys(overwrite=args.overwrite)
    except keys.KeyError_ as exc:
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    pub = keys.public_key_b64(key)
    print(f"Signing key created at {keys.key_path()} (readable by you only).")
    print(f"Public key (register it at central with `encore central add-centre --public-key`): {pub}")
    print(f"Key id: {key_id(pub)}")
    return 0


def cmd_keys_show(args) -> int:
    from encore_tui.wire import keys
    from encore_tui.wire.signing import key_id

    try:
        key = keys.load_private_key()
    except keys.KeyError_ as exc:
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    if key is None:
        print(
            f"encore: there is no signing key at {keys.key_path()}: run `encore keys init`.", file=sys.stderr
        )
        return 2
    pub = keys.public_key_b64(key)
    print(pub if args.quiet else f"Public key: {pub}\nKey id: {key_id(pub)}\nFile: {keys.key_path()}")
    return 0


def _print_rows(items) -> None:
    for it in items:
        extra = ""
        if it.state in ("queued", "sent") and it.next_attempt_at:
            extra = f" next try {it.next_attempt_at[11:19]} UTC"
        if it.state == "acked" and it.acked_at:
            extra = f" at {it.acked_at[11:19]} UTC"
        why = f" — {it.last_error}" if it.last_error and it.state != "acked" else ""
        print(f"  AC {it.ac_number} {it.label:32} {it.state:7} tries {it.attempts}{extra}{why}")


def cmd_push(args) -> int:
    import threading

    from encore_tui.cli.common import open_from_args
    from encore_tui.push import queue
    from encore_tui.push.relay import PushConfigError, open_relay

    store = open_from_args(args)
    if args.list:
        items = queue.queue_state(store)
        _print_rows(items)
        counts = queue.queue_counts(store)
        print("Push queue: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0 if counts["queued"] + counts["sent"] + counts["failed"] == 0 else 1
    if args.retry_failed:
        n = queue.requeue_failed(store)
        print(f"{n} refused message(s) queued again.")
    try:
        relay = open_relay(store, args.settings, url=args.url, central_key=args.central_key)
    except PushConfigError as exc:
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    try:
        if args.watch:
            print(f"Pushing to {relay.config.url}; Ctrl+C to stop.", flush=True)

            def show(rep) -> None:
                for i in rep.acked:
                    print(f"acknowledged: outbox #{i}", flush=True)
                for i in rep.failed:
                    print(f"REFUSED: outbox #{i} (see `encore push --list`)", flush=True)

            stop = threading.Event()
            try:
                relay.watch(stop, on_report=show)
            except KeyboardInterrupt:
                stop.set()
            return 0
        rep = relay.flush(force=args.now)
    finally:
        relay.close()
    counts = queue.queue_counts(store)
    print(
        f"Sent and acknowledged: {len(rep.acked)}; refused: {len(rep.failed)}; "
        f"waiting: {counts['queued'] + counts['sent']}; failed in total: {counts['failed']}."
    )
    for row_id, why in sorted(rep.retrying.items()):
        print(f"  waiting #{row_id}: {why}")
    if rep.next_attempt_at and counts["queued"] + counts["sent"]:
        print(f"Next attempt at {rep.next_attempt_at[11:19]} UTC (or now: `encore push --now`).")
    if counts["failed"]:
        print("Refused messages: `encore push --list`; after fixing the cause, `encore push --retry-failed`.")
    return 0 if counts["queued"] + counts["sent"] + counts["failed"] == 0 else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "push",
        help="send approved results to the central endpoint (exit 1 if anything is left)",
        description="Send the queued messages (approved rounds, postal result, …) to central, in order, "
        "signed with this centre's key. Exit code 0: nothing left; 1: messages still waiting or refused.",
    )
    p.add_argument("--watch", action="store_true", help="keep running and send new messages as they come")
    p.add_argument("--now", action="store_true", help="do not wait for the retry back-off")
    p.add_argument("--list", action="store_true", help="show every message and its state; send nothing")
    p.add_argument("--retry-failed", action="store_true", help="queue refused messages again, then send")
    p.add_argument("--url", help="central endpoint (default: push_url from the config / $ENCORE_PUSH_URL)")
    p.add_argument(
        "--central-key", help="central's receipt key (default: push_central_key / $ENCORE_CENTRAL_KEY)"
    )
    p.set_defaults(func=cmd_push)

    k = sub.add_parser("keys", help="this counting centre's signing key").add_subparsers(
        dest="what", required=True
    )
    ki = k.add_parser("init", help="create the signing key (Ed25519, owner-only file)")
    ki.add_argument(
        "--overwrite", action="store_true", help="replace an existing key (central must re-register)"
    )
    ki.set_defaults(func=cmd_keys_init)
    ks = k.add_parser("show", help="print the public key to register at central")
    ks.add_argument("-q", "--quiet", action="store_true", help="print only the key")
    ks.set_defaults(func=cmd_keys_show)
