"""`encore central …`: run the reference results receiver and manage who may write to it.

Only argparse at module level (fastapi/uvicorn are imported when a handler runs; they come
with the optional extra: pip install 'encore-tui[server]').
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path


def _db(args) -> str:
    from encore_tui.base.config import data_dir

    return args.central_db or os.environ.get("ENCORE_CENTRAL_DB") or str(data_dir() / "central.db")


def _key_path(args) -> Path:
    from encore_tui.base.config import data_dir

    return Path(
        args.key or os.environ.get("ENCORE_CENTRAL_SERVER_KEY") or data_dir() / "keys" / "central.key"
    )


def server_key(path: Path, create: bool):
    """Central's receipt-signing key; made on first `serve` when missing."""
    from encore_tui.wire import keys

    key = keys.load_private_key(path)
    if key is None and create:
        key = keys.init_keys(path)
        print(f"Created central's receipt key at {path}.", file=sys.stderr)
    return key


def cmd_serve(args) -> int:
    try:
        import uvicorn

        from encore_tui.central.app import create_app
    except ModuleNotFoundError:
        print(
            "encore: the receiver needs the server extra: pip install 'encore-tui[server]'", file=sys.stderr
        )
        return 2
    from encore_tui.central.store import open_central
    from encore_tui.wire import keys
    from encore_tui.wire.signing import key_id

    store = open_central(_db(args))
    key = server_key(_key_path(args), create=True)
    pub = keys.public_key_b64(key)
    scheme = "https" if args.ssl_certfile else "http"
    print(
        f"encore central: {scheme}://{args.host}:{args.port}/board  (store {store.where}; "
        f"receipts signed by key {key_id(pub)}: {pub}; {args.workers} worker process(es))",
        flush=True,
    )
    tls = {"ssl_certfile": args.ssl_certfile, "ssl_keyfile": args.ssl_keyfile}
    common = {"host": args.host, "port": args.port, "log_level": args.log_level, **tls}
    if args.workers > 1:
        # each worker process opens the store itself; writes are serialised by the store's
        # lock (SQLite) or row locks (PostgreSQL), replays refused through the shared store
        store.close()
        os.environ.update(
            ENCORE_CENTRAL_DB=_db(args),
            ENCORE_CENTRAL_SERVER_KEY=str(_key_path(args)),
            ENCORE_CENTRAL_WINDOW=str(args.window),
            ENCORE_CENTRAL_REFRESH=str(args.refresh),
            ENCORE_CENTRAL_TITLE=args.title,
        )
        uvicorn.run("encore_tui.central.app:app_from_env", factory=True, workers=args.workers, **common)
        return 0
    app = create_app(store, key, window_seconds=args.window, refresh_seconds=args.refresh, title=args.title)
    uvicorn.run(app, **common)
    return 0


def cmd_add_centre(args) -> int:
    from sqlalchemy import insert, select, update

    from encore_tui.central import store as cs
    from encore_tui.wire.signing import key_id, valid_public_key

    if not valid_public_key(args.public_key):
        print(
            "encore: --public-key must be the base64 key printed by `encore keys show` at the centre.",
            file=sys.stderr,
        )
        return 2
    kid = key_id(args.public_key)
    store = cs.open_central(_db(args))
    ts = datetime.now(UTC).isoformat(timespec="microseconds")
    with store.write() as conn:
        if conn.execute(select(cs.revoked.c.key_id).where(cs.revoked.c.key_id == kid)).first():
            print(
                f"encore: key {kid} was revoked and stays revoked: the centre makes a new key "
                "(`encore keys init --overwrite`) and you add that one.",
                file=sys.stderr,
            )
            return 2
        row = conn.execute(select(cs.centre).where(cs.centre.c.key_id == kid)).first()
        if row is None:
            conn.execute(
                insert(cs.centre).values(
                    key_id=kid,
                    public_key=args.public_key,
                    name=args.name or "AC " + ", ".join(map(str, args.ac)),
                    created_at=ts,
                )
            )
        elif args.name:
            conn.execute(update(cs.centre).where(cs.centre.c.key_id == kid).values(name=args.name))
        for ac in args.ac:
            if not conn.execute(
                select(cs.grant).where(cs.grant.c.key_id == kid, cs.grant.c.ac == ac)
            ).first():
                conn.execute(insert(cs.grant).values(key_id=kid, ac=ac, created_at=ts))
        acs = sorted(a for (a,) in conn.execute(select(cs.grant.c.ac).where(cs.grant.c.key_id == kid)))
    print(f"Centre key {kid} may now write AC {', '.join(map(str, acs))}.")
    return 0


