"""The Form 17C Part I grid: stations down, Part I fields across, one line-API widget.

Same design as the tally grid (widgets/tally_grid.py): strips cached per line, a keystroke
repaints one line, keys are handled in the widget's own queue (digits typed fast never overtake
an Enter), and Enter calls `saver`, which returns None once the value is durable or a Refusal.
Figures take digits; EVM serials take letters and digits. Enter moves right along the form,
then to the first field of the next station (the order of the paper copies in a bundle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from encore_tui.domain import form17c as f17
from encore_tui.domain.form17c import Form17C
from encore_tui.widgets.grid_keys import GridKeys, editing_bindings, key_bindings
from encore_tui.widgets.tally_grid import Refusal

HEADER = 1
LABEL_W = 8
WIDTHS = {"electors": 7, "voters_17a": 7, "votes_recorded": 7, "tendered": 6, "test_votes": 6}
SERIAL_W = 12
TITLES = {
    "electors": "Elect.",
    "voters_17a": "17A",
    "votes_recorded": "EVM",
    "tendered": "Tend.",
    "test_votes": "Test",
    "cu_id": "CU",
    "bu_id": "BU",
    "vvpat_id": "VVPAT",
}

# (station, field, value, expected) -> None once durable, or the Refusal
Saver = Callable[[str, str, "int | str | None", "int | str | None"], "Refusal | None"]


def width(field: str) -> int:
    return WIDTHS.get(field, SERIAL_W)


class Form17CGrid(GridKeys, ScrollView, can_focus=True):
    DEFAULT_CSS = """
    Form17CGrid { height: 1fr; }
    Form17CGrid > .f17-grid--header { text-style: bold; background: $panel; }
    Form17CGrid > .f17-grid--label { text-style: bold; }
    Form17CGrid > .f17-grid--cell { }
    Form17CGrid > .f17-grid--cursor { background: $accent; color: $text; }
    Form17CGrid > .f17-grid--editing { background: $warning; color: $text; text-style: bold; }
    Form17CGrid > .f17-grid--error { color: $error; text-style: bold; }
    Form17CGrid > .f17-grid--ok { color: $success; }
    """
    COMPONENT_CLASSES = {
        "f17-grid--header",
        "f17-grid--label",
        "f17-grid--cell",
        "f17-grid--cursor",
        "f17-grid--editing",
        "f17-grid--error",
        "f17-grid--ok",
    }
    BINDINGS = key_bindings(
        "f17grid",
        [
            ("up", "cursor_up", "Previous station", "up"),
            ("down", "cursor_down", "Next station", "down"),
            ("left", "cursor_left", "Previous field", "left"),
            ("right", "cursor_right", "Next field", "right"),
            ("pageup", "page_up", "Page up", "pageup"),
            ("pagedown", "page_down", "Page down", "pagedown"),
        ],
    ) + editing_bindings(
        "f17grid",
        save="Save the field and move on",
        backspace="Delete a character / clear",
        clear="Clear the field (then Enter saves blank)",
        cancel="Cancel what is being typed",
    )
    PASTE_REFUSAL = "Pasting is not allowed: type each figure from the paper Form 17C."

    class Moved(Message):
        def __init__(self, grid: Form17CGrid) -> None:
            super().__init__()
            self.grid = grid

    class Notice(Message):
        def __init__(self, grid: Form17CGrid, text: str, error: bool) -> None:
            super().__init__()
            self.grid, self.text, self.error = grid, text, error

    def __init__(self, stations: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stations = stations
        self.fields = list(f17.FIELDS)
        self.records: dict[str, Form17C] = {}
        self.differs: set[tuple[str, str]] = set()  # (station, field) the second keying differs on
        self.editable = False
        self.saver: Saver | None = None
        self.row = 0
        self.col = 0
        self.buffer: str | None = None
        self._gen = [0] * (HEADER + len(stations))
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._keymap_seen: object = None
        self._key_bindings: dict[str, list] = {}
        self.virtual_size = Size(LABEL_W + sum(width(f) for f in self.fields) + 3, HEADER + len(stations))

    # -- data -------------------------------------------------------------------------------
    def load(
        self, records: Mapping[str, Form17C], editable: bool, differs: set[tuple[str, str]] | None = None
    ) -> None:
        self.records = dict(records)
        self.differs = set(differs or ())
        self.editable = editable
        self._gen = [g + 1 for g in self._gen]
        self.refresh()

    def update_record(self, rec: Form17C) -> None:
        self.records[rec.station] = rec
        self._touch(HEADER + self.stations.index(rec.station))

    @property
    def station(self) -> str:
        return self.stations[self.row]

    @property
    def field(self) -> str:
        return self.fields[self.col]

    def value(self, station: str, field: str) -> int | str | None:
        rec = self.records.get(station)
        return getattr(rec, field) if rec is not None else None

    def move_to(self, station: str, field: str | None = None) -> None:
        if station in self.stations:
            self.row = self.stations.index(station)
        if field in self.fields:
            self.col = self.fields.index(field)
        self.buffer = None
        self._gen = [g + 1 for g in self._gen]
        self.refresh()
        self._scroll_cursor_visible()

    def first_incomplete(self) -> tuple[str, str]:
        """Where keying resumes: the first station whose EVM total is not recorded yet, at its
        first blank figure (after a power cut, this is where the bundle of paper copies was)."""
        for s in self.stations:
            rec = self.records.get(s)
            if rec is None or not rec.complete:
                blank = next((f for f in f17.NUMBER_FIELDS if self.value(s, f) is None), self.fields[0])
                return s, blank
        return self.stations[-1], self.fields[0]

    # -- rendering --------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"f17-grid--{name}")

    def _touch(self, line: int) -> None:
        self._gen[line] += 1
        y = line if line < HEADER else line - int(self.scroll_y)
        if 0 <= y < self.size.height:
            self.refresh_line(y)

    def render_line(self, y: int) -> Strip:
        line = y if y < HEADER else y + int(self.scroll_y)
        w = self.size.width
        if line >= len(self._gen):
            return Strip.blank(w, self.rich_style)
        here = line == HEADER + self.row
        key = (line, w, self._gen[line], (self.col, self.buffer, self.has_focus) if here else None)
        strip = self._cache.get(key)
        if strip is None:
            strip = Strip(self._segments(line), None).adjust_cell_length(w, self.rich_style).simplify()
            self._cache[key] = strip
        return strip

    def _segments(self, line: int) -> list[Segment]:
        if line == 0:
            head = self._style("header")
            segs = [Segment("PS".ljust(LABEL_W), head)]
            segs += [Segment(TITLES[f].rjust(width(f) - 1) + " ", head) for f in self.fields]
            return segs
        r = line - HEADER
        station = self.stations[r]
        rec = self.records.get(station)
        bad = {f for f, _ in rec.problems()} if rec is not None else set()
        bad |= {f for s, f in self.differs if s == station}
        mark = " " if rec is None else ("!" if bad else ("✓" if rec.complete else "·"))
        segs = [Segment(f"{station[: LABEL_W - 2]:<{LABEL_W - 2}}{mark} ", self._style("label"))]
        base = self._style("cell")
        for c, f in enumerate(self.fields):
            v = self.value(station, f)
            text = "" if v is None else str(v)
            style = base + self._style("error") if f in bad else base
            if r == self.row and c == self.col:
                if self.buffer is not None:
                    text, style = (self.buffer + "_")[-(width(f) - 1) :], self._style("editing")
                else:
                    style = style + (self._style("cursor") if self.has_focus else Style(underline=True))
            segs.append(Segment(text[-(width(f) - 1) :].rjust(width(f) - 1) + " ", style))
        return segs

    # -- keys -------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if self.run_binding(event):  # in the grid's own queue, as the tally grid (grid_keys.py)
            return
        ch = event.character
        if not event.is_printable or ch is None:
            return
        event.stop()
        event.prevent_default()
        if not self.editable:
            self._notice("Read-only: you may not key Form 17C Part I.")
            return
        serial = self.field in f17.SERIAL_FIELDS
        if serial and not (ch.isascii() and ch.isalnum()):
            self._notice(f"'{ch}' is not part of an EVM serial: letters and digits only.")
            return
        if not serial and not (ch.isascii() and ch.isdigit()):
            self._notice(f"'{ch}' is not a digit: type the figure with 0-9 only.")
            return
        text = (self.buffer or "") + ch.upper()
        if len(text) > (f17.MAX_SERIAL if serial else 7):
            self._notice("Too long for this field: check the paper copy.")
            return
        self.buffer = text
        self._touch(HEADER + self.row)

    def _move(self, row: int, col: int) -> None:
        row = max(0, min(len(self.stations) - 1, row))
        col = max(0, min(len(self.fields) - 1, col))
        if self.buffer is not None:
            self._notice("What you typed was not saved (press Enter to save).")
        self.buffer = None
        old = self.row
        self.row, self.col = row, col
        self._touch(HEADER + old)
        self._touch(HEADER + row)
        self._scroll_cursor_visible()
        self.post_message(self.Moved(self))

    def _scroll_cursor_visible(self) -> None:
        body = max(1, self.size.height - HEADER)
        sy = int(self.scroll_y)
        if self.row < sy:
            sy = self.row
        elif self.row >= sy + body:
            sy = self.row - body + 1
        if sy != int(self.scroll_y):
            self.scroll_to(0, sy, animate=False, immediate=True)
            self._gen = [g + 1 for g in self._gen]
            self.refresh()

    def action_cursor_up(self) -> None:
        self._move(self.row - 1, self.col)

    def action_cursor_down(self) -> None:
        self._move(self.row + 1, self.col)

    def action_cursor_left(self) -> None:
        self._move(self.row, self.col - 1)

    def action_cursor_right(self) -> None:
        self._move(self.row, self.col + 1)

    def action_page_up(self) -> None:
        self._move(self.row - max(1, self.size.height - HEADER), self.col)

    def action_page_down(self) -> None:
        self._move(self.row + max(1, self.size.height - HEADER), self.col)

    def action_cancel(self) -> None:
        if self.buffer is None:
            raise SkipAction()
        self.buffer = None
        self._touch(HEADER + self.row)
        self._notice("Typing cancelled; the field keeps its saved value.", error=False)

    def action_backspace(self) -> None:
        if self.editable:
            self.buffer = self.buffer[:-1] if self.buffer else ""
            self._touch(HEADER + self.row)

    def action_clear(self) -> None:
        if self.editable:
            self.buffer = ""
            self._touch(HEADER + self.row)

    def next_position(self) -> tuple[int, int]:
        if self.col < len(self.fields) - 1:
            return self.row, self.col + 1
        if self.row < len(self.stations) - 1:
            return self.row + 1, 0
        return self.row, self.col

    def action_commit(self) -> None:
        if self.buffer is None or not self.editable or self.saver is None:
            self.buffer = None
            self._move(*self.next_position())
            return
        field = self.field
        value: int | str | None
        if self.buffer == "":
            value = None
        elif field in f17.SERIAL_FIELDS:
            value = self.buffer
        else:
            value = int(self.buffer)
        refusal = self.saver(self.station, field, value, self.value(self.station, field))
        if refusal is not None:
            if not refusal.keep_typing:
                self.buffer = None
            self._touch(HEADER + self.row)
            self._notice(refusal.text)
            return
        self.buffer = None
        self._move(*self.next_position())
