"""Central's own model of each AC, built from the messages it accepted (pure: no I/O).

`check(model, msg)` says whether a new message fits what central already holds, and refuses it
with a registered code (central/codes.py) when it does not; `apply(model, msg, …)` returns the
model with the message in it. The receiver keeps the model, as JSON, in its store and updates
it in the same transaction that stores the message, so a refused message never changes what
the board shows, and the board is derived from the model alone (`results(model)`), never by
re-reading the AC's history.

The rules (issue 14):
- the contest (AC, election, candidates, parties) is fixed by the first message and changes only
  by a signed setup amendment (`setup` message); the number of rounds planned may change, never
  below the rounds already received;
- rounds arrive in order: round r waits (409) until round r-1 is held and current;
- a polling station is counted in one round only (the VVPAT round N+1 counts only stations
  kept aside earlier);
- the postal result folded into a round is the postal message central holds; brought forward
  (less postal) is the cumulative of the round before (less its postal);
- VVPAT results only after every planned round; the declaration only after those and VVPAT,
  with the totals central holds, and after the recounted figures of every recount ordered
  (`recount` message: Rule 63); nothing but the certificate after the declaration (a recount
  is decided before Form 20 is signed, so before the declaration).
"""

from __future__ import annotations

from datetime import UTC

from pydantic import BaseModel, Field

from encore_tui.central.codes import Refusal
from encore_tui.domain.tally import Totals
from encore_tui.wire import messages as wire

RECENT = 64  # messages listed with the AC's results (every revision of a round: /rounds/{r})


class RoundHeld(BaseModel):
    id: int
    revision: int
    round_kind: str
    counted: list[str]
    kept_aside: list[str]
    cumulative: wire.Tally
    postal: wire.Tally | None
    stale: bool = False  # an earlier round (or the postal result) was corrected after it


class PostalHeld(BaseModel):
    id: int
    revision: int
    totals: wire.Tally


class VvpatHeld(BaseModel):
    id: int
    cumulative: wire.Tally


class DeclarationHeld(BaseModel):
    id: int
    revision: int
    winner: int
    runner_up: int | None
    margin: int
    final: wire.Tally
    form: str
    declared_at: str
    by_lot: bool
    ro_name: str
    place: str
    certificate: bool


class RecountHeld(BaseModel):
    id: int
    no: int
    rounds: list[int]
    full: bool
    reason: str
    received_at: str


class Entry(BaseModel):
    id: int
    kind: str
    round: int | None
    revision: int
    received_at: str


class AcModel(BaseModel):
    contest: wire.Contest
    rounds: dict[int, RoundHeld] = Field(default_factory=dict)
    postal: PostalHeld | None = None
    vvpat: VvpatHeld | None = None
    declaration: DeclarationHeld | None = None
    plan_changes: list[tuple[int, int]] = Field(default_factory=list)  # (from, to)
    amendments: list[tuple[str, str]] = Field(
        default_factory=list
    )  # (received at, reason): signed setup changes
    recounts: list[RecountHeld] = Field(default_factory=list)  # Rule 63 recounts ordered
    received: list[Entry] = Field(default_factory=list)  # the newest RECENT messages only
    received_count: int = 0  # every message accepted: the model stays one size as history grows
    documents: dict[str, str] = Field(default_factory=dict)  # "20"/"21C"/"22" → newest signed scan's sha256
    updated_at: str = ""

    def current(self, r: int) -> bool:
        h = self.rounds.get(r)
        return h is not None and not h.stale

    def recounting(self) -> list[int]:
        """Rounds (0: postal) of an ordered recount whose recounted figures have not arrived:
        central holds no revision of them newer than the recount order."""
        out: set[int] = set()
        for rc in self.recounts:
            for r in rc.rounds:
                held = self.postal if r == 0 else self.rounds.get(r)
                if held is None or held.id < rc.id or (r > 0 and self.rounds[r].stale):
                    out.add(r)
        return sorted(out)

    def rounds_counted(self) -> int:
        n = 0
        while self.current(n + 1):
            n += 1
        return n

    def cumulative(self) -> wire.Tally | None:
        """What the board shows as the AC's totals now."""
        if self.declaration is not None:
            return self.declaration.final
        counted = self.rounds_counted()
        cum = self.rounds[counted].cumulative if counted else (self.postal.totals if self.postal else None)
        last_id = self.rounds[counted].id if counted else 0
        if self.vvpat is not None and counted >= self.contest.rounds_planned and self.vvpat.id > last_id:
            cum = self.vvpat.cumulative  # the totals after slip counts prevailed, when newer
        return cum


def _t(x: wire.Tally | None, n: int) -> Totals:
    return x.totals() if x is not None else Totals.zero(n)


def _same(a: Totals, b: Totals) -> bool:
    return (a.votes, a.nota, a.rejected) == (b.votes, b.nota, b.rejected)


def _fixed(c: wire.Contest) -> tuple:
    return (c.ac, c.ac_name, c.election, c.fictional, [(x.serial, x.name, x.party) for x in c.candidates])


