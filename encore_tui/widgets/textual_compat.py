"""Every use of Textual's private API, in one place.

Textual offers no public way to do these, and the app needs them: the grid and the rounds table
run their own bindings in their own message queue (key order under SSH bursts), the labels of
bindings are translated at run time, the F1 help and the status line name the user's remapped
keys, and no operator sees a traceback. `tests/test_textual_compat.py` checks each of them
against the installed Textual, pinned to TESTED_WITH: when Textual is upgraded, this module and
that test are the whole of what to check.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Input

TESTED_WITH = "8.2.8"  # textual.__version__ these uses were checked against


def bindings_by_key(node: DOMNode) -> dict[str, list[Binding]]:
    """A widget's, screen's or app's own bindings by key (before the user's keymap)."""
    return node._bindings.key_to_bindings


def set_bindings_by_key(node: DOMNode, by_key: dict[str, list[Binding]]) -> None:
    node._bindings.key_to_bindings = by_key


def bindings_with_keymap(node: DOMNode, keymap: Mapping[str, str]) -> dict[str, list[Binding]]:
    """A node's bindings by key with a keymap ({binding id: keys}) applied, the node untouched."""
    bm = node._bindings.copy()
    if keymap:
        bm.apply_keymap(keymap)
    return bm.key_to_bindings


def keymap(app: App) -> Mapping[str, str]:
    """The keymap set with App.set_keymap ({binding id: keys}); the same object until it changes."""
    return app._keymap


class KeyFirst:
    """Mixin for a widget that sees each key before the widget's own key handling (DataTable's
    cursor keys, Input's editing): `key_first` returns True when it dealt with the key."""

    async def key_first(self, event) -> bool:
        return False

    async def _on_key(self, event) -> None:
        if not await self.key_first(event):
            await super()._on_key(event)  # type: ignore[misc]


async def run_own_binding(widget: DOMNode, event) -> bool:
    """Run the widget's own binding for this key here, in the widget's message queue (a
    DataTable's or OptionList's ↑↓, PgUp…), so that a Down typed just before an Enter moves the
    cursor before that Enter acts; True when the key had one (it is then used up)."""
    for binding in bindings_by_key(widget).get(event.key, []):
        event.stop()
        event.prevent_default()
        await widget.run_action(binding.action)
        return True
    return False


async def input_key(field: Input, event) -> None:
    """Textual's own handling of a key by an Input (it types it), as if it had the focus: a form
    hands keys typed in one burst to the field they belong to."""
    await Input._on_key(field, event)


def queue_empty(widget) -> bool:
    """Whether `widget` has no message waiting (the keys of a burst have all been handled)."""
    return widget._message_queue.empty()


class UnhandledErrors:
    """Mixin for the App: an exception no screen caught goes to `unhandled_error` (log it, say
    what to do, exit with a code) instead of Textual's traceback screen."""

    def unhandled_error(self, error: Exception) -> None:
        self.default_unhandled_error(error)

    def default_unhandled_error(self, error: Exception) -> None:
        """Textual's own handling (the tests see the exception)."""
        App._handle_exception(self, error)  # type: ignore[arg-type]

    def _handle_exception(self, error: Exception) -> None:
        self.unhandled_error(error)
