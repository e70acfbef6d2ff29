"""The round state machine and who may do what.

    draft ──submit──► submitted ──approve──► approved ──publish──► published
      ▲                 │  ▲                   │   ▲                 │
      └──── returned ◄──┘  └─────submit────────┼───┼─────────────────┘
                                               ▼   │approve
                  (earlier round corrected) needs_reapproval
    approved/published ──correct──► correction ──approve──► approved

Round 0 is the postal round; it follows the same machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class RoundStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"
    NEEDS_REAPPROVAL = "needs_reapproval"
    CORRECTION = "correction"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_approved(self) -> bool:
        return self in (RoundStatus.APPROVED, RoundStatus.PUBLISHED)


def provisional(round_no: int, statuses: Mapping[int, RoundStatus]) -> bool:
    """A tally after `round_no` is provisional while it or any round it brings forward (the
    postal round included) is not approved by the RO: trends and leads say so."""
    return any(not s.is_approved for r, s in statuses.items() if r <= round_no)


class Role(StrEnum):
    OPERATOR = "operator"
    ARO = "aro"
    RO = "ro"
    OBSERVER = "observer"
    ADMIN = "admin"
    TRAINER = "trainer"  # runs training sessions: reads answer keys and reports, never enters figures
    SYSTEM = "system"  # the push relay and other automatic actors; never a user's role


class Action(StrEnum):
    ENTER = "enter"  # type a cell, keep aside, acknowledge a warning
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    PUBLISH = "publish"
    CORRECT = "correct"  # open an approved/published round for correction
    INVALIDATE = "invalidate"  # system: an earlier round was corrected
    CHANGE_PLAN = "change_plan"
    VVPAT = "vvpat"
    DECLARE = "declare"
    MANAGE_USERS = "manage_users"
    IMPORT = "import"
    VIEW = "view"
    TRAIN = "train"  # create training sessions, seat trainees, read answer keys and reports


class IllegalTransition(ValueError):
    pass


class NotAllowed(PermissionError):
    pass


_TRANSITIONS: dict[tuple[RoundStatus, Action], RoundStatus] = {
    (RoundStatus.DRAFT, Action.SUBMIT): RoundStatus.SUBMITTED,
    (RoundStatus.RETURNED, Action.SUBMIT): RoundStatus.SUBMITTED,
    (RoundStatus.SUBMITTED, Action.RETURN): RoundStatus.RETURNED,
    (RoundStatus.SUBMITTED, Action.APPROVE): RoundStatus.APPROVED,
    (RoundStatus.APPROVED, Action.PUBLISH): RoundStatus.PUBLISHED,
    (RoundStatus.APPROVED, Action.CORRECT): RoundStatus.CORRECTION,
    (RoundStatus.PUBLISHED, Action.CORRECT): RoundStatus.CORRECTION,
    (RoundStatus.NEEDS_REAPPROVAL, Action.CORRECT): RoundStatus.CORRECTION,
    (RoundStatus.CORRECTION, Action.APPROVE): RoundStatus.APPROVED,
    (RoundStatus.APPROVED, Action.INVALIDATE): RoundStatus.NEEDS_REAPPROVAL,
    (RoundStatus.PUBLISHED, Action.INVALIDATE): RoundStatus.NEEDS_REAPPROVAL,
    (RoundStatus.NEEDS_REAPPROVAL, Action.APPROVE): RoundStatus.APPROVED,
}

# statuses in which figures may be changed, and by whom
EDITABLE_BY: dict[RoundStatus, frozenset[Role]] = {
    RoundStatus.DRAFT: frozenset({Role.OPERATOR, Role.ARO, Role.RO}),
    RoundStatus.RETURNED: frozenset({Role.OPERATOR, Role.ARO, Role.RO}),
    RoundStatus.CORRECTION: frozenset({Role.RO}),
}

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.ENTER: frozenset({Role.OPERATOR, Role.ARO, Role.RO}),
    Action.SUBMIT: frozenset({Role.OPERATOR, Role.ARO, Role.RO}),
    Action.RETURN: frozenset({Role.RO}),
    Action.APPROVE: frozenset({Role.RO}),
    Action.PUBLISH: frozenset({Role.RO, Role.SYSTEM}),  # the relay, on central's acknowledgement
    Action.CORRECT: frozenset({Role.RO}),
    Action.INVALIDATE: frozenset({Role.RO, Role.SYSTEM}),
    Action.CHANGE_PLAN: frozenset({Role.RO, Role.ADMIN}),
    Action.VVPAT: frozenset({Role.RO}),
    Action.DECLARE: frozenset({Role.RO}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.IMPORT: frozenset({Role.ADMIN}),
    Action.VIEW: frozenset(Role) - {Role.SYSTEM},
    Action.TRAIN: frozenset({Role.TRAINER, Role.ADMIN}),
}


def may(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def authorize(role: Role, action: Action) -> None:
    if not may(role, action):
        allowed = ", ".join(sorted(r.value for r in PERMISSIONS[action]))
        raise NotAllowed(f"a user with role '{role.value}' may not {action.value} (only: {allowed})")


def next_status(status: RoundStatus, action: Action) -> RoundStatus:
    try:
        return _TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(f"a {status.label} round cannot be {_past(action)}") from None


def can(status: RoundStatus, action: Action) -> bool:
    return (status, action) in _TRANSITIONS


def may_edit(status: RoundStatus, role: Role) -> bool:
    return role in EDITABLE_BY.get(status, frozenset())


def _past(action: Action) -> str:
    return {
        Action.SUBMIT: "submitted",
        Action.RETURN: "returned",
        Action.APPROVE: "approved",
        Action.PUBLISH: "published",
        Action.CORRECT: "opened for correction",
        Action.INVALIDATE: "marked for re-approval",
    }.get(action, action.value)
