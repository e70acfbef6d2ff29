"""`encore backup DIR` and `encore restore FILE [--db TARGET] [--force]` (cli.REGISTRARS).

Only argparse at module level: the handlers import the store when they run."""

from __future__ import annotations

import argparse


def cmd_backup(args) -> int:
    from pathlib import Path

    from encore_tui.services.backup import backup, prune
    from encore_tui.store import open_store

    store = open_store(args.settings.db_url, create=False)
    try:
        rep = backup(store, Path(args.folder or args.settings.backup_dir or "."))
        if args.keep:
            prune(rep.path.parent, store.path.stem, args.keep)
    finally:
        store.close()
    print(rep)
    return 0


def cmd_restore(args) -> int:
    from pathlib import Path

    from encore_tui.services.backup import restore

    url = args.target or args.settings.db_url
    target = Path(url)
    if "://" in str(url):
        from encore_tui.services.backup import PG_ADVICE, BackupError

        raise BackupError(PG_ADVICE)
    events = restore(Path(args.file), target, force=args.force)
    n = sum(events.values())
    print(f"Restored {target} from {args.file}: {n} journal events, chain intact, state re-derived.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser(
        "backup",
        help="copy the store to another disk (USB stick), verified",
        description="Online backup of the SQLite store (the app may keep running), verified "
        "after writing. For PostgreSQL use pg_dump.",
    )
    b.add_argument("folder", nargs="?", help="where to write (default: backup_dir from the config)")
    b.add_argument("--keep", type=int, default=0, help="keep only the newest N backups there")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser(
        "restore",
        help="bring a backup back as the store (--db), verified",
        description="Restore a backup file as the store given by --db (or the default store). "
        "Refused when the store has newer journal events, unless --force.",
    )
    r.add_argument("file")
    r.add_argument("--db", dest="target", help="the store to restore into (default: the usual store)")
    r.add_argument("--force", action="store_true", help="replace even a store with newer events")
    r.set_defaults(func=cmd_restore)
