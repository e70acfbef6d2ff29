"""`encore training` at the console on a real SQLite file: the sheets, the key, the report and the
certificate are written as PDFs, rendered (pdftoppm, QR read back with zbarimg) and read back."""

from __future__ import annotations

import re

import pytest

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.services import training
from encore_tui.services.importing import read_form20_dir
from tests.conftest import ADMIN, GUMMIDIPOONDI
from tests.support.cli import console
from tests.support.pdf import flat, page_texts, pdf_text, qr_payloads


@pytest.fixture
def seated(sqlite_store, monkeypatch, capsys, tmp_path):
    store = sqlite_store
    imp = read_form20_dir(GUMMIDIPOONDI)
    src = services.create_ac(store, imp.setup, ADMIN)
    services.import_results(store, src, imp.station_values, imp.postal_values, ADMIN)
    run = console(store, monkeypatch, capsys)
    code, out = run(
        "training", "create", "--from-ac", "1", "--rounds", "1", "--fault", "sum_mismatch@1/2",
        "--fault", "cu_display@1/5", "--pass-mark", "90",
    )  # fmt: skip
    assert code == 0, out
    assert "Training session 1" in out and "2 seeded fault(s)" in out
    for who in ("asha", "bina"):
        code, out = run("training", "seat", "1", who, "--pin", "1234", "--name", who.title() + " Devi")
        assert code == 0 and f"AC 90{1 if who == 'asha' else 2} GUMMIDIPOONDI — training: {who}" in out, out
    return store, imp, run, tmp_path


def test_the_sheets_show_what_the_supervisor_wrote_and_never_the_answer(seated):
    store, imp, run, tmp = seated
    code, out = run("training", "sheets", "1", "--out", str(tmp))
    assert code == 0 and "14 Form 17C Part II sheets" in out, out
    pdf = tmp / "training-1-sheets.pdf"
    pages = [flat(p) for p in page_texts(pdf)]
    assert len(pages) == 14
    for t, page in enumerate(pages, start=1):
        assert "Form 17C Part II" in page and "TRAINING" in page
        assert f"Round / चक्र: 1 Table / टेबल: {t} " in page
        assert "Caught" not in page and "official" not in page.lower() and "answer" not in page.lower()
    official_2 = imp.station_values["2"]
    assert "Polling station / मतदान केंद्र: 2" in pages[1]
    assert f" {official_2['total'] + 10} " in pages[1] + " "  # the miscopied total, as seeded
    assert f" {official_2['total']} " not in pages[1].split("NOTA")[-1]
    assert "Remark: Control Unit does not display the result" in pages[4]
    assert str(imp.station_values["5"]["c1"]) not in pages[4].split("Votes")[-1].split("NOTA")[0]
    payloads = qr_payloads(pdf, tmp)
    assert [p["pg"] for p in payloads] == list(range(1, 15)) and {p["k"] for p in payloads} == {"ts"}


def test_the_key_is_for_the_trainer_and_names_what_caught_means(seated):
    store, imp, run, tmp = seated
    code, out = run("training", "key", "1", "--out", str(tmp / "key.pdf"))
    assert code == 0, out
    text = flat(pdf_text(tmp / "key.pdf"))
    assert "Training answer key — for the trainer only" in text
    assert "Caught when: E101 fired on the sheet's figures" in text
    assert "cu_display" in text and "table kept aside: Control Unit cannot display the result" in text
    assert f"{imp.station_values['2']['total']}" in text
    # a trainee is refused, with a clear message, at the console too
    seat_actor = services.Actor("asha", Role.OPERATOR)
    with pytest.raises(services.NotAllowed, match="only a trainer or an administrator"):
        training.answer_key(store, seat_actor, 1)


def test_the_report_ranks_and_only_a_pass_gets_a_certificate(seated):
    store, imp, run, tmp = seated
    _s, _setup, key = training.answer_key(store, ADMIN, 1)
    copies = dict(training.session(store, ADMIN, 1).seats)
    asha = services.Actor("asha", Role.OPERATOR)
    fields = services.load_context(store, copies["asha"]).fields_of(1)
    for st in key.rounds[1]:
        if st == "5":
            services.keep_aside(store, copies["asha"], 1, st, "cu_display_failure", asha)
            continue
        sheet, _ = key.sheet(1, st)
        for f in fields:
            services.enter_cell(store, copies["asha"], 1, st, f, sheet[f], asha)
        if st == "2":
            services.enter_cell(store, copies["asha"], 1, st, "total", key.official[st]["total"], asha)
    services.submit_round(store, copies["asha"], 1, asha)
    code, out = run("training", "report", "1", "--pdf", str(tmp / "report.pdf"))
    assert code == 0, out
    lines = out.splitlines()
    cells = 13 * len(fields)
    assert lines[2].split()[:7] == ["1", "asha", str(cells), "0", "0", "1", "2/2"], out
    assert lines[3].split()[:7] == ["2", "bina", "0", "0", str(cells), "0", "0/2"], out
    assert "bina: cu_display round 1 PS 5: MISSED (not handled)" in out
    text = flat(pdf_text(tmp / "report.pdf"))
    assert "Training report" in text and "asha" in text and "bina missed" in text
    code, out = run("training", "certificate", "1", "asha", "--out", str(tmp / "asha.pdf"))
    assert code == 0, out
    cert = flat(pdf_text(tmp / "asha.pdf"))
    assert "Certificate of completion" in cert and "Asha Devi (asha)" in cert and "100.0 %" in cert
    assert qr_payloads(tmp / "asha.pdf", tmp)[0]["k"] == "tc"
    code, out = run("training", "certificate", "1", "bina", "--out", str(tmp / "bina.pdf"))
    assert code != 0 and "below the pass mark of 90 %: no certificate" in out
    assert not (tmp / "bina.pdf").exists()


def test_sheets_per_trainee_and_per_table(seated):
    _store, _imp, run, tmp = seated
    code, out = run("training", "sheets", "1", "--out", str(tmp), "--per-trainee", "--per-table")
    assert code == 0, out
    files = sorted(p.name for p in tmp.glob("training-1-*-sheets.pdf"))
    assert len(files) == 2 * 14 and "training-1-asha-table-2-sheets.pdf" in files
    (page,) = page_texts(tmp / "training-1-bina-table-5-sheets.pdf")
    page = flat(page)
    assert re.search(r"Trainee / \S+ ?\S*: bina", page) and "Table / टेबल: 5" in page
    assert "Remark: Control Unit does not display the result" in page
