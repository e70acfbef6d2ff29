"""The Hindi half of every bilingual line is Hindi (issue 16): no English word left in it where a
Hindi form exists, apart from names and free text that exist only in English (candidates and
parties without a Hindi name, user ids, the place, the RO's reasons) and a few technical marks
(TRV, RDF, QR, sha256, UTC, the `encore verify sheet` command)."""

from __future__ import annotations

import re

import pytest

from encore_tui import services
from encore_tui.printing import api
from encore_tui.services.importing import read_setup_json
from tests.conftest import OPERATOR, RO
from tests.support.pdf import BIHAR, TIE_LOT, correct_round_1, counted_ac, record_drawn_text

TECHNICAL = {"TRV", "RDF", "QR", "sha256", "UTC", "encore", "verify", "sheet", "KA"}
DEVA = re.compile(r"[\u0900-\u097F]")


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    return record_drawn_text(monkeypatch)


def hindi_parts(text: str) -> list[str]:
    """The parts of a line written in Hindi: a bilingual pair puts ' / ' between the languages;
    pairs on one line are set apart by two spaces or more (or ";  ")."""
    parts = re.split(r"\n|\s+/\s+|\s{2,}|;\s+", text)
    return [p for p in parts if DEVA.search(p)]


def test_no_english_left_in_the_hindi_of_any_document(sqlite_store, drawn):
    store = sqlite_store
    setup = read_setup_json(BIHAR)
    ac_id, _ = counted_ac(store, setup)
    # round 1 corrected (the annex; round 2 then needs re-approval), round 3 under correction
    correct_round_1(store, ac_id, "figures keyed wrongly")
    services.open_correction(store, ac_id, 3, "second look", RO)
    tie = TIE_LOT
    for what, kw in (
        ("round", {"round_no": 2}),
        ("round", {"round_no": 3}),
        ("postal", {}),
        ("annex", {"round_no": 1}),
        ("form20", {}),
        ("form21c", {}),
        ("form21e", {}),
        ("form22", {}),
        ("form21c", {"declaration": tie}),
        ("form21e", {"declaration": tie}),
        ("form22", {"declaration": tie}),
    ):
        api.render(store, ac_id, what, printed_by=OPERATOR.label, **kw)

    free_text = " ".join(
        [*(f"{c.name} {c.party}" for c in setup.candidates), "figures keyed wrongly second look"]
        + [OPERATOR.username, OPERATOR.label, RO.username, "admin", setup.ac.district or ""]
        + [tie.place, tie.ro_name]
    )
    allowed = TECHNICAL | set(re.findall(r"[A-Za-z][A-Za-z0-9]+", free_text))
    english = sorted(
        {
            (w, part)
            for text in drawn
            for part in hindi_parts(text)
            for w in re.findall(r"\b[A-Za-z]{2,}\b", part)  # words, not hex digests
            if w not in allowed
        }
    )
    assert not english, "English in the Hindi text:\n" + "\n".join(f"  {w!r} in {p!r}" for w, p in english)

    everything = "\n".join(drawn)
    # the kept-aside table, the footer, the parts of a split grid, and the lot, in Hindi too
    assert re.search(r"टेबल \d+, मतदान केंद्र \d+: कंट्रोल यूनिट", everything)
    assert "Printed / मुद्रित" in everything
    assert all("भाग" in t for t in drawn if re.search(r"\bpart \d", t))
    lot = next(t for t in drawn if "Section 65" in t)
    assert "धारा 65" in lot and "सुनीता देवी" in lot.split(" / ")[-1]  # the candidate the lot fell on