def check(model: AcModel | None, msg: wire.Message) -> None:
    """Raise Refusal unless `msg` fits what central holds for its AC (`model`, None: nothing yet)."""
    m = model or AcModel(contest=msg.contest)
    if isinstance(msg, wire.SetupAmendment):
        if m.declaration is not None:
            raise Refusal(
                "after_declaration", f"AC {m.contest.ac} is declared: its setup cannot change any more"
            )
        held = bool(m.rounds or m.postal or m.vvpat)
        if held and len(msg.contest.candidates) != len(m.contest.candidates):
            raise Refusal(
                "setup_changed",
                "a setup amendment may correct names and parties, but not add or remove candidates once "
                "figures are held",
            )
    elif _fixed(msg.contest) != _fixed(m.contest):
        raise Refusal(
            "setup_changed",
            f"the AC, election, candidates or parties differ from what central holds for AC {m.contest.ac} "
            f"(since the first message): a genuine change is a signed setup amendment (docs/push.md)",
        )
    done = max((r for r, h in m.rounds.items() if h.round_kind == "evm"), default=0)
    if msg.contest.rounds_planned != m.contest.rounds_planned and msg.contest.rounds_planned < done:
        raise Refusal(
            "plan_below_rounds_done",
            f"{msg.contest.rounds_planned} rounds planned, but central holds round {done} already",
        )
    if isinstance(msg, wire.SetupAmendment):
        return
    if isinstance(msg, wire.SignedDocument):  # a signed scan on file: Form 21C/22 after the declaration
        if msg.form != "20" and m.declaration is None:
            raise Refusal(
                "not_declared", f"the signed Form {msg.form} comes after AC {m.contest.ac} is declared"
            )
        return
    if m.declaration is not None:
        if not isinstance(msg, wire.DeclarationResult):
            raise Refusal(
                "after_declaration",
                f"AC {m.contest.ac} is declared: a {msg.kind} message cannot change it any more",
            )
        d = m.declaration
        if (d.winner, d.runner_up, d.margin, d.final) != (msg.winner, msg.runner_up, msg.margin, msg.final):
            raise Refusal(
                "declared_differently",
                f"AC {m.contest.ac} was already declared with another result (revision {d.revision})",
            )
        return
    if isinstance(msg, wire.RoundResult):
        _check_round(m, msg)
    elif isinstance(msg, wire.PostalResult):
        held = m.postal
        if msg.correction and held is None:
            raise Refusal("postal_missing", "a postal correction before the postal result: it waits")
        if held is not None and msg.revision < held.revision:
            raise Refusal("old_revision", f"postal revision {msg.revision} is older than {held.revision}")
    elif isinstance(msg, wire.VvpatResult):
        _all_rounds(m, "rounds_missing", "the VVPAT results")
    elif isinstance(msg, wire.RecountOrder):
        missing = [r for r in msg.rounds if (m.postal if r == 0 else m.rounds.get(r)) is None]
        if missing:
            raise Refusal(
                "recount_round_missing",
                f"a recount of round(s) {', '.join(map(str, missing))}, which central does not hold: it waits",
            )
    else:
        _all_rounds(m, "declaration_too_early", "the declaration")
        if m.vvpat is None:
            raise Refusal("declaration_too_early", "the declaration came before the VVPAT results: it waits")
        if recounting := m.recounting():
            raise Refusal(
                "declaration_too_early",
                f"the recounted figures of round(s) {', '.join(map(str, recounting))} (Rule 63) have not "
                "arrived: the declaration waits for them",
            )
        cum = m.cumulative()
        n = len(m.contest.candidates)
        if not _same(_t(cum, n), msg.final.totals()):
            raise Refusal(
                "declaration_mismatch",
                f"the declared totals {list(msg.final.candidates)} are not the totals central holds "
                f"{list(cum.candidates) if cum else []}",
            )


def _all_rounds(m: AcModel, code: str, what: str) -> None:
    planned = m.contest.rounds_planned
    missing = [r for r in range(1, planned + 1) if not m.current(r)]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise Refusal(code, f"{what} came before round(s) {shown} of {planned}: it waits for them")


