"""Trends and leads before the RO approved the rounds they include are labelled provisional:
the dashboard, the round's lead line and F6 (trends)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from encore_tui import services
from encore_tui.app import EncoreApp
from encore_tui.base.config import Settings
from encore_tui.domain.rounds import RoundStatus, provisional
from encore_tui.screens.trends import TrendsScreen
from tests.conftest import OPERATOR
from tests.support.ro import RO, RO_PIN, make_ac, postal, type_round
from tests.support.screens import SIZE, open_round, settle, sign_in


@given(st.dictionaries(st.integers(0, 6), st.sampled_from(list(RoundStatus)), min_size=1), st.integers(0, 6))
def test_a_tally_is_provisional_while_a_round_it_includes_is_not_approved(statuses, r):
    expected = any(
        s not in (RoundStatus.APPROVED, RoundStatus.PUBLISHED) for k, s in statuses.items() if k <= r
    )
    assert provisional(r, statuses) == expected


def _summary(app) -> str:
    return str(app.screen.query_one("#summary").render())


async def test_dashboard_lead_line_and_trends_say_provisional_until_approved(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store)
    postal(store, ac_id)  # the postal round is approved
    type_round(store, ac_id, 1)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert "PROV. Leading r1" in _summary(app)
        screen = await open_round(pilot, 1)
        await settle(pilot)
        assert str(screen.query_one("#lead").render()).startswith("PROV. Leading r1")
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, TrendsScreen)
        assert "PROVISIONAL" in str(app.screen.query_one("#title").render())
        assert "prov." in str(app.screen.query_one("#leads").render())
    services.submit_round(store, ac_id, 1, OPERATOR)
    from encore_tui.services import ro

    ro.approve(store, ac_id, 1, RO, RO_PIN)
    app = EncoreApp(store, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert "Leading r1" in _summary(app) and "PROV." not in _summary(app)
        await pilot.press("f6")
        await pilot.pause()
        assert "PROVISIONAL" not in str(app.screen.query_one("#title").render())
        assert "prov." not in str(app.screen.query_one("#leads").render())
