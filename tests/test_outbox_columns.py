"""The outbox carries the round and revision of each message as columns (written by tx.push):
the relay publishes by them without parsing payloads, a store made before they existed is
upgraded in place (filled once from the payloads) and still verifies and pushes, and a column
edited behind the app's back is named by `encore journal verify`."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select, update

from encore_tui import services
from encore_tui.cli import main as cli
from encore_tui.domain.rounds import RoundStatus
from encore_tui.push import queue
from encore_tui.services.verify import verify_journal
from encore_tui.store import open_store
from encore_tui.store.models import outbox
from encore_tui.wire import keys
from tests.support.receiver import CentralServer, make_counted_ac, relay_for

EXPECTED = [("postal", 0, 1), ("round", 1, 1), ("round", 2, 1), ("round", 3, 1)]


def columns(store) -> list[tuple[str, int | None, int | None]]:
    with store.read() as conn:
        rows = conn.execute(select(outbox.c.kind, outbox.c.round_no, outbox.c.revision).order_by(outbox.c.id))
        return [tuple(r) for r in rows]


def test_tx_push_writes_round_and_revision(store):
    ac_id = make_counted_ac(store)
    assert columns(store) == EXPECTED
    items = queue.queue_state(store, ac_id)
    assert [i.label for i in items] == [
        "postal result (revision 1)",
        "round 1 (revision 1)",
        "round 2 (revision 1)",
        "round 3 (revision 1)",
    ]
    assert verify_journal(store, ac_id).ok


def test_a_store_made_before_the_columns_opens_verifies_and_pushes(tmp_path):
    path = tmp_path / "old.db"
    store = open_store(path)
    ac_id = make_counted_ac(store)
    store.engine.dispose()
    # the outbox as the previous version created it: no round_no, no revision
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE outbox DROP COLUMN round_no")
        db.execute("ALTER TABLE outbox DROP COLUMN revision")
        names = [r[1] for r in db.execute("PRAGMA table_info(outbox)")]
    assert "round_no" not in names and "revision" not in names

    store = open_store(path)  # upgraded and filled from the payloads, once
    try:
        assert columns(store) == EXPECTED
        assert verify_journal(store, ac_id).ok
        assert cli.main(["--db", str(path), "journal", "verify"]) == 0

        central = CentralServer(tmp_path, str(tmp_path / "central.db")).start()
        try:
            key = keys.init_keys()
            central.add_centre(keys.public_key_b64(key), 7)
            relay = relay_for(store, central.url, central.public_key, key)
            assert len(relay.flush().acked) == 4
            relay.close()
        finally:
            central.stop()
        rounds = services.dashboard(store, ac_id).rounds
        assert all(rounds[r].status is RoundStatus.PUBLISHED for r in (0, 1, 2, 3))
    finally:
        store.engine.dispose()
    store = open_store(path)  # opened again: nothing to upgrade, nothing changes
    assert columns(store) == EXPECTED
    store.engine.dispose()


def test_an_edited_round_column_is_named_by_journal_verify(store):
    ac_id = make_counted_ac(store, rounds=(1, 2))
    with store.engine.begin() as conn:
        conn.execute(
            update(outbox).where(outbox.c.kind == "round", outbox.c.round_no == 2).values(round_no=1)
        )
    rep = verify_journal(store, ac_id)
    assert not rep.ok
    assert "round/revision columns 1/1, not 2/1" in str(rep), str(rep)
