"""Backups (SQLite backup API, verified, owner-only) and restores."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.base.config import Settings
from encore_tui.cli import main as cli
from encore_tui.services import backup as bk
from encore_tui.store import StoreError, open_store
from tests.conftest import ADMIN, OPERATOR, RO, approvable, small_setup


def _filled(tmp_path: Path):
    (tmp_path / "hall").mkdir()
    store = open_store(tmp_path / "hall" / "encore.db")
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    approvable(store, ac_id)
    for f, v in {"c1": 10, "c2": 5, "c3": 1, "nota": 1, "rejected": 3, "total": 20}.items():
        services.enter_cell(store, ac_id, 0, "P1", f, v, OPERATOR)
    services.submit_round(store, ac_id, 0, OPERATOR)
    services.approve_round(store, ac_id, 0, RO)
    services.add_user(store, "op1", "operator", "4321")
    return store, ac_id


def _cells(path: Path) -> dict:
    con = sqlite3.connect(path)
    try:
        return {
            (r, s, f): v for r, s, f, v in con.execute("SELECT round_no, station, field, value FROM cell")
        }
    finally:
        con.close()


def test_backup_is_verified_owner_only_and_complete(tmp_path):
    store, ac_id = _filled(tmp_path)
    usb = tmp_path / "usb"
    rep = bk.backup(store, usb)
    assert rep.path.parent == usb and rep.path.is_file()
    assert stat.S_IMODE(rep.path.stat().st_mode) == 0o600
    assert not list(usb.glob(".*.part")), "no temp file left behind"
    assert rep.events[ac_id] >= 9 and rep.events[0] == 1
    assert _cells(rep.path) == _cells(store.path)
    assert not Path(str(rep.path) + "-wal").exists()  # one self-contained file
    # the copy verifies on its own (and the store keeps working while backups are taken)
    assert bk.verify_file(rep.path) == rep.events
    services.enter_cell(store, ac_id, 1, "1", "c1", 5, OPERATOR)
    store.close()


def test_a_tampered_backup_is_refused(tmp_path):
    store, ac_id = _filled(tmp_path)
    rep = bk.backup(store, tmp_path / "usb")
    con = sqlite3.connect(rep.path)
    con.execute("UPDATE cell SET value = 999 WHERE field = 'c1'")
    con.commit()
    con.close()
    with pytest.raises(bk.BackupError, match="does not verify.*behind the application's back"):
        bk.verify_file(rep.path)
    with pytest.raises(bk.BackupError):
        bk.restore(rep.path, tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(bk.BackupError, match="not an encore store|damaged"):
        bk.verify_file(tmp_path / "junk.db")
    store.close()


def test_restore_to_a_new_place_and_refuse_to_overwrite_newer(tmp_path):
    store, ac_id = _filled(tmp_path)
    rep = bk.backup(store, tmp_path / "usb")
    # a new PC: restore creates the store, verified, owner-only
    fresh = tmp_path / "newpc" / "encore.db"
    events = bk.restore(rep.path, fresh)
    assert events == rep.events and stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert _cells(fresh) == _cells(store.path)
    # the hall kept counting after the backup: restoring over it would lose a figure
    services.enter_cell(store, ac_id, 1, "1", "c1", 77, OPERATOR)
    store.close()
    with pytest.raises(bk.BackupError, match="newer than the backup"):
        bk.restore(rep.path, store.path)
    assert _cells(store.path)[(1, "1", "c1")] == 77
    # --force: the old store is kept beside it, then replaced by the backup
    bk.restore(rep.path, store.path, force=True)
    assert (1, "1", "c1") not in _cells(store.path)
    kept = list(store.path.parent.glob("encore.db.before-restore-*.db"))
    assert len(kept) == 1 and _cells(kept[0])[(1, "1", "c1")] == 77
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    again = open_store(store.path, create=False)
    assert services.verify_journal(again, ac_id).ok
    services.enter_cell(again, ac_id, 1, "1", "c1", 78, OPERATOR)  # the restored store works
    again.close()


def test_restore_over_an_older_store_is_allowed(tmp_path):
    store, ac_id = _filled(tmp_path)
    old = bk.backup(store, tmp_path / "usb1")
    services.enter_cell(store, ac_id, 1, "1", "c1", 12, OPERATOR)
    newer = bk.backup(store, tmp_path / "usb2")
    store.close()
    bk.restore(old.path, store.path, force=True)  # back to the older state
    bk.restore(newer.path, store.path)  # then forward again: the store has nothing newer
    assert _cells(store.path)[(1, "1", "c1")] == 12


def test_backup_after_approval_hook_and_pruning(tmp_path):
    store, ac_id = _filled(tmp_path)
    assert bk.backup_after_approval(store, Settings()) is None  # no folder configured
    s = Settings(backup_dir=str(tmp_path / "usb"), backup_keep=2)
    paths = [bk.backup_after_approval(store, s).path for _ in range(3)]
    left = sorted((tmp_path / "usb").glob("*.db"))
    assert left == sorted(paths[1:])
    # a missing / unwritable stick: a clear refusal, the approval stays saved
    s = Settings(backup_dir=str(tmp_path / "usb" / paths[-1].name / "sub"))
    with pytest.raises(bk.BackupError, match="USB stick"):
        bk.backup_after_approval(store, s)
    assert services.round_view(store, ac_id, 0).info.status.is_approved
    store.close()


def test_backup_to_the_store_folder_is_refused(tmp_path):
    store, _ = _filled(tmp_path)
    with pytest.raises(bk.BackupError, match="ANOTHER disk"):
        bk.backup(store, store.path.parent)
    store.close()


@pytest.mark.postgres
def test_postgres_store_says_use_pg_dump(pg_database):
    from tests.conftest import _fresh_pg_store

    store = _fresh_pg_store(pg_database)
    with pytest.raises(bk.BackupError, match="pg_dump"):
        bk.backup(store, "/tmp")
    store.engine.dispose()


def test_cli_backup_and_restore(tmp_path, capsys):
    store, ac_id = _filled(tmp_path)
    store.close()
    db = str(store.path)
    assert cli.main(["--db", db, "backup", str(tmp_path / "usb")]) == 0
    out = capsys.readouterr().out
    assert "written and verified" in out
    (file,) = (tmp_path / "usb").glob("*.db")
    target = tmp_path / "other" / "encore.db"
    assert cli.main(["restore", str(file), "--db", str(target)]) == 0
    assert "chain intact" in capsys.readouterr().out
    s2 = open_store(db, create=False)
    services.enter_cell(s2, ac_id, 1, "2", "c1", 3, OPERATOR)
    s2.close()
    assert cli.main(["restore", str(file), "--db", db]) == 2
    err = capsys.readouterr().err
    assert "newer than the backup" in err and "Traceback" not in err
    assert cli.main(["restore", str(file), "--db", db, "--force"]) == 0
    os.environ.pop("ENCORE_BACKUP_DIR", None)


def test_restore_refuses_while_a_window_has_the_store_open(tmp_path):
    store, _ = _filled(tmp_path)
    rep = bk.backup(store, tmp_path / "usb")
    lock = store.acquire_instance_lock("ro1 (Returning Officer)")
    with pytest.raises(StoreError, match="already open in another encore window: ro1"):
        bk.restore(rep.path, store.path, force=True)
    lock.release()
    bk.restore(rep.path, store.path, force=True)
    store.close()
