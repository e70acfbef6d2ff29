"""The app wired end to end: F8 prints (round sheet, Form 20) to the prints folder from a thread
worker; the push relay runs while someone is signed in and the dashboard shows what was sent;
a backup follows every approval; a second window on the same store is refused (two processes)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.services import ro
from encore_tui.services.backup import backup_after_approvals
from encore_tui.wire import keys
from tests.conftest import OPERATOR, RO
from tests.support.pdf import pdf_text
from tests.support.ro import RO_PIN, make_ac, postal, type_round
from tests.support.screens import SIZE, open_round, settle, sign_in, status_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def hall(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=7)
    services.add_user(store, "op9", "operator", "9999", "Operator Nine")
    return store, ac_id


async def _wait(pilot, cond, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.1)


async def test_f8_prints_the_round_sheet_and_form20_to_the_prints_folder(hall, tmp_path):
    store, ac_id = hall
    folder = tmp_path / "prints"
    type_round(store, ac_id, 1)
    app = EncoreApp(store, Settings(prints_dir=str(folder)))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "op9", "9999")
        screen = await open_round(pilot, 1)
        await pilot.press("f8")
        await settle(pilot)
        text = status_text(screen)
        (sheet,) = folder.glob("*-round-r1-*.pdf")
        # the status names the file (the whole path when it fits); the message log keeps the path
        assert sheet.name in text.replace("\n", "") and "NOT" not in text
        assert any(str(sheet) in m.text for m in app.messages.entries)
        setup = services.load_context(store, ac_id).setup
        body = pdf_text(sheet)
        assert "Round 1" in body and setup.ac.name in body

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("f8")
        await settle(pilot)
        (f20,) = folder.glob("*-form20-*.pdf")
        assert f20.name in status_text(app.screen).replace("\n", "")
        assert any(str(f20) in m.text for m in app.messages.entries)
        assert "FORM 20" in pdf_text(f20).upper()

        # an unusable folder: said clearly, nothing else disturbed
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        app.settings.prints_dir = str(blocker / "prints")
        await pilot.press("f8")
        await settle(pilot)
        err = status_text(app.screen)
        assert err.startswith("Form 20 NOT printed") and "prints folder" in err and len(err) <= 78
        full = app.messages.entries[0].text  # the whole of it in the message log (F12)
        assert "NOT printed" in full and "prints folder" in full and "prints_dir" in full


async def test_the_app_pushes_while_signed_in_and_the_dashboard_shows_it(hall, tmp_path):
    from tests.support.receiver import CentralServer

    store, ac_id = hall
    centre_key = keys.init_keys()
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central.add_centre(
            keys.public_key_b64(centre_key), services.load_context(store, ac_id).setup.ac.number
        )
        settings = Settings(push_url=central.url, push_central_key=central.public_key)
        app = EncoreApp(store, settings)
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot, "op9", "9999")
            assert isinstance(app.screen, DashboardScreen)
            assert "Push queue: empty" in str(app.screen.query_one("#summary").render())
            postal(store, ac_id)  # the RO approves the postal round and round 1 elsewhere
            type_round(store, ac_id, 1)
            services.submit_round(store, ac_id, 1, OPERATOR)
            ro.approve(store, ac_id, 1, RO, RO_PIN)

            def summary() -> str:
                return str(app.screen.query_one("#summary").render()).replace("\n", " ")

            await _wait(pilot, lambda: "0 pending, 2 sent, 0 failed" in summary(), "the dashboard to show it")
            assert [k for _, k in central.messages()] == ["postal", "round"]
            assert services.dashboard(store, ac_id).rounds[1].status.value == "published"
            await pilot.press("f9")  # signing out stops the relay
            await pilot.pause()
            assert app._relay_stop is None
    finally:
        central.stop()


def test_a_backup_follows_every_approval_and_a_failed_one_never_fails_it(hall, tmp_path):
    store, ac_id = hall
    usb = tmp_path / "usb"
    assert backup_after_approvals(store, Settings(backup_dir=str(usb), backup_keep=5))
    postal(store, ac_id)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    saved = ro.approve(store, ac_id, 1, RO, RO_PIN)
    backups = sorted(usb.glob("*-backup-*.db"))
    assert len(backups) == 2 and saved.note == f"Backed up to {backups[-1]}."
    # the stick is pulled out (the folder is now a file): the approval is saved all the same
    import shutil

    shutil.rmtree(usb)
    usb.write_text("not a folder")
    failures: list[str] = []
    backup_after_approvals(store, Settings(backup_dir=str(usb)), on_failure=failures.append)
    type_round(store, ac_id, 2)
    services.submit_round(store, ac_id, 2, OPERATOR)
    saved = ro.approve(store, ac_id, 2, RO, RO_PIN)
    assert "Round 2 is approved and saved, but the automatic backup FAILED" in saved.note
    assert failures == [saved.note]
    assert services.dashboard(store, ac_id).rounds[2].status.value == "approved"
    assert services.verify_journal(store, ac_id).ok
    # no folder configured: no hook, nothing to say
    assert not backup_after_approvals(store, Settings())
    type_round(store, ac_id, 3)
    services.submit_round(store, ac_id, 3, OPERATOR)
    assert ro.approve(store, ac_id, 3, RO, RO_PIN).note == ""


SECOND_WINDOW = textwrap.dedent(
    """
    import asyncio, sys
    from encore_tui.app import EncoreApp
    from encore_tui.base.config import Settings
    from encore_tui.store import open_store

    async def main():
        app = EncoreApp(open_store(sys.argv[1], create=False), Settings())
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"ro1", "enter")
            await pilot.press(*"2468", "enter")
            await pilot.pause()
            print("ACTOR", app.actor.username if app.actor else None)
            if app.actor is None:
                print("ERROR", app.screen.query_one("#signin-error").render())

    asyncio.run(main())
    """
)


async def test_a_second_window_on_the_same_store_is_refused_while_signed_in(hall, tmp_path):
    store, ac_id = hall

    def second_window() -> str:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-c", SECOND_WINDOW, str(store.path)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=True,
        ).stdout

    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        out = await asyncio.to_thread(second_window)  # before anyone signs in: allowed
        assert "ACTOR ro1" in out
        await sign_in(pilot, "op9", "9999")
        assert app.actor.username == "op9" and app.instance_lock is not None
        out = await asyncio.to_thread(second_window)
        assert "ACTOR None" in out
        assert "already open in another encore window: op9 (Operator Nine)" in out.replace("\n", " ")
        await pilot.press("f9")  # signed out: the store is free again
        await pilot.pause()
        assert app.instance_lock is None
        assert "ACTOR ro1" in await asyncio.to_thread(second_window)
