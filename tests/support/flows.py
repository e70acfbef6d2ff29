"""Counting a round through the services, as an operator and the RO would."""

from __future__ import annotations

from encore_tui import services
from tests.conftest import OPERATOR, RO


def type_table(store, ac_id, round_no, station, votes, nota, total=None, actor=OPERATOR):
    for i, v in enumerate(votes, start=1):
        services.enter_cell(store, ac_id, round_no, station, f"c{i}", v, actor)
    services.enter_cell(store, ac_id, round_no, station, "nota", nota, actor)
    services.enter_cell(
        store, ac_id, round_no, station, "total", sum(votes) + nota if total is None else total, actor
    )


def type_round(store, ac_id, round_no):
    ctx = services.load_context(store, ac_id)
    for station in ctx.tables_of(round_no):
        st = ctx.setup.station(station)
        # make the CU total equal to 17C Part I (100 + i)
        type_table(store, ac_id, round_no, station, [st.form17c_total - 10, 6, 3], 1)


def postal_done(store, ac_id):
    for f, v in {"c1": 10, "c2": 5, "c3": 1, "nota": 1, "rejected": 3, "total": 20}.items():
        services.enter_cell(store, ac_id, 0, "P1", f, v, OPERATOR)
    approve(store, ac_id, 0)


def approve(store, ac_id, round_no):
    services.submit_round(store, ac_id, round_no, OPERATOR)
    services.approve_round(store, ac_id, round_no, RO)
