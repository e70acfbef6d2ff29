"""`encore ro / vvpat / recount / declare` at a console, on a real SQLite store file."""

from __future__ import annotations

import io

import pytest

from encore_tui import services
from encore_tui.cli import main as cli
from tests.conftest import OPERATOR
from tests.support.ro import PDF, RO_PIN, make_ac, postal, type_round, votes_of


@pytest.fixture
def console(sqlite_store, monkeypatch, capsys):
    store = sqlite_store
    ac_id = make_ac(store)
    db = store.engine.url.database

    def run(*argv, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["--db", db, *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return store, ac_id, run


def test_an_ro_reviews_approves_returns_corrects_and_declares_at_the_console(console, tmp_path):
    store, ac_id, run = console
    postal(store, ac_id, approve=False)
    (tmp_path / "13a.pdf").write_bytes(PDF)
    assert run("ro", "attach", "form13a", str(tmp_path / "13a.pdf"), "--user", "op1", stdin="1111\n")[0] == 0
    code, out, _ = run("ro", "scans")
    assert "Form 13A" in out and "13a.pdf" in out
    assert run("ro", "approve", "0", "--user", "ro1", stdin=RO_PIN + "\n")[0] == 0
    for r in (1, 2):
        type_round(store, ac_id, r)
        services.submit_round(store, ac_id, r, OPERATOR)

    code, out, _ = run("ro", "queue")
    assert code == 0 and "    1  evm" in out and "    2  evm" in out
    code, out, _ = run("ro", "show", "1")
    assert "Ready for approval" in out and "cumulative" in out
    code, _, err = run("ro", "approve", "1", "--user", "ro1", stdin="0000\n")
    assert code == 2 and "Wrong user name or PIN" in err
    code, _, err = run("ro", "approve", "1", "--user", "op1", stdin="1111\n")
    assert code == 2 and "may not approve" in err
    code, out, _ = run("ro", "approve", "1", "--user", "ro1", stdin=RO_PIN + "\n")
    assert code == 0 and "approved by Returning Officer" in out
    code, out, _ = run(
        "ro", "return", "2", "--remark", "table 1: check c2", "--user", "ro1", stdin=RO_PIN + "\n"
    )
    assert code == 0 and "returned" in out
    services.submit_round(store, ac_id, 2, OPERATOR)
    assert run("ro", "approve", "2", "--user", "ro1", stdin=RO_PIN + "\n")[0] == 0

    code, out, _ = run(
        "ro", "correct", "1", "--reason", "PS 1 c1/c2 swapped", "--user", "ro1", stdin=RO_PIN + "\n"
    )
    assert code == 0 and "rounds 2" in out
    v = votes_of(store, ac_id, "1")
    code, out, _ = run(
        "ro",
        "enter",
        "1",
        "1",
        f"c1={v['c1'] - 1}",
        f"c2={v['c2'] + 1}",
        "--user",
        "ro1",
        stdin=RO_PIN + "\n",
    )
    assert code == 0 and f"c1: {v['c1']} → {v['c1'] - 1}" in out
    code, _, err = run("ro", "enter", "1", "1", "c1=x1", "--user", "ro1", stdin=RO_PIN + "\n")
    assert code == 2 and "digits 0-9" in err
    code, out, _ = run("ro", "show", "1")
    assert "Changed since revision 1 (approved by ro1)" in out and "c1:" in out
    for r in (1, 2):
        assert run("ro", "approve", str(r), "--user", "ro1", stdin=RO_PIN + "\n")[0] == 0
    code, out, _ = run("ro", "annex", "1")
    assert "Revision 1 → 2" in out and "PS 1 c1/c2 swapped" in out and "Approved by ro1" in out

    type_round(store, ac_id, 3)
    services.submit_round(store, ac_id, 3, OPERATOR)
    assert run("ro", "approve", "3", "--user", "ro1", stdin=RO_PIN + "\n")[0] == 0
    code, out, _ = run(
        "vvpat",
        "draw",
        "1",
        "3",
        "4",
        "6",
        "7",
        "--drawn-by",
        "agent of P2",
        "--user",
        "ro1",
        stdin=RO_PIN + "\n",
    )
    assert code == 0, out
    for s in ("1", "3", "4", "6", "7"):
        v = services.round_view(store, ac_id, services.load_context(store, ac_id).plan.locate(s).round_no)
        e = next(e for e in v.entries if e.station == s)
        counts = [f"{f}={e.values[f]}" for f in ("c1", "c2", "c3", "nota")]
        code, out, err = run("vvpat", "enter", s, *counts, "--user", "op1", stdin="1111\n")
        assert code == 0 and "match" in out, err
    code, out, _ = run("vvpat", "status")
    assert "Drawn by lot: PS 1, 3, 4, 6, 7" in out
    assert run("vvpat", "complete", "--user", "ro1", stdin=RO_PIN + "\n")[0] == 0
    code, out, _ = run("declare", "status")
    assert "E117" in out
    assert run("declare", "sign-form20", "--user", "ro1", stdin=RO_PIN + "\n")[0] == 0
    code, _, err = run(
        "recount",
        "--applicant",
        "P2",
        "--stations",
        "1",
        "--allow",
        "--reason",
        "x",
        "--user",
        "ro1",
        stdin=RO_PIN + "\n",
    )
    assert code == 2 and "no recount application" in err
    code, out, _ = run("declare", "result", "--place", "Testpur", "--user", "ro1", stdin=RO_PIN + "\n")
    assert code == 0 and "CANDIDATE 1 (P1) elected" in out
    code, out, _ = run("journal", "verify")
    assert code == 0 and "matches" in out


def test_a_write_without_a_user_says_what_to_do(console):
    _store, _ac_id, run = console
    code, _, err = run("ro", "approve", "1")
    assert code == 2 and "--user NAME" in err


def test_field_value_arguments_are_checked_alike_before_anything_is_saved(console):
    """`ro enter`, `vvpat enter` and `form17c set` read FIELD=VALUE the same way
    (cli.common.field_values): an item without '=' is refused, naming it, before sign-in."""
    store, ac_id, run = console
    for argv, example in [
        (("ro", "enter", "1", "1", "c1=5", "c2"), "FIELD=NUMBER, e.g. c2=118"),
        (("vvpat", "enter", "1", "c1=5", "c2"), "each count as FIELD=NUMBER"),
        (("vvpat", "enter", "1", "c1=5", "c2=x"), "each count as FIELD=NUMBER"),
        (("form17c", "set", "1", "votes_recorded=656", "cu_id"), "FIELD=VALUE, e.g. votes_recorded=656"),
    ]:
        code, out, err = run(*argv, "--user", "ro1", stdin="")  # no PIN given: never asked for
        assert code == 2, (argv, out, err)
        assert f"'{argv[-1]}': write {example}" in err, err
    assert services.round_view(store, ac_id, 1).entries[0].values == {}
