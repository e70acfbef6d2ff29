"""Training sessions on a real store (SQLite file and PostgreSQL): create, seat, type, score, and
the isolation of seats and of the answer key."""

from __future__ import annotations

import pytest

from encore_tui import services
from encore_tui.domain.rounds import Role
from encore_tui.services import training
from encore_tui.services.form17c import form17c
from encore_tui.services.importing import read_form20_dir
from encore_tui.services.users import seat_ac
from tests.conftest import ADMIN, GUMMIDIPOONDI

TRAINER = services.Actor("meena", Role.TRAINER, "District training officer")
ASHA = services.Actor("asha", Role.OPERATOR, "asha")
BINA = services.Actor("bina", Role.OPERATOR, "bina")


@pytest.fixture
def session(store):
    imp = read_form20_dir(GUMMIDIPOONDI)
    src = services.create_ac(store, imp.setup, ADMIN)
    plan = services.load_context(store, src).plan
    r1, r2 = plan.stations_of(1), plan.stations_of(2)
    sid = training.create_session(
        store,
        TRAINER,
        src,
        [1, 2, 3],
        [f"sum_mismatch@1/{r1[1]}", f"total_ne_17c@2/{r2[0]}"],
        pass_mark=90,
        official=imp.station_values,
    )
    copies = {u: training.seat(store, TRAINER, sid, u, "1234") for u in ("asha", "bina")}
    return store, imp, src, sid, copies


def test_a_seat_is_a_journaled_copy_with_the_17c_fault_applied(session):
    store, imp, src, sid, copies = session
    s = training.session(store, TRAINER, sid)
    assert s.rounds == (1, 2, 3) and [u for u, _ in s.seats] == ["asha", "bina"]
    ctx = services.load_context(store, copies["asha"])
    assert ctx.setup.ac.name.endswith("— training: asha") and ctx.setup.ac.number >= 901
    assert ctx.plan.rounds == services.load_context(store, src).plan.rounds
    _s, _setup, key = training.answer_key(store, TRAINER, sid)
    fault = key.faults[1]
    official_total = imp.station_values[fault.station]["total"]
    assert form17c(store, copies["asha"])[fault.station].votes_recorded == official_total + 7
    assert (
        form17c(store, copies["asha"])[key.rounds[1][0]].votes_recorded
        == (imp.station_values[key.rounds[1][0]]["total"])
    )
    # the trainee signs in and is bound to the copy; every chain re-verifies
    assert services.authenticate(store, "asha", "1234").role is Role.OPERATOR
    assert seat_ac(store, "asha") == copies["asha"] and seat_ac(store, "meena") is None
    for ac_id in (0, copies["asha"], copies["bina"]):
        rep = services.verify_journal(store, ac_id)
        assert rep.ok, str(rep)


def test_trainees_cannot_read_each_other_or_the_key(session):
    store, _imp, _src, sid, copies = session
    _s, _setup, key = training.answer_key(store, TRAINER, sid)
    r, st = 1, key.rounds[1][0]
    services.enter_cell(store, copies["asha"], r, st, "c1", key.official[st]["c1"], ASHA)
    assert training.seat_cells(store, ASHA, sid, "asha") == {(r, st, "c1"): key.official[st]["c1"]}
    with pytest.raises(services.NotAllowed, match="may not read another trainee's figures"):
        training.seat_cells(store, BINA, sid, "asha")
    with pytest.raises(services.NotAllowed, match="only a trainer or an administrator"):
        training.answer_key(store, ASHA, sid)
    with pytest.raises(services.NotAllowed, match="only a trainer or an administrator"):
        training.sheets(store, BINA, sid)
    with pytest.raises(services.NotAllowed, match="another trainee's score"):
        training.trainee_score(store, BINA, sid, "asha")
    with pytest.raises(services.NotAllowed, match="only a trainer or an administrator"):
        training.seat(store, ASHA, sid, "asha2", "1234")
    # bina's copy holds nothing of asha's
    assert training.seat_cells(store, BINA, sid, "bina") == {}


