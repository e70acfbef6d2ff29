"""Where the RO, the ARO and the observer land: the review queue first, then every other round.

Enter opens the round's review (RoReviewScreen): the queue rounds to approve or return, any
approved/published round to correct. The counting dashboard (round entry) stays one key away.
Observers see the same and change nothing (the review screen says so when a decision key is
pressed).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from encore_tui import services
from encore_tui.base.i18n import t, t_msg
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, Role, may
from encore_tui.screens.base import DecisionSaved, Loaded, Session, SessionScreen
from encore_tui.screens.common import (
    lead_line,
    local_time,
    name_of,
    round_name,
)
from encore_tui.screens.dashboard import STATUS_CLASS
from encore_tui.widgets.footer import FittingFooter


def blind_text(spot: str, double: str) -> str:
    """The queue's blind-check column: spot state and double-entry state, short."""
    parts = []
    if spot and spot != "not needed":
        parts.append(f"{t('spot')} {t_msg(spot)}")
    if double:
        parts.append(f"{t('dbl')} {t_msg(double)}")
    return ", ".join(parts) or "-"


def read_queue(session: Session) -> tuple:
    """The whole AC as the review queue shows it (runs in a thread worker)."""
    from encore_tui.services import ro

    store, ac_id = session.store, session.ac_id
    return services.dashboard(store, ac_id), ro.review_queue(store, ac_id), ro.spot_check_rounds(store, ac_id)


