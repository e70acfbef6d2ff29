"""The service layer: the one write path for the CLI, the screens and the tests."""

from encore_tui.services.context import SYSTEM, AcContext, Actor, load_context
from encore_tui.services.counting import (
    acknowledge_warning,
    change_plan,
    create_ac,
    enter_cell,
    import_results,
    keep_aside,
    parse_cell_text,
    restore_table,
    save_ui_state,
)
from encore_tui.services.decisions import (
    approve_round,
    open_correction,
    publish_round,
    return_round,
    submit_round,
)
from encore_tui.services.errors import (
    AuthError,
    IllegalTransition,
    InvalidValue,
    NotAllowed,
    RoundBlocked,
    ServiceError,
    StaleEdit,
    StoreError,
)
from encore_tui.services.queries import (
    dashboard,
    form20,
    list_acs,
    load_ui_state,
    outbox_counts,
    revisions,
    round_tallies,
    round_view,
)
from encore_tui.services.uow import Saved
from encore_tui.services.users import add_user, admin_actor, authenticate, list_users, seat_ac
from encore_tui.services.verify import verify_journal

__all__ = [
    "SYSTEM",
    "AcContext",
    "Actor",
    "AuthError",
    "IllegalTransition",
    "InvalidValue",
    "NotAllowed",
    "RoundBlocked",
    "Saved",
    "ServiceError",
    "StaleEdit",
    "StoreError",
    "acknowledge_warning",
    "add_user",
    "approve_round",
    "admin_actor",
    "authenticate",
    "change_plan",
    "create_ac",
    "dashboard",
    "enter_cell",
    "form20",
    "import_results",
    "keep_aside",
    "list_acs",
    "list_users",
    "load_context",
    "load_ui_state",
    "open_correction",
    "outbox_counts",
    "parse_cell_text",
    "publish_round",
    "restore_table",
    "return_round",
    "revisions",
    "round_tallies",
    "round_view",
    "save_ui_state",
    "seat_ac",
    "submit_round",
    "verify_journal",
]
