"""Central's AC model on its own (pure, no receiver): corrections make later rounds stale and
those wait for their re-approval in order; a postal correction makes every round stale; the
VVPAT round counts only stations kept aside; a refused message leaves the model as it was."""

from __future__ import annotations

import pytest

from encore_tui.central import acmodel, results
from encore_tui.central.codes import Refusal
from encore_tui.domain.tally import Totals
from encore_tui.wire import messages as wire
from tests.support.central import build


def feed(*msgs, model=None):
    for m in msgs:
        acmodel.check(model, m)
        model = acmodel.apply(
            model, m, (model.received_count if model else 0) + 1, "2026-12-02T03:00:00+00:00"
        )
    return model


def refused(model, msg, code):
    before = model.model_dump_json()
    with pytest.raises(Refusal) as got:
        acmodel.check(model, msg)
    assert got.value.code == code, got.value.reason
    assert model.model_dump_json() == before


def test_a_correction_makes_later_rounds_stale_and_they_come_back_in_order():
    postal, rounds = build(50)
    m = feed(postal, *rounds[:4])
    corr = rounds[1].model_copy(update={"kind": "correction", "revision": 2, "correction_reason": "table 3"})
    m = feed(corr, model=m)
    shown = results.of_model(m)
    assert (
        shown.stale_rounds == [3, 4] and shown.rounds_counted == 2 and shown.status == "awaiting_reapproval"
    )
    refused(m, rounds[3], "round_out_of_order")  # round 4 waits for round 3's re-approval
    m = feed(rounds[2].model_copy(update={"revision": 1}), rounds[3], model=m)
    assert results.of_model(m).rounds_counted == 4 and results.of_model(m).status == "counting"
    refused(m, rounds[1].model_copy(update={"revision": 1}), "old_revision")


def test_a_postal_correction_makes_every_round_stale():
    postal, rounds = build(51)
    m = feed(postal, *rounds[:2])
    more = wire.Tally.of(
        Totals(
            tuple(v + (1 if i == 0 else 0) for i, v in enumerate(postal.totals.candidates)),
            postal.totals.nota,
            postal.totals.rejected,
        )
    )
    fixed = postal.model_copy(
        update={"revision": 2, "correction": True, "correction_reason": "recount", "totals": more}
    )
    m = feed(fixed, model=m)
    assert results.of_model(m).stale_rounds == [1, 2] and results.of_model(m).cumulative == more
    # a re-approved round must fold in the corrected postal result
    refused(m, rounds[0].model_copy(update={"revision": 2}), "postal_mismatch")


def test_the_vvpat_round_counts_only_stations_kept_aside():
    postal, rounds = build(52)
    r1 = rounds[0]
    aside = r1.tables[0].model_copy(
        update={"votes": None, "nota": None, "total": None, "kept_aside": "cu_display_failure"}
    )
    counted = wire.totals_of_tables(r1.tables[1:], 12, 1)
    r1 = r1.model_copy(
        update={
            "tables": [aside, *r1.tables[1:]],
            "this_round": wire.Tally.of(counted),
            "cumulative": wire.Tally.of(r1.brought_forward.totals() + counted),
        }
    )
    later = []
    prev = r1
    for r in rounds[1:]:
        this = r.this_round.totals()
        r = r.model_copy(
            update={
                "brought_forward": prev.cumulative,
                "cumulative": wire.Tally.of(prev.cumulative.totals() + this),
            }
        )
        later.append(r)
        prev = r
    m = feed(postal, r1, *later)
    slips = rounds[0].tables[0]  # the kept-aside station counted from its slips
    vv_round = prev.model_copy(
        update={
            "round_kind": "vvpat",
            "round": 30,
            "tables": [slips],
            "this_round": wire.Tally.of(wire.totals_of_tables([slips], 12, 30)),
            "brought_forward": prev.cumulative,
            "cumulative": wire.Tally.of(prev.cumulative.totals() + wire.totals_of_tables([slips], 12, 30)),
        }
    )
    wrong = vv_round.model_copy(update={"tables": [rounds[0].tables[1].model_copy(update={"table": 1})]})
    refused(m, wrong, "station_counted_twice")
    stranger = vv_round.model_copy(update={"tables": [slips.model_copy(update={"station": "999 A"})]})
    refused(m, stranger, "station_not_kept_aside")
    m = feed(vv_round, model=m)
    shown = results.of_model(m)
    assert shown.vvpat_round and shown.rounds_counted == 30
