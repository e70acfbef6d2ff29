"""The Textual application. Screens call services; they never talk SQL or compute tallies.

Flow: sign-in → `route(actor)` (the one place that decides where a role lands) → dashboard →
round entry / postal / trends. After a power cut the signed-in user is put back on the round,
table and cell saved with their last figure (services.load_ui_state).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from encore_tui.base.config import Settings
from encore_tui.base.i18n import set_lang, t
from encore_tui.domain.rounds import Action, Role, may, may_edit
from encore_tui.screens.base import Session
from encore_tui.screens.common import localize_bindings, user_errors
from encore_tui.screens.messages import MessageLog
from encore_tui.screens.palette import OrderedCommands
from encore_tui.widgets import cells, console
from encore_tui.widgets.textual_compat import UnhandledErrors

if TYPE_CHECKING:
    # SQLAlchemy and pydantic (services, store) load in a thread after the sign-in screen is up
    from encore_tui import services
    from encore_tui.store import Store

log = logging.getLogger("encore.app")


def route(actor: services.Actor) -> Screen:
    """Where a user lands after signing in. Keep every role decision here.

    ro/aro/observer: the RO review queue (observer read-only; the counting dashboard is one key
    away, F2); operator: the counting dashboard; admin: the dashboard, read-only.
    """
    from encore_tui.screens.dashboard import DashboardScreen
    from encore_tui.screens.ro.home import RoHomeScreen

    if actor.role in (Role.RO, Role.ARO, Role.OBSERVER):
        return RoHomeScreen(read_only=actor.role is Role.OBSERVER)
    if actor.role is Role.OPERATOR:
        return DashboardScreen(read_only=not may(actor.role, Action.ENTER))
    return DashboardScreen(read_only=True)


class EncoreApp(UnhandledErrors, App):
    TITLE = "encore-tui"
    COMMANDS = {OrderedCommands}  # the palette lists commands in the order given (rounds 1, 2 … 10)
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding(
            "f12", "messages", "Messages", id="app.messages", tooltip="Messages of this session, in full"
        ),
        # show=False: the footer shows the palette key at its right end already (once is enough)
        Binding("ctrl+p", "command_palette", "Commands", id="app.command_palette", priority=True, show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        store: Store | None,
        settings: Settings | None = None,
        demo: bool = False,
        demo_accounts: list[tuple[str, str, str, str]] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        set_lang(self.settings.lang)
        cells.install()  # measure Devanagari as the terminal does, before anything is measured
        super().__init__()
        if console.is_console():  # the Linux text console: its colours (its glyphs: the driver)
            self.register_theme(console.CONSOLE_THEME)
            self.theme = console.CONSOLE_THEME.name
        localize_bindings(self)
        self.store = store
        self.demo = demo
        self.demo_accounts = demo_accounts
        self.session: Session | None = None  # who is signed in, where (screens.base.Session)
        self.messages = MessageLog()  # this session's messages in full (F12), see screens.messages
        self.typeahead: list = []  # keys typed while a round screen opens (see RoundsTable)
        self.instance_lock = None  # held while someone is signed in (one window per store)
        self._relay_stop = None  # threading.Event of the push relay worker, while it runs
        self.last_input = time.monotonic()  # the idle screen lock counts from here

    @property
    def actor(self) -> services.Actor | None:
        return self.session.actor if self.session is not None else None

    @property
    def ac_id(self) -> int | None:
        return self.session.ac_id if self.session is not None else None

    def get_driver_class(self):
        driver = super().get_driver_class()
        return console.console_driver(driver) if console.is_console() else driver

    def on_mount(self) -> None:
        if self.settings.keys:
            from encore_tui.base.keymap import flatten, problems

            keys = flatten(self.settings.keys)  # load_settings checked a config file's already
            found = problems(keys)
            if found:
                self.exit(return_code=2, message="encore: " + "; ".join(found) + ".")
                return
            self.set_keymap(keys)
        if console.is_console() and self.settings.lang == "hi":  # said in English: it can be read there
            self.notify(
                "The Linux console font has no Devanagari: use --lang hi in a terminal emulator (or fbterm).",
                severity="warning",
                timeout=30,
            )
        if self.settings.idle_lock_minutes > 0:
            self.set_interval(15, self.check_idle_lock)
        if self.store is not None:
            self._attach_store(self.store)
            self.show_sign_in()
            return
        # Cold start: the sign-in screen first, the store (and the modules it needs) in a thread
        self.push_screen(self._sign_in_screen())
        self.call_after_refresh(lambda: self.run_worker(self._open_store, thread=True, name="open-store"))

    def _open_store(self) -> None:
        from encore_tui import services
        from encore_tui.store import open_store

        try:
            store = open_store(self.settings.db_url, timeout=self.settings.store_timeout)
            acs = services.list_acs(store)
            if not acs:
                store.close()
                raise services.ServiceError(
                    "This store holds no AC yet: `encore import form20 DIR` or `encore demo`."
                )
            has_users = bool(services.list_users(store))
        except services.StoreError as exc:
            # the database is not there, not answering, not the right one…: the sign-in screen
            # says which and what to do; Enter tries again (see SignInScreen._sign_in)
            log.warning("store not opened: %s", exc)
            self.call_from_thread(self._store_failed, str(exc))
            return
        except Exception as exc:  # shown by unhandled_error: a clear message and exit code 3
            self.call_from_thread(self.unhandled_error, exc)
            return
        self.call_from_thread(self._store_ready, store, acs, has_users)

    def retry_open_store(self) -> None:
        """Open the store again after a failure shown on the sign-in screen."""
        self.run_worker(self._open_store, thread=True, name="open-store")

    def _store_failed(self, message: str) -> None:
        from encore_tui.screens.signin import SignInScreen

        if isinstance(self.screen, SignInScreen):
            self.screen.store_failed(message)

    def _store_ready(self, store: Store, acs: list, has_users: bool) -> None:
        from encore_tui.screens.signin import SignInScreen

        self._attach_store(store)
        if isinstance(self.screen, SignInScreen):
            self.screen.store_ready(acs, has_users)

    def _attach_store(self, store: Store) -> None:
        from encore_tui.services.backup import backup_after_approvals

        self.store = store
        # `backup_dir`: every approval made in this window is followed by a verified backup; a
        # failed one is shown (the approval stays saved)
        backup_after_approvals(
            self.store, self.settings, on_failure=lambda m: self.notify(m, severity="error", timeout=60)
        )

    def on_unmount(self) -> None:
        self._end_session()

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

    def unhandled_error(self, error: Exception) -> None:
        """No operator sees a traceback. Screens catch the refusals they expect; anything that
        still escapes is logged in full and the app exits with a short message (Textual stops
        a widget's message loop after an unhandled exception, so carrying on is not safe)."""
        log.error("unexpected error", exc_info=error)
        if self.is_headless:  # tests: let the test framework see the exception
            self.default_unhandled_error(error)
            return
        from encore_tui.base.config import log_path

        what = str(error) if isinstance(error, user_errors()) else "unexpected error"
        self.exit(
            return_code=3,
            message=f"encore: {what}; nothing saved was lost. Details are in {log_path()}.",
        )

    # -- sign-in and routing ----------------------------------------------------------------
    def show_sign_in(self) -> None:
        self.push_screen(self._sign_in_screen())

    def signed_in(self, actor: services.Actor, ac_id: int) -> None:
        from encore_tui import services

        if not self._claim_store(actor):
            return
        ac_id = services.seat_ac(self.store, actor.username) or ac_id  # a trainee: their own copy
        self.session = Session(self.store, actor, ac_id, self.settings.lang)
        self.start_relay()
        log.info("signed in: %s (%s) on AC id %s", actor.username, actor.role.value, ac_id)
        home = route(actor)
        self.switch_screen(home)
        state = services.load_ui_state(self.store, actor, ac_id) or {}
        if state.get("screen") == "round" and isinstance(state.get("round"), int):
            # back to the cell after a power cut — only where this user can still type
            # (a round submitted meanwhile stays on the dashboard)
            info = services.dashboard(self.store, ac_id).rounds.get(state["round"])
            if info is not None and may_edit(info.status, actor.role):
                from encore_tui.screens.round_entry import open_round

                open_round(home, state["round"], resume=state)

    def sign_out(self) -> None:
        self._end_session()
        self.session = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(self._sign_in_screen())

    def _sign_in_screen(self) -> Screen:
        """The sign-in screen; without a store yet (cold start) it waits for `_store_ready`."""
        from encore_tui.screens.signin import SignInScreen

        accounts = self.demo_accounts
        if self.demo and accounts is None:
            from encore_tui.services.demo import DEMO_ACCOUNTS

            accounts = DEMO_ACCOUNTS
        accounts = accounts if self.demo else None
        preselect = self.settings.ac
        if self.store is None:
            return SignInScreen(None, accounts, preselect=preselect)
        from encore_tui import services

        has_users = bool(services.list_users(self.store))
        return SignInScreen(services.list_acs(self.store), accounts, has_users, preselect=preselect)

    # -- the session: instance lock, push relay -------------------------------------------------
    def _claim_store(self, actor: services.Actor) -> bool:
        """Hold the store's instance lock while signed in: a second encore window on the same
        SQLite store is refused, naming who has it (PostgreSQL, district mode: the same account
        cannot be signed in twice; different accounts can)."""
        from encore_tui import services

        if self.instance_lock is not None:
            return True
        scope = "app" if self.store.path is not None else actor.username
        owner = f"{actor.username} ({actor.display_name})" if actor.display_name else actor.username
        try:
            self.instance_lock = self.store.acquire_instance_lock(owner, scope)
        except services.StoreError as exc:
            log.warning("sign-in refused: %s", exc)
            try:
                self.screen.query_one("#signin-error").update(str(exc))
            except Exception:  # not on the sign-in screen: say it anyway
                self.notify(str(exc), severity="error", timeout=30)
            return False
        return True

    def start_relay(self) -> None:
        """With `push_url` set, push approved results to central from a thread worker while
        someone is signed in (the same relay as `encore push --watch`)."""
        import threading

        from encore_tui.push.relay import PushConfigError, open_relay

        if not self.settings.push_url or self._relay_stop is not None:
            return
        try:
            relay = open_relay(self.store, self.settings)
        except PushConfigError as exc:
            self.notify(f"Results are not pushed to central: {exc}", severity="error", timeout=30)
            return
        stop = threading.Event()
        self._relay_stop = stop

        def report(_rep) -> None:
            from encore_tui.screens.dashboard import DashboardScreen

            for screen in self.screen_stack:
                if isinstance(screen, DashboardScreen):
                    screen.refresh_push()

        def run() -> None:
            try:
                relay.watch(stop, on_report=lambda rep: self.call_from_thread(report, rep))
            finally:
                relay.close()

        log.info("push relay started: %s", relay.config.url)
        self.run_worker(run, thread=True, group="relay", name="push relay")

    def stop_relay(self) -> None:
        if self._relay_stop is not None:
            self._relay_stop.set()
            self._relay_stop = None

    def _end_session(self) -> None:
        self.stop_relay()
        if self.instance_lock is not None:
            self.instance_lock.release()
            self.instance_lock = None

    # -- help and commands ------------------------------------------------------------------
    def action_help(self) -> None:
        from encore_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_messages(self) -> None:
        from encore_tui.screens.messages import MessageLogScreen

        if isinstance(self.screen, MessageLogScreen):
            return  # its own binding (the same id) closes it
        self.push_screen(MessageLogScreen())

    def notify(self, message, *args, **kwargs) -> None:
        # what pops up for a while (a failed backup, the push relay) stays in the message log
        self.messages.add(str(message), kwargs.get("severity") == "error")
        super().notify(message, *args, **kwargs)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(t("Help"), t("Every key and its id (F1)"), self.action_help)
        yield SystemCommand(t("Messages"), t("This session's messages in full (F12)"), self.action_messages)
        if self.locked:  # nothing behind the lock is reachable: sign out or quit only
            yield SystemCommand(t("Sign out"), t("End the session"), self.sign_out)
            yield SystemCommand(t("Quit"), t("Leave encore (everything saved stays saved)"), self.exit)
            return
        if self.actor is not None:
            for name, help_text, callback in getattr(screen, "palette_commands", list)():
                yield SystemCommand(name, help_text, callback)  # Submit, Print, Scans where they apply
            yield SystemCommand(t("Trends"), t("Cumulative votes and the lead by round"), self._trends)
            yield SystemCommand(t("Sign out"), t("Back to the sign-in screen"), self.sign_out)
            if self.actor.role in (Role.RO, Role.ARO, Role.OBSERVER):
                yield from self._ro_commands()
            yield SystemCommand(
                f"{t('Open round')}: {t('Postal')}", t("Postal ballots (round 0)"), lambda: self._open(0)
            )
            if self.ac_id is not None:
                from encore_tui import services

                ctx = services.load_context(self.store, self.ac_id)
                for r in range(1, ctx.last_round + 1):
                    yield SystemCommand(
                        f"{t('Open round')} {r}", t("Round {n} entry", n=r), lambda r=r: self._open(r)
                    )
        from encore_tui.screens.round_entry import RoundScreen

        if isinstance(screen, RoundScreen):
            yield SystemCommand(
                t("Totals columns"),
                t("Show or hide the round/cumulative columns (F7)"),
                screen.action_toggle_totals,
            )
        yield SystemCommand(t("Quit"), t("Leave encore (everything saved stays saved)"), self.exit)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=t("Search for commands…"), id="--command-palette"))

    def _ro_commands(self) -> Iterable[SystemCommand]:
        from encore_tui.screens.ro.result import ResultScreen
        from encore_tui.screens.ro.vvpat import VvpatScreen

        yield SystemCommand(
            t("VVPAT verification"),
            t("Draw, Rule 56D, slip counts, kept-aside round, close"),
            lambda: self.push_screen(VvpatScreen()),
        )
        yield SystemCommand(
            t("Result and declaration"),
            t("Form 20 totals, recount, sign-off, tie lot, declare, Form 22"),
            lambda: self.push_screen(ResultScreen()),
        )

    def _trends(self) -> None:
        from encore_tui.screens.trends import TrendsScreen

        self.push_screen(TrendsScreen())

    def _open(self, round_no: int) -> None:
        from encore_tui.screens.dashboard import DashboardScreen
        from encore_tui.screens.round_entry import RoundScreen, open_round

        while isinstance(self.screen, RoundScreen) or not isinstance(self.screen, DashboardScreen):
            if len(self.screen_stack) <= 2:
                break
            self.pop_screen()
        home = self.screen
        if isinstance(home, DashboardScreen):
            open_round(home, round_no)
        else:
            self.push_screen(RoundScreen(round_no))


