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
from encore_tui.screens.common import (
    StatusScreen,
    lead_line,
    local_time,
    localize_bindings,
    name_of,
    round_name,
    user_errors,
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


class RoHomeScreen(StatusScreen):
    BINDINGS = [
        Binding(
            "f2", "dashboard", "Dashboard", id="ro.dashboard", tooltip="Counting dashboard (round entry)"
        ),
        Binding("f5", "refresh", "Refresh", id="refresh", tooltip="Read the store again"),
        Binding("f6", "trends", "Trends", id="trends", tooltip="Trends: votes and lead by round"),
        Binding("f3", "vvpat", "VVPAT", id="ro.vvpat", tooltip="VVPAT verification (after the last round)"),
        Binding(
            "f4", "result", "Result", id="ro.result", tooltip="Result: Form 20 sign-off, tie lot, declaration"
        ),
        Binding("f9", "sign_out", "Sign out", id="sign_out", tooltip="Sign out (back to sign-in)"),
    ]

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        localize_bindings(self)
        self.read_only = read_only
        self.queue: list = []

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
        self.action_refresh()
        self.set_status(t("Enter: review the round · F2: counting dashboard · F1: help"))
        table.focus()

    def on_screen_resume(self) -> None:
        if self.app.actor is not None:  # not while signing out (the screens underneath resume)
            self.action_refresh()

    def refresh_rounds(self) -> None:
        store, ac_id, actor = self.app.store, self.app.ac_id, self.app.actor
        from encore_tui.services import ro

        d = services.dashboard(store, ac_id)
        self.queue = ro.review_queue(store, ac_id)
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
        k = ro.spot_check_rounds(store, ac_id)
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
        from encore_tui.screens.ro.review import RoReviewScreen

        try:
            services.round_view(self.app.store, self.app.ac_id, round_no)
        except user_errors() as exc:
            self.set_status(str(exc), True)
            return
        self.app.push_screen(RoReviewScreen(round_no))

    def open_round(self, round_no: int, resume: dict | None = None) -> None:
        """Round entry (app.signed_in puts the RO back on a correction after a power cut)."""
        from encore_tui.screens.round_entry import RoundScreen

        try:
            view = services.round_view(self.app.store, self.app.ac_id, round_no)
        except user_errors() as exc:
            self.set_status(str(exc), True)
            return
        self.app.push_screen(RoundScreen(round_no, resume=resume, view=view))

    def after_decision(self, text: str) -> None:
        """Back from a decision on the review screen: say what was saved."""
        self.action_refresh()
        self.set_status(text)

    def action_refresh(self) -> None:
        try:
            self.refresh_rounds()
        except user_errors() as exc:
            self.set_status(f"{exc} ({t('F5: try again')})", True)

    def action_dashboard(self) -> None:
        from encore_tui.screens.dashboard import DashboardScreen

        role = self.app.actor.role
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
