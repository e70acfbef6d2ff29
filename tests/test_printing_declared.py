"""After `declare result`, Forms 21C/21E/22 print the declaration the RO recorded (winner, RO,
place, date, tie lot) with no DRAFT mark; before it, they are DRAFTs. Read back with pdftotext."""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.cli.main import main
from encore_tui.services import ro_result, ro_vvpat
from tests.conftest import OPERATOR, RO
from tests.support.pdf import flat, pdf_text
from tests.support.ro import RO_PIN, count_and_approve, make_ac, postal, votes_of


def _vvpat_and_sign(store, ac_id):
    drawn = [s.number for s in services.load_context(store, ac_id).setup.stations][:5]
    ro_vvpat.record_draw(store, ac_id, drawn, "agent of P2", "Observer", RO)
    for s in drawn:
        v = votes_of(store, ac_id, s)
        ro_vvpat.enter_slip_count(store, ac_id, s, {k: v[k] for k in ("c1", "c2", "c3", "nota")}, OPERATOR)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)


def _export(db, what, out, capsys) -> str:
    assert main(["--db", db, "export", what, "-o", str(out)]) == 0
    assert str(out) in capsys.readouterr().err
    return flat(pdf_text(out, raw=True))


def test_declaration_forms_print_the_recorded_declaration(sqlite_store, tmp_path, capsys):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2, 3])
    _vvpat_and_sign(store, ac_id)
    db = str(store.where)
    setup = services.load_context(store, ac_id).setup
    winner = setup.candidates[0].name
    for what in ("form21c", "form21e", "form22"):
        text = _export(db, what, tmp_path / f"{what}-draft.pdf", capsys)
        assert "DRAFT" in text and "result not declared" in text, what
        assert "Counting Centre, Testpur" not in text

    decl = ro_result.declare_result(store, ac_id, RO, RO_PIN, place="Counting Centre, Testpur")
    assert decl.winner_serial == 1
    date = decl.declared_at.astimezone().strftime("%d-%m-%Y")
    for what in ("form21c", "form21e", "form22"):
        text = _export(db, what, tmp_path / f"{what}.pdf", capsys)
        assert "DRAFT" not in text and "not declared" not in text, what
        assert winner in text and RO.display_name in text and date in text, what
        assert "Counting Centre, Testpur" in text or what == "form21e", what


@pytest.mark.parametrize("what", ["form21c", "form22"])
def test_a_tie_decided_by_lot_is_printed_from_the_record(sqlite_store, tmp_path, capsys, what):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=1, tables=1)  # one station: 17C total 101
    for f, v in {"c1": 10, "c2": 10, "c3": 1, "nota": 1, "rejected": 0, "total": 22}.items():
        services.enter_cell(store, ac_id, 0, "P1", f, v, OPERATOR)
    services.submit_round(store, ac_id, 0, OPERATOR)
    from tests.support.ro import PDF

    ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", PDF, OPERATOR)
    from encore_tui.services import ro

    ro.approve(store, ac_id, 0, RO, RO_PIN)
    for f, v in {"c1": 45, "c2": 45, "c3": 10, "nota": 1, "total": 101}.items():
        services.enter_cell(store, ac_id, 1, "1", f, v, OPERATOR)
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    ro_vvpat.record_draw(store, ac_id, ["1"], "agent of P2", "Observer", RO)
    ro_vvpat.enter_slip_count(store, ac_id, "1", {"c1": 45, "c2": 45, "c3": 10, "nota": 1}, OPERATOR)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    ro_result.record_tie_lot(store, ac_id, 2, "the RO himself", "agents of both", RO)
    ro_result.declare_result(store, ac_id, RO, RO_PIN, place="Testpur")
    text = _export(str(store.where), what, tmp_path / f"{what}.pdf", capsys)
    cands = services.load_context(store, ac_id).setup.candidates
    assert "DRAFT" not in text and cands[1].name in text
    if what == "form21c":
        assert "decided by lot under Section 65" in text and "the RO himself" in text
