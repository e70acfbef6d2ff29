"""Helpers for the RO-mode tests: an AC counted round by round through the services."""

from __future__ import annotations

from encore_tui import services
from encore_tui.services import ro, ro_vvpat
from tests.conftest import ADMIN, OPERATOR, RO, small_setup

RO_PIN = "2468"
PDF = b"%PDF-1.4\n% scanned Form 13A\n"


def make_ac(store, n_stations: int = 7, tables: int = 3, **kw) -> int:
    ac_id = services.create_ac(store, small_setup(n_stations=n_stations, tables=tables, **kw), ADMIN)
    services.add_user(store, RO.username, "ro", RO_PIN, RO.display_name)
    services.add_user(store, "op1", "operator", "1111")
    services.add_user(store, "op2", "operator", "2222")
    services.add_user(store, "obs", "observer", "3333")
    ro.set_spot_check_rounds(store, ac_id, 0, RO)  # tests that want spot checks turn them on
    return ac_id


def votes_of(store, ac_id, station: str, shift: int = 0) -> dict[str, int]:
    st = services.load_context(store, ac_id).setup.station(station)
    v = {"c1": st.form17c_total - 10 - shift, "c2": 6 + shift, "c3": 3, "nota": 1}
    v["total"] = sum(v.values())
    return v


def type_table(store, ac_id, round_no, station, values, actor=OPERATOR):
    for f, v in values.items():
        services.enter_cell(store, ac_id, round_no, station, f, v, actor)


def type_round(store, ac_id, round_no, actor=OPERATOR):
    for station in services.load_context(store, ac_id).tables_of(round_no):
        type_table(store, ac_id, round_no, station, votes_of(store, ac_id, station), actor)


def postal(store, ac_id, approve: bool = True):
    for f, v in {"c1": 10, "c2": 5, "c3": 1, "nota": 1, "rejected": 3, "total": 20}.items():
        services.enter_cell(store, ac_id, 0, "P1", f, v, OPERATOR)
    services.submit_round(store, ac_id, 0, OPERATOR)
    if approve:
        from encore_tui.services import ro_result

        ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", PDF, OPERATOR)
        ro.approve(store, ac_id, 0, RO, RO_PIN)


def count_and_approve(store, ac_id, rounds):
    for r in rounds:
        type_round(store, ac_id, r)
        services.submit_round(store, ac_id, r, OPERATOR)
        ro.approve(store, ac_id, r, RO, RO_PIN)


def verified(store, ac_id):
    rep = services.verify_journal(store, ac_id)
    assert rep.ok, str(rep)
    return rep


def vvpat_done(store, ac_id):
    ctx = services.load_context(store, ac_id)
    drawn = [s.number for s in ctx.setup.stations][:5]
    ro_vvpat.record_draw(store, ac_id, drawn, "Agent of P1", "Observer", RO)
    for s in drawn:
        v = votes_of(store, ac_id, s)
        ro_vvpat.enter_slip_count(store, ac_id, s, {k: v[k] for k in ("c1", "c2", "c3", "nota")}, OPERATOR)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
