"""The one `encore` command: run the app, demo, import, export, status, journal, users…

Feature packages add sub-commands through REGISTRARS: a module with `register(subparsers)`.
Those modules import only argparse at module level; heavy imports (fpdf, httpx, uvicorn) happen
inside the handler, so `encore` starts fast.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from encore_tui import __version__
from encore_tui.cli.common import CliError, open_from_args, pick_ac

REGISTRARS: list[str] = [
    "encore_tui.cli.printing",
    "encore_tui.cli.backup",
    "encore_tui.cli.push",
    "encore_tui.central.cli",
    "encore_tui.cli.ro",
    "encore_tui.cli.form17c",
    "encore_tui.cli.training",
]
DEMO_NAMES = ("bihar", "gummidipoondi")  # services/demo.DEMOS, without importing services (tested)


# -- commands --------------------------------------------------------------------------------------
def cmd_import_form20(args) -> int:
    from encore_tui import services
    from encore_tui.services.importing import read_form20_dir

    imp = read_form20_dir(Path(args.folder), counting_tables=args.tables)
    store = open_from_args(args, create=True)
    ac_id = services.create_ac(store, imp.setup, services.admin_actor())
    ctx = services.load_context(store, ac_id)
    print(
        f"AC {imp.setup.ac.number} {imp.setup.ac.name}: {len(imp.setup.candidates)} candidates, "
        f"{len(imp.setup.stations)} polling stations, {ctx.plan.round_count} rounds at "
        f"{ctx.plan.tables} tables."
    )
    if args.with_17c:
        from encore_tui.services.form17c import import_form17c

        import_form17c(store, ac_id, imp.form17c, services.admin_actor(), file=str(args.folder))
        print(f"Form 17C Part I of {len(imp.form17c)} stations TAKEN FROM FORM 20 (rehearsal only).")
    else:
        print("No Form 17C Part I yet: `encore import form17c FILE.csv` or key it in the app.")
    if args.with_results:
        n = services.import_results(
            store, ac_id, imp.station_values, imp.postal_values, services.admin_actor()
        )
        print(f"Imported the figures of {n} tables (journaled as imported).")
    print(f"Store: {store.where}")
    return 0


def cmd_import_form17c(args) -> int:
    from encore_tui import services
    from encore_tui.services.form17c import import_form17c
    from encore_tui.services.importing_form17c import read_form17c_csv

    store = open_from_args(args)
    ac_id = pick_ac(store, args.ac)
    ctx = services.load_context(store, ac_id)
    records = read_form17c_csv(Path(args.file), set(ctx.stations_by_number))
    import_form17c(store, ac_id, records, services.admin_actor(), file=Path(args.file).name)
    missing = len(ctx.setup.stations) - len(records)
    print(
        f"Form 17C Part I of {len(records)} stations recorded for AC {ctx.setup.ac.number}"
        + (f"; {missing} stations still have none (W202 at counting)." if missing else ".")
    )
    return 0


def cmd_import_setup(args) -> int:
    from encore_tui import services
    from encore_tui.services.importing import read_setup_json

    setup = read_setup_json(Path(args.file))
    store = open_from_args(args, create=True)
    ac_id = services.create_ac(store, setup, services.admin_actor())
    ctx = services.load_context(store, ac_id)
    print(
        f"AC {setup.ac.number} {setup.ac.name}: {len(setup.candidates)} candidates, {len(setup.stations)} "
        f"polling stations, {ctx.plan.round_count} rounds. Store: {store.where}"
    )
    return 0


def cmd_export_form20(args) -> int:
    from encore_tui import services
    from encore_tui.base.atomic import atomic_write
    from encore_tui.services.exporting import form20_csv

    if args.format != "csv":
        return _export_other(args)
    store = open_from_args(args)
    ctx, f20 = services.form20(store, pick_ac(store, args.ac))
    text = form20_csv(ctx.setup, f20)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        atomic_write(Path(args.output), text.encode())
        print(f"Form 20 written to {args.output}", file=sys.stderr)
    return 0


def cmd_export_cdf(args) -> int:
    from encore_tui.services.cdf import write_cdf

    store = open_from_args(args)
    print(write_cdf(store, pick_ac(store, args.ac), args.output), file=sys.stderr)
    return 0


def _export_other(args) -> int:
    from encore_tui.cli.printing import export_pdf

    return export_pdf(args, "form20")


def cmd_status(args) -> int:
    from encore_tui import services
    from encore_tui.domain.rounds import RoundStatus

    store = open_from_args(args)
    ac_id = pick_ac(store, args.ac)
    d = services.dashboard(store, ac_id)
    s = d.ctx.setup
    print(f"AC {s.ac.number} {s.ac.name}{s.demo_mark} — {s.election.name}")
    evm = {r: i for r, i in d.rounds.items() if r > 0 and i.kind == "evm"}
    count = {st: sum(1 for i in evm.values() if i.status is st) for st in RoundStatus}
    entered = sum(1 for r in evm if d.entered.get(r))
    print(
        f"EVM rounds: {len(evm)} (tables: {d.ctx.plan.tables}); with figures {entered}; "
        + ", ".join(f"{st.label} {n}" for st, n in count.items() if n)
    )
    postal = d.rounds.get(0)
    if postal:
        print(
            f"Postal: {postal.status.label} ({d.entered.get(0, 0)} of {s.postal_tables} postal tables entered)"
        )
    for r, i in d.rounds.items():
        if i.kind == "vvpat":
            print(f"VVPAT round {r} (kept-aside stations): {i.status.label}")
    if d.kept_aside:
        print(
            "Kept aside: "
            + ", ".join(f"PS {e.station} (round {e.round_no}: {e.kept_aside.label})" for e in d.kept_aside)
        )
    if d.leader and d.leader.lead.leader:
        ld, c = d.leader.lead, s.candidates
        lead_c, trail_c = c[ld.leader - 1], c[ld.runner_up - 1] if ld.runner_up else None
        cum = d.leader.cumulative.votes
        line = f"After round {d.leader.round_no}: leading {lead_c.name} ({lead_c.party}) {cum[ld.leader - 1]}"
        if trail_c:
            line += f", trailing {trail_c.name} ({trail_c.party}) {cum[ld.runner_up - 1]}, margin {ld.margin}"
        if ld.is_tie:
            line += "  — TIED"
        print(line)
    else:
        print("No votes entered yet.")
    if d.outbox:
        print("Push queue: " + ", ".join(f"{k} {v}" for k, v in sorted(d.outbox.items())))
    return 0


def cmd_journal_verify(args) -> int:
    from encore_tui import services
    from encore_tui.services.verify import fetch_anchor, verify_receipts

    key = ""
    if args.against_receipts:
        key = args.settings.push_central_key
        if not key:
            print(
                "encore: --against-receipts needs central's receipt key: set push_central_key "
                "(or $ENCORE_CENTRAL_KEY) to what `encore central keys show` prints at central.",
                file=sys.stderr,
            )
            return 2
    store = open_from_args(args)
    from encore_tui.services.queries import list_acs

    ids = [a.ac_id for a in list_acs(store)] if args.ac is None else [pick_ac(store, args.ac)]
    ok = True
    for ac_id in [0, *ids]:
        rep = services.verify_journal(store, ac_id)
        if ac_id == 0 and rep.events == 0:
            continue
        print(str(rep).replace("AC id 0", "accounts") if ac_id == 0 else str(rep))
        ok &= rep.ok
        if key and ac_id:
            fetched: list[str] = []
            if args.settings.push_url:
                number = next(a.number for a in list_acs(store) if a.ac_id == ac_id)
                text, said = fetch_anchor(args.settings.push_url, number)
                print(f"AC {number}: {said}")
                fetched = [text] if text else []
            anchor = verify_receipts(store, ac_id, key, fetched)
            print(anchor)
            ok &= anchor.ok
    return 0 if ok else 1


def cmd_user_add(args) -> int:
    from encore_tui import services

    pin = args.pin
    if pin is None:
        if not sys.stdin.isatty():
            pin = sys.stdin.readline().rstrip("\n")
        else:
            pin = getpass.getpass("PIN: ")
            if getpass.getpass("PIN again: ") != pin:
                raise CliError("The two PINs differ; nothing was saved.")
    store = open_from_args(args, create=True)
    services.add_user(store, args.username, args.role, pin, args.name or args.username)
    print(f"User '{args.username}' ({args.role}) added.")
    return 0


def cmd_user_list(args) -> int:
    from encore_tui import services

    for a in services.list_users(open_from_args(args)):
        print(f"{a.username:20} {a.role.value:10} {a.display_name}")
    return 0


def cmd_plan_tables(args) -> int:
    from encore_tui import services

    store = open_from_args(args)
    plan = services.change_plan(store, pick_ac(store, args.ac), args.tables, services.admin_actor())
    print(f"The plan now has {plan.round_count} rounds; rounds not yet started use {args.tables} tables.")
    return 0


def cmd_schema(args) -> int:
    import json

    from encore_tui.domain.form17c import Form17C
    from encore_tui.domain.setup import Setup

    model = Form17C if getattr(args, "what", "setup") == "form17c" else Setup
    text = json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from encore_tui.base.atomic import atomic_write

        atomic_write(Path(args.output), text.encode())
    else:
        sys.stdout.write(text)
    return 0


def cmd_demo(args) -> int:
    from encore_tui.services.demo import DEMO_ACCOUNTS, make_demo

    path = make_demo(args.name, args.fresh, args.rehearsal)
    print(f"Demo store: {path}")
    print("Demo accounts: " + ", ".join(f"{u}/{p} ({r})" for u, r, p, _ in DEMO_ACCOUNTS))
    if args.no_app:
        return 0
    args.settings.db = str(path)
    args.demo = True
    return cmd_run(args)


def cmd_run(args) -> int:
    from encore_tui.app import run_app

    if getattr(args, "ac", None):
        args.settings.ac = args.ac
    return run_app(args.settings, demo=getattr(args, "demo", False))


# -- parser ---------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="encore", description="encore-tui: the counting-hall application.")
    p.add_argument("--version", action="version", version=f"encore-tui {__version__}")
    p.add_argument(
        "--db",
        help="store: a SQLite file path or postgresql://user@host/db "
        "(default: $ENCORE_DB, the config file, or encore.db in the user data folder)",
    )
    p.add_argument("--lang", choices=["en", "hi"], help="language of the screens")
    p.add_argument("--ac", type=int, help="AC number, where the store holds several")
    p.set_defaults(func=cmd_run)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable, help: str, parent=sub) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help, description=help)
        sp.set_defaults(func=func)
        return sp

    add("run", cmd_run, "open the app on the store (the default)")
    d = add("demo", cmd_demo, "open the app on a bundled demo AC (created on first use)")
    d.add_argument("name", nargs="?", default="gummidipoondi", choices=sorted(DEMO_NAMES))
    d.add_argument("--fresh", action="store_true", help="throw away the demo store and start again")
    d.add_argument(
        "--rehearsal", action="store_true", help="also import every official figure (Gummidipoondi)"
    )
    d.add_argument("--no-app", action="store_true", help="only create the store")

    imp = sub.add_parser("import", help="create an AC from a file").add_subparsers(dest="what", required=True)
    f = add(
        "form20",
        cmd_import_form20,
        "import a Form 20 folder (result.json + form20_polling_stations.csv)",
        imp,
    )
    f.add_argument("folder")
    f.add_argument("--with-results", action="store_true", help="also enter every figure (rehearsal)")
    f.add_argument(
        "--with-17c",
        action="store_true",
        help="record Form 17C Part I from the Form 20 itself (rehearsal only: journaled as taken from Form 20)",
    )
    f.add_argument("--tables", type=int, help="counting tables per round (default 14)")
    s = add("setup", cmd_import_setup, "import a setup JSON file (docs/setup.schema.json)", imp)
    s.add_argument("file")
    s = add("form17c", cmd_import_form17c, "record Form 17C Part I from a CSV (docs/form17c.md)", imp)
    s.add_argument("file")

    exp = sub.add_parser("export", help="write a form or sheet").add_subparsers(dest="what", required=True)
    e = add("form20", cmd_export_form20, "Form 20 (final result sheet)", exp)
    e.add_argument("--format", choices=["csv", "pdf"], default="csv")
    e.add_argument("-o", "--output", help="file to write (default: standard output)")
    c = add("cdf", cmd_export_cdf, "results in the NIST SP 1500-100 v2 common data format (JSON)", exp)
    c.add_argument("-o", "--output", help="file to write (default: standard output)")

    add("status", cmd_status, "rounds done, approved, published, and the current lead")
    j = sub.add_parser("journal", help="the hash-chained journal").add_subparsers(dest="what", required=True)
    jv = add("verify", cmd_journal_verify, "re-walk the chain and re-derive the state from the events", j)
    jv.add_argument(
        "--against-receipts",
        action="store_true",
        help="also check the chain against central's signed receipts (the chain heads they echo)",
    )

    u = sub.add_parser("user", help="accounts").add_subparsers(dest="what", required=True)
    ua = add("add", cmd_user_add, "add an account (PIN asked, or read from standard input)", u)
    ua.add_argument("username")
    ua.add_argument("--role", required=True, choices=["operator", "aro", "ro", "observer", "admin"])
    ua.add_argument("--name", help="full name, printed on sheets")
    ua.add_argument("--pin", help=argparse.SUPPRESS)  # for scripts and tests only
    add("list", cmd_user_list, "list the accounts", u)

    pl = sub.add_parser("plan", help="the counting plan").add_subparsers(dest="what", required=True)
    pt = add("tables", cmd_plan_tables, "change the tables per round for rounds not yet started", pl)
    pt.add_argument("tables", type=int)

    sc = add("schema", cmd_schema, "print the JSON Schema of the setup format (or of a Form 17C Part I row)")
    sc.add_argument("what", nargs="?", default="setup", choices=["setup", "form17c"])
    sc.add_argument("-o", "--output")

    for mod in REGISTRARS:
        importlib.import_module(mod).register(sub)
    return p


def _refusals() -> tuple[type[Exception], ...]:
    """Errors whose message is written for the user. Imported only when one is raised: the
    app's start must not pay for SQLAlchemy and pydantic before its first screen is up."""
    from encore_tui.domain.rounds import IllegalTransition, NotAllowed
    from encore_tui.services.errors import ServiceError, StoreError
    from encore_tui.services.importing import ImportProblem

    return (CliError, ImportProblem, ServiceError, StoreError, NotAllowed, IllegalTransition)


def main(argv: list[str] | None = None) -> int:
    from encore_tui.base.config import ConfigError, load_settings, log_path

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.settings = load_settings(db=args.db, lang=args.lang)
    except ConfigError as exc:
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        filename=log_path(), level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if isinstance(exc, _refusals()):
            logging.getLogger("encore").warning("refused: %s", exc)
            print(f"encore: {exc}", file=sys.stderr)
            return 2
        logging.getLogger("encore").exception("unexpected error")
        print(
            f"encore: unexpected error; nothing saved was lost. Details are in {log_path()} — "
            "please send that file to the support team.",
            file=sys.stderr,
        )
        return 3
