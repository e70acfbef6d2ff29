"""`encore training replay`: a recorded count played round by round on the real dashboard and
trends screens, for briefing ROs and observers.

The screens are the counting hall's own (`DashboardScreen`, `TrendsScreen`), read-only, over the
scratch store that `services.replay_player.Player` fills from the recorded journal in a thread
worker. Keys: Space pause/resume, → next round, ← back a round, + / - speed, F6 trends, q quit.
"""

from __future__ import annotations

import threading

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from encore_tui.base.i18n import t
from encore_tui.domain.playback import speed_label
from encore_tui.screens.common import user_errors
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.trends import TrendsScreen
from encore_tui.widgets.footer import FittingFooter

# ← → and + - are one footer entry each ("← → Round", "+ - Speed"; their own descriptions are the
# tooltips and F1's), so that at 80 columns q Quit is never cut (tests/test_replay.py reads it)
ROUND = Binding.Group("Round")
SPEED = Binding.Group("Speed")
REPLAY_BINDINGS = [
    Binding("space", "replay_pause", "Pause", id="replay.pause", priority=True, key_display="Space"),
    Binding("right", "replay_next", "Next round", id="replay.next", priority=True, group=ROUND),
    Binding("left", "replay_previous", "Previous", id="replay.previous", priority=True, group=ROUND),
    Binding(
        "plus,equals_sign",
        "replay_faster",
        "Faster",
        id="replay.faster",
        priority=True,
        key_display="+",
        group=SPEED,
    ),
    Binding(
        "minus", "replay_slower", "Slower", id="replay.slower", priority=True, key_display="-", group=SPEED
    ),
    Binding("q", "replay_quit", "Quit", id="replay.quit", priority=True),
]


def replay_status(player) -> str:
    """ "Replay · round 7 of 29 · ×4 · paused" in the UI language."""
    st = player.status()
    if st.round_no is None:
        where = t("setup")
    elif st.round_no == 0:
        where = t("postal ballots")
    else:
        where = t("round {n} of {of}", n=st.round_no, of=max(st.rounds, st.round_no))
    parts = [t("Replay"), where, speed_label(st.speed)]
    if st.finished:
        parts.append(t("end of the recording"))
    elif st.paused:
        parts.append(t("paused"))
    return " · ".join(parts)


class ReplayKeys:
    """The replay's keys on any screen showing it (the player is the app's)."""

    def action_replay_pause(self) -> None:
        self.app.player.toggle_pause()
        self.replay_changed(False)

    def action_replay_next(self) -> None:
        self.app.player.next_round()

    def action_replay_previous(self) -> None:
        self.app.player.previous_round()

    def action_replay_faster(self) -> None:
        self.app.player.faster()
        self.replay_changed(False)

    def action_replay_slower(self) -> None:
        self.app.player.slower()
        self.replay_changed(False)

    def action_replay_quit(self) -> None:
        self.app.exit()

    def replay_changed(self, store_changed: bool = True) -> None:
        raise NotImplementedError


class ReplayDashboard(ReplayKeys, DashboardScreen):
    """The counting dashboard over the replay's scratch store (the session's: `app.ViewerApp`
    points it at the player's store); the status line says where the replay is. It runs the
    player's thread worker for as long as the replay window is open."""

    BINDINGS = REPLAY_BINDINGS

    def __init__(self) -> None:
        super().__init__(read_only=True)
        self._stop = threading.Event()

    def on_mount(self) -> None:
        # Textual calls DashboardScreen.on_mount after this one: start once it has drawn
        self.call_after_refresh(self.start)

    def start(self) -> None:
        self.set_status(replay_status(self.app.player))
        self.play()

    @work(thread=True, group="replay", name="replay")
    def play(self) -> None:
        """The player's loop, in a thread: it ends with the screen (or the app)."""
        worker = get_current_worker()
        self.app.player.run(
            lambda: worker.is_cancelled or self._stop.is_set(),
            on_change=lambda: self.app.call_from_thread(self.app.replay_changed),
            on_error=lambda exc: self.app.call_from_thread(self.replay_failed, exc),
        )

    def on_unmount(self) -> None:
        self._stop.set()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sign_out", "form17c", "double_entry", "back", "print", "refresh"):
            return False  # nothing to sign out of, key or print in a replay; it reads by itself
        return super().check_action(action, parameters)

    def replay_changed(self, store_changed: bool = True) -> None:
        """The player moved (`store_changed`: events applied, the rounds are read again; the
        status line follows once they are drawn) or only its pace changed (said at once)."""
        if store_changed:
            self.action_refresh()
        else:
            self.set_status(replay_status(self.app.player))

    def show_rounds(self, rd) -> None:
        super().show_rounds(rd)
        self.follow()
        self.set_status(replay_status(self.app.player))

    def follow(self) -> None:
        """Keep the round being played in view (the rounds table scrolls with the replay)."""
        r = self.app.player.status().round_no
        table = self.query_one("#rounds", DataTable)
        if r is not None and r in self.rounds:
            table.move_cursor(row=table.get_row_index(str(r)))

    def resumed(self) -> None:  # back from the trends: the replay moved on meanwhile
        self.app.follow_player()
        super().resumed()

    def replay_failed(self, exc: Exception) -> None:
        text = str(exc) if isinstance(exc, user_errors()) else f"{type(exc).__name__}: {exc}"
        self.set_status(t("The replay stopped: {why}", why=text), True)

    def action_trends(self) -> None:
        self.app.push_screen(ReplayTrends())


class ReplayTrends(ReplayKeys, TrendsScreen):
    """Trends over the replay, redrawn as the rounds come in."""

    BINDINGS = REPLAY_BINDINGS
    # no scrollbar: at 80 columns its cells would wrap the sparklines (↑↓ still scroll)
    DEFAULT_CSS = "ReplayTrends #trends { scrollbar-size-vertical: 0; }"

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        with VerticalScroll(id="trends"):
            yield Static(id="votes")
            yield Static(id="leads")
        yield Static(id="status", classes="status")
        yield FittingFooter()

    def on_mount(self) -> None:  # (TrendsScreen.on_mount, called next, reads the trends)
        self.say_where()

    def replay_changed(self, store_changed: bool = True) -> None:
        if store_changed:
            self.show_trends()  # in a thread worker: `show` draws them and says where
        else:
            self.say_where()

    def show(self, setup, d, tallies: list) -> None:
        super().show(setup, d, tallies)
        self.say_where()

    def say_where(self) -> None:
        self.query_one("#status", Static).update(replay_status(self.app.player))
