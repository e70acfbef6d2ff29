"""Security: who may do what (per role, per action, through every service), owner-only files,
no PIN in any log or in the journal, and behind-the-back changes detected."""

from __future__ import annotations

import io
import logging
import re
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.cli import main as cli
from encore_tui.domain.rounds import PERMISSIONS, Action, IllegalTransition, NotAllowed, Role
from encore_tui.services import Actor
from encore_tui.store import open_store
from tests.conftest import ADMIN, OPERATOR, approvable, small_setup
from tests.support.flows import postal_done, type_round

ROLES = [r for r in Role if r is not Role.SYSTEM]


def actor(role: Role) -> Actor:
    return Actor(f"u-{role.value}", role, role.value)


def _ready(store):
    """An AC with the postal round approved, round 1 submitted, round 2 approved-able state."""
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    approvable(store, ac_id)
    postal_done(store, ac_id)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    return ac_id


# each mutating service, the Action it needs, and a call that would succeed for an allowed role
def _calls(ac_id):
    return {
        "enter_cell": (Action.ENTER, lambda s, a: services.enter_cell(s, ac_id, 2, "4", "c1", 5, a)),
        "keep_aside": (
            Action.ENTER,
            lambda s, a: services.keep_aside(s, ac_id, 2, "5", "cu_display_failure", a),
        ),
        "restore_table": (Action.ENTER, lambda s, a: services.restore_table(s, ac_id, 2, "6", a)),
        "acknowledge_warning": (
            Action.ENTER,
            lambda s, a: services.acknowledge_warning(s, ac_id, 2, "4", "W201", a),
        ),
        "submit_round": (Action.SUBMIT, None),
        "return_round": (Action.RETURN, lambda s, a: services.return_round(s, ac_id, 1, "recheck", a)),
        "approve_round": (Action.APPROVE, lambda s, a: services.approve_round(s, ac_id, 1, a)),
        "publish_round": (Action.PUBLISH, lambda s, a: services.publish_round(s, ac_id, 0, a)),
        "open_correction": (Action.CORRECT, lambda s, a: services.open_correction(s, ac_id, 0, "typo", a)),
        "change_plan": (Action.CHANGE_PLAN, lambda s, a: services.change_plan(s, ac_id, 2, a)),
        "import_results": (
            Action.IMPORT,
            lambda s, a: services.import_results(s, ac_id, {"7": {"c1": 1}}, None, a),
        ),
        "create_ac": (Action.IMPORT, lambda s, a: services.create_ac(s, small_setup(ac_no=8), a)),
        "add_user": (
            Action.MANAGE_USERS,
            lambda s, a: services.add_user(s, "newbie", "operator", "9999", actor=a),
        ),
    }


def _dump(store) -> list[str]:
    con = sqlite3.connect(store.path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_service_refuses_roles_without_the_permission(tmp_path, role):
    store = open_store(tmp_path / "s.db")
    ac_id = _ready(store)
    calls = _calls(ac_id)
    calls["submit_round"] = (Action.SUBMIT, lambda s, a: services.submit_round(s, ac_id, 2, a))
    who = actor(role)
    for name, (action, call) in calls.items():
        if role in PERMISSIONS[action]:
            continue
        before = _dump(store)
        with pytest.raises(NotAllowed):
            call(store, who)
        assert _dump(store) == before, f"{name} by {role.value} changed the store"
    store.close()


def test_allowed_roles_really_can(tmp_path):
    """The matrix above is not vacuous: the same calls succeed for the roles allowed."""
    for role in (Role.RO, Role.ADMIN):
        store = open_store(tmp_path / f"{role.value}.db")
        ac_id = _ready(store)
        done = 0
        for name, (action, call) in _calls(ac_id).items():
            if call is None or role not in PERMISSIONS[action]:
                continue
            try:
                call(store, actor(role))
                done += 1
            except NotAllowed as exc:  # pragma: no cover - the failure we look for
                pytest.fail(f"{name} refused for {role.value}: {exc}")
            except (services.ServiceError, IllegalTransition):
                pass  # refused for a counting reason (state), not for the role
        assert done >= (6 if role is Role.RO else 3), (role, done)
        store.close()


def test_operator_never_approves_returns_corrects_publishes(small_ac):
    store, ac_id = small_ac
    postal_done(store, ac_id)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    for call in (
        lambda: services.approve_round(store, ac_id, 1, OPERATOR),
        lambda: services.return_round(store, ac_id, 1, "x", OPERATOR),
        lambda: services.open_correction(store, ac_id, 0, "x", OPERATOR),
        lambda: services.publish_round(store, ac_id, 0, OPERATOR),
    ):
        with pytest.raises(NotAllowed):
            call()
    # nor can an operator edit a round the RO approved (only the RO, through a correction)
    with pytest.raises(services.ServiceError):
        services.enter_cell(store, ac_id, 0, "P1", "c1", 11, OPERATOR)
    assert services.verify_journal(store, ac_id).ok


def test_observer_changes_nothing_through_any_service(tmp_path):
    store = open_store(tmp_path / "s.db")
    ac_id = _ready(store)
    obs = actor(Role.OBSERVER)
    before = _dump(store)
    calls = _calls(ac_id)
    calls["submit_round"] = (Action.SUBMIT, lambda s, a: services.submit_round(s, ac_id, 2, a))
    for name, (_, call) in calls.items():
        with pytest.raises(NotAllowed):
            call(store, obs)
        assert _dump(store) == before, name
    store.close()


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_store_lock_instance_backup_and_key_files_are_owner_only(tmp_path, monkeypatch):
    from encore_tui.services.backup import backup
    from encore_tui.wire import keys

    monkeypatch.setattr("os.umask", lambda *_: 0)  # irrelevant: we set modes explicitly
    import os

    old = os.umask(0o022)  # a typical permissive umask
    try:
        db = tmp_path / "encore.db"
        store = open_store(db)
        ac_id = services.create_ac(store, small_setup(), ADMIN)
        approvable(store, ac_id)
        services.enter_cell(store, ac_id, 1, "1", "c1", 1, OPERATOR)
        lock = store.acquire_instance_lock("op1")
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}.lock"), Path(f"{db}.instance")]
        files.append(backup(store, tmp_path / "usb").path)
        files.append(keys.key_path())
        keys.init_keys(files[-1])
        for f in files:
            assert f.exists() and _mode(f) == 0o600, f"{f}: {oct(_mode(f))}"
        lock.release()
        store.close()
        # a store left world-readable (an old copy) is tightened when opened
        os.chmod(db, 0o644)
        open_store(db).close()
        assert _mode(db) == 0o600
    finally:
        os.umask(old)


