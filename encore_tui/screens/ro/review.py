"""The RO's review of one round: read-only figures, every check, totals, lead, the difference
against the previous revision, and the decisions (approve, return, correct, spot check, double
entry). Each decision is one service call (`services.ro`); refusals are shown, never raised.

F10 switches between the table-wise figures (the tally grid, read-only) and the full report
(checks, changes, totals, blind checks, postal scans).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import ContentSwitcher, Static

from encore_tui import services
from encore_tui.base.i18n import t
from encore_tui.domain import checks as ck
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, Role, RoundStatus, may, may_edit
from encore_tui.screens.base import DecisionSaved, Loaded, SessionScreen
from encore_tui.screens.common import (
    grid_labels,
    lead_line,
    name_of,
    right_columns,
    round_name,
    saved_time,
    table_marks,
    user_errors,
)
from encore_tui.screens.dialogs import MessageDialog, TextDialog, ask_pin
from encore_tui.screens.messages import not_saved
from encore_tui.screens.ro.review_text import (
    AWAITING_RO,
    CORRECTABLE,
    OBSERVER_REFUSAL,
    blind_summary,
    report_lines,
)
from encore_tui.widgets.footer import FittingFooter
from encore_tui.widgets.tally_grid import TallyGrid

FORM20_SIGNED = (
    "Form 20 is signed: no round can be corrected any more (Rule 63). A recount (F2 on the result "
    "screen) was possible only before the sign-off; the declared result now stands."
)


class RoReviewScreen(SessionScreen):
    BINDINGS = [
        Binding("f2", "approve", "Approve", id="review.approve", tooltip="Approve the round (PIN asked)"),
        Binding(
            "f3", "return_round", "Return", id="review.return", tooltip="Return to the operator with a remark"
        ),
        Binding("f4", "correct", "Correct", id="review.correct", tooltip="Correct an approved round (PIN)"),
        # once Form 20 is signed the key above is hidden; this one (same id, so a remapped key
        # moves both) tells the RO at once why, before any reason or PIN is asked
        Binding("f4", "correct_closed", "Correct", id="review.correct", show=False),
        Binding("f5", "spot", "Spot", id="review.spot", tooltip="Blind spot check (draw, re-key)"),
        Binding("f6", "double", "Double", id="review.double", tooltip="Double entry (open / compare)"),
        Binding("f7", "edit", "Edit", id="review.edit", tooltip="Type a correction's figures"),
        Binding("f8", "print", "Print", id="review.print", tooltip="Print the round sheet (PDF)", show=False),
        Binding("f9", "annex", "Annex", id="review.annex", tooltip="Print the correction annex (PDF)"),
        Binding(
            "ctrl+o",
            "scans",
            "Scans",
            id="review.scans",
            tooltip="Postal: attach / view the Form 13A/13B scans",
        ),
        Binding(
            "f10", "toggle_report", "Report", id="review.report", tooltip="Figures / report (checks, changes)"
        ),
        Binding("escape", "back", "Back", id="review.back", tooltip="Back to the review queue"),
    ]

    def __init__(self, round_no: int, rv=None) -> None:
        super().__init__()
        self.round_no = round_no
        self.rv = rv  # read by the review queue in a thread worker (RoHomeScreen.open_review)
        self.form20_signed = False  # once the RO signed Form 20, no round is corrected (F4 hidden)

    @property
    def rname(self) -> str:
        return round_name(self.round_no)

    def compose(self) -> ComposeResult:
        from encore_tui.services import ro

        if self.rv is None:  # opened without it: read here
            self.rv = ro.review_round(self.store, self.ac_id, self.round_no)
        ctx, setup = self.rv.view.ctx, self.rv.view.ctx.setup
        postal = self.round_no == POSTAL_ROUND
        tables = list(enumerate(ctx.tables_of(self.round_no), start=1))
        form17c = self.rv.view.form17c_totals
        yield Static(id="title", classes="title-bar")
        yield Static(id="notice", classes="notice")
        with ContentSwitcher(initial="grid", id="views"):
            yield TallyGrid(grid_labels(setup, postal), tables, postal=postal, form17c=form17c, id="grid")
            with VerticalScroll(id="report"):
                yield Static(id="report-text", markup=False)
        yield Static(id="facts", classes="summary")
        yield Static(id="status", classes="status")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.show(self.rv)
        self.query_one(TallyGrid).focus()
        self.set_status(t("F10: report (checks, changes, totals) · F8: print · F1: every key"))

    def resumed(self) -> None:
        """Back from the blind keying, the round grid, a dialog…: read again in a worker."""
        from encore_tui.services import ro

        self.read_in_worker("review", lambda s: ro.review_round(s.store, s.ac_id, self.round_no))

    def on_loaded(self, message: Loaded) -> None:
        if message.key != "review":
            return
        if message.error is not None:
            self.set_status(f"{t('Could not re-read the round')}: {message.error}", True)
            return
        self.show(message.value)

    # -- data -> screen ---------------------------------------------------------------------
    def reload(self) -> None:
        from encore_tui.services import ro

        try:
            rv = ro.review_round(self.store, self.ac_id, self.round_no)
        except user_errors() as exc:
            self.set_status(f"{t('Could not re-read the round')}: {exc}", True)
            return
        self.show(rv)

    def show(self, rv) -> None:
        from encore_tui.services.ro_result import form20_signed

        self.rv = rv
        try:
            self.form20_signed = form20_signed(self.store, self.ac_id) is not None
        except user_errors():
            self.form20_signed = False  # the service refuses a correction anyway
        v = rv.view
        setup = v.ctx.setup
        info = v.info
        self.query_one(TallyGrid).load(v.entries, table_marks(v.checks, v.entries), right_columns(v), False)
        where = self.rname + ("" if self.round_no == 0 else f"/{v.ctx.last_round}")
        self.query_one("#title", Static).update(
            f"AC {setup.ac.number} {name_of(setup.ac)} · {where} · {t(info.status.label)} {t('rev')} {info.revision}"
            f" · {t('review')} · {self.actor.label}"
        )
        notices = []
        if info.remark and info.status is RoundStatus.CORRECTION:
            notices.append(f"{t('Correction')}: {info.remark} — {t('F7 type the figures, then F2 approve')}")
        elif info.remark:
            notices.append(f"{t('Remark')}: {info.remark}")
        if info.status in AWAITING_RO and not rv.in_order:
            notices.append(t("Earlier rounds are not approved yet: rounds are approved in order."))
        if self.actor.role is Role.OBSERVER:
            notices.append(t("Observer: you see everything and change nothing."))
        notice = self.query_one("#notice", Static)
        notice.update("\n".join(notices))
        notice.display = bool(notices)
        facts = []
        if v.tally is not None:
            facts.append(lead_line(setup, v.tally.lead, v.tally.cumulative.votes, f"r{self.round_no}"))
        else:
            p = v.postal_totals
            scans = ", ".join(f"{a.filename} {a.sha256[:8]}" for a in rv.scans) or f"{t('none')} (E116)"
            facts.append(
                t(
                    "Postal total {total} · rejected {rejected} · scans: {scans}",
                    total=p.total,
                    rejected=p.rejected,
                    scans=scans,
                )
            )
        second = []
        if rv.diff is not None:
            second.append(
                t("{n} cell(s) changed since rev {rev}", n=len(rv.diff.changes), rev=rv.diff.base_revision)
            )
        if rv.blockers:
            first = rv.blockers[0]
            second.append(
                f"{t('blocked')}: {first.code.code}"
                + (f" +{len(rv.blockers) - 1}" if len(rv.blockers) > 1 else "")
            )
        elif info.status in AWAITING_RO and rv.in_order:
            second.append(t("ready for approval (F2)"))
        if rv.spot is not None:
            second.append(blind_summary("spot", rv.spot, short=True))
        elif rv.spot_required:
            second.append(t("spot: to draw (F5)"))
        if rv.double is not None:
            second.append(blind_summary("double", rv.double, short=True))
        facts.append(" · ".join(second + [t("F10 report")]))
        self.query_one("#facts", Static).update("\n".join(facts))
        self.query_one("#report-text", Static).update("\n".join(report_lines(rv)))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that do not apply to the round's state are hidden (the footer fits 80 columns).
        Roles are not checked here: an observer's key shows why it changes nothing."""
        if self.rv is None:
            return True
        status = self.rv.view.info.status
        evm = self.round_no != POSTAL_ROUND
        return {
            "approve": status in AWAITING_RO,
            "return_round": status is RoundStatus.SUBMITTED,
            "correct": status in CORRECTABLE and not self.form20_signed,
            "correct_closed": self.form20_signed,
            "spot": evm and (status is RoundStatus.SUBMITTED or self.rv.spot is not None),
            "double": evm and (status is RoundStatus.SUBMITTED or self.rv.double is not None),
            "edit": status is RoundStatus.CORRECTION,
            "scans": not evm,
            "annex": self.rv.view.info.revision > 1 or status is RoundStatus.CORRECTION,
        }.get(action, True)

    @on(TallyGrid.Notice)
    def _grid_notice(self, event: TallyGrid.Notice) -> None:
        self.set_status("Read-only review: F7 types the figures of a round in correction.", True)

    # -- guards -----------------------------------------------------------------------------
    def _refuse(self, action: Action, what: str) -> bool:
        role = self.actor.role
        if role is Role.OBSERVER:
            self.set_status(OBSERVER_REFUSAL, True)
            return True
        if not may(role, action):
            self.set_status(f"Only the RO may {what}; your role is {role.value}.", True)
            return True
        return False

    def _back_to_queue(self, text: str) -> None:
        self.app.pop_screen()
        self.app.screen.post_message(DecisionSaved(text))  # the review queue says it

    def _blocked(self, title: str, checks: list[ck.Check]) -> None:
        self.set_status(f"{self.rname} cannot be approved: {len(checks)} check(s) block it.", True)
        self.app.push_screen(MessageDialog(title, [str(c) for c in checks[:40]], confirm=False))

    # -- decisions --------------------------------------------------------------------------
    def action_approve(self) -> None:
        if self._refuse(Action.APPROVE, "approve a round"):
            return
        self.reload()
        rv = self.rv
        status = rv.view.info.status
        if status not in AWAITING_RO:
            self.set_status(
                f"{self.rname} is {status.label}: there is nothing to approve (F4 corrects it).", True
            )
            return
        if rv.blockers:
            self._blocked(f"{self.rname} cannot be approved yet", rv.blockers)
            return
        if not rv.in_order:
            self.set_status("Approve the earlier rounds first: rounds are approved in order.", True)
            return
        lines = [f"{self.rname}, revision {rv.view.info.revision} ({status.label})"]
        if rv.view.tally is not None:
            v = rv.view
            lines.append(lead_line(v.ctx.setup, v.tally.lead, v.tally.cumulative.votes, f"r{self.round_no}"))
        if rv.diff is not None:
            lines.append(f"{len(rv.diff.changes)} cell(s) changed since revision {rv.diff.base_revision}")
        warnings = [c for c in rv.view.checks if not c.is_error]
        lines.append(f"{len(warnings)} warning(s)" + (" (F10 report lists them)" if warnings else ""))

        def given(pin: str | None) -> None:
            from encore_tui.services import ro

            if pin is None:
                self.set_status("Approval cancelled: nothing was decided.")
                return
            try:
                saved = ro.approve(self.store, self.ac_id, self.round_no, self.actor, pin)
            except services.RoundBlocked as exc:
                self.reload()
                self._blocked(f"{self.rname} cannot be approved", exc.checks)
                return
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self._back_to_queue(
                f"{t('saved')} {saved_time(saved)} · {self.rname} approved by {self.actor.username};"
                " queued for publication."
            )

        self.app.push_screen(ask_pin(f"Approve {self.rname}: your PIN", lines), given)

    def action_return_round(self) -> None:
        if self._refuse(Action.RETURN, "return a round"):
            return
        status = self.rv.view.info.status
        if status is not RoundStatus.SUBMITTED:
            self.set_status(f"{self.rname} is {status.label}: only a submitted round is returned.", True)
            return

        def given(remark: str | None) -> None:
            from encore_tui.services import ro

            if remark is None:
                self.set_status("Return cancelled: nothing was decided.")
                return
            try:
                saved = ro.return_to_operator(self.store, self.ac_id, self.round_no, remark, self.actor)
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self._back_to_queue(
                f"{t('saved')} {saved_time(saved)} · {self.rname} returned to the operator: {remark}"
            )

        self.app.push_screen(
            TextDialog(
                f"Return {self.rname} to the operator",
                "Remark: what to check (the operator sees it)",
                required="Write the remark the operator will see, e.g. 'table 2: c3 misread'.",
            ),
            given,
        )

    def action_correct_closed(self) -> None:
        self.set_status(t(FORM20_SIGNED), True)

    def action_correct(self) -> None:
        if self._refuse(Action.CORRECT, "correct a round"):
            return
        status = self.rv.view.info.status
        if status not in CORRECTABLE:
            self.set_status(
                f"{self.rname} is {status.label}: only an approved or published round is corrected.", True
            )
            return
        if self.form20_signed:
            self.action_correct_closed()
            return

        def with_pin(reason: str, pin: str | None) -> None:
            from encore_tui.services import ro

            if pin is None:
                self.set_status("Correction cancelled: nothing was decided.")
                return
            try:
                saved = ro.correct(self.store, self.ac_id, self.round_no, reason, self.actor, pin)
                later = [
                    i.round_no
                    for i in ro.review_queue(self.store, self.ac_id)
                    if i.status is RoundStatus.NEEDS_REAPPROVAL
                ]
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self.reload()
            again = (
                "Needs re-approval afterwards, in order: rounds " + ", ".join(map(str, later))
                if later
                else "No later round needs re-approval."
            )
            self.set_status(f"{t('saved')} {saved_time(saved)} · {self.rname} open for correction · {again}")
            self.app.push_screen(
                MessageDialog(
                    f"{self.rname} is open for correction",
                    [
                        f"Reason: {reason}",
                        "",
                        "F7 opens the round: type the right figures (Esc back), then F2 approves it.",
                        again,
                    ],
                    confirm=False,
                )
            )

        def with_reason(reason: str | None) -> None:
            if reason is None:
                self.set_status("Correction cancelled: nothing was decided.")
                return
            self.app.push_screen(
                ask_pin(f"Correct {self.rname}: your PIN", [f"Reason: {reason}"]),
                lambda pin: with_pin(reason, pin),
            )

        self.app.push_screen(
            TextDialog(
                f"Correct {self.rname} (a new revision)",
                "Reason (printed on the correction annex)",
                ["Every later approved round will need re-approval, in order."],
                required="Write why the round is corrected; it is printed on the correction annex.",
            ),
            with_reason,
        )

    def action_spot(self) -> None:
        from encore_tui.screens.blind import BlindEntryScreen, BlindResultScreen
        from encore_tui.services import ro

        rv = self.rv
        if rv.spot is not None and self.actor.role is Role.OBSERVER:
            self.app.push_screen(BlindResultScreen(self.round_no, "spot"))
            return
        if self._refuse(Action.APPROVE, "run the blind spot check"):
            return
        if rv.spot is None:
            if rv.view.info.status is not RoundStatus.SUBMITTED or self.round_no == POSTAL_ROUND:
                self.set_status("A spot check is drawn for a submitted EVM round, before its approval.", True)
                return
            try:
                picks = ro.draw_spot_check(self.store, self.ac_id, self.round_no, self.actor)
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self.set_status(f"Spot check drawn: {len(picks)} cell(s) to re-key blind (the draw is recorded).")
            self.app.push_screen(BlindEntryScreen(self.round_no, "spot"))
            return
        if any(not c.keyed for c in rv.spot):
            self.app.push_screen(BlindEntryScreen(self.round_no, "spot"))
        else:
            self.app.push_screen(BlindResultScreen(self.round_no, "spot"))

    def action_double(self) -> None:
        from encore_tui.screens.blind import BlindResultScreen
        from encore_tui.services import ro

        if self.rv.double is not None:
            if self.actor.role in (Role.RO, Role.OBSERVER):
                self.app.push_screen(BlindResultScreen(self.round_no, "double"))
            else:
                self.set_status("Only the RO (and the observer) see the comparison of a double entry.", True)
            return
        if self._refuse(Action.APPROVE, "open a double entry"):
            return

        def given(keyer: str | None) -> None:
            if keyer is None:
                return
            try:
                ro.open_double_entry(self.store, self.ac_id, self.round_no, keyer, self.actor)
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self.reload()
            self.set_status(
                f"Double entry of {self.rname} opened for {keyer}: they sign in and press F4 on their dashboard."
            )

        self.app.push_screen(
            TextDialog(
                f"Double entry of {self.rname}",
                "User name of the second operator",
                ["A second operator keys the whole round blind; you then compare side by side (F6)."],
                required="Type the user name of the operator who keys the round a second time.",
            ),
            given,
        )

    def action_edit(self) -> None:
        from encore_tui.screens.round_entry import RoundScreen

        if self.actor.role is Role.OBSERVER:
            self.set_status(OBSERVER_REFUSAL, True)
            return
        status = self.rv.view.info.status
        if not may_edit(status, self.actor.role):
            self.set_status(
                f"{self.rname} is {status.label}: its figures change only in a correction (F4).", True
            )
            return
        self.app.push_screen(RoundScreen(self.round_no))

    def action_print(self) -> None:
        from encore_tui.screens.common import print_in_worker

        postal = self.round_no == POSTAL_ROUND
        print_in_worker(
            self, "postal" if postal else "round", None if postal else self.round_no, self.set_status
        )

    def action_annex(self) -> None:
        from encore_tui.screens.common import print_in_worker

        print_in_worker(self, "annex", self.round_no, self.set_status)

    def action_scans(self) -> None:
        from encore_tui.screens.scans import ScansScreen
        from encore_tui.services.ro_result import POSTAL_SCANS

        if self.round_no != POSTAL_ROUND:
            self.set_status(t("Scans (Form 13A/13B) belong to the postal round."), True)
            return
        self.app.push_screen(ScansScreen(POSTAL_SCANS, f"{self.rname} · scanned Form 13A/13B"))

    def palette_commands(self) -> list[tuple[str, str, object]]:
        cmds = [
            (
                t("Print {what}", what=t("{round} sheet", round=self.rname)),
                t("The round sheet as PDF (F8)"),
                self.action_print,
            )
        ]
        if self.check_action("annex", ()):
            cmds.append(
                (
                    t("Print {what}", what=t("{round} correction annex", round=self.rname)),
                    t("The annex as PDF (F9)"),
                    self.action_annex,
                )
            )
        if self.round_no == POSTAL_ROUND:
            cmds.append(
                (t("Scans: Form 13A/13B"), t("Attach or view the postal scans (Ctrl+O)"), self.action_scans)
            )
        return cmds

    def action_toggle_report(self) -> None:
        switcher = self.query_one("#views", ContentSwitcher)
        switcher.current = "report" if switcher.current == "grid" else "grid"
        self.query_one(f"#{switcher.current}").focus()

    def action_back(self) -> None:
        self.app.pop_screen()