def cmd_revoke(args) -> int:
    """Revoke a centre's key: every worker refuses its next push (403 key_revoked), because the
    revocation is read inside each write transaction, not from a per-worker cache."""
    from sqlalchemy import insert, select

    from encore_tui.central import store as cs

    store = cs.open_central(_db(args))
    with store.write() as conn:
        if conn.execute(select(cs.centre.c.key_id).where(cs.centre.c.key_id == args.key_id)).first() is None:
            print(
                f"encore: no centre key {args.key_id!r} is registered (`encore central grants` lists them).",
                file=sys.stderr,
            )
            return 2
        if conn.execute(select(cs.revoked.c.key_id).where(cs.revoked.c.key_id == args.key_id)).first():
            print(f"Centre key {args.key_id} was already revoked.")
            return 0
        conn.execute(
            insert(cs.revoked).values(
                key_id=args.key_id,
                revoked_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                reason=args.reason,
            )
        )
    print(f"Centre key {args.key_id} is revoked: its next push is refused (403 key_revoked).")
    return 0


def cmd_grants(args) -> int:
    """Every registered centre key, the ACs it may write, and whether it is revoked."""
    from sqlalchemy import select

    from encore_tui.central import store as cs

    store = cs.open_central(_db(args))
    with store.read() as conn:
        centres = conn.execute(select(cs.centre).order_by(cs.centre.c.key_id)).all()
        grants = conn.execute(select(cs.grant.c.key_id, cs.grant.c.ac).order_by(cs.grant.c.ac)).all()
        revoked = dict(conn.execute(select(cs.revoked.c.key_id, cs.revoked.c.revoked_at)).all())
    if not centres:
        print("No centre is registered: `encore central add-centre --ac N --public-key KEY`.")
        return 0
    print(f"{'key id':<16}  {'name':<30}  {'ACs':<20}  state")
    for c in centres:
        acs = ", ".join(str(ac) for k, ac in grants if k == c.key_id) or "-"
        state = f"REVOKED {revoked[c.key_id]}" if c.key_id in revoked else "active"
        print(f"{c.key_id:<16}  {c.name[:30]:<30}  {acs:<20}  {state}")
    return 0


def cmd_snapshot(args) -> int:
    """The board and every JSON document as static files: what a CDN origin would hold."""
    from encore_tui.central import readside
    from encore_tui.central import store as cs

    store = cs.open_central(_db(args))
    try:
        files = readside.snapshot(store, Path(args.dir), args.title, args.refresh)
    finally:
        store.close()
    print(f"Wrote {len(files)} files to {args.dir} (board.html, acs.json, acs/N.json, acs/N/rounds/R.json).")
    return 0


def cmd_keys(args) -> int:
    from encore_tui.wire import keys
    from encore_tui.wire.signing import key_id

    path = _key_path(args)
    try:
        if args.what == "init":
            key = keys.init_keys(path, overwrite=args.overwrite)
        else:
            key = keys.load_private_key(path)
            if key is None:
                print(f"encore: no receipt key at {path}: `encore central keys init`.", file=sys.stderr)
                return 2
    except keys.KeyError_ as exc:
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    pub = keys.public_key_b64(key)
    if getattr(args, "quiet", False):
        print(pub)
    else:
        print(f"Central receipt key {key_id(pub)} ({path}).")
        print(f'Configure it at every counting centre as push_central_key = "{pub}"')
    return 0


