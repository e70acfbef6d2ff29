"""Small modal dialogs: a message/confirmation and the kept-aside reason picker."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from encore_tui.base.i18n import t, t_msg
from encore_tui.domain.entries import KeptAsideReason


class MessageDialog(ModalScreen[bool]):
    """Lines of text; Enter confirms (when `confirm`), Esc cancels/closes."""

    BINDINGS = [
        Binding("enter", "ok", "Confirm", id="dialog.ok"),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, lines: list[str], confirm: bool = True, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.lines, self.confirm = t_msg(title), [t_msg(x) for x in lines], confirm
        self.hint = t_msg(hint) or (
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
                t("Keep table {no} (PS {station}) aside", no=self.table_no, station=self.station)
                + f" — {t('Reason')}:",
                classes="dialog-title",
            )
            yield OptionList(
                *[Option(f"{i}. {t(r.label)}", id=r.value) for i, r in enumerate(KeptAsideReason, start=1)],
                id="reasons",
            )
            needed = t("needed for 'other'")
            yield Input(placeholder=f"{t('Note')} ({needed})", id="note")
            yield Static(
                t("↑↓ choose · Enter select · Esc cancel. Its VVPAT slips are counted at the end."),
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
            self.notify(t("Write a short note saying why."), severity="warning")
            return
        self.dismiss((KeptAsideReason.OTHER, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen["str | None"]):
    """Ask for one line of text (a remark, a reason, a PIN). Enter gives it, Esc cancels.

    `password` hides what is typed (PIN re-entry before an approval, a correction, a
    declaration); `required` refuses an empty answer with a message that says what to write.
    The screen that asked does the service call and shows its refusal: a dialog never saves.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self,
        title: str,
        prompt: str,
        lines: list[str] | None = None,
        password: bool = False,
        required: str = "",
        value: str = "",
    ) -> None:
        super().__init__()
        self.title_text, self.prompt = t_msg(title), t_msg(prompt)
        self.lines = [t_msg(x) for x in lines or []]
        self.password, self.required, self.value = password, t_msg(required), value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.lines:
                with VerticalScroll(classes="dialog-body"):
                    yield Static("\n".join(self.lines), markup=False)
            yield Input(value=self.value, placeholder=self.prompt, password=self.password, id="answer")
            yield Static(f"Enter: {t('Confirm')} · Esc: {t('Cancel')}", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    @on(Input.Submitted, "#answer")
    def _given(self, event: Input.Submitted) -> None:
        text = event.value if self.password else event.value.strip()
        if not text:
            self.notify(self.required or f"{self.prompt}: {t('nothing typed.')}", severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_pin(title: str, lines: list[str] | None = None) -> TextDialog:
    """The PIN re-entry dialog that every RO decision (approve, correct, sign, declare) shows."""
    return TextDialog(
        title, t("PIN"), lines, password=True, required=t("Type your PIN to confirm this decision.")
    )
