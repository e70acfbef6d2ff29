"""Scans from the app (issue 16): the scanner's folder listed newest first, a scan attached
with Enter (journaled with its hash), the operator warned at the postal submit when the RO will
need one (E116), and a scan drawn in the terminal with half blocks, page by page.

Real parts: a SQLite file, Pillow images, PDFs made with fpdf2 and decoded with pdftoppm.
"""

from __future__ import annotations

import os

import pytest
from fpdf import FPDF

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.screens.dialogs import MessageDialog
from encore_tui.screens.scans import ScanPicker, ScansScreen, ScanViewer
from encore_tui.services import ro_result
from encore_tui.services.errors import ServiceError
from encore_tui.services.scans import scan_files, scan_pages
from encore_tui.widgets.scan_view import ScanPage, halfblock_rows
from tests.conftest import OPERATOR, RO, require_tool
from tests.support.ro import RO_PIN, make_ac
from tests.support.scans import BLUE, RED, png_bytes
from tests.support.screens import SIZE, open_round, settle, sign_in, status_text, type_cells


def pdf_bytes(pages: int) -> bytes:
    pdf = FPDF()
    for i in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=40)
        pdf.cell(text=f"Form 13A page {i + 1}")
    return bytes(pdf.output())


def write(folder, name: str, data: bytes, mtime: float):
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def scans_dir(tmp_path):
    d = tmp_path / "scanner"
    d.mkdir()
    write(d, "older-13a.png", png_bytes(), 1_000_000)
    write(d, "newest-13b.pdf", pdf_bytes(2), 3_000_000)
    write(d, "middle.png", png_bytes(BLUE, RED), 2_000_000)
    write(d, "notes.txt", b"not a scan", 4_000_000)
    return d


# -- the folder and the pages -----------------------------------------------------------------
def test_the_scans_folder_is_listed_newest_first_and_a_missing_one_says_what_to_do(scans_dir, tmp_path):
    assert [f.path.name for f in scan_files(scans_dir)] == ["newest-13b.pdf", "middle.png", "older-13a.png"]
    with pytest.raises(ServiceError, match="scans_dir in the config file"):
        scan_files(tmp_path / "nowhere")
    assert Settings(scans_dir=str(scans_dir)).scans_folder == scans_dir


def test_a_page_is_drawn_with_half_blocks_upper_and_lower_pixel():
    (page,) = scan_pages(png_bytes(), "image/png")
    rows = halfblock_rows(page, 20, 10)
    assert len(rows) == 10 and len(rows[0]) == 20  # a square page: 20 across, 2×10 down
    assert rows[0][0] == (RED, RED) and rows[-1][0] == (BLUE, BLUE)


def test_pdf_pages_are_decoded_with_pdftoppm_and_a_broken_scan_is_said():
    require_tool("pdftoppm")
    pages = scan_pages(pdf_bytes(3), "application/pdf")
    assert len(pages) == 3 and pages[0].size[0] > 100
    with pytest.raises(ServiceError, match="cannot be decoded"):
        scan_pages(b"\x89PNG\r\n\x1a\nbroken", "image/png")


def test_without_pdftoppm_a_pdf_scan_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ServiceError, match="poppler-utils"):
        scan_pages(pdf_bytes(1), "application/pdf")


def test_signed_form20_and_21c_scans_are_the_ros_after_signing_and_declaring(store):
    ac_id = make_ac(store)
    with pytest.raises(ServiceError, match="after the RO signs it"):
        ro_result.attach_scan(store, ac_id, "form20", "f20.png", png_bytes(), RO)
    with pytest.raises(ServiceError, match="after the result is declared"):
        ro_result.attach_scan(store, ac_id, "form21c", "f21c.png", png_bytes(), RO)
    with pytest.raises(services.NotAllowed):
        ro_result.attach_scan(store, ac_id, "form20", "f20.png", png_bytes(), OPERATOR)


# -- the operator on the postal round ------------------------------------------------------------
@pytest.fixture
def hall(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store)
    return store, ac_id


async def test_the_operator_attaches_the_newest_scan_with_enter_and_views_it_page_by_page(hall, scans_dir):
    require_tool("pdftoppm")
    store, ac_id = hall
    app = EncoreApp(store, Settings(scans_dir=str(scans_dir)))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op1", "1111")
        screen = await open_round(pilot, 0)
        await type_cells(pilot, 10, 5, 1, 1, 3, 20)
        # the submit warns now that the RO will need the scans (E116), not after the RO's refusal
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "E116" in "\n".join(app.screen.lines)
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ScansScreen)
        await pilot.press("f2", "enter")  # which form: Form 13A (the first)
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ScanPicker)
        assert [f.path.name for f in picker.files][0] == "newest-13b.pdf"
        await pilot.press("enter")  # the newest file, picked
        await pilot.pause()
        assert isinstance(app.screen, ScansScreen)
        (att,) = ro_result.list_attachments(store, ac_id, ro_result.POSTAL_SCANS)
        assert att.filename == "newest-13b.pdf" and att.purpose == "form13a"
        assert "attached" in status_text(app.screen) and att.sha256[:12] in status_text(app.screen)
        # a typed name (looked up in the scans folder) works too, as Form 13B
        await pilot.press("f2", "down", "enter")  # the purpose: Form 13B
        await pilot.pause()
        await pilot.press("tab", *"older-13a.png", "enter")
        await pilot.pause()
        got = ro_result.list_attachments(store, ac_id, ro_result.POSTAL_SCANS)
        assert [(a.purpose, a.filename) for a in got] == [
            ("form13a", "newest-13b.pdf"),
            ("form13b", "older-13a.png"),
        ]
        # Enter on the first row shows it: two pages, drawn with half blocks
        await pilot.press("home", "enter")
        await pilot.pause()
        viewer = app.screen
        assert isinstance(viewer, ScanViewer)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert len(viewer.pages) == 2 and "page 1/2" in str(viewer.query_one("#title").render())
        assert "▀" in viewer.query_one(ScanPage).render_line(5).text
        await pilot.press("pagedown")
        await pilot.pause()
        assert "page 2/2" in str(viewer.query_one("#title").render())
        await pilot.press("pagedown")
        assert "last page" in status_text(viewer)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is screen
        # now the submit has nothing to warn about
        await pilot.press("f5")
        await pilot.pause()
        assert "E116" not in "\n".join(app.screen.lines)
        await pilot.press("enter")
        await settle(pilot)
    rep = services.verify_journal(store, ac_id)
    assert rep.ok, str(rep)
    from encore_tui.services import ro

    ro.approve(store, ac_id, 0, RO, RO_PIN)  # E116 no longer blocks the RO
