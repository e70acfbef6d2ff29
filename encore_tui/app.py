"""The Textual application. Screens call services; they never talk SQL or compute tallies."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from encore_tui import services
from encore_tui.config import Settings
from encore_tui.store import Store, open_store


class StatusView(Static):
    def __init__(self, store: Store, ac_id: int) -> None:
        super().__init__(id="status")
        self.store, self.ac_id = store, ac_id

    def on_mount(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        d = services.dashboard(self.store, self.ac_id)
        s = d.ctx.setup
        lines = [
            f"[b]AC {s.ac.number} {s.ac.name}[/b]{'  (FICTIONAL DEMO)' if s.fictional else ''}",
            s.election.name,
            "",
        ]
        for r, info in d.rounds.items():
            label = "Postal" if r == 0 else f"Round {r:>2}"
            tables = len(d.ctx.tables_of(r))
            lines.append(f"{label}  {info.status.label:<17} {d.entered.get(r, 0):>2}/{tables} tables entered")
        if d.leader and d.leader.lead.leader:
            c = s.candidates[d.leader.lead.leader - 1]
            lines += [
                "",
                f"Leading after round {d.leader.round_no}: {c.name} ({c.party}), margin {d.leader.lead.margin}",
            ]
        self.update("\n".join(lines))


class EncoreApp(App):
    TITLE = "encore-tui"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, store: Store, ac_id: int) -> None:
        super().__init__()
        self.store, self.ac_id = store, ac_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield StatusView(self.store, self.ac_id)
        yield Footer()


def run_app(settings: Settings, demo: bool = False) -> int:
    store = open_store(settings.db_url)
    acs = services.list_acs(store)
    if not acs:
        raise services.ServiceError(
            "This store holds no AC yet: `encore import form20 DIR` or `encore demo`."
        )
    EncoreApp(store, acs[0].ac_id).run()
    return 0
