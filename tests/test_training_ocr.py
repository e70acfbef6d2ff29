"""The training documents read back by OCR in Hindi and English (tests/support/ocr.py: each page
rendered with pdftoppm, each printed line read with tesseract `-l hin` / `-l eng` and compared
word for word with what the document drew): a sheet as the trainee gets it (with the
supervisor's remark in Hindi), the answer key, the batch report and the certificate, made from
the bilingual Bihar AC (Hindi names, parties, AC name). And the check can fail: the certificate
drawn without shaping its Devanagari is not read back."""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.printing import training as tp
from encore_tui.services import training
from encore_tui.services.importing import read_setup_json
from tests.conftest import ADMIN
from tests.support.ocr import assert_reads_back
from tests.support.pdf import BIHAR, record_drawn_text

TRAINER = services.Actor("meena", Role.TRAINER)


def _official(n: int, k: int) -> dict[str, int]:
    v = {f"c{i}": 10 * (n - i + 1) + k for i in range(1, n + 1)}
    v["nota"] = 3
    return {**v, "total": sum(v.values())}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A session of round 1 of the Bihar AC with three seeded faults; asha types three tables
    right, bina one figure wrong."""
    from encore_tui.store import open_store

    store = open_store(tmp_path_factory.mktemp("training-ocr") / "t.db")
    setup = read_setup_json(BIHAR)
    src = services.create_ac(store, setup, ADMIN)
    n = len(setup.candidates)
    r1 = services.load_context(store, src).plan.stations_of(1)
    official = {st: _official(n, k) for k, st in enumerate(r1)}
    faults = [f"sum_mismatch@1/{r1[1]}", f"cu_display@1/{r1[4]}", f"mock_poll@1/{r1[6]}"]
    sid = training.create_session(store, TRAINER, src, [1], faults, pass_mark=50, official=official)
    copies = {
        u: training.seat(store, TRAINER, sid, u, "1234", display_name=f"{u.title()} Devi")
        for u in ("asha", "bina")
    }
    fields = services.load_context(store, copies["asha"]).fields_of(1)
    asha, bina = (services.Actor(u, Role.OPERATOR) for u in ("asha", "bina"))
    for st in (r1[0], r1[2], r1[3]):
        for f in fields:
            services.enter_cell(store, copies["asha"], 1, st, f, official[st][f], asha)
    services.enter_cell(store, copies["bina"], 1, r1[0], "c1", official[r1[0]]["c1"] + 9, bina)
    yield store, sid, r1
    store.engine.dispose()


def _render(batch, what: str) -> bytes:
    store, sid, r1 = batch
    if what == "sheets":  # a plain sheet and the two with the supervisor's remark
        s, setup, sheets = training.sheets(store, TRAINER, sid)
        _s, _setup, key = training.answer_key(store, TRAINER, sid)
        part = [sh for sh in sheets if sh.station in (r1[0], r1[4], r1[6])]
        assert [bool(sh.note) for sh in part] == [False, True, True]
        return tp.sheets_pdf(s, setup, key, part, "meena", trainee="asha")
    if what == "key":
        return tp.key_pdf(*training.answer_key(store, TRAINER, sid), by="meena")
    rep = training.report(store, TRAINER, sid)
    if what == "report":
        assert rep.often_wrong  # the Hindi heading of that list is printed too
        return tp.report_pdf(rep, "meena")
    asha = next(r for r in rep.ranked if r.username == "asha")
    return tp.certificate_pdf(rep.session, rep.setup, "asha", "Asha Devi", asha.score, "meena")


@pytest.mark.parametrize("what", ["sheets", "key", "report", "certificate"])
def test_training_documents_read_back_in_hindi_and_english(batch, tmp_path, monkeypatch, what):
    drawn = record_drawn_text(monkeypatch)
    pdf = tmp_path / f"training-{what}.pdf"
    pdf.write_bytes(_render(batch, what))
    assert_reads_back(pdf, tmp_path, drawn)


def test_unshaped_devanagari_is_not_read_back(batch, tmp_path, monkeypatch):
    """The same certificate with its Devanagari drawn letter by letter, unshaped (as fpdf2 does
    without harfbuzz): vowel signs after their consonant, no conjuncts. OCR must see it."""
    from encore_tui.printing.doc import Sheet

    drawn: list[str] = []

    def unshaped(self, text: str) -> None:
        drawn.append(text)
        if self.text_shaping is not None:
            self.set_text_shaping(False)

    monkeypatch.setattr(Sheet, "shaping", unshaped)
    pdf = tmp_path / "training-certificate-unshaped.pdf"
    pdf.write_bytes(_render(batch, "certificate"))
    with pytest.raises(AssertionError, match="hin words not read back"):
        assert_reads_back(pdf, tmp_path, drawn)