def run_app(settings: Settings, demo: bool = False) -> int:
    """Run the app; the store is opened by the app itself once its first screen is up."""
    app = EncoreApp(None, settings, demo=demo)
    app.run()
    return app.return_code or 0


class ViewerApp(EncoreApp):
    """A window that only shows (`encore training replay`, `encore training watch`): no sign-in
    screen (the command signed the trainer in), no push relay, no idle lock; `home` is built
    once the app runs. q ends it.

    It holds a `Session` like the counting app: the trainer over the store shown. The replay's
    store is the player's scratch store, replaced when the player rebuilds it (`follow_player`);
    the watch's session names no AC until one is opened from its list (`view_ac`)."""

    def __init__(self, store: Store, settings: Settings, home, actor: services.Actor, ac_id: int | None):
        super().__init__(store, settings)
        self._home = home
        self.session = Session(store, actor, ac_id, self.settings.lang)
        self.player = None  # the replay's Player (services.replay_player), set by replay_app

    def _attach_store(self, store: Store) -> None:
        self.store = store  # only read: no backup after approvals

    def show_sign_in(self) -> None:  # EncoreApp.on_mount's last step: the home screen instead
        self.push_screen(self._home())

    def sign_out(self) -> None:
        self.exit()

    def check_idle_lock(self, now: float | None = None) -> bool:
        return False

    def view_ac(self, ac_id: int | None) -> None:
        """The AC the screens read from now on (the watch: the copy opened from its list; None
        back on the list)."""
        self.session = replace(self.session, ac_id=ac_id)

    def follow_player(self) -> bool:
        """Point the session at the player's scratch store (a new one after going back a round).
        True if it changed."""
        store, ac_id = self.player.store, self.player.ac_id
        if (store, ac_id) == (self.session.store, self.session.ac_id):
            return False
        self.store = store
        self.session = replace(self.session, store=store, ac_id=ac_id)
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Only what a viewer does: help, messages, the trends of the AC shown, quit."""
        yield SystemCommand(t("Help"), t("Every key and its id (F1)"), self.action_help)
        yield SystemCommand(t("Messages"), t("This session's messages in full (F12)"), self.action_messages)
        if self.ac_id is not None:
            yield SystemCommand(t("Trends"), t("Cumulative votes and the lead by round"), self._trends)
        yield SystemCommand(t("Quit"), t("Leave encore (everything saved stays saved)"), self.exit)

    def _trends(self) -> None:  # the palette's Trends: in a replay, the replay's own
        if self.player is None:
            super()._trends()
            return
        from encore_tui.screens.replay import ReplayTrends

        self.push_screen(ReplayTrends())

    def replay_changed(self) -> None:
        """The player applied events: the session follows its store, and the screen showing the
        replay reads it again."""
        self.follow_player()
        if hasattr(self.screen, "replay_changed"):
            self.screen.replay_changed()


def replay_app(settings: Settings, player, actor: services.Actor) -> ViewerApp:
    """The replay window over a `services.replay_player.Player` (its scratch store), for `actor`
    (a trainer or an administrator: `services.replay.load_recording` refused anyone else)."""
    from encore_tui.screens.replay import ReplayDashboard

    set_lang(settings.lang)
    app = ViewerApp(player.store, settings, ReplayDashboard, actor, player.ac_id)
    app.player = player
    return app


def watch_app(settings: Settings, store: Store, actor: services.Actor) -> ViewerApp:
    """The trainer's live screen over every AC of a store (read-only), for `actor` (a trainer or
    an administrator: `services.progress.ac_progress` refuses anyone else)."""
    from encore_tui.screens.training_watch import WatchScreen

    set_lang(settings.lang)
    return ViewerApp(store, settings, WatchScreen, actor, None)


def run_viewer(app: ViewerApp) -> int:
    app.run()
    return app.return_code or 0
