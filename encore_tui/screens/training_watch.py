"""`encore training watch`: the trainer's live screen. One row per AC of the store (in a training
store, one per trainee's copy): the round being typed, rounds submitted and approved, the figures
entered in that round, the last entry, the errors its checks report now. Re-read every 2 s in a
thread worker; Enter opens that AC's dashboard read-only (Esc comes back); q quits."""

from __future__ import annotations

import datetime as dt

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from encore_tui.base.i18n import t
from encore_tui.screens.base import Loaded, Session, SessionScreen
from encore_tui.screens.common import round_name
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.widgets.cells import fit
from encore_tui.widgets.footer import FittingFooter
from encore_tui.widgets.textual_compat import KeyFirst, run_own_binding

REFRESH_SECONDS = 2.0


def ago(ts: str | None, now: dt.datetime | None = None) -> str:
    """ "2 min ago" (or "—": nothing entered yet)."""
    if not ts:
        return "—"
    try:
        then = dt.datetime.fromisoformat(ts)
    except ValueError:
        return ts[11:19]
    secs = max(0, int(((now or dt.datetime.now(dt.UTC)) - then).total_seconds()))
    if secs < 10:
        return t("just now")
    if secs < 60:
        return t("{n} s ago", n=secs)
    if secs < 3600:
        return t("{n} min ago", n=secs // 60)
    return t("{n} h ago", n=secs // 3600)


class WatchTable(KeyFirst, DataTable):
    """Enter opens the AC under the cursor (in this widget's own queue, like the rounds table)."""

    async def key_first(self, event: events.Key) -> bool:
        if event.key == "enter" and self.row_count:
            event.stop()
            event.prevent_default()
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
            self.screen.open_ac(int(row_key.value))
            return True
        # the table's own keys (↑↓, PgUp…) run here too, so a Down typed before an Enter moves
        # the cursor before that Enter opens an AC (as the dashboard's rounds table does)
        return await run_own_binding(self, event)


def read_progress(session: Session) -> list:
    """Every AC's progress (runs in a thread worker; refused to anyone but a trainer or an
    administrator)."""
    from encore_tui.services.progress import ac_progress

    return ac_progress(session.store, session.actor)


class WatchScreen(SessionScreen):
    DEFAULT_CSS = "WatchScreen #acs { height: 1fr; }"
    BINDINGS = [
        Binding("f5", "refresh", "Refresh", id="watch.refresh", tooltip="Read the store again now"),
        Binding("q", "quit_watch", "Quit", id="watch.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.progress: list = []
        self.read_at = ""

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        yield WatchTable(id="acs", cursor_type="row", zebra_stripes=False)
        yield Static(id="status", classes="status")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#acs", DataTable)
        for label, key, width in [
            (t("Trainee / AC"), "who", 20),
            (t("Round"), "round", 9),
            (t("Sub/Appr"), "rounds", 9),
            (t("Cells"), "cells", 8),
            (t("Last entry"), "last", 13),
            (t("Errors"), "errors", 6),
        ]:
            table.add_column(label, key=key, width=width)
        self.query_one("#title", Static).update(
            f"{t('Training')} · {t('every AC of the store, live')} · {self.store.where}"
        )
        self.set_status(t("Reading the store…"))
        table.focus()
        self.reload()
        self.set_interval(REFRESH_SECONDS, self.tick)

    def tick(self) -> None:
        if self.is_current:  # not under an AC's dashboard opened from here
            self.reload()

    def resumed(self) -> None:  # back from an AC's dashboard: no AC open, read at once
        self.app.view_ac(None)
        self.reload()

    def reload(self) -> None:
        self.read_in_worker("progress", read_progress)

    def on_loaded(self, message: Loaded) -> None:
        if message.key != "progress":
            return
        if message.error is not None:
            self.set_status(f"{message.error} ({t('F5: try again')})", True)
            return
        self.show(message.value)

    def show(self, rows: list) -> None:
        self.progress = rows
        self.read_at = dt.datetime.now().strftime("%H:%M:%S")
        table = self.query_one("#acs", DataTable)
        keep = table.cursor_row
        table.clear()
        for p in rows:
            who = p.trainee or f"{p.number} {p.name}"
            table.add_row(
                fit(who, 20),
                round_name(p.round_no),
                f"{p.submitted}/{p.approved}",
                f"{p.cells}/{p.cells_expected}",
                ago(p.last_entry),
                f"[bold red]{p.failing}[/]" if p.failing else "0",
                key=str(p.ac_id),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self.set_status(
            t("{n} ACs · read {time} · every 2 s · Enter: open read-only", n=len(rows), time=self.read_at)
        )

    def action_refresh(self) -> None:
        self.reload()

    def action_quit_watch(self) -> None:
        self.app.exit()

    def open_ac(self, ac_id: int) -> None:
        self.app.view_ac(ac_id)
        self.app.push_screen(WatchedDashboard(read_only=True, can_go_back=True))


class WatchedDashboard(DashboardScreen):
    """A trainee's copy, read-only, re-read every 2 s like the list (Esc back to it)."""

    def on_mount(self) -> None:  # (DashboardScreen.on_mount, called next, draws it)
        self.set_interval(REFRESH_SECONDS, self.tick)

    def tick(self) -> None:
        if self.is_current:
            self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sign_out", "form17c", "print"):
            return False  # the trainer only watches (q / Esc, not sign-out)
        return super().check_action(action, parameters)
