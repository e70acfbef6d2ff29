"""Printing every document from the screen where it belongs (issue 16): the review screen
prints the round sheet and the correction annex, the result screen Form 20, 21C, 21E and 22;
Ctrl+P lists Submit and Print where they apply, rounds in counting order; the status names the
PDF's path (whole, or the file name and F12), the message log keeps the full path.

Driven with Pilot at 80×24 on a real SQLite store; every PDF is rendered with pdftoppm.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from textual.command import CommandPalette

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.screens.dialogs import MessageDialog
from encore_tui.screens.printing import PrintDialog
from encore_tui.screens.ro.result import ResultScreen
from encore_tui.services import ro, ro_result
from tests.conftest import RO, require_tool
from tests.support.ro import RO_PIN, count_and_approve, make_ac, postal, vvpat_done
from tests.support.scans import png_bytes
from tests.support.screens import SIZE, open_review, open_round, reads_done, sign_in, text

PDF_PATH = re.compile(r"/\S+\.pdf")


def rendered_pages(path: Path, tmp_path: Path) -> int:
    require_tool("pdftoppm")
    out = tmp_path / path.stem
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(path), str(out)], check=True)
    return len(list(tmp_path.glob(f"{path.stem}*.png")))


def printed(app) -> Path:
    """The PDF the last print wrote, from the message log's full text (or the status)."""
    for m in app.messages.entries:
        if m.text.startswith("Saved /"):
            return Path(PDF_PATH.search(m.text).group(0))
    status = str(app.screen.query_one("#status").render())
    return Path(PDF_PATH.search(status).group(0))


async def finish_print(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def declared(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1, 2, 3])
    vvpat_done(store, ac_id)
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    ro_result.declare_result(store, ac_id, RO, RO_PIN, "Counting centre")
    return store, ac_id


async def test_the_result_screen_prints_form20_21c_21e_and_22_and_attaches_their_signed_scans(
    declared, tmp_path
):
    store, ac_id = declared
    scans = tmp_path / "scanner"
    scans.mkdir()
    (scans / "signed-f20.png").write_bytes(png_bytes())
    app = EncoreApp(store, Settings(scans_dir=str(scans), prints_dir=str(tmp_path / "prints")))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        app.push_screen(ResultScreen())
        await reads_done(pilot)
        screen = app.screen
        for number, what in enumerate(["form20", "form21c", "form21e", "form22"], start=1):
            await pilot.press("f8")
            await pilot.pause()
            assert isinstance(app.screen, PrintDialog)
            await pilot.press(str(number))
            await finish_print(pilot)
            assert app.screen is screen
            pdf = printed(app)
            assert pdf.parent == tmp_path / "prints" and f"-{what}-" in pdf.name
            assert rendered_pages(pdf, tmp_path) >= 1
            status = text(screen, "#status")
            assert "NOT" not in status and pdf.name in status, status
        # the signed Form 20, attached from the scans folder with Ctrl+O, F2, Enter (the form), Enter
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("f2", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        (att,) = ro_result.list_attachments(store, ac_id, "form20")
        assert att.filename == "signed-f20.png"


async def test_the_review_prints_the_correction_annex_and_the_path_is_kept_in_full(sqlite_store, tmp_path):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=7)
    postal(store, ac_id)
    count_and_approve(store, ac_id, [1])
    ro.correct(store, ac_id, 1, "table 2 misread", RO, RO_PIN)
    app = EncoreApp(store, Settings(prints_dir=str(tmp_path / "a-long-folder-name" / "for-the-prints")))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, RO.username, RO_PIN)
        screen = await open_review(pilot, 1)
        assert "Annex" in str(screen.query_one("Footer").render()) or screen.check_action("annex", ())
        await pilot.press("f9")
        await finish_print(pilot)
        pdf = printed(app)
        assert "-annex-r1-" in pdf.name and rendered_pages(pdf, tmp_path) >= 1
        status = text(screen, "#status")
        # the path does not fit 80 columns: its file name is shown, the log has it in full
        assert pdf.name in status and "F12" in status and len(status) <= 80, status
        assert any(str(pdf) in m.text for m in app.messages.entries)


def palette_prompts(app) -> list[str]:
    from textual.widgets import OptionList

    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]


async def test_the_palette_lists_submit_and_print_and_the_rounds_in_counting_order(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=12, tables=1)  # 12 rounds: 1, 2 … 10, 11, 12
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op1", "1111")
        await open_round(pilot, 1)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        prompts = palette_prompts(app)
        assert "Submit round: Round 1" in prompts and "Print Round 1 sheet" in prompts, prompts
        rounds = [p for p in prompts if p.startswith("Open round ") and p[11:].isdigit()]
        assert rounds == [f"Open round {r}" for r in range(1, 13)], rounds
        await pilot.press(*"Submit")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause()
        # the blank round cannot be submitted: the palette's Submit is F5's, with its checks
        assert isinstance(app.screen, MessageDialog), app.screen
        assert "cannot be submitted" in app.screen.title_text
    assert services.round_view(store, ac_id, 1).info.status.value == "draft"
