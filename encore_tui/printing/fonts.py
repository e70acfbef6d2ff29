"""The fonts printed with: Noto Sans Devanagari (OFL-1.1), shipped by the PyPI package
`fontpkg-noto-sans-devanagari` (its LICENSE file sits beside the font). The face covers Devanagari
and Latin, so one family prints both scripts; no font installed on the PC is ever used.

The package ships a *variable* font. fpdf2 embeds static faces best (its own instancing of the
width axis leaves the advance widths wide), so each face we need is instanced once with
fontTools and cached under the user cache folder (or $ENCORE_FONT_CACHE); later prints reuse it.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from encore_tui.base.atomic import atomic_write

SANS = "Sans"  # normal width: headings, names, declarations
NARROW = "Narrow"  # condensed: the wide grids (Form 20, round sheets)


@dataclass(frozen=True)
class Face:
    family: str
    style: str  # "" or "B"
    wght: int
    wdth: float


FACES = (
    Face(SANS, "", 400, 100),
    Face(SANS, "B", 700, 100),
    Face(NARROW, "", 400, 75),
    Face(NARROW, "B", 700, 75),
)


class FontMissing(RuntimeError):
    pass


def source_font() -> Path:
    try:
        import fontpkg_noto_sans_devanagari as pkg
    except ImportError as exc:  # a broken install: say what to do
        raise FontMissing(
            "The Devanagari font package is missing: reinstall encore-tui "
            "(pip install fontpkg-noto-sans-devanagari)."
        ) from exc
    fonts = sorted((Path(pkg.ROOT) / "files").glob("NotoSansDevanagari*.ttf"))
    if not fonts:
        raise FontMissing(f"No Noto Sans Devanagari font file in {pkg.ROOT}/files: reinstall encore-tui.")
    return fonts[0]


def licence_file() -> Path:
    return source_font().parent.parent / "LICENSE"


def cache_dir() -> Path:
    env = os.environ.get("ENCORE_FONT_CACHE")
    if env:
        d = Path(env)
    else:
        import platformdirs

        d = Path(platformdirs.user_cache_dir("encore-tui")) / "fonts"
    try:
        d.mkdir(parents=True, exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    # a read-only home (kiosk set-ups): the faces are rebuilt in a temp folder instead
    from encore_tui.base.portable import private_temp_dir

    return private_temp_dir("encore-tui-fonts")


def _source_tag(src: Path) -> str:
    st = src.stat()
    return hashlib.sha256(f"{src.name}|{st.st_size}|{int(st.st_mtime)}".encode()).hexdigest()[:10]


def face_file(face: Face) -> Path:
    """A static instance of the variable font for `face`, made once and cached."""
    src = source_font()
    path = cache_dir() / f"noto-deva-{_source_tag(src)}-w{face.wght}-d{face.wdth:g}.ttf"
    if path.exists():
        return path
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = instancer.instantiateVariableFont(
        TTFont(src), {"wght": face.wght, "wdth": face.wdth}, updateFontNames=False
    )
    buf = io.BytesIO()
    font.save(buf)
    atomic_write(path, buf.getvalue())  # two printing processes at once: the last rename wins
    return path


def add_fonts(pdf) -> None:
    from encore_tui.printing import shaping

    for face in FACES:
        pdf.add_font(face.family, face.style, str(face_file(face)))
        shaping.install(pdf.fonts[f"{face.family.lower()}{face.style}"])  # fpdf2 font key
