"""The real Form 20 of AC 1 Gummidipoondi (TN 2021) through the whole RO path: 29 rounds
approved, VVPAT verification, Form 20 sign-off, declaration — the declared result is the
official one (DMK 126,452; PMK 75,514; margin 50,938)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from encore_tui import services
from encore_tui.services import form17c, ro, ro_result, ro_vvpat
from encore_tui.services.importing import read_form20_dir
from encore_tui.store.models import outbox
from tests.conftest import ADMIN, GUMMIDIPOONDI, OPERATOR, RO
from tests.support.ro import PDF, RO_PIN


@pytest.mark.slow
def test_gummidipoondi_is_declared_as_officially_published(store):
    imp = read_form20_dir(GUMMIDIPOONDI)
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    services.add_user(store, RO.username, "ro", RO_PIN, RO.display_name)
    form17c.import_form17c(store, ac_id, imp.form17c, ADMIN)  # rehearsal: 17C taken from Form 20
    services.import_results(store, ac_id, imp.station_values, imp.postal_values, ADMIN)
    ctx = services.load_context(store, ac_id)
    assert ctx.last_round == 29

    services.submit_round(store, ac_id, 0, OPERATOR)
    ro_result.attach_scan(store, ac_id, "form13b", "13b-bundle.pdf", PDF, OPERATOR)
    ro.approve(store, ac_id, 0, RO, RO_PIN)
    for r in range(1, 30):
        services.submit_round(store, ac_id, r, OPERATOR)
        if r <= 3:  # the first rounds get the blind spot check (default 3)
            ro.draw_spot_check(store, ac_id, r, RO, mode="totals", seed=r)
            for p in ro.blind_sheet(store, ac_id, r, "spot", RO).prompts:
                ro.enter_blind(
                    store, ac_id, r, "spot", p.station, p.field, imp.station_values[p.station]["total"], RO
                )
        ro.approve(store, ac_id, r, RO, RO_PIN)

    drawn = ["7 M", "42", "150", "233", "330"]
    ro_vvpat.record_draw(store, ac_id, drawn, "youngest agent present", "General Observer; agents", RO)
    fields = [f"c{i}" for i in range(1, 13)] + ["nota"]
    for s in drawn:
        ro_vvpat.enter_slip_count(store, ac_id, s, {f: imp.station_values[s][f] for f in fields}, OPERATOR)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    assert [c.code.code for c in ro_result.declaration_checks(store, ac_id)] == ["E117"]
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    decl = ro_result.declare_result(store, ac_id, RO, RO_PIN, place="Gummidipoondi")
    assert (decl.winner_serial, decl.winner_votes, decl.runner_up_serial, decl.margin) == (
        1,
        126452,
        7,
        50938,
    )
    with store.read() as conn:
        payload = json.loads(
            conn.execute(select(outbox.c.payload).where(outbox.c.kind == "declaration")).scalar_one()
        )
    official = json.loads((GUMMIDIPOONDI / "result.json").read_text())["footer"]
    assert payload["final"]["candidates"] == official["total_polled"]["candidates"]  # the wire message
    assert payload["final"]["total"] == official["total_polled"]["total"] == 222192
    assert (payload["winner"], payload["runner_up"], payload["margin"]) == (1, 7, 50938)
    assert services.verify_journal(store, ac_id).ok
