"""The tally grid: one line-API widget for a round's Form 17C Part II figures.

Rows are the candidates (ballot order), NOTA, [rejected — postal], Total (CU), then check rows;
columns are the round's tables. The candidate column (left) and the optional totals columns
(right) stay fixed while the tables scroll sideways.

Why a line-API widget and not a grid of Inputs: with 40 candidates × 14 tables an Input per
cell is hundreds of widgets; here a keystroke repaints one cell region, which keeps the
terminal traffic tiny over SSH. Strips are cached per line and invalidated per line.

The widget never writes anything itself: Enter calls `saver` (set by the screen), which calls
the service and returns None when the value is durable, or a `Refusal`. After a refusal the typed
digits normally stay in the cell, so Enter again retries with them (a full disk, a database not
answering); a refusal with keep_typing=False (somebody else changed the cell) drops them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from encore_tui.base.i18n import t
from encore_tui.domain.entries import TableEntry
from encore_tui.widgets.cells import fit
from encore_tui.widgets.grid_keys import GridKeys, editing_bindings, key_bindings

HEADER = 2  # header lines: "T<n> <mark>" and the polling station number
LABEL_W = 22
COL_W = 8
RIGHT_W = 8  # each totals column


@dataclass(frozen=True)
class Refusal:
    """Why a save was refused (shown in the status line) and whether the typing stays."""

    text: str
    keep_typing: bool = True


# A saver gets (station, field, value, expected, cursor after the save) and returns None once
# the value is durable, or the Refusal when it was not saved.
Saver = Callable[[str, str, "int | None", "int | None", dict], "Refusal | None"]


@dataclass(frozen=True)
class GridRow:
    key: str  # entry field (c1.., nota, rejected, total) or a check row (sum, 17c, diff)
    label: str
    editable: bool


class TallyGrid(GridKeys, ScrollView, can_focus=True):
    COMPONENT_CLASSES = {
        "tally-grid--header",
        "tally-grid--label",
        "tally-grid--cell",
        "tally-grid--cursor",
        "tally-grid--editing",
        "tally-grid--check",
        "tally-grid--error",
        "tally-grid--warning",
        "tally-grid--ok",
        "tally-grid--kept",
        "tally-grid--total",
        "tally-grid--right",
    }

    BINDINGS = key_bindings(
        "grid",
        [
            ("up", "cursor_up", "Up", "up"),
            ("down", "cursor_down", "Down", "down"),
            ("left", "cursor_left", "Previous table", "left"),
            ("right", "cursor_right", "Next table", "right"),
            ("tab", "next_table", "Next table (first candidate)", "next_table"),
            ("shift+tab", "prev_table", "Previous table (first candidate)", "prev_table"),
            ("home", "first_row", "First candidate", "home"),
            ("end", "last_row", "Total row", "end"),
        ],
    ) + editing_bindings(
        "grid",
        save="Save the figure and move down",
        backspace="Delete a digit / clear the cell",
        clear="Clear the cell (then Enter saves blank)",
        cancel="Cancel the figure being typed",
    )
    PASTE_REFUSAL = "Pasting is not allowed: type each figure from the 17C Part II sheet."

    class Moved(Message):
        """The cursor moved (the screen updates its detail line)."""

        def __init__(self, grid: TallyGrid) -> None:
            super().__init__()
            self.grid = grid

    class Notice(Message):
        """Something to tell the operator in the status line (a refusal, a save)."""

        def __init__(self, grid: TallyGrid, text: str, error: bool) -> None:
            super().__init__()
            self.grid, self.text, self.error = grid, text, error

    def __init__(
        self,
        labels: list[tuple[str, str]],
        tables: list[tuple[int, str]],
        *,
        postal: bool = False,
        limits: Mapping[str, int] | None = None,
        form17c: Mapping[str, int | None] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        fields = [GridRow(k, lbl, True) for k, lbl in labels]
        # labels are measured in terminal cells (widgets/cells.py): Hindi keeps the columns
        checks = [GridRow("sum", t("Sum"), False)]
        if not postal:
            checks += [GridRow("17c", t("17C Part I"), False), GridRow("diff", t("Difference"), False)]
        self.rows: list[GridRow] = fields + checks
        self.field_count = len(fields)
        self.n_candidates = sum(1 for k, _ in labels if k.startswith("c"))
        self.tables = tables
        self.postal = postal
        self.limits = dict(limits or {})
        self.form17c = dict(form17c or {})
        self.entries: dict[str, TableEntry] = {}
        self.marks: dict[str, tuple[str, str]] = {}  # station → (short mark, severity)
        self.right: dict[str, tuple[str, str]] = {}  # row key → (round, cumulative)
        self.right_titles = (t("Postal"), "") if postal else (t("Round"), t("Cumul."))
        self.show_right = True
        self.editable = False
        self.saver: Saver | None = None
        self.col = 0
        self.row = 0
        self.buffer: str | None = None  # digits typed, not yet saved
        self._gen = [0] * (len(self.rows) + HEADER)  # per line; bumps invalidate cached strips
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._keymap_seen: object = None
        self._key_bindings: dict[str, list[Binding]] = {}
        self._update_virtual_size()

    # -- data -------------------------------------------------------------------------------
    def load(
        self,
        entries: list[TableEntry],
        marks: Mapping[str, tuple[str, str]],
        right: Mapping[str, tuple[str, str]],
        editable: bool,
    ) -> None:
        self.entries = {e.station: e for e in entries}
        self.marks = dict(marks)
        self.right = dict(right)
        self.editable = editable
        self._invalidate_all()

    def update_table(
        self, entry: TableEntry, mark: tuple[str, str] | None, changed: str | None = None
    ) -> None:
        """One table's figures changed: repaint its column only (cells, sum/diff rows, header).
        With `changed` (the one cell saved), only that cell, the header and the check rows:
        the lines an Enter has to send over a slow SSH link."""
        self.entries[entry.station] = entry
        if mark is None:
            self.marks.pop(entry.station, None)
        else:
            self.marks[entry.station] = mark
        col = self.station_col(entry.station)
        lines: Iterable[int] = range(len(self._gen))
        if changed is not None:
            keys = [r.key for r in self.rows]
            if changed in keys:
                derived = range(HEADER + self.field_count, len(self._gen))
                lines = [*range(HEADER), HEADER + keys.index(changed), *derived]
        for line in lines:
            self._gen[line] += 1
            self._refresh_cell(col, line)

    def set_right(self, right: Mapping[str, tuple[str, str]]) -> None:
        """New round/cumulative totals: only the rows whose figures changed are repainted."""
        right = dict(right)
        if right == self.right:
            return
        changed = {k for k in right.keys() | self.right.keys() if right.get(k) != self.right.get(k)}
        self.right = right
        x = LABEL_W + self._area_width()
        for r, row in enumerate(self.rows):
            if row.key in changed:
                line = HEADER + r
                self._gen[line] += 1
                y = self._screen_line(line)
                if self.show_right and y is not None:
                    self.refresh(Region(x, y, 2 * RIGHT_W, 1))

    def toggle_right(self) -> None:
        self.show_right = not self.show_right
        self._update_virtual_size()
        self._invalidate_all()
        self._scroll_cursor_visible()

    def station_col(self, station: str) -> int:
        return next(i for i, (_, s) in enumerate(self.tables) if s == station)

    @property
    def station(self) -> str:
        return self.tables[self.col][1]

    @property
    def field(self) -> str:
        return self.rows[self.row].key

    def value(self, station: str, field: str) -> int | None:
        e = self.entries.get(station)
        return e.values.get(field) if e else None

    def move_to(self, station: str | None, field: str | None) -> None:
        """Place the cursor (after a power cut, or when a screen opens)."""
        if station is not None and any(s == station for _, s in self.tables):
            self.col = self.station_col(station)
        keys = [r.key for r in self.rows[: self.field_count]]
        if field in keys:
            self.row = keys.index(field)
        self.buffer = None
        self._invalidate_all()
        self._scroll_cursor_visible()

    # -- geometry ---------------------------------------------------------------------------
    def _right_w(self) -> int:
        return 2 * RIGHT_W if self.show_right else 0

    def _update_virtual_size(self) -> None:
        # the room left over after whole columns is padding, so the last scroll position
        # (virtual width - widget width) is a whole number of columns: no half-cut table
        pad = max(0, self.size.width - LABEL_W - self._right_w() - self._area_width())
        self.virtual_size = Size(
            LABEL_W + len(self.tables) * COL_W + self._right_w() + pad, HEADER + len(self.rows)
        )

    def _area_width(self) -> int:
        """Width of the visible table columns: whole columns only."""
        return max(1, (self.size.width - LABEL_W - self._right_w()) // COL_W) * COL_W

    def _invalidate_all(self) -> None:
        self._gen = [g + 1 for g in self._gen]
        self.refresh()

    def _screen_line(self, line: int) -> int | None:
        """Widget line (y) of a virtual line (header lines are fixed, body rows scroll)."""
        if line < HEADER:
            return line
        y = line - int(self.scroll_y)
        return y if HEADER <= y < self.size.height else None

    def _refresh_cell(self, col: int, line: int) -> None:
        y = self._screen_line(line)
        if y is None:
            return
        x = LABEL_W + col * COL_W - int(self.scroll_x)
        if x + COL_W <= LABEL_W or x >= LABEL_W + self._area_width():
            return
        self.refresh(Region(max(LABEL_W, x), y, COL_W, 1))

    def _refresh_cursor(self) -> None:
        self._gen[HEADER + self.row] += 1
        self._refresh_cell(self.col, HEADER + self.row)

    def _scroll_cursor_visible(self) -> None:
        area = self._area_width()
        x0 = self.col * COL_W
        sx = int(self.scroll_x)
        if x0 < sx:
            sx = x0
        elif x0 + COL_W > sx + area:
            sx = x0 + COL_W - (area // COL_W) * COL_W
        body = max(1, self.size.height - HEADER)
        sy = int(self.scroll_y)
        if self.row < sy:
            sy = self.row
        elif self.row >= sy + body:
            sy = self.row - body + 1
        if (sx, sy) != (int(self.scroll_x), int(self.scroll_y)):
            self.scroll_to(sx, sy, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._invalidate_all()
        self._scroll_cursor_visible()

    # -- rendering --------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y < HEADER:
            line = y
        else:
            line = HEADER + y - HEADER + int(self.scroll_y)
            if line >= len(self._gen):
                return Strip.blank(width, self.rich_style)
        cursor_here = line == HEADER + self.row
        key = (
            line,
            int(self.scroll_x),
            width,
            self.show_right,
            self._gen[line],
            (self.col, self.buffer, self.has_focus) if cursor_here else None,
        )
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render(line, width)
            self._cache[key] = strip
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"tally-grid--{name}")

    def _render(self, line: int, width: int) -> Strip:
        """One line as one Strip built to its exact width (a Strip is not cheap to make:
        cropping and padding copies would make six per line, on every keystroke)."""
        area = self._area_width()
        sx = int(self.scroll_x)
        # only the tables in view are drawn (the cursor keeps whole columns in view)
        first, off = divmod(sx, COL_W)
        shown = range(first, min(len(self.tables), first + area // COL_W + (1 if off else 0)))
        label, cells, right = self._line_parts(line, shown)
        segs = [Segment(fit(fit(label[0], LABEL_W - 1), LABEL_W), label[1])]
        if off:  # scrolled by part of a column (not by the keyboard): crop
            body = list(Strip([Segment(text, style) for text, style in cells]).crop(off, off + area))
        else:
            body = [Segment(text, style) for text, style in cells]
        used = sum(seg.cell_length for seg in body)
        if used > area:
            body, used = list(Strip(body).crop(0, area)), area
        segs += body
        if used < area:  # pad the table area when there are fewer tables than room
            segs.append(Segment(" " * (area - used), self.rich_style))
        length = LABEL_W + area
        if self.show_right:
            segs += [Segment(text, style) for text, style in right]
            length += sum(Segment(text).cell_length for text, _ in right)
        strip = Strip(segs, length)
        if length != width:
            strip = strip.adjust_cell_length(width, self.rich_style)
        return strip.simplify()

    def _line_parts(self, line: int, shown: range):
        base = self._style("cell")
        tables = [(c, *self.tables[c]) for c in shown]
        if line == 0:
            more_left = "◀" if self.scroll_x > 0 else " "
            label = (f"{more_left}{t('Table')}", self._style("header"))
            cells = []
            for _, no, station in tables:
                mark, sev = self.marks.get(station, ("", "ok"))
                text = f"T{no} {mark}"[: COL_W - 1].rjust(COL_W - 1) + " "
                style = self._style("header") + (self._style(sev) if mark else Style())
                cells.append((text, style))
            right = [(fit(s, RIGHT_W - 1, ">") + " ", self._style("header")) for s in self.right_titles]
            return label, cells, right
        if line == 1:
            more_right = "▶" if self.scroll_x + self._area_width() < len(self.tables) * COL_W else " "
            label = (f"{more_right}{t('Postal') if self.postal else t('PS')}", self._style("header"))
            cells = [(s[: COL_W - 1].rjust(COL_W - 1) + " ", self._style("header")) for _, _, s in tables]
            return label, cells, [(" " * RIGHT_W, self._style("header"))] * 2
        r = line - HEADER
        row = self.rows[r]
        lstyle = self._style("check" if not row.editable else ("total" if row.key == "total" else "label"))
        label = (f" {row.label}", lstyle)
        cells = []
        for c, _, station in tables:
            text, style = self._cell(station, row, base)
            if r == self.row and c == self.col:
                if self.buffer is not None:
                    text = (self.buffer + "_")[-(COL_W - 1) :]
                    style = self._style("editing")
                else:
                    style = style + self._style("cursor") if self.has_focus else style + Style(underline=True)
                text = text.rjust(COL_W - 1)
            cells.append((fit(text, COL_W - 1, ">") + " ", style))
        rv = self.right.get(row.key, ("", ""))
        right = [(v[: RIGHT_W - 1].rjust(RIGHT_W - 1) + " ", self._style("right")) for v in rv]
        return label, cells, right

    def _cell(self, station: str, row: GridRow, base: Style) -> tuple[str, Style]:
        e = self.entries.get(station)
        if e is not None and e.kept_aside is not None:
            return ("·" if row.editable else (t("kept") if row.key == "sum" else ""), self._style("kept"))
        if row.editable:
            v = e.values.get(row.key) if e else None
            style = base + self._style("total") if row.key == "total" else base
            return ("" if v is None else str(v), style)
        if e is None or not e.values:
            return ("", self._style("check"))
        total = e.values.get("total")
        if row.key == "sum":
            s = e.counted_sum(self.n_candidates)
            bad = total is not None and s != total
            return (str(s), self._style("error") if bad else self._style("check"))
        p1 = self.form17c.get(station)
        if row.key == "17c":
            return ("—" if p1 is None else str(p1), self._style("check"))
        if total is None or p1 is None:
            return ("", self._style("check"))
        d = total - p1
        return (f"{d:+d}" if d else "0", self._style("warning") if d else self._style("ok"))

    # -- keys -------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if self.run_binding(event):  # grid keys run in the grid's own queue (grid_keys.py)
            return
        ch = event.character
        if not event.is_printable or ch is None:
            return
        event.stop()
        event.prevent_default()
        if not self.editable:
            self._notice(t("read-only") + ": this round cannot be changed by you now.")
            return
        if not ch.isascii() or not ch.isdigit():
            if self.buffer:
                # a space or a letter between digits (a paste the terminal sent as keys, "10 0 46"):
                # the digits around it are never glued into one figure; the figure is dropped
                dropped, self.buffer = self.buffer, None
                self._refresh_cursor()
                self._notice(
                    f"'{ch}' is not a digit: the figure {dropped} was dropped, not saved — type it again.",
                    error=True,
                )
                return
            self._notice(f"'{ch}' is not a digit: type the figure with 0-9 only.")
            return
        if self.row >= self.field_count:
            self._notice("This is a check row, it is calculated: move up to a figure.")
            return
        e = self.entries.get(self.station)
        if e is not None and e.kept_aside is not None:
            self._notice("This table is kept aside: restore it before typing.")
            return
        text = (self.buffer or "") + ch
        limit = self.limits.get(self.station)
        if limit is not None and int(text) > limit:
            self._notice(f"{int(text)} is more than the {limit} electors of this station: check the sheet.")
            return
        if len(text) > 1 and text.startswith("0"):
            text = text.lstrip("0") or "0"
        self.buffer = text
        self._refresh_cursor()

    def _move(self, col: int, row: int) -> None:
        col = max(0, min(len(self.tables) - 1, col))
        row = max(0, min(len(self.rows) - 1, row))
        if self.buffer is not None:
            self._notice("The figure you typed was not saved (press Enter to save).", error=True)
        self.buffer = None
        self._refresh_cursor()
        self.col, self.row = col, row
        self._refresh_cursor()
        self._scroll_cursor_visible()
        self.post_message(self.Moved(self))

    def action_cursor_up(self) -> None:
        self._move(self.col, self.row - 1)

    def action_cursor_down(self) -> None:
        self._move(self.col, self.row + 1)

    def action_cursor_left(self) -> None:
        self._move(self.col - 1, self.row)

    def action_cursor_right(self) -> None:
        self._move(self.col + 1, self.row)

    def action_next_table(self) -> None:
        self._move(self.col + 1, 0)

    def action_prev_table(self) -> None:
        self._move(self.col - 1, 0)

    def action_first_row(self) -> None:
        self._move(self.col, 0)

    def action_last_row(self) -> None:
        self._move(self.col, self.field_count - 1)

    def action_cancel(self) -> None:
        if self.buffer is None:
            raise SkipAction()  # nothing typed: let the screen's Esc (back) run
        self.buffer = None
        self._refresh_cursor()
        self._notice("Typing cancelled; the cell keeps its saved value.", error=False)

    def action_backspace(self) -> None:
        if not self.editable or self.row >= self.field_count:
            return
        if self.buffer:
            self.buffer = self.buffer[:-1]
        else:
            self.buffer = ""  # Backspace on a saved figure: clear it (Enter saves the blank)
        self._refresh_cursor()

    def action_clear(self) -> None:
        if self.editable and self.row < self.field_count:
            self.buffer = ""
            self._refresh_cursor()

    def next_position(self) -> tuple[int, int]:
        """Down the sheet: candidates → NOTA → Total; after Total, candidate 1 of the next table."""
        if self.row < self.field_count - 1:
            return self.col, self.row + 1
        if self.col < len(self.tables) - 1:
            return self.col + 1, 0
        return self.col, self.row

    def cursor_state(self, col: int, row: int) -> dict:
        no, station = self.tables[col]
        return {"table": no, "station": station, "field": self.rows[min(row, self.field_count - 1)].key}

    def action_commit(self) -> None:
        if self.row >= self.field_count:
            self._move(*self.next_position())
            return
        if self.buffer is None:
            self._move(*self.next_position())
            return
        if not self.editable or self.saver is None:
            self.buffer = None
            self._refresh_cursor()
            return
        value = int(self.buffer) if self.buffer != "" else None
        station, field = self.station, self.field
        expected = self.value(station, field)
        nxt = self.next_position()
        refusal = self.saver(station, field, value, expected, self.cursor_state(*nxt))
        if refusal is not None:
            if not refusal.keep_typing:
                self.buffer = None  # the cell shows its stored value again
            self._refresh_cursor()
            self._notice(refusal.text)
            return
        self.buffer = None
        self._move(*nxt)
