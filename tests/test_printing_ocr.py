"""Every official document read back by OCR (tests/support/ocr.py says how and what is counted
as read): pdftotext reads the characters a PDF *means*, so it cannot see a vowel sign drawn on
the wrong letter; here each page is rendered and its Hindi and English read with tesseract."""

from __future__ import annotations

import pytest

from encore_tui.domain.setup import ElectionKind
from encore_tui.printing import api
from encore_tui.services.importing import read_setup_json
from tests.conftest import small_setup
from tests.support.ocr import assert_reads_back
from tests.support.pdf import BIHAR, TIE_LOT, correct_round_1, counted_ac, record_drawn_text


# -- the documents ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def acs(tmp_path_factory):
    """The fictional bilingual Bihar AC of `encore demo bihar` (Hindi names), counted and
    approved, with round 1 corrected once (for the annex); and a bye-election AC (Form 21D) with
    Latin names only (no Hindi name given, like the Gummidipoondi demo), counted but not
    approved, whose sheets carry the DRAFT watermark and whose declarations mix Latin names into
    Hindi sentences."""
    from encore_tui.store import open_store

    d = tmp_path_factory.mktemp("ocr")
    bihar = open_store(d / "bihar.db")
    b_id, _ = counted_ac(bihar, read_setup_json(BIHAR))
    correct_round_1(bihar, b_id, "Table 5 keyed from the wrong 17C sheet")
    latin = open_store(d / "latin.db")
    s = small_setup(ac_no=9)
    bye = s.model_copy(update={"election": s.election.model_copy(update={"kind": ElectionKind.BYE})})
    l_id, _ = counted_ac(latin, bye, keep_aside_round=None, approve=False)
    yield {"bihar": (bihar, b_id), "latin": (latin, l_id)}
    bihar.engine.dispose()
    latin.engine.dispose()


DOCUMENTS = [  # (id, AC, document, its arguments)
    ("bihar-round", "bihar", "round", {"round_no": 2}),
    ("bihar-postal", "bihar", "postal", {}),
    ("bihar-annex", "bihar", "annex", {"round_no": 1}),
    ("bihar-form20", "bihar", "form20", {}),
    ("bihar-form21c", "bihar", "form21c", {}),
    ("bihar-form21e", "bihar", "form21e", {}),
    ("bihar-form22", "bihar", "form22", {}),
    ("bihar-form21c-tie-lot", "bihar", "form21c", {"declaration": TIE_LOT}),
    ("latin-round-draft", "latin", "round", {"round_no": 1}),
    ("latin-form21d", "latin", "form21c", {}),
    ("latin-form21e", "latin", "form21e", {}),
    ("latin-form22", "latin", "form22", {}),
]


@pytest.mark.parametrize(("ac", "what", "kw"), [d[1:] for d in DOCUMENTS], ids=[d[0] for d in DOCUMENTS])
def test_every_document_reads_back_in_hindi_and_english(acs, tmp_path, monkeypatch, ac, what, kw):
    store, ac_id = acs[ac]
    drawn = record_drawn_text(monkeypatch)
    pdf = tmp_path / f"{ac}-{what}.pdf"
    pdf.write_bytes(api.render(store, ac_id, what, **kw))
    assert_reads_back(pdf, tmp_path, drawn)
