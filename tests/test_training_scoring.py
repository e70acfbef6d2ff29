"""The training answer key and the scoring of a trainee's journal: pure, with property tests."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from encore_tui.domain import training as tr
from encore_tui.domain.entries import entry_fields

N = 3  # candidates
FIELDS = entry_fields(N, postal=False)


def official_of(station: str) -> dict[str, int]:
    base = int(station) * 7 + 11
    v = {"c1": base, "c2": base // 2 + 3, "c3": int(station) % 5 + 1, "nota": 2}
    v["total"] = sum(v.values())
    return v


ROUNDS = {1: ("1", "2", "3"), 2: ("4", "5", "6")}
OFFICIAL = {s: official_of(s) for st_ in ROUNDS.values() for s in st_}


def key(*specs: str) -> tr.AnswerKey:
    return tr.make_key(ROUNDS, OFFICIAL, N, [tr.FaultSpec.parse(x) for x in specs])


class Stream:
    """Builds a journal event stream as the services would write it."""

    def __init__(self, ac_id: int = 7, t0: int = 0) -> None:
        self.ac_id, self.seq, self.t = ac_id, 0, t0
        self.events: list[tr.Event] = []

    def ev(self, kind: str, secs: float = 2.0, **payload) -> None:
        self.seq += 1
        self.t += secs
        h, rest = divmod(self.t, 3600)
        m, s = divmod(rest, 60)
        ts = f"2026-12-02T{int(h) + 8:02d}:{int(m):02d}:{s:09.6f}+00:00"
        self.events.append(tr.Event(self.ac_id, self.seq, ts, "asha", kind, payload))

    def cell(self, r: int, s: str, f: str, v: int | None, before: int | None = None) -> None:
        self.ev("cell.entered", round=r, station=s, field=f, before=before, after=v)

    def table(self, r: int, s: str, values: dict[str, int]) -> None:
        for f in FIELDS:
            self.cell(r, s, f, values[f])


def perfect(k: tr.AnswerKey, ac_id: int = 7) -> Stream:
    """A trainee who types every sheet and handles every fault as the key says."""
    out = Stream(ac_id)
    for r in sorted(k.rounds):
        for s in k.rounds[r]:
            f = k.fault_at(r, s)
            sheet, _note = k.sheet(r, s)
            if f is None:
                out.table(r, s, OFFICIAL[s])
            elif f.kind.keep_aside is not None:
                if sheet is not None:  # typed the sheet, saw the problem, cleared, kept aside
                    out.table(r, s, dict(sheet))
                    for fld in FIELDS:
                        out.cell(r, s, fld, None, before=sheet[fld])
                out.ev("table.kept_aside", round=r, station=s, reason=f.kind.keep_aside.value)
            elif f.kind is tr.FaultKind.SUM_MISMATCH:
                out.table(r, s, dict(sheet))  # E101 fires
                out.cell(r, s, "total", OFFICIAL[s]["total"], before=sheet["total"])
            else:  # RO_RETURN: typed as the sheet says; the RO returns; the operator fixes
                out.table(r, s, dict(sheet))
                out.ev("round.submitted", round=r)
                out.ev("round.returned", round=r, remark="c1/c2 transposed")
                for fld in FIELDS:
                    if sheet[fld] != OFFICIAL[s][fld]:
                        out.cell(r, s, fld, OFFICIAL[s][fld], before=sheet[fld])
        out.ev("round.submitted", round=r)
    return out


ALL_FAULTS = ("sum_mismatch@1/2", "total_ne_17c@1/3", "cu_display@2/4", "mock_poll@2/5", "ro_return@2/6")


def test_fault_specs_are_parsed_and_refused_with_a_clear_message():
    assert tr.FaultSpec.parse("cu_display@1/7 M") == tr.FaultSpec(tr.FaultKind.CU_DISPLAY, 1, "7 M")
    with pytest.raises(tr.TrainingError, match="KIND@ROUND/STATION"):
        tr.FaultSpec.parse("cu_display 1 7")
    with pytest.raises(tr.TrainingError, match="not a fault kind"):
        tr.FaultSpec.parse("gremlin@1/2")
    with pytest.raises(tr.TrainingError, match="PS 9 is not counted in round 1"):
        key("sum_mismatch@1/9")
    with pytest.raises(tr.TrainingError, match="not one of the session's rounds"):
        key("sum_mismatch@5/1")
    assert tr.parse_rounds("1-3") == [1, 2, 3] and tr.parse_rounds("2,1,2") == [1, 2]


def test_the_sheets_carry_the_faults_and_the_key_says_what_caught_means():
    k = key(*ALL_FAULTS)
    sheet, _ = k.sheet(1, "2")
    assert sheet["total"] == OFFICIAL["2"]["total"] + tr.SUM_DELTA
    assert sum(v for f, v in sheet.items() if f != "total") != sheet["total"]
    assert k.sheet(2, "4") == (None, tr.SHEET_NOTES[tr.FaultKind.CU_DISPLAY][0])
    assert k.fault_at(1, "3").form17c_total == OFFICIAL["3"]["total"] + tr.TOTAL_17C_DELTA
    swapped, _ = k.sheet(2, "6")
    assert swapped["c1"] == OFFICIAL["6"]["c2"] and swapped["c2"] == OFFICIAL["6"]["c1"]
    assert "E101" in k.fault_at(1, "2").caught_means
    assert "W201" in k.fault_at(1, "3").caught_means
    # tables kept aside have no expected cells: 6 tables, 3 kept aside, 5 fields each
    assert len(k.expected()) == 3 * len(FIELDS)
    assert tr.AnswerKey.from_json(*k.to_json()) == k
    wide = entry_fields(12, postal=False)  # c10 sorts before c2 in stored JSON
    k12 = tr.make_key({1: ("1",)}, {"1": {f: 1 for f in wide}}, 12, [tr.FaultSpec.parse("sum_mismatch@1/1")])
    stored = tr.AnswerKey.from_json(*json.loads(json.dumps(k12.to_json(), sort_keys=True)))
    assert list(stored.official["1"]) == list(stored.sheet(1, "1")[0]) == wide  # ballot order


def test_a_perfect_stream_scores_100_and_catches_every_fault():
    k = key(*ALL_FAULTS)
    s = tr.score(k, perfect(k).events, 7)
    assert (s.right, s.wrong, s.blank, s.caught) == (s.cells, 0, 0, 5)
    assert s.percent == 100.0
    assert [f.how for f in s.faults][:2] == [
        "E101 fired; total corrected",
        "W201, kept aside: CU total differs from Form 17C Part I",
    ]
    # the ro_return cells were wrong before the first submission: corrected before submit? no —
    # they were typed as the sheet said and fixed after the return, so not counted as corrected
    assert s.corrected == 1  # the miscopied total, fixed before the round was handed in
    assert s.rounds_submitted == 2


def test_missed_faults_say_what_the_trainee_did():
    k = key("cu_display@1/1", "total_ne_17c@1/2", "sum_mismatch@2/4")
    out = Stream()
    out.ev("table.kept_aside", round=1, station="1", reason="mock_poll_not_cleared")
    out.table(1, "2", OFFICIAL["2"])
    out.ev("warning.acknowledged", round=1, station="2", code="W201")
    s = tr.score(k, out.events, 7)
    assert [(f.caught, f.how) for f in s.faults] == [
        (False, "kept aside with the wrong reason (mock_poll_not_cleared)"),
        (False, "figures entered: not kept aside"),
        (False, "not typed"),
    ]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_changing_one_final_cell_turns_exactly_one_right_into_wrong(data):
    k = key(*data.draw(st.lists(st.sampled_from(ALL_FAULTS), unique=True, max_size=5)))
    stream = perfect(k)
    r, s, fld = data.draw(st.sampled_from(sorted(k.expected())))
    delta = data.draw(st.integers(1, 500))
    stream.cell(r, s, fld, OFFICIAL[s][fld] + delta, before=OFFICIAL[s][fld])
    a, b = tr.score(k, perfect(k).events, 7), tr.score(k, stream.events, 7)
    assert (b.right, b.wrong, b.blank) == (a.right - 1, a.wrong + 1, 0)
    assert b.wrong_cells == ((r, s, fld),)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_score_ignores_events_of_other_acs(data):
    k = key(*data.draw(st.lists(st.sampled_from(ALL_FAULTS), unique=True, max_size=5)))
    mine = perfect(k).events
    other = Stream(ac_id=8)
    for _ in range(data.draw(st.integers(0, 30))):
        r = data.draw(st.sampled_from(sorted(k.rounds)))
        s = data.draw(st.sampled_from(k.rounds[r]))
        kind = data.draw(st.sampled_from(["cell", "keep", "submit", "return"]))
        if kind == "cell":
            other.cell(r, s, data.draw(st.sampled_from(FIELDS)), data.draw(st.integers(0, 999)))
        elif kind == "keep":
            other.ev("table.kept_aside", round=r, station=s, reason="cu_display_failure")
        else:
            other.ev({"submit": "round.submitted", "return": "round.returned"}[kind], round=r)
    # interleave: other AC's events get sequence numbers of their own chain
    mixed = sorted(mine + other.events, key=lambda e: (e.ts, e.ac_id))
    assert tr.score(k, mixed, 7) == tr.score(k, mine, 7)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_typo_fixed_before_submit_counts_as_corrected_and_right(data):
    k = key()
    stream = Stream()
    typos = set(data.draw(st.lists(st.sampled_from(sorted(k.expected())), unique=True, max_size=6)))
    for r in sorted(k.rounds):
        for s in k.rounds[r]:
            for fld in FIELDS:
                want = OFFICIAL[s][fld]
                if (r, s, fld) in typos:
                    stream.cell(r, s, fld, want + 1)
                    stream.cell(r, s, fld, want, before=want + 1)
                else:
                    stream.cell(r, s, fld, want)
        stream.ev("round.submitted", round=r)
    sc = tr.score(k, stream.events, 7)
    assert (sc.right, sc.wrong, sc.corrected, sc.percent) == (sc.cells, 0, len(typos), 100.0)


def test_keys_per_minute_counts_digits_and_enter_over_capped_gaps():
    k = key()
    s = Stream()
    s.cell(1, "1", "c1", 123, None)  # 4 keys
    s.ev("cell.entered", secs=30, round=1, station="1", field="c2", before=None, after=45)  # 3 keys
    s.ev("cell.entered", secs=600, round=1, station="1", field="c3", before=None, after=6)  # 2, gap capped
    sc = tr.score(k, s.events, 7)
    assert sc.keystrokes == 9 and sc.active_seconds == 30 + tr.IDLE_CAP
    assert sc.keys_per_minute == pytest.approx(9 * 60 / 90)
    assert sc.table_seconds[(1, "1")] == 630


def test_ranking_and_cells_most_often_wrong():
    k = key("cu_display@1/1")
    good = tr.score(k, perfect(k).events, 7)
    bad_stream = perfect(k)
    bad_stream.cell(1, "2", "c1", 1, before=OFFICIAL["2"]["c1"])
    bad = tr.score(k, bad_stream.events, 7)
    worse_stream = perfect(k, ac_id=9)
    worse_stream.cell(1, "2", "c1", 1, before=OFFICIAL["2"]["c1"])
    worse_stream.cell(1, "2", "c2", 1, before=OFFICIAL["2"]["c2"])
    worse = tr.score(k, worse_stream.events, 9)
    ranked = tr.rank({"zara": worse, "bina": bad, "asha": good}, pass_mark=95)
    assert [(r.place, r.username, r.passed) for r in ranked] == [
        (1, "asha", True),
        (2, "bina", True),
        (3, "zara", False),
    ]
    # 5 tables of 5 cells to type + 1 fault: 25/26 = 96.2 % passes 95, 24/26 = 92.3 % does not
    assert [round(r.score.percent, 1) for r in ranked] == [100.0, 96.2, 92.3]
    assert tr.most_often_wrong([good, bad, worse])[0] == ((1, "2", "c1"), 2)
