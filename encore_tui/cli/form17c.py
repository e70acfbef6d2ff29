"""`encore form17c …` (Form 17C Part I, docs/form17c.md) and `encore margin …` (the ECI rules
that depend on the margin) at the console. Writes need --user and the PIN (asked, as for
`encore ro`). Services are imported inside the handlers, so `encore` starts fast."""

from __future__ import annotations

from encore_tui.cli.common import sign_in, store_and_ac


def cmd_show(args) -> int:
    from encore_tui.domain import form17c as f17
    from encore_tui.services import form17c, load_context

    store, ac_id = store_and_ac(args)
    ctx = load_context(store, ac_id)
    records = form17c.form17c(store, ac_id)
    stations = [args.station] if args.station else [s.number for s in ctx.setup.stations]
    missing = 0
    print("PS        " + " ".join(f"{f17.LABELS[f][:12]:>12}" for f in f17.FIELDS) + "  source")
    for s in stations:
        rec = records.get(s)
        if rec is None:
            missing += 1
            if args.station:
                print(f"{s:<10}no Form 17C Part I recorded")
            continue
        cells = " ".join(f"{'' if getattr(rec, f) is None else getattr(rec, f)!s:>12}" for f in f17.FIELDS)
        print(f"{s:<10}{cells}  {rec.source.value}" + (f"  ({rec.remarks})" if rec.remarks else ""))
    if missing and not args.station:
        print(f"{missing} of {len(stations)} stations have no Form 17C Part I (W202 at counting).")
    return 0


def cmd_set(args) -> int:
    from encore_tui.cli.common import field_values
    from encore_tui.services import form17c

    store, ac_id = store_and_ac(args)
    given = field_values(args.values, "FIELD=VALUE, e.g. votes_recorded=656 cu_id=CUNEM12345")
    pairs = [(field, form17c.parse_field(field, text)) for field, text in given]
    actor, _pin = sign_in(args, store, ac_id)
    for field, value in pairs:
        form17c.enter_form17c(store, ac_id, args.station, field, value, actor)
        print(f"PS {args.station} {field}: {'blank' if value in (None, '') else value} saved.")
    return 0


def cmd_double(args) -> int:
    from encore_tui.services import form17c

    store, ac_id = store_and_ac(args)
    if args.keyer:
        actor, _pin = sign_in(args, store, ac_id)
        form17c.open_double(store, ac_id, args.keyer, actor)
        print(f"Second, blind keying of Form 17C assigned to {args.keyer} (F7 on their dashboard).")
    diffs = form17c.differences(store, ac_id)
    for station, field, first, second in diffs:
        print(f"  PS {station} {field}: {first} / second keying {second}")
    print(f"{len(diffs)} difference(s) between the two keyings (E125 blocks those stations' rounds).")
    return 0


def cmd_cu_setting(args) -> int:
    from encore_tui.services import form17c

    store, ac_id = store_and_ac(args)
    if args.state is None:
        with store.read() as conn:
            on = form17c.cu_confirmation_on(conn, ac_id)
        print(f"CU serial confirmation at the tables is {'on' if on else 'off'}.")
        return 0
    actor, _pin = sign_in(args, store, ac_id)
    form17c.set_cu_confirmation(store, ac_id, args.state == "on", actor)
    print(f"CU serial confirmation at the tables is now {args.state}.")
    return 0


def cmd_confirm_cu(args) -> int:
    from encore_tui.services import form17c

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    form17c.confirm_cu_serial(store, ac_id, args.station, args.serial, actor)
    rec = form17c.form17c(store, ac_id).get(args.station)
    expected = rec.cu_id if rec else None
    from encore_tui.domain.form17c import normalize_serial

    if expected and normalize_serial(args.serial) != expected:
        print(
            f"PS {args.station}: CU {args.serial} recorded — NOT the CU of its Form 17C ({expected}): E120."
        )
    else:
        print(f"PS {args.station}: CU {args.serial} confirmed.")
    return 0


def cmd_margin_status(args) -> int:
    from encore_tui.domain import margin_rules as mr
    from encore_tui.services import form17c, load_context, ro_margin, ro_result

    store, ac_id = store_and_ac(args)
    st = ro_result.result_status(store, ac_id)
    ctx = load_context(store, ac_id)
    with store.read() as conn:
        ex = mr.kept_aside_exposure(
            st.form20, ro_margin.kept_reasons(conn, ctx), form17c.form17c_in(conn, ctx)
        )
    print(f"Margin {mr.margin(st.form20)}; rejected postal ballots {st.form20.postal.rejected}.")
    if ex.stations:
        print(
            f"Kept aside (mock poll / 17C mismatch): PS {', '.join(ex.stations)}; 17C votes recorded "
            f"{ex.recorded}; margin without them {ex.margin}: slips "
            + ("MUST be counted." if ex.slips_required else "need not be counted.")
        )
    for c in st.checks:
        if c.code.code in ("E123", "E124"):
            print(f"  {c}")
    return 0