class RoHomeScreen(SessionScreen):
    BINDINGS = [
        Binding(
            "f2", "dashboard", "Dashboard", id="home.dashboard", tooltip="Counting dashboard (round entry)"
        ),
        Binding("f5", "refresh", "Refresh", id="home.refresh", tooltip="Read the store again"),
        Binding("f6", "trends", "Trends", id="home.trends", tooltip="Trends: votes and lead by round"),
        Binding("f3", "vvpat", "VVPAT", id="home.vvpat", tooltip="VVPAT verification (after the last round)"),
        Binding(
            "f4",
            "result",
            "Result",
            id="home.result",
            tooltip="Result: Form 20 sign-off, tie lot, declaration",
        ),
        Binding("f9", "sign_out", "Sign out", id="home.sign_out", tooltip="Sign out (back to sign-in)"),
    ]

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only
        self.queue: list = []
        self._decided: str | None = None  # a decision to say once the queue is read again
        self._opening: int | None = None  # the round whose review is being read

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        yield Static(id="summary", classes="summary")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=False)
        yield Static(id="detail", classes="detail")
        yield Static(id="status", classes="status")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#queue", DataTable)
        for label, key, width in [
            (t("Round"), "round", 8),
            (t("Status"), "status", 16),
            (t("Rev"), "rev", 3),
            (t("Blind check"), "blind", 13),
            (t("Last change"), "by", 14),
            (t("Remark"), "remark", 10),
        ]:
            table.add_column(label, key=key, width=width)
        self.query_one("#summary", Static).update(self.loading())
        self.action_refresh()  # in a thread worker: the queue arrives as a Loaded message
        self.set_status(t("Enter: review the round · F2: counting dashboard · F1: help"))
        table.focus()

    def resumed(self) -> None:
        self.action_refresh()

    def on_loaded(self, message: Loaded) -> None:
        if message.key == "review":
            self._review_read(message)
            return
        if message.key != "queue":
            return
        if message.error is not None:
            self.set_status(f"{message.error} ({t('F5: try again')})", True)
            return
        self.show_rounds(*message.value)
        if self._decided is not None:
            self.set_status(self._decided)
            self._decided = None

    def show_rounds(self, d, queue: list, k: int) -> None:
        actor = self.actor
        self.queue = queue
        setup = d.ctx.setup
        demo = f" ({t('FICTIONAL DEMO')})" if setup.demo_mark and "काल्पनिक" not in name_of(setup.ac) else ""
        ro_mark = f" · {t('read-only')}" if self.read_only else ""
        self.query_one("#title", Static).update(
            f"AC {setup.ac.number} {name_of(setup.ac)}{demo} · {t('RO review')} · {actor.label} ({t(actor.role.value)}){ro_mark}"
        )
        waiting = len(self.queue)
        postal = d.rounds[POSTAL_ROUND]
        lead = (
            lead_line(setup, d.leader.lead, d.leader.cumulative.votes, f"r{d.leader.round_no}")
            if d.leader is not None
            else t("no votes yet")
        )
        spot = t("spot check rounds 1-{k}", k=k) if k else t("no spot check required")
        waiting_text = t("{n} round(s) waiting for the RO", n=waiting)
        self.query_one("#summary", Static).update(
            f"{waiting_text} · {t('Postal')}: {t(postal.status.label)} · {spot}\n{lead}"
        )
        table = self.query_one("#queue", DataTable)
        keep, was = table.cursor_row, self._selected() if table.row_count else None
        table.clear()
        queued = set()
        for i in self.queue:
            queued.add(i.round_no)
            name = round_name(i.round_no) if i.round_no else t("Postal")
            if i.kind == "vvpat":
                name = f"{i.round_no} VVPAT"
            style = STATUS_CLASS.get(i.status, "")
            label = t(i.status.label)
            status = f"[{style}]{label}[/]" if style else label
            if not i.in_order:
                status += " …"
            table.add_row(
                name,
                status,
                str(i.revision),
                blind_text(i.spot_state, i.double_state),
                f"{i.updated_by[:8]} {local_time(i.updated_at)[:5]}",
                i.remark[:10],
                key=str(i.round_no),
            )
        for r, info in d.rounds.items():
            if r in queued:
                continue
            name = round_name(r) if r else t("Postal")
            table.add_row(
                f"[dim]{name}[/]",
                f"[dim]{t(info.status.label)}[/]",
                str(info.revision),
                "",
                f"{info.updated_by[:8]} {local_time(info.updated_at)[:5]}" if info.revision else "",
                info.remark[:10],
                key=str(r),
            )
        if table.row_count:
            # stay on the round still waiting; once it is decided, go to the next one waiting
            if was in queued:
                row = [i.round_no for i in self.queue].index(was)
            elif queued:
                row = 0
            else:
                row = min(keep, table.row_count - 1)
            table.move_cursor(row=row)
        self._show_detail()

    def _selected(self) -> int | None:
        table = self.query_one("#queue", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value)

    def _show_detail(self) -> None:
        r = self._selected()
        item = next((i for i in self.queue if i.round_no == r), None)
        if item is None:
            text = (
                "" if r is None else f"{round_name(r)}: {t('not waiting for the RO (Enter: view, correct)')}"
            )
        else:
            text = f"{round_name(r)}: " + t(
                "{status} rev {rev} by {who}",
                status=t(item.status.label),
                rev=item.revision,
                who=item.updated_by,
            )
            if not item.in_order:
                text += " · " + t("after earlier rounds")
            if item.remark:
                text += f" · {item.remark}"
        self.query_one("#detail", Static).update(text)

    @on(DataTable.RowHighlighted, "#queue")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#queue")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.open_review(int(event.row_key.value))

    def open_review(self, round_no: int) -> None:
        """Read the round's review in a thread worker; the review screen opens with it
        (on_loaded). A second Enter while it is being read opens nothing more."""
        from encore_tui.services import ro

        if self._opening is not None:
            return
        self._opening = round_no
        self.set_status(self.loading())
        self.read_in_worker("review", lambda s: ro.review_round(s.store, s.ac_id, round_no))

    def _review_read(self, message: Loaded) -> None:
        from encore_tui.screens.ro.review import RoReviewScreen

        round_no, self._opening = self._opening, None
        if message.error is not None:
            self.set_status(str(message.error), True)
            return
        if round_no is not None and self.is_current:
            self.set_status(t("Enter: review the round · F2: counting dashboard · F1: help"))
            self.app.push_screen(RoReviewScreen(round_no, rv=message.value))

    def on_decision_saved(self, message: DecisionSaved) -> None:
        """Back from a decision on the review screen: say what was saved."""
        self._decided = message.text  # said once the queue is read again (on_loaded)
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the queue again, off the UI thread (`show_rounds` draws it when it arrives)."""
        self.read_in_worker("queue", read_queue)

    def action_dashboard(self) -> None:
        from encore_tui.screens.dashboard import DashboardScreen

        role = self.actor.role
        self.app.push_screen(DashboardScreen(read_only=not may(role, Action.ENTER), can_go_back=True))

    def action_vvpat(self) -> None:
        from encore_tui.screens.ro.vvpat import VvpatScreen

        self.app.push_screen(VvpatScreen())

    def action_result(self) -> None:
        from encore_tui.screens.ro.result import ResultScreen

        self.app.push_screen(ResultScreen())

    def action_trends(self) -> None:
        from encore_tui.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_sign_out(self) -> None:
        self.app.sign_out()


def lands_on_ro_home(role: Role) -> bool:
    return role in (Role.RO, Role.ARO, Role.OBSERVER)