def test_the_report_scores_each_seat_from_its_journal(session):
    store, _imp, _src, sid, copies = session
    _s, setup, key = training.answer_key(store, TRAINER, sid)
    fields = services.load_context(store, copies["asha"]).fields_of(1)
    for st in key.rounds[1]:
        sheet, _note = key.sheet(1, st)
        for f in fields:  # asha types the sheets; the miscopied total she puts right after E101
            services.enter_cell(store, copies["asha"], 1, st, f, sheet[f], ASHA)
        if sheet != key.official[st]:
            services.enter_cell(store, copies["asha"], 1, st, "total", key.official[st]["total"], ASHA)
    services.submit_round(store, copies["asha"], 1, ASHA)
    st = key.rounds[1][0]
    services.enter_cell(store, copies["bina"], 1, st, "c1", key.official[st]["c1"] + 1, BINA)
    rep = training.report(store, TRAINER, sid)
    assert [r.username for r in rep.ranked] == ["asha", "bina"]
    a, b = rep.ranked[0].score, rep.ranked[1].score
    n_round1 = len(key.rounds[1]) * len(fields)
    assert (a.right, a.wrong, a.rounds_submitted) == (n_round1, 0, 1)
    assert [f.caught for f in a.faults] == [True, False]
    assert (b.right, b.wrong) == (0, 1) and rep.often_wrong == [((1, st, "c1"), 1)]
    assert training.trainee_score(store, ASHA, sid, "asha") == a


def test_a_session_refuses_what_it_cannot_make(store):
    imp = read_form20_dir(GUMMIDIPOONDI)
    src = services.create_ac(store, imp.setup, ADMIN)
    with pytest.raises(services.ServiceError, match="no official figures.*--figures DIR"):
        training.create_session(store, TRAINER, src, [1])
    with pytest.raises(services.NotAllowed):
        training.create_session(store, ASHA, src, [1], official=imp.station_values)
    with pytest.raises(services.InvalidValue, match="EVM rounds 1 to 29"):
        training.create_session(store, TRAINER, src, [40], official=imp.station_values)
    with pytest.raises(services.InvalidValue, match=r"Rounds 28 and 29 wait for the postal result \(E108\)"):
        training.create_session(store, TRAINER, src, [27, 28], official=imp.station_values)


def test_every_fault_kind_handled_through_the_real_services_is_caught(store):
    """An RO trainee on the small AC: the five seeded faults handled as the key says, with the
    real services' events (the round returned by the RO, W201 seen, tables kept aside)."""
    from tests.conftest import small_setup

    setup = small_setup(n_stations=10, tables=3)  # rounds of 3, 3, 3, 1: 1-2 come before E108
    src = services.create_ac(store, setup, ADMIN)

    def official(st: str) -> dict[str, int]:
        v = {"c1": 40 + int(st), "c2": 30, "c3": 20, "nota": 1}
        return {**v, "total": sum(v.values())}

    figures = {s.number: official(s.number) for s in setup.stations}
    faults = ["sum_mismatch@1/1", "total_ne_17c@1/2", "mock_poll@1/3", "cu_display@2/4", "ro_return@2/5"]
    sid = training.create_session(store, TRAINER, src, [1, 2], faults, official=figures)
    copy = training.seat(store, TRAINER, sid, "rosa", "1234", role="ro")
    rosa = services.Actor("rosa", Role.RO)
    from encore_tui.services import ro

    ro.set_spot_check_rounds(store, copy, 0, rosa)
    _s, _setup, key = training.answer_key(store, TRAINER, sid)
    fields = services.load_context(store, copy).fields_of(1)

    def typed(r: int, st: str, values) -> None:
        for f in fields:
            services.enter_cell(store, copy, r, st, f, values[f], rosa)

    def clear(r: int, st: str) -> None:
        for f in fields:
            services.enter_cell(store, copy, r, st, f, None, rosa)

    for r in (1, 2):
        for st in key.rounds[r]:
            sheet, _note = key.sheet(r, st)
            fault = key.fault_at(r, st)
            kind = fault.kind.value if fault else None
            if sheet is not None:
                typed(r, st, sheet)
            if kind == "sum_mismatch":
                services.enter_cell(store, copy, r, st, "total", key.official[st]["total"], rosa)
            elif kind in ("total_ne_17c", "mock_poll", "cu_display"):
                view = services.round_view(store, copy, r)
                if kind == "total_ne_17c":  # the check the trainee saw
                    assert any(c.code.code == "W201" and c.station == st for c in view.checks)
                if sheet is not None:
                    clear(r, st)
                services.keep_aside(store, copy, r, st, fault.kind.keep_aside, rosa)
        services.submit_round(store, copy, r, rosa)
    services.return_round(store, copy, 2, "PS 5: candidates 1 and 2 transposed", rosa)
    typed(2, "5", key.official["5"])
    services.submit_round(store, copy, 2, rosa)
    sc = training.trainee_score(store, rosa, sid, "rosa")
    assert [(f.fault.kind.value, f.caught) for f in sc.faults] == [(k.split("@")[0], True) for k in faults]
    assert (sc.right, sc.wrong, sc.blank, sc.percent) == (sc.cells, 0, 0, 100.0)
    assert sc.faults[1].how == "W201, kept aside: CU total differs from Form 17C Part I"


