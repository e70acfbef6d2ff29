"""What the two entry grids (the tally grid, the Form 17C Part I grid) share about keys: their
bindings run in the grid's own queue with the user's keymap applied (so digits typed fast never
overtake the Enter before them), refusals go to the screen as a `Notice`, pasting is refused,
and the editing keys (Enter, Backspace, Delete, Esc) and arrows are declared the same way.
"""

from __future__ import annotations

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding

from encore_tui.widgets import textual_compat


def key_bindings(ns: str, keys: list[tuple[str, str, str, str]]) -> list[Binding]:
    """Hidden bindings `(key, action, description, id suffix)` with the ids `<ns>.<suffix>`."""
    return [Binding(key, action, text, id=f"{ns}.{suffix}", show=False) for key, action, text, suffix in keys]


def editing_bindings(ns: str, save: str, backspace: str, clear: str, cancel: str) -> list[Binding]:
    """Enter saves, Backspace deletes a character, Delete clears, Esc cancels what is typed."""
    return key_bindings(
        ns,
        [
            ("enter", "commit", save, "save"),
            ("backspace", "backspace", backspace, "backspace"),
            ("delete", "clear", clear, "clear"),
            ("escape", "cancel", cancel, "cancel"),
        ],
    )


class GridKeys:
    """Mixin for an entry grid: `run_binding` in `on_key`, `_notice`, paste refused."""

    PASTE_REFUSAL = "Pasting is not allowed: type each figure from the paper."
    Notice: type  # the grid's Notice message (grid, text, error)

    _keymap_seen: object = None
    _key_bindings: dict[str, list[Binding]]

    def _notice(self, text: str, error: bool = True) -> None:
        self.post_message(self.Notice(self, text, error))

    def _grid_bindings(self) -> dict[str, list[Binding]]:
        """The grid's bindings with the user's keymap applied (cached per keymap)."""
        keymap = textual_compat.keymap(self.app)
        if self._keymap_seen is not keymap:
            self._key_bindings = textual_compat.bindings_with_keymap(self, keymap)
            self._keymap_seen = keymap
        return self._key_bindings

    def run_binding(self, event: events.Key) -> bool:
        """Run the grid's binding for this key here, in the grid's own queue, not through
        Textual's binding lookup (which happens after the key bubbled to the app: digits typed
        fast would overtake the Enter before them). True when the key was dealt with (a
        binding that skips, e.g. Esc with nothing typed, leaves the key to the screen)."""
        for binding in self._grid_bindings().get(event.key, []):
            try:
                getattr(self, f"action_{binding.action}")()
            except SkipAction:
                return True  # not stopped: the screen's binding runs
            event.stop()
            event.prevent_default()
            return True
        return False

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self._notice(self.PASTE_REFUSAL)
