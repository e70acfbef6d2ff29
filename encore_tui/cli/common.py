"""What every `encore` sub-command needs: the store named by --db, the AC named by --ac, the
console administrator, and the error whose message is written for the user."""

from __future__ import annotations

import os
import sys


class CliError(RuntimeError):
    pass


def open_from_args(args, create: bool = False):
    """The store named by --db / $ENCORE_DB / the config file (a backup after every approval
    where `backup_dir` is set). Imported here, not at module level: `encore --help` stays fast."""
    from encore_tui.services.backup import backup_after_approvals
    from encore_tui.store import open_store

    store = open_store(args.settings.db_url, create=bool(create), timeout=args.settings.store_timeout)
    backup_after_approvals(store, args.settings)
    return store


def pick_ac(store, number: int | None) -> int:
    """The AC id for --ac NUMBER, or the only AC of the store."""
    from encore_tui.services import list_acs

    acs = list_acs(store)
    if not acs:
        raise CliError("This store holds no AC yet: `encore import form20 DIR` or `encore demo`.")
    if number is None:
        if len(acs) > 1:
            raise CliError(
                "This store holds several ACs: say which with --ac NUMBER ("
                + ", ".join(f"{a.number} {a.name}" for a in acs)
                + ")."
            )
        return acs[0].ac_id
    for a in acs:
        if a.number == number:
            return a.ac_id
    raise CliError(f"AC {number} is not in this store.")


def store_and_ac(args):
    store = open_from_args(args)
    return store, pick_ac(store, args.ac)


def read_line(prompt: str, secret: bool = False, eof_ok: bool = False) -> str | None:
    if sys.stdin.isatty():
        if secret:
            import getpass

            return getpass.getpass(prompt)
        return input(prompt)
    line = sys.stdin.readline()
    if not line and eof_ok:
        return None
    if not line:
        raise CliError("standard input ended before every answer was given; nothing more was saved.")
    return line.rstrip("\n")


def field_values(items: list[str], example: str, lower: bool = False) -> list[tuple[str, str]]:
    """`FIELD=VALUE` arguments as (field, text) pairs, in the order given; an item without `=`
    is refused before anything is saved, with `example` showing how to write it."""
    pairs = []
    for item in items:
        field, sep, text = item.partition("=")
        if not sep:
            raise CliError(f"'{item}': write {example}")
        field = field.strip()
        pairs.append((field.lower() if lower else field, text))
    return pairs


def sign_in(args, store, ac_id):
    """(actor, pin): the user signs in for this command; the PIN is kept only for re-entry."""
    from encore_tui import services

    user = args.user or os.environ.get("ENCORE_USER")
    if not user:
        raise CliError("say who you are: --user NAME (or set ENCORE_USER).")
    bound = services.seat_ac(store, user)
    if bound is not None and ac_id is not None and bound != ac_id:
        raise CliError(f"'{user}' is a trainee seated on their own copy of the AC: use --ac with that copy.")
    pin = read_line(f"PIN for {user}: ", secret=True)
    return services.authenticate(store, user, pin, ac_id), pin


def user_or_console(args, store):
    """Who a command acts as: `--user NAME` signs that user in (the PIN is asked, the sign-in
    journaled on the store chain); without it, the console administrator, like `encore import`."""
    from encore_tui import services

    if getattr(args, "user", None):
        actor, _pin = sign_in(args, store, None)
        return actor
    return services.admin_actor()
