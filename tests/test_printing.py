"""Printed documents, read back as a person (pdftoppm, pdftotext) and a phone (zbarimg) would."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.domain.declaration import Declaration, TieLot
from encore_tui.domain.setup import ElectionKind, Setup
from encore_tui.printing import api, declaration, documents
from encore_tui.printing import payload as pl
from encore_tui.printing.verify import verify_sheet
from encore_tui.services.importing import read_setup_json
from tests.conftest import RO
from tests.support.pdf import BIHAR, counted_ac, flat, page_texts, pdf_text, qr_payloads, write


@pytest.fixture
def bihar(sqlite_store):
    ac_id, kept = counted_ac(sqlite_store, read_setup_json(BIHAR))
    return sqlite_store, ac_id, kept


# -- the round sheet -------------------------------------------------------------------------------------
def test_round_sheet_text_qr_and_store_agree(bihar, tmp_path):
    store, ac_id, kept = bihar
    path = write(tmp_path, "r2", documents.round_sheet(store, ac_id, 2, printed_by="Operator One"))
    pages = page_texts(path)
    qrs = qr_payloads(path, tmp_path)
    assert len(qrs) == len(pages) >= 2
    approved = [r for r in services.revisions(store, ac_id, 2) if r["stage"] == "approved"][-1]
    for i, p in enumerate(qrs, start=1):
        assert (p["k"], p["ac"], p["r"], p["rev"], p["st"], p["pg"]) == (
            "rs",
            999,
            2,
            approved["revision"],
            "a",
            i,
        )
        assert p["d"] == approved["digest"]
        assert len(p["t"]) == len(approved["figures"]["tables"])
        assert str(verify_sheet(store, pl.encode(p))).endswith("MATCHES the store.")
    text = "\n".join(pages)
    view = services.round_view(store, ac_id, 2)
    assert "Round sheet — Round 2" in text and "Table-wise record of votes (TRV)" in text
    assert "Round declaration (RDF)" in text and "Returning Officer" in text and "Observer" in text
    assert "KEPT" in text and f"PS {kept}: Control Unit cannot display the result" in text
    for c in view.ctx.setup.candidates:
        assert c.name in text
    # Devanagari that pdftotext reads back unchanged (conjuncts, no pre-base vowel sign)
    assert "श्याम सुन्दर पासवान" in text and "सुनीता देवी" in text
    t = view.tally
    lead_c = view.ctx.setup.candidates[t.lead.leader - 1]
    assert f"{lead_c.name}" in text and f"Margin / अंतर: {t.lead.margin}" in text
    # RDF figures: brought forward, this round, cumulative of candidate 1 on one line
    layout = pdf_text(path, layout=True)
    assert any(
        line.split()[-3:]
        == [str(t.brought_forward.votes[0]), str(t.this_round.votes[0]), str(t.cumulative.votes[0])]
        for line in layout.splitlines()
        if line.split()
    )
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page


def test_postal_round_and_draft_round(bihar, tmp_path):
    store, ac_id, _ = bihar
    p0 = write(tmp_path, "r0", documents.round_sheet(store, ac_id, 0))
    text = pdf_text(p0)
    assert "Postal ballots (round 0)" in text and "Postal table 2" in text and "Rejected" in text
    qr = qr_payloads(p0, tmp_path)[0]
    chain_start = qr["p"]
    pb = write(tmp_path, "pb", documents.postal_sheet(store, ac_id))
    assert "Postal ballot result sheet" in pdf_text(pb)
    assert qr_payloads(pb, tmp_path)[0]["k"] == "pb"
    # a round not yet submitted prints as a watermarked DRAFT with live figures
    other = counted_ac(store, small_bihar(), approve=False, keep_aside_round=None)[0]
    pd = write(tmp_path, "draft", documents.round_sheet(store, other, 1))
    assert "DRAFT / प्रारूप" in pdf_text(pd, raw=True)
    q = qr_payloads(pd, tmp_path)[0]
    assert q["st"] == "d" and q["rev"] == 0 and q["p"] != chain_start
    assert verify_sheet(store, pl.encode(q)).ok


def small_bihar() -> Setup:
    s = read_setup_json(BIHAR)
    return s.model_copy(update={"ac": s.ac.model_copy(update={"number": 998})})


# -- corrections: the annex and verification naming the cell ----------------------------------------------
def test_correction_annex_and_verify_names_the_changed_cell(bihar, tmp_path):
    store, ac_id, _ = bihar
    old_r1 = qr_payloads(write(tmp_path, "r1", documents.round_sheet(store, ac_id, 1)), tmp_path)[0]
    old_r3 = qr_payloads(write(tmp_path, "r3", documents.round_sheet(store, ac_id, 3)), tmp_path)[0]
    old_f20 = qr_payloads(write(tmp_path, "f20", documents.form20(store, ac_id)), tmp_path)[0]
    view = services.round_view(store, ac_id, 1)
    e = view.entries[4]
    services.open_correction(store, ac_id, 1, "Table 5 keyed from the wrong 17C sheet", RO)
    c1, c2 = e.values["c1"], e.values["c2"]
    services.enter_cell(store, ac_id, 1, e.station, "c1", c1 - 5, RO)
    services.enter_cell(store, ac_id, 1, e.station, "c2", c2 + 5, RO)
    services.approve_round(store, ac_id, 1, RO)

    rep = verify_sheet(store, pl.encode(old_r1))
    text = str(rep)
    assert not rep.ok
    assert (
        f"round 1, table 5 (PS {e.station}), candidate 1 RAMESH KUMAR YADAV (JVP): sheet {c1}, store {c1 - 5}"
        in text
    )
    assert f"candidate 2 SUNITA DEVI (LSM): sheet {c2}, store {c2 + 5}" in text
    rep3 = verify_sheet(store, pl.encode(old_r3))
    assert not rep3.ok and "earlier rounds changed after this sheet was printed" in str(rep3)
    assert f"table 5 (PS {e.station}), candidate 1" in str(rep3)
    rep20 = verify_sheet(store, pl.encode(old_f20))
    assert not rep20.ok and f"sheet {c2}, store {c2 + 5}" in str(rep20)

    annex = write(tmp_path, "annex", documents.correction_annex(store, ac_id, 1))
    text = pdf_text(annex, layout=True)
    assert "Correction annex" in text and "Table 5 keyed from the wrong 17C sheet" in text
    assert f"{c1 - 5} *" in text and f"{c2 + 5} *" in text and "+5" in text and "-5" in text
    q = qr_payloads(annex, tmp_path)[0]
    assert q["k"] == "ca" and q["rev"] == 2 and q["o"] != q["d"]
    assert verify_sheet(store, pl.encode(q)).ok


def test_tampered_payload_is_caught(bihar, tmp_path):
    store, ac_id, _ = bihar
    p = qr_payloads(write(tmp_path, "r1", documents.round_sheet(store, ac_id, 1)), tmp_path)[0]
    forged = dict(p, t=[*p["t"][:3], "00000000", *p["t"][4:]], d="ab" * 32)
    rep = verify_sheet(store, pl.encode(forged))
    assert not rep.ok and "table 4 (PS" in str(rep)
    with pytest.raises(pl.PayloadError):
        verify_sheet(store, "not a payload")


def test_signed_sheets(bihar, tmp_path):
    from encore_tui.wire.keys import init_keys

    store, ac_id, _ = bihar
    init_keys()
    res = api.print_document(store, ac_id, "round", round_no=1, output=tmp_path / "s.pdf")
    assert res.path.exists() and not res.warnings
    p = qr_payloads(res.path, tmp_path)[0]
    assert "s" in p
    assert "signature: made with this counting centre's key" in str(verify_sheet(store, pl.encode(p)))
    rep = verify_sheet(store, pl.encode(dict(p, pg=7)))
    assert not rep.ok and "NOT made with this centre's key" in str(rep)


# -- the declaration documents -------------------------------------------------------------------------------
def test_declaration_documents_draft_then_declared(bihar, tmp_path):
    store, ac_id, _ = bihar
    _, f20 = services.form20(store, ac_id)
    votes = f20.total_polled.votes
    leader = max(range(len(votes)), key=lambda i: votes[i]) + 1
    for what, title in (("form21c", "FORM 21C"), ("form21e", "FORM 21E"), ("form22", "FORM 22")):
        path = write(tmp_path, what, api.render(store, ac_id, what))
        text = pdf_text(path, raw=True)
        assert title in text and "DRAFT / प्रारूप" in text and "DRAFT — result not declared" in text, what
        q = qr_payloads(path, tmp_path)[0]
        assert q["w"] == leader and q["dr"] == 1
        assert verify_sheet(store, pl.encode(q)).ok
    decl = Declaration(
        winner_serial=leader,
        winner_votes=votes[leader - 1],
        runner_up_serial=2 if leader != 2 else 1,
        margin=10,
        declared_at=dt.datetime(2025, 11, 14, 16, 30, tzinfo=dt.UTC),
        ro_name="Smt. Demo Returning Officer",
        place="Demo district",
        tie_lot=TieLot(
            tied_serials=(leader, 3),
            drawn_serial=leader,
            drawn_by="the RO",
            at=dt.datetime(2025, 11, 14, 16, 20, tzinfo=dt.UTC),
        ),
    )
    for what in ("form21c", "form21e", "form22"):
        path = write(tmp_path, f"{what}-d", api.render(store, ac_id, what, declaration=decl))
        text = flat(pdf_text(path, raw=True))
        assert "DRAFT" not in text and "Smt. Demo Returning Officer" in text and "14-11-2025" in text
        assert "decided by lot under Section 65" in text
        assert "dr" not in qr_payloads(path, tmp_path)[0]
    text = pdf_text(write(tmp_path, "e", api.render(store, ac_id, "form21e", declaration=decl)), layout=True)
    assert "Total electors" in text and str(f20.total_polled.total_valid) in text


def test_bye_election_prints_form_21d(sqlite_store, tmp_path):
    s = small_bihar()
    s = s.model_copy(update={"election": s.election.model_copy(update={"kind": ElectionKind.BYE})})
    ac_id, _ = counted_ac(sqlite_store, s, keep_aside_round=None)
    path = write(tmp_path, "d", declaration.form21c(sqlite_store, ac_id))
    assert "FORM 21D" in pdf_text(path) and "vacancy" in pdf_text(path)
    assert qr_payloads(path, tmp_path)[0]["k"] == "21d"


def test_round_sheet_on_both_backends(store, tmp_path):
    """The same figures digest, read through SQLite and PostgreSQL."""
    ac_id, _ = counted_ac(store, small_bihar(), keep_aside_round=None)
    q = qr_payloads(write(tmp_path, "r", documents.round_sheet(store, ac_id, 3)), tmp_path)[0]
    assert (
        q["d"] == [r for r in services.revisions(store, ac_id, 3) if r["stage"] == "approved"][-1]["digest"]
    )
    assert verify_sheet(store, pl.encode(q)).ok


# -- from the app and the CLI ---------------------------------------------------------------------------------
def _fake_lp(tmp: Path, code: int) -> Path:
    """A stand-in for CUPS' `lp` on PATH: records its arguments (no printer here)."""
    bin_ = tmp / "bin"
    bin_.mkdir(exist_ok=True)
    lp = bin_ / "lp"
    lp.write_text(
        f'#!/bin/sh\necho "$@" >> {tmp}/lp.log\n[ {code} = 0 ] || echo "lp: printer jammed" >&2\nexit {code}\n'
    )
    lp.chmod(0o755)
    return bin_


