"""Builders: domain objects (setup, table entries, totals, the declaration) turned into wire
messages, so that services write a complete payload inside the approval transaction. Pure
(pydantic + domain only), like `messages`; only the counting side uses them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from encore_tui.domain.declaration import Declaration
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.setup import NOTA, REJECTED, TOTAL, Setup
from encore_tui.domain.tally import Totals
from encore_tui.wire.messages import (
    Approval,
    CandidateRef,
    Certificate,
    Contest,
    DeclarationResult,
    PostalResult,
    RoundResult,
    Rule56D,
    TableResult,
    Tally,
    TieLotWire,
    VvpatResult,
    VvpatStation,
)


def contest_of(setup: Setup, rounds_planned: int) -> Contest:
    return Contest(
        ac=setup.ac.number,
        ac_name=setup.ac.name,
        election=setup.election.name,
        candidates=[CandidateRef(serial=c.serial, name=c.name, party=c.party) for c in setup.candidates],
        rounds_planned=rounds_planned,
        fictional=setup.fictional,
    )


def table_result(e: TableEntry, n: int) -> TableResult:
    if e.kept_aside is not None:
        return TableResult(
            table=e.table_no, station=e.station, kept_aside=e.kept_aside, note=e.kept_aside_note
        )
    return TableResult(
        table=e.table_no,
        station=e.station,
        votes=list(e.votes(n)),
        nota=e.values.get(NOTA, 0),
        rejected=e.values.get(REJECTED),
        total=e.values.get(TOTAL, 0),
    )


def round_result(
    setup: Setup,
    rounds_planned: int,
    round_no: int,
    revision: int,
    entries: Sequence[TableEntry],
    this_round: Totals,
    brought_forward: Totals,
    postal: Totals | None,
    approval: Approval,
    figures_digest: str,
    journal_hash: str,
    correction_reason: str = "",
    round_kind: Literal["evm", "vvpat"] = "evm",
    journal_seq: int | None = None,
) -> RoundResult:
    n = len(setup.candidates)
    return RoundResult(
        kind="correction" if correction_reason else "round",
        round_kind=round_kind,
        contest=contest_of(setup, rounds_planned),
        round=round_no,
        revision=revision,
        correction_reason=correction_reason,
        tables=[table_result(e, n) for e in entries],
        this_round=Tally.of(this_round),
        postal=Tally.of(postal) if postal is not None else None,
        brought_forward=Tally.of(brought_forward),
        cumulative=Tally.of(brought_forward + this_round),
        approval=approval,
        figures_digest=figures_digest,
        journal_hash=journal_hash,
        journal_seq=journal_seq,
    )


def postal_result(
    setup: Setup,
    rounds_planned: int,
    revision: int,
    entries: Sequence[TableEntry],
    totals: Totals,
    approval: Approval,
    figures_digest: str,
    journal_hash: str,
    correction_reason: str = "",
    journal_seq: int | None = None,
) -> PostalResult:
    n = len(setup.candidates)
    return PostalResult(
        contest=contest_of(setup, rounds_planned),
        revision=revision,
        correction=bool(correction_reason),
        correction_reason=correction_reason,
        tables=[table_result(e, n) for e in entries],
        totals=Tally.of(totals),
        approval=approval,
        figures_digest=figures_digest,
        journal_hash=journal_hash,
        journal_seq=journal_seq,
    )


def vvpat_result(
    setup: Setup,
    rounds_planned: int,
    draw: dict | None,
    drawn_at: datetime | None,
    applications: Sequence[dict],
    stations: Sequence[VvpatStation],
    cumulative: Totals,
    approval: Approval,
    journal_hash: str,
    journal_seq: int | None = None,
) -> VvpatResult:
    """The VVPAT message (services/ro_vvpat.complete_vvpat builds the stations)."""
    return VvpatResult(
        contest=contest_of(setup, rounds_planned),
        drawn_at=drawn_at,
        drawn_by=(draw or {}).get("drawn_by", ""),
        witnesses=(draw or {}).get("witnesses", ""),
        applications=[Rule56D.model_validate(a) for a in applications],
        stations=list(stations),
        cumulative=Tally.of(cumulative),
        approval=approval,
        journal_hash=journal_hash,
        journal_seq=journal_seq,
    )


def slip_table(station: str, values: dict[str, int], n: int, table: int = 1) -> TableResult:
    """A slip count (c1..cN, nota) as a table; its total is the sum (slips have no CU total)."""
    votes = [int(values.get(f"c{i}", 0)) for i in range(1, n + 1)]
    nota = int(values.get(NOTA, 0))
    return TableResult(table=table, station=station, votes=votes, nota=nota, total=sum(votes) + nota)


def declaration_result(
    setup: Setup,
    rounds_planned: int,
    decl: Declaration,
    final: Totals,
    certificate: Certificate | None,
    journal_hash: str,
    *,
    revision: int = 1,
    evm: Totals | None = None,
    postal: Totals | None = None,
    tendered: int | None = None,
    declared_by: str = "",
    form20_sha256: str | None = None,
    form20_signed_at: datetime | None = None,
    journal_seq: int | None = None,
) -> DeclarationResult:
    """The declaration message from the domain's Declaration (services/ro_result: when the RO
    declares, revision 1 without a certificate; with each signed Form 22 scan, the next)."""
    lot = decl.tie_lot
    return DeclarationResult(
        contest=contest_of(setup, rounds_planned),
        revision=revision,
        form="21D" if setup.election.kind.value == "bye" else "21C",
        winner=decl.winner_serial,
        runner_up=decl.runner_up_serial,
        margin=decl.margin,
        final=Tally.of(final),
        evm=Tally.of(evm) if evm is not None else None,
        postal=Tally.of(postal) if postal is not None else None,
        electors=setup.ac.electors,
        tendered=tendered,
        tie_lot=TieLotWire(
            tied_serials=list(lot.tied_serials),
            drawn_serial=lot.drawn_serial,
            drawn_by=lot.drawn_by,
            witnesses=lot.witnesses,
            at=lot.at,
        )
        if lot
        else None,
        declared_at=decl.declared_at,
        declared_by=declared_by,
        ro_name=decl.ro_name,
        place=decl.place,
        form20_sha256=form20_sha256,
        form20_signed_at=form20_signed_at,
        certificate=certificate,
        journal_hash=journal_hash,
        journal_seq=journal_seq,
    )
