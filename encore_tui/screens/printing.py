"""Which document to print, on a screen that prints several (the result screen: Form 20, 21C,
21E, 22). The printing itself is `screens.common.print_in_worker` (printing.api underneath)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from encore_tui.base.i18n import t

# Form 21D (bye-election) is not among the printing package's documents yet
PRINTABLE = {
    "form20": "Form 20 (final result sheet)",
    "form21c": "Form 21C (declaration of result)",
    "form21e": "Form 21E (return of election)",
    "form22": "Form 22 (certificate of election)",
}


class PrintDialog(ModalScreen["str | None"]):
    """Pick a document (↑↓ or its number); Enter prints it, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, documents: dict[str, str]) -> None:
        super().__init__()
        self.documents = documents

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("Print"), classes="dialog-title")
            yield OptionList(
                *[Option(f"{i}. {t(title)}", id=w) for i, (w, title) in enumerate(self.documents.items(), 1)],
                id="documents",
            )
            yield Static(
                t("↑↓ or 1-{n} · Enter: print · Esc: {cancel}", n=len(self.documents), cancel=t("Cancel")),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.documents):
            event.stop()
            self.dismiss(list(self.documents)[int(event.character) - 1])

    @on(OptionList.OptionSelected, "#documents")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