def test_print_document_writes_atomically_and_sends_to_lp(bihar, tmp_path, monkeypatch):
    from encore_tui.base.config import Settings

    store, ac_id, _ = bihar
    res = api.print_document(store, ac_id, "form20", settings=Settings())
    assert res.path.exists() and res.path.parent.name == "prints" and res.printer == ""
    assert "not sent to a printer" in res.message and res.pages == len(page_texts(res.path))
    monkeypatch.setenv("PATH", f"{_fake_lp(tmp_path, 0)}:{__import__('os').environ['PATH']}")
    res = api.print_document(store, ac_id, "round", round_no=2, settings=Settings(printer="hall-1"))
    assert (tmp_path / "lp.log").read_text().split() == ["-d", "hall-1", str(res.path)]
    assert "sent to printer hall-1" in res.message
    monkeypatch.setenv(
        "PATH",
        f"{_fake_lp(tmp_path / 'x' if (tmp_path / 'x').mkdir() is None else tmp_path, 1)}:{__import__('os').environ['PATH']}",
    )
    with pytest.raises(api.PrintError, match="refused the job.*printer jammed.*the file is"):
        api.print_document(store, ac_id, "postal", settings=Settings(printer="hall-1"))
    assert not list(res.path.parent.glob(".*.tmp"))


