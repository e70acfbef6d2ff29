"""The refusals a service (or the store) raises reach a Hindi screen in Hindi: each is provoked
for real on a SQLite store (a wrong PIN, a postal table kept aside, a round not yet approved in
order, a Form 21C scan before the declaration, a full disk), passed through what the status line
does (`not_saved`, then `t_msg`) and checked word by word: no English but codes, keys and names.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from encore_tui import services
from encore_tui.base.i18n import set_lang, t_msg
from encore_tui.domain.entries import KeptAsideReason
from encore_tui.screens.messages import not_saved
from encore_tui.services import ro, ro_result
from encore_tui.services.errors import ServiceError
from encore_tui.store.errors import explain
from tests.conftest import OPERATOR, RO
from tests.support.ro import PDF, RO_PIN, make_ac, postal, type_round

KEYS = {"Enter", "PIN", "I", "O", "encore", "F2", "E116", "AC"}


def english(text: str, allowed: set[str]) -> list[str]:
    words = re.findall(r"(?<![0-9A-Za-z])[A-Za-z][A-Za-z0-9._]*", text)
    return sorted({w.rstrip(".") for w in words} - allowed)


def refusal(call) -> str:
    with pytest.raises(ServiceError) as exc:
        call()
    return str(exc.value)


@pytest.fixture
def hindi():
    set_lang("hi")
    yield
    set_lang("en")


def test_service_and_store_refusals_are_shown_in_hindi(sqlite_store, tmp_path, hindi):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=15)  # 5 rounds: round 2 is not the penultimate
    postal(store, ac_id, approve=False)
    type_round(store, ac_id, 1)
    services.submit_round(store, ac_id, 1, OPERATOR)
    type_round(store, ac_id, 2)
    services.submit_round(store, ac_id, 2, OPERATOR)
    said = {
        "wrong PIN": refusal(lambda: ro.approve(store, ac_id, 1, RO, "0000")),
        "postal kept aside": refusal(
            lambda: services.keep_aside(store, ac_id, 0, "P1", KeptAsideReason.CU_DISPLAY_FAILURE, OPERATOR)
        ),
        "out of order": refusal(lambda: ro.approve(store, ac_id, 2, RO, RO_PIN)),
        "21C before declaring": refusal(
            lambda: ro_result.attach_scan(store, ac_id, "form21c", "f21c.pdf", PDF, RO)
        ),
        "disk full": str(explain(sqlite3.OperationalError("database or disk is full"), "/srv/encore.db")),
    }
    shown = {what: t_msg(not_saved(text)) for what, text in said.items()}
    allowed = KEYS | {"srv", "encore.db", "ro1"}
    left = {what: english(text, allowed) for what, text in shown.items()}
    left = {what: words for what, words in left.items() if words}
    assert not left, "\n".join(f"{w}: {said[w]!r}\n  → {shown[w]!r}" for w in left)
    assert all("सहेजा नहीं गया" in text for text in shown.values()), shown
    assert "/srv/encore.db" in shown["disk full"]  # the path as it is, to act on
