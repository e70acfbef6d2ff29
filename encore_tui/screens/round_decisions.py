"""The round screen's decisions about whole tables and the round: keep a table aside, acknowledge
a Form 17C warning, submit the round (with what the RO will still need), and the scans of the
postal round. A mixin of `RoundScreen` (screens/round_entry.py), which has the grid and the view.
"""

from __future__ import annotations

from encore_tui import services
from encore_tui.base.i18n import t, t_msg
from encore_tui.domain import checks as ck
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, RoundStatus, may
from encore_tui.screens.base import RoundSubmitted
from encore_tui.screens.common import (
    check_text,
    round_name,
    saved_time,
    user_errors,
)
from encore_tui.screens.dialogs import KeepAsideDialog, MessageDialog
from encore_tui.screens.messages import not_saved


class RoundDecisions:
    """Keep aside (F2), acknowledge (F3), submit (F5), scans (Ctrl+O) for `RoundScreen`."""

    def _refuse_if_locked(self) -> bool:
        if self.editable:
            return False
        self.set_status(
            t(
                "{round} is {status}: you cannot change it now.",
                round=round_name(self.round_no),
                status=t(self.view.info.status.label),
            ),
            True,
        )
        return True

    def action_keep_aside(self) -> None:
        if self.round_no == POSTAL_ROUND:
            self.set_status(t("Postal tables cannot be kept aside."), True)
            return
        if self._refuse_if_locked():
            return
        g = self.grid
        no, station = g.tables[g.col]
        entry = g.entries.get(station)
        if entry is not None and entry.kept_aside is not None:
            try:
                saved = services.restore_table(self.store, self.ac_id, self.round_no, station, self.actor)
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self.refresh_view()
            self.set_status(
                f"{t('saved')} {saved_time(saved)} · "
                + t("table {no} (PS {station}) restored: type its figures.", no=no, station=station)
            )
            return

        def chosen(result) -> None:
            if result is None:
                return
            reason, note = result
            try:
                saved = services.keep_aside(
                    self.store, self.ac_id, self.round_no, station, reason, self.actor, note=note
                )
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self.refresh_view()
            self.set_status(
                f"{t('saved')} {saved_time(saved)} · "
                + t(
                    "table {no} (PS {station}) kept aside: {reason}.",
                    no=no,
                    station=station,
                    reason=t(reason.label),
                )
            )

        self.app.push_screen(KeepAsideDialog(no, station), chosen)

    def action_acknowledge(self) -> None:
        if self._refuse_if_locked():
            return
        g = self.grid
        no, station = g.tables[g.col]
        open_ = [
            c
            for c in self.view.checks
            if c.station == station and c.code.code in ck.ACKNOWLEDGEABLE and not c.acknowledged
        ]
        if not open_:
            self.set_status(t("Table {no} has no warning to acknowledge.", no=no), True)
            return
        c = open_[0]

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            try:
                saved = services.acknowledge_warning(
                    self.store, self.ac_id, self.round_no, station, c.code.code, self.actor
                )
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            self.refresh_view()
            self.set_status(
                f"{t('saved')} {saved_time(saved)} · "
                + t("{code} acknowledged for table {no}.", code=c.code.code, no=no)
            )

        self.app.push_screen(
            MessageDialog(
                f"{c.code.code} — " + t("table {no} (PS {station})", no=no, station=station),
                [
                    t_msg(c.message),
                    "",
                    t("Acknowledge only after checking the CU total against the paper Form 17C Part I."),
                    t("Under the protocol a CU whose total differs is kept aside instead (F2):"),
                    t("clear its figures first, then keep it aside."),
                ],
                hint=t("Enter: checked against the paper, acknowledge · Esc: cancel"),
            ),
            confirmed,
        )

    def action_submit_round(self) -> None:
        if self._refuse_if_locked():
            return
        if self.view.info.status is RoundStatus.CORRECTION:
            self.set_status(
                t("A correction is not submitted: Esc back to the RO review, then F2 approves it."), True
            )
            return
        if not may(self.actor.role, Action.SUBMIT):
            self.set_status(t("Your role may not submit rounds."), True)
            return
        self.refresh_view()
        v = self.view
        blocking = v.blocking
        if blocking:
            self._show_blocked(blocking)
            return
        warnings = [c for c in v.checks if not c.is_error]
        lines = [t("Hand {round} to the RO? It is then locked for entry.", round=round_name(self.round_no))]
        if warnings:
            lines += ["", t("Warnings:")] + [
                f"  {check_text(c)}" + (f" ({t('acknowledged')})" if c.acknowledged else "") for c in warnings
            ]
        else:
            lines += ["", t("No warnings: every table adds up and matches Form 17C Part I.")]
        lines += self._scan_warning()

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            try:
                saved = services.submit_round(self.store, self.ac_id, self.round_no, self.actor)
            except services.RoundBlocked as exc:
                self._show_blocked(exc.checks)
                return
            except user_errors() as exc:
                self.set_status(not_saved(exc), True)
                return
            try:
                services.save_ui_state(self.store, self.actor, self.ac_id, {"screen": "dashboard"})
            except user_errors():
                pass
            self.app.pop_screen()
            # the screen underneath (the dashboard) says so and moves to the next round
            self.app.screen.post_message(RoundSubmitted(self.round_no, saved.committed or saved.ts))

        self.app.push_screen(MessageDialog(t("Submit round"), lines), confirmed)

    def _scan_warning(self) -> list[str]:
        """The postal round needs its scanned Form 13A/13B before the RO can approve it (E116):
        said at the operator's submit, while the covers are still at hand."""
        from encore_tui.services import ro_result

        if self.round_no != POSTAL_ROUND:
            return []
        try:
            if ro_result.list_attachments(self.store, self.ac_id, ro_result.POSTAL_SCANS):
                return []
        except user_errors():
            return []
        return [
            "",
            f"{ck.POSTAL_SCANS_MISSING.code}: no scanned Form 13A/13B is attached: the RO cannot approve",
            "the postal round without them. Esc, then Ctrl+O attaches them (before or after submitting).",
        ]

    def palette_commands(self) -> list[tuple[str, str, object]]:
        name = round_name(self.round_no)
        cmds = []
        if self.editable and self.view.info.status is not RoundStatus.CORRECTION:
            cmds.append(
                (f"{t('Submit round')}: {name}", t("Hand the round to the RO (F5)"), self.action_submit_round)
            )
        what = t("Postal sheet") if self.round_no == POSTAL_ROUND else t("{round} sheet", round=name)
        cmds.append((t("Print {what}", what=what), t("The round sheet as PDF (F8)"), self.action_print))
        if self.round_no == POSTAL_ROUND:
            cmds.append(
                (t("Scans: Form 13A/13B"), t("Attach or view the postal scans (Ctrl+O)"), self.action_scans)
            )
        return cmds

    def action_scans(self) -> None:
        from encore_tui.screens.scans import ScansScreen
        from encore_tui.services.ro_result import POSTAL_SCANS

        if self.round_no != POSTAL_ROUND:
            self.set_status(t("Scans (Form 13A/13B) belong to the postal round."), True)
            return
        self.app.push_screen(ScansScreen(POSTAL_SCANS, f"{round_name(0)} · scanned Form 13A/13B"))

    def _show_blocked(self, checks: list[ck.Check]) -> None:
        self.set_status(
            t(
                "{round} cannot be submitted: {n} check(s) block it.",
                round=round_name(self.round_no),
                n=len(checks),
            ),
            True,
        )
        lines = [check_text(c) for c in checks[:40]]
        if len(checks) > 40:
            lines.append(t("… and {n} more", n=len(checks) - 40))
        self.app.push_screen(
            MessageDialog(
                t("{round} cannot be submitted yet", round=round_name(self.round_no)), lines, confirm=False
            )
        )
