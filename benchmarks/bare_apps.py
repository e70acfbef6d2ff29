"""The baselines: a bare Textual app with one label, and one with one Input."""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Input, Label


class BareLabel(App):
    def compose(self) -> ComposeResult:
        yield Label("bare-ready")


class BareInput(App):
    def compose(self) -> ComposeResult:
        yield Label("bare-ready")
        yield Input(id="i")  # blink off: a blink would be counted as a repaint

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.cursor_blink = False
        box.focus()


if __name__ == "__main__":
    (BareInput if sys.argv[1:] == ["input"] else BareLabel)().run()
