"""`encore export cdf`: the NIST SP 1500-100 v2 Election Results Common Data Format. Each report
is validated against the official JSON Schema (shared/standards/nist-1500-100-v2) and its counts
are checked against Form 20 — during counting (only RO-approved rounds) and after the
declaration — on the real Gummidipoondi AC and on a 36-candidate synthetic AC."""

from __future__ import annotations

import json

import pytest

from benchmarks.synthetic import make_setup
from encore_tui import services
from encore_tui.cli.main import main
from encore_tui.services import cdf, form17c, ro, ro_result, ro_vvpat
from encore_tui.services.importing import read_form20_dir
from encore_tui.store import open_store
from tests.conftest import ADMIN, GUMMIDIPOONDI, OPERATOR, RO, ROOT, approvable
from tests.support.ro import RO_PIN

jsonschema = pytest.importorskip("jsonschema")  # the `test` extra

SCHEMA = ROOT.parent / "shared" / "standards" / "nist-1500-100-v2" / "NIST_V2_election_results_reporting.json"


@pytest.fixture(scope="module")
def validator():
    assert SCHEMA.is_file(), f"the official NIST schema is missing: {SCHEMA}"
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def valid(validator, report: dict) -> dict:
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return report


def counts(report: dict) -> dict[str, dict[tuple[str, str], int]]:
    """selection id -> {(GpUnit Number or id, count type): votes}."""
    numbers = {u["@id"]: u.get("Number", u["@id"]) for u in report["GpUnit"]}
    out: dict[str, dict] = {}
    (contest,) = report["Election"][0]["Contest"]
    for sel in contest["ContestSelection"]:
        out[sel["@id"]] = {}
        for vc in sel["VoteCounts"]:
            key = (numbers[vc["GpUnitId"]] if vc["Type"] == "election-day" else "AC", vc["Type"])
            assert key not in out[sel["@id"]], f"counted twice: {key}"
            out[sel["@id"]][key] = vc["Count"]
    return out


def check_against_form20(report: dict, store, ac_id: int, stations: set[str], postal: bool) -> None:
    """Every reported station's figures are its Form 20 row; nothing else is reported; the
    postal figures are Form 20's postal footer; rejected and total ballots agree."""
    ctx, f20 = services.form20(store, ac_id)
    n = ctx.n
    got = counts(report)
    assert list(got) == [f"sel-{i}" for i in range(1, n + 1)] + ["sel-nota"]
    by_station = {row.station: row for row in f20.rows}
    for i in range(n + 1):
        sel = f"sel-{i + 1}" if i < n else "sel-nota"
        want = {
            (s, "election-day"): (by_station[s].totals.votes[i] if i < n else by_station[s].totals.nota)
            for s in stations
        }
        if postal:
            want[("AC", "absentee-mail")] = f20.postal.votes[i] if i < n else f20.postal.nota
        assert got[sel] == want, sel
    contest = report["Election"][0]["Contest"][0]
    assert (contest["SubUnitsReported"], contest["TotalSubUnits"]) == (len(stations), len(f20.rows))
    ballots = report["Election"][0]["BallotCounts"]
    assert sum(b["BallotsCast"] for b in ballots) == sum(by_station[s].totals.total for s in stations) + (
        f20.postal.total if postal else 0
    )
    assert sum(b["BallotsRejected"] for b in ballots) == sum(
        by_station[s].totals.rejected for s in stations
    ) + (f20.postal.rejected if postal else 0)


def totals_by_selection(report: dict) -> list[int]:
    return [sum(c.values()) for c in counts(report).values()]


def approve(store, ac_id: int, rounds) -> None:
    for r in rounds:
        services.submit_round(store, ac_id, r, OPERATOR)
        ro.approve(store, ac_id, r, RO, RO_PIN)


def declare(store, ac_id: int, station_values: dict, drawn: list[str]) -> None:
    ro_vvpat.record_draw(store, ac_id, drawn, "youngest agent present", "General Observer; agents", RO)
    n = services.load_context(store, ac_id).n
    fields = [f"c{i}" for i in range(1, n + 1)] + ["nota"]
    for s in drawn:
        ro_vvpat.enter_slip_count(store, ac_id, s, {f: station_values[s][f] for f in fields}, OPERATOR)
    ro_vvpat.complete_vvpat(store, ac_id, RO)
    ro_result.sign_form20(store, ac_id, RO, RO_PIN)
    ro_result.declare_result(store, ac_id, RO, RO_PIN, place="the counting hall")


