"""Blind keying and its comparison.

BlindEntryScreen: one screen for both blind keyings — the RO's spot check ("spot") and the
second operator's full double entry ("double"). It lists the cells to re-key (table, station,
candidate) WITHOUT the entered figures (`ro.blind_sheet` never returns them); each figure is
saved by `ro.enter_blind` when Enter is pressed.

BlindResultScreen: the RO (or the observer) sees entered and re-keyed figures side by side
(`ro.blind_result`); the RO decides each differing cell (`ro.resolve_blind`).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from encore_tui import services
from encore_tui.base.i18n import lang, t
from encore_tui.domain.rounds import Role
from encore_tui.screens.base import SessionScreen
from encore_tui.screens.common import (
    field_label,
    round_name,
    saved_time,
    short_field,
    user_errors,
)
from encore_tui.screens.messages import not_saved
from encore_tui.widgets.footer import FittingFooter
from encore_tui.widgets.textual_compat import KeyFirst

PURPOSE_NAME = {"spot": "Blind spot check", "double": "Double entry (blind second keying)"}


def _fmt(v) -> str:
    return t("blank") if v is None else str(v)


class FigureInput(KeyFirst, Input):
    """Enter saves at once, in this input's own queue: figures typed in one burst (SSH, a fast
    typist) each go to their own cell, never glued to the next one."""

    async def key_first(self, event: events.Key) -> bool:
        if event.key != "enter":
            return False
        event.stop()
        event.prevent_default()
        self.screen.save_figure(self.value)
        return True


class BlindEntryScreen(SessionScreen):
    BINDINGS = [
        Binding("up", "prev", "Previous cell", id="blind.up", show=False),
        Binding("down", "next", "Next cell", id="blind.down", show=False),
        Binding("escape", "back", "Back", id="blind.back", tooltip="Back (every figure saved stays saved)"),
    ]

    def __init__(self, round_no: int, purpose: str) -> None:
        super().__init__()
        self.round_no, self.purpose = round_no, purpose
        self.prompts: list = []
        self.at = 0
        self._setup = None  # the AC's setup, for Hindi names (see _label)

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        yield Static(
            t("Type each figure from the paper sheet. The figures entered by the operator are not shown."),
            classes="summary",
        )
        yield DataTable(id="prompts", cursor_type="row", zebra_stripes=False)
        yield Static(id="detail", classes="detail")
        yield FigureInput(id="figure", placeholder=t("figure, then Enter"), compact=True)
        yield Static(id="status", classes="status")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#prompts", DataTable)
        table.can_focus = False
        for label, key, width in [
            (t("Table"), "table", 5),
            (t("PS"), "ps", 8),
            (t("Candidate"), "label", 34),
            (t("Re-keyed"), "mine", 9),
        ]:
            table.add_column(label, key=key, width=width)
        actor = self.actor
        self.query_one("#title", Static).update(
            f"{t(PURPOSE_NAME[self.purpose])} · {round_name(self.round_no)} · {actor.label} ({t(actor.role.value)})"
        )
        if self.reload():
            todo = [i for i, p in enumerate(self.prompts) if p.rekeyed is None]
            self.move(todo[0] if todo else 0)
        self.query_one("#figure", Input).focus()

    def reload(self) -> bool:
        from encore_tui.services import ro

        try:
            sheet = ro.blind_sheet(self.store, self.ac_id, self.round_no, self.purpose, self.actor)
        except user_errors() as exc:
            self.set_status(str(exc), True)
            return False
        self.prompts = sheet.prompts
        table = self.query_one("#prompts", DataTable)
        table.clear()
        for i, p in enumerate(self.prompts):
            mine = "" if p.rekeyed is None else str(p.rekeyed)
            table.add_row(str(p.table_no), p.station, self._label(p)[:34], mine, key=str(i))
        return True

    def move(self, i: int) -> None:
        if not self.prompts:
            return
        self.at = max(0, min(len(self.prompts) - 1, i))
        self.query_one("#prompts", DataTable).move_cursor(row=self.at)
        p = self.prompts[self.at]
        self.query_one("#detail", Static).update(
            f"{self.at + 1}/{len(self.prompts)} · "
            + t("table {no} PS {station}", no=p.table_no, station=p.station)
            + f" · {self._label(p)}"
        )
        self.query_one("#figure", Input).value = ""

    def _label(self, prompt) -> str:
        """The cell's row (candidate, NOTA, total) in the UI language (Hindi names from the setup)."""
        if lang() == "en":
            return prompt.label
        if self._setup is None:
            self._setup = services.load_context(self.store, self.ac_id).setup
        return field_label(self._setup, prompt.field)

    def action_prev(self) -> None:
        self.move(self.at - 1)

    def action_next(self) -> None:
        self.move(self.at + 1)

    def save_figure(self, value: str) -> None:
        from encore_tui.services import ro

        if not self.prompts:
            return
        text = value.strip()
        if not text.isdigit():
            self.set_status(f"'{text}' is not a figure: type the number of votes with 0-9 only.", True)
            return
        p = self.prompts[self.at]
        try:
            saved = ro.enter_blind(
                self.store,
                self.ac_id,
                self.round_no,
                self.purpose,
                p.station,
                p.field,
                int(text),
                self.actor,
            )
        except user_errors() as exc:
            self.set_status(not_saved(exc), True)
            return
        self.reload()
        left = [i for i, q in enumerate(self.prompts) if q.rekeyed is None]
        self.set_status(
            f"{t('saved')} {saved_time(saved)} · table {p.table_no} PS {p.station} {p.label} = {text}"
            + (f" · {len(left)} left" if left else " · every cell re-keyed")
        )
        if left:
            after = [i for i in left if i > self.at]
            self.move(after[0] if after else left[0])
            return
        self.move(self.at)
        if self.purpose == "spot" and self.actor.role is Role.RO:
            # the RO sees the comparison at once
            self.app.switch_screen(BlindResultScreen(self.round_no, self.purpose))
        else:
            self.set_status(
                f"{t('saved')} {saved_time(saved)} · every cell re-keyed; the RO sees the comparison. Esc: back"
            )

    def action_back(self) -> None:
        self.app.pop_screen()


