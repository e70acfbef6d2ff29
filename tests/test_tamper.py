"""Issue 12's attacks, each made behind the application's back on a real store (SQLite and
PostgreSQL): `encore journal verify` must exit 1 naming what changed; the relay must send
nothing a journal event does not vouch for; sign-in must refuse an account that was edited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select, text, update

from encore_tui import services
from encore_tui.cli import main as cli
from encore_tui.push import queue
from encore_tui.services import users
from encore_tui.services.verify import verify_journal, verify_receipts
from encore_tui.store.models import chain_head, journal, outbox, round_revision
from encore_tui.store.models import user as user_t
from encore_tui.wire import keys
from tests.conftest import ADMIN, OPERATOR, RO, approvable, small_setup
from tests.support.flows import approve, postal_done, type_round
from tests.support.receiver import CentralServer, relay_for


def _counted(store) -> int:
    ac_id = services.create_ac(store, small_setup(ac_no=7), ADMIN)
    approvable(store, ac_id)
    postal_done(store, ac_id)
    type_round(store, ac_id, 1)
    approve(store, ac_id, 1)
    return ac_id


def _alter(store, *statements) -> None:
    """Behind the app's back: plain SQL on the store, no service, no lock."""
    with store.engine.begin() as conn:
        for st in statements:
            conn.execute(st)


def _failed(store, ac_id: int, expect: str) -> str:
    rep = verify_journal(store, ac_id)
    assert not rep.ok, f"not caught: {rep}"
    assert expect in str(rep), str(rep)
    return str(rep)


def _round1_row(store):
    with store.read() as conn:
        return conn.execute(select(outbox).where(outbox.c.kind == "round")).one()


# -- 1. edited outbox figures ------------------------------------------------------------------------
def test_edited_outbox_figures_are_named_and_never_sent(store, tmp_path):
    ac_id = _counted(store)
    assert verify_journal(store, ac_id).ok
    row = _round1_row(store)
    msg = json.loads(row.payload)
    first = msg["tables"][0]["votes"]
    forged = dict(msg, tables=[dict(msg["tables"][0], votes=[first[0] + 50, first[1] - 50, *first[2:]])])
    _alter(store, update(outbox).where(outbox.c.id == row.id).values(payload=json.dumps(forged)))
    out = _failed(store, ac_id, f"the push {row.idempotency_key}")
    assert "changed behind the application's back" in out
    # the relay refuses it: nothing reaches central, the row is kept with the reason
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        centre = keys.init_keys()
        central.add_centre(keys.public_key_b64(centre), 7)
        relay = relay_for(store, central.url, central.public_key, centre)
        rep = relay.flush(force=True)
        relay.close()
        assert row.id in rep.failed
        assert row.idempotency_key not in [k for k, _ in central.messages()]
    finally:
        central.stop()
    kept = next(it for it in queue.queue_state(store) if it.id == row.id)
    assert kept.state == "failed" and kept.last_error.startswith("NOT sent:")
    assert "differ from those the journal recorded" in kept.last_error
    with store.read() as conn:
        assert conn.execute(select(outbox.c.payload).where(outbox.c.id == row.id)).scalar() == json.dumps(
            forged
        )


def test_an_outbox_row_added_or_deleted_behind_the_back_is_named(store):
    ac_id = _counted(store)
    row = _round1_row(store)
    _alter(store, delete(outbox).where(outbox.c.id == row.id))
    _failed(store, ac_id, "the store has no such row")


# -- 2. accounts ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("attack", ["role", "pin_hash"])
def test_an_edited_account_is_named_and_cannot_sign_in(store, attack):
    services.add_user(store, "op9", "operator", "1357")
    services.add_user(store, "ro9", "ro", "8642")
    assert verify_journal(store, 0).ok
    services.authenticate(store, "op9", "1357")
    if attack == "role":
        _alter(store, update(user_t).where(user_t.c.username == "op9").values(role="ro"))
        pin = "1357"
    else:  # the RO's PIN hash copied onto the operator's account: the RO's PIN would open it
        with store.read() as conn:
            ro_hash = conn.execute(select(user_t.c.pin_hash).where(user_t.c.username == "ro9")).scalar()
        _alter(store, update(user_t).where(user_t.c.username == "op9").values(pin_hash=ro_hash))
        pin = "8642"
    _failed(store, 0, "account 'op9'")
    with pytest.raises(services.AuthError, match="does not match the journal"):
        services.authenticate(store, "op9", pin)
    # nothing about the other account changed: it still signs in
    assert services.authenticate(store, "ro9", "8642").role.value == "ro"