def test_seat_summaries_follow_the_typing_and_read_only_what_changed(session):
    """The live trainer screen polls `seat_summaries` every 2 s: the figures are the report's,
    and with its cache a poll where nobody typed reads no journal, one where asha typed reads
    only her copy's journal."""
    from sqlalchemy import event

    store, _imp, _src, sid, copies = session
    _s, _setup, key = training.answer_key(store, TRAINER, sid)
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    def journal_reads() -> list:
        return [p for st, p in statements if "FROM journal" in st]

    cache = training.SummaryCache()
    first = training.seat_summaries(store, sid, TRAINER, cache=cache)
    cells = len(key.expected())
    assert [(s.username, s.right, s.wrong, s.blank, s.caught, s.faults) for s in first] == [
        ("asha", 0, 0, cells, 0, 2),
        ("bina", 0, 0, cells, 0, 2),
    ]
    assert first[0].last_ts == "" and first[0].cells == cells
    st = key.rounds[1][0]
    fields = services.load_context(store, copies["asha"]).fields_of(1)
    for f in fields:
        services.enter_cell(store, copies["asha"], 1, st, f, key.official[st][f], ASHA)
    services.enter_cell(store, copies["bina"], 1, st, "c1", key.official[st]["c1"] + 1, BINA)
    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        now = training.seat_summaries(store, sid, TRAINER, cache=cache)
        assert len(journal_reads()) == 2  # both typed: both journals, from where the last poll stopped
        statements.clear()
        again = training.seat_summaries(store, sid, TRAINER, cache=cache)
        assert again == now and journal_reads() == []  # nobody typed: no journal read
        services.enter_cell(store, copies["asha"], 1, key.rounds[1][1], "c1", 1, ASHA)
        statements.clear()
        later = training.seat_summaries(store, sid, TRAINER, cache=cache)
        assert len(journal_reads()) == 1 and later[1] == now[1]  # asha's only; bina's kept
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    a, b = now
    assert (a.right, a.wrong, a.blank) == (len(fields), 0, cells - len(fields)) and a.last_ts
    assert (b.right, b.wrong, b.blank) == (0, 1, cells - 1)
    # the same figures as the report, and a fresh read without a cache agrees
    rep = {r.username: r.score for r in training.report(store, TRAINER, sid).ranked}
    fresh = training.seat_summaries(store, sid, TRAINER)
    assert fresh == later
    for s in fresh:
        sc = rep[s.username]
        assert (s.right, s.wrong, s.blank, s.caught, s.percent) == (
            sc.right,
            sc.wrong,
            sc.blank,
            sc.caught,
            sc.percent,
        )
    with pytest.raises(services.NotAllowed, match="only a trainer or an administrator"):
        training.seat_summaries(store, sid, ASHA)
