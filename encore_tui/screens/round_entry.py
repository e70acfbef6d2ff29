"""Round entry (and the postal round): the tally grid plus the lines around it.

Every change goes through a service call; the status line says "saved HH:MM:SS" only after
that call returned. Calls are made synchronously on purpose: the next keystroke waits in
Textual's queue, so figures are saved strictly in the order typed.
"""

from __future__ import annotations

import gc
from dataclasses import replace

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import get_current_worker

from encore_tui import services
from encore_tui.base.i18n import t, t_msg
from encore_tui.domain import checks as ck
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import RoundStatus, may_edit
from encore_tui.domain.tally import retally
from encore_tui.screens.base import SessionScreen
from encore_tui.screens.common import (
    check_text,
    field_label,
    grid_labels,
    lead_line,
    name_of,
    right_columns,
    round_name,
    saved_time,
    table_mark,
    table_marks,
    user_errors,
)
from encore_tui.screens.messages import not_saved
from encore_tui.screens.round_decisions import RoundDecisions
from encore_tui.services.queries import postal_totals
from encore_tui.widgets.footer import FittingFooter
from encore_tui.widgets.tally_grid import Refusal, TallyGrid

TOTALS_REREAD_AFTER = 1.5  # seconds without a save before the round is re-read from the store


def open_round(screen: SessionScreen, round_no: int, resume: dict | None = None) -> None:
    """Open round entry from `screen` (the dashboard, the RO's queue after a power cut, the
    palette). The round is read here, on the UI thread, on purpose: keys typed meanwhile wait in
    the queue (or `app.typeahead`) and reach the grid in the order typed. A failure is said on
    `screen`'s status line."""
    try:
        view = services.round_view(screen.store, screen.ac_id, round_no)
    except user_errors() as exc:
        screen.set_status(str(exc), True)
        return
    screen.app.push_screen(RoundScreen(round_no, resume=resume, view=view))


