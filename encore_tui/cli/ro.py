"""`encore ro …`, `encore vvpat …`, `encore recount`, `encore declare …`: the RO at a console.

Writes need `--user NAME` (or $ENCORE_USER) and the PIN, asked without echo (or read as the
first line of standard input when it is not a terminal). The PIN is never an argument, never
logged. Only argparse is imported here; the services load inside the handlers.
"""

from __future__ import annotations

import sys

from encore_tui.cli.common import read_line, sign_in, store_and_ac


# -- plumbing --------------------------------------------------------------------------------------
def _fmt(v) -> str:
    return "blank" if v is None else str(v)


def _print_checks(checks, indent: str = "  ") -> None:
    for c in checks:
        print(f"{indent}{c}")


# -- ro ----------------------------------------------------------------------------------------------
def cmd_queue(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    q = ro.review_queue(store, ac_id)
    if not q:
        print("No round is waiting for the RO.")
        return 0
    print(f"{'round':>6}  {'kind':6} {'status':17} {'rev':>3}  {'spot check':12} {'double':10} by")
    for i in q:
        name = "postal" if i.round_no == 0 else str(i.round_no)
        order = "" if i.in_order else "  (after earlier rounds)"
        print(
            f"{name:>6}  {i.kind:6} {i.status.label:17} {i.revision:>3}  {i.spot_state:12} "
            f"{i.double_state or '-':10} {i.updated_by}{order}"
        )
    return 0


def cmd_show(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    rv = ro.review_round(store, ac_id, args.round)
    v, s = rv.view, rv.view.ctx.setup
    print(f"Round {args.round} ({v.info.kind}) — {v.info.status.label}, revision {v.info.revision}")
    if v.info.remark:
        print(f"Remark: {v.info.remark}")
    fields = v.ctx.fields_of(args.round)
    print("table  PS         " + " ".join(f"{f:>5}" for f in fields))
    for e in v.entries:
        if e.kept_aside:
            print(f"{e.table_no:>5}  {e.station:10} kept aside: {e.kept_aside.label}")
        else:
            print(f"{e.table_no:>5}  {e.station:10} " + " ".join(f"{_fmt(e.value(f)):>5}" for f in fields))
    if v.tally:
        t = v.tally
        print("cand.  this round  cumulative")
        for c in s.candidates:
            print(
                f"{c.serial:>5}  {t.this_round.votes[c.serial - 1]:>10}  {t.cumulative.votes[c.serial - 1]:>10}  {c.name} ({c.party})"
            )
        print(f" NOTA  {t.this_round.nota:>10}  {t.cumulative.nota:>10}")
        if t.lead.leader:
            ld = t.lead
            print(
                f"Leading: {s.candidates[ld.leader - 1].name}, margin {ld.margin}{' — TIED' if ld.is_tie else ''}"
            )
    else:
        print(f"Postal total: {v.postal_totals.total} (rejected {v.postal_totals.rejected})")
    if rv.diff:
        d = rv.diff
        print(f"Changed since revision {d.base_revision} ({d.base_stage} by {d.base_by}):")
        for c in d.changes or []:
            print(f"  table {c.table_no} PS {c.station} {c.field}: {_fmt(c.before)} → {_fmt(c.after)}")
        if not d.changes:
            print("  nothing")
    warnings = [c for c in v.checks if not c.is_error]
    if warnings:
        print("Warnings:")
        _print_checks(warnings)
    if rv.blockers:
        print("Blocks approval:")
        _print_checks(rv.blockers)
    elif not rv.in_order:
        print("Approve the earlier rounds first.")
    else:
        print("Ready for approval: encore ro approve " + str(args.round))
    return 0


def cmd_approve(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    actor, pin = sign_in(args, store, ac_id)
    saved = ro.approve(store, ac_id, args.round, actor, pin)
    print(f"Round {args.round} approved by {actor.label}; queued for publication.")
    if saved.note:
        print(saved.note, file=sys.stderr if "FAILED" in saved.note else sys.stdout)
    return 0


def cmd_return(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    ro.return_to_operator(store, ac_id, args.round, args.remark, actor)
    print(f"Round {args.round} returned to the operator: {args.remark}")
    return 0


def cmd_correct(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    actor, pin = sign_in(args, store, ac_id)
    ro.correct(store, ac_id, args.round, args.reason, actor, pin)
    later = [i.round_no for i in ro.review_queue(store, ac_id) if i.status.value == "needs_reapproval"]
    print(f"Round {args.round} is open for correction (type the right figures, then approve it).")
    if later:
        print("Needs re-approval afterwards: rounds " + ", ".join(map(str, later)))
    return 0


def cmd_enter(args) -> int:
    """The RO types figures of a round in correction: FIELD=VALUE … (blank clears)."""
    from encore_tui import services
    from encore_tui.cli.common import field_values

    store, ac_id = store_and_ac(args)
    pairs = field_values(args.values, "FIELD=NUMBER, e.g. c2=118 total=640.", lower=True)
    actor, _pin = sign_in(args, store, ac_id)
    limit = services.load_context(store, ac_id).max_value(args.round, args.station)
    for f, v in pairs:
        saved = services.enter_cell(
            store, ac_id, args.round, args.station, f, services.parse_cell_text(v, limit), actor
        )
        print(f"round {args.round} PS {args.station} {f}: {_fmt(saved.before)} → {_fmt(saved.after)}")
    return 0


def cmd_annex(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    a = ro.correction_annex(store, ac_id, args.round, args.revision)
    print(f"Correction annex — AC {a.ac_number} {a.ac_name}, round {a.round_no}")
    print(f"Revision {a.from_revision} → {a.to_revision}; opened by {a.opened_by} at {a.opened_at[:19]} UTC")
    print(f"Reason: {a.reason}")
    for c in a.changes:
        print(f"  table {c.table_no} PS {c.station} {c.field}: {_fmt(c.before)} → {_fmt(c.after)}")
    if a.invalidated:
        print("Approved again afterwards: rounds " + ", ".join(map(str, a.invalidated)))
    print(
        f"Approved by {a.approved_by} at {a.approved_at[:19]} UTC" if a.approved_by else "Not approved yet."
    )
    return 0


def _key_sheet(store, ac_id, round_no, purpose, actor) -> None:
    from encore_tui import services
    from encore_tui.services import ro

    sheet = ro.blind_sheet(store, ac_id, round_no, purpose, actor)
    todo = [p for p in sheet.prompts if p.rekeyed is None]
    print(f"Re-key {len(todo)} cell(s) from the paper sheet (Enter on an empty line stops).")
    for p in todo:
        text = read_line(f"table {p.table_no} PS {p.station} — {p.label}: ", eof_ok=True)
        if text is None or not text.strip():
            left = sum(1 for q in todo if q.rekeyed is None) - todo.index(p)
            print(f"Stopped; {left} cell(s) still to re-key (run the same command again).")
            break
        value = services.parse_cell_text(text, 10**7)
        ro.enter_blind(store, ac_id, round_no, purpose, p.station, p.field, value, actor)


def cmd_spot(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    if ro.review_round(store, ac_id, args.round).spot is None:  # not drawn yet: draw it now
        picks = ro.draw_spot_check(
            store, ac_id, args.round, actor, mode="totals" if args.totals else "cells", cells=args.cells
        )
        print(f"Spot check drawn: {len(picks)} cell(s).")
    _key_sheet(store, ac_id, args.round, "spot", actor)
    return _print_blind(store, ac_id, args.round, "spot", actor)


def _print_blind(store, ac_id, round_no, purpose, actor) -> int:
    from encore_tui.services import ro

    cells = ro.blind_result(store, ac_id, round_no, purpose, actor)
    keyed = sum(1 for c in cells if c.keyed)
    diffs = [c for c in cells if c.differs]
    print(f"{purpose}: {keyed}/{len(cells)} re-keyed, {len(diffs)} difference(s)")
    for c in diffs:
        print(
            f"  table {c.table_no} PS {c.station} {c.field}: entered {_fmt(c.entered)}, re-keyed {_fmt(c.rekeyed)}"
        )
    if diffs:
        print(
            f"Decide each: encore ro resolve {round_no} PS FIELD entered|rekeyed"
            + (" --double" if purpose == "double" else "")
        )
    return 0


def cmd_double(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    if args.keyer:
        ro.open_double_entry(store, ac_id, args.round, args.keyer, actor)
        print(f"Double entry of round {args.round} opened for {args.keyer}.")
        return 0
    if actor.role.value in ("operator", "aro"):
        _key_sheet(store, ac_id, args.round, "double", actor)
        print("Saved. The RO sees the comparison.")
        return 0
    return _print_blind(store, ac_id, args.round, "double", actor)


def cmd_resolve(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    purpose = "double" if args.double else "spot"
    saved = ro.resolve_blind(store, ac_id, args.round, purpose, args.station, args.field, args.take, actor)
    print(f"PS {args.station} {args.field}: {_fmt(saved.after)} ({args.take}) recorded.")
    return 0


def cmd_settings(args) -> int:
    from encore_tui.services import ro

    store, ac_id = store_and_ac(args)
    if args.spot_rounds is None:
        print(f"Blind spot check required for the first {ro.spot_check_rounds(store, ac_id)} round(s).")
        return 0
    actor, _pin = sign_in(args, store, ac_id)
    ro.set_spot_check_rounds(store, ac_id, args.spot_rounds, actor)
    print(f"Blind spot check now required for the first {args.spot_rounds} round(s).")
    return 0


def cmd_attach(args) -> int:
    from pathlib import Path

    from encore_tui.services import ro_result

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    info = ro_result.attach_scan_file(store, ac_id, args.purpose, Path(args.file), actor)
    print(f"{info.label} attached: {info.filename}, {info.size} bytes, sha256 {info.sha256}")
    return 0


def cmd_scans(args) -> int:
    from pathlib import Path

    from encore_tui.services import ro_result

    store, ac_id = store_and_ac(args)
    if args.export is not None:
        out = ro_result.export_attachment(store, ac_id, args.export, Path(args.output))
        print(f"Written to {out} (hash checked).")
        return 0
    items = ro_result.list_attachments(store, ac_id)
    if not items:
        print("No scan attached.")
    for a in items:
        print(f"{a.id:>3}  {a.label:28} {a.filename:30} {a.size:>9} B  {a.sha256[:16]}…  {a.by}")
    return 0


# -- vvpat ---------------------------------------------------------------------------------------
def cmd_vvpat_status(args) -> int:
    from encore_tui.services import ro_vvpat

    store, ac_id = store_and_ac(args)
    v = ro_vvpat.vvpat_view(store, ac_id)
    if v.draw:
        print(f"Drawn by lot: PS {', '.join(v.draw['stations'])} (drew: {v.draw['drawn_by']})")
    else:
        print("No draw recorded yet.")
    for a in v.applications:
        print(
            f"Rule 56D #{a['no']} {a['applicant']}: PS {a['station']} {'ALLOWED' if a['allowed'] else 'rejected'} — {a['reason']}"
        )
    for s in v.stations:
        diff = ", ".join(f"{d.field} EVM {d.evm} slips {d.slips}" for d in s.differences)
        print(f"  PS {s.station:8} ({s.why:8}) {s.status.label:16} {diff}")
    if v.kept_aside:
        state = f"round {v.vvpat_round}" if v.vvpat_round else "not opened: encore vvpat round"
        print(f"Kept aside (slips counted in the final VVPAT round, {state}): PS {', '.join(v.kept_aside)}")
    if v.done:
        print(f"VVPAT verification closed by {v.completed['by']} at {v.completed['at'][:19]} UTC.")
    else:
        _print_checks(v.checks)
    return 0


def cmd_vvpat_draw(args) -> int:
    from encore_tui.services import ro_vvpat

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    drawn = ro_vvpat.record_draw(store, ac_id, args.stations, args.drawn_by, args.witnesses or "", actor)
    print(f"Recorded: PS {', '.join(drawn)} drawn by lot.")
    return 0


def cmd_vvpat_56d(args) -> int:
    from encore_tui.services import ro_vvpat

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    n = ro_vvpat.decide_56d(store, ac_id, args.applicant, args.station, args.allow, args.reason, actor)
    print(f"Rule 56D application #{n} recorded: PS {args.station} {'allowed' if args.allow else 'rejected'}.")
    return 0


def cmd_vvpat_enter(args) -> int:
    from encore_tui.cli.common import CliError, field_values
    from encore_tui.services import ro_vvpat

    store, ac_id = store_and_ac(args)
    example = "each count as FIELD=NUMBER, e.g. c1=120 nota=3."
    slips = {}
    for (k, v), item in zip(field_values(args.counts, example, lower=True), args.counts, strict=True):
        if not v.strip().isdigit():
            raise CliError(f"'{item}': write {example}")
        slips[k] = int(v)
    actor, _pin = sign_in(args, store, ac_id)
    st = ro_vvpat.enter_slip_count(store, ac_id, args.station, slips, actor, recount=args.recount)
    print(f"PS {st.station}: {st.status.label}")
    for d in st.differences:
        print(f"  {d.field}: EVM {d.evm}, slips {d.slips} ({d.delta:+d})")
    return 0


def cmd_vvpat_amend(args) -> int:
    from encore_tui.services import ro_vvpat

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    ro_vvpat.amend_from_slips(store, ac_id, args.station, actor)
    print(
        f"PS {args.station} amended from its slip count; approve its round and the later ones again (encore ro queue)."
    )
    return 0


def cmd_vvpat_round(args) -> int:
    from encore_tui.services import ro_vvpat

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    r = ro_vvpat.open_vvpat_round(store, ac_id, actor)
    print(f"Round {r} (VVPAT slip counts of the kept-aside stations) is open for entry.")
    return 0


def cmd_vvpat_complete(args) -> int:
    from encore_tui.services import ro_vvpat

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    s = ro_vvpat.complete_vvpat(store, ac_id, actor)
    print(f"VVPAT verification closed ({len(s['stations'])} stations); queued for push.")
    return 0


# -- recount and declaration -------------------------------------------------------------------------
def cmd_recount(args) -> int:
    from encore_tui.services import ro_result

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    stations = None if args.full else [s.strip() for s in (args.stations or "").split(",") if s.strip()]
    rounds = ro_result.record_recount(store, ac_id, args.applicant, stations, args.allow, args.reason, actor)
    if rounds:
        print(f"Recount allowed: rounds {', '.join(map(str, rounds))} are open for correction.")
    else:
        print("Recount application recorded: " + ("allowed" if args.allow else "rejected") + ".")
    return 0


def cmd_amend_candidate(args) -> int:
    from encore_tui.services.amend import amend_candidate

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    fields = {"name": args.name, "name_hi": args.name_hi, "party": args.party, "party_hi": args.party_hi}
    amend_candidate(store, ac_id, args.serial, {k: v for k, v in fields.items() if v}, args.reason, actor)
    print(f"Candidate {args.serial} corrected; central is told (a setup amendment) if it holds the AC.")
    return 0


def cmd_declare_status(args) -> int:
    from encore_tui.services import ro_result

    store, ac_id = store_and_ac(args)
    st = ro_result.result_status(store, ac_id)
    from encore_tui.services import load_context

    s = load_context(store, ac_id).setup
    for c in s.candidates:
        print(f"{c.serial:>3}. {c.name:34} {c.party:8} {st.votes[c.serial - 1]:>9}")
    print(f"     {'NOTA':43} {st.form20.total_polled.nota:>9}")
    if st.tied:
        print("TIED: candidates " + ", ".join(map(str, st.tied)))
    if st.tie_lot:
        print(f"Lot drawn by {st.tie_lot.drawn_by}: it fell on candidate {st.tie_lot.drawn_serial}")
    if st.form20_signed:
        print(f"Form 20 signed by {st.form20_signed['name']} at {st.form20_signed['at'][:19]} UTC")
    if st.declaration:
        d = st.declaration
        print(
            f"DECLARED: {s.candidates[d.winner_serial - 1].name}, {d.winner_votes} votes, margin {d.margin}"
        )
    elif st.checks:
        print("Before the declaration:")
        _print_checks(st.checks)
    else:
        print("Ready: encore declare result")
    return 0


def cmd_declare_tie(args) -> int:
    from encore_tui.services import ro_result

    store, ac_id = store_and_ac(args)
    actor, _pin = sign_in(args, store, ac_id)
    lot = ro_result.record_tie_lot(store, ac_id, args.drawn, args.drawn_by, args.witnesses or "", actor)
    print(f"Lot recorded: it fell on candidate {lot.drawn_serial}.")
    return 0


def cmd_declare_sign(args) -> int:
    from encore_tui.services import ro_result

    store, ac_id = store_and_ac(args)
    actor, pin = sign_in(args, store, ac_id)
    rec = ro_result.sign_form20(store, ac_id, actor, pin)
    print(f"Form 20 signed (sha256 {rec['sha256'][:16]}…). No recount application can follow.")
    return 0


def cmd_declare_result(args) -> int:
    from encore_tui.services import load_context, ro_result

    store, ac_id = store_and_ac(args)
    actor, pin = sign_in(args, store, ac_id)
    d = ro_result.declare_result(store, ac_id, actor, pin, place=args.place or "")
    w = load_context(store, ac_id).setup.candidates[d.winner_serial - 1]
    print(
        f"Declared: {w.name} ({w.party}) elected with {d.winner_votes} votes, margin {d.margin}. Queued for push."
    )
    return 0


# -- parser ------------------------------------------------------------------------------------------
def register(sub) -> None:
    def add(parent, name, func, help, user=True):
        p = parent.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        if user:
            p.add_argument("--user", help="your account (default $ENCORE_USER); the PIN is asked")
        return p

    r = sub.add_parser("ro", help="the Returning Officer: review, approve, return, correct").add_subparsers(
        dest="what", required=True
    )
    add(r, "queue", cmd_queue, "rounds waiting for the RO, in order", user=False)
    p = add(r, "show", cmd_show, "a round for review: figures, totals, lead, checks, changes", user=False)
    p.add_argument("round", type=int)
    p = add(r, "approve", cmd_approve, "approve a round (PIN re-entered); queued for publication")
    p.add_argument("round", type=int)
    p = add(r, "return", cmd_return, "return a round to the operator with a remark")
    p.add_argument("round", type=int)
    p.add_argument("--remark", required=True)
    p = add(r, "correct", cmd_correct, "open an approved/published round for correction")
    p.add_argument("round", type=int)
    p.add_argument("--reason", required=True, help="printed on the correction annex")
    p = add(r, "enter", cmd_enter, "type figures of a table, e.g. in a correction: c2=118 total=640")
    p.add_argument("round", type=int)
    p.add_argument("station")
    p.add_argument("values", nargs="+")
    p = add(r, "annex", cmd_annex, "the correction annex of a round", user=False)
    p.add_argument("round", type=int)
    p.add_argument("--revision", type=int)
    p = add(r, "spot", cmd_spot, "draw (once) and re-key the blind spot check of a round")
    p.add_argument("round", type=int)
    p.add_argument("--cells", type=int, default=5)
    p.add_argument("--totals", action="store_true", help="re-key every table's total instead")
    p = add(r, "double", cmd_double, "double entry: --keyer opens it; the keyer keys; the RO compares")
    p.add_argument("round", type=int)
    p.add_argument("--keyer", help="(RO) the second operator who keys the round blind")
    p = add(r, "resolve", cmd_resolve, "decide a blind difference: keep the entered or take the re-keyed")
    p.add_argument("round", type=int)
    p.add_argument("station")
    p.add_argument("field")
    p.add_argument("take", choices=["entered", "rekeyed"])
    p.add_argument("--double", action="store_true", help="a double-entry difference (default: spot check)")
    p = add(r, "settings", cmd_settings, "show or set how many first rounds need a spot check")
    p.add_argument("--spot-rounds", type=int)
    p = add(r, "attach", cmd_attach, "attach a scan: Form 13A/13B (postal), the signed Form 20/21C/22")
    p.add_argument("purpose", choices=["form13a", "form13b", "form20", "form21c", "form22"])
    p.add_argument("file")
    p = add(r, "amend-candidate", cmd_amend_candidate, "correct a candidate's name or party (with a reason)")
    p.add_argument("serial", type=int)
    p.add_argument("--name")
    p.add_argument("--name-hi")
    p.add_argument("--party")
    p.add_argument("--party-hi")
    p.add_argument("--reason", required=True, help="shown on the results board")
    p = add(r, "scans", cmd_scans, "list the attached scans, or --export ID -o FILE to view one", user=False)
    p.add_argument("--export", type=int)
    p.add_argument("-o", "--output", default="scan.out")

    v = sub.add_parser("vvpat", help="VVPAT verification after the last EVM round").add_subparsers(
        dest="what", required=True
    )
    add(v, "status", cmd_vvpat_status, "the draw, 56D applications, slip counts and mismatches", user=False)
    p = add(v, "draw", cmd_vvpat_draw, "record the 5 stations drawn by lot")
    p.add_argument("stations", nargs="+")
    p.add_argument("--drawn-by", required=True)
    p.add_argument("--witnesses")
    p = add(v, "56d", cmd_vvpat_56d, "record a Rule 56D application and the decision")
    p.add_argument("station")
    p.add_argument("--applicant", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--allow", dest="allow", action="store_true")
    g.add_argument("--reject", dest="allow", action="store_false")
    p.add_argument("--reason", required=True)
    p = add(v, "enter", cmd_vvpat_enter, "enter a station's slip count: c1=N c2=N … nota=N")
    p.add_argument("station")
    p.add_argument("counts", nargs="+")
    p.add_argument("--recount", action="store_true")
    p = add(v, "amend", cmd_vvpat_amend, "the slip count prevails: amend the station through a correction")
    p.add_argument("station")
    add(v, "round", cmd_vvpat_round, "open the final round for the kept-aside stations' slip counts")
    add(v, "complete", cmd_vvpat_complete, "close VVPAT verification (queued for push)")

    p = add(sub, "recount", cmd_recount, "record a recount application (Rule 63) and the decision")
    p.add_argument("--applicant", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--stations", help="comma-separated polling stations")
    g.add_argument("--full", action="store_true")
    g2 = p.add_mutually_exclusive_group(required=True)
    g2.add_argument("--allow", dest="allow", action="store_true")
    g2.add_argument("--reject", dest="allow", action="store_false")
    p.add_argument("--reason", required=True)

    d = sub.add_parser("declare", help="Form 20 sign-off, tie lot, declaration").add_subparsers(
        dest="what", required=True
    )
    add(d, "status", cmd_declare_status, "final votes and what still blocks the declaration", user=False)
    p = add(d, "tie", cmd_declare_tie, "record the lot that decides a tie")
    p.add_argument("--drawn", type=int, required=True, help="serial of the candidate the lot fell on")
    p.add_argument("--drawn-by", required=True)
    p.add_argument("--witnesses")
    add(d, "sign-form20", cmd_declare_sign, "the RO signs Form 20 (no recount afterwards)")
    p = add(d, "result", cmd_declare_result, "declare the result (PIN re-entered); queued for push")
    p.add_argument("--place")
