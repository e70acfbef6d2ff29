"""Devanagari is shaped wherever it stands in a line (issue 16): after English, before a Latin
name, in bold, in the narrow grid face, and after the DRAFT watermark. The OCR test
(tests/test_printing_ocr.py) reads the printed result; these check the mechanism, fast."""

from __future__ import annotations

import pytest

from encore_tui.printing.doc import Sheet
from encore_tui.printing.fonts import FACES
from encore_tui.printing.shaping import DEVA, script_runs
from encore_tui.services.importing import read_setup_json
from tests.support.pdf import BIHAR


def test_script_runs_keep_neutrals_with_the_run_before():
    def runs(text):
        return [(text[a:b], s) for a, b, s in script_runs(text)]

    assert runs("") == []
    assert runs("12345") == [("12345", None)]
    assert runs("(नियम 64 देखिए)") == [("(नियम 64 देखिए)", DEVA)]
    assert runs("Status / स्थिति") == [("Status / ", None), ("स्थिति", DEVA)]
    # the i-sign stays with क: it cannot reach the G
    assert runs("कि GOVINDARAJAN T.J (DMK) विधिवत") == [
        ("कि ", DEVA),
        ("GOVINDARAJAN T.J (DMK) ", None),
        ("विधिवत", DEVA),
    ]
    assert runs("क्\u200dष") == [("क्\u200dष", DEVA)]  # a joiner stays inside its word


@pytest.fixture(scope="module")
def sheet():
    s = Sheet(read_setup_json(BIHAR), ("T", "टी"), {"v": 1, "k": "rs", "ac": 1, "d": "0" * 64})
    s.set_text_shaping(True)
    return s


def glyphs(sheet: Sheet, face, text: str) -> list[int]:
    """The glyphs fpdf2 draws for `text` in `face` (the subset codes of its shaped glyphs)."""
    font = sheet.fonts[f"{face.family.lower()}{face.style}"]
    return [g["mapped_char"] for g in font.shape_text(text, 10, sheet.text_shaping)]


@pytest.mark.parametrize("face", FACES, ids=[f"{f.family}{f.style}" for f in FACES])
def test_devanagari_after_or_before_latin_is_shaped_as_alone(sheet, face):
    """Shaped alone, a Devanagari string is shaped right (harfbuzz sees Devanagari first); in a
    line that starts in English it must come out as the same glyphs."""
    for latin, deva in (
        ("Status / ", "स्थिति"),
        ("General Election to Bihar Legislative Assembly 2025 (DEMO)  /  ", "बिहार विधान सभा आम निर्वाचन"),
        ("(See rule 64 of the Conduct of Elections Rules, 1961) / ", "(निर्वाचनों का संचालन नियम, 1961)"),
        ("I declare that GOVINDARAJAN T.J (DMK) has been duly elected. / ", "मैं घोषित करता/करती हूँ कि"),
    ):
        alone = glyphs(sheet, face, deva)
        assert len(alone) < len(deva)  # conjuncts, reph: fewer glyphs than characters
        assert glyphs(sheet, face, latin + deva)[-len(alone) :] == alone, (face, deva)
    mixed = glyphs(sheet, face, "कि GOVINDARAJAN")
    assert mixed[:2] == glyphs(sheet, face, "कि")  # ि before क, and nothing of it on the G
    assert mixed[2:] == glyphs(sheet, face, " GOVINDARAJAN")


class Recording(Sheet):
    """A sheet that notes, for each string it draws, whether shaping was on."""

    def __init__(self, *a, **kw) -> None:
        self.drawn: list[tuple[str, bool]] = []
        super().__init__(*a, **kw)

    def cell(self, w=None, h=None, text="", *a, **kw):
        self.drawn.append((text, self.text_shaping is not None))
        return super().cell(w, h, text, *a, **kw)

    def multi_cell(self, w, h=None, text="", *a, **kw):
        self.drawn.append((text, self.text_shaping is not None))
        return super().multi_cell(w, h, text, *a, **kw)


def test_every_devanagari_string_is_drawn_with_shaping_on_after_the_watermark():
    """The watermark is drawn in a rotation, and fpdf2 restores its graphics state (shaping
    included) when a rotation ends: the title after it was drawn unshaped (नर्विाचन)."""
    s = Recording(
        read_setup_json(BIHAR),
        ("FORM 21C — Declaration of the result of election", "प्रपत्र 21ग — निर्वाचन परिणाम की घोषणा"),
        {"v": 1, "k": "21c", "ac": 1, "d": "0" * 64},
        watermark="DRAFT / प्रारूप",
        banner="DRAFT — result not declared / प्रारूप — परिणाम घोषित नहीं",
    )
    s.add_page()
    s.para("(See rule 64) / (नियम 64 देखिए)", size=9, align="C")
    unshaped = [t for t, shaped in s.drawn if not t.isascii() and not shaped]
    assert not unshaped
    assert any("निर्वाचन परिणाम" in t for t, _ in s.drawn)