class RoundScreen(RoundDecisions, SessionScreen):
    BINDINGS = [
        # short descriptions fit the footer at 80 columns; the tooltip is the F1 help text
        Binding(
            "f2",
            "keep_aside",
            "Keep aside",
            id="round.keep_aside",
            tooltip="Keep the table aside / restore it",
        ),
        Binding(
            "f3", "acknowledge", "Ack 17C", id="round.acknowledge", tooltip="Acknowledge the 17C warning"
        ),
        Binding("f5", "submit_round", "Submit", id="round.submit", tooltip="Submit the round to the RO"),
        Binding("f6", "trends", "Trends", id="round.trends", tooltip="Trends: votes and lead by round"),
        Binding("f7", "toggle_totals", "Totals", id="round.totals", tooltip="Show/hide the totals columns"),
        Binding("escape", "back", "Back", id="round.back", tooltip="Back to the dashboard"),
        Binding(
            "f8", "print", "Print", id="round.print", tooltip="Print this round's sheet (PDF)", show=False
        ),
        Binding(
            "ctrl+o",
            "scans",
            "Scans",
            id="round.scans",
            tooltip="Postal: attach / view the Form 13A/13B scans",
        ),
    ]

    def __init__(self, round_no: int, resume: dict | None = None, view=None) -> None:
        super().__init__()
        self.round_no = round_no
        self.resume = resume
        self._ready = False  # until the grid has the keyboard, keys are kept (typeahead)
        self.view: services.queries.RoundView | None = view  # read by the caller, which shows failures
        self._bars: dict[str, str] = {}  # what each one-line bar shows now (see _bar)
        self._status_error: bool | None = None  # whether #status has the "error" class now
        self._notice_text: str | None = None  # the notice's lines (its height follows them)
        self._totals_timer = None  # the pending re-read of the round (refresh_totals)

    @property
    def grid(self) -> TallyGrid:
        return self.query_one(TallyGrid)

    def compose(self) -> ComposeResult:
        if self.view is None:
            self.view = services.round_view(self.store, self.ac_id, self.round_no)
        v = self.view
        ctx, setup = v.ctx, v.ctx.setup
        postal = self.round_no == POSTAL_ROUND
        tables = list(enumerate(ctx.tables_of(self.round_no), start=1))
        limits = {
            s: setup.ac.electors
            if postal
            else (getattr(v.form17c.get(s), "electors", None) or ck.max_cell_value(setup, s))
            for _, s in tables
        }
        form17c = v.form17c_totals
        yield Static(id="title", classes="title-bar", markup=False)
        yield Static(id="notice", classes="notice")
        yield TallyGrid(
            grid_labels(setup, postal), tables, postal=postal, limits=limits, form17c=form17c, id="grid"
        )
        yield Static(id="detail", classes="detail", markup=False)
        yield Static(id="lead", classes="lead", markup=False)
        yield Static(id="status", classes="status", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        grid = self.grid
        grid.saver = self._save
        self._apply_view(self.view)
        if self.resume:
            grid.move_to(self.resume.get("station"), self.resume.get("field"))
            self.set_status(self._resume_text(), error=False)
        else:
            # a fresh round starts at table 1, candidate 1; else the first blank cell
            grid.move_to(*self._first_blank())
        grid.focus()
        self._remember()
        self._update_detail()
        self._ready = True
        # keys typed while this screen was opening, in the order they were typed
        early = sorted(self.app.typeahead, key=lambda k: k.time)
        self.app.typeahead.clear()
        for key in early:
            grid.post_message(events.Key(key.key, key.character))
        # What is alive now (Textual, SQLAlchemy, pydantic, the AC) lives as long as the
        # screen: keep it out of the collector's full passes, which otherwise stop a
        # keystroke for ~90 ms every few hundred cells.
        gc.freeze()

    def on_unmount(self) -> None:
        # the screen's own objects are garbage now (widgets hold cycles): let the collector see
        # everything again, so a day of opening rounds does not pile up uncollected screens
        gc.unfreeze()

    def on_key(self, event: events.Key) -> None:
        if not self._ready:
            event.stop()
            event.prevent_default()
            self.app.typeahead.append(event)

    # -- data -> screen ---------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self.view is not None and may_edit(self.view.info.status, self.actor.role)

    def _apply_view(self, v) -> None:
        self.view = v
        self.grid.load(v.entries, table_marks(v.checks, v.entries), right_columns(v), self.editable)
        self._update_lines()

    def _update_lines(self) -> None:
        v = self.view
        setup = v.ctx.setup
        status = v.info.status
        ro = "" if self.editable else f" · {t('read-only')}"
        total_rounds = v.ctx.last_round
        where = round_name(self.round_no) + ("" if self.round_no == 0 else f"/{total_rounds}")
        self._bar(
            "title",
            f"AC {setup.ac.number} {name_of(setup.ac)} · {where} · {t(status.label)}{ro} · {self.actor.label}",
        )
        notices = []
        if status is RoundStatus.RETURNED and v.info.remark:
            notices.append(f"{t('Remark from the RO')}: {v.info.remark}")
        if status is RoundStatus.CORRECTION and v.info.remark:
            notices.append(f"{t('Correction')}: {v.info.remark}")
        for c in v.checks:
            if c.code is ck.POSTAL_NOT_DONE:
                notices.append(
                    f"{c.code.code}: {t_msg(c.message)} — {t('this round cannot be submitted yet.')}"
                )
        if status is RoundStatus.SUBMITTED:
            notices.append(t("Submitted: waiting for the RO (locked for entry)."))
        notice = self.query_one("#notice", Static)
        text = "\n".join(notices)
        if text != self._notice_text:  # its height follows its lines: a layout pass, only then
            self._notice_text = text
            notice.update(text)
            notice.display = bool(notices)
        if v.tally is not None:
            text = lead_line(
                setup, v.tally.lead, v.tally.cumulative.votes, f"r{self.round_no}", v.provisional
            )
        else:
            p = v.postal_totals
            text = t(
                "Postal total {total} · valid {valid} · NOTA {nota} · rejected {rejected}",
                total=p.total,
                valid=p.total_valid,
                nota=p.nota,
                rejected=p.rejected,
            )
        self._bar("lead", text)

    def _update_detail(self) -> None:
        grid, v = self.grid, self.view
        setup = v.ctx.setup
        no, station = grid.tables[grid.col]
        row = grid.rows[grid.row]
        if self.round_no == POSTAL_ROUND:
            where = t("Postal table {no}", no=no)
        else:
            st = v.ctx.stations_by_number.get(station)
            where = f"T{no} {t('PS')} {station}" + (f" {st.name[:24]}" if st and st.name else "")
        what = field_label(setup, row.key, self.round_no == POSTAL_ROUND) if row.editable else row.label
        if row.key.startswith("c") and row.key[1:].isdigit():
            c = setup.candidates[int(row.key[1:]) - 1]
            if c.name_hi and name_of(c) != c.name_hi:
                what += f" {c.name_hi}"
        entry = grid.entries.get(station)
        msgs = [
            check_text(c).split(": ", 1)[-1]
            for c in v.checks
            if c.station == station and c.code is not ck.INCOMPLETE
        ]
        if entry is not None and entry.kept_aside is not None:
            msgs = [
                f"{t('kept aside')}: {t(entry.kept_aside.label)}"
                + (f" ({entry.kept_aside_note})" if entry.kept_aside_note else "")
            ]
        line = f"{where} · {what}"
        if msgs:
            line += " · " + "; ".join(msgs)
        self._bar("detail", line)

    def _bar(self, widget_id: str, text: str) -> None:
        """Set a one-line bar (CSS height 1): repainted only when its text changed, and without
        a layout pass — on every Enter most of them say the same as before."""
        if self._bars.get(widget_id) != text:
            self._bars[widget_id] = text
            self.query_one(f"#{widget_id}", Static).update(text, layout=False)

    def _show_status(self, text: str, error: bool) -> None:
        # set_status (StatusScreen) shortens a refusal to the line and logs its full text
        self._bar("status", text)
        if self._status_error is not error:  # most Enters: unchanged, so no style pass
            self._status_error = error
            self.query_one("#status", Static).set_class(error, "error")

    def _resume_text(self) -> str:
        g = self.grid
        no, station = g.tables[g.col]
        return (
            f"{t('Entry resumes at')} T{no} {t('PS')} {station}, "
            f"{field_label(self.view.ctx.setup, g.field, self.round_no == POSTAL_ROUND)}"
            f" ({t('typing without Enter is not kept')})"
        )

    def _first_blank(self) -> tuple[str | None, str | None]:
        for e in self.view.entries:
            if e.kept_aside is not None:
                continue
            for f in self.view.ctx.fields_of(self.round_no):
                if f not in e.values:
                    return e.station, f
        return None, None

    def _remember(self) -> None:
        """Save where the operator is, so a power cut reopens here."""
        g = self.grid
        state = {"screen": "round", "round": self.round_no, **g.cursor_state(g.col, g.row)}
        try:
            services.save_ui_state(self.store, self.actor, self.ac_id, state)
        except user_errors():
            pass  # not worth interrupting the operator for

    def refresh_view(self) -> None:
        try:
            v = services.round_view(self.store, self.ac_id, self.round_no)
        except user_errors() as exc:
            self.set_status(f"{t('Could not re-read the round')}: {exc}", True)
            return
        self._apply_view(v)
        self._update_detail()

    # -- the save path ----------------------------------------------------------------------
    def _save(
        self, station: str, field: str, value: int | None, expected: int | None, cursor: dict
    ) -> Refusal | None:
        try:
            saved = services.enter_cell(
                self.store,
                self.ac_id,
                self.round_no,
                station,
                field,
                value,
                self.actor,
                expected=expected,
                cursor={"screen": "round", "round": self.round_no, **cursor},
            )
        except user_errors() as exc:
            self.log.warning(f"refused: {exc}")
            if isinstance(exc, services.StaleEdit):
                self.refresh_view()  # show what somebody else saved
                return Refusal(not_saved(exc), keep_typing=False)  # "check the sheet, type it again"
            # the digits stay in the cell: "press Enter again" retries with them
            return Refusal(not_saved(exc))
        # repaint this table from the domain: its checks and the totals
        grid = self.grid
        old = grid.entries[station]
        values = dict(old.values)
        if value is None:
            values.pop(field, None)
        else:
            values[field] = value
        entry = replace(old, values=values)
        cs = ck.check_table(
            self.view.ctx.setup,
            entry,
            postal=self.round_no == POSTAL_ROUND,
            form17c=self.view.form17c,
            cu_confirmed=self.view.cu_confirmed,
        )
        grid.update_table(entry, table_mark(cs, entry), changed=field)
        self._apply_totals(self._with_entry(entry, cs))  # at once, from the domain
        self.refresh_totals()  # and from the store once the operator pauses
        no = grid.tables[grid.station_col(station)][0]
        shown = t("blank") if value is None else str(value)
        label = field_label(self.view.ctx.setup, field, self.round_no == POSTAL_ROUND)
        text = f"{t('saved')} {saved_time(saved)} · T{no} {label} = {shown}"
        warn = [c for c in cs if c.blocks and c.code is not ck.INCOMPLETE]
        if warn:  # say it now, while the sheet is still in the operator's hand
            code = warn[0].code.code
            text += f" · {code}: " + (
                t("F3 acknowledge or F2 keep aside") if code in ck.ACKNOWLEDGEABLE else t_msg(warn[0].message)
            )
        elif cursor.get("station") == station and field == grid.rows[grid.field_count - 1].key:
            text += " · " + t("last table done: F5 submits the round")
        self.set_status(text, error=bool(warn))
        return None

    def _with_entry(self, entry, table_checks: list[ck.Check]):
        """This round's view with one table replaced: totals, lead and that table's checks follow
        (pure domain arithmetic; what the round brought forward is unchanged)."""
        v = self.view
        entries = [entry if e.station == entry.station else e for e in v.entries]
        checks = [c for c in v.checks if c.station != entry.station] + list(table_checks)
        n = v.ctx.n
        if v.tally is None:
            return replace(v, entries=entries, checks=checks, postal_totals=postal_totals(entries, n))
        return replace(v, entries=entries, checks=checks, tally=retally(v.tally, entries, n))

    def refresh_totals(self) -> None:
        """Re-read the round from the store off the key path, once the operator pauses: on a
        full AC the round view reads every round (~50 ms). The screen already shows what was
        saved (`_with_entry`); this catches what others changed (the RO, a second window).
        While the operator types on, the read waits, so it never competes with a keystroke's
        repaint for the interpreter (it doubled the Enter-to-screen time)."""
        if self._totals_timer is not None:
            self._totals_timer.stop()
        self._totals_timer = self.set_timer(
            TOTALS_REREAD_AFTER,
            lambda: self.run_worker(self._load_totals, thread=True, exclusive=True, group="totals"),
        )

    def _load_totals(self) -> None:
        try:
            v = services.round_view(self.store, self.ac_id, self.round_no)
        except user_errors() as exc:
            self.app.call_from_thread(self.set_status, f"{t('Totals not refreshed')}: {exc}", True)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply_totals, v)

    def _apply_totals(self, v) -> None:
        self.view = v
        self.grid.set_right(right_columns(v))
        self._update_lines()
        self._update_detail()

    # -- events -----------------------------------------------------------------------------
    @on(TallyGrid.Moved)
    def _moved(self) -> None:
        self._update_detail()

    @on(TallyGrid.Notice)
    def _notice(self, event: TallyGrid.Notice) -> None:
        self.set_status(event.text, error=event.error)

    # -- actions ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # postal tables are never kept aside and have no 17C Part I to acknowledge
        postal = self.round_no == POSTAL_ROUND
        if action == "scans":  # the Form 13A/13B scans belong to the postal round
            return postal
        return not (postal and action in ("keep_aside", "acknowledge"))

    def action_trends(self) -> None:
        from encore_tui.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_toggle_totals(self) -> None:
        self.grid.toggle_right()

    def action_print(self) -> None:
        from encore_tui.screens.common import print_in_worker

        print_in_worker(self, "round", self.round_no, self.set_status)

    def action_back(self) -> None:
        try:
            services.save_ui_state(self.store, self.actor, self.ac_id, {"screen": "dashboard"})
        except user_errors():
            pass
        self.app.pop_screen()
