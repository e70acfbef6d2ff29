"""Textual's private API, as encore_tui.widgets.textual_compat uses it, against the installed
Textual. A failure here after upgrading Textual names what to check in textual_compat.py."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import textual
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input

from encore_tui.widgets import textual_compat as tc

ROOT = Path(__file__).resolve().parent.parent


def test_pinned_to_the_installed_textual():
    assert textual.__version__ == tc.TESTED_WITH, (
        f"Textual {textual.__version__} is installed; textual_compat was checked with {tc.TESTED_WITH}: "
        "run this file, check each private use in textual_compat.py, then move TESTED_WITH"
    )


def test_the_private_hooks_it_overrides_exist():
    for cls in (DataTable, Input):
        assert inspect.iscoroutinefunction(cls._on_key), cls  # KeyFirst runs before it
    assert "_handle_exception" in vars(App)  # UnhandledErrors replaces it
    assert list(inspect.signature(App._handle_exception).parameters) == ["self", "error"]


class _Table(tc.KeyFirst, DataTable):
    BINDINGS = [Binding("x", "mark", "Mark", id="table.mark")]
    seen: list[str]

    async def key_first(self, event) -> bool:
        self.seen.append(event.key)
        if event.key == "q":
            event.prevent_default()
            return True
        return False

    def action_mark(self) -> None:
        self.seen.append("marked")


class _App(tc.UnhandledErrors, App):
    BINDINGS = [Binding("f2", "noop", "Nothing", id="app.noop")]
    errors: list[Exception]

    def compose(self) -> ComposeResult:
        table = _Table()
        table.seen = []
        yield table

    def unhandled_error(self, error: Exception) -> None:
        self.errors.append(error)
        self.exit(return_code=3)


async def test_bindings_keymap_key_first_and_unhandled_errors():
    app = _App()
    app.errors = []
    async with app.run_test() as pilot:
        table = app.query_one(_Table)
        assert [b.id for b in tc.bindings_by_key(table)["x"]] == ["table.mark"]
        tc.set_bindings_by_key(app, {"f3": [Binding("f3", "noop", "Still nothing", id="app.noop")]})
        assert list(tc.bindings_by_key(app)) == ["f3"]

        app.set_keymap({"table.mark": "y"})
        assert tc.keymap(app) == {"table.mark": "y"}
        assert [b.id for b in tc.bindings_with_keymap(table, tc.keymap(app))["y"]] == ["table.mark"]
        assert "x" in tc.bindings_by_key(table)  # the table's own map is left as it was

        table.focus()
        await pilot.press("q", "y")
        await pilot.pause()
        assert table.seen[:2] == ["q", "y"] and "marked" in table.seen  # q taken first; y reached the binding

        app.call_later(lambda: 1 / 0)  # an error no screen catches: the app exits with a code
    assert isinstance(app.errors[0], ZeroDivisionError) and app.return_code == 3


def test_nothing_else_touches_textual_private_names():
    private = {"_bindings", "_keymap", "_handle_exception", "_return_code", "_on_key"}
    found = []
    for p in sorted((ROOT / "encore_tui").rglob("*.py")):
        if p.name == "textual_compat.py":
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            name = (
                node.attr
                if isinstance(node, ast.Attribute)
                else node.name
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                else None
            )
            if name in private:
                found.append(f"{p.relative_to(ROOT)}:{node.lineno} {name}")
    assert not found, found
