"""The result and the declaration: Form 20 totals (EVM, postal, total) per candidate, NOTA and
rejected, the lead, what still blocks the declaration, recount applications (Rule 63), the RO's
Form 20 sign-off, the lot that decides a tie, the declaration and the signed Form 22 scan.
Every write is one call to services.ro_result; observers see everything and change nothing."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from encore_tui.base.i18n import t, t_msg
from encore_tui.domain import checks as ck
from encore_tui.domain.rounds import Action, may
from encore_tui.domain.tally import lead
from encore_tui.screens.base import Session
from encore_tui.screens.common import (
    check_text,
    local_time,
    name_of,
    print_in_worker,
)
from encore_tui.screens.dialogs import MessageDialog, TextDialog, ask_pin
from encore_tui.screens.printing import PRINTABLE, PrintDialog
from encore_tui.screens.ro.decision_screen import RoDecisionScreen
from encore_tui.screens.ro.forms import NUMBER, YES_NO, Field, FormDialog
from encore_tui.screens.scans import attach_from_folder
from encore_tui.services import ro_result
from encore_tui.widgets.cells import fit
from encore_tui.widgets.footer import FittingFooter


def num(v: object) -> Text:
    return Text(str(v), justify="right")


# what stays true after signing: these checks are about counting, not about the sign-off itself
_NOT_COUNTING = {ck.FORM20_NOT_SIGNED.code, ck.TIE_UNDECIDED.code}
MAX_CHECKS = 4
RESULT_SCANS = ("form20", "form21c", "form22")


def read_result(session: Session) -> tuple:
    """Form 20, the checks, the declaration and the Form 22 scans of the AC."""
    st = ro_result.result_status(session.store, session.ac_id)
    return st, ro_result.list_attachments(session.store, session.ac_id, "form22")


class ResultScreen(RoDecisionScreen):
    READ_KEY = "result"
    read = staticmethod(read_result)
    DEFAULT_CSS = """
    ResultScreen #res-table { height: 1fr; }
    ResultScreen #res-summary { height: auto; max-height: 9; padding: 0 1; }
    ResultScreen #status { height: auto; max-height: 3; padding: 0 1; color: $success; }
    ResultScreen #status.error { color: $error; text-style: bold; }
    """

    BINDINGS = [
        Binding("f2", "recount", "Recount", id="result.recount", tooltip="Record a recount application"),
        Binding("f3", "sign", "Sign F20", id="result.sign", tooltip="Sign Form 20 (PIN)"),
        Binding("f4", "tie_lot", "Tie lot", id="result.tie_lot", tooltip="Record the lot that decides a tie"),
        Binding("f5", "declare", "Declare", id="result.declare", tooltip="Declare the result (PIN)"),
        Binding("f6", "form22", "Form 22", id="result.form22", tooltip="Attach the signed Form 22 scan"),
        Binding("f8", "print", "Print", id="result.print", tooltip="Print Form 20, 21C, 21E or 22 (PDF)"),
        Binding(
            "ctrl+o", "scans", "Scans", id="result.scans", tooltip="Signed Form 20 / 21C / 22: attach, view"
        ),
        Binding("ctrl+r", "refresh", "Refresh", id="result.refresh", show=False),
        Binding("escape", "back", "Back", id="result.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status: ro_result.ResultStatus | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title-bar")
        yield DataTable(id="res-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="res-summary")
        yield Static(id="status")
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#res-table", DataTable)
        for label, key, width in [
            (t("Sl"), "sl", 2),
            (t("Candidate"), "name", 22),
            (t("Party"), "party", 6),
            ("EVM", "evm", 8),
            (t("Postal"), "postal", 6),
            (t("Total"), "total", 8),
            ("", "mark", 8),
        ]:
            table.add_column(label, key=key, width=width)
        self.query_one("#title", Static).update(self.loading())
        self.action_refresh()
        table.focus()

    def footer_spare(self) -> tuple[str, ...]:
        """Keys the footer leaves out first (widgets/footer.py) while they have nothing to do
        (they still answer with the reason, and F1 lists them): the tie lot without a tie,
        the recount and the sign-off once Form 20 is signed, the declaration once made."""
        st = self.status
        if st is None:
            return ()
        spare = ["result.back"]
        spare += [] if st.tied and not st.tie_lot else ["result.tie_lot"]
        spare += ["result.recount", "result.sign"] if st.form20_signed else []
        spare += ["result.declare"] if st.declaration else ["result.form22"]
        return tuple(spare)

    def show(self, value: tuple) -> None:
        st, scans = value
        self.status = st
        self.refresh_bindings()  # the footer's spare keys follow the state
        setup, actor = self.setup, self.actor
        ro = "" if may(actor.role, Action.DECLARE) else f" · {t('read-only')}"
        self.query_one("#title", Static).update(
            f"AC {setup.ac.number} {name_of(setup.ac)} · {t('Result')} ({t('Form 20')}) · "
            f"{actor.label} ({t(actor.role.value)}){ro}"
        )
        f20, d = st.form20, st.declaration
        ld = lead(st.votes)
        table = self.query_one("#res-table", DataTable)
        table.clear()
        for i, c in enumerate(setup.candidates):
            mark = ""
            if d is not None and d.winner_serial == c.serial:
                mark = f"[b]{t('ELECTED')}[/b]"
            elif c.serial in st.tied:
                mark = f"[b]{t('TIED')}[/b]"
            elif d is None and ld.leader == c.serial:
                mark = t("leads")
            table.add_row(
                str(c.serial),
                fit(name_of(c), 22),
                c.party[:6],
                num(f20.evm.votes[i]),
                num(f20.postal.votes[i]),
                num(f20.total_polled.votes[i]),
                mark,
                key=f"c{c.serial}",
            )
        tp = f20.total_polled
        for label, evm, postal, total, key in [
            ("NOTA", f20.evm.nota, f20.postal.nota, tp.nota, "nota"),
            (t("Rejected (postal)"), "", f20.postal.rejected, tp.rejected, "rejected"),
            (t("Total valid votes"), f20.evm.total_valid, f20.postal.total_valid, tp.total_valid, "valid"),
            (t("Total votes polled"), f20.evm.total, f20.postal.total, tp.total, "polled"),
        ]:
            table.add_row("", label, "", num(evm), num(postal), num(total), "", key=key)

        lines = []
        c = setup.candidates
        if d is not None:
            w = c[d.winner_serial - 1]
            lines.append(
                f"[b]DECLARED[/b] {local_time(d.declared_at.isoformat())}: [b]{w.name} ({w.party})[/b] elected with "
                f"{d.winner_votes} votes, margin {d.margin}"
                + (f" over {c[d.runner_up_serial - 1].name}" if d.runner_up_serial else "")
                + f" · RO {d.ro_name}"
                + (f" · {d.place}" if d.place else "")
            )
            if d.tie_lot:
                lines.append(f"Tie decided by lot (drawn by {d.tie_lot.drawn_by}): +1 vote to candidate "
                             f"{d.tie_lot.drawn_serial}.")  # fmt: skip
            lines.append(
                "Form 22 scan: "
                + (
                    ", ".join(f"{a.filename} ({a.size} B)" for a in scans)
                    if scans
                    else "not attached yet (F6)"
                )  # fmt: skip
            )
        elif ld.leader is not None:
            first = c[ld.leader - 1]
            text = f"{t('Leading')}: {name_of(first)} ({first.party}) {st.votes[ld.leader - 1]}"
            if st.tied:
                tied = ", ".join(map(str, st.tied))
                text = f"[b]{t('TIED')}[/b]: " + t(
                    "candidates {tied} with {votes} each", tied=tied, votes=st.votes[st.tied[0] - 1]
                )
            elif ld.runner_up:
                second = c[ld.runner_up - 1]
                text += f" · {t('runner-up')} {name_of(second)} ({second.party}) {st.votes[ld.runner_up - 1]}"
                text += f" · {t('margin')} {ld.margin}"
            lines.append(text)
        if st.tie_lot and d is None:
            lines.append(
                f"Lot drawn by {st.tie_lot.drawn_by}"
                + (f" (witnesses: {st.tie_lot.witnesses})" if st.tie_lot.witnesses else "")
                + f": it fell on candidate {st.tie_lot.drawn_serial} ({c[st.tie_lot.drawn_serial - 1].name})."
            )
        if st.form20_signed:
            lines.append(
                f"Form 20 signed by {st.form20_signed['name']} at {local_time(st.form20_signed['at'])}: "
                "no recount application any more."
            )
        for r in st.recounts:
            where = "full recount" if r["full"] else f"PS {', '.join(r['stations'])}"
            verdict = "ALLOWED" if r["allowed"] else "rejected"
            lines.append(f"Recount #{r['no']} {r['applicant']}: {where} {verdict} — {r['reason']}")
        if d is None:
            if st.checks:
                lines.append(f"[b]{t('Not yet declarable:')}[/b]")
                lines += [f"  {check_text(x)}" for x in st.checks[:MAX_CHECKS]]
                if len(st.checks) > MAX_CHECKS:
                    lines.append(
                        "  " + t("… and {n} more (F5 lists them all)", n=len(st.checks) - MAX_CHECKS)
                    )
            else:
                lines.append(f"[b]{t('Ready to declare')}[/b]: F5.")
        self.query_one("#res-summary", Static).update("\n".join(map(t_msg, lines)))

    # -- decisions -------------------------------------------------------------------------------
    def _declared(self) -> bool:
        if self.status is not None and self.status.declaration is not None:
            self.set_status("The result is already declared.", error=True)
            return True
        return False

    def action_recount(self) -> None:
        if not self._may(Action.CORRECT, "decide a recount application") or self._declared():
            return
        if self.status is not None and self.status.form20_signed:
            self.set_status(
                "Form 20 is signed: no recount application can be recorded any more (Rule 63).", error=True
            )
            return
        fields = [
            Field("applicant", "Applicant", placeholder="candidate / election agent"),
            Field("stations", "Stations (comma) or ALL", placeholder="e.g. 12,40 — ALL: full recount"),
            Field("allowed", "Allowed? (y/n)", YES_NO),
            Field("reason", "Reasons for the decision"),
        ]

        def done(ans: dict | None) -> None:
            if not ans:
                return
            raw = str(ans["stations"])
            stations = (
                None if raw.strip().upper() == "ALL" else [s.strip() for s in raw.split(",") if s.strip()]
            )
            rounds = self._call(
                ro_result.record_recount,
                ans["applicant"],
                stations,
                ans["allowed"],
                ans["reason"],
                self.actor,
            )
            if rounds is None:
                return
            self.reload_now()
            if rounds:
                self.set_status(
                    f"Recount allowed: round(s) {', '.join(map(str, rounds))} open for correction — type the "
                    "recounted figures in the round grid and approve the rounds again in order."
                )
            else:
                self.set_status(
                    "Recount application recorded: " + ("allowed" if ans["allowed"] else "rejected") + "."
                )

        self.app.push_screen(FormDialog("Recount application (Rule 63)", fields), done)

    def _counting_blockers(self) -> list:
        st = self.status
        return [c for c in (st.checks if st else []) if c.code.code not in _NOT_COUNTING]

    def _refuse(self, title: str, checks: list) -> None:
        self.set_status(f"{title}: {checks[0]}", error=True)
        self.app.push_screen(MessageDialog(title, [str(c) for c in checks], confirm=False))

    def action_sign(self) -> None:
        if not self._may(Action.DECLARE, "sign Form 20") or self._declared():
            return
        self.reload_now()
        if self.status and self.status.form20_signed:
            self.set_status("Form 20 is already signed.", error=True)
            return
        blockers = self._counting_blockers()
        if blockers:
            self._refuse("Form 20 cannot be signed yet", blockers)
            return

        def pin_given(pin: str | None) -> None:
            if not pin:
                return
            rec = self._call(ro_result.sign_form20, self.actor, pin)
            if rec is not None:
                self.reload_now()
                self.set_status(
                    f"Form 20 signed (sha256 {rec['sha256'][:16]}…). No recount application can follow."
                )

        tp = self.status.form20.total_polled if self.status else None
        self.app.push_screen(
            ask_pin(
                "Sign Form 20",
                [
                    f"Total votes polled {tp.total if tp else '?'}; the figures above are final.",
                    "After the sign-off no recount application and no correction can be recorded.",
                ],
            ),
            pin_given,
        )

    def action_tie_lot(self) -> None:
        if not self._may(Action.DECLARE, "record the lot") or self._declared():
            return
        st = self.status
        if st is None or not st.tied:
            self.set_status("The leading candidates are not tied: no lot is drawn.", error=True)
            return
        if st.tie_lot:
            self.set_status("The lot is already drawn; it is not drawn again.", error=True)
            return
        c = self.setup.candidates
        tied = ", ".join(f"{s} {c[s - 1].name} ({c[s - 1].party})" for s in st.tied)
        fields = [
            Field("drawn", "Lot fell on candidate no.", NUMBER),
            Field("drawn_by", "Drawn by"),
            Field("witnesses", "Witnesses", required=False, placeholder="candidates, agents, observer"),
        ]

        def done(ans: dict | None) -> None:
            if not ans:
                return
            lot = self._call(
                ro_result.record_tie_lot, ans["drawn"], ans["drawn_by"], ans["witnesses"], self.actor
            )
            if lot is not None:
                self.reload_now()
                w = c[lot.drawn_serial - 1]
                self.set_status(
                    f"Lot recorded: it fell on {w.name} ({w.party}), who gets one more vote. F5: declare."
                )

        self.app.push_screen(
            FormDialog("Tie: the lot (Section 65)", fields, [f"Tied: {tied}.", "The lot adds one vote."]),
            done,
        )

    def action_declare(self) -> None:
        if not self._may(Action.DECLARE, "declare the result") or self._declared():
            return
        self.reload_now()
        st = self.status
        if st is None:
            return
        if st.checks:
            self._refuse("The result cannot be declared yet", st.checks)
            return
        winner_line = ""
        c = self.setup.candidates
        ld = lead(st.votes)
        if ld.leader and not st.tied:
            w = c[ld.leader - 1]
            winner_line = f"{w.name} ({w.party}), {st.votes[ld.leader - 1]} votes, margin {ld.margin}"
        elif st.tie_lot:
            w = c[st.tie_lot.drawn_serial - 1]
            winner_line = f"{w.name} ({w.party}) by lot, {st.votes[w.serial - 1] + 1} votes, margin 1"

        def place_given(place: str | None) -> None:
            if place is None:
                return

            def pin_given(pin: str | None) -> None:
                if not pin:
                    return
                d = self._call(ro_result.declare_result, self.actor, pin, place=place)
                if d is not None:
                    self.reload_now()
                    w = c[d.winner_serial - 1]
                    self.set_status(
                        f"Declared: {w.name} ({w.party}) elected with {d.winner_votes} votes, margin {d.margin}. "
                        "Queued for push. F6: attach the signed Form 22."
                    )

            self.app.push_screen(ask_pin("Declare the result", [f"Elected: {winner_line}", f"Place: {place}"]),
                                 pin_given)  # fmt: skip

        self.app.push_screen(
            TextDialog(
                "Declare the result",
                "Place of the declaration",
                [f"Elected: {winner_line}"],
                required="Type the place (e.g. the counting centre).",
            ),
            place_given,
        )

    def action_form22(self) -> None:
        if not self._may(Action.DECLARE, "attach the signed Form 22"):
            return
        if self.status is None or self.status.declaration is None:
            self.set_status(
                "The signed certificate (Form 22) is attached after the result is declared.", error=True
            )
            return

        def attached(info) -> None:
            self.reload_now()
            self.set_status(
                f"Form 22 scan {info.filename} attached ({info.media_type}, {info.size} bytes); queued."
            )

        attach_from_folder(self, ("form22",), attached)

    def action_scans(self) -> None:
        from encore_tui.screens.scans import ScansScreen

        self.app.push_screen(ScansScreen(RESULT_SCANS, f"{t('Result')} · signed Form 20 / 21C / 22"))

    def action_print(self) -> None:
        self.app.push_screen(PrintDialog(PRINTABLE), lambda what: what and self.print_form(what))

    def print_form(self, what: str) -> None:
        print_in_worker(self, what, None, self.set_status)

    def palette_commands(self) -> list[tuple[str, str, object]]:
        how = t("PDF, to the printer or the prints folder")
        cmds = [
            (t("Print {what}", what=t(title)), how, lambda w=w: self.print_form(w))
            for w, title in PRINTABLE.items()
        ]
        cmds.append((t("Scans: signed Form 20 / 21C / 22"), t("Attach or view (Ctrl+O)"), self.action_scans))
        return cmds

    def action_back(self) -> None:
        self.app.pop_screen()
