"""The Textual application. Screens call services; they never talk SQL or compute tallies.

Flow: sign-in → `route(actor)` (the one place that decides where a role lands) → dashboard →
round entry / postal / trends. After a power cut the signed-in user is put back on the round,
table and cell saved with their last figure (services.load_ui_state).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from encore_tui import services
from encore_tui.config import Settings
from encore_tui.domain.rounds import Action, Role, may, may_edit
from encore_tui.i18n import set_lang, t
from encore_tui.screens.common import localize_bindings, user_errors
from encore_tui.store import Store, open_store

log = logging.getLogger("encore.app")


def route(actor: services.Actor) -> Screen:
    """Where a user lands after signing in. Keep every role decision here.

    ro/aro/observer: the RO review queue (observer read-only; the counting dashboard is one key
    away, F2); operator: the counting dashboard; admin: the dashboard, read-only.
    """
    from encore_tui.screens.dashboard import DashboardScreen
    from encore_tui.screens.ro_home import RoHomeScreen

    if actor.role in (Role.RO, Role.ARO, Role.OBSERVER):
        return RoHomeScreen(read_only=actor.role is Role.OBSERVER)
    if actor.role is Role.OPERATOR:
        return DashboardScreen(read_only=not may(actor.role, Action.ENTER))
    return DashboardScreen(read_only=True)


class EncoreApp(App):
    TITLE = "encore-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Commands", id="command_palette", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        demo: bool = False,
        demo_accounts: list[tuple[str, str, str, str]] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        set_lang(self.settings.lang)
        super().__init__()
        localize_bindings(self)
        self.store = store
        self.demo = demo
        self.demo_accounts = demo_accounts
        self.actor: services.Actor | None = None
        self.typeahead: list = []  # keys typed while a round screen opens (see RoundsTable)
        self.ac_id: int | None = None
        self.last_input = time.monotonic()  # the idle screen lock counts from here

    def on_mount(self) -> None:
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))
        self.show_sign_in()
        if self.settings.idle_lock_minutes > 0:
            self.set_interval(15, self.check_idle_lock)

    # -- idle screen lock ---------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_input = time.monotonic()
        await super().on_event(event)

    @property
    def locked(self) -> bool:
        from encore_tui.screens.lock import LockScreen

        return any(isinstance(s, LockScreen) for s in self.screen_stack)

    def check_idle_lock(self, now: float | None = None) -> bool:
        """Cover the screen when the signed-in user has been idle for the configured minutes
        (0: never). Returns whether the lock is shown. Saved figures are untouched."""
        from encore_tui.screens.lock import LockScreen

        minutes = self.settings.idle_lock_minutes
        if self.actor is None or minutes <= 0 or self.locked:
            return self.locked
        now = time.monotonic() if now is None else now
        if now - self.last_input < minutes * 60:
            return False
        log.info("screen locked after %s idle minute(s): %s", minutes, self.actor.username)
        self.push_screen(LockScreen())
        return True

    def unlock(self) -> None:
        from encore_tui.screens.lock import LockScreen

        self.last_input = time.monotonic()
        if isinstance(self.screen, LockScreen):
            self.pop_screen()

    def _handle_exception(self, error: Exception) -> None:
        """No operator sees a traceback. Screens catch the refusals they expect; anything that
        still escapes is logged in full and the app exits with a short message (Textual stops
        a widget's message loop after an unhandled exception, so carrying on is not safe)."""
        log.error("unexpected error", exc_info=error)
        if self.is_headless:  # tests: let the test framework see the exception
            super()._handle_exception(error)
            return
        from encore_tui.config import log_path

        what = str(error) if isinstance(error, user_errors()) else "unexpected error"
        self._return_code = 3
        self.exit(
            return_code=3,
            message=f"encore: {what}; nothing saved was lost. Details are in {log_path()}.",
        )

    # -- sign-in and routing ----------------------------------------------------------------
    def show_sign_in(self) -> None:
        from encore_tui.screens.signin import SignInScreen

        acs = services.list_acs(self.store)
        accounts = self.demo_accounts
        if self.demo and accounts is None:
            from encore_tui.cli import DEMO_ACCOUNTS

            accounts = DEMO_ACCOUNTS
        self.push_screen(SignInScreen(acs, accounts if self.demo else None))

    def signed_in(self, actor: services.Actor, ac_id: int) -> None:
        self.actor, self.ac_id = actor, ac_id
        log.info("signed in: %s (%s) on AC id %s", actor.username, actor.role.value, ac_id)
        home = route(actor)
        self.switch_screen(home)
        state = services.load_ui_state(self.store, actor, ac_id) or {}
        if state.get("screen") == "round" and isinstance(state.get("round"), int):
            # back to the cell after a power cut — only where this user can still type
            # (a round submitted meanwhile stays on the dashboard)
            info = services.dashboard(self.store, ac_id).rounds.get(state["round"])
            if info is not None and may_edit(info.status, actor.role):
                home.open_round(state["round"], resume=state)

    def sign_out(self) -> None:
        self.actor = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(self._sign_in_screen())

    def _sign_in_screen(self) -> Screen:
        from encore_tui.screens.signin import SignInScreen

        accounts = self.demo_accounts
        if self.demo and accounts is None:
            from encore_tui.cli import DEMO_ACCOUNTS

            accounts = DEMO_ACCOUNTS
        return SignInScreen(services.list_acs(self.store), accounts if self.demo else None)

    # -- help and commands ------------------------------------------------------------------
    def action_help(self) -> None:
        from encore_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(t("Help"), "Every key and its id (F1)", self.action_help)
        if self.locked:  # nothing behind the lock is reachable: sign out or quit only
            yield SystemCommand(t("Sign out"), "End the session", self.sign_out)
            yield SystemCommand(t("Quit"), "Leave encore (everything saved stays saved)", self.exit)
            return
        if self.actor is not None:
            yield SystemCommand(t("Trends"), "Cumulative votes and the lead by round", self._trends)
            yield SystemCommand(t("Sign out"), "Back to the sign-in screen", self.sign_out)
            yield SystemCommand(
                f"{t('Open round')}: {t('Postal')}", "Postal ballots (round 0)", lambda: self._open(0)
            )
            if self.ac_id is not None:
                ctx = services.load_context(self.store, self.ac_id)
                for r in range(1, ctx.last_round + 1):
                    yield SystemCommand(
                        f"{t('Open round')} {r}", f"Round {r} entry", lambda r=r: self._open(r)
                    )
        from encore_tui.screens.round_entry import RoundScreen

        if isinstance(screen, RoundScreen):
            yield SystemCommand(
                t("Totals columns"),
                "Show or hide the round/cumulative columns (F7)",
                screen.action_toggle_totals,
            )
        yield SystemCommand(t("Quit"), "Leave encore (everything saved stays saved)", self.exit)

    def _trends(self) -> None:
        from encore_tui.screens.trends import TrendsScreen

        self.push_screen(TrendsScreen())

    def _open(self, round_no: int) -> None:
        from encore_tui.screens.dashboard import DashboardScreen
        from encore_tui.screens.round_entry import RoundScreen

        while isinstance(self.screen, RoundScreen) or not isinstance(self.screen, DashboardScreen):
            if len(self.screen_stack) <= 2:
                break
            self.pop_screen()
        home = self.screen
        if isinstance(home, DashboardScreen):
            home.open_round(round_no)
        else:
            self.push_screen(RoundScreen(round_no))


def run_app(settings: Settings, demo: bool = False) -> int:
    store = open_store(settings.db_url)
    if not services.list_acs(store):
        raise services.ServiceError(
            "This store holds no AC yet: `encore import form20 DIR` or `encore demo`."
        )
    app = EncoreApp(store, settings, demo=demo)
    app.run()
    return app.return_code or 0
