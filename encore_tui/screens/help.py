"""F1 help: every key with its binding id (the name to use in the config file's [keys])."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from encore_tui.base.i18n import t
from encore_tui.widgets.cells import pad


def _keys_of(app, binding: Binding) -> str:
    keys = app._keymap.get(binding.id, binding.key) if binding.id else binding.key
    return ", ".join(k.strip() for k in keys.split(","))


def binding_lines(app, sections: list[tuple[str, list[Binding]]]) -> list[str]:
    lines: list[str] = []
    for title, bindings in sections:
        if not bindings:
            continue
        lines.append(f"[b]{title}[/b]")
        for b in bindings:
            text = t(b.tooltip or b.description)
            lines.append(f"  {_keys_of(app, b):<10} {pad(text, 36)} [dim]{b.id or ''}[/dim]")
        lines.append("")
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "close", "Close help", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        from encore_tui.widgets.tally_grid import TallyGrid

        app = self.app
        sections = [(t(type(self.under).__name__.removesuffix("Screen")), list(self.under.BINDINGS))]
        if any(isinstance(w, TallyGrid) for w in self.under.query(TallyGrid)):
            sections.append((t("Grid (0-9 type a figure)"), list(TallyGrid.BINDINGS)))
        sections.append((t("Everywhere"), list(app.BINDINGS)))
        lines = binding_lines(app, sections)
        lines.append(
            t('Remap a key in the config file: [keys] then  id = "key"  (e.g. submit_round = "f10").')
        )
        with Vertical(classes="dialog"):
            yield Static(f"{t('Help')} · {t('Keys')}", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static("\n".join(lines))
            yield Static(f"Esc / F1: {t('close')}", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