def test_cli_export_and_verify(bihar, tmp_path, capsys):
    from encore_tui.cli.main import main

    store, ac_id, _ = bihar
    db = str(store.where)
    for args in (
        ["export", "round", "2", "--format", "pdf"],
        ["export", "form20", "--format", "pdf"],
        ["export", "form21c"],
        ["export", "form21e"],
        ["export", "form22"],
        ["export", "postal"],
    ):
        out = tmp_path / f"{args[1]}.pdf"
        assert main(["--db", db, *args, "-o", str(out)]) == 0, args
        assert out.read_bytes().startswith(b"%PDF")
    assert main(["--db", db, "export", "annex", "1", "-o", str(tmp_path / "a.pdf")]) == 2
    assert "no earlier approved revision" in capsys.readouterr().err
    q = qr_payloads(tmp_path / "round.pdf", tmp_path)[0]
    assert main(["--db", db, "verify", "sheet", json.dumps(q)]) == 0
    assert "MATCHES" in capsys.readouterr().out
    assert (
        main(["--db", db, "verify", "sheet", json.dumps(dict(q, d="0" * 64, t=["0" * 8] * len(q["t"])))]) == 1
    )
    assert main(["--db", db, "verify", "sheet", "{broken"]) == 2
    assert "not a sheet's QR text" in capsys.readouterr().err