def test_no_pin_in_the_log_or_the_journal(tmp_path, monkeypatch):
    from encore_tui.base.config import log_path

    db = tmp_path / "encore.db"
    store = open_store(db)
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    approvable(store, ac_id)
    store.close()
    secret, wrong, typed_as_name = "739182", "555123", "864209"
    # the app's log file (basicConfig is a no-op under pytest, which owns the root logger)
    handler = logging.FileHandler(log_path(), encoding="utf-8")
    # no timestamps: in December "-12-01 12:.." would contain the too-short PIN "12"
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)  # everything, SQL included if anyone logs it
    monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
    assert cli.main(["--db", str(db), "user", "add", "op7", "--role", "operator"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("zq\n"))  # too short: refused and logged
    assert cli.main(["--db", str(db), "user", "add", "op8", "--role", "operator"]) == 2
    store = open_store(db)
    log = logging.getLogger("encore")
    for name, pin in [("op7", wrong), ("op7", wrong), (typed_as_name, secret), ("op7", secret)]:
        try:
            services.authenticate(store, name, pin, ac_id=ac_id)
        except services.AuthError as exc:
            log.warning("refused: %s", exc)  # what the screens do with a refusal
    store.close()
    logging.getLogger().removeHandler(handler)
    handler.close()
    texts = {
        "log": log_path().read_text(encoding="utf-8"),
        "journal": "\n".join(
            "|".join(map(str, r))
            for r in sqlite3.connect(db).execute("SELECT actor, kind, payload FROM journal")
        ),
    }
    assert "refused" in texts["log"] and "user.sign_in_failed" in texts["journal"]
    for where, text in texts.items():
        # the log's timestamps are digits too: look only at what follows them
        text = re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", "", text, flags=re.M)
        for pin in (secret, wrong, typed_as_name, "zq"):
            assert pin not in text, f"{pin} found in the {where}"
    # nor in the raw store file (only the Argon2id hash is kept)
    raw = b"".join(Path(str(db) + s).read_bytes() for s in ("", "-wal") if Path(str(db) + s).exists())
    for pin in (secret, wrong, typed_as_name):
        assert pin.encode() not in raw
    assert b"$argon2id$" in raw


def test_behind_the_back_changes_are_named_by_journal_verify(tmp_path, capsys):
    db = tmp_path / "encore.db"
    store = open_store(db)
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    approvable(store, ac_id)
    services.enter_cell(store, ac_id, 1, "1", "c1", 42, OPERATOR)
    services.enter_cell(store, ac_id, 1, "1", "c2", 7, OPERATOR)
    store.close()
    assert cli.main(["--db", str(db), "journal", "verify"]) == 0
    tamper = [
        ("UPDATE cell SET value = 43 WHERE field = 'c1'", "round 1 PS 1 c1: the store has 43"),
        ("UPDATE journal SET payload = replace(payload, '42', '41') WHERE kind = 'cell.entered'", "altered"),
        (
            "DELETE FROM journal WHERE ac_id = 1 AND seq = (SELECT max(seq) FROM journal WHERE ac_id = 1)",
            "events were removed",
        ),
        ("UPDATE round SET status = 'approved' WHERE round_no = 1", "round 1"),
    ]
    for sql, expect in tamper:
        copy = tmp_path / f"t{len(expect)}.db"
        src = sqlite3.connect(db)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.execute(sql)
        dst.commit()
        dst.close()
        capsys.readouterr()
        assert cli.main(["--db", str(copy), "journal", "verify"]) == 1, sql
        out = capsys.readouterr().out
        assert "FAILED" in out and expect in out, (sql, out)
