"""Trends: cumulative votes per candidate (bars + a sparkline over rounds) and the lead and
margin round by round. Drawn with text so it reads at 80×24 over SSH."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from encore_tui import services
from encore_tui.base.i18n import t
from encore_tui.screens.base import Loaded, Session, SessionScreen
from encore_tui.screens.common import name_of
from encore_tui.widgets.cells import fit
from encore_tui.widgets.footer import FittingFooter

SPARK = "▁▂▃▄▅▆▇█"


def bar(value: int, top: int, width: int) -> str:
    """A bar of `width` cells, in eighths."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(value / top * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (" ▏▎▍▌▋▊▉"[rest] if rest else "")


def sparkline(values: list[int], width: int) -> str:
    values = values[-width:]
    top = max(values, default=0)
    if top <= 0:
        return "".join(" " for _ in values)
    return "".join(SPARK[min(7, int(v / top * 7.999))] if v > 0 else " " for v in values)


def read_trends(session: Session) -> tuple:
    """Every round's tally of the AC (runs in a thread worker)."""
    store, ac_id = session.store, session.ac_id
    setup = services.load_context(store, ac_id).setup
    d = services.dashboard(store, ac_id)
    tallies = [rt for rt in services.round_tallies(store, ac_id) if d.entered.get(rt.round_no)]
    return setup, d, tallies


class TrendsScreen(SessionScreen):
    BINDINGS = [Binding("escape", "back", "Back", id="trends.back")]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        with VerticalScroll(id="trends"):
            yield Static(id="votes")
            yield Static(id="leads")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#title", Static).update(self.loading())
        self.query_one("#trends").focus()
        self.read_in_worker("trends", read_trends)

    def on_loaded(self, message: Loaded) -> None:
        if message.key != "trends":
            return
        if message.error is not None:
            self.query_one("#votes", Static).update(str(message.error))
            return
        self.show(*message.value)

    def show_trends(self) -> None:
        """Read the store again and draw (a replay redraws as its rounds come in)."""
        self.read_in_worker("trends", read_trends)

    def show(self, setup, d, tallies: list) -> None:
        prov = (
            " · " + t("PROVISIONAL (not approved)") if tallies and d.provisional(tallies[-1].round_no) else ""
        )
        self.query_one("#title", Static).update(
            f"AC {setup.ac.number} {name_of(setup.ac)} · {t('Trends')}"
            + (f" · {t('after round {n}', n=tallies[-1].round_no)}" if tallies else "")
            + prov
        )
        if not tallies:
            self.query_one("#votes", Static).update(t("no votes yet"))
            self.query_one("#leads", Static).update("")
            return
        last = tallies[-1].cumulative
        top = max(last.votes + (last.nota,))
        order = sorted(range(len(last.votes)), key=lambda i: -last.votes[i])
        legend = t("bar: now · sparkline: round 1 → {n}", n=tallies[-1].round_no)
        lines = [f"[b]{t('Cumulative votes')}[/b]  ({legend})"]
        for i in order:
            c = setup.candidates[i]
            series = [rt.cumulative.votes[i] for rt in tallies]
            lines.append(
                f"{c.serial:>2} {fit(name_of(c), 13)} {c.party[:5]:<5} {last.votes[i]:>7} "
                f"{bar(last.votes[i], top, 26):<26} {sparkline(series, 20)}"
            )
        lines.append(f"   {'NOTA':<19} {last.nota:>7} {bar(last.nota, top, 26)}")
        self.query_one("#votes", Static).update("\n".join(lines))

        margins = [rt.lead.margin for rt in tallies]
        top_m = max(margins, default=0)
        rows = [
            "",
            f"[b]{t('Lead and margin by round')}[/b]  {t('margin trend')} {sparkline(margins, 40)}",
        ]
        for rt in tallies:
            ld = rt.lead
            who = "—"
            if ld.leader:
                c = setup.candidates[ld.leader - 1]
                who = f"{c.party} {name_of(c)}"
            tie = f" {t('TIED')}" if ld.is_tie else ""
            prov = " " + t("prov.") if d.provisional(rt.round_no) else ""
            rows.append(
                f"R{rt.round_no:>3} {fit(who, 20)} +{ld.margin:<7}{bar(ld.margin, top_m, 30)}{tie}{prov}"
            )
        self.query_one("#leads", Static).update("\n".join(rows))

    def action_back(self) -> None:
        self.app.pop_screen()
