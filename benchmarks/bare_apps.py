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
        yield Input(id="i")

    def on_mount(self) -> None:
        self.query_one(Input).focus()


if __name__ == "__main__":
    (BareInput if sys.argv[1:] == ["input"] else BareLabel)().run()
