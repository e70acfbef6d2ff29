"""Script runs for harfbuzz: the one way every printed string is shaped.

fpdf2 hands harfbuzz a whole fragment (a line of a `cell`, a wrapped line of a `multi_cell`, a
width measurement) and lets it guess the script from the first letter. A bilingual line that
starts in English ("Status / स्थिति", "I declare that X … / मैं घोषित …") was therefore shaped as
Latin: vowel signs not reordered (घोषति), conjuncts and the reph not formed (नर्विाचन), the ि of
"कि" drawn after क. Here each fragment is cut into runs of one script and each run is shaped
on its own with its script set, so Devanagari is shaped the same whether a line starts with it,
ends with it, is bold, small or centred, and a vowel sign never reaches a Latin letter.

`install(font)` is applied by `fonts.add_fonts` to every face the documents print with.
"""

from __future__ import annotations

import unicodedata

DEVA = "deva"
# Devanagari, Devanagari Extended, Vedic Extensions
_DEVA_RANGES = ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF))
_JOINERS = {0x200C, 0x200D, 0x25CC}  # ZWNJ, ZWJ, dotted circle: belong to the run they sit in


def _kind(ch: str) -> str | None:
    """DEVA, "other" for a letter or mark of another script, None for what belongs to either
    (spaces, digits, punctuation, symbols, joiners)."""
    cp = ord(ch)
    if any(lo <= cp <= hi for lo, hi in _DEVA_RANGES):
        return DEVA
    if cp in _JOINERS:
        return None
    cat = unicodedata.category(ch)
    return "other" if cat[0] in "LM" else None


def script_runs(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, script) for each run of one script; script is "deva" or None (harfbuzz
    guesses: Latin and the rest). Neutral characters stay with the run before them (the
    first run takes those before it), so "कि GOVINDARAJAN" is "कि " + "GOVINDARAJAN"."""
    runs: list[list] = []
    for i, ch in enumerate(text):
        k = _kind(ch)
        if not runs:
            runs.append([0, i + 1, k])
        elif k is None or k == runs[-1][2]:
            runs[-1][1] = i + 1
        elif runs[-1][2] is None:  # only neutrals so far: they take this script
            runs[-1][1], runs[-1][2] = i + 1, k
        else:
            runs.append([i, i + 1, k])
    return [(s, e, DEVA if k == DEVA else None) for s, e, k in runs]


def _shape_by_runs(self, text: str, font_size_pt: float, text_shaping_params):
    """fpdf2's `TTFFont.perform_harfbuzz_shaping`, one harfbuzz buffer per script run. The
    clusters stay indices into the whole `text` (harfbuzz numbers them from the item offset), so
    fpdf2's mapping of glyphs back to characters (copy-paste, ToUnicode) is unchanged."""
    import uharfbuzz as hb

    params = text_shaping_params or {}
    if params.get("script"):  # a script chosen by the caller wins
        return _fpdf_shaping(self, text, font_size_pt, text_shaping_params)
    text = self._map_symbol_text(text)
    self.hbfont.ptem = font_size_pt
    features = params.get("features") or {}
    infos: list = []
    positions: list = []
    for start, end, script in script_runs(text):
        buf = hb.Buffer()
        buf.cluster_level = 1
        buf.add_str(text, start, end - start)
        buf.guess_segment_properties()
        if script:
            buf.script = script
        if params.get("fragment_direction") is not None:
            buf.direction = params["fragment_direction"].value
        if params.get("language"):
            buf.language = params["language"]
        hb.shape(self.hbfont, buf, features)
        infos += buf.glyph_infos
        positions += buf.glyph_positions
    return infos, positions


def _fpdf_shaping(font, text, font_size_pt, text_shaping_params):
    return super(type(font), font).perform_harfbuzz_shaping(text, font_size_pt, text_shaping_params)


_CLASSES: dict[type, type] = {}


def install(font) -> None:
    """Make `font` (an fpdf2 TTFFont) shape by script runs. fpdf2's font objects have
    `__slots__`, so the method cannot be set on the object: the object takes a subclass of
    its own class that differs only in that method."""
    base = type(font)
    if base in _CLASSES.values():
        return
    cls = _CLASSES.get(base)
    if cls is None:
        cls = _CLASSES[base] = type(
            f"ScriptRuns{base.__name__}",
            (base,),
            {"__slots__": (), "perform_harfbuzz_shaping": _shape_by_runs, "__module__": __name__},
        )
    font.__class__ = cls
