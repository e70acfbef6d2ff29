"""`encore verify sheet PAYLOAD`: does a printed sheet match the store, and if not, which cell
differs. No fpdf here."""

from __future__ import annotations

from dataclasses import dataclass, field

from encore_tui import services
from encore_tui.domain.setup import Setup
from encore_tui.domain.tally import lead
from encore_tui.printing import chain as ch
from encore_tui.printing import data as dd
from encore_tui.printing import payload as pl
from encore_tui.services import list_acs
from encore_tui.store.models import journal as journal_t
from encore_tui.wire.keys import KeyError_, load_private_key, public_key_b64


@dataclass
class SheetReport:
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def good(self, text: str) -> None:
        self.lines.append(f"OK    {text}")

    def bad(self, text: str) -> None:
        self.ok = False
        self.lines.append(f"DIFF  {text}")

    def note(self, text: str) -> None:
        self.lines.append(f"      {text}")

    def __str__(self) -> str:
        verdict = "The sheet MATCHES the store." if self.ok else "The sheet does NOT match the store."
        return "\n".join([*self.lines, verdict])


def _field_name(setup: Setup, f: str) -> str:
    if f.startswith("c") and f[1:].isdigit():
        c = setup.candidates[int(f[1:]) - 1]
        return f"candidate {c.serial} {c.name} ({c.party})"
    return {"nota": "NOTA", "rejected": "rejected", "total": "total"}.get(f, f)


def diff_tables(setup: Setup, sheet: list[dict], store: list[dict], round_no: int) -> list[str]:
    """Cell by cell: 'round 2, table 3 (PS 15), candidate 2 SUNITA DEVI (LSM): sheet 47, store 48'."""
    out = []
    by_no = {t["table"]: t for t in store}
    for t in sheet:
        s = by_no.get(t["table"], {"values": {}, "kept_aside": None, "station": t["station"]})
        where = f"round {round_no}, table {t['table']} (PS {t['station']})"
        if t.get("kept_aside") != s.get("kept_aside"):
            out.append(
                f"{where}: kept aside on the sheet: {t.get('kept_aside') or 'no'}; in the store: {s.get('kept_aside') or 'no'}"
            )
        fields = sorted(set(t["values"]) | set(s["values"]), key=lambda f: (not f.startswith("c"), len(f), f))
        for f in fields:
            a, b = t["values"].get(f), s["values"].get(f)
            if a != b:
                out.append(
                    f"{where}, {_field_name(setup, f)}: sheet {'blank' if a is None else a}, store {'blank' if b is None else b}"
                )
    return out


def _find_snapshot(state: ch.RoundState, digest: str) -> dict | None:
    for s in reversed(state.snapshots):
        if s["digest"].startswith(digest):
            return s
    return None


def _find_table(state: ch.RoundState, index: int, tdigest: str) -> dict | None:
    for s in reversed(state.snapshots):
        tables = s["figures"]["tables"]
        if index < len(tables) and ch.table_digest(tables[index]) == tdigest:
            return tables[index]
    return None


def _check_signature(p: dict, rep: SheetReport) -> None:
    if "s" not in p:
        rep.note("The sheet carries no signature (no centre key existed when it was printed).")
        return
    try:
        key = load_private_key()
    except KeyError_ as exc:
        rep.note(f"Signature not checked: {exc}")
        return
    if key is None:
        rep.note(
            "The sheet is signed, but this PC has no centre key to check it with (`encore keys init` on the centre PC)."
        )
    elif pl.check_signature(p, public_key_b64(key)):
        rep.good("signature: made with this counting centre's key")
    else:
        rep.bad("signature: NOT made with this centre's key over this text (altered, or another centre)")


def verify_sheet(store, text: str) -> SheetReport:
    p = pl.decode(text)
    rep = SheetReport()
    _check_signature(p, rep)
    acs_list = [a for a in list_acs(store) if a.number == p["ac"]]
    if not acs_list:
        rep.bad(f"AC {p['ac']} is not in this store.")
        return rep
    acs = dd.ac_state(store, acs_list[0].ac_id)
    kind = pl.KINDS[p["k"]]
    rep.note(f"{kind}, AC {p['ac']} {acs.setup.ac.name}, printed {p.get('at', '?')}, page {p.get('pg', '?')}")
    if p["k"] in ("rs", "pb", "ca"):
        _verify_round(p, acs, rep)
    else:
        _verify_form(p, acs, store, acs_list[0].ac_id, rep)
    _verify_anchor(p, store, acs_list[0].ac_id, rep)
    return rep


def _verify_anchor(p: dict, store, ac_id: int, rep: SheetReport) -> None:
    """The journal's chain head printed on the sheet must still be in the store's chain."""
    if "js" not in p:
        return
    from sqlalchemy import select

    with store.read() as conn:
        h = conn.execute(
            select(journal_t.c.hash).where(journal_t.c.ac_id == ac_id, journal_t.c.seq == int(p["js"]))
        ).scalar()
    jh = str(p.get("jh") or "")
    if h is not None and len(jh) >= 32 and h.startswith(jh):
        rep.good(f"journal: event #{p['js']} printed on the sheet is in the store's chain, same hash")
    else:
        what = "is missing" if h is None else "has another hash"
        rep.bad(
            f"journal: event #{p['js']} printed on the sheet {what} in the store: "
            "the journal was cut or rewritten since it was printed"
        )


