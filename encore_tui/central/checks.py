"""The receiver re-checks the arithmetic of what it is sent, with the pure domain functions.

A message that does not add up is refused (422) with the first few problems named; nothing
of it is stored. `previous` is the latest still-valid message of the round before (if central
holds it), so brought-forward figures are checked against what central already published.
"""

from __future__ import annotations

from encore_tui.domain.tally import Totals, lead
from encore_tui.wire import messages as wire


def _tally_len(name: str, t: wire.Tally, n: int, out: list[str]) -> bool:
    if len(t.candidates) != n:
        out.append(f"{name} has {len(t.candidates)} candidate figures for {n} candidates")
        return False
    return True


def _tables(tables: list[wire.TableResult], n: int, round_no: int, postal: bool, out: list[str]) -> bool:
    ok = True
    stations = [t.station for t in tables]
    dupes = sorted({s for s in stations if stations.count(s) > 1})
    if dupes:
        out.append("polling station(s) listed twice: " + ", ".join(dupes))
        ok = False
    if sorted(t.table for t in tables) != list(range(1, len(tables) + 1)):
        out.append("tables must be numbered 1..n without gaps")
        ok = False
    for t in tables:
        if t.kept_aside is not None:
            if postal:
                out.append(f"postal table {t.table} cannot be kept aside")
                ok = False
            continue
        if len(t.votes or []) != n:
            out.append(
                f"table {t.table} (PS {t.station}) has {len(t.votes or [])} figures for {n} candidates"
            )
            ok = False
            continue
        if t.rejected is not None and not postal:
            out.append(f"table {t.table} (PS {t.station}): rejected votes are counted at postal tables only")
            ok = False
        counted = sum(t.votes or []) + (t.nota or 0) + (t.rejected or 0)  # the entry's counted_sum
        if counted != t.total:
            what = "candidates + NOTA + rejected" if postal else "candidates + NOTA"
            out.append(f"table {t.table} (PS {t.station}): {what} = {counted}, not the total {t.total}")
            ok = False
    return ok


def _same(a: Totals, b: Totals) -> bool:
    return (a.votes, a.nota, a.rejected) == (b.votes, b.nota, b.rejected)


def check_round(msg: wire.RoundResult, previous: wire.RoundResult | None) -> list[str]:
    out: list[str] = []
    n = len(msg.contest.candidates)
    planned = msg.contest.rounds_planned
    if msg.round_kind == "vvpat":
        if msg.round != planned + 1:
            out.append(f"the VVPAT round of kept-aside stations is round {planned + 1}, not {msg.round}")
    elif msg.round > planned:
        out.append(f"round {msg.round} is beyond the {planned} rounds planned")
    tallies = [("this_round", msg.this_round), ("brought_forward", msg.brought_forward)]
    tallies += [("cumulative", msg.cumulative)] + ([("postal", msg.postal)] if msg.postal else [])
    lens = [_tally_len(name, t, n, out) for name, t in tallies]
    if not _tables(msg.tables, n, msg.round, False, out) or not all(lens):
        return out
    summed = wire.totals_of_tables(msg.tables, n, msg.round)
    if not _same(summed, msg.this_round.totals()):
        out.append(
            f"this_round {list(msg.this_round.candidates)} is not the sum of the tables {list(summed.votes)}"
        )
    if not _same(msg.brought_forward.totals() + msg.this_round.totals(), msg.cumulative.totals()):
        out.append("cumulative is not brought_forward + this_round")
    postal = msg.postal.totals() if msg.postal else Totals.zero(n)
    evm_before = msg.brought_forward.totals() - postal
    if min((*evm_before.votes, evm_before.nota, evm_before.rejected)) < 0:
        out.append("brought_forward is less than the postal result it includes")
    if msg.round == 1 and not _same(evm_before, Totals.zero(n)):
        out.append("round 1 brings forward more than the postal result")
    if previous is not None and len(previous.contest.candidates) == n:
        prev_postal = previous.postal.totals() if previous.postal else Totals.zero(n)
        if not _same(previous.cumulative.totals() - prev_postal, evm_before):
            out.append(
                f"brought_forward (less postal) differs from round {previous.round}'s cumulative "
                f"(revision {previous.revision}) held by central"
            )
    return out


def check_postal(msg: wire.PostalResult) -> list[str]:
    out: list[str] = []
    n = len(msg.contest.candidates)
    if not _tally_len("totals", msg.totals, n, out) or not _tables(msg.tables, n, 0, True, out):
        return out
    if not _same(wire.totals_of_tables(msg.tables, n, 0), msg.totals.totals()):
        out.append("the postal totals are not the sum of the postal tables")
    if msg.correction and not msg.correction_reason:
        out.append("a postal correction must say why (correction_reason)")
    return out


def check_vvpat(msg: wire.VvpatResult) -> list[str]:
    out: list[str] = []
    n = len(msg.contest.candidates)
    _tally_len("cumulative", msg.cumulative, n, out)
    for s in msg.stations:
        tables = [s.slips] + ([s.evm] if s.evm is not None and s.evm.kept_aside is None else [])
        tables += [s.first_count] if s.first_count is not None else []
        if s.recounted != (s.first_count is not None):
            out.append(f"PS {s.station}: a recounted station carries its first count (and only then)")
        for t in tables:
            if t.station != s.station:
                out.append(f"PS {s.station}: a table for PS {t.station} is listed under it")
        for t in tables:
            _tables([t.model_copy(update={"table": 1})], n, 0, False, out)
    stations = [s.station for s in msg.stations]
    if len(set(stations)) != len(stations):
        out.append("a polling station is listed twice")
    return out


def check_declaration(msg: wire.DeclarationResult) -> list[str]:
    out: list[str] = []
    n = len(msg.contest.candidates)
    if not _tally_len("final", msg.final, n, out):
        return out
    if msg.winner > n or (msg.runner_up is not None and msg.runner_up > n):
        return [*out, "winner or runner-up is not a candidate"]
    parts = [("evm", msg.evm), ("postal", msg.postal)]
    if (
        msg.evm is not None
        and msg.postal is not None
        and all(_tally_len(name, t, n, out) for name, t in parts if t is not None)
        and not _same(msg.evm.totals() + msg.postal.totals(), msg.final.totals())
    ):
        out.append("final is not evm + postal")
    ld = lead(msg.final.candidates)
    votes = msg.final.candidates
    if ld.is_tie:
        lot = msg.tie_lot
        if lot is None:
            out.append("the leading candidates are tied: the draw of lots (tie_lot) is required")
        elif sorted(lot.tied_serials) != sorted(ld.tied) or lot.drawn_serial != msg.winner:
            out.append("the draw of lots does not match the tied candidates or the winner")
        elif msg.margin != 1:
            out.append("after a draw of lots the margin is the one extra vote (1)")
        return out
    if msg.winner != ld.leader:
        out.append(f"candidate {msg.winner} is not the one with the most votes ({ld.leader})")
    if msg.runner_up is not None and msg.runner_up != ld.runner_up:
        out.append(f"candidate {msg.runner_up} is not the runner-up ({ld.runner_up})")
    if msg.margin != ld.margin:
        out.append(f"margin {msg.margin} is not {votes[(ld.leader or 1) - 1]} − runner-up = {ld.margin}")
    return out
