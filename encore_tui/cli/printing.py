"""`encore export round N|form20|form21c|form21e|form22|postal|annex --format pdf -o FILE` and
`encore verify sheet PAYLOAD`. A REGISTRARS module: argparse only at import time."""

from __future__ import annotations

import argparse
import sys

TARGETS = {  # name: (help, needs a round)
    "round": ("round sheet: table-wise record and round declaration (round 0 = postal)", True),
    "form21c": ("Form 21C (21D for a bye-election): declaration of the result", False),
    "form21e": ("Form 21E: return of election", False),
    "form22": ("Form 22: certificate of election", False),
    "postal": ("postal ballot result sheet", False),
    "annex": ("correction annex: two revisions of a round side by side", True),
}


def _group(sub, name: str, help: str):
    """The sub-command group `name` (e.g. export), made here if no other module made it."""
    parser = sub.choices.get(name) or sub.add_parser(name, help=help, description=help)
    for action in parser._actions:  # argparse keeps the group's subparsers as an action
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="what", required=True)


def register(sub) -> None:
    exp = _group(sub, "export", "write a form or sheet")
    for name, (help, needs_round) in TARGETS.items():
        p = exp.add_parser(name, help=help, description=help)
        if needs_round:
            p.add_argument("round", type=int, help="round number (0 = postal)")
        if name == "annex":
            p.add_argument(
                "--old", type=int, help="older revision (default: the last approved before the newest)"
            )
            p.add_argument("--new", type=int, help="newer revision (default: the newest)")
        p.add_argument("--format", choices=["pdf"], default="pdf")
        p.add_argument("-o", "--output", help="file to write (default: the prints folder in the data folder)")
        p.add_argument("--print", action="store_true", help="also send it to the configured printer (lp)")
        p.add_argument("--by", default="", help="name printed as 'printed by'")
        p.set_defaults(func=lambda args, _n=name: export_pdf(args, _n))
    ver = _group(sub, "verify", "check a printed sheet against the store")
    v = ver.add_parser(
        "sheet",
        help="does a printed sheet (its QR text) match the store?",
        description="Paste the text a QR scanner read from the sheet (or '-' to read it from standard input).",
    )
    v.add_argument("payload")
    v.set_defaults(func=cmd_verify_sheet)


def export_pdf(args, what: str) -> int:
    from encore_tui.cli.common import open_from_args, pick_ac
    from encore_tui.printing.api import PrintError, print_document

    if getattr(args, "format", "pdf") != "pdf":
        raise SystemExit(f"encore: --format {args.format} is not available for {what}")
    store = open_from_args(args)
    ac_id = pick_ac(store, args.ac)
    out = None if args.output in (None, "-") else args.output
    try:
        res = print_document(
            store,
            ac_id,
            what,
            round_no=getattr(args, "round", None),
            old_rev=getattr(args, "old", None),
            new_rev=getattr(args, "new", None),
            settings=args.settings,
            output=out,
            printed_by=getattr(args, "by", "") or "",
            send=bool(getattr(args, "print", False)),
        )
    except PrintError as exc:
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    for w in res.warnings:
        print(f"encore: {w}", file=sys.stderr)
    print(res.message, file=sys.stderr)
    return 0


def cmd_verify_sheet(args) -> int:
    from encore_tui.cli.common import open_from_args
    from encore_tui.printing.payload import PayloadError
    from encore_tui.printing.verify import verify_sheet

    text = sys.stdin.read() if args.payload == "-" else args.payload
    try:
        rep = verify_sheet(open_from_args(args), text)
    except PayloadError as exc:
        print(f"encore: {exc}", file=sys.stderr)
        return 2
    print(rep)
    return 0 if rep.ok else 1
