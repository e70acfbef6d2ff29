"""SVG snapshots (pytest-textual-snapshot) of the key screens at 80×24.

Figures are entered through the services before the app starts, so nothing time-dependent
("saved HH:MM:SS") is on screen. Update after an intended change: pytest --snapshot-update.
"""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain.entries import KeptAsideReason
from tests.conftest import ADMIN, OPERATOR, small_setup

SIZE = (80, 24)


@pytest.fixture
def counted(sqlite_store):
    store = sqlite_store
    ac_id = services.create_ac(store, small_setup(), ADMIN)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    sheets = {
        "1": {"c1": 91, "c2": 6, "c3": 3, "nota": 1, "total": 101},
        "2": {"c1": 40, "c2": 50, "c3": 9, "nota": 1, "total": 103},  # E101: sum 100 ≠ 103
    }
    for station, cells in sheets.items():
        for f, v in cells.items():
            services.enter_cell(store, ac_id, 1, station, f, v, OPERATOR)
    services.keep_aside(store, ac_id, 1, "3", KeptAsideReason.CU_DISPLAY_FAILURE, OPERATOR)
    for f, v in {"c1": 10, "c2": 5, "c3": 1, "nota": 1, "rejected": 3, "total": 20}.items():
        services.enter_cell(store, ac_id, 0, "P1", f, v, OPERATOR)
    return store, ac_id


async def _sign_in(pilot) -> None:
    await pilot.press(*"op1", "enter")
    await pilot.press(*"1111", "enter")
    await pilot.pause()


def _open(round_no: int):
    async def run_before(pilot) -> None:
        await _sign_in(pilot)
        if round_no is not None:
            pilot.app.screen.query_one("#rounds").move_cursor(row=round_no)
            await pilot.press("enter")
            await pilot.pause()

    return run_before


def test_dashboard_snapshot(counted, snap_compare):
    store, _ = counted
    assert snap_compare(EncoreApp(store, Settings()), terminal_size=SIZE, run_before=_open(None))


def test_round_grid_snapshot(counted, snap_compare):
    store, _ = counted

    async def run_before(pilot) -> None:
        await _open(1)(pilot)
        await pilot.press("down", "4", "2")  # typing (not yet saved) on table 1, candidate 2

    assert snap_compare(EncoreApp(store, Settings()), terminal_size=SIZE, run_before=run_before)


def test_postal_snapshot(counted, snap_compare):
    store, _ = counted
    assert snap_compare(EncoreApp(store, Settings()), terminal_size=SIZE, run_before=_open(0))


def test_demo_sign_in_snapshot(counted, snap_compare):
    store, _ = counted
    app = EncoreApp(store, Settings(), demo=True)
    assert snap_compare(app, terminal_size=SIZE)
