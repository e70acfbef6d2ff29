"""The public results board (HTML), as the public reads it on a phone: one card per AC, numbers
in the Indian style (1,23,456), times in IST, long names wrap, "Round i of n", when it was last
updated, and provisional vs declared marked in words and colour. No script at all.

Each AC's card is rendered once, when a message for it is accepted (`card`), and kept in the
store; the page is the cards put together (`page`).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta, timezone

from encore_tui.central.results import AcResults, Standing

IST = timezone(timedelta(hours=5, minutes=30), "IST")


def indian(n: int) -> str:
    """1234567 → '12,34,567' (the last three digits, then groups of two)."""
    s = str(abs(n))
    if len(s) > 3:
        head, tail = s[:-3], s[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        groups.insert(0, head)
        s = ",".join([*groups, tail])
    return ("-" if n < 0 else "") + s


def ist(ts: str | datetime) -> str:
    """An ISO time (UTC) as '02 Dec 2026, 14:05 IST'."""
    t = datetime.fromisoformat(ts.replace("Z", "+00:00")) if isinstance(ts, str) else ts
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(IST).strftime("%d %b %Y, %H:%M IST")


def _who(s: Standing | None) -> str:
    if s is None:
        return "—"
    party = f' <span class="party">({html.escape(s.party)})</span>' if s.party else ""
    return f'<span class="name">{html.escape(s.name)}</span>{party}'


def _rounds(rounds: list[int]) -> str:
    """[0, 2, 3] → 'postal ballots, round(s) 2, 3'."""
    parts = ["postal ballots"] if 0 in rounds else []
    evm = [str(x) for x in rounds if x]
    if evm:
        parts.append("round(s) " + ", ".join(evm))
    return ", ".join(parts)


def card(r: AcResults) -> str:
    """One AC's card: rendered when a message is accepted, served as is."""
    if r.declared:
        badge = '<span class="badge declared">DECLARED</span>'
        status = f"{_who(r.declared.winner)} elected" + (" (by draw of lots)" if r.declared.by_lot else "")
        status += f" by {indian(r.declared.margin)} votes"
        status += " · certificate received" if r.declared.certificate else ""
    else:
        badge = '<span class="badge provisional">PROVISIONAL</span>'
        if r.status == "recount":
            status = "Recount (Rule 63) under way: " + _rounds(r.recounting)
        elif r.status == "awaiting_reapproval":
            status = "Counting · round(s) " + ", ".join(map(str, r.stale_rounds)) + " being re-verified"
        elif r.status == "postal_only":
            status = "Postal ballots counted"
        else:
            status = "Counting"
    if r.vvpat_round:
        rounds = f"All {r.rounds_planned} rounds + VVPAT round"
    else:
        rounds = f"Round {r.rounds_counted} of {r.rounds_planned}"
    if r.plan_changes:
        rounds += f" (plan changed from {r.plan_changes[0][0]} rounds)"
    tie = " (tied)" if r.tied else ""
    amended = "".join(
        f'<p class="amended">Setup amended {ist(a.at)}: {html.escape(a.reason)}</p>'
        for a in r.setup_amendments
    )
    amended += "".join(
        f'<p class="amended">Recount (Rule 63) ordered {ist(rc.at)}: {_rounds(rc.rounds)}'
        f" — {html.escape(rc.reason)} ({'recounted' if rc.done else 'under way'})</p>"
        for rc in r.recounts
    )
    lead_votes = indian(r.leading.votes) if r.leading else ""
    trail_votes = indian(r.trailing.votes) if r.trailing else ""
    fictional = " <em>(fictional)</em>" if r.fictional else ""
    signed = "".join(
        f'<p class="signed">Signed Form {html.escape(form)} on file (sha256 {sha[:12]}…)</p>'
        for form, sha in r.signed_documents.items()
    )
    updated = f"Updated {ist(r.updated_at)}" if r.updated_at else ""
    return f"""<section class="ac" id="ac{r.ac}">
<h2><span class="no">AC {r.ac}</span> {html.escape(r.ac_name)}{fictional} {badge}</h2>
<p class="election">{html.escape(r.election)}</p>
<dl>
<dt>Leading</dt><dd>{_who(r.leading)} <b class="n">{lead_votes}</b></dd>
<dt>Trailing</dt><dd>{_who(r.trailing)} <b class="n">{trail_votes}</b></dd>
<dt>Margin</dt><dd class="n">{indian(r.margin)}{tie}</dd>
<dt>Round</dt><dd>{rounds}</dd>
<dt>Status</dt><dd>{status}</dd>
</dl>
{amended}{signed}<p class="updated">{updated}</p>
</section>"""


STYLE = """*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;padding:.75rem;font-size:1rem;line-height:1.4;color:#111;background:#fafafa}
h1{font-size:1.3rem;margin:.2rem 0 .5rem}
.note{color:#333;margin:.2rem 0 .8rem}
.acs{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,22rem),1fr));gap:.75rem}
.ac{background:#fff;border:1px solid #bbb;border-radius:.4rem;padding:.6rem .8rem;min-width:0}
.ac h2{font-size:1.1rem;margin:0;overflow-wrap:anywhere}
.no{color:#444}
.election{margin:.1rem 0 .4rem;color:#444;font-size:.9rem;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem .6rem;margin:0}
dt{font-weight:600;color:#333}
dd{margin:0;overflow-wrap:anywhere;min-width:0}
.party{color:#555}
.n{font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;font-size:.75rem;padding:.05rem .4rem;border-radius:.3rem;vertical-align:middle}
.provisional{background:#fff3cd;color:#5c4400;border:1px solid #c9a227}
.declared{background:#d4edda;color:#0b4619;border:1px solid #2e7d32}
.updated{font-size:.85rem;color:#444;margin:.4rem 0 0}
.amended{font-size:.9rem;margin:.4rem 0 0;padding:.2rem .4rem;background:#fdecea;color:#611a15;overflow-wrap:anywhere}"""


def page(title: str, cards: list[str], refresh_seconds: int, now: datetime | None = None) -> str:
    stamp = ist(now or datetime.now(UTC))
    body = "\n".join(cards) or '<p class="note">No results received yet.</p>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{refresh_seconds}">
<title>{html.escape(title)} — results</title>
<style>{STYLE}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<p class="note">Results as approved by the Returning Officers. <b>PROVISIONAL</b> until the
result is <b>DECLARED</b>. This page refreshes every {refresh_seconds} s. Last updated {stamp}.</p>
<div class="acs">
{body}
</div></body></html>
"""