def openapi_text() -> str:
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from encore_tui.central.app import create_app
    from encore_tui.central.store import open_central

    # the document does not depend on the store or the key: a throw-away store will do
    with tempfile.TemporaryDirectory() as tmp:
        store = open_central(Path(tmp) / "central.db")
        try:
            app = create_app(store, Ed25519PrivateKey.generate())
            return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        finally:
            store.close()


def cmd_openapi(args) -> int:
    text = openapi_text()
    if args.output:
        from encore_tui.base.atomic import atomic_write

        atomic_write(Path(args.output), text.encode())
    else:
        sys.stdout.write(text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser(
        "central", help="the reference central results receiver (needs the 'server' extra)"
    ).add_subparsers(dest="what", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--db",
            dest="central_db",
            help="receiver store: SQLite file or postgresql://… (default $ENCORE_CENTRAL_DB or central.db "
            "in the data folder)",
        )

    s = c.add_parser("serve", help="run the receiver (HTTP API + results board at /board)")
    common(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--key", help="central's receipt key (default: keys/central.key in the data folder)")
    s.add_argument("--window", type=int, default=300, help="accepted clock difference, seconds (default 300)")
    s.add_argument("--refresh", type=int, default=15, help="results board refresh, seconds")
    s.add_argument(
        "--title", default="Election results", help="the board's heading (central's own, never a centre's)"
    )
    s.add_argument(
        "--workers", type=int, default=1, help="worker processes (default 1; one per core for more pushes/s)"
    )
    s.add_argument("--ssl-certfile", help="serve HTTPS with this certificate (PEM)")
    s.add_argument("--ssl-keyfile", help="… and this private key (PEM)")
    s.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )
    s.set_defaults(func=cmd_serve)

    a = c.add_parser("add-centre", help="register a counting centre's public key for an AC")
    common(a)
    a.add_argument("--ac", type=int, action="append", required=True, help="AC number (repeat for several)")
    a.add_argument("--public-key", required=True, help="printed by `encore keys show` at the centre")
    a.add_argument("--name", help="the centre's name, for the operators of central")
    a.set_defaults(func=cmd_add_centre)

    rv = c.add_parser("revoke", help="revoke a centre's key (refused from its next push, every worker)")
    common(rv)
    rv.add_argument("key_id", help="the centre's key id (16 hex digits, see `encore central grants`)")
    rv.add_argument("--reason", default="", help="why (kept with the revocation)")
    rv.set_defaults(func=cmd_revoke)

    g = c.add_parser("grants", help="list centre keys, the ACs each may write, and revocations")
    common(g)
    g.set_defaults(func=cmd_grants)

    sn = c.add_parser("snapshot", help="write the board and the JSON documents as static files")
    common(sn)
    sn.add_argument("dir", help="folder to write into (created if missing)")
    sn.add_argument("--title", default="Election results", help="the board's heading")
    sn.add_argument("--refresh", type=int, default=15, help="the board's refresh, seconds")
    sn.set_defaults(func=cmd_snapshot)

    k = c.add_parser("keys", help="central's receipt-signing key").add_subparsers(dest="what", required=True)
    ki = k.add_parser("init", help="create the key (also made on the first serve)")
    ki.add_argument("--overwrite", action="store_true")
    ks = k.add_parser("show", help="print the key the centres must configure (push_central_key)")
    ks.add_argument("-q", "--quiet", action="store_true")
    for p in (ki, ks):
        p.add_argument("--key", help="key file (default: keys/central.key in the data folder)")
        p.set_defaults(func=cmd_keys)

    o = c.add_parser("openapi", help="print the receiver's OpenAPI document (docs/openapi.json)")
    o.add_argument("-o", "--output")
    o.set_defaults(func=cmd_openapi)
