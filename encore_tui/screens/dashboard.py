"""The counting dashboard: every round (postal first) with its state; Enter opens a round.

Reusable by every role: `read_only` hides entry for roles that may not edit (observer); the RO
gets the same dashboard until the RO review screens take over (routing lives in app.route).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from encore_tui import services
from encore_tui.base.i18n import t
from encore_tui.domain import checks as ck
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import RoundStatus
from encore_tui.screens.base import Loaded, RoundSubmitted, Session, SessionScreen
from encore_tui.screens.common import (
    lead_line,
    name_of,
    round_name,
    user_errors,
)
from encore_tui.widgets.footer import FittingFooter
from encore_tui.widgets.textual_compat import KeyFirst, run_own_binding

STATUS_CLASS = {
    RoundStatus.DRAFT: "",
    RoundStatus.SUBMITTED: "bold",
    RoundStatus.RETURNED: "bold red",
    RoundStatus.APPROVED: "green",
    RoundStatus.PUBLISHED: "bold green",
    RoundStatus.NEEDS_REAPPROVAL: "bold yellow",
    RoundStatus.CORRECTION: "bold yellow",
}


def push_line(outbox: dict[str, int]) -> str:
    """The push queue as the dashboard says it: waiting (queued or in flight), sent (central
    acknowledged) and failed (refused by central: `encore push --list` says why)."""
    if not any(outbox.values()):
        return t("empty")
    pending = outbox.get("queued", 0) + outbox.get("sent", 0)
    return t(
        "{pending} pending, {sent} sent, {failed} failed",
        pending=pending,
        sent=outbox.get("acked", 0),
        failed=outbox.get("failed", 0),
    )


@dataclass(frozen=True)
class RoundsRead:
    """What the dashboard shows, read in one go off the UI thread."""

    dashboard: services.queries.Dashboard
    tallies: dict
    double_rounds: list[int]


def read_rounds(session: Session, read_only: bool) -> RoundsRead:
    """The whole AC as the dashboard shows it (runs in a thread worker)."""
    from encore_tui.services import ro

    store, ac_id = session.store, session.ac_id
    d = services.dashboard(store, ac_id)
    tallies = {rt.round_no: rt for rt in services.round_tallies(store, ac_id)}
    double = [] if read_only else ro.double_entries_for(store, ac_id, session.actor)
    return RoundsRead(d, tallies, double)


class RoundsTable(KeyFirst, DataTable):
    """The rounds list. Enter opens the round at once (in this widget's own queue), and keys
    typed ahead before the round screen is up are kept for it: an operator who presses Enter
    and starts typing the first figure straight away loses nothing."""

    async def key_first(self, event: events.Key) -> bool:
        if self.app.screen is not self.screen:  # a round screen is opening: keep the key
            event.stop()
            event.prevent_default()
            self.app.typeahead.append(event)
            return True
        if not self.screen.loaded:  # the rounds are still being read: keep the key for them
            event.stop()
            event.prevent_default()
            self.screen.early_keys.append(event)
            return True
        if event.key == "enter" and self.row_count:
            event.stop()
            event.prevent_default()
            from encore_tui.screens.round_entry import open_round

            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
            open_round(self.screen, int(row_key.value))
            return True
        if event.key in ("home", "end"):  # the table's own Home/End scroll sideways, not to a round
            event.stop()
            event.prevent_default()
            self.move_cursor(row=0 if event.key == "home" else self.row_count - 1)
            return True
        # the table's own keys (↑↓, PgUp…) run here too, so a Down typed before an Enter
        # moves the cursor before that Enter opens a round
        return await run_own_binding(self, event)


class DashboardScreen(SessionScreen):
    BINDINGS = [
        Binding("f6", "trends", "Trends", id="dashboard.trends", tooltip="Trends: votes and lead by round"),
        Binding("f5", "refresh", "Refresh", id="dashboard.refresh", tooltip="Read the store again"),
        Binding("f9", "sign_out", "Sign out", id="dashboard.sign_out", tooltip="Sign out (back to sign-in)"),
        Binding(
            "f7",
            "form17c",
            "17C I",
            id="dashboard.form17c",
            tooltip="Form 17C Part I: key the paper copies",
            show=False,
        ),
        Binding(
            "f4",
            "double_entry",
            "Double entry",
            id="dashboard.double_entry",
            tooltip="Key the round assigned to you blind",
        ),
        Binding("escape", "back", "Back", id="dashboard.back", tooltip="Back to the RO review queue"),
        Binding("f8", "print", "Print", id="dashboard.print", tooltip="Print Form 20 (PDF)", show=False),
    ]

    def __init__(self, read_only: bool = False, can_go_back: bool = False) -> None:
        super().__init__()
        self.read_only = read_only
        self.can_go_back = can_go_back  # opened from the RO's review queue (Esc goes back)
        self.double_rounds: list[int] = []
        self.rounds: dict = {}
        self._summary: tuple[list[str], str] | None = None  # the summary's lines, once read
        self._summary_text: str | None = None  # what the summary shows (see _show_summary)
        self._submitted: tuple[int, str] | None = None  # said once the rounds are read again
        self.loaded = False  # until the rounds are first read, keys wait (RoundsTable)
        self.early_keys: list[events.Key] = []

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        yield Static(id="summary", classes="summary")
        yield RoundsTable(id="rounds", cursor_type="row", zebra_stripes=False)
        yield Static(id="status", classes="status")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rounds", DataTable)
        for label, key, width in [
            (t("Round"), "round", 10),  # "डाक मतपत्र" whole
            (t("Status"), "status", 12),
            (t("Tables"), "tables", 6),
            (t("Kept aside"), "kept", 11),
            (t("Leading"), "lead", 18),
            (t("Margin"), "margin", 7),
        ]:
            table.add_column(label, key=key, width=width)
        self.query_one("#summary", Static).update(self.loading())
        self.action_refresh()  # in a thread worker: the rounds arrive as a Loaded message
        self.set_status(t("Enter: open the round · F7: Form 17C Part I · F1: help · Ctrl+P: commands"))
        table.focus()
        self.set_interval(2.0, self.refresh_push)  # the push queue moves on its own (the relay)

    def resumed(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the rounds again, off the UI thread (`show_rounds` draws them when they arrive)."""
        self.read_in_worker("rounds", partial(read_rounds, read_only=self.read_only))

    def on_loaded(self, message: Loaded) -> None:
        if message.key == "outbox":
            if message.error is None and self._summary is not None:
                self._show_summary(message.value)  # on failure the next refresh tries again
            return
        if message.key != "rounds":
            return
        if message.error is not None:  # e.g. the PostgreSQL server is unreachable
            self.set_status(f"{message.error} ({t('F5: try again')})", True)
            return
        self.show_rounds(message.value)
        if self._submitted is not None:
            self._say_submitted(*self._submitted)
            self._submitted = None
        if not self.loaded:  # keys typed before the rounds were there, in the order typed
            self.loaded = True
            table = self.query_one("#rounds", DataTable)
            early, self.early_keys = self.early_keys, []
            for key in early:
                table.post_message(events.Key(key.key, key.character))

    def show_rounds(self, rd: RoundsRead) -> None:
        d, tallies = rd.dashboard, rd.tallies
        setup = d.ctx.setup
        actor = self.actor
        ro = f" · {t('read-only')}" if self.read_only else ""
        demo = f" ({t('FICTIONAL DEMO')})" if setup.demo_mark and "काल्पनिक" not in name_of(setup.ac) else ""
        self.query_one("#title", Static).update(
            f"AC {setup.ac.number} {name_of(setup.ac)}{demo} · {t('Counting dashboard')} · {actor.label} ({t(actor.role.value)}){ro}"
        )
        self.rounds = d.rounds  # the rounds' states as last read (on_round_submitted picks the next one)
        postal = d.rounds[POSTAL_ROUND]
        lines = [
            f"{t('Postal')}: {t(postal.status.label)}, "
            + t("{n}/{of} postal tables entered", n=d.entered.get(0, 0), of=setup.postal_tables)
        ]
        last = d.ctx.last_round
        if not postal.status.is_approved and last >= 2:
            lines.append(
                f"{ck.POSTAL_NOT_DONE.code}: "
                + t("rounds {a}-{b} wait for the RO to approve the postal result.", a=last - 1, b=last)
            )
        if d.leader is not None:
            r = d.leader.round_no
            lines.append(
                lead_line(setup, d.leader.lead, d.leader.cumulative.votes, f"r{r}", d.provisional(r))
            )
        else:
            lines.append(t("no votes yet"))
        kept = ", ".join(f"PS {e.station} (r{e.round_no})" for e in d.kept_aside)
        self.double_rounds = rd.double_rounds
        if not self.read_only and self.double_rounds:
            rounds = ", ".join(map(str, self.double_rounds))
            lines.append(t("Double entry assigned to you: round {rounds} (F4: key it blind)", rounds=rounds))
        self.refresh_bindings()
        self._summary = lines, f"{t('Kept aside')}: {kept or t('none')}"
        self._show_summary(d.outbox)

        table = self.query_one("#rounds", DataTable)
        keep_row = table.cursor_row
        table.clear()
        kept_by_round: dict[int, list[str]] = {}
        for e in d.kept_aside:
            kept_by_round.setdefault(e.round_no, []).append(e.station)
        for r, info in d.rounds.items():
            n_tables = len(d.ctx.tables_of(r))
            rt = tallies.get(r)
            lead, margin = "", ""
            if rt is not None and d.entered.get(r) and rt.lead.leader:
                c = setup.candidates[rt.lead.leader - 1]
                lead, margin = f"{c.party} {name_of(c)}"[:18], str(rt.lead.margin)
            style = STATUS_CLASS.get(info.status, "")
            label = t(info.status.label)
            status = f"[{style}]{label}[/]" if style else label
            table.add_row(
                round_name(r) if r else t("Postal"),
                status,
                f"{d.entered.get(r, 0)}/{n_tables}",
                ",".join(kept_by_round.get(r, []))[:11],
                lead,
                margin,
                key=str(r),
            )
        if keep_row:
            table.move_cursor(row=min(keep_row, len(d.rounds) - 1))
        else:
            # start on the first round that still needs work
            todo = [
                i
                for i, (r, info) in enumerate(d.rounds.items())
                if info.status in (RoundStatus.DRAFT, RoundStatus.RETURNED)
            ]
            table.move_cursor(row=todo[0] if todo else 0)

    def _show_summary(self, outbox: dict[str, int]) -> None:
        lines, kept = self._summary
        text = "\n".join([*lines, f"{kept} · {t('Push queue')}: {push_line(outbox)}"])
        if text != self._summary_text:  # a layout pass only for a change
            self._summary_text = text
            self.query_one("#summary", Static).update(text)

    def refresh_push(self) -> None:
        """Re-read only the push queue's counts (every 2 s, and when the relay reports) — while
        the dashboard is on screen: under a round being typed it would only add work to the
        keystrokes (it is read again when the dashboard comes back)."""
        if self._summary is None or not self.is_current:
            return
        self.read_in_worker("outbox", lambda s: services.outbox_counts(s.store, s.ac_id))

    def action_print(self) -> None:
        from encore_tui.screens.common import print_in_worker

        print_in_worker(self, "form20", None, self.set_status)

    def palette_commands(self) -> list[tuple[str, str, object]]:
        return [
            (t("Print {what}", what=t("Form 20")), t("The final result sheet as PDF (F8)"), self.action_print)
        ]

    def on_round_submitted(self, message: RoundSubmitted) -> None:
        """Back from a submitted round: say so, and put the cursor on the next round to type."""
        self._submitted = (message.round_no, message.ts)
        self.action_refresh()  # said once the rounds are read again (on_loaded)

    def _say_submitted(self, round_no: int, ts: str) -> None:
        from encore_tui.screens.common import local_time

        table = self.query_one("#rounds", DataTable)
        # the next round still to type (draft or returned), after this one first, else from the top
        todo = [
            r for r, info in self.rounds.items() if info.status in (RoundStatus.DRAFT, RoundStatus.RETURNED)
        ]
        nxt = next((r for r in todo if r > round_no), todo[0] if todo else None)
        text = f"{t('saved')} {local_time(ts)} · " + t(
            "{round} submitted to the RO.", round=round_name(round_no)
        )
        if nxt is not None:
            table.move_cursor(row=table.get_row_index(str(nxt)))
            text += " " + t("Enter: open {round}.", round=round_name(nxt))
        self.set_status(text)

    @on(DataTable.RowSelected, "#rounds")
    def _open(self, event: DataTable.RowSelected) -> None:
        from encore_tui.screens.round_entry import open_round

        open_round(self, int(event.row_key.value))

    def action_trends(self) -> None:
        from encore_tui.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_sign_out(self) -> None:
        self.app.sign_out()

    def action_form17c(self) -> None:
        from encore_tui.screens.form17c_entry import Form17CScreen
        from encore_tui.services.form17c import double_keyer

        # the operator the RO assigned the second keying to gets the blind grid
        blind = double_keyer(self.store, self.ac_id) == self.actor.username
        self.app.push_screen(Form17CScreen(blind=blind))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.can_go_back
        if action == "double_entry":  # offered only while a blind keying is assigned to this user
            return bool(self.double_rounds)
        return True

    def action_back(self) -> None:
        if self.can_go_back:
            self.app.pop_screen()

    def action_double_entry(self) -> None:
        """Open the blind second keying assigned to this user (opened by the RO)."""
        from encore_tui.screens.blind import BlindEntryScreen
        from encore_tui.services import ro

        try:
            self.double_rounds = ro.double_entries_for(self.store, self.ac_id, self.actor)
        except user_errors() as exc:
            self.set_status(str(exc), True)
            return
        self.refresh_bindings()
        if not self.double_rounds:
            self.set_status(t("No double entry is assigned to you."), True)
            return
        self.app.push_screen(BlindEntryScreen(self.double_rounds[0], "double"))
