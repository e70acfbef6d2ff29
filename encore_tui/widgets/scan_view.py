"""A page of a scan drawn in the terminal with half blocks: each cell is "▀" with the upper
pixel as its colour and the lower pixel as its background, so a cell shows two pixels."""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

HALF = "▀"


def halfblock_rows(image, width: int, height: int) -> list[list[tuple[tuple, tuple]]]:
    """The page fitted into `width` × `height` cells (aspect kept; a cell is about twice as
    tall as wide, so it holds one pixel across and two down): rows of (upper, lower) RGB."""
    w, h = image.size
    scale = min(width / w, (2 * height) / h)
    cols, rows2 = max(1, int(w * scale)), max(2, int(h * scale) // 2 * 2)
    small = image.convert("RGB").resize((cols, rows2))
    px = small.load()
    return [[(px[x, y], px[x, y + 1]) for x in range(cols)] for y in range(0, rows2, 2)]


def strips_of(rows: list[list[tuple[tuple, tuple]]]) -> list[Strip]:
    strips = []
    for row in rows:
        segs = [
            Segment(HALF, Style(color=Color.from_rgb(*up), bgcolor=Color.from_rgb(*down))) for up, down in row
        ]
        strips.append(Strip(Segment.simplify(segs), len(row)))
    return strips


class ScanPage(Widget):
    """One page, refitted to the widget's size when the size changes."""

    DEFAULT_CSS = "ScanPage { width: 1fr; height: 1fr; }"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.image = None
        self._strips: list[Strip] = []
        self._fitted_to: tuple[int, int] | None = None

    def show(self, image) -> None:
        self.image, self._fitted_to = image, None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if self.image is not None and self._fitted_to != size and size[0] and size[1]:
            self._strips = strips_of(halfblock_rows(self.image, *size))
            self._fitted_to = size
        return self._strips[y] if y < len(self._strips) else Strip.blank(self.size.width)
