"""Scanned pages for the scan tests: a small PNG of two colours (top and bottom half)."""

from __future__ import annotations

import io

from PIL import Image

RED, BLUE = (255, 0, 0), (0, 0, 255)


def png_bytes(top=RED, bottom=BLUE, size=(40, 40)) -> bytes:
    img = Image.new("RGB", size, top)
    img.paste(Image.new("RGB", (size[0], size[1] // 2), bottom), (0, size[1] // 2))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
