"""Sign-in: choose the AC (when the store holds several), then user name and PIN.

The screen is up before the store is open: the app opens it in a thread (SQLAlchemy, pydantic
and the store take longer to load than Textual) and calls `store_ready`. What the user types
meanwhile is kept (`app.typeahead`) and replayed, in order, once the screen knows its fields:
to the AC list when the store holds several ACs (a training store does), so an Enter typed
before the list appeared chooses the AC instead of landing in the user-name field; else to the
user name. A PIN submitted while the store is opened again after a failure signs in as soon as
it is."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from encore_tui.base.i18n import t
from encore_tui.screens.common import localize_bindings, user_errors
from encore_tui.widgets.footer import FittingFooter
from encore_tui.widgets.textual_compat import KeyFirst, run_own_binding


def _held(widget, event: events.Key) -> bool:
    """Keep the key for later while the store is being opened (SignInScreen.hold)."""
    hold = getattr(widget.screen, "hold", None)
    return bool(hold and hold(event))


class HeldInput(KeyFirst, Input):
    """The PIN field: keys typed while the store is opened are kept for later, in order."""

    async def key_first(self, event: events.Key) -> bool:
        return _held(self, event)


class Handoff(KeyFirst):
    """Enter hands the keyboard to the field `next_id` at once.

    Keys that arrive in one burst (typed ahead over a slow SSH link) are forwarded to the
    widget's queue before its Enter is handled; those that reach it after its Enter belong to
    the next field, so they are passed on instead of being used here.
    """

    def __init__(self, *args, next_id: str, **kw) -> None:
        super().__init__(*args, **kw)
        self.next_id = next_id
        self.handed_off = False

    def on_focus(self) -> None:
        self.handed_off = False

    def choose(self) -> bool:
        """Enter: what this field takes before handing off (False: Enter does nothing yet)."""
        return True

    async def own_key(self, event: events.Key) -> bool:
        return False

    async def key_first(self, event: events.Key) -> bool:
        if _held(self, event):
            return True
        target = self.screen.query_one(f"#{self.next_id}", Input)
        if self.handed_off:
            event.stop()
            event.prevent_default()
            target.post_message(events.Key(event.key, event.character))
            return True
        if event.key == "enter" and self.choose():
            event.stop()
            event.prevent_default()
            self.handed_off = True
            target.focus()
            return True
        return await self.own_key(event)


class AcList(Handoff, OptionList):
    """The AC list. Its keys (↑↓, Home, End, PgUp/PgDn) run in its own queue, so a Down typed
    just before an Enter moves first; Enter chooses the AC and hands the keys that follow in the
    same burst to the user-name field."""

    def choose(self) -> bool:
        if self.highlighted is None:
            return False
        self.screen.ac_id = int(self.get_option_at_index(self.highlighted).id)
        return True

    async def own_key(self, event: events.Key) -> bool:
        return await run_own_binding(self, event)


class HandoffInput(Handoff, Input):
    """The user-name field: Enter hands the keyboard to the PIN field at once."""


class SignInScreen(Screen):
    def __init__(
        self,
        acs: list | None,
        demo_accounts: list[tuple[str, str, str, str]] | None = None,
        has_users: bool = True,
        preselect: int = 0,
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.preselect = preselect  # an AC number (--ac or `ac` in the config file)
        self.acs = acs
        self.has_users = has_users
        self.demo_accounts = demo_accounts
        self.ac_id: int | None = None
        self.pending = False  # the PIN was submitted before the store was open
        self.open_failed = False  # the store could not be opened: Enter tries again
        self.holding = acs is None  # keys are kept (app.typeahead) until the fields are known

    def compose(self) -> ComposeResult:
        yield Static("encore-tui · " + t("Sign in"), classes="title-bar")
        with Vertical(id="signin"):
            with Vertical(id="ac-box"):
                yield Static(t("Opening the store…"), id="ac-name")
            yield Label(t("User name"))
            yield HandoffInput(id="username", placeholder=t("e.g. operator"), compact=True, next_id="pin")
            yield Label(t("PIN"))
            yield HeldInput(id="pin", password=True, placeholder=t("PIN"), compact=True)
            yield Static("", id="signin-hint")
            yield Static("", id="signin-error", classes="error")
            if self.demo_accounts:
                lines = [t("Demo accounts") + ":"]
                lines += [f"  {u:<10} PIN {p}   {r}" for u, r, p, _ in self.demo_accounts]
                yield Static("\n".join(lines), id="demo-accounts")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()
        if self.acs is not None:
            self.store_ready(self.acs, self.has_users)

    def hold(self, event: events.Key) -> bool:
        """While the store is being opened the screen does not know yet whether the AC list
        comes first: keep the key (replayed by `_replay`)."""
        if not self.holding:
            return False
        event.stop()
        event.prevent_default()
        self.app.typeahead.append(event)
        return True

    def _replay(self) -> None:
        """The keys typed while the store was opened, in the order typed, to the field that has
        the keyboard now (each field hands on what follows its Enter)."""
        self.holding = False
        early = sorted(self.app.typeahead, key=lambda k: k.time)
        self.app.typeahead.clear()
        target = self.focused
        if target is None or not self.is_current:
            return
        for key in early:
            target.post_message(events.Key(key.key, key.character))

    def store_failed(self, message: str) -> None:
        """The store could not be opened: say why (the message says what to do) and let Enter
        try again. Keys typed meanwhile were for a sign-in that cannot happen: dropped."""
        self.open_failed, self.pending = True, False
        self.holding = False
        self.app.typeahead.clear()
        self.query_one("#ac-name", Static).update(t("The store could not be opened."))
        self.query_one("#signin-error", Static).update(message + "\n" + t("Press Enter to try again."))

    def store_ready(self, acs: list, has_users: bool) -> None:
        """The store is open: show the AC (or the list to choose from) and any account warning."""
        self.acs, self.has_users = acs, has_users
        self.open_failed = False
        self.query_one("#signin-error", Static).update("")
        self.ac_id = acs[0].ac_id
        box = self.query_one("#ac-box", Vertical)
        name = self.query_one("#ac-name", Static)
        if len(acs) > 1:
            name.update(t("Constituency"))
            options = [Option(f"AC {a.number} {a.name}", id=str(a.ac_id)) for a in acs]
            ol = AcList(*options, id="ac", next_id="username")
            box.mount(ol)
            chosen = [i for i, a in enumerate(acs) if a.number == self.preselect]
            ol.highlighted = chosen[0] if chosen else 0
            if chosen:
                self.ac_id = acs[chosen[0]].ac_id
            elif self.preselect:
                self.query_one("#signin-error", Static).update(
                    t(
                        "AC {ac} is not in this store: choose the constituency from the list.",
                        ac=self.preselect,
                    )
                )
            if not chosen and not self.query_one("#username", Input).value:
                ol.focus()
        else:
            name.update(f"AC {acs[0].number} {acs[0].name}")
        if not has_users:
            box.mount(
                Static(
                    t("This store has no accounts yet. The administrator adds them with")
                    + "\n  encore user add NAME --role operator   (or --role ro, observer, admin)",
                    id="no-accounts",
                    classes="error",
                )
            )
        if self.pending:
            self.pending = False
            self._sign_in()
        # once the list (if any) is mounted and the focus has settled
        self.call_after_refresh(self._replay)

    def on_descendant_focus(self, event) -> None:
        # says what to type next (also lets a script know which field has the keyboard)
        hints = {
            "ac": "Choose the constituency (↑↓, Enter).",
            "username": "Type your user name, then Enter.",
            "pin": "Type your PIN, then Enter to sign in.",
        }
        hint = hints.get(event.widget.id or "")
        if hint:
            self.query_one("#signin-hint", Static).update(t(hint))

    @on(OptionList.OptionSelected, "#ac")
    def _ac_chosen(self, event: OptionList.OptionSelected) -> None:
        self.ac_id = int(event.option.id)
        self.query_one("#username", Input).focus()

    @on(OptionList.OptionHighlighted, "#ac")
    def _ac_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.ac_id = int(event.option.id)

    @on(Input.Submitted, "#pin")
    def _sign_in(self) -> None:
        user = self.query_one("#username", Input)
        pin = self.query_one("#pin", Input)
        err = self.query_one("#signin-error", Static)
        if self.acs is None:
            self.pending = True
            err.update(t("Opening the store…"))
            if self.open_failed:
                self.open_failed = False
                self.query_one("#ac-name", Static).update(t("Opening the store…"))
                self.holding = True
                self.app.retry_open_store()
            return
        if not user.value.strip():
            err.update(t("Type your user name first."))
            user.focus()
            return
        from encore_tui import services

        # a trainee's account is bound to their copy of the AC (training seat): they land there
        self.ac_id = services.seat_ac(self.app.store, user.value) or self.ac_id
        try:
            actor = services.authenticate(self.app.store, user.value, pin.value, ac_id=self.ac_id)
        except user_errors() as exc:
            err.update(str(exc))  # the lock-out message is shown as the service wrote it
            pin.value = ""
            pin.focus()
            return
        err.update("")
        pin.value = ""
        self.app.signed_in(actor, self.ac_id)
