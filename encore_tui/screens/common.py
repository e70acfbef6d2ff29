"""Presentation helpers shared by screens: labels, marks and lead lines from domain objects.

Nothing here computes a tally; it formats what the services returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from encore_tui.base.i18n import lang, t, t_msg
from encore_tui.widgets.textual_compat import bindings_by_key, set_bindings_by_key

if TYPE_CHECKING:  # the sign-in screen imports this module before the domain (pydantic) is loaded
    from encore_tui.domain import checks as ck
    from encore_tui.domain.setup import Setup
    from encore_tui.domain.tally import Lead


def user_errors() -> tuple[type[Exception], ...]:
    """Exceptions whose message is written for the user (shown as is, never a traceback)."""
    from encore_tui.services import ServiceError
    from encore_tui.services.errors import IllegalTransition, NotAllowed, StoreError

    return (ServiceError, StoreError, NotAllowed, IllegalTransition)


def local_time(ts: str) -> str:
    """HH:MM:SS (local clock) of a stored UTC timestamp."""
    try:
        return dt.datetime.fromisoformat(ts).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return ts[11:19]


def round_name(round_no: int) -> str:
    return t("Postal") if round_no == 0 else f"{t('Round')} {round_no}"


def name_of(item) -> str:
    """A candidate's (AC's, election's) name in the UI language: the setup's Hindi name under
    `--lang hi` where the setup gives one, else the name as registered."""
    return (getattr(item, "name_hi", None) if lang() == "hi" else None) or item.name


def field_label(setup: Setup, field: str, postal: bool = False) -> str:
    from encore_tui.domain.setup import NOTA, REJECTED, TOTAL

    if field.startswith("c") and field[1:].isdigit():
        c = setup.candidates[int(field[1:]) - 1]
        return f"{c.serial} {name_of(c)} ({c.party})"
    total = t("Total") if postal else t("Total (CU)")  # postal ballots have no Control Unit
    return {NOTA: "NOTA", TOTAL: total, REJECTED: t("Rejected")}.get(field, field)


def grid_labels(setup: Setup, postal: bool) -> list[tuple[str, str]]:
    """Row labels, measured in terminal cells (widgets/cells.py): a Hindi name keeps the party
    column where a Latin one puts it."""
    from encore_tui.domain.setup import NOTA, REJECTED, TOTAL
    from encore_tui.widgets.cells import fit

    rows = [(c.field, f"{c.serial:>2} {fit(name_of(c), 12)} {c.party[:5]}") for c in setup.candidates]
    rows.append((NOTA, "   NOTA"))
    if postal:
        rows.append((REJECTED, "   " + t("Rejected")))
    rows.append((TOTAL, "   " + (t("Total") if postal else t("Total (CU)"))))
    return rows


def right_columns(v) -> dict[str, tuple[str, str]]:
    """The tally grid's right-hand columns from a round view: this round and cumulative
    (postal: its own totals). Round entry and the RO's review show the same."""
    from encore_tui.domain.tally import typed_cu_total

    if v.tally is None:
        p = v.postal_totals
        out = {f"c{i}": (str(x), "") for i, x in enumerate(p.votes, start=1)}
        out.update(nota=(str(p.nota), ""), rejected=(str(p.rejected), ""), total=(str(p.total), ""))
        return out
    this, cum = v.tally.this_round, v.tally.cumulative
    out = {f"c{i}": (str(a), str(b)) for i, (a, b) in enumerate(zip(this.votes, cum.votes, strict=True), 1)}
    out["nota"] = (str(this.nota), str(cum.nota))
    typed = typed_cu_total(v.entries)  # the Total (CU) row adds the typed CU totals, not the sums
    out["total"] = (str(typed), str(cum.total - this.total + typed))
    return out


def check_text(c: ck.Check) -> str:
    """A check as the screens say it ("E101 table 2 (PS 7): …"), in the UI language."""
    where = t("table {no} (PS {station})", no=c.table_no, station=c.station) + ": " if c.table_no else ""
    return f"{c.code.code} {where}{t_msg(c.message)}"


def table_marks(checks: Iterable[ck.Check], entries) -> dict[str, tuple[str, str]]:
    """A short mark per table for the grid header: the worst check, or ok when complete."""
    by_station: dict[str, list[ck.Check]] = {}
    for c in checks:
        if c.station is not None:
            by_station.setdefault(c.station, []).append(c)
    marks: dict[str, tuple[str, str]] = {}
    for e in entries:
        cs = by_station.get(e.station, [])
        marks[e.station] = table_mark(cs, e)
    return {k: v for k, v in marks.items() if v[0]}


def table_mark(cs: list[ck.Check], entry) -> tuple[str, str]:
    from encore_tui.domain import checks as ck

    if entry.kept_aside is not None:
        return ("KA", "kept")
    if not entry.values:
        return ("", "ok")
    errors = [c for c in cs if c.is_error and c.code is not ck.INCOMPLETE]
    if errors:
        return (errors[0].code.code, "error")
    if any(c.code is ck.INCOMPLETE for c in cs):
        return ("…", "check")
    warn = [c for c in cs if c.blocks]
    if warn:
        return (warn[0].code.code, "warning")
    if any(c.acknowledged for c in cs):
        return ("ack", "ok")
    return ("ok", "ok")