def test_a_forged_account_row_is_named(store):
    services.add_user(store, "op9", "operator", "1357")
    with store.read() as conn:
        row = conn.execute(select(user_t).where(user_t.c.username == "op9")).one()._mapping
    forged = {k: v for k, v in row.items() if k != "id"}
    _alter(store, user_t.insert().values({**forged, "username": "mallory", "role": "ro"}))
    _failed(store, 0, "account 'mallory': the store has")
    _failed(store, 0, "no event ever wrote it")
    with pytest.raises(services.AuthError, match="does not match the journal"):
        users.authenticate(store, "mallory", "1357")


# -- 3. approved snapshots -----------------------------------------------------------------------------
def test_an_edited_snapshot_is_named_figures_or_digest(store):
    ac_id = _counted(store)
    where = (round_revision.c.round_no == 1, round_revision.c.stage == "approved")
    with store.read() as conn:
        snap = conn.execute(select(round_revision).where(*where)).one()
    forged = snap.figures.replace('"c1":', '"c1":1', 1)
    _alter(store, update(round_revision).where(*where).values(figures=forged))
    _failed(store, ac_id, "the approved snapshot of round 1 revision 1")
    # figures and digest rewritten consistently: the journal's digest still names the original
    import hashlib

    _alter(
        store,
        update(round_revision)
        .where(*where)
        .values(figures=forged, digest=hashlib.sha256(forged.encode()).hexdigest()),
    )
    _failed(store, ac_id, "the approved snapshot of round 1 revision 1")


def _push_all(store, central) -> str:
    """Register a centre key for AC 7 at the running receiver, push the whole queue; returns
    central's receipt key."""
    centre = keys.init_keys()
    central.add_centre(keys.public_key_b64(centre), 7)
    relay = relay_for(store, central.url, central.public_key, centre)
    assert len(relay.flush(force=True).acked) == 2
    relay.close()
    return central.public_key


# -- 4. truncation --------------------------------------------------------------------------------------
def _truncate_last(store, ac_id: int) -> int:
    """Delete the newest event and point the head at the one before: needs no hashing at all."""
    with store.read() as conn:
        last = conn.execute(
            select(journal).where(journal.c.ac_id == ac_id).order_by(journal.c.seq.desc())
        ).first()
    _alter(
        store,
        delete(journal).where(journal.c.ac_id == ac_id, journal.c.seq == last.seq),
        update(chain_head).where(chain_head.c.ac_id == ac_id).values(seq=last.seq - 1, hash=last.prev_hash),
    )
    return last.seq


def test_truncation_is_caught_by_the_state_when_the_event_changed_it(store):
    ac_id = _counted(store)
    services.enter_cell(store, ac_id, 2, "4", "c1", 12, OPERATOR)
    _truncate_last(store, ac_id)
    _failed(store, ac_id, "round 2 PS 4 c1: the store has 12")


