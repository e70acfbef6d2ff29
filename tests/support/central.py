"""The central receiver in tests: a registered centre posting real or built messages, and what
the public sees of an AC (its JSON and its card on the board)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx

from encore_tui.domain.entries import TableEntry
from encore_tui.domain.tally import Totals, entry_totals, lead, sum_totals
from encore_tui.wire import build as wire_build
from encore_tui.wire import messages as wire
from encore_tui.wire import signing
from tests.support.receiver import CentralServer


class World:
    """One receiver, a registered centre key for AC 7, and real approved messages of AC 7."""

    def __init__(self, central: CentralServer, key, messages: list[tuple[str, str, str]]) -> None:
        self.central, self.key, self.messages = central, key, messages
        self.url = central.url

    def post(
        self, kind, body: bytes, idem: str, *, key=None, ac: int = 7, ts: str | None = None, headers=None
    ):
        path = wire.PATHS[kind].format(ac=ac)
        h = signing.sign_request(key or self.key, "POST", path, body, idem, ts)
        h.update(headers or {})
        return httpx.post(self.url + path, content=body, headers=h, timeout=10)

    def message(self, i: int) -> tuple[str, bytes, str]:
        kind, payload, idem = self.messages[i]
        return kind, payload.encode(), idem

    def accepted_before(self, i: int) -> None:
        """Messages 0..i-1 held by central (each again if it was: the same answer), so that a
        test of message i does not depend on which tests of the module ran before it (central
        takes rounds in order: round 3 waits for round 2)."""
        for j in range(i):
            r = self.post(*self.message(j))
            assert r.status_code == 200, (j, r.status_code, r.text)


def central_db(request, tmp: Path) -> str:
    """The receiver's store for a backend-parametrised fixture: a SQLite file, or the session's
    PostgreSQL database emptied of central's tables."""
    if request.param == "sqlite":
        return str(tmp / "central.db")
    from encore_tui.central import store as cs

    db = request.getfixturevalue("pg_database")
    st = cs.open_central(db)
    cs.metadata.drop_all(st.engine)
    st.engine.dispose()
    return db


def payload(store, row_id: int) -> str:
    from sqlalchemy import select

    from encore_tui.store.models import outbox

    with store.read() as conn:
        return conn.execute(select(outbox.c.payload).where(outbox.c.id == row_id)).scalar_one()


def refusal(resp: httpx.Response) -> str:
    return wire.Refusal.model_validate_json(resp.content).error


N, TABLES, ROUNDS = 12, 14, 29
OTHER = 31  # an AC nobody attacks: its board and JSON must stay 200 throughout


def contest(ac: int, **change) -> wire.Contest:
    base = dict(
        ac=ac,
        ac_name=f"GUMMIDIPOONDI {ac}",
        election="Tamil Nadu Legislative Assembly 2021",
        candidates=[
            wire.CandidateRef(serial=i, name=f"CANDIDATE {i}", party=f"P{i}") for i in range(1, N + 1)
        ],
        rounds_planned=ROUNDS,
    )
    return wire.Contest(**(base | change))


def tally(t: Totals) -> wire.Tally:
    return wire.Tally.of(t)


def build(ac: int, seed: int = 1) -> tuple[wire.PostalResult, list[wire.RoundResult]]:
    """A postal result and ROUNDS rounds of 14 tables for AC `ac`, all adding up."""
    rng = random.Random(seed)
    c = contest(ac)
    approval = wire.Approval(by="ro_login", name="Returning Officer", at=datetime.now(UTC))
    p_entries = []
    for t in range(1, 3):
        votes = [rng.randint(0, 40) for _ in range(N)]
        nota, rej = rng.randint(0, 3), rng.randint(0, 3)
        vals = {f"c{i}": v for i, v in enumerate(votes, 1)} | {"nota": nota, "rejected": rej}
        p_entries.append(TableEntry(0, t, f"P{t}", vals | {"total": sum(votes) + nota + rej}))
    ptot = sum_totals((entry_totals(e, N) for e in p_entries), N)
    postal = wire.PostalResult(
        contest=c,
        revision=1,
        tables=[wire_build.table_result(e, N) for e in p_entries],
        totals=tally(ptot),
        approval=approval,
        figures_digest="0" * 64,
        journal_hash="0" * 64,
    )
    rounds, brought = [], ptot
    for r in range(1, ROUNDS + 1):
        entries = []
        for t in range(1, TABLES + 1):
            votes = [rng.randint(0, 300) for _ in range(N)]
            nota = rng.randint(0, 10)
            vals = {f"c{i}": v for i, v in enumerate(votes, 1)} | {"nota": nota, "total": sum(votes) + nota}
            entries.append(TableEntry(r, t, str((r - 1) * TABLES + t), vals))
        this = sum_totals((entry_totals(e, N) for e in entries), N)
        rounds.append(
            wire.RoundResult(
                contest=c,
                round=r,
                revision=1,
                tables=[wire_build.table_result(e, N) for e in entries],
                this_round=tally(this),
                postal=tally(ptot),
                brought_forward=tally(brought),
                cumulative=tally(brought + this),
                approval=approval,
                figures_digest="0" * 64,
                journal_hash="0" * 64,
            )
        )
        brought = brought + this
    return postal, rounds


class Board:
    def __init__(self, central: CentralServer, key) -> None:
        self.central, self.key, self.url, self.n = central, key, central.url, 0

    def post(self, msg: wire.Message) -> httpx.Response:
        self.n += 1
        body = msg.model_dump_json().encode()
        path = wire.PATHS[msg.kind].format(ac=msg.contest.ac)
        h = signing.sign_request(self.key, "POST", path, body, f"t{self.n}-{msg.kind}")
        return httpx.post(self.url + path, content=body, headers=h, timeout=30)

    def accept(self, *msgs: wire.Message) -> None:
        for m in msgs:
            r = self.post(m)
            assert r.status_code == 200, r.text

    def shown(self, ac: int) -> tuple[str, str]:
        """What the public sees of an AC: its JSON and its card on the board."""
        j = httpx.get(f"{self.url}/v1/acs/{ac}")
        b = httpx.get(f"{self.url}/board")
        assert j.status_code in (200, 404) and b.status_code == 200, (j.text, b.text)
        card = re.search(rf'<section class="ac" id="ac{ac}">.*?</section>', b.text, re.S)
        return j.text, card.group(0) if card else ""

    def refused(self, msg: wire.Message, status: int, code: str) -> httpx.Response:
        ac = msg.contest.ac
        before, other = self.shown(ac), self.shown(OTHER)
        r = self.post(msg)
        assert r.status_code == status and r.json()["error"] == code, (r.status_code, r.text)
        assert self.shown(ac) == before, "a refused message changed what the board shows"
        assert self.shown(OTHER) == other and other[0].startswith("{")
        for path in ("/v1/acs", f"/v1/acs/{OTHER}", "/board", f"/v1/acs/{OTHER}/rounds/1"):
            assert httpx.get(self.url + path).status_code == 200, path
        return r


def declaration(rounds, c: wire.Contest, final: wire.Tally) -> wire.DeclarationResult:
    ld = lead(final.candidates)
    return wire.DeclarationResult(
        contest=c,
        winner=ld.leader,
        runner_up=ld.runner_up,
        margin=ld.margin,
        final=final,
        declared_at=datetime.now(UTC),
        declared_by="ro_login",
        ro_name="Returning Officer",
        journal_hash="0" * 64,
    )
