"""Issue 15's findings, reproduced through the services and the CLI before they were fixed."""

from __future__ import annotations

import subprocess
import sys

from encore_tui import services
from encore_tui.domain.setup import PollingStation
from encore_tui.store import open_store
from tests.conftest import ADMIN, GUMMIDIPOONDI, OPERATOR, ROOT, approvable, small_setup


def _codes(view, station: str) -> set[str]:
    return {c.code.code for c in view.checks if c.station == station}


def test_import_form20_without_with_17c_invents_no_17c_figure(tmp_path):
    db = tmp_path / "g.db"
    r = subprocess.run(
        [sys.executable, "-m", "encore_tui", "--db", str(db), "import", "form20", str(GUMMIDIPOONDI)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    store = open_store(db)
    ac_id = services.list_acs(store)[0].ac_id
    # the official figures of PS 1 (Form 20 row 1), keyed as the CU shows them
    row = {"c1": 570, "c4": 42, "c7": 36, "c9": 1, "c10": 1, "c11": 1, "c12": 4, "nota": 1, "total": 656}
    ctx = services.load_context(store, ac_id)
    for f in ctx.fields_of(1):
        services.enter_cell(store, ac_id, 1, "1", f, row.get(f, 0), OPERATOR)
    view = services.round_view(store, ac_id, 1)
    # the 17C figure must not be Form 20's own answer: nothing was recorded, so W202 shows
    assert "W202" in _codes(view, "1")
    assert "W201" not in _codes(view, "1")
    store.engine.dispose()


def test_a_candidate_cannot_have_more_votes_than_the_station_recorded(store):
    base = small_setup()
    stations = [PollingStation(number=s.number, form17c_total=520) for s in base.stations]
    ac_id = services.create_ac(store, base.model_copy(update={"stations": stations}), ADMIN)
    approvable(store, ac_id)
    # 5,000 is under the AC's 7,000 electors (the only bound today) but far over the 520
    for f, v in {"c1": 5_000, "c2": 0, "c3": 0, "nota": 0, "total": 5_000}.items():
        try:
            services.enter_cell(store, ac_id, 1, "1", f, v, OPERATOR)
        except services.InvalidValue:
            return  # refused at the keyboard: also right
    view = services.round_view(store, ac_id, 1)
    assert "E122" in _codes(view, "1"), [str(c) for c in view.checks]
