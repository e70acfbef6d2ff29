"""`encore training …`: training sessions made from a past count (docs/training.md).

create, list, seat, sheets, key, report, certificate; `replay` and `watch` come from
cli/training_replay.py. The trainer acts with --user NAME (the PIN is asked);
without it, as the console administrator (like `encore import`). Services, printing and fpdf
are imported inside the handlers, so `encore` starts fast."""

from __future__ import annotations

from encore_tui.cli.common import CliError, open_from_args, pick_ac, read_line, user_or_console


def _write(path: str, data: bytes, what: str) -> None:
    from pathlib import Path

    from encore_tui.base.atomic import atomic_write

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(p, data)
    print(f"{what} written to {p}")


def cmd_create(args) -> int:
    from pathlib import Path

    from encore_tui.domain import training as tr
    from encore_tui.services import training

    store = open_from_args(args, create=True)  # a store made before training gets its tables
    src = pick_ac(store, args.from_ac)
    try:
        rounds = tr.parse_rounds(args.rounds)
        faults = [tr.FaultSpec.parse(f) for f in args.fault or []]
    except tr.TrainingError as exc:
        raise CliError(str(exc)) from None
    official = None
    if args.figures:
        from encore_tui.services.importing import read_form20_dir

        official = read_form20_dir(Path(args.figures)).station_values
    actor = user_or_console(args, store)
    sid = training.create_session(
        store, actor, src, rounds, faults, pass_mark=args.pass_mark, name=args.name or "", official=official
    )
    s = training.session(store, actor, sid)
    print(
        f"Training session {sid}: {s.name} — rounds {', '.join(map(str, s.rounds))}, "
        f"{len(faults)} seeded fault(s), pass mark {s.pass_mark} %."
    )
    print(
        f"Next: `encore training seat {sid} USER --pin PIN` for each trainee, then `encore training sheets {sid}`."
    )
    return 0


def cmd_list(args) -> int:
    from encore_tui.services import training

    store = open_from_args(args, create=True)  # a store made before training gets its tables
    for s in training.sessions(store, user_or_console(args, store)):
        seats = ", ".join(u for u, _ in s.seats) or "no trainee yet"
        print(f"{s.id:>3}  {s.name}  rounds {','.join(map(str, s.rounds))}  pass {s.pass_mark} %  [{seats}]")
    return 0


def cmd_seat(args) -> int:
    from encore_tui import services
    from encore_tui.services import training

    store = open_from_args(args, create=True)  # a store made before training gets its tables
    pin = args.pin if args.pin is not None else read_line(f"PIN for {args.username}: ", secret=True)
    ac_id = training.seat(
        store,
        user_or_console(args, store),
        args.session,
        args.username,
        pin,
        display_name=args.name or "",
        role=args.role,
    )
    ctx = services.load_context(store, ac_id)
    print(
        f"{args.username} ({args.role}) seated: AC {ctx.setup.ac.number} {ctx.setup.ac.name}. "
        f"They sign in to `encore app` with their PIN and land on this copy."
    )
    return 0


def cmd_sheets(args) -> int:
    from pathlib import Path

    from encore_tui.printing.training import sheets_pdf
    from encore_tui.services import training

    store = open_from_args(args, create=True)  # a store made before training gets its tables
    actor = user_or_console(args, store)
    s, setup, sheets = training.sheets(store, actor, args.session)
    _s, _setup, key = training.answer_key(store, actor, args.session)
    trainees = [u for u, _ in s.seats] if args.per_trainee else [""]
    if args.per_trainee and not trainees:
        raise CliError(f"Nobody is seated in session {s.id} yet: `encore training seat {s.id} USER`.")
    tables = sorted({sh.table_no for sh in sheets}) if args.per_table else [None]
    for who in trainees:
        for t in tables:
            part = [sh for sh in sheets if t is None or sh.table_no == t]
            name = (
                f"training-{s.id}" + (f"-{who}" if who else "") + (f"-table-{t}" if t else "") + "-sheets.pdf"
            )
            pdf = sheets_pdf(s, setup, key, part, actor.username, trainee=who)
            _write(str(Path(args.out) / name), pdf, f"{len(part)} Form 17C Part II sheets")
    return 0


def cmd_key(args) -> int:
    from encore_tui.printing.training import key_pdf
    from encore_tui.services import training

    store = open_from_args(args, create=True)  # a store made before training gets its tables
    actor = user_or_console(args, store)
    s, setup, key = training.answer_key(store, actor, args.session)
    _write(args.out, key_pdf(s, setup, key, actor.username), "The answer key (trainer only)")
    return 0