def test_truncation_is_caught_by_central_receipts_and_printed_sheets(store, tmp_path):
    """Cut the chain back to before round 1's approval and put every table back as it was (a
    consistent rewrite): the store alone cannot tell, the anchors outside it can."""
    from encore_tui.printing import documents
    from encore_tui.printing import payload as pl
    from encore_tui.printing.verify import verify_sheet
    from encore_tui.services.verify import fetch_anchor
    from tests.support.pdf import qr_payloads

    ac_id = _counted(store)
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central_key = _push_all(store, central)
        good = verify_receipts(store, ac_id, central_key)
        assert good.ok and good.receipts == 2, str(good)
        # a printed round sheet carries the chain head in its QR: read back from the rendered page
        pdf = tmp_path / "r1.pdf"
        pdf.write_bytes(documents.round_sheet(store, ac_id, 1))
        qr = qr_payloads(pdf, tmp_path)[0]
        assert qr["js"] > 1 and len(qr["jh"]) == 32
        sheet = pl.encode(qr)
        assert verify_sheet(store, sheet).ok

        with store.read() as conn:
            approved = conn.execute(
                select(journal.c.seq)
                .where(journal.c.ac_id == ac_id, journal.c.kind == "round.approved")
                .order_by(journal.c.seq.desc())
            ).scalar()
            prev = conn.execute(
                select(journal.c.hash).where(journal.c.ac_id == ac_id, journal.c.seq == approved - 1)
            ).scalar()
        _alter(
            store,
            delete(journal).where(journal.c.ac_id == ac_id, journal.c.seq >= approved),
            update(chain_head).where(chain_head.c.ac_id == ac_id).values(seq=approved - 1, hash=prev),
            text(f"UPDATE round SET status = 'submitted' WHERE ac_id = {ac_id} AND round_no = 1"),
            text(f"UPDATE round SET status = 'approved' WHERE ac_id = {ac_id} AND round_no = 0"),
            delete(round_revision).where(
                round_revision.c.round_no == 1, round_revision.c.stage == "approved"
            ),
            delete(outbox).where(outbox.c.kind == "round"),  # its receipt goes with it
        )
        assert verify_journal(store, ac_id).ok  # consistent inside the store: it alone cannot tell
        fetched, said = fetch_anchor(central.url, 7)
        assert fetched, said
    finally:
        central.stop()
    bad = verify_receipts(store, ac_id, central_key, [fetched])
    assert not bad.ok and "the journal was cut or rewritten" in bad.problem, str(bad)
    rep = verify_sheet(store, sheet)
    assert not rep.ok and any("journal: event #" in line for line in rep.lines), rep.lines
    # a receipt central did not sign proves nothing
    forged = json.loads(fetched)
    forged["receipt"]["journal_seq"] = 2
    assert "not signed by central" in verify_receipts(store, ac_id, central_key, [json.dumps(forged)]).problem


def test_journal_verify_against_receipts_from_the_command_line(sqlite_store, tmp_path, capsys, monkeypatch):
    store = sqlite_store
    ac_id = _counted(store)
    central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
    try:
        central_key = _push_all(store, central)
    finally:
        central.stop()
    db = str(store.path)
    monkeypatch.setenv("ENCORE_CENTRAL_KEY", central_key)
    assert cli.main(["--db", db, "journal", "verify", "--against-receipts"]) == 0
    assert "signed by central" in capsys.readouterr().out
    _truncate_last(store, ac_id)  # the newest event, the outbox.queued that central echoed
    assert cli.main(["--db", db, "journal", "verify", "--against-receipts"]) == 1
    assert "FAILED" in capsys.readouterr().out
    monkeypatch.delenv("ENCORE_CENTRAL_KEY")
    assert cli.main(["--db", db, "journal", "verify", "--against-receipts"]) == 2


# -- 5. the one write path ---------------------------------------------------------------------------------
def test_approve_round_enforces_the_spot_check_and_scan_rules_itself(store):
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    for f, v in {"c1": 10, "c2": 5, "c3": 1, "nota": 1, "rejected": 3, "total": 20}.items():
        services.enter_cell(store, ac_id, 0, "P1", f, v, OPERATOR)
    services.submit_round(store, ac_id, 0, OPERATOR)
    with pytest.raises(services.RoundBlocked, match="E116"):
        services.approve_round(store, ac_id, 0, RO)
    from encore_tui.services import ro_result

    ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", b"%PDF-1.4\n", RO)
    services.approve_round(store, ac_id, 0, RO)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    with pytest.raises(services.RoundBlocked, match="E113"):
        services.approve_round(store, ac_id, 1, RO)  # the first rounds need the blind spot check
