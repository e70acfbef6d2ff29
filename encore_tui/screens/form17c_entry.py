"""Keying Form 17C Part I from the paper copies: every station of the AC down, the Part I
fields across (widgets/form17c_grid.py). Each Enter is one committed unit of work
(services.form17c.enter_form17c); the status line says "saved HH:MM:SS" only after it returned.
The screen opens at the first station whose EVM total is not recorded yet, so after a power cut
the operator carries on where the bundle of paper copies was."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from encore_tui.domain import form17c as f17
from encore_tui.domain.rounds import Action, may
from encore_tui.screens.base import SessionScreen
from encore_tui.screens.common import saved_time, user_errors
from encore_tui.screens.messages import not_saved
from encore_tui.services import form17c as svc
from encore_tui.services.errors import StaleEdit
from encore_tui.widgets.footer import FittingFooter
from encore_tui.widgets.form17c_grid import Form17CGrid
from encore_tui.widgets.tally_grid import Refusal


class Form17CScreen(SessionScreen):
    """`blind`: the second keying (double entry) by the operator the RO assigned: an empty grid
    of its own, never the first keying's figures. Otherwise fields where the second keying
    differs are marked (and E125 blocks the rounds of those stations)."""

    BINDINGS = [
        Binding("f5", "reload", "Refresh", id="form17c.reload", tooltip="Read the store again"),
        Binding("escape", "back", "Back", id="form17c.back", tooltip="Back to the dashboard"),
    ]

    def __init__(self, blind: bool = False) -> None:
        super().__init__()
        self.blind = blind

    def compose(self) -> ComposeResult:
        ctx = self.app_ctx()
        yield Static(id="title", classes="title-bar", markup=False)
        yield Form17CGrid([s.number for s in ctx.setup.stations], id="f17grid")
        yield Static(id="detail", classes="detail", markup=False)
        yield Static(id="status", classes="status", markup=False)
        yield FittingFooter()

    def app_ctx(self):
        from encore_tui.services import load_context

        return load_context(self.store, self.ac_id)

    @property
    def grid(self) -> Form17CGrid:
        return self.query_one(Form17CGrid)

    def on_mount(self) -> None:
        grid = self.grid
        grid.saver = self._save
        self._load()
        grid.move_to(*grid.first_incomplete())
        grid.focus()
        self._show_detail()
        if grid.editable:
            self.set_status("Type each figure from the paper Form 17C Part I; Enter saves and moves on.")
        else:
            self.set_status("Read-only: your role may not key Form 17C.")

    def _load(self) -> None:
        ctx = self.app_ctx()
        store, ac_id = self.store, self.ac_id
        if self.blind:
            records, differs = svc.blind_records(store, ac_id, self.actor), set()
        else:
            records = svc.form17c(store, ac_id)
            differs = {(s, f) for s, f, _a, _b in svc.differences(store, ac_id)}
        editable = may(self.actor.role, Action.ENTER)
        self.grid.load(records, editable, differs)
        done = sum(1 for r in records.values() if r.complete)
        what = "second keying (blind)" if self.blind else "Form 17C Part I"
        self.query_one("#title", Static).update(
            f"{what} · AC {ctx.setup.ac.number} {ctx.setup.ac.name} · "
            f"{done}/{len(ctx.setup.stations)} stations recorded"
            + (f" · {len({s for s, _ in differs})} differ" if differs else "")
        )

    def _save(self, station: str, field: str, value, expected) -> Refusal | None:
        try:
            saved = svc.enter_form17c(
                self.store,
                self.ac_id,
                station,
                field,
                value,
                self.actor,
                expected=expected,
                blind=self.blind,
            )
        except StaleEdit as exc:
            self._load()
            return Refusal(not_saved(exc), keep_typing=False)
        except user_errors() as exc:
            return Refusal(not_saved(exc))
        if self.blind:
            rec = svc.blind_records(self.store, self.ac_id, self.actor).get(station)
        else:
            rec = svc.form17c(self.store, self.ac_id, [station]).get(station)  # not the whole AC
        if rec is not None:
            self.grid.update_record(rec)
        shown = "blank" if value in (None, "") else str(value)
        self.set_status(f"saved {saved_time(saved)} · PS {station} {f17.LABELS[field]} = {shown}")
        return None

    @on(Form17CGrid.Notice)
    def _notice(self, event: Form17CGrid.Notice) -> None:
        self.set_status(event.text, event.error)

    @on(Form17CGrid.Moved)
    def _moved(self, _event) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        g = self.grid
        rec = g.records.get(g.station)
        src = f" · from {rec.source.value}" if rec is not None else " · not recorded"
        problems = "; ".join(m for _, m in rec.problems()) if rec is not None else ""
        if (g.station, g.field) in g.differs:
            problems = "the second keying differs: check the paper" + (f"; {problems}" if problems else "")
        self.query_one("#detail", Static).update(
            f"PS {g.station} · {f17.LABELS[g.field]}{src}" + (f" · {problems}" if problems else "")
        )

    def action_reload(self) -> None:
        self._load()
        self.set_status("Read again from the store.")

    def action_back(self) -> None:
        self.app.pop_screen()