def cmd_reverify_postal(args) -> int:
    from encore_tui.services import ro_margin

    store, ac_id = store_and_ac(args)
    actor, pin = sign_in(args, store, ac_id)
    ro_margin.record_postal_reverification(store, ac_id, args.checked, args.outcome, args.remark, actor, pin)
    print(f"Re-verification of {args.checked} rejected postal ballots recorded ({args.outcome}).")
    return 0


def cmd_kept_aside_slips(args) -> int:
    from encore_tui.services import ro_margin

    store, ac_id = store_and_ac(args)
    actor, pin = sign_in(args, store, ac_id)
    ro_margin.record_kept_aside_slips(store, ac_id, args.remark, actor, pin)
    print("Decision recorded: the kept-aside stations' VVPAT slips are counted (encore vvpat round).")
    return 0


def cmd_anomalies(args) -> int:
    from encore_tui.services import anomalies

    store, ac_id = store_and_ac(args)
    found = anomalies.round_anomalies(store, ac_id, args.round)
    for c in found:
        print(f"  {c}" + ("" if c.acknowledged else "  [to acknowledge]"))
    if not found:
        print(f"Round {args.round}: no anomaly.")
    return 0


def cmd_anomaly_ack(args) -> int:
    from encore_tui.services import anomalies

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    anomalies.acknowledge_anomaly(store, ac_id, args.round, args.station, args.code, args.remark, actor)
    print(f"{args.code} at PS {args.station} (round {args.round}) acknowledged; the remark is printed.")
    return 0


def cmd_anomaly_thresholds(args) -> int:
    from encore_tui.services import anomalies

    store, ac_id = store_and_ac(args)
    values = {
        k: getattr(args, k)
        for k in ("turnout", "candidate_share", "nota_share", "rejected_share", "min_votes")
        if getattr(args, k) is not None
    }
    if values:
        actor, _pin = sign_in(args, store, ac_id)
        th = anomalies.set_thresholds(store, ac_id, actor, **values)
    else:
        with store.read() as conn:
            th = anomalies.thresholds_in(conn, ac_id)
    print(", ".join(f"{k}={v}" for k, v in th.model_dump().items()))
    return 0


def register(sub) -> None:
    def add(parent, name, func, help, user=True):
        p = parent.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        if user:
            p.add_argument("--user", help="your account (default $ENCORE_USER); the PIN is asked")
        return p

    g = sub.add_parser("form17c", help="Form 17C Part I: show, key, CU serial confirmation").add_subparsers(
        dest="what", required=True
    )
    p = add(g, "show", cmd_show, "every station's Form 17C Part I and where it came from", user=False)
    p.add_argument("station", nargs="?")
    p = add(g, "set", cmd_set, "key fields of a station's Part I: votes_recorded=656 tendered=1 cu_id=…")
    p.add_argument("station")
    p.add_argument("values", nargs="+")
    p = add(g, "double", cmd_double, "(RO) --keyer NAME assigns a blind second keying; lists differences")
    p.add_argument("--keyer")
    p = add(g, "cu-setting", cmd_cu_setting, "(RO) CU serial confirmation at the tables: on | off")
    p.add_argument("state", nargs="?", choices=["on", "off"])
    p = add(g, "confirm-cu", cmd_confirm_cu, "the serial of the CU brought to a station's table")
    p.add_argument("station")
    p.add_argument("serial")

    m = sub.add_parser("margin", help="ECI rules that depend on the margin (E123, E124)").add_subparsers(
        dest="what", required=True
    )
    add(
        m, "status", cmd_margin_status, "the margin, rejected postal ballots, kept-aside stations", user=False
    )
    p = add(
        m,
        "reverify-postal",
        cmd_reverify_postal,
        "(RO) record the re-verification of rejected postal ballots",
    )
    p.add_argument(
        "--checked", type=int, required=True, help="how many rejected postal ballots were re-verified"
    )
    p.add_argument("--outcome", choices=["upheld", "corrected"], required=True)
    p.add_argument("--remark", required=True)
    p = add(
        m, "kept-aside-slips", cmd_kept_aside_slips, "(RO) record that kept-aside stations' slips are counted"
    )
    p.add_argument("--remark", required=True)

    a = sub.add_parser(
        "anomalies", help="anomaly warnings W204-W208 (the RO acknowledges them)"
    ).add_subparsers(dest="what", required=True)
    p = add(a, "show", cmd_anomalies, "a round's anomalies and the RO's remarks", user=False)
    p.add_argument("round", type=int)
    p = add(a, "ack", cmd_anomaly_ack, "(RO) acknowledge an anomaly with a remark")
    p.add_argument("round", type=int)
    p.add_argument("station")
    p.add_argument("code")
    p.add_argument("--remark", required=True)
    p = add(a, "thresholds", cmd_anomaly_thresholds, "show, or (RO) set, the thresholds (shares as 0.95)")
    for k in ("turnout", "candidate_share", "nota_share", "rejected_share"):
        p.add_argument("--" + k.replace("_", "-"), dest=k, type=float)
    p.add_argument("--min-votes", dest="min_votes", type=int)