def cmd_report(args) -> int:
    from encore_tui.printing.training import REPORT_HEAD, cell_name, report_pdf, report_rows
    from encore_tui.services import training

    store = open_from_args(args, create=True)  # a store made before training gets its tables
    actor = user_or_console(args, store)
    rep = training.report(store, actor, args.session)
    s = rep.session
    print(f"Training session {s.id}: {s.name} — pass mark {s.pass_mark} %")
    rows = [[e for e, _h in REPORT_HEAD], *report_rows(rep)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    if not rep.ranked:
        print("No trainee is seated yet.")
    for r in rep.ranked:
        for f in r.score.faults:
            mark = "caught" if f.caught else "MISSED"
            print(
                f"  {r.username}: {f.fault.kind.value} round {f.fault.round_no} PS {f.fault.station}: {mark} ({f.how})"
            )
    if rep.often_wrong:
        print(
            "Cells most often wrong: "
            + "; ".join(f"{cell_name(rep.setup, c)} ({n})" for c, n in rep.often_wrong)
        )
    if args.pdf:
        _write(args.pdf, report_pdf(rep, actor.username), "The report")
    return 0


def cmd_certificate(args) -> int:
    from encore_tui.printing.training import certificate_pdf
    from encore_tui.services import training

    store = open_from_args(args, create=True)  # a store made before training gets its tables
    actor = user_or_console(args, store)
    rep = training.report(store, actor, args.session)
    mine = next((r for r in rep.ranked if r.username == args.username), None)
    if mine is None:
        raise CliError(f"'{args.username}' has no seat in training session {args.session}.")
    if not mine.passed:
        raise CliError(
            f"{args.username} scored {mine.score.percent:.1f} %, below the pass mark of "
            f"{rep.session.pass_mark} %: no certificate (`encore training report {args.session}` says what was missed)."
        )
    display = next((a.display_name for a in _users(store) if a.username == args.username), args.username)
    _write(
        args.out,
        certificate_pdf(rep.session, rep.setup, args.username, display, mine.score, actor.username),
        "The certificate",
    )
    return 0


def _users(store):
    from encore_tui import services

    return services.list_users(store)


def register(sub) -> None:
    g = sub.add_parser("training", help="training sessions from a past count (docs/training.md)")
    gs = g.add_subparsers(dest="what", required=True, metavar="ACTION")

    def add(name, func, help):
        p = gs.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        p.add_argument(
            "--user", help="the trainer's account (the PIN is asked); default: the console administrator"
        )
        return p

    p = add("create", cmd_create, "create a session: rounds of an AC, seeded faults, pass mark")
    p.add_argument("--from-ac", type=int, help="the AC number to train on (default: the store's only AC)")
    p.add_argument("--rounds", required=True, help="the rounds to key, e.g. 1-3")
    p.add_argument(
        "--fault",
        action="append",
        metavar="KIND@ROUND/STATION",
        help="seed a fault (repeatable); KIND: sum_mismatch, total_ne_17c, cu_display, mock_poll, ro_return",
    )
    p.add_argument("--pass-mark", type=int, default=90, help="per cent needed for a certificate (default 90)")
    p.add_argument("--name", help="the session's name (default: the AC and rounds)")
    p.add_argument(
        "--figures", metavar="DIR", help="the official figures: a Form 20 folder (default: the store's)"
    )
    add("list", cmd_list, "the training sessions of the store")
    p = add("seat", cmd_seat, "seat a trainee: their account and their own copy of the AC")
    p.add_argument("session", type=int)
    p.add_argument("username")
    p.add_argument("--pin", help="the trainee's PIN (default: asked, or read from standard input)")
    p.add_argument("--name", help="the trainee's full name (printed on the certificate)")
    p.add_argument("--role", default="operator", choices=["operator", "aro", "ro"])
    p = add("sheets", cmd_sheets, "print the Form 17C Part II sheets to key (PDF, one page a station)")
    p.add_argument("session", type=int)
    p.add_argument("--out", default=".", help="the folder to write training-N-sheets.pdf to")
    p.add_argument("--per-trainee", action="store_true", help="one set per seated trainee, their name on it")
    p.add_argument(
        "--per-table", action="store_true", help="one file per counting table (its sheets of every round)"
    )
    p = add("key", cmd_key, "print the answer key (trainer only)")
    p.add_argument("session", type=int)
    p.add_argument("--out", required=True, help="the PDF file")
    p = add("report", cmd_report, "rank the trainees from their journals (terminal; --pdf for the district)")
    p.add_argument("session", type=int)
    p.add_argument("--pdf", help="also write the report as a PDF")
    p = add(
        "certificate", cmd_certificate, "certificate of completion for a trainee at or above the pass mark"
    )
    p.add_argument("session", type=int)
    p.add_argument("username")
    p.add_argument("--out", required=True, help="the PDF file")
    # `encore training replay|watch`: cli/training_replay.register(the training group's subparsers)
    from encore_tui.cli import training_replay

    training_replay.register(gs)