def lead_line(
    setup: Setup, lead: Lead | None, votes: tuple[int, ...] | None, after: str, provisional: bool = False
) -> str:
    """The lead after a round; `provisional` while that round (or one before it) is not approved."""
    if lead is None or lead.leader is None or votes is None:
        return t("no votes yet")
    c = setup.candidates
    first = c[lead.leader - 1]
    if after[:1] == "r" and after[1:].isdigit():  # "r5": after round 5
        after = t("r{n}", n=after[1:])
    # the margin comes before the runner-up: at 80 columns the tail is what gets cut
    prov = t("PROV.") + " " if provisional else ""  # provisional: short, the line must fit 80 columns
    text = f"{prov}{t('Leading')} {after}: {first.party} {name_of(first)[:16]} {votes[lead.leader - 1]}"
    text += f" · {t('Margin')} {lead.margin}" + (f" · {t('TIED')}" if lead.is_tie else "")
    if lead.runner_up:
        second = c[lead.runner_up - 1]
        text += f" · {t('Trailing')}: {second.party} {name_of(second)[:16]} {votes[lead.runner_up - 1]}"
    return text


def localize_bindings(node) -> None:
    """Translate a widget's binding descriptions (Footer, F1 help) into the UI language.

    Bindings are declared in English at class level; the language is chosen at run time.
    """
    if lang() == "en":
        return
    set_bindings_by_key(
        node,
        {
            key: [
                replace(
                    b,
                    description=t(b.description),
                    group=b.group and replace(b.group, description=t(b.group.description)),
                )
                for b in bindings
            ]
            for key, bindings in bindings_by_key(node).items()
        },
    )


DOCUMENT_NAMES = {
    "round": "{round} sheet",
    "annex": "{round} correction annex",
    "postal": "Postal sheet",
    "form20": "Form 20",
    "form21c": "Form 21C",
    "form21e": "Form 21E",
    "form22": "Form 22",
}


def print_in_worker(screen, what: str, round_no: int | None, set_status) -> None:
    """Print a document from a screen (F8): the PDF is made and written in a thread worker (a
    Form 20 takes seconds), to the prints folder from Settings (and `lp` when a printer is set);
    `set_status(text, error)` shows the full path, or what went wrong and what to do."""
    app = screen.app
    store, ac_id, actor = screen.store, screen.ac_id, screen.actor  # the screen's session
    name = t(DOCUMENT_NAMES.get(what, what.upper()), round=round_name(round_no or 0))
    set_status(f"Printing {name}…", False)

    def work() -> None:
        import logging

        from encore_tui.printing import print_document
        from encore_tui.printing.api import PrintError

        try:
            res = print_document(
                store, ac_id, what, round_no=round_no, settings=app.settings, printed_by=actor.label
            )
        except (PrintError, OSError, *user_errors()) as exc:
            app.call_from_thread(set_status, f"{name} NOT printed: {exc}", True)
            return
        except Exception as exc:  # never let a printing problem take the counting screen down
            logging.getLogger("encore.printing").exception("printing %s failed", what)
            app.call_from_thread(
                set_status, f"{name} NOT printed ({exc.__class__.__name__}: {exc}); details in the log.", True
            )
            return
        pages = f"{res.pages} page{'s' if res.pages != 1 else ''}"
        sent = f", sent to printer {res.printer}" if res.printer else ""
        text = f"Saved {res.path} ({name}, {pages}{sent})"  # the path first: it must fit 80 columns
        text += f"; {res.note}" if res.note else ""
        text += f" · {'; '.join(res.warnings)}" if res.warnings else ""
        app.call_from_thread(set_status, text, False)

    screen.run_worker(work, thread=True, group="print", name=f"print {what}")


def saved_time(saved) -> str:
    """HH:MM:SS (local) of a service's `Saved`: when its COMMIT returned (older code paths
    leave `committed` empty: then the time the write was stamped with)."""
    return local_time(saved.committed or saved.ts)


class StatusScreen(Screen):
    """A screen with a one-line `#status` Static: what was just done, or why it was refused.

    A refusal that does not fit the line is shortened (`messages.short_message`: "NOT saved"
    and what happened first); every refusal, and anything cut, goes in full to the message log
    (app.messages, opened with F12 everywhere)."""

    STATUS_LINES = 1  # lines the status can show (its CSS max-height)

    def set_status(self, text: str, error: bool = False) -> None:
        from encore_tui.screens.messages import status_line

        s = self.query_one("#status", Static)
        width = s.content_size.width or max(20, self.app.size.width - 2)
        text = t_msg(text)  # a service's refusal in the UI language (base/hindi.py)
        self._show_status(status_line(self.app, text, error, width, self.STATUS_LINES), error)

    def _show_status(self, text: str, error: bool) -> None:
        s = self.query_one("#status", Static)
        s.update(Content(text))  # as written: a "[" in a message is not markup
        s.set_class(error, "error")


def short_field(field: str) -> str:
    """A cell's field in a narrow column: the candidate's ballot serial, NOTA, Total, Rejected."""
    if field.startswith("c") and field[1:].isdigit():
        return field[1:]
    return {"nota": "NOTA", "total": t("Total"), "rejected": t("Rejected")}.get(field, field)
