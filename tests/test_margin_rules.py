"""ECI rules that depend on the margin, on a close synthetic AC modelled on Hilsa (Bihar) 2020:
won by 12 votes with 182 postal ballots rejected. The rejected-postal rule (E123) and the
kept-aside slips rule (E124) block Form 20 and the declaration until the RO records them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encore_tui import services
from encore_tui.domain import margin_rules as mr
from encore_tui.domain.entries import KeptAsideReason, TableEntry
from encore_tui.domain.form17c import Form17C
from encore_tui.domain.tally import Totals, form20
from encore_tui.services import anomalies, ro, ro_margin, ro_result, ro_vvpat
from tests.conftest import OPERATOR, RO, small_setup
from tests.support.ro import PDF, RO_PIN, make_ac, type_table, verified

# the seven stations (17C totals 101..107): c1 leads c2 by 1+2+1+4+1+2+1 = 12
EVM = {
    "1": (50, 49),
    "2": (51, 49),
    "3": (51, 50),
    "4": (53, 49),
    "5": (52, 51),
    "6": (53, 51),
    "7": (53, 52),
}
POSTAL = {"c1": 100, "c2": 100, "c3": 0, "nota": 0, "rejected": 182, "total": 382}


def table(station: str) -> dict[str, int]:
    c1, c2 = EVM[station]
    v = {"c1": c1, "c2": c2, "c3": 1, "nota": 1}
    return v | {"total": sum(v.values())}


def codes(checks) -> list[str]:
    return sorted({c.code.code for c in checks})


def hilsa(store, keep_aside: str | None = None) -> int:
    ac_id = make_ac(store, n_stations=7, tables=3)
    for f, v in POSTAL.items():
        services.enter_cell(store, ac_id, 0, "P1", f, v, OPERATOR)
    services.submit_round(store, ac_id, 0, OPERATOR)
    ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", PDF, OPERATOR)
    # 182 of 382 postal ballots rejected (48 %) is itself an anomaly the RO looks at first
    anomalies.acknowledge_anomaly(
        store, ac_id, 0, "P1", "W207", "declarations unattested; agents present", RO
    )
    ro.approve(store, ac_id, 0, RO, RO_PIN)
    ctx = services.load_context(store, ac_id)
    for r in (1, 2, 3):
        for s in ctx.tables_of(r):
            if s == keep_aside:
                services.keep_aside(store, ac_id, r, s, KeptAsideReason.MOCK_POLL_NOT_CLEARED, OPERATOR)
            else:
                type_table(store, ac_id, r, s, table(s))
        services.submit_round(store, ac_id, r, OPERATOR)
        ro.approve(store, ac_id, r, RO, RO_PIN)
    drawn = ["1", "2", "3", "4", "5"]
    ro_vvpat.record_draw(store, ac_id, drawn, "Agents of P1 and P2", "Observer", RO)
    for s in drawn:
        ro_vvpat.enter_slip_count(
            store, ac_id, s, {k: table(s)[k] for k in ("c1", "c2", "c3", "nota")}, OPERATOR
        )
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    return ac_id


def test_margin_12_with_182_rejected_postal_blocks_until_reverified(store):
    ac_id = hilsa(store)
    st = ro_result.result_status(store, ac_id)
    assert st.votes[:2] == (463, 451) and st.form20.postal.rejected == 182
    assert codes(st.checks) == ["E117", "E123"]
    (e123,) = [c for c in st.checks if c.code.code == "E123"]
    assert "margin 12 < 182 rejected postal ballots" in e123.message
    with pytest.raises(services.RoundBlocked, match="E123"):
        ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    with pytest.raises(services.InvalidValue, match="182 were rejected, not 180"):
        ro_margin.record_postal_reverification(store, ac_id, 180, "upheld", "agents present", RO, RO_PIN)
    with pytest.raises(services.NotAllowed):
        ro_margin.record_postal_reverification(store, ac_id, 182, "upheld", "x", OPERATOR, "1111")
    ro_margin.record_postal_reverification(
        store, ac_id, 182, "upheld", "all 182 re-verified before both candidates' agents", RO, RO_PIN
    )
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E117"]
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    decl = ro_result.declare_result(store, ac_id, RO, RO_PIN)
    assert (decl.winner_serial, decl.margin) == (1, 12)
    verified(store, ac_id)


def test_a_station_kept_aside_for_mock_poll_within_the_margin_needs_its_slips_and_a_decision(store):
    ac_id = hilsa(store, keep_aside="7")  # without PS 7 the margin is 11; its 17C total is 107
    st = ro_result.result_status(store, ac_id)
    assert codes(st.checks) == ["E110", "E117", "E123", "E124"]
    (e124,) = [c for c in st.checks if c.code.code == "E124"]
    assert "margin 11 ≤ 107 votes recorded (17C) at kept-aside PS 7" in e124.message
    ro_margin.record_kept_aside_slips(store, ac_id, "PS 7 slips counted before the agents", RO, RO_PIN)
    ro_margin.record_postal_reverification(store, ac_id, 182, "upheld", "all re-verified", RO, RO_PIN)
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E110", "E117"]  # the count itself
    r = ro_vvpat.open_vvpat_round(store, ac_id, RO)
    type_table(store, ac_id, r, "7", table("7"))
    services.submit_round(store, ac_id, r, OPERATOR)
    ro.approve(store, ac_id, r, RO, RO_PIN)
    assert codes(ro_result.declaration_checks(store, ac_id)) == ["E117"]
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    assert ro_result.declare_result(store, ac_id, RO, RO_PIN).margin == 12
    verified(store, ac_id)


# -- the rules themselves, exhaustively --------------------------------------------------------------
def _f20(c1: int, c2: int, rejected: int, kept: int = 0):
    setup = small_setup(n_stations=2)
    entries = {"1": TableEntry(1, 1, "1", {"c1": c1, "c2": c2, "c3": 0, "nota": 0, "total": c1 + c2})}
    if kept:
        entries["2"] = TableEntry(1, 2, "2", {"c1": 0, "c2": kept, "c3": 0, "nota": 0, "total": kept})
    return form20(setup, entries, Totals((0, 0, 0), 0, rejected))


@given(
    c1=st.integers(0, 500),
    c2=st.integers(0, 500),
    rejected=st.integers(0, 300),
    recorded=st.booleans(),
)
def test_rejected_postal_rule_fires_exactly_below_the_margin(c1, c2, rejected, recorded):
    f = _f20(c1, c2, rejected)
    cs = mr.margin_checks(
        f, {}, {}, postal_reverified={"checked": 1} if recorded else None, kept_aside_decision=None
    )
    margin = abs(c1 - c2) if max(c1, c2) else None
    assert ("E123" in codes(cs)) == (margin is not None and margin < rejected and not recorded)


@given(
    c1=st.integers(1, 500),
    c2=st.integers(0, 500),
    slips=st.integers(0, 200),
    total17c=st.none() | st.integers(0, 300),
    reason=st.sampled_from(list(KeptAsideReason)),
    decided=st.booleans(),
)
def test_kept_aside_rule_uses_the_margin_without_them_and_their_17c(c1, c2, slips, total17c, reason, decided):
    f = _f20(c1, c2, 0, kept=slips)  # PS 2's slip count (if entered) is left out of the margin
    rec = {} if total17c is None else {"2": Form17C(station="2", votes_recorded=total17c)}
    cs = mr.margin_checks(
        f,
        {"2": reason},
        rec,
        postal_reverified=None,
        kept_aside_decision={"stations": ["2"]} if decided else None,
    )
    under = reason in mr.MARGIN_REASONS
    required = total17c is None or abs(c1 - c2) <= total17c
    assert ("E124" in codes(cs)) == (under and required and not decided)


def test_the_ro_records_both_decisions_at_the_console(sqlite_store, monkeypatch, capsys):
    from tests.support.cli import console

    store = sqlite_store
    ac_id = hilsa(store, keep_aside="7")
    run = console(store, monkeypatch, capsys)

    code, out = run("margin", "status")
    assert code == 0 and "Margin 11; rejected postal ballots 182." in out
    assert "PS 7; 17C votes recorded 107; margin without them 11: slips MUST be counted." in out
    assert "E123" in out and "E124" in out
    code, out = run(
        "margin", "reverify-postal", "--checked", "181", "--outcome", "upheld", "--remark", "x", "--user", "ro1",
        stdin=RO_PIN + "\n",
    )  # fmt: skip
    assert code != 0 and "182 were rejected, not 181" in out and "Traceback" not in out
    args = ["--checked", "182", "--outcome", "upheld", "--remark", "agents present", "--user", "ro1"]
    assert run("margin", "reverify-postal", *args, stdin=RO_PIN + "\n")[0] == 0
    assert (
        run("margin", "kept-aside-slips", "--remark", "counted", "--user", "ro1", stdin=RO_PIN + "\n")[0] == 0
    )
    code, out = run("margin", "status")
    assert "E123" not in out and "E124" not in out
    verified(store, ac_id)
