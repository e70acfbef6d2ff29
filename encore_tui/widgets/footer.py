"""A footer that fits the terminal: keys that do not fit are left out whole, never cut.

Textual's Footer puts every shown binding in one scrolling row; at 80 columns the last keys are
cut mid-word ("^q Qui", "f12 M") and the rest is lost. `FittingFooter` measures each key as the
terminal does (Rich's cell widths, which widgets/cells.py makes the terminal's) and, while the
row is wider than the screen, leaves keys out: first the keys every screen has (F12 Messages,
then Ctrl+Q Quit) and those that only show something (F6 Trends, F5 Refresh…: `DROP_FIRST`),
then the screen's own keys from the right. A screen may name keys that have nothing to do in
its present state (`footer_spare()`, e.g. the tie lot without a tie): those go first. F1 Help is always kept: the help
lists every key, and the command palette (Ctrl+P, always at the right end) finds every command.
A left-out key still works; only its label is not shown.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widget import Widget
from textual.widgets import Footer

# binding ids left out first, in this order: the app's F12 and Ctrl+Q (app.py), then keys that
# only show something (each also in F1 and the palette); then the screen's keys from the right.
# F1 Help is never left out. Ids are base/keymap.py's (tests/test_keymap.py checks these).
DROP_FIRST = (
    "app.messages",
    "app.quit",
    "dashboard.trends",
    "round.trends",
    "home.trends",
    "dashboard.refresh",
    "home.refresh",
    "round.totals",
    "home.dashboard",
)
KEEP = "app.help"


def key_width(key: Widget, compact: bool) -> int:
    """Cells a footer key takes: " f5 Submit " (compact: "f5 Submit")."""
    desc = key.description
    if compact:
        return cell_len(key.key_display) + (1 + cell_len(desc) if desc else 0)
    return 2 + cell_len(key.key_display) + (1 + cell_len(desc) if desc else 0)


def fitted(
    keys: list[Widget], ids: list[str], room: int, compact: bool, spare: tuple[str, ...] = ()
) -> list[Widget]:
    """The keys to show in `room` cells: the screen's `spare` keys left out first (those with
    nothing to do now), then `DROP_FIRST`, then the screen's keys from the right; F1 Help stays."""
    shown = list(range(len(keys)))

    def width() -> int:
        return sum(key_width(keys[i], compact) for i in shown) + (len(shown) if compact else 0)

    order = [i for name in (*spare, *DROP_FIRST) for i in shown if ids[i] == name]
    order += [i for i in reversed(shown) if ids[i] not in DROP_FIRST and ids[i] != KEEP]
    for i in dict.fromkeys(order):  # once each, in order
        if width() <= room:
            break
        shown.remove(i)
    return [keys[i] for i in shown]


class FittingFooter(Footer):
    def compose(self):
        items = list(super().compose())
        # Textual's FooterKey (not exported): a key with its label; the palette's has a class
        if not all(hasattr(w, "key_display") for w in items):  # grouped keys: Textual's layout
            yield from items
            return
        keys = [w for w in items if not w.has_class("-command-palette")]
        palette = [w for w in items if w.has_class("-command-palette")]
        ids = [self._binding_id(k) for k in keys]
        room = (self.app.size.width or 80) - sum(key_width(p, False) for p in palette)
        spare = getattr(self.screen, "footer_spare", tuple)()
        shown = {id(k) for k in fitted(keys, ids, room, self.compact, spare)}
        yield from (w for w in items if id(w) in shown or w in palette)

    def _binding_id(self, key: Widget) -> str:
        for _node, binding, _enabled, _tip in self.screen.active_bindings.values():
            if binding.action == key.action and binding.key == key.key:
                return binding.id or ""
        return ""

    def on_resize(self) -> None:
        self.refresh(recompose=True)
