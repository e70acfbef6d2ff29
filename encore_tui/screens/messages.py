"""Messages that fit: a one-line status shows what matters first, the message log keeps the rest.

At 80 columns a status line holds 78 characters. A refusal is shown by `short_message`: "NOT saved"
first when the value was not saved, then the first sentence of the message (paths cut to their
file name, then trimmed), then the key that opens the log. The full text goes to the session's
`MessageLog` (app.messages), which the operator opens with F12 (binding id `messages`).
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections import deque
from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from encore_tui.base.i18n import t
from encore_tui.widgets.textual_compat import keymap

NOT_SAVED = "NOT saved"
KEEP = 500  # messages kept per session (oldest dropped)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PATH = re.compile(r"(?:[A-Za-z][\w+.-]*://)?[~.]?[\w.@:+-]*/[^\s,;]*/[^\s,;]*")


def not_saved(exc: BaseException | str) -> str:
    """The message of a refused write, saying first that nothing was saved."""
    text = str(exc)
    return text if NOT_SAVED in text else f"{NOT_SAVED}: {text}"


def _cut_paths(text: str) -> str:
    def base(m: re.Match) -> str:
        s = m.group(0)
        trail = s[len(s.rstrip(".:")) :]  # a sentence's full stop is not part of the path
        name = s.rstrip(".:").rstrip("/").rsplit("/", 1)[-1]
        return (name or s) + trail

    return _PATH.sub(base, text)


def _trim(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out.rstrip(" ,;:·—-") + "…"


def short_message(text: str, width: int, key: str) -> str:
    """`text` as it fits one line of `width` cells: unchanged when it fits; else "NOT saved: "
    first (when the message says so anywhere), its first sentence (paths cut to the file name,
    trimmed with "…" if still too long) and "— <key>: details" (the log has the full text)."""
    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    head, body = "", text
    if NOT_SAVED in text:
        head = f"{NOT_SAVED}: "
        body = text.removeprefix(head) if text.startswith(head) else text
    first = _SENTENCE_END.split(body, 1)[0]
    if head and NOT_SAVED in first:  # said once, up front: drop the clause that says it again
        kept = [p for p in re.split(r"(?<=[,;:])\s+", first) if NOT_SAVED not in p]
        first = " ".join(kept).rstrip(",;:") if kept else first.replace(NOT_SAVED, "not saved")
    tail = f" — {key}: details" if key else ""
    room = width - cell_len(head) - cell_len(tail)
    if cell_len(first) > room:
        first = _cut_paths(first)
    return head + _trim(first, max(1, room)) + tail


@dataclass
class Message:
    at: dt.datetime  # local time
    text: str
    error: bool
    count: int = 1


class MessageLog:
    """This session's messages (what the status lines said in full), newest first."""

    def __init__(self, keep: int = KEEP) -> None:
        self._items: deque[Message] = deque(maxlen=keep)

    def add(self, text: str, error: bool = False) -> None:
        now = dt.datetime.now().astimezone()
        if self._items and self._items[-1].text == text:  # the same refusal again: one line, ×n
            last = self._items[-1]
            last.at, last.count = now, last.count + 1
            return
        self._items.append(Message(now, text, error))

    @property
    def entries(self) -> list[Message]:
        return list(reversed(self._items))

    def __len__(self) -> int:
        return len(self._items)


def key_display(app, binding_id: str, default: str) -> str:
    """The (first) key bound to `binding_id`, as the operator reads it: F12, Ctrl+L."""
    keys = keymap(app).get(binding_id, default) if app is not None else default
    key = keys.split(",")[0].strip()
    return "+".join(p.upper() if re.fullmatch(r"f\d+", p) else p.capitalize() for p in key.split("+"))


def fits(text: str, width: int, lines: int = 1) -> bool:
    """Whether `text` shows whole in `lines` lines of `width` cells (wrapped at spaces)."""
    if lines <= 1:
        return cell_len(text) <= width
    wrapped = textwrap.wrap(text, width)
    return len(wrapped) <= lines and all(cell_len(ln) <= width for ln in wrapped)


def status_line(app, text: str, error: bool, width: int, lines: int = 1) -> str:
    """What a status of `lines` lines of `width` cells shows for `text`; refusals (error) and
    whatever does not fit are kept in full in the app's message log. A refusal too long is
    shortened to one line (its key words first); anything else is shown as it is."""
    ok = fits(text, width, lines)
    log = getattr(app, "messages", None)
    if log is not None and (error or not ok):
        log.add(text, error)
    if error and not ok:
        return short_message(text, width, key_display(app, "app.messages", "f12"))
    if not ok and lines <= 1:
        return long_notice(text, width, key_display(app, "app.messages", "f12"))
    return text


def long_notice(text: str, width: int, key: str) -> str:
    """A message that is not a refusal and does not fit one line: as much as fits, a path whole
    or cut to its file name (never cut in the middle), and the key of the log with the full text."""
    text = " ".join(text.split())
    tail = f" — {key}: full text"
    room = width - cell_len(tail)
    m = _PATH.search(text)
    if m and cell_len(text[: m.end()]) > room:
        text = _cut_paths(text)
    return _trim(text, room) + tail


class MessageLogScreen(ModalScreen[None]):
    """The session's messages, newest first: time (HH:MM:SS local) and the full text."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="messages.close"),
        # the key that opened it closes it (a modal screen keeps the app's bindings out); the
        # same id, so a remapped `messages` key does both
        Binding("f12", "close", "Close", id="app.messages", show=False),
    ]

    def compose(self) -> ComposeResult:
        key = key_display(self.app, "app.messages", "f12")
        with Vertical(classes="dialog"):
            yield Static(t("Messages") + " · " + t("newest first"), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.text(), id="messages-body", markup=False)
            yield Static(f"Esc / {key}: {t('close')}", classes="dialog-hint")

    def text(self) -> str:
        entries = self.app.messages.entries
        if not entries:
            return t("No messages yet in this session.")
        lines = []
        for m in entries:
            times = f" (×{m.count})" if m.count > 1 else ""
            lines.append(f"{m.at.strftime('%H:%M:%S')}{'  !' if m.error else '   '} {m.text}{times}")
        return "\n".join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
