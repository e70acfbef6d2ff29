"""The page every document is printed on: bilingual heading, a QR code on every page, an
optional DRAFT watermark, "page i of n", and a grid that splits wide tables across pages with
the row labels repeated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fpdf import FPDF

from encore_tui.domain.setup import Setup
from encore_tui.printing import payload as pl
from encore_tui.printing.fonts import NARROW, SANS, add_fonts
from encore_tui.printing.labels import bi, hi

QR_MODULE_MM = 0.38  # ~1 mm per 2.6 modules: scans from a phone at arm's length
MARGIN = 10.0


def _is_plain(text: str) -> bool:
    """Latin text needs no shaping; skipping harfbuzz for numbers keeps big grids fast."""
    return text.isascii()


class Sheet(FPDF):
    def __init__(
        self,
        setup: Setup,
        title: tuple[str, str],
        payload: dict,
        key=None,
        *,
        orientation: str = "L",
        subtitle: Sequence[str] = (),
        watermark: str | None = None,
        banner: str | None = None,
        printed_at: str = "",
        printed_by: str = "",
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.setup = setup
        self.title_en, self.title_hi = title
        self.payload = payload
        self.key = key
        self.subtitle = list(subtitle)
        self.watermark = watermark
        self.banner = banner
        self.printed_at = printed_at
        self.printed_by = printed_by
        self.body_top = MARGIN
        self._fit: dict = {}  # (text, font, size, width) -> size it fits at
        self._wraps: dict = {}  # (text, width, size, font) -> wrapped lines
        self._widths: dict = {}  # (number, font, size) -> its width
        add_fonts(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)  # every document paginates itself
        self.set_title(f"{self.title_en} — AC {setup.ac.number} {setup.ac.name}")
        self.set_creator("encore-tui")
        self.set_line_width(0.15)

    # -- text -----------------------------------------------------------------------------------
    def shaping(self, text: str) -> None:
        # read fpdf2's own state, not a copy: it lives in the graphics state, which a
        # `rotation` (the watermark) or `local_context` puts back when it ends
        want = not _is_plain(text)
        if want != (self.text_shaping is not None):
            self.set_text_shaping(want)

    def put(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        text: str,
        *,
        size: float = 8,
        style: str = "",
        family: str = SANS,
        align: str = "L",
        border: int | str = 0,
        fill: bool = False,
        min_size: float = 4.5,
    ) -> None:
        """One line in a box; the font shrinks (down to `min_size`) rather than overflow."""
        # digits are ~0.5 em wide: a short number cannot overflow, skip measuring (big grids)
        if w > 0 and text.isdigit() and text.isascii() and len(text) * size * 0.22 < w - 0.8:
            self._put_number(x, y, w, h, text, size, style, family, align, border, fill)
            return
        self.shaping(text)
        self.set_font(family, style, size)
        if w > 0:
            key = (text, family, style, size, round(w, 3), min_size)
            fitted = self._fit.get(key)
            if fitted is None:
                fitted = size
                while fitted > min_size and self.get_string_width(text) > w - 0.8:
                    fitted -= 0.25
                    self.set_font(family, style, fitted)
                self._fit[key] = fitted
            elif fitted != size:
                self.set_font(family, style, fitted)
        self.set_xy(x, y)
        self.cell(w, h, text, border=border, align=align, fill=fill)

    def _put_number(self, x, y, w, h, text, size, style, family, align, border, fill) -> None:
        """What `cell` draws for a number in a box, without its line-layout machinery: a Form 20
        of 420 stations × 36 candidates has ~20,000 of them, and `cell` made it take seconds."""
        if self.text_shaping is not None:
            self.set_text_shaping(False)
        self.set_font(family, style, size)
        if border or fill:
            self.rect(x, y, w, h, style=("DF" if border else "F") if fill else "D")
        key = (text, family, style, size)
        tw = self._widths.get(key)
        if tw is None:
            tw = self._widths[key] = self.get_string_width(text)
        if align == "R":
            tx = x + w - self.c_margin - tw
        elif align == "C":
            tx = x + (w - tw) / 2
        else:
            tx = x + self.c_margin
        self.text(tx, y + 0.5 * h + 0.3 * self.font_size, text)
        self.set_xy(x + w, y)

    def para(self, text: str, *, size: float = 10, style: str = "", w: float = 0, h: float = 5.5, align="L"):
        self.shaping(text)
        self.set_font(SANS, style, size)
        self.set_x(self.l_margin)
        self.multi_cell(w, h, text, align=align, new_x="LMARGIN", new_y="NEXT")

    def wrap_lines(
        self, text: str, w: float, size: float, style: str = "", family: str = NARROW
    ) -> list[str]:
        """The lines `text` wraps to in width `w` (memoised: column heads repeat on every page)."""
        key = (text, round(w, 3), size, style, family)
        lines = self._wraps.get(key)
        if lines is None:
            self.shaping(text)
            self.set_font(family, style, size)
            lines = self.multi_cell(w - 0.6, size * 0.42, text, dry_run=True, output="LINES")
            self._wraps[key] = lines
        return list(lines)

    # -- page furniture -------------------------------------------------------------------------
    def page_payload(self) -> dict:
        return pl.sign({**self.payload, "pg": self.page_no()}, self.key)

    def header(self) -> None:
        if self.watermark:
            self._draw_watermark(self.watermark)
        import segno

        # a fixed mask: choosing the best of 8 costs ~0.1 s a page and any mask scans
        qr = segno.make(pl.encode(self.page_payload()), error="m", micro=False, mask=4)
        modules = qr.symbol_size(scale=1, border=4)[0]
        size = modules * QR_MODULE_MM
        qx = self.w - MARGIN - size
        self.image(_qr_image(qr), x=qx, y=MARGIN - 3, w=size, h=size)
        tw = qx - MARGIN - 3
        s = self.setup
        y = MARGIN - 1
        self.put(MARGIN, y, tw, 6, self.title_en, size=13, style="B")
        y += 6
        self.put(MARGIN, y, tw, 6, self.title_hi, size=12, style="B")
        y += 6.5
        from encore_tui.printing.labels import en

        e_name, h_name = s.election.name, s.election.name_hi
        ac_en = f"{en('ac')}: {s.ac.number} – {s.ac.name}"
        ac_hi = f"{hi('ac')}: {s.ac.number} – {s.ac.name_hi or s.ac.name}"
        # each bilingual line on one line when it fits, else English above Hindi
        rows = [(f"{e_name}  /  {h_name}", [e_name, h_name]) if h_name else (e_name, [e_name])]
        # with a Hindi name each language says it whole: "label: 1 – NAME / नाम: 1 – नाम"
        one = (
            f"{ac_en} / {ac_hi}" if s.ac.name_hi else f"{en('ac')} / {hi('ac')}: {s.ac.number} – {s.ac.name}"
        )
        rows.append((one, [ac_en, ac_hi]))
        rows += [(line, [line]) for line in self.subtitle]
        for one, many in rows:
            for part in self._fit_lines(one, many, tw, 9):
                self.put(MARGIN, y, tw, 4.5, part, size=9)
                y += 4.5
        if self.banner:
            self.set_fill_color(255, 235, 200)
            self.put(MARGIN, y + 0.5, tw, 5, self.banner, size=9, style="B", fill=True, align="C")
            self.set_fill_color(255, 255, 255)
            y += 6
        self.body_top = max(y, MARGIN - 3 + size) + 2

    def _fit_lines(self, one: str, many: list[str], w: float, size: float) -> list[str]:
        self.shaping(one)
        self.set_font(SANS, "", size)
        return [one] if self.get_string_width(one) <= w else many

    def _draw_watermark(self, text: str) -> None:
        self.set_text_color(215, 215, 215)
        with self.rotation(28, self.w / 2, self.h / 2):
            self.put(0, self.h / 2 - 15, self.w, 30, text, size=64, style="B", align="C", min_size=20)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        y = self.h - MARGIN + 2
        w = (self.w - 2 * MARGIN) / 3
        n = self.page_no()
        self.put(MARGIN, y, w, 4, f"Page {n} of {{nb}} / {hi('page')} {n} / {{nb}}", size=8)
        mid = f"encore-tui · {pl.KINDS[self.payload['k']]} · AC {self.setup.ac.number} · sha256 {self.payload['d'][:12]}…"
        self.put(MARGIN + w, y, w, 4, mid, size=7, align="C")
        by = f"{bi('printed')} {self.printed_at}" + (f" · {self.printed_by}" if self.printed_by else "")
        self.put(MARGIN + 2 * w, y, w, 4, by, size=7, align="R")

    @property
    def body_bottom(self) -> float:
        return self.h - MARGIN - 1

    def need(self, height: float) -> None:
        """Start a new page unless `height` mm still fit."""
        if self.get_y() + height > self.body_bottom:
            self.add_page()
            self.set_y(self.body_top)

    def signature_blocks(self, roles: Sequence[tuple[str, str]], y: float | None = None) -> None:
        """Boxes for hand signatures: (English, Hindi) role names side by side."""
        self.need(30)
        y = self.get_y() + 4 if y is None else y
        w = (self.w - 2 * MARGIN - 6 * (len(roles) - 1)) / len(roles)
        for i, (en, hn) in enumerate(roles):
            x = MARGIN + i * (w + 6)
            self.rect(x, y, w, 26)
            self.put(x + 2, y + 1, w - 4, 5, f"{en} / {hn}", size=9, style="B")
            self.put(x + 2, y + 13, w - 4, 4, f"{bi('signature')}: ______________________", size=8)
            self.put(
                x + 2,
                y + 19,
                w - 4,
                4,
                f"{bi('name')}: ______________________  {bi('date')}: ________",
                size=8,
            )
        self.set_y(y + 28)


# -- the grid ---------------------------------------------------------------------------------------
@dataclass
class Column:
    lines: list[tuple[str, str]]  # header lines: (text, style "" or "B")
    width: float
    align: str = "R"


@dataclass
class Row:
    cells: list[str]
    bold: bool = False
    shade: bool = False
    shade_cols: set[int] = field(default_factory=set)  # columns (data index) shaded in this row
    height: float | None = None  # default: the grid's row height
    span: bool = False  # the first cell spans all the fixed columns (footer labels)


def column_groups(fixed_w: float, data: Sequence[Column], avail: float) -> list[list[int]]:
    groups: list[list[int]] = [[]]
    used = fixed_w
    for i, c in enumerate(data):
        if groups[-1] and used + c.width > avail:
            groups.append([])
            used = fixed_w
        groups[-1].append(i)
        used += c.width
    return groups


def _qr_image(qr, scale: int = 4, border: int = 4):
    """The QR symbol as a 1-bit image, straight from its module matrix (segno's PNG writer is
    pure Python and took ~35 ms a page)."""
    from PIL import Image

    n = len(qr.matrix) + 2 * border
    white = b"\xff" * border
    rows = [b"\xff" * n] * border
    rows += [white + bytes(0 if v else 255 for v in row) + white for row in qr.matrix]
    rows += [b"\xff" * n] * border
    img = Image.frombytes("L", (n, n), b"".join(rows))
    return img.resize((n * scale, n * scale), Image.NEAREST).convert("1")


def grid(
    pdf: Sheet,
    fixed: Sequence[Column],
    data: Sequence[Column],
    rows: Sequence[Row],
    *,
    head_h: float,
    row_h: float,
    size: float = 7.5,
    head_size: float = 6.5,
    label: Callable[[int, int, int, int, int], str] | None = None,
    shaded_cols: set[int] = frozenset(),
    start_new_page: bool = True,
    reserve_last: float = 0,
) -> None:
    """Rows top to bottom, data columns split into groups that fit the page width; each page
    repeats the fixed (row label) columns. `label(first_row, last_row, group, groups, first
    col)` names the part shown on each page."""
    avail = pdf.w - 2 * MARGIN
    fixed_w = sum(c.width for c in fixed)
    groups = column_groups(fixed_w, data, avail)
    first_page = True
    i = 0
    while i < len(rows):
        label_h = 5 if label else 0
        if start_new_page or not first_page or pdf.get_y() + label_h + head_h + 2 * row_h > pdf.body_bottom:
            pdf.add_page()
            top = pdf.body_top
        else:
            top = pdf.get_y()
        first_page = False
        room, end = pdf.body_bottom - top - head_h - label_h, i
        while end < len(rows) and (end == i or room >= (rows[end].height or row_h)):
            room -= rows[end].height or row_h
            end += 1
        while end == len(rows) and room < reserve_last and end - i > 1:  # keep the last rows with
            end -= 1  # what follows the grid (signatures), rather than leave that alone on a page
            room += rows[end].height or row_h
        block = rows[i:end]
        for g, cols in enumerate(groups):
            if g:
                pdf.add_page()
                top = pdf.body_top
            y = top
            if label:
                pdf.put(
                    MARGIN,
                    y,
                    avail,
                    4.5,
                    label(i, i + len(block) - 1, g, len(groups), cols[0]),
                    size=8,
                    style="B",
                )
                y += label_h
            shown = [*fixed, *(data[c] for c in cols)]
            x = MARGIN
            for j, col in enumerate(shown):
                _head_cell(
                    pdf,
                    x,
                    y,
                    col.width,
                    head_h,
                    col.lines,
                    head_size,
                    shade=j >= len(fixed) and cols[j - len(fixed)] in shaded_cols,
                )
                x += col.width
            y += head_h
            for row in block:
                x = MARGIN
                h = row.height or row_h
                if row.shade:
                    pdf.set_fill_color(232, 232, 232)
                if row.span:  # a wrapped label over the fixed columns: English (bold) above Hindi
                    en_text, _, hi_text = row.cells[0].partition("\n")
                    _head_cell(pdf, x, y, fixed_w, h, [(en_text, "B"), (hi_text, "")], size - 1, shade=True)
                    pdf.set_fill_color(232, 232, 232)
                for j, col in enumerate(shown):
                    if row.span and j < len(fixed):
                        x += col.width
                        continue
                    k = j if j < len(fixed) else len(fixed) + cols[j - len(fixed)]
                    dk = k - len(fixed)
                    shade = row.shade or (dk >= 0 and (dk in shaded_cols or dk in row.shade_cols))
                    if shade and not row.shade:
                        pdf.set_fill_color(225, 225, 225)
                    _body_cell(
                        pdf,
                        x,
                        y,
                        col.width,
                        h,
                        row.cells[k],
                        col.align,
                        size,
                        "B" if row.bold else "",
                        shade,
                    )
                    x += col.width
                y += h
            pdf.set_fill_color(255, 255, 255)
            pdf.set_y(y)
        i += len(block)


def _head_cell(pdf: Sheet, x, y, w, h, lines, size, shade=False) -> None:
    pdf.set_fill_color(225, 225, 225) if shade else pdf.set_fill_color(242, 242, 242)
    pdf.rect(x, y, w, h, style="DF")
    pdf.set_fill_color(255, 255, 255)
    s = size
    while True:
        wrapped = [(ln, st) for text, st in lines for ln in pdf.wrap_lines(text, w, s, st)]
        lh = s * 0.42
        if len(wrapped) * lh <= h - 0.6 or s <= 4:
            break
        s -= 0.25
    yy = y + 0.4
    for text, st in wrapped:
        if yy + lh > y + h:
            break
        pdf.put(x + 0.2, yy, w - 0.4, lh, text, size=s, style=st, family=NARROW, align="C", min_size=3.5)
        yy += lh


def _body_cell(pdf: Sheet, x, y, w, h, text, align, size, style, fill) -> None:
    if "\n" in text:  # a two-line label: English name above the Hindi one
        pdf.rect(x, y, w, h, style="DF" if fill else "D")
        top, bottom = text.split("\n", 1)
        pdf.put(x + 0.3, y + 0.2, w - 0.6, h / 2, top, size=size, style=style, family=NARROW, align=align)
        pdf.put(x + 0.3, y + h / 2 - 0.2, w - 0.6, h / 2, bottom, size=size - 0.5, family=NARROW, align=align)
        return
    pdf.put(x, y, w, h, text, size=size, style=style, family=NARROW, align=align, border=1, fill=fill)
