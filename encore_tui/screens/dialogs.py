"""Small modal dialogs: a message/confirmation and the kept-aside reason picker."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from encore_tui.domain.entries import KeptAsideReason
from encore_tui.i18n import t


class MessageDialog(ModalScreen[bool]):
    """Lines of text; Enter confirms (when `confirm`), Esc cancels/closes."""

    BINDINGS = [
        Binding("enter", "ok", "Confirm", id="dialog.ok"),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, lines: list[str], confirm: bool = True, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.lines, self.confirm = title, lines, confirm
        self.hint = hint or (
            f"Enter: {t('Confirm')} · Esc: {t('Cancel')}" if confirm else f"Enter / Esc: {t('Back')}"
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static("\n".join(self.lines) or " ", markup=False)
            yield Static(self.hint, classes="dialog-hint")

    def action_ok(self) -> None:
        self.dismiss(self.confirm)

    def action_cancel(self) -> None:
        self.dismiss(False)


class KeepAsideDialog(ModalScreen["tuple[KeptAsideReason, str] | None"]):
    """Pick the reason a table is kept aside (and a note when the reason is 'other')."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, table_no: int, station: str) -> None:
        super().__init__()
        self.table_no, self.station = table_no, station

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Keep table {self.table_no} (PS {self.station}) aside — {t('Reason')}:",
                classes="dialog-title",
            )
            yield OptionList(
                *[Option(f"{i}. {r.label}", id=r.value) for i, r in enumerate(KeptAsideReason, start=1)],
                id="reasons",
            )
            yield Input(placeholder=f"{t('Note')} (needed for 'other')", id="note")
            yield Static(
                "↑↓ choose · Enter select · Esc cancel. Its VVPAT slips are counted at the end.",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#note", Input).display = False
        self.query_one("#reasons", OptionList).focus()

    @on(OptionList.OptionSelected, "#reasons")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        reason = KeptAsideReason(event.option.id)
        if reason is KeptAsideReason.OTHER:
            note = self.query_one("#note", Input)
            note.display = True
            note.focus()
            return
        self.dismiss((reason, ""))

    @on(Input.Submitted, "#note")
    def _noted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.notify("Write a short note saying why.", severity="warning")
            return
        self.dismiss((KeptAsideReason.OTHER, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
