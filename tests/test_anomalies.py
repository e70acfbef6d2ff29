"""Anomaly warnings W204–W208: configurable thresholds, acknowledged by the RO with a remark,
blocking the approval until then, listed on the round sheet."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encore_tui import services
from encore_tui.domain import anomalies as an
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.form17c import Form17C
from encore_tui.services import anomalies, ro
from tests.conftest import OPERATOR, RO, require_tool, small_setup
from tests.support.cli import console
from tests.support.ro import RO_PIN, make_ac, postal, type_table, verified

TH = an.AnomalyThresholds()


def entry(station: str, c: tuple[int, int, int], nota: int, round_no: int = 1, rejected: int | None = None):
    v = {"c1": c[0], "c2": c[1], "c3": c[2], "nota": nota}
    if rejected is not None:
        v["rejected"] = rejected
    return TableEntry(round_no, 1, station, v | {"total": sum(v.values())})


def codes(checks) -> set[str]:
    return {c.code.code for c in checks}


@given(
    c=st.tuples(st.integers(0, 400), st.integers(0, 400), st.integers(0, 400)),
    nota=st.integers(0, 100),
    electors=st.integers(1, 1500),
)
def test_each_anomaly_fires_exactly_above_its_threshold(c, nota, electors):
    setup = small_setup()
    e = entry("1", c, nota)
    total = sum(c) + nota
    got = codes(an.anomaly_checks(setup, [e], TH, form17c={"1": Form17C(station="1", electors=electors)}))
    assert ("W204" in got) == (total > 0 and total / electors > TH.turnout)
    judged = total >= TH.min_votes
    assert ("W205" in got) == (judged and max(c) / total > TH.candidate_share)
    assert ("W206" in got) == (judged and nota / total > TH.nota_share)
    assert "W207" not in got and "W208" not in got


def test_identical_figures_across_rounds_and_postal_rejected_share():
    setup = small_setup()
    a, b = entry("1", (60, 30, 10), 2), entry("5", (60, 30, 10), 2, round_no=2)
    small = entry("2", (5, 3, 1), 0)
    assert codes(an.anomaly_checks(setup, [b], TH, others=[a])) == {"W208"}
    assert "PS 1 (round 1)" in an.anomaly_checks(setup, [b], TH, others=[a])[0].message
    assert codes(an.anomaly_checks(setup, [a, b], TH)) == {"W208"}  # twins within a round too
    assert codes(an.anomaly_checks(setup, [small], TH, others=[small])) == set()  # under min_votes
    p = entry("P1", (40, 20, 0), 0, round_no=0, rejected=40)
    assert codes(an.anomaly_checks(setup, [p], TH, postal=True)) == {"W207"}
    loose = an.AnomalyThresholds(rejected_share=0.5)
    assert codes(an.anomaly_checks(setup, [p], loose, postal=True)) == set()
    (ack,) = an.anomaly_checks(setup, [b], TH, others=[a], acknowledged={("5", "W208"): "checked"})
    assert ack.acknowledged and ack.message.endswith("— RO: checked") and an.pending([ack]) == []


def test_an_anomaly_blocks_approval_until_the_ro_acknowledges_it_with_a_remark(store):
    ac_id = make_ac(store)
    postal(store, ac_id)
    # PS 1 (17C 101): 99 of 101 for candidate 1 (98 %); PS 2, 3 ordinary
    type_table(store, ac_id, 1, "1", {"c1": 99, "c2": 1, "c3": 0, "nota": 1, "total": 101})
    type_table(store, ac_id, 1, "2", {"c1": 50, "c2": 40, "c3": 11, "nota": 1, "total": 102})
    type_table(store, ac_id, 1, "3", {"c1": 50, "c2": 41, "c3": 11, "nota": 1, "total": 103})
    services.submit_round(store, ac_id, 1, OPERATOR)
    (w,) = anomalies.round_anomalies(store, ac_id, 1)
    assert (w.code.code, w.station, w.acknowledged) == ("W205", "1", False)
    assert "W205" in codes(ro.review_round(store, ac_id, 1).blockers)
    with pytest.raises(services.RoundBlocked, match="W205"):
        ro.approve(store, ac_id, 1, RO, RO_PIN)
    with pytest.raises(services.InvalidValue, match="remark"):
        anomalies.acknowledge_anomaly(store, ac_id, 1, "1", "W205", " ", RO)
    with pytest.raises(services.InvalidValue, match="not raised"):
        anomalies.acknowledge_anomaly(store, ac_id, 1, "2", "W205", "x", RO)
    with pytest.raises(services.NotAllowed):
        anomalies.acknowledge_anomaly(store, ac_id, 1, "1", "W205", "x", OPERATOR)
    anomalies.acknowledge_anomaly(store, ac_id, 1, "1", "W205", "candidate's home village; agents agree", RO)
    ro.approve(store, ac_id, 1, RO, RO_PIN)
    # a stricter threshold raises more, a looser one fewer
    anomalies.set_thresholds(store, ac_id, RO, candidate_share=0.45)
    assert {c.station for c in anomalies.round_anomalies(store, ac_id, 1)} == {"1", "2", "3"}
    with pytest.raises(services.InvalidValue, match="candidate_share"):
        anomalies.set_thresholds(store, ac_id, RO, candidate_share=1.5)
    with pytest.raises(services.NotAllowed):
        anomalies.set_thresholds(store, ac_id, OPERATOR, turnout=0.5)
    verified(store, ac_id)


def test_the_round_sheet_lists_anomalies_with_the_remark(sqlite_store, tmp_path):
    import subprocess

    from encore_tui.printing import documents

    pdftotext = require_tool("pdftotext")
    store = sqlite_store
    ac_id = make_ac(store)
    postal(store, ac_id)
    type_table(store, ac_id, 1, "1", {"c1": 99, "c2": 1, "c3": 0, "nota": 1, "total": 101})
    anomalies.acknowledge_anomaly(store, ac_id, 1, "1", "W205", "home village of the candidate", RO)
    pdf = tmp_path / "r1.pdf"
    pdf.write_bytes(documents.round_sheet(store, ac_id, 1))
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Anomaly warnings" in text
    assert "W205" in text and "home village of the candidate" in " ".join(text.split())


def test_anomalies_at_the_console(sqlite_store, monkeypatch, capsys):
    store = sqlite_store
    ac_id = make_ac(store)
    type_table(store, ac_id, 1, "1", {"c1": 99, "c2": 1, "c3": 0, "nota": 1, "total": 101})
    run = console(store, monkeypatch, capsys)
    code, out = run("anomalies", "show", "1")
    assert code == 0 and "W205 table 1 (PS 1)" in out and "[to acknowledge]" in out
    assert (
        run(
            "anomalies", "ack", "1", "1", "W205", "--remark", "checked", "--user", "ro1", stdin=RO_PIN + "\n"
        )[0]
        == 0
    )
    assert "[to acknowledge]" not in run("anomalies", "show", "1")[1]
    code, out = run("anomalies", "thresholds", "--turnout", "0.05", "--user", "ro1", stdin=RO_PIN + "\n")
    assert code == 0 and "turnout=0.05" in out
    assert "W204" in run("anomalies", "show", "1")[1]
    verified(store, ac_id)