def _verify_round(p: dict, acs: dd.AcState, rep: SheetReport) -> None:
    r = p.get("r")
    st = acs.states.get(r)
    if st is None:
        rep.bad(f"There is no round {r} in the store.")
        return
    setup = acs.setup
    if p["k"] == "ca":
        for label, dg in (("older revision", p.get("o", "")), ("newer revision", p["d"])):
            if dg == st.digest or _find_snapshot(st, dg):
                rep.good(f"{label}: its figures are stored for round {r}")
            else:
                rep.bad(f"{label}: no stored revision of round {r} has these figures")
        return
    if p["d"] == st.digest and p.get("rev") == st.revision:
        rep.good(
            f"figures: round {r} revision {st.revision} ({ch.STAGE_NAMES[st.stage]}) as stored, digest {st.digest[:16]}…"
        )
    else:
        snap = _find_snapshot(st, p["d"])
        if snap is not None:
            rep.bad(
                f"figures: the sheet shows revision {snap['revision']} ({snap['stage']}) of round {r}; "
                f"the store now holds revision {st.revision} ({ch.STAGE_NAMES[st.stage]}). Changed since:"
            )
            for line in diff_tables(setup, snap["figures"]["tables"], st.tables, r):
                rep.note(line)
        else:
            rep.bad(f"figures: no stored revision of round {r} has the sheet's figures")
            sheet_t = p.get("t") or []
            for i, td in enumerate(sheet_t):
                if i < len(st.tables) and td == ch.table_digest(st.tables[i]):
                    continue
                old = _find_table(st, i, td)
                station = st.tables[i]["station"] if i < len(st.tables) else "?"
                if old is not None:
                    for line in diff_tables(setup, [old], st.tables, r):
                        rep.note(line)
                else:
                    rep.note(
                        f"round {r}, table {i + 1} (PS {station}): its figures differ from the store "
                        "(printed before they were submitted; compare the sheet with the entry screen)"
                    )
    if p.get("p") != acs.prev_of(r)[: len(p.get("p", ""))] or not p.get("p"):
        _explain_chain(p, acs, r, rep)
    else:
        rep.good("chain: the previous round's sheet digest matches the store")


def _explain_chain(p: dict, acs: dd.AcState, r: int, rep: SheetReport) -> None:
    then = ch.states_at(acs.states, p.get("at", ""))
    prev_then = (
        ch.genesis(acs.setup.ac.number, acs.setup_json)
        if r == 0
        else ch.chain(acs.setup.ac.number, acs.setup_json, {k: v for k, v in then.items() if k < r})[r - 1]
    )
    changed = [k for k in sorted(then) if k < r and then[k].digest != acs.states[k].digest]
    if p.get("p") and prev_then.startswith(p["p"]) and changed:
        rep.bad("chain: earlier rounds changed after this sheet was printed:")
        for k in changed:
            rep.note(f"round {k}: revision {then[k].revision} → {acs.states[k].revision}")
            for line in diff_tables(acs.setup, then[k].tables, acs.states[k].tables, k):
                rep.note(line)
    else:
        rep.bad("chain: the previous sheet digest matches no state of the store's earlier rounds")


def _verify_form(p: dict, acs: dd.AcState, store, ac_id: int, rep: SheetReport) -> None:
    now = acs.round_digests
    sheet = p.get("t") or []
    if len(sheet) != len(now):
        rep.bad(f"rounds: the sheet covers {len(sheet) - 1} EVM rounds, the store has {len(now) - 1}")
    for r, (a, b) in enumerate(zip(sheet, now, strict=False)):
        if a == b:
            continue
        st = acs.states[r]
        snap = _find_snapshot(st, a)
        rep.bad(f"round {r}: its figures changed since the sheet was printed")
        if snap is not None:
            for line in diff_tables(acs.setup, snap["figures"]["tables"], st.tables, r):
                rep.note(line)
        else:
            rep.note("(the sheet was printed from figures never submitted; no stored revision to compare)")
    _, f20 = services.form20(store, ac_id)
    if p["d"] == dd.form20_digest(f20):
        rep.good("figures: every polling station's and the postal votes are as stored")
    elif rep.ok:
        rep.bad("figures: the document's digest differs from the store's")
    if p.get("p") and acs.chain[acs.last_round].startswith(p["p"]):
        rep.good("chain: the sheet chain head matches the store")
    elif rep.ok:
        rep.bad("chain: the sheet chain head differs from the store's")
    if p.get("w"):
        ld = lead(f20.total_polled.votes)
        if ld.leader != p["w"]:
            rep.bad(f"winner: the sheet names candidate {p['w']}, the store's figures lead with {ld.leader}")
    if p.get("dr"):
        rep.note("This was printed as a DRAFT before the declaration.")
