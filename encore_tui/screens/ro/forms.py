"""A small multi-field form for the RO's written decisions (the VVPAT draw, a Rule 56D or a
recount application, the tie lot) and the slip count of a VVPAT station.

One line per field: a label and an Input (1 row high, so 20+ candidates fit at 80x24 with
scrolling). Enter moves to the next field and, on the last one, gives the answers; Esc cancels.
Number fields accept digits only (anything else is refused with a message); yes/no fields take
y or n. The dialog checks that required fields are filled; the screen that asked does the
service call and shows its refusal: a dialog never saves.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from encore_tui.base.i18n import t, t_msg
from encore_tui.widgets.cells import fit
from encore_tui.widgets.textual_compat import KeyFirst, input_key, queue_empty

TEXT, NUMBER, YES_NO = "text", "number", "yes_no"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = TEXT
    required: bool = True
    value: str = ""
    placeholder: str = ""


class FieldInput(KeyFirst, Input):
    """An Input that knows its field; digits-only and y/n fields say why a key is refused."""

    def __init__(self, field: Field, **kw) -> None:
        restrict = {NUMBER: r"[0-9]*", YES_NO: r"[yYnN]?"}.get(field.kind)
        super().__init__(
            value=field.value,
            placeholder=t_msg(field.placeholder) or {NUMBER: "0-9", YES_NO: t("y/n")}.get(field.kind, "…"),
            restrict=restrict,
            max_length=9 if field.kind == NUMBER else 0,
            select_on_focus=False,  # what a burst typed here before the focus came stays (see key_first)
            **kw,
        )
        self.field = field

    def on_focus(self) -> None:
        self.screen.active = int((self.id or "f0")[1:])  # Tab, Shift+Tab, a click

    async def key_first(self, event: events.Key) -> bool:
        """Keys typed in one burst (SSH, a fast typist) are queued here before an Enter in them
        is handled; Textual would type them into this field. So Enter only moves the form's
        active field, the keys that follow go to it in order, and the focus follows once this
        field's queue is empty (the app then sends new keys to the active field itself)."""
        form = self.screen
        target = form.active_input()
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            form.advance()
        elif target is not self and event.is_printable:
            event.stop()
            event.prevent_default()
            await input_key(target, event)
        else:
            await input_key(self, event)
        if queue_empty(self) and form.is_active:
            nxt = form.active_input()
            if form.focused is not nxt:
                form.set_focus(nxt)
        return True

    def restricted(self) -> None:
        what = "type digits only" if self.field.kind == NUMBER else "type y (yes) or n (no)"
        self.screen.query_one("#form-msg", Static).update(f"{t_msg(self.field.label)}: {t(what)}.")


class FormDialog(ModalScreen["dict[str, object] | None"]):
    """Answers as {key: str | int | bool}: numbers as int, yes/no as bool, text stripped."""

    DEFAULT_CSS = """
    FormDialog .form-fields { height: auto; max-height: 14; }
    FormDialog .form-row { height: 1; }
    FormDialog .form-label { width: 30; height: 1; }
    FormDialog .form-row Input { width: 1fr; height: 1; border: none; padding: 0 1; }
    FormDialog .form-row Input:focus { background: $accent 40%; }
    FormDialog #form-msg { height: auto; color: $warning; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self, title: str, fields: list[Field], lines: list[str] | None = None, message: str = ""
    ) -> None:
        super().__init__()
        self.title_text, self.fields = t_msg(title), fields
        self.lines = [t_msg(x) for x in lines or []]
        self.message = t_msg(message)  # why the answers were refused last time (the form opens again)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.lines:
                yield Static("\n".join(self.lines), markup=False)
            with VerticalScroll(classes="form-fields"):
                for i, f in enumerate(self.fields):
                    with Horizontal(classes="form-row"):
                        yield Static(fit(t_msg(f.label), 29), classes="form-label", markup=False)
                        yield FieldInput(f, id=f"f{i}")
            yield Static(self.message, id="form-msg", markup=False)
            yield Static(
                t(
                    "Enter: next field (last: {ok}) · Tab/Shift+Tab · Esc: {cancel}",
                    ok=t("Confirm"),
                    cancel=t("Cancel"),
                ),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#f0", Input).focus()

    active = 0  # the field typed keys go to (see FieldInput._on_key)

    def active_input(self) -> Input:
        return self.query_one(f"#f{self.active}", Input)

    def advance(self) -> None:
        """Enter: the next field, or (on the last one) the answers."""
        if self.active + 1 < len(self.fields):
            self.active += 1
        else:
            self.action_submit()

    def action_submit(self) -> None:
        out: dict[str, object] = {}
        for i, f in enumerate(self.fields):
            inp = self.query_one(f"#f{i}", Input)
            raw = inp.value.strip()
            if not raw:
                if f.required:
                    self.query_one("#form-msg", Static).update(f"{t_msg(f.label)}: {t('nothing typed.')}")
                    self.active = i
                    inp.focus()
                    return
                out[f.key] = None if f.kind != TEXT else ""
                continue
            if f.kind == NUMBER:
                out[f.key] = int(raw)
            elif f.kind == YES_NO:
                out[f.key] = raw.lower() == "y"
            else:
                out[f.key] = raw
        self.dismiss(out)

    def action_cancel(self) -> None:
        self.dismiss(None)
