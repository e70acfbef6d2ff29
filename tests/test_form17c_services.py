"""Form 17C Part I through the services (SQLite file and PostgreSQL) and the CLI: recorded,
journaled, replayed by `journal verify`, and used by the counting checks."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from encore_tui import services
from encore_tui.domain.form17c import Form17C, Form17CSource
from encore_tui.domain.setup import PollingStation
from encore_tui.services import form17c
from encore_tui.services.exporting import form20_csv
from encore_tui.services.importing import ImportProblem
from encore_tui.services.importing_form17c import read_form17c_csv
from encore_tui.store import open_store
from encore_tui.store.models import ro_record
from tests.conftest import (
    ADMIN,
    GUMMIDIPOONDI,
    OBSERVER,
    OPERATOR,
    OPERATOR2,
    RO,
    ROOT,
    approvable,
    small_setup,
)

HEADER = "polling_station_no,electors,voters_17a,votes_recorded,tendered,test_votes,cu_id,bu_id,vvpat_id\n"


def bare_ac(store):
    """small_setup without any 17C figure in the setup: only records count."""
    base = small_setup()
    stations = [PollingStation(number=s.number, electors=1000) for s in base.stations]
    ac_id = services.create_ac(store, base.model_copy(update={"stations": stations}), ADMIN)
    approvable(store, ac_id)
    return ac_id


def key_table(store, ac_id, station, votes, nota=0, total=None, round_no=1):
    values = {f"c{i}": v for i, v in enumerate(votes, start=1)} | {"nota": nota}
    values["total"] = sum(values.values()) if total is None else total
    for f, v in values.items():
        services.enter_cell(store, ac_id, round_no, station, f, v, OPERATOR)


def codes(store, ac_id, round_no, station) -> set[str]:
    return {c.code.code for c in services.round_view(store, ac_id, round_no).checks if c.station == station}


def write_csv(path: Path, body: str) -> Path:
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_records_every_row_journaled_and_verified(store, tmp_path):
    ac_id = bare_ac(store)
    f = write_csv(tmp_path / "17c.csv", "1,1000,700,650,2,0,cunem 1,BU1,VV1\n2,,,300,,,,,\n")
    recs = read_form17c_csv(f, {"1", "2", "3"})
    form17c.import_form17c(store, ac_id, recs, ADMIN, file=f.name)
    got = form17c.form17c(store, ac_id)
    assert got["1"] == Form17C(
        station="1",
        electors=1000,
        voters_17a=700,
        votes_recorded=650,
        tendered=2,
        test_votes=0,
        cu_id="CUNEM1",
        bu_id="BU1",
        vvpat_id="VV1",
        source=Form17CSource.IMPORT,
    )
    assert got["2"].votes_recorded == 300 and got["2"].tendered is None and "3" not in got
    assert services.verify_journal(store, ac_id).ok
    # a record changed behind the app's back is named by verify
    with store.engine.begin() as c:
        c.execute(
            update(ro_record)
            .where(ro_record.c.key == "form17c:2")
            .values(value=got["2"].model_copy(update={"votes_recorded": 301}).model_dump_json())
        )
    assert not services.verify_journal(store, ac_id).ok


@pytest.mark.parametrize(
    "body, line, field, words",
    [
        ("1,1000,700,650,,,,,\n1,1000,700,650,,,,,\n", 3, "polling_station_no", "listed twice"),
        ("1,1000,700,650,,,,,\n9,1000,700,650,,,,,\n", 3, "polling_station_no", "not in this AC"),
        ("1,1000,700,,,,,,\n", 2, "votes_recorded", "required"),
        ("1,1000,700,6S0,,,,,\n", 2, "votes_recorded", "not a whole number"),
        ("1,1000,700,701,,,,,\n", 2, "votes_recorded", "EVM votes 701 > voters in 17A 700"),
        ("1,600,700,650,,,,,\n", 2, "voters_17a", "voters in 17A 700 > electors 600"),
        ("1,1000,700,650,,,CU-1,,\n", 2, "cu_id", "not an EVM serial"),
        ("1,1000,700,650,,,,,,extra\n", 2, None, "more cells than columns"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_with_file_line_and_field(tmp_path, body, line, field, words):
    f = write_csv(tmp_path / "bad.csv", body)
    with pytest.raises(ImportProblem) as exc:
        read_form17c_csv(f, {"1", "2"})
    assert (exc.value.line, exc.value.field) == (line, field)
    assert words in str(exc.value) and "bad.csv" in str(exc.value)


def test_missing_column_is_refused_naming_it(tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("polling_station_no,votes_recorded\n1,5\n", encoding="utf-8")
    with pytest.raises(ImportProblem) as exc:
        read_form17c_csv(f)
    assert exc.value.line == 1 and exc.value.field == "electors"


def test_import_is_all_or_nothing_in_the_store(store):
    ac_id = bare_ac(store)
    good = Form17C(station="1", votes_recorded=5)
    bad = Form17C(station="2", voters_17a=5, votes_recorded=6)
    with pytest.raises(services.InvalidValue, match="PS 2"):
        form17c.import_form17c(store, ac_id, [good, bad], ADMIN)
    assert form17c.form17c(store, ac_id) == {}
    with pytest.raises(services.NotAllowed):
        form17c.import_form17c(store, ac_id, [good], OPERATOR)


def test_keyed_fields_are_each_a_unit_of_work(store):
    ac_id = bare_ac(store)
    form17c.enter_form17c(store, ac_id, "1", "electors", 1000, OPERATOR)
    form17c.enter_form17c(store, ac_id, "1", "votes_recorded", 650, OPERATOR, expected=None)
    form17c.enter_form17c(store, ac_id, "1", "cu_id", form17c.parse_field("cu_id", "cu 77"), OPERATOR)
    rec = form17c.form17c(store, ac_id)["1"]
    assert (rec.electors, rec.votes_recorded, rec.cu_id, rec.source) == (1000, 650, "CU77", "keyed")
    with pytest.raises(services.StaleEdit, match="changed it to 650"):
        form17c.enter_form17c(store, ac_id, "1", "votes_recorded", 651, OPERATOR2, expected=None)
    with pytest.raises(services.InvalidValue, match="voters in 17A 1001 > electors 1000"):
        form17c.enter_form17c(store, ac_id, "1", "voters_17a", 1001, OPERATOR)
    with pytest.raises(services.InvalidValue, match="digits"):
        form17c.parse_field("tendered", "1,0")
    with pytest.raises(services.InvalidValue, match="not a polling station"):
        form17c.enter_form17c(store, ac_id, "99", "tendered", 1, OPERATOR)
    with pytest.raises(services.NotAllowed):
        form17c.enter_form17c(store, ac_id, "1", "tendered", 1, OBSERVER)
    assert services.verify_journal(store, ac_id).ok


def test_checks_use_the_record_and_block_submission(store):
    ac_id = bare_ac(store)
    for s in ("1", "2", "3"):
        key_table(store, ac_id, s, (100, 100, 100))
    assert {"W202"} <= codes(store, ac_id, 1, "1")  # no record: W202, never an invented figure
    form17c.import_form17c(
        store,
        ac_id,
        [
            Form17C(station="1", votes_recorded=300, electors=1000, cu_id="CU1"),
            Form17C(station="2", votes_recorded=309),  # a typo that still adds up: +9
            Form17C(station="3", votes_recorded=90),
        ],
        ADMIN,
    )
    assert not codes(store, ac_id, 1, "1") & {"W201", "W202", "E122"}
    assert "W201" in codes(store, ac_id, 1, "2")
    assert "E122" in codes(store, ac_id, 1, "3")  # 100 votes each > 90 recorded (and W201)
    with pytest.raises(services.RoundBlocked) as exc:
        services.submit_round(store, ac_id, 1, OPERATOR)
    assert {c.code.code for c in exc.value.checks} >= {"W201", "E122"}


def test_cu_serial_mismatch_blocks_submission_when_the_ro_turned_it_on(store):
    ac_id = bare_ac(store)
    form17c.import_form17c(
        store, ac_id, [Form17C(station=s, votes_recorded=300, cu_id=f"CU{s}") for s in ("1", "2", "3")], ADMIN
    )
    for s in ("1", "2", "3"):
        key_table(store, ac_id, s, (100, 100, 100))
    assert not codes(store, ac_id, 1, "1") & {"E120", "E121"}  # off by default
    with pytest.raises(services.NotAllowed):
        form17c.set_cu_confirmation(store, ac_id, True, OPERATOR)
    form17c.set_cu_confirmation(store, ac_id, True, RO)
    assert "E121" in codes(store, ac_id, 1, "1")
    form17c.confirm_cu_serial(store, ac_id, "1", "cu 1", OPERATOR)
    form17c.confirm_cu_serial(store, ac_id, "2", "CU2", OPERATOR)
    form17c.confirm_cu_serial(store, ac_id, "3", "CU2", OPERATOR)  # the wrong machine
    assert not codes(store, ac_id, 1, "1") & {"E120", "E121"}
    assert "E120" in codes(store, ac_id, 1, "3")
    with pytest.raises(services.RoundBlocked, match="E120"):
        services.submit_round(store, ac_id, 1, OPERATOR)
    form17c.confirm_cu_serial(store, ac_id, "3", "CU3", OPERATOR)
    services.submit_round(store, ac_id, 1, OPERATOR)
    with pytest.raises(services.ServiceError, match="submitted"):
        form17c.enter_form17c(store, ac_id, "1", "votes_recorded", 301, OPERATOR)
    assert services.verify_journal(store, ac_id).ok


def test_a_cell_is_bounded_by_the_electors_on_the_17c(store):
    ac_id = bare_ac(store)
    form17c.enter_form17c(store, ac_id, "1", "electors", 520, OPERATOR)
    with pytest.raises(services.InvalidValue, match="520 electors"):
        services.enter_cell(store, ac_id, 1, "1", "c1", 521, OPERATOR)


def test_form20_export_takes_tendered_from_the_17c_record_and_postal_has_none(store):
    ac_id = bare_ac(store)
    form17c.import_form17c(
        store,
        ac_id,
        [Form17C(station="1", votes_recorded=3, tendered=2), Form17C(station="4", tendered=1)],
        ADMIN,
    )
    ctx, f20 = services.form20(store, ac_id)
    rows = list(csv.reader(form20_csv(ctx.setup, f20).splitlines()))
    assert rows[0][-1] == "tendered"
    by = {r[1] if r[0] not in ("EVM", "POSTAL", "TOTAL") else r[0]: r for r in rows[1:]}
    assert by["1"][-1] == "2" and by["4"][-1] == "1" and by["2"][-1] == ""
    assert by["EVM"][-1] == "3" and by["POSTAL"][-1] == "" and by["TOTAL"][-1] == "3"


def _cli(db: Path, *args, check=True):
    r = subprocess.run(
        [sys.executable, "-m", "encore_tui", "--db", str(db), *args], capture_output=True, text=True, cwd=ROOT
    )
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_cli_form20_with_17c_marks_the_figures_as_taken_from_form20(tmp_path):
    db = tmp_path / "g.db"
    r = _cli(db, "import", "form20", str(GUMMIDIPOONDI), "--with-17c")
    assert "TAKEN FROM FORM 20" in r.stdout
    store = open_store(db)
    ac_id = services.list_acs(store)[0].ac_id
    recs = form17c.form17c(store, ac_id)
    assert len(recs) == 405 and {r.source for r in recs.values()} == {Form17CSource.FORM20}
    assert recs["1"].votes_recorded == 656
    from encore_tui.store import journal

    with store.read() as conn:
        (ev,) = [e for e in journal.events(conn, ac_id) if e.kind == "form17c.imported"]
    assert ev.payload["source"] == "form20"
    store.engine.dispose()
    assert "form20" in _cli(db, "form17c", "show", "1").stdout


def test_cli_import_form17c_and_bad_file_message(tmp_path):
    db = tmp_path / "g.db"
    r = _cli(db, "import", "form20", str(GUMMIDIPOONDI))
    assert "No Form 17C Part I yet" in r.stdout
    f = write_csv(
        tmp_path / "17c.csv", "1,874,657,656,0,0,CUNEM12345,BUNEM23456,VVNEM34567\n7 M,412,301,301,1,,,,\n"
    )
    r = _cli(db, "import", "form17c", str(f))
    assert "2 stations recorded" in r.stdout and "403 stations still have none" in r.stdout
    out = _cli(db, "form17c", "show").stdout
    assert "CUNEM12345" in out and "403 of 405 stations have no Form 17C" in out
    bad = write_csv(tmp_path / "bad.csv", "1,874,657,656,0,0,,,\n412,1,1,1,,,,,\n")
    r = _cli(db, "import", "form17c", str(bad), check=False)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "bad.csv, line 3, field 'polling_station_no': polling station 412 is not in this AC" in r.stderr
    assert "CUNEM12345" in _cli(db, "form17c", "show", "1").stdout  # nothing of bad.csv was written
    assert "0 difference(s)" in _cli(db, "form17c", "double").stdout


def test_a_second_blind_keying_shows_differences_that_block_the_round(store):
    ac_id = bare_ac(store)
    for f, v in (("electors", 1000), ("votes_recorded", 300), ("cu_id", "CU1")):
        form17c.enter_form17c(store, ac_id, "1", f, v, OPERATOR)
    form17c.enter_form17c(store, ac_id, "2", "votes_recorded", 300, OPERATOR)
    with pytest.raises(services.NotAllowed):
        form17c.open_double(store, ac_id, "op2", OPERATOR)
    services.add_user(store, "op1", "operator", "1111", "Operator One")
    services.add_user(store, "op2", "operator", "2222", "Operator Two")
    with pytest.raises(services.InvalidValue, match="someone else"):
        form17c.open_double(store, ac_id, "op1", RO)
    with pytest.raises(services.ServiceError, match="not assigned to you"):
        form17c.enter_form17c(store, ac_id, "1", "votes_recorded", 300, OPERATOR2, blind=True)
    form17c.open_double(store, ac_id, "op2", RO)
    assert form17c.blind_records(store, ac_id, OPERATOR2) == {}  # blind: not the first keying
    with pytest.raises(services.ServiceError, match="not assigned"):
        form17c.blind_records(store, ac_id, OPERATOR)
    for f, v in (("electors", 1000), ("votes_recorded", 390), ("cu_id", "CU1")):
        form17c.enter_form17c(store, ac_id, "1", f, v, OPERATOR2, blind=True)
    form17c.enter_form17c(store, ac_id, "2", "votes_recorded", 300, OPERATOR2, blind=True)
    assert form17c.form17c(store, ac_id)["1"].votes_recorded == 300  # the record is the first keying
    assert form17c.differences(store, ac_id) == [("1", "votes_recorded", 300, 390)]
    for s in ("1", "2", "3"):
        key_table(store, ac_id, s, (100, 100, 100))
    assert "E125" in codes(store, ac_id, 1, "1") and "E125" not in codes(store, ac_id, 1, "2")
    with pytest.raises(services.RoundBlocked, match="E125"):
        services.submit_round(store, ac_id, 1, OPERATOR)
    form17c.enter_form17c(store, ac_id, "1", "votes_recorded", 300, OPERATOR2, blind=True)  # op2 erred
    assert form17c.differences(store, ac_id) == []
    assert "E125" not in codes(store, ac_id, 1, "1")
    assert services.verify_journal(store, ac_id).ok
