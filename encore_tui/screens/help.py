"""F1 help: every key with its binding id (the name to use in the config file's [keys])."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from encore_tui.base.i18n import t
from encore_tui.widgets.cells import pad
from encore_tui.widgets.textual_compat import keymap

# what each screen is called in the counting hall (the F1 section title)
SCREEN_TITLES = {
    "RoundScreen": "Round entry",
    "DashboardScreen": "Counting dashboard",
    "RoHomeScreen": "Review queue",
    "RoReviewScreen": "Round review",
    "ResultScreen": "Result and declaration",
    "VvpatScreen": "VVPAT verification",
    "TrendsScreen": "Trends",
    "ScansScreen": "Scans",
    "ScanViewer": "Scan",
    "BlindEntryScreen": "Blind keying",
    "BlindResultScreen": "Blind comparison",
    "SignInScreen": "Sign-in",
}


def screen_title(screen) -> str:
    name = type(screen).__name__
    return t(SCREEN_TITLES.get(name, name.removesuffix("Screen")))


def _keys_of(app, binding: Binding) -> str:
    keys = keymap(app).get(binding.id, binding.key) if binding.id else binding.key
    return ", ".join(k.strip() for k in keys.split(","))


def binding_lines(app, sections: list[tuple[str, list[Binding]]]) -> list[str]:
    head = f"{pad(t('key'), 12)} {pad(t('what it does'), 36)} {t('name in [keys]')}"
    lines: list[str] = [f"[dim]{escape(head)}[/dim]"]
    for title, bindings in sections:
        if not bindings:
            continue
        lines.append(f"[b]{title}[/b]")
        listed: set[str] = set()
        for b in bindings:
            if b.id and b.id in listed:  # a second binding of one id (a refusal's key): once
                continue
            listed.add(b.id or "")
            text = t(b.tooltip or b.description)
            lines.append(
                f"  {escape(f'{_keys_of(app, b):<10}')} {escape(pad(text, 36))} [dim]{b.id or ''}[/dim]"
            )
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
        sections = [(screen_title(self.under), list(self.under.BINDINGS))]
        if any(isinstance(w, TallyGrid) for w in self.under.query(TallyGrid)):
            sections.append((t("Grid (0-9 type a figure)"), list(TallyGrid.BINDINGS)))
        sections.append((t("Everywhere"), list(app.BINDINGS)))
        lines = binding_lines(app, sections)
        lines.append(
            escape(
                t(
                    'Remap a key in the config file: under [keys] write  name = "key"  (e.g. round.submit = "f10").'
                )
            )
        )
        with Vertical(classes="dialog"):
            yield Static(f"{t('Help')} · {t('Keys')}", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static("\n".join(lines))
            yield Static(f"Esc / F1: {t('close')}", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
