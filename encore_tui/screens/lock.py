"""The idle screen lock: covers every screen after the idle minutes (app.check_idle_lock).

Only the signed-in user's PIN opens it (`users.confirm_pin`: wrong PINs count towards the same
lock-out as at sign-in); anybody else can only sign out, which ends the session. Figures saved
before the lock stay saved; the screens underneath are kept as they were.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from encore_tui.base.i18n import t
from encore_tui.screens.base import SessionScreen
from encore_tui.screens.common import user_errors
from encore_tui.widgets.footer import FittingFooter


class LockScreen(SessionScreen):
    BINDINGS = [
        Binding("f9", "sign_out", "Sign out", id="lock.sign_out", tooltip="Sign out (ends the session)"),
    ]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        actor = self.actor
        yield Static("encore-tui · " + t("Locked"), classes="title-bar")
        with Vertical(id="signin"):
            yield Static(
                t("The screen is locked after {n} idle minute(s).", n=self.app.settings.idle_lock_minutes)
                + "\n"
                + t(
                    "Signed in: {who} ({user}, {role}).",
                    who=actor.label,
                    user=actor.username,
                    role=t(actor.role.value),
                ),
            )
            yield Label(t("PIN of {user}", user=actor.username))
            yield Input(id="pin", password=True, placeholder=t("PIN"), compact=True)
            yield Static(t("Somebody else: F9 signs out (the session ends; saved figures stay saved)."))
            yield Static("", id="lock-error", classes="error")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _unlock(self, event: Input.Submitted) -> None:
        from encore_tui.services import users

        pin = event.value
        event.input.value = ""
        if not pin:
            self.query_one("#lock-error", Static).update(t("Type your PIN, then Enter."))
            return
        try:
            users.confirm_pin(self.store, self.actor, pin, self.ac_id)
        except user_errors() as exc:
            self.query_one("#lock-error", Static).update(str(exc))
            return
        self.app.unlock()

    def action_sign_out(self) -> None:
        self.app.sign_out()