def test_printing_stays_out_of_startup():
    code = (
        "import sys, encore_tui.cli.main as c; c.build_parser(); import encore_tui.printing; "
        "print(sorted(m for m in ('fpdf','segno','uharfbuzz','fontTools') if m in sys.modules))"
    )
    out = subprocess.run(
        [__import__("sys").executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_devanagari_is_shaped_with_the_bundled_font():
    """The shipped font and harfbuzz form conjuncts and place vowel signs (the PNGs in
    docs/screenshots show the result); every Devanagari string goes through the shaper."""
    import uharfbuzz as hb

    from encore_tui.printing.doc import Sheet
    from encore_tui.printing.fonts import FACES, face_file, licence_file

    assert "SIL Open Font License" in licence_file().read_text()
    blob = hb.Blob.from_file_path(str(face_file(FACES[0])))
    font = hb.Font(hb.Face(blob))

    def glyphs(text: str) -> list[int]:
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(font, buf, {})
        return [g.codepoint for g in buf.glyph_infos]

    assert len(glyphs("क्ष")) == 1  # KA + VIRAMA + SSA: one conjunct glyph
    assert len(glyphs("कि")) == 2 and glyphs("कि")[0] != glyphs("क")[0]  # the i-sign moves before KA
    sheet = Sheet(read_setup_json(BIHAR), ("T", "टी"), {"v": 1, "k": "rs", "ac": 1, "d": "0" * 64})
    sheet.add_page()
    sheet.put(10, 50, 100, 5, "श्याम सुन्दर पासवान")
    assert sheet.text_shaping is not None
    sheet.put(10, 60, 100, 5, "12345")
    assert sheet.text_shaping is None  # digits skip the shaper (speed)
