"""Recorded counts to replay: stores whose AC was counted through, round by round, as a hall
does it (typed or imported per round, submitted, approved by the RO), and what they hold."""

from __future__ import annotations

import hashlib
from pathlib import Path

from encore_tui import services
from encore_tui.domain.ledger import replay
from encore_tui.services import ro, ro_result
from encore_tui.services.counting import import_results
from encore_tui.services.importing import read_form20_dir
from encore_tui.store import journal, open_store
from encore_tui.store.models import journal as journal_t
from tests.conftest import ADMIN, GUMMIDIPOONDI, OPERATOR, RO
from tests.support.ro import PDF, RO_PIN, make_ac, postal, type_round, type_table, votes_of


def small_count(store) -> int:
    """7 stations, 3 rounds: postal approved, round 1 typed and approved, round 2 with a kept-aside
    table, returned once by the RO and approved, round 3 approved, then round 1 corrected."""
    ac_id = make_ac(store)
    postal(store, ac_id)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    ctx = services.load_context(store, ac_id)
    first, *rest = ctx.tables_of(2)
    services.keep_aside(store, ac_id, 2, first, "cu_display_failure", OPERATOR)
    for s in rest:
        type_table(store, ac_id, 2, s, votes_of(store, ac_id, s))
    services.submit_round(store, ac_id, 2, OPERATOR)
    ro.return_to_operator(store, ac_id, 2, "check table 2", RO)
    services.submit_round(store, ac_id, 2, OPERATOR)
    ro.approve(store, ac_id, 2, RO, RO_PIN)
    type_round(store, ac_id, 3)
    services.submit_round(store, ac_id, 3, OPERATOR)
    ro.approve(store, ac_id, 3, RO, RO_PIN)
    ro.correct(store, ac_id, 1, "table 1 misread", RO, RO_PIN)
    station = ctx.tables_of(1)[0]
    v = votes_of(store, ac_id, station, shift=2)
    type_table(store, ac_id, 1, station, v, actor=RO)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    for r in (2, 3):
        ro.approve(store, ac_id, r, RO, RO_PIN)
    return ac_id


def gummidipoondi_counted(path: Path, rounds: int | None = None) -> int:
    """The Gummidipoondi rehearsal counted through at 14 tables: postal, then each round's official
    figures imported, submitted and approved in turn (the first `rounds` EVM rounds, or all 29)."""
    imp = read_form20_dir(GUMMIDIPOONDI)
    store = open_store(path)
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    services.add_user(store, RO.username, "ro", RO_PIN, RO.display_name)
    ro.set_spot_check_rounds(store, ac_id, 0, RO)
    from encore_tui.services.form17c import import_form17c

    import_form17c(store, ac_id, imp.form17c, ADMIN, file="form20")
    import_results(store, ac_id, {}, imp.postal_values, ADMIN)
    ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", PDF, OPERATOR)
    services.submit_round(store, ac_id, 0, OPERATOR)
    ro.approve(store, ac_id, 0, RO, RO_PIN)
    ctx = services.load_context(store, ac_id)
    last = ctx.last_round if rounds is None else rounds
    for r in range(1, last + 1):
        values = {s: imp.station_values[s] for s in ctx.tables_of(r)}
        import_results(store, ac_id, values, None, ADMIN)
        services.submit_round(store, ac_id, r, OPERATOR)
        ro.approve(store, ac_id, r, RO, RO_PIN)
    store.engine.dispose()
    return ac_id


def journal_rows(store, ac_id: int) -> list[tuple]:
    """The AC's journal exactly as stored (every column of every row)."""
    from sqlalchemy import select

    with store.read() as conn:
        return [tuple(r) for r in conn.execute(select(journal_t).where(journal_t.c.ac_id == ac_id))]


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def derived_state(store, ac_id: int) -> dict:
    """The AC's state as its journal re-derives it (domain/ledger.py), without the accounts."""
    with store.read() as conn:
        state = replay((e.seq, e.kind, e.payload) for e in journal.events(conn, ac_id))
    comparable = state.to_comparable()
    comparable.pop("accounts")
    comparable["outbox"] = {k: v for k, v in comparable["outbox"].items()}
    return comparable
