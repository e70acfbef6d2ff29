"""VVPAT verification, from the RO's chair: the draw of lots, Rule 56D applications, each
drawn/allowed station's EVM figures against its slip count and recount, the slip count
prevailing (through the correction path), the final round of kept-aside stations, and closing
the verification. Every write is one call to services.ro_vvpat; this screen only shows."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from encore_tui import services
from encore_tui.base.i18n import t, t_msg
from encore_tui.domain import vvpat
from encore_tui.domain.rounds import Action, RoundStatus, may
from encore_tui.screens.base import Session
from encore_tui.screens.common import (
    check_text,
    field_label,
    local_time,
    name_of,
    short_field,
    user_errors,
)
from encore_tui.screens.dialogs import MessageDialog
from encore_tui.screens.messages import not_saved
from encore_tui.screens.ro.decision_screen import RoDecisionScreen
from encore_tui.screens.ro.forms import NUMBER, YES_NO, Field, FormDialog
from encore_tui.services import ro_vvpat
from encore_tui.widgets.cells import fit
from encore_tui.widgets.footer import FittingFooter

MARK = {
    vvpat.StationStatus.PENDING: ("E119", "bold yellow"),
    vvpat.StationStatus.MATCH: ("ok", "green"),
    vvpat.StationStatus.MISMATCH: ("E118", "bold red"),
    vvpat.StationStatus.MATCH_ON_RECOUNT: ("ok", "green"),
    vvpat.StationStatus.SLIP_PREVAILS: ("E118", "bold red"),
    vvpat.StationStatus.AMENDED: ("amd", "bold yellow"),
}

NEXT_STEP = {
    vvpat.StationStatus.PENDING: "F4: enter its slip count",
    vvpat.StationStatus.MISMATCH: "F5: enter the recount of its slips",
    vvpat.StationStatus.SLIP_PREVAILS: "F6: amend its result from the slip count",
}


def _rounds(rounds: list[int]) -> str:
    """1, 2, 3, 4 → "1–4" when contiguous (an AC has 30 rounds: a list would fill the screen)."""
    if len(rounds) > 2 and rounds == list(range(rounds[0], rounds[-1] + 1)):
        return f"{rounds[0]}–{rounds[-1]}"
    return ", ".join(map(str, rounds))


def _diffs(s: vvpat.VvpatStation, setup=None) -> str:
    """EVM → slips per differing field: by candidate name (`setup` given: a message) or by ballot
    serial ("#1", for the 34-cell column)."""

    def name(f: str) -> str:
        return field_label(setup, f) if setup is not None else f"#{short_field(f)}"

    return " ".join(f"{name(d.field)} {d.evm}→{d.slips} ({d.delta:+d})" for d in s.differences)


class VvpatScreen(RoDecisionScreen):
    READ_KEY = "vvpat"
    DEFAULT_CSS = """
    VvpatScreen #vv-summary { height: auto; max-height: 7; padding: 0 1; }
    VvpatScreen #vv-stations { height: 1fr; }
    VvpatScreen #vv-detail { height: auto; max-height: 3; padding: 0 1; }
    VvpatScreen #status { height: auto; max-height: 3; padding: 0 1; color: $success; }
    VvpatScreen #status.error { color: $error; text-style: bold; }
    """

    BINDINGS = [
        Binding("f2", "draw", "Draw", id="vvpat.draw", tooltip="Record the 5 stations drawn by lot"),
        Binding("f3", "rule_56d", "56D", id="vvpat.rule_56d", tooltip="Record a Rule 56D application"),
        Binding("f4", "slips", "Slips", id="vvpat.slips", tooltip="Enter the slip count of the station"),
        Binding("f5", "recount", "Recount", id="vvpat.recount", tooltip="Enter the recount of the slips"),
        Binding("f6", "amend", "Amend", id="vvpat.amend", tooltip="The slip count prevails: amend"),
        Binding("f7", "open_round", "Round", id="vvpat.open_round", tooltip="Open the kept-aside round"),
        Binding("f8", "complete", "Close", id="vvpat.complete", tooltip="Close VVPAT verification"),
        Binding("ctrl+r", "refresh", "Refresh", id="vvpat.refresh", show=False),
        Binding("escape", "back", "Back", id="vvpat.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: ro_vvpat.VvpatView | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        yield Static(id="vv-summary")
        yield DataTable(id="vv-stations", cursor_type="row", zebra_stripes=False)
        yield Static(id="vv-detail")
        yield Static(id="status")
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#vv-stations", DataTable)
        for label, key, width in [
            (t("PS"), "ps", 7),
            (t("Why"), "why", 8),
            (t("Status"), "status", 16),
            ("", "mark", 4),
            (t("Differences (EVM→slips)"), "diff", 34),
        ]:
            table.add_column(label, key=key, width=width)
        self.query_one("#title", Static).update(self.loading())
        self.action_refresh()
        table.focus()

    # -- drawing -------------------------------------------------------------------------------
    @staticmethod
    def read(session: Session) -> ro_vvpat.VvpatView:
        return ro_vvpat.vvpat_view(session.store, session.ac_id)

    def footer_spare(self) -> tuple[str, ...]:
        """Keys the footer leaves out first (widgets/footer.py) while they have nothing to do
        (they still answer, and F1 lists them): the draw once recorded, the recount and the
        amendment while no station needs them, the kept-aside round while there is none."""
        v = self.view
        if v is None:
            return ()
        status = {s.status for s in v.stations}
        spare = ["vvpat.back"]
        spare += ["vvpat.draw"] if v.draw else []
        spare += [] if vvpat.StationStatus.MISMATCH in status else ["vvpat.recount"]
        spare += [] if vvpat.StationStatus.SLIP_PREVAILS in status else ["vvpat.amend"]
        spare += [] if v.kept_aside or v.vvpat_round else ["vvpat.open_round"]
        return tuple(spare)

    def show(self, v) -> None:
        self.view = v
        self.refresh_bindings()  # the footer's spare keys follow the state
        setup, actor = self.setup, self.actor
        ro = "" if may(actor.role, Action.VVPAT) else f" · {t('read-only')}"
        self.query_one("#title", Static).update(
            f"AC {setup.ac.number} {name_of(setup.ac)} · {t('VVPAT verification')} · "
            f"{actor.label} ({t(actor.role.value)}){ro}"
        )
        lines = []
        if v.draw:
            d = v.draw
            lines.append(
                f"Drawn by lot: PS {', '.join(d['stations'])} · drew: {d['drawn_by']}"
                + (f" · witnesses: {d['witnesses']}" if d.get("witnesses") else "")
            )
        else:
            lines.append(t("No draw recorded yet: F2 records the 5 stations drawn by lot."))
        for a in v.applications:
            lines.append(
                f"Rule 56D #{a['no']} {a['applicant']}: PS {a['station']} "
                f"{'ALLOWED' if a['allowed'] else 'rejected'} — {a['reason']}"
            )
        if v.kept_aside:
            state = f"round {v.vvpat_round} open" if v.vvpat_round else "F7 opens their round"
            lines.append(
                f"Kept aside (slips counted in the final round, {state}): PS {', '.join(v.kept_aside)}"
            )
        if v.done:
            lines.append(
                f"[b]VVPAT verification closed[/b] by {v.completed['by']} at {local_time(v.completed['at'])}."
            )
        elif v.checks:
            first = "; ".join(check_text(c) for c in v.checks[:2])
            more = " (" + t("+{n} more", n=len(v.checks) - 2) + ")" if len(v.checks) > 2 else ""
            lines.append(f"[b]{t('Before closing:')}[/b] {first}{more}")
        else:
            lines.append(t("Every station agrees: F8 closes the verification."))
        self.query_one("#vv-summary", Static).update("\n".join(map(t_msg, lines)))

        table = self.query_one("#vv-stations", DataTable)
        keep = table.cursor_row
        table.clear()
        for s in v.stations:
            mark, style = MARK[s.status]
            table.add_row(
                s.station,
                t(s.why),
                t(s.status.label),
                f"[{style}]{mark}[/]",
                _diffs(s)[:34],
                key=s.station,
            )
        if v.stations:
            table.move_cursor(row=min(keep, len(v.stations) - 1))
        self._show_detail()

    def selected(self) -> vvpat.VvpatStation | None:
        table = self.query_one("#vv-stations", DataTable)
        if self.view is None or not self.view.stations or not table.row_count:
            return None
        return self.view.stations[min(table.cursor_row, len(self.view.stations) - 1)]

    @on(DataTable.RowHighlighted, "#vv-stations")
    def _moved(self, _event) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        s = self.selected()
        detail = self.query_one("#vv-detail", Static)
        if s is None:
            detail.update("")
            return
        evm_total = sum(s.evm.values())
        text = f"PS {s.station}: EVM {evm_total}"
        if s.count is not None:
            text += f" · slips {sum(s.count.values())}"
        if s.recount is not None:
            text += f" · recount {sum(s.recount.values())}"
        step = NEXT_STEP.get(s.status)
        text += f" · {step}" if step else ""
        text += " · Enter: every figure"
        detail.update(t_msg(text))

    @on(DataTable.RowSelected, "#vv-stations")
    def _compare(self, _event) -> None:
        s = self.selected()
        if s is None:
            return
        setup = self.setup
        lines = [f"{'':26} {'EVM':>7} {fit(t('slips'), 7, '>')} {fit(t('recount'), 7, '>')}"]
        for f in vvpat.slip_fields(len(setup.candidates)):
            c = "" if s.count is None else str(s.count.get(f, 0))
            r = "" if s.recount is None else str(s.recount.get(f, 0))
            final = s.final
            mark = "  ≠" if final is not None and final.get(f, 0) != s.evm.get(f, 0) else ""
            lines.append(f"{field_label(setup, f)[:26]:26} {s.evm.get(f, 0):>7} {c:>7} {r:>7}{mark}")
        lines.append(f"{t('Status')}: {t(s.status.label)} ({t(s.why)})")
        self.app.push_screen(MessageDialog(f"PS {s.station}: EVM and VVPAT slips", lines, confirm=False))

    # -- decisions -------------------------------------------------------------------------------
    def who_may(self, action: Action) -> str:
        return "the RO" if action is Action.VVPAT else "the RO, an ARO or an operator"

    def action_draw(self) -> None:
        if not self._may(Action.VVPAT, "record the draw of lots"):
            return
        if self.view and self.view.draw:
            self.set_status("The draw is already recorded; a draw of lots is not repeated.", error=True)
            return
        fields = [Field(f"s{i}", f"Station drawn {i}") for i in range(1, vvpat.DRAW_SIZE + 1)]
        fields += [
            Field("drawn_by", "Drawn by", placeholder="e.g. agent of P2, in front of all"),
            Field("witnesses", "Witnesses", required=False, placeholder="observer, agents present"),
        ]
        self._draw_form(fields, "")

    def _draw_form(self, fields: list[Field], message: str) -> None:
        """The draw form; a refused draw (a wrong station…) opens it again with every field as
        typed and the reason, so nothing is typed twice."""

        def done(ans: dict | None) -> None:
            if not ans:
                return
            stations = [str(ans[f"s{i}"]) for i in range(1, vvpat.DRAW_SIZE + 1)]
            try:
                got = ro_vvpat.record_draw(
                    self.store,
                    self.ac_id,
                    stations,
                    ans["drawn_by"],
                    ans["witnesses"],
                    self.actor,
                )
            except user_errors() as exc:
                self.set_status(not_saved(exc), error=True)
                typed = [replace(f, value="" if ans[f.key] is None else str(ans[f.key])) for f in fields]
                self._draw_form(typed, f"NOT saved: {exc}")
                return
            self.reload_now()
            self.set_status(f"Recorded: PS {', '.join(got)} drawn by lot. F4: enter their slip counts.")

        self.app.push_screen(
            FormDialog(
                "VVPAT: the 5 polling stations drawn by lot",
                fields,
                [
                    "Station numbers as in the setup (e.g. "
                    + ", ".join(st.number for st in self.setup.stations[6:9])
                    + "); fewer only when the AC has fewer counted stations."
                ],
                message=message,
            ),
            done,
        )

    def action_rule_56d(self) -> None:
        if not self._may(Action.VVPAT, "decide a Rule 56D application"):
            return
        fields = [
            Field("applicant", "Applicant", placeholder="candidate / agent"),
            Field("station", "Polling station", placeholder="where the slips are to be counted"),
            Field("allowed", "Allowed? (y/n)", YES_NO),
            Field("reason", "Reasons for the decision"),
        ]

        def done(ans: dict | None) -> None:
            if not ans:
                return
            n = self._call(
                ro_vvpat.decide_56d,
                ans["applicant"],
                ans["station"],
                ans["allowed"],
                ans["reason"],
                self.actor,
            )
            if n is not None:
                self.reload_now()
                verdict = "allowed: it joins the verification" if ans["allowed"] else "rejected"
                self.set_status(f"Rule 56D application #{n} recorded: PS {ans['station']} {verdict}.")

        self.app.push_screen(FormDialog("Rule 56D application (slip count at a station)", fields), done)

    def action_slips(self) -> None:
        self._slip_form(recount=False)

    def action_recount(self) -> None:
        self._slip_form(recount=True)

    def _slip_form(self, recount: bool) -> None:
        what = "recount" if recount else "slip count"
        if not self._may(Action.ENTER, f"enter a {what}"):
            return
        s = self.selected()
        if s is None:
            self.set_status(
                "No station to count yet: record the draw (F2) or a Rule 56D application (F3).", error=True
            )
            return
        setup = self.setup
        fields = [
            Field(f, field_label(setup, f) if f != "nota" else "NOTA", NUMBER)
            for f in vvpat.slip_fields(len(setup.candidates))
        ]

        def done(ans: dict | None) -> None:
            if not ans:
                return
            st = self._call(ro_vvpat.enter_slip_count, s.station, ans, self.actor, recount=recount)
            if st is None:
                return
            self.reload_now()
            if st.differences:
                nxt = "F6: amend from the slip count" if recount else "F5: recount the slips"
                self.set_status(
                    f"PS {st.station}: {st.status.label.upper()} — {_diffs(st, setup)}. {nxt}.", error=True
                )
            else:
                self.set_status(f"PS {st.station}: {st.status.label} — the slips agree with the EVM.")

        title = f"PS {s.station}: {'RECOUNT of the' if recount else ''} VVPAT slips per candidate"
        self.app.push_screen(FormDialog(" ".join(title.split()), fields), done)

    def action_amend(self) -> None:
        if not self._may(Action.VVPAT, "amend a result from the slip count"):
            return
        s = self.selected()
        if s is None:
            self.set_status("No station selected.", error=True)
            return
        if s.status is not vvpat.StationStatus.SLIP_PREVAILS:
            self.set_status(
                f"PS {s.station}: the slip count prevails only after a recount still differs "
                f"(now: {s.status.label}).",
                error=True,
            )
            return
        ctx = services.load_context(self.store, self.ac_id)
        r = ctx.plan.locate(s.station).round_no
        later = list(range(r + 1, ctx.last_round + 1))
        lines = [
            f"The difference remained after the recount: {_diffs(s, self.setup)}.",
            "",
            f"This opens round {r} for correction (a new revision, printed on its annex) and "
            f"replaces PS {s.station}'s figures by the slip recount (total = their sum).",
            f"Round {r}"
            + (f" and rounds {_rounds(later)}" if later else "")
            + " then need your approval again.",
        ]

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            saved = self._call(ro_vvpat.amend_from_slips, s.station, self.actor)
            if saved is None:
                return
            self.reload_now()
            rounds = services.dashboard(self.store, self.ac_id).rounds
            todo = [
                n
                for n, info in rounds.items()
                if info.status in (RoundStatus.CORRECTION, RoundStatus.NEEDS_REAPPROVAL)
            ]
            self.set_status(
                f"PS {s.station} amended from its slip count (round {r} corrected). "
                f"Approve rounds {_rounds(todo)} again (in order) before closing."
            )

        self.app.push_screen(
            MessageDialog(f"Amend PS {s.station}: the slip count prevails", lines), confirmed
        )

    def action_open_round(self) -> None:
        if not self._may(Action.VVPAT, "open the round of kept-aside stations"):
            return
        r = self._call(ro_vvpat.open_vvpat_round, self.actor)
        if r is not None:
            self.reload_now()
            self.set_status(
                f"Round {r} is open: the operator types the slip counts of PS "
                f"{', '.join(self.view.kept_aside)} in the round grid (round {r}) and submits it."
            )

    def action_complete(self) -> None:
        if not self._may(Action.VVPAT, "close the VVPAT verification"):
            return
        v = self.view
        if v is not None and v.checks:
            self.app.push_screen(
                MessageDialog(
                    "VVPAT verification cannot be closed yet",
                    [str(c) for c in v.checks],
                    confirm=False,
                )
            )
            self.set_status(f"Not closed: {v.checks[0]}", error=True)
            return

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            summary = self._call(ro_vvpat.complete_vvpat, self.actor)
            if summary is not None:
                self.reload_now()
                self.set_status(
                    f"VVPAT verification closed ({len(summary['stations'])} stations); queued for push."
                )

        n = len(v.stations) if v else 0
        self.app.push_screen(
            MessageDialog(
                "Close VVPAT verification",
                [f"{n} stations verified. Nothing more can be recorded in the verification afterwards."],
            ),
            confirmed,
        )

    def action_back(self) -> None:
        self.app.pop_screen()
