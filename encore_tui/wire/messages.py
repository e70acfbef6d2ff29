"""The wire format: what a counting centre pushes and what central accepts (version 1).

Shared by the client (`encore_tui.push`) and the reference receiver (`encore_tui.central`);
docs/openapi.json is generated from the receiver, whose request bodies are these models.
Every message carries the contest header (AC, election, candidates, rounds planned) so that a
receiver needs no other set-up than the centre's public key.

Message kinds (the outbox row's `kind` is the message's `kind`):
    round        an EVM round approved by the RO (first approval, or re-approval after an
                 earlier round was corrected)
    correction   an EVM round approved again after the RO opened it for correction
    postal       the postal-ballot result (round 0); `correction` says whether it corrects
    vvpat        the VVPAT slip counts (draw of lots, Rule 56D, kept-aside stations)
    declaration  the declaration of the result with the signed certificate scan attached
    setup        a signed amendment of the contest (names, parties)
    document     a signed Form 20 / 21C / 22 scan on file (its sha256, not the image)
Adding a kind: see docs/push.md ("Adding a message kind").

This module is pure (pydantic + domain only); `wire/build.py` turns domain objects into
messages, so services can write a complete payload in the approval transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from encore_tui.domain.entries import KeptAsideReason, TableEntry
from encore_tui.domain.setup import NOTA, REJECTED, TOTAL
from encore_tui.domain.tally import Totals

WIRE_VERSION = 1

Count = Annotated[int, Field(ge=0, le=10_000_000)]
Serial = Annotated[int, Field(ge=1, le=200)]
Short = Annotated[str, Field(max_length=200)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CandidateRef(_Model):
    serial: Serial
    name: Short
    party: Short = ""


class Contest(_Model):
    """Who is being counted: enough for a results board without any other set-up."""

    ac: Annotated[int, Field(ge=1, le=9999)]
    ac_name: Short
    election: Short
    candidates: list[CandidateRef] = Field(min_length=1, max_length=200)
    rounds_planned: Annotated[int, Field(ge=0, le=500)]
    fictional: bool = False

    @model_validator(mode="after")
    def _serials_in_order(self) -> Contest:
        if [c.serial for c in self.candidates] != list(range(1, len(self.candidates) + 1)):
            raise ValueError("candidates must be listed in ballot order with serials 1..n")
        return self


class Tally(_Model):
    """Votes per candidate (ballot order), NOTA, rejected (postal) and their totals."""

    candidates: list[Count] = Field(max_length=200)
    nota: Count = 0
    rejected: Count = 0
    total_valid: Count = 0  # candidates only (Form 20 'Total Valid Votes')
    total: Count = 0

    @model_validator(mode="after")
    def _adds_up(self) -> Tally:
        if self.total_valid != sum(self.candidates):
            raise ValueError(f"total_valid {self.total_valid} is not the sum of the candidates' votes")
        if self.total != self.total_valid + self.nota + self.rejected:
            raise ValueError(f"total {self.total} is not total_valid + nota + rejected")
        return self

    @classmethod
    def of(cls, t: Totals) -> Tally:
        return cls(**t.to_json())

    def totals(self) -> Totals:
        return Totals(tuple(self.candidates), self.nota, self.rejected)


class TableResult(_Model):
    """One counting table of a round (Form 17C Part II): figures, or kept aside with a reason."""

    table: Annotated[int, Field(ge=1, le=500)]
    station: Annotated[str, Field(min_length=1, max_length=40)]  # "7", "7 A(W)"; "P1".. for postal
    votes: list[Count] | None = Field(default=None, max_length=200)  # per candidate, ballot order
    nota: Count | None = None
    rejected: Count | None = None  # postal tables only
    total: Count | None = None  # as read from the CU / counted at the postal table
    kept_aside: KeptAsideReason | None = None
    note: Annotated[str, Field(max_length=500)] = ""

    @model_validator(mode="after")
    def _figures_or_reason(self) -> TableResult:
        # plain comparisons, not generators: central validates every table of every push
        if self.kept_aside is not None:
            if not (
                self.votes is None and self.nota is None and self.total is None and self.rejected is None
            ):
                raise ValueError(f"table {self.table} is kept aside and cannot carry figures")
        elif self.votes is None or self.nota is None or self.total is None:
            raise ValueError(f"table {self.table}: votes, nota and total are required (or kept_aside)")
        return self

    def entry(self, round_no: int) -> TableEntry:
        values: dict[str, int] = {}
        if self.votes is not None:
            values = {f"c{i}": v for i, v in enumerate(self.votes, start=1)}
            values[NOTA] = self.nota or 0
            if self.rejected is not None:
                values[REJECTED] = self.rejected
            values[TOTAL] = self.total or 0
        return TableEntry(round_no, self.table, self.station, values, self.kept_aside, self.note)


class Approval(_Model):
    by: Short  # the RO's user name
    name: Short = ""  # as printed on the sheets
    at: datetime


class Message(_Model):
    wire_version: Literal[1] = WIRE_VERSION
    contest: Contest
    # the centre's chain head when the message was made: seq of the event whose hash is
    # journal_hash. Central's receipt echoes both: an anchor of the centre's journal outside it
    journal_seq: Annotated[int, Field(ge=1)] | None = None


class RoundResult(Message):
    """An EVM round as approved by the RO: every table, this round, brought forward, cumulative."""

    kind: Literal["round", "correction"] = "round"
    # "vvpat": the final round N+1 (round = rounds_planned + 1) whose tables are the stations
    # kept aside, counted from their VVPAT slips; "evm": a round of the counting plan
    round_kind: Literal["evm", "vvpat"] = "evm"
    round: Annotated[int, Field(ge=1, le=501)]
    revision: Annotated[int, Field(ge=1, le=10_000)]
    correction_reason: Annotated[str, Field(max_length=2000)] = ""
    tables: list[TableResult] = Field(min_length=1, max_length=500)
    this_round: Tally
    postal: Tally | None = None  # the approved postal result folded into brought_forward
    brought_forward: Tally
    cumulative: Tally
    approval: Approval
    figures_digest: Sha256  # sha256 of the figures snapshot printed on the round sheet
    journal_hash: Sha256  # hash of the round.approved event in the centre's journal

    @model_validator(mode="after")
    def _kind_matches(self) -> RoundResult:
        if self.kind == "correction" and not self.correction_reason:
            raise ValueError("a correction must say why (correction_reason)")
        return self


class PostalResult(Message):
    """The postal-ballot result (round 0), counted at the postal tables."""

    kind: Literal["postal"] = "postal"
    revision: Annotated[int, Field(ge=1, le=10_000)]
    correction: bool = False
    correction_reason: Annotated[str, Field(max_length=2000)] = ""
    tables: list[TableResult] = Field(min_length=1, max_length=50)
    totals: Tally
    approval: Approval
    figures_digest: Sha256
    journal_hash: Sha256


class VvpatStation(_Model):
    """One polling station whose VVPAT slips were counted."""

    station: Annotated[str, Field(min_length=1, max_length=40)]
    why: Literal["draw_of_lots", "kept_aside", "rule_56d"]
    evm: TableResult | None = None  # the EVM count compared with (None for kept-aside stations)
    slips: TableResult  # the final slip count (the recount if there was one; it prevails)
    first_count: TableResult | None = None  # the first slip count, when the slips were recounted
    recounted: bool = False
    matches: bool
    amended: bool = False  # the slip count prevailed: the station's round was corrected to it

    @model_validator(mode="after")
    def _consistent(self) -> VvpatStation:
        if self.slips.kept_aside is not None:
            raise ValueError(f"PS {self.station}: the slip count cannot be kept aside")
        if self.evm is not None and self.evm.votes is not None:
            same = (self.evm.votes, self.evm.nota) == (self.slips.votes, self.slips.nota)
            if same != self.matches:
                raise ValueError(f"PS {self.station}: 'matches' contradicts the EVM and slip figures")
        return self


class Rule56D(_Model):
    """A written application for slip counting at a station, decided by the RO with reasons."""

    no: Annotated[int, Field(ge=1, le=10_000)]
    applicant: Short
    station: Annotated[str, Field(min_length=1, max_length=40)]
    allowed: bool
    reason: Annotated[str, Field(max_length=2000)] = ""


class VvpatResult(Message):
    """VVPAT verification: the 5 stations drawn by lot (and any others), slip counts, outcome."""

    kind: Literal["vvpat"] = "vvpat"
    revision: Annotated[int, Field(ge=1, le=10_000)] = 1
    drawn_at: datetime | None = None
    drawn_by: Short = ""
    witnesses: Annotated[str, Field(max_length=2000)] = ""
    applications: list[Rule56D] = Field(default_factory=list, max_length=600)
    stations: list[VvpatStation] = Field(min_length=1, max_length=600)
    cumulative: Tally  # the AC's totals after slip counts prevailed
    approval: Approval
    journal_hash: Sha256


class Certificate(_Model):
    """The signed certificate (Form 22) or declaration scan, attached in base64."""

    filename: Annotated[str, Field(min_length=1, max_length=200)]
    media_type: Literal["application/pdf", "image/jpeg", "image/png"]
    sha256: Sha256
    data_b64: Annotated[str, Field(min_length=4, max_length=14_000_000)]  # ≤ ~10 MB scan

    @model_validator(mode="after")
    def _digest_matches(self) -> Certificate:
        try:
            raw = base64.b64decode(self.data_b64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("data_b64 is not base64") from None
        if hashlib.sha256(raw).hexdigest() != self.sha256:
            raise ValueError("the certificate scan does not match its sha256")
        return self

    @classmethod
    def of(cls, filename: str, media_type: str, data: bytes) -> Certificate:
        return cls(
            filename=filename,
            media_type=media_type,  # type: ignore[arg-type]
            sha256=hashlib.sha256(data).hexdigest(),
            data_b64=base64.b64encode(data).decode(),
        )


class TieLotWire(_Model):
    tied_serials: list[Serial] = Field(min_length=2, max_length=200)
    drawn_serial: Serial
    drawn_by: Short
    witnesses: Annotated[str, Field(max_length=2000)] = ""
    at: datetime


class DeclarationResult(Message):
    """The declaration (Form 21C, or 21D at a bye-election). Sent when the RO declares
    (revision 1, `certificate` null) and again with the signed certificate (Form 22) scan
    attached (revision 2, 3… — one per scan attached; the result itself never changes)."""

    kind: Literal["declaration"] = "declaration"
    revision: Annotated[int, Field(ge=1, le=10_000)] = 1
    form: Literal["21C", "21D"] = "21C"
    winner: Serial
    runner_up: Serial | None = None
    margin: Count
    final: Tally  # Form 21E totals: EVM + postal, after VVPAT
    evm: Tally | None = None  # Form 20: votes on the EVMs (kept-aside stations by their slips)
    postal: Tally | None = None  # Form 20: postal ballots (rejected counted here)
    electors: Count | None = None
    tendered: Count | None = None
    tie_lot: TieLotWire | None = None
    declared_at: datetime
    declared_by: Short = ""  # the RO's user name
    ro_name: Short
    place: Short = ""
    form20_sha256: Sha256 | None = None  # the Form 20 the RO signed (sha256 of its CSV)
    form20_signed_at: datetime | None = None
    certificate: Certificate | None = None  # the signed Form 22 scan (revision 2 onwards)
    journal_hash: Sha256  # the result.declared event (revision 1) / attachment.added event


class SetupAmendment(Message):
    """An explicit change of the contest (names, parties, AC or election name, fictional flag),
    signed like every message: central applies it from this message on and marks it on the
    board. Without one, central refuses any message whose contest differs from what it holds."""

    kind: Literal["setup"] = "setup"
    revision: Annotated[int, Field(ge=1, le=10_000)] = 1
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    approval: Approval
    journal_hash: Sha256


class RecountOrder(Message):
    """A recount (Rule 63) the RO allowed, before Form 20 is signed: the rounds counted again
    (0: the postal ballots, in a full recount) and why. Central shows the AC as "recount" until a
    newer revision of each of those rounds has arrived; a declaration waits for them."""

    kind: Literal["recount"] = "recount"
    revision: Annotated[int, Field(ge=1, le=10_000)]  # the application's number at the centre
    applicant: Short
    full: bool = False
    stations: list[Short] | None = Field(default=None, max_length=1000)  # None: a full recount
    rounds: list[Annotated[int, Field(ge=0, le=501)]] = Field(min_length=1, max_length=502)
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    approval: Approval
    journal_hash: Sha256


class SignedDocument(Message):
    """A signed document's scan now on file at the counting centre: the signed Form 20, 21C or
    22, by its sha256, size and who attached it (not the image: Form 22's image travels in the
    declaration). Central shows that it is on file; revision n is the n-th scan of that form."""

    kind: Literal["document"] = "document"
    revision: Annotated[int, Field(ge=1, le=10_000)] = 1
    form: Literal["20", "21C", "22"]
    filename: Annotated[str, Field(min_length=1, max_length=200)]
    media_type: Short
    size: Annotated[int, Field(ge=1, le=100_000_000)]
    sha256: Sha256
    attached_at: datetime
    attached_by: Short  # the RO's user name
    journal_hash: Sha256  # the attachment.added event


Message = (
    RoundResult
    | PostalResult
    | VvpatResult
    | DeclarationResult
    | SetupAmendment
    | RecountOrder
    | SignedDocument
)

# kind → model: the one table the relay, the receiver and the docs agree on
MODELS: dict[str, type[Message]] = {
    "round": RoundResult,
    "correction": RoundResult,
    "postal": PostalResult,
    "vvpat": VvpatResult,
    "declaration": DeclarationResult,
    "setup": SetupAmendment,
    "recount": RecountOrder,
    "document": SignedDocument,
}

# kind → where the relay POSTs it ({ac} is the AC number)
PATHS: dict[str, str] = {
    "round": "/v1/acs/{ac}/rounds",
    "correction": "/v1/acs/{ac}/corrections",
    "postal": "/v1/acs/{ac}/postal",
    "vvpat": "/v1/acs/{ac}/vvpat",
    "declaration": "/v1/acs/{ac}/declaration",
    "setup": "/v1/acs/{ac}/setup",
    "recount": "/v1/acs/{ac}/recount",
    "document": "/v1/acs/{ac}/documents",
}


def parse(kind: str, body: bytes | str) -> Message:
    try:
        model = MODELS[kind]
    except KeyError:
        raise ValueError(f"unknown message kind {kind!r}") from None
    msg = model.model_validate_json(body)
    if getattr(msg, "kind", None) != kind:
        raise ValueError(f"the body is a {getattr(msg, 'kind', '?')!r} message, not {kind!r}")
    return msg


# -- receipts -------------------------------------------------------------------------------------
class Receipt(_Model):
    """What central signs when it has durably stored a message (the centre keeps it)."""

    receipt_version: Literal[1] = 1
    idempotency_key: Short
    body_sha256: Sha256
    kind: Short
    ac: int
    round: int | None = None
    revision: int | None = None
    received_at: datetime
    server_key_id: Short
    # the message's journal_seq / journal_hash, echoed: what the centre's chain held, signed
    journal_seq: int | None = None
    journal_hash: Sha256 | None = None


class SignedReceipt(_Model):
    receipt: Receipt
    signature: str  # base64 Ed25519 over canonical_receipt(receipt)


class Refusal(_Model):
    """Every 4xx answer: a stable code and a sentence saying what is wrong."""

    error: str
    reason: str


def canonical_receipt(r: Receipt) -> bytes:
    return r.model_dump_json(by_alias=True).encode()


# -- keys and sums both sides use ------------------------------------------------------------
def round_key(kind: str, ac: int, round_no: int | None, revision: int, journal_seq: int) -> str:
    """Idempotency key made when the outbox row is created: unique per approval (a re-approval
    after an earlier correction is a new message with new cumulative totals)."""
    r = f"-r{round_no}" if round_no is not None else ""
    return f"ac{ac}-{kind}{r}-v{revision}-e{journal_seq}"


def totals_of_tables(tables: Sequence[TableResult], n: int, round_no: int) -> Totals:
    """Σ of the tables' figures (a kept-aside table counts nothing): what `entry_totals` of each
    table's entry would sum to, without making the entries (central runs this on every push)."""
    votes, nota, rejected = [0] * n, 0, 0
    for t in tables:
        if t.kept_aside is not None or t.votes is None:
            continue
        for i, v in enumerate(t.votes[:n]):
            votes[i] += v
        nota += t.nota or 0
        rejected += t.rejected or 0
    return Totals(tuple(votes), nota, rejected)
