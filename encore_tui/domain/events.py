"""Every journaled event, declared once with an id and what it means (vxsuite style).

A service appends exactly one of these per change, in the same transaction as the change.
`ledger.replay` re-derives the counting state from them; `encore journal verify` compares.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKind:
    id: str
    description: str
    changes_state: bool = True


_KINDS = [
    EventKind("setup.created", "the AC, its candidates, stations and counting plan were set up"),
    EventKind("plan.changed", "the number of counting tables for rounds not yet started changed"),
    EventKind("setup.amended", "a candidate's name or party was corrected after setup, with a reason"),
    EventKind("cell.entered", "a figure was typed (or cleared) in a table of a round"),
    EventKind("table.imported", "a table's figures were imported from a file (rehearsal)"),
    EventKind("table.kept_aside", "a table was kept aside (not counted) with a reason"),
    EventKind("table.restored", "a kept-aside table was brought back for entry"),
    # Form 17C Part I (services/form17c.py): the record travels in effects.records
    EventKind(
        "form17c.imported", "stations' Form 17C Part I were recorded from a file (or Form 20, rehearsal)"
    ),
    EventKind("form17c.entered", "a field of a station's Form 17C Part I was keyed from the paper copy"),
    EventKind("form17c.double_opened", "the RO assigned a second, blind keying of Form 17C Part I"),
    EventKind("table.cu_confirmed", "the serial of the CU brought to a table was confirmed"),
    EventKind("warning.acknowledged", "a warning was checked against the paper and acknowledged"),
    EventKind("anomaly.acknowledged", "the RO acknowledged an anomaly warning with a remark"),
    EventKind("round.submitted", "the operator handed a round to the RO"),
    EventKind("round.returned", "the RO returned a round to the operator with a remark"),
    EventKind("round.approved", "the RO approved a round"),
    EventKind("round.published", "an approved round was published (acknowledged by central)"),
    EventKind(
        "round.correction_opened",
        "the RO opened an approved round for correction; later approved rounds need re-approval",
    ),
    # RO verification (services/ro*.py); each carries its effects, see domain/ledger.py
    EventKind("ro.setting_changed", "the RO changed a verification setting of the AC"),
    EventKind("blind.opened", "a blind spot check was drawn, or double entry was opened, for a round"),
    EventKind("blind.entered", "a figure was re-keyed blind (spot check or second keying)"),
    EventKind("blind.resolved", "the RO decided a difference between entered and re-keyed figures"),
    EventKind("attachment.added", "a scanned form (13A/13B, signed Form 22) was attached"),
    EventKind("vvpat.drawn", "the RO recorded the polling stations drawn by lot for VVPAT slip count"),
    EventKind("vvpat.application", "the RO decided a Rule 56D application for VVPAT slip counting"),
    EventKind("vvpat.counted", "the VVPAT slip count (or recount) of a station was entered"),
    EventKind("vvpat.amended", "the slip count prevailed: the station's result was amended (correction)"),
    EventKind("vvpat.round_opened", "the final round for kept-aside stations' VVPAT slip counts was opened"),
    EventKind("vvpat.completed", "the RO closed VVPAT verification"),
    EventKind("recount.decided", "the RO allowed or rejected a recount application (Rule 63)"),
    EventKind("result.tie_lot", "a tie was decided by lot (Section 65 RP Act)"),
    EventKind(
        "result.postal_reverified", "the RO recorded the re-verification of every rejected postal ballot"
    ),
    EventKind(
        "result.kept_aside_slips", "the RO decided that kept-aside stations' VVPAT slips are counted (margin)"
    ),
    EventKind("form20.signed", "the RO signed Form 20; no recount application can follow"),
    EventKind("result.declared", "the RO declared the result"),
    EventKind("outbox.queued", "a message for central was queued: the sha256 of the exact bytes to send"),
    # accounts (store chain): each carries the account's resulting state under effects.accounts
    EventKind("user.added", "an account was created"),
    EventKind("user.signed_in", "a user signed in"),
    EventKind("user.sign_in_failed", "a sign-in failed (wrong name or PIN); the account may be locked"),
    # training (services/training.py; store chain): not counting state, never replayed into it
    EventKind("training.created", "a trainer created a training session (the key's sha256)", False),
    EventKind("training.seated", "a trainee was seated: their account bound to their copy of the AC", False),
    EventKind("user.pin_confirmed", "a user re-entered the right PIN for a decision (failed tries reset)"),
]

EVENT_KINDS: dict[str, EventKind] = {k.id: k for k in _KINDS}


def register(kind: EventKind) -> EventKind:
    """Declare a new event kind (used by feature modules that add their own)."""
    if kind.id in EVENT_KINDS and EVENT_KINDS[kind.id] != kind:
        raise ValueError(f"event kind {kind.id} declared twice")
    EVENT_KINDS[kind.id] = kind
    return kind


def require(kind: str) -> EventKind:
    try:
        return EVENT_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown event kind {kind!r}: declare it in domain/events.py") from None