class BlindResultScreen(SessionScreen):
    BINDINGS = [
        Binding(
            "f2", "take_entered", "Keep entered", id="compare.entered", tooltip="Keep the entered figure"
        ),
        Binding(
            "f3", "take_rekeyed", "Take re-keyed", id="compare.rekeyed", tooltip="Take the re-keyed figure"
        ),
        Binding("escape", "back", "Back", id="compare.back", tooltip="Back to the review"),
    ]

    def __init__(self, round_no: int, purpose: str) -> None:
        super().__init__()
        self.round_no, self.purpose = round_no, purpose
        self.cells: list = []

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        yield Static(id="summary", classes="summary")
        yield DataTable(id="cells", cursor_type="row", zebra_stripes=False)
        yield Static(id="status", classes="status")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#cells", DataTable)
        for label, key, width in [
            ("Table", "table", 5),
            ("PS", "ps", 8),
            ("Field", "field", 6),
            ("Entered", "entered", 8),
            ("Re-keyed", "rekeyed", 8),
            ("", "state", 10),
        ]:
            table.add_column(t(label) if label else "", key=key, width=width)
        self.query_one("#title", Static).update(
            f"{t(PURPOSE_NAME[self.purpose])} · {round_name(self.round_no)} · {t('side by side')}"
        )
        self.reload()
        table.focus()

    def reload(self) -> None:
        from encore_tui.services import ro

        try:
            self.cells = ro.blind_result(self.store, self.ac_id, self.round_no, self.purpose, self.actor)
        except user_errors() as exc:
            self.set_status(str(exc), True)
            return
        table = self.query_one("#cells", DataTable)
        keep = table.cursor_row
        table.clear()
        for i, c in enumerate(self.cells):
            state = t("DIFFERS" if c.differs else ("same" if c.keyed else "not keyed"))
            table.add_row(
                str(c.table_no),
                c.station,
                short_field(c.field),
                _fmt(c.entered),
                _fmt(c.rekeyed) if c.keyed else "",
                f"[bold red]{state}[/]" if c.differs else state,
                key=str(i),
            )
        if self.cells:
            table.move_cursor(row=min(keep, len(self.cells) - 1))
        keyed = sum(1 for c in self.cells if c.keyed)
        diffs = sum(1 for c in self.cells if c.differs)
        hint = (
            "F2 keep the entered figure / F3 take the re-keyed one, per differing cell"
            if diffs
            else ("no difference" if keyed == len(self.cells) else "waiting for the re-keying")
        )
        self.query_one("#summary", Static).update(
            t("{k}/{n} re-keyed, {d} difference(s)", k=keyed, n=len(self.cells), d=diffs) + f" · {t(hint)}"
        )

    def _resolve(self, take: str) -> None:
        from encore_tui.services import ro

        if self.actor.role is not Role.RO:
            self.set_status("Only the RO decides a difference; observers change nothing.", True)
            return
        if not self.cells:
            return
        c = self.cells[self.query_one("#cells", DataTable).cursor_row]
        if not c.differs:
            self.set_status(f"Table {c.table_no} PS {c.station} {c.field}: nothing to decide here.", True)
            return
        try:
            saved = ro.resolve_blind(
                self.store,
                self.ac_id,
                self.round_no,
                self.purpose,
                c.station,
                c.field,
                take,
                self.actor,
            )
        except user_errors() as exc:
            self.set_status(not_saved(exc), True)
            return
        self.reload()
        self.set_status(
            f"{t('saved')} {saved_time(saved)} · PS {c.station} {c.field} = {_fmt(saved.after)} ({take})"
        )

    def action_take_entered(self) -> None:
        self._resolve("entered")

    def action_take_rekeyed(self) -> None:
        self._resolve("rekeyed")

    def action_back(self) -> None:
        self.app.pop_screen()