def synthetic(candidates: int, stations: int, tables: int):
    """benchmarks/synthetic.py's AC, with electors enough for its made-up turnout (36 candidates
    can poll more than a station's random electors, which the checks rightly refuse, and a
    turnout over 95 % is an anomaly the RO must acknowledge: W204)."""
    setup, values = make_setup(candidates=candidates, stations=stations, tables=tables)
    roomy = [
        s.model_copy(update={"electors": max(s.electors, values[s.number]["total"] * 5 // 4)})
        for s in setup.stations
    ]
    return setup.model_copy(update={"stations": roomy}), values


def _ac(store, setup, station_values, postal, form17c_records=None) -> int:
    ac_id = services.create_ac(store, setup, ADMIN)
    services.add_user(store, RO.username, "ro", RO_PIN, RO.display_name)
    approvable(store, ac_id)
    if form17c_records:  # a rehearsal: Part I taken from Form 20 (else W202 blocks each submit)
        form17c.import_form17c(store, ac_id, form17c_records, ADMIN)
    services.import_results(store, ac_id, station_values, postal, ADMIN)
    return ac_id


@pytest.mark.slow
def test_gummidipoondi_during_counting_and_after_the_declaration(tmp_path, validator, capsys):
    db = tmp_path / "encore.db"
    store = open_store(db)
    imp = read_form20_dir(GUMMIDIPOONDI)
    ac_id = _ac(store, imp.setup, imp.station_values, imp.postal_values, imp.form17c)
    ctx = services.load_context(store, ac_id)

    # nothing approved yet: every figure is entered, none may be published
    report = valid(validator, cdf.cdf_report(store, ac_id))
    assert report["Status"] == "unofficial-partial"
    check_against_form20(report, store, ac_id, set(), postal=False)

    # the postal round and rounds 1..10 approved; 11..29 entered, not approved
    approve(store, ac_id, [0, *range(1, 11)])
    report = valid(validator, cdf.cdf_report(store, ac_id))
    assert report["Status"] == "unofficial-partial"
    first_ten = {s for r in range(1, 11) for s in ctx.tables_of(r)}
    assert len(first_ten) == 140
    check_against_form20(report, store, ac_id, first_ten, postal=True)
    assert "EVM rounds approved by the RO: 10 of 29" in report["Notes"]

    approve(store, ac_id, range(11, 30))
    assert valid(validator, cdf.cdf_report(store, ac_id))["Status"] == "unofficial-complete"
    declare(store, ac_id, imp.station_values, ["7 M", "42", "150", "233", "330"])
    store.close()

    out = tmp_path / "gummidipoondi-cdf.json"
    assert main(["--db", str(db), "export", "cdf", "-o", str(out)]) == 0
    assert f"Results written to {out}" in capsys.readouterr().err
    report = valid(validator, json.loads(out.read_text()))
    assert report["Status"] == "certified"
    store = open_store(db, create=False)
    check_against_form20(report, store, ac_id, {s.number for s in imp.setup.stations}, postal=True)
    store.close()
    # the official Form 20 footer ("Total Votes Polled"), candidate by candidate, then NOTA
    official = json.loads((GUMMIDIPOONDI / "result.json").read_text())["footer"]["total_polled"]
    assert totals_by_selection(report) == [*official["candidates"], official["nota"]]
    winner = [c for c in report["Election"][0]["Candidate"] if c.get("PostElectionStatus") == "winner"]
    assert [w["@id"] for w in winner] == ["cand-1"]
    assert len(report["GpUnit"]) == 1 + 405 and {p["@id"] for p in report["Party"]} >= {
        "party-DMK",
        "party-PMK",
    }


def test_a_36_candidate_synthetic_ac_during_counting_and_after_the_declaration(store, validator):
    """On SQLite and on PostgreSQL (the report is read in one REPEATABLE READ snapshot there)."""
    setup, values = synthetic(candidates=36, stations=70, tables=14)
    postal = {f"c{i}": 3 * i for i in range(1, 37)} | {"nota": 4, "rejected": 9}
    postal["total"] = sum(postal.values())
    ac_id = _ac(store, setup, values, postal)
    ctx = services.load_context(store, ac_id)
    assert ctx.last_round == 5

    approve(store, ac_id, [1, 2])  # the postal round is not approved yet
    report = valid(validator, cdf.cdf_report(store, ac_id))
    assert report["Status"] == "unofficial-partial" and report["IsTest"] is True
    check_against_form20(report, store, ac_id, {s for r in (1, 2) for s in ctx.tables_of(r)}, postal=False)
    statuses = {s["Type"]: s["Status"] for s in report["Election"][0]["Contest"][0]["CountStatus"]}
    assert statuses == {"election-day": "in-process", "absentee-mail": "not-processed"}

    approve(store, ac_id, [0, 3, 4, 5])
    declare(store, ac_id, values, [setup.stations[i].number for i in (0, 13, 24, 40, 69)])
    report = valid(validator, cdf.cdf_report(store, ac_id))
    assert report["Status"] == "certified"
    check_against_form20(report, store, ac_id, set(values), postal=True)
    _, f20 = services.form20(store, ac_id)
    assert totals_by_selection(report) == [*f20.total_polled.votes, f20.total_polled.nota]
    assert len(report["Election"][0]["Candidate"]) == 37  # 36 and NOTA


def test_the_validator_refuses_a_broken_report(sqlite_store, validator):
    """The schema check is not vacuous: a wrong status or a count of the wrong type fails."""
    setup, values = synthetic(candidates=3, stations=5, tables=5)
    ac_id = _ac(sqlite_store, setup, values, None)
    report = valid(validator, cdf.cdf_report(sqlite_store, ac_id))
    report["Status"] = "declared"
    report["Election"][0]["Contest"][0]["ContestSelection"][0]["VoteCounts"] = [
        {"@type": "ElectionResults.VoteCounts", "GpUnitId": "ru-ac-900", "Type": "evm", "Count": 1}
    ]
    paths = {tuple(e.absolute_path)[:1] for e in validator.iter_errors(report)}
    assert ("Status",) in paths and ("Election",) in paths
