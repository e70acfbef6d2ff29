"""Property tests (hypothesis): importers never half-import or crash, tallies always add up,
the round state machine stays legal, and random service sequences keep the store valid."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encore_tui import services
from encore_tui.domain import checks as ck
from encore_tui.domain import tally
from encore_tui.domain.entries import KeptAsideReason, TableEntry
from encore_tui.domain.rounds import Action, IllegalTransition, RoundStatus, can, next_status
from encore_tui.services.importing import ImportedAc, ImportProblem, read_form20_dir, read_setup_json
from tests.conftest import ADMIN, OPERATOR, RO, approvable, small_setup

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- importers -----------------------------------------------------------------------------------
GOOD_META = {
    "election": "E",
    "ac_no": 5,
    "ac_name": "X",
    "electors": 5000,
    "candidates": [{"serial": 1, "name": "A", "party": "P"}, {"serial": 2, "name": "B", "party": "Q"}],
}
GOOD_CSV = (
    "sl_no,polling_station_no,c1,c2,total_valid,rejected,nota,total\n1,1,10,5,15,0,1,16\n2,2,3,4,7,0,0,7\n"
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_meta(draw):
    meta = json.loads(json.dumps(GOOD_META))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*GOOD_META, "footer", "postal_tables", "counting_tables", "kind"]))
        if draw(st.booleans()) and key in meta:
            del meta[key]
        else:
            meta[key] = draw(json_values)
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)  # not even an object
    return meta


@st.composite
def mutated_csv(draw):
    lines = GOOD_CSV.splitlines()
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        cells = lines[i].split(",")
        j = draw(st.integers(0, len(cells) - 1))
        cells[j] = draw(st.text(alphabet='0123456789-," abc\n7M', max_size=6))
        lines[i] = ",".join(cells)
    if draw(st.booleans()):
        lines.append(draw(st.text(max_size=30)))
    return "\n".join(lines) + "\n"


def _outcome_is_clean(call) -> object:
    try:
        return call()
    except ImportProblem as exc:
        assert str(exc.file) in str(exc)  # the message names the file
        return exc


@FAST
@given(meta=mutated_meta(), table=mutated_csv(), raw=st.binary(max_size=40))
def test_form20_import_is_clean_refusal_or_valid(meta, table, raw):
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        (folder / "result.json").write_text(json.dumps(meta), encoding="utf-8")
        (folder / "form20_polling_stations.csv").write_bytes(
            table.encode() if raw[:1] != b"\xff" else raw + table.encode()
        )
        out = _outcome_is_clean(lambda: read_form20_dir(folder))
        if isinstance(out, ImportedAc):  # a valid import is complete and consistent
            assert {s.number for s in out.setup.stations} == set(out.station_values)
            for v in out.station_values.values():
                assert (
                    sum(v[f"c{i}"] for i in range(1, len(out.setup.candidates) + 1)) + v["nota"] == v["total"]
                )


@FAST
@given(doc=json_values, raw=st.binary(max_size=30))
def test_setup_json_import_is_clean_refusal_or_valid(doc, raw):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "setup.json"
        p.write_bytes(raw if raw[:1] == b"\xff" else json.dumps(doc).encode())
        _outcome_is_clean(lambda: read_setup_json(p))
        good = small_setup().model_dump_json()
        p.write_text(good[: len(good) * len(raw) // 31], encoding="utf-8")  # truncated files
        _outcome_is_clean(lambda: read_setup_json(p))


def test_the_importer_problem_names_line_and_field(tmp_path):
    (tmp_path / "result.json").write_text(json.dumps(GOOD_META))
    (tmp_path / "form20_polling_stations.csv").write_text(GOOD_CSV.replace("3,4,7", "3,x,7"))
    try:
        read_form20_dir(tmp_path)
    except ImportProblem as exc:
        assert exc.line == 3 and exc.field == "c2"
    else:  # pragma: no cover
        raise AssertionError("accepted a bad cell")


# -- domain: tallies and checks ------------------------------------------------------------------
@st.composite
def entries(draw, n: int, postal: bool = False, round_no: int = 1, tables: int = 3):
    out = []
    for t in range(1, tables + 1):
        if not postal and draw(st.integers(0, 5)) == 0:
            out.append(TableEntry(round_no, t, str(t), {}, KeptAsideReason.CU_DISPLAY_FAILURE))
            continue
        vals = {f"c{i}": draw(st.integers(0, 500)) for i in range(1, n + 1)}
        vals["nota"] = draw(st.integers(0, 50))
        if postal:
            vals["rejected"] = draw(st.integers(0, 50))
        total = sum(vals.values())
        vals["total"] = total if draw(st.booleans()) else total + draw(st.integers(-3, 3))
        if draw(st.integers(0, 6)) == 0:
            vals.pop(draw(st.sampled_from(sorted(vals))))
        out.append(TableEntry(round_no, t, str(t), vals))
    return out


@FAST
@given(data=st.data(), n=st.integers(1, 8), rounds=st.integers(1, 5))
def test_tallies_always_add_up(data, n, rounds):
    rs = {r: data.draw(entries(n, round_no=r)) for r in range(1, rounds + 1)}
    postal = tally.entry_totals(data.draw(entries(n, postal=True, tables=1))[0], n)
    tallies = tally.round_tallies(rs, n, postal)
    acc = postal
    for t in tallies:
        assert t.brought_forward == acc
        assert t.cumulative == acc + t.this_round
        assert t.this_round.total == t.this_round.total_valid + t.this_round.nota + t.this_round.rejected
        acc = t.cumulative
        lead = t.lead
        if lead.leader is not None:
            votes = t.cumulative.votes
            assert votes[lead.leader - 1] == max(votes)  # NOTA is not in votes: never leads
            assert lead.margin >= 0
            assert lead.is_tie == (sorted(votes)[-2:].count(max(votes)) == 2 if n > 1 else False)
    assert acc.total == postal.total + sum(tally.entry_totals(e, n).total for r in rs.values() for e in r)


@FAST
@given(data=st.data(), n=st.integers(1, 6))
def test_checks_flag_exactly_the_tables_that_do_not_add_up(data, n):
    setup = small_setup(n_candidates=n, n_stations=3)
    es = data.draw(entries(n))
    found = ck.check_round(setup, 1, es)
    for e in es:
        codes = {c.code.code for c in found if c.table_no == e.table_no}
        if e.kept_aside:
            assert codes == {"W203"}
            continue
        missing = e.missing(n, postal=False)
        assert ("E102" in codes) == bool(missing)
        if not missing:
            assert ("E101" in codes) == (e.counted_sum(n) != e.values["total"])


@FAST
@given(actions=st.lists(st.sampled_from(list(Action)), max_size=30))
def test_the_state_machine_never_reaches_an_illegal_state(actions):
    status = RoundStatus.DRAFT
    for a in actions:
        if can(status, a):
            new = next_status(status, a)
            assert new in RoundStatus
            if a is Action.APPROVE:
                assert new is RoundStatus.APPROVED
            if new is RoundStatus.PUBLISHED:
                assert status is RoundStatus.APPROVED  # only an approved round is published
            status = new
        else:
            try:
                next_status(status, a)
            except IllegalTransition:
                pass
            else:  # pragma: no cover
                raise AssertionError(f"{status} accepted {a}")


# -- random service sequences against a real store ----------------------------------------------
ops = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from([0, 1, 2, 3]), st.integers(0, 2), st.integers(0, 5),
              st.one_of(st.none(), st.integers(-2, 1200))),
    st.tuples(st.just("keep"), st.sampled_from([1, 2, 3]), st.integers(0, 2)),
    st.tuples(st.just("restore"), st.sampled_from([1, 2, 3]), st.integers(0, 2)),
    st.tuples(st.just("ack"), st.sampled_from([1, 2, 3]), st.integers(0, 2)),
    st.tuples(st.just("submit"), st.sampled_from([0, 1, 2, 3])),
    st.tuples(st.just("return"), st.sampled_from([0, 1, 2, 3])),
    st.tuples(st.just("approve"), st.sampled_from([0, 1, 2, 3])),
    st.tuples(st.just("correct"), st.sampled_from([0, 1, 2, 3])),
    st.tuples(st.just("publish"), st.sampled_from([0, 1, 2, 3])),
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seq=st.lists(ops, min_size=1, max_size=40))
def test_random_service_sequences_keep_the_store_valid(seq):
    from encore_tui.store import open_store

    with tempfile.TemporaryDirectory() as d:
        store = open_store(Path(d) / "s.db")
        ac_id = services.create_ac(store, small_setup(), ADMIN)
        approvable(store, ac_id)
        ctx = services.load_context(store, ac_id)
        for op in seq:
            kind, r = op[0], op[1]
            tables = ctx.tables_of(r)
            try:
                if kind == "cell":
                    station = tables[op[2] % len(tables)]
                    fields = ctx.fields_of(r)
                    services.enter_cell(
                        store, ac_id, r, station, fields[op[3] % len(fields)], op[4], OPERATOR
                    )
                elif kind in ("keep", "restore", "ack"):
                    station = tables[op[2] % len(tables)]
                    if kind == "keep":
                        services.keep_aside(store, ac_id, r, station, "cu_display_failure", OPERATOR)
                    elif kind == "restore":
                        services.restore_table(store, ac_id, r, station, OPERATOR)
                    else:
                        services.acknowledge_warning(store, ac_id, r, station, "W201", OPERATOR)
                elif kind == "submit":
                    services.submit_round(store, ac_id, r, OPERATOR)
                elif kind == "return":
                    services.return_round(store, ac_id, r, "check", RO)
                elif kind == "approve":
                    services.approve_round(store, ac_id, r, RO)
                elif kind == "correct":
                    services.open_correction(store, ac_id, r, "fix", RO)
                else:
                    services.publish_round(store, ac_id, r, RO)
            except (services.ServiceError, IllegalTransition):
                pass  # refused with a message: allowed; anything else fails the test
        # every stored value is valid, and the journal re-derives the state
        for r in (0, 1, 2, 3):
            v = services.round_view(store, ac_id, r)
            assert v.info.status in RoundStatus
            for e in v.entries:
                assert all(0 <= x <= 7000 for x in e.values.values())
                assert not (e.kept_aside and e.values)
                if v.info.status.is_approved:
                    assert not [c for c in v.checks if c.is_error and c.table_no == e.table_no]
        rep = services.verify_journal(store, ac_id)
        assert rep.ok, rep
        store.close()