def _check_round(m: AcModel, msg: wire.RoundResult) -> None:
    r, n = msg.round, len(m.contest.candidates)
    held = m.rounds.get(r)
    if msg.round_kind == "vvpat":
        _all_rounds(m, "round_out_of_order", f"the VVPAT round {r}")
    elif r > 1 and not m.current(r - 1):
        why = "is being re-verified after a correction" if r - 1 in m.rounds else "has not been received"
        raise Refusal("round_out_of_order", f"round {r - 1} {why}: round {r} waits until it arrives")
    if msg.kind == "correction" and held is None:
        raise Refusal(
            "round_out_of_order", f"a correction of round {r}, which central does not hold: it waits"
        )
    if held is not None and msg.revision < held.revision:
        raise Refusal("old_revision", f"round {r} revision {msg.revision} is older than {held.revision}")
    if msg.postal is not None:
        if m.postal is None:
            raise Refusal(
                "postal_missing", f"round {r} includes a postal result central does not hold: it waits"
            )
        if not _same(msg.postal.totals(), m.postal.totals.totals()):
            raise Refusal(
                "postal_mismatch",
                f"round {r} folds in postal votes {list(msg.postal.candidates)} but the postal result "
                f"central holds (revision {m.postal.revision}) is {list(m.postal.totals.candidates)}",
            )
    if r > 1 and msg.round_kind == "evm":
        prev = m.rounds[r - 1]
        if not _same(
            msg.brought_forward.totals() - _t(msg.postal, n), prev.cumulative.totals() - _t(prev.postal, n)
        ):
            raise Refusal(
                "does_not_add_up",
                f"brought_forward (less postal) differs from round {r - 1}'s cumulative (revision "
                f"{prev.revision}) held by central",
            )
    counted = [t.station for t in msg.tables if t.kept_aside is None]
    listed = [t.station for t in msg.tables]
    others = {s: q for q, h in m.rounds.items() if q != r for s in h.counted}
    if msg.round_kind == "evm":
        others |= {
            s: q for q, h in m.rounds.items() if q != r and h.round_kind == "evm" for s in h.kept_aside
        }
        twice = [f"PS {s} (round {others[s]})" for s in listed if s in others]
        if twice:
            raise Refusal(
                "station_counted_twice",
                f"round {r} lists stations already in another round: " + ", ".join(twice[:10]),
            )
    else:
        aside = {s for h in m.rounds.values() if h.round_kind == "evm" for s in h.kept_aside}
        twice = [f"PS {s} (round {others[s]})" for s in counted if s in others]
        if twice:
            raise Refusal("station_counted_twice", "already counted: " + ", ".join(twice[:10]))
        odd = [s for s in counted if s not in aside]
        if odd:
            raise Refusal(
                "station_not_kept_aside",
                "the VVPAT round counts stations not kept aside: " + ", ".join(odd[:10]),
            )


def apply(model: AcModel | None, msg: wire.Message, msg_id: int, received_at: str) -> AcModel:
    """The model with `msg` (already checked) in it. `model` is not changed (a worker may keep
    it until the transaction commits): only what changes is copied."""
    m = model.model_copy() if model is not None else AcModel(contest=msg.contest)
    m.rounds = dict(m.rounds)
    if msg.contest.rounds_planned != m.contest.rounds_planned:
        m.plan_changes = [*m.plan_changes, (m.contest.rounds_planned, msg.contest.rounds_planned)]
        m.contest = msg.contest
    rnd: int | None = None
    if isinstance(msg, wire.RoundResult):
        rnd = msg.round
        if msg.kind == "correction":
            m.rounds = {
                q: h.model_copy(update={"stale": True}) if q > msg.round else h for q, h in m.rounds.items()
            }
        m.rounds[msg.round] = RoundHeld(
            id=msg_id,
            revision=msg.revision,
            round_kind=msg.round_kind,
            counted=[t.station for t in msg.tables if t.kept_aside is None],
            kept_aside=[t.station for t in msg.tables if t.kept_aside is not None],
            cumulative=msg.cumulative,
            postal=msg.postal,
        )
    elif isinstance(msg, wire.PostalResult):
        rnd = 0
        if msg.correction:
            m.rounds = {q: h.model_copy(update={"stale": True}) for q, h in m.rounds.items()}
        m.postal = PostalHeld(id=msg_id, revision=msg.revision, totals=msg.totals)
    elif isinstance(msg, wire.VvpatResult):
        m.vvpat = VvpatHeld(id=msg_id, cumulative=msg.cumulative)
    elif isinstance(msg, wire.SetupAmendment):
        m.contest = msg.contest
        m.amendments = [*m.amendments, (received_at, msg.reason)]
    elif isinstance(msg, wire.RecountOrder):
        held = RecountHeld(
            id=msg_id,
            no=msg.revision,
            rounds=sorted(set(msg.rounds)),
            full=msg.full,
            reason=msg.reason,
            received_at=received_at,
        )
        m.recounts = [*m.recounts, held]
    elif isinstance(msg, wire.SignedDocument):
        m.documents = {**m.documents, msg.form: msg.sha256}
    else:
        had_certificate = m.declaration is not None and m.declaration.certificate
        m.declaration = DeclarationHeld(
            id=msg_id,
            revision=msg.revision,
            winner=msg.winner,
            runner_up=msg.runner_up,
            margin=msg.margin,
            final=msg.final,
            form=msg.form,
            declared_at=msg.declared_at.astimezone(UTC).isoformat(),
            by_lot=msg.tie_lot is not None,
            ro_name=msg.ro_name,
            place=msg.place,
            certificate=had_certificate or msg.certificate is not None,
        )
    entry = Entry(id=msg_id, kind=msg.kind, round=rnd, revision=msg.revision, received_at=received_at)
    m.received = [*m.received[-(RECENT - 1) :], entry]
    m.received_count += 1
    m.updated_at = received_at
    return m
