"""Importing the real Form 20 and exporting it back; malformed files are refused whole."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.services.exporting import form20_csv
from encore_tui.services.importing import ImportProblem, read_form20_dir, read_setup_json
from tests.conftest import ADMIN, GUMMIDIPOONDI, ROOT


def test_real_form20_round_trips_exactly(store):
    imp = read_form20_dir(GUMMIDIPOONDI)
    assert len(imp.setup.stations) == 405 and len(imp.setup.candidates) == 12
    ac_id = services.create_ac(store, imp.setup, ADMIN)
    assert services.load_context(store, ac_id).plan.round_count == 29
    services.import_results(store, ac_id, imp.station_values, imp.postal_values, ADMIN)
    ctx, f20 = services.form20(store, ac_id)
    out = list(csv.reader(form20_csv(ctx.setup, f20).splitlines()))
    original = list(csv.reader((GUMMIDIPOONDI / "form20_polling_stations.csv").read_text().splitlines()))
    assert out[: len(original)] == original
    footers = json.loads((GUMMIDIPOONDI / "result.json").read_text())["footer"]
    for row, key in zip(out[len(original) :], ("evm", "postal", "total_polled"), strict=True):
        f = footers[key]
        assert [int(x) for x in row[2:]] == [
            *f["candidates"],
            f["total_valid"],
            f["rejected"],
            f["nota"],
            f["total"],
        ]
    rep = services.verify_journal(store, ac_id)
    assert rep.ok and rep.events == 1 + 406


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "ac"
    shutil.copytree(GUMMIDIPOONDI, d)
    for p in d.iterdir():
        p.chmod(0o644)
    return d


def _edit_csv(d: Path, fn) -> None:
    p = d / "form20_polling_stations.csv"
    lines = p.read_text().splitlines()
    fn(lines)
    p.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "mutate, line, field, words",
    [
        (lambda L: L.__setitem__(0, L[0].replace(",nota,", ",nota_x,")), 1, "nota", "column missing"),
        (lambda L: L.__setitem__(2, L[2].replace(",394,", ",39x,", 1)), 3, "c1", "not a whole number"),
        (lambda L: L.__setitem__(5, L[4]), 6, "polling_station_no", "listed twice"),
        (lambda L: L.__setitem__(1, L[1].replace("1,1,570,", "1,1,571,", 1)), 2, "total_valid", "add up"),
    ],
)
def test_malformed_csv_is_refused_with_file_line_field(tmp_path, mutate, line, field, words):
    d = _copy(tmp_path)
    _edit_csv(d, mutate)
    with pytest.raises(ImportProblem) as exc:
        read_form20_dir(d)
    assert exc.value.line == line and exc.value.field == field and words in str(exc.value)
    assert "form20_polling_stations.csv" in str(exc.value)


def test_inconsistent_footer_and_bad_json_are_refused(tmp_path):
    d = _copy(tmp_path)
    meta = json.loads((d / "result.json").read_text())
    meta["footer"]["evm"]["candidates"][0] += 1
    (d / "result.json").write_text(json.dumps(meta))
    with pytest.raises(ImportProblem, match="EVM footer"):
        read_form20_dir(d)
    (d / "result.json").write_text("{ not json")
    with pytest.raises(ImportProblem, match="not valid JSON"):
        read_form20_dir(d)


def test_setup_json_bundled_demo_and_errors(tmp_path):
    s = read_setup_json(ROOT / "encore_tui" / "demo_data" / "bihar_demo" / "setup.json")
    assert s.fictional and s.candidates[0].name_hi and len(s.stations) == 40
    bad = json.loads((ROOT / "encore_tui" / "demo_data" / "bihar_demo" / "setup.json").read_text())
    bad["candidates"][1]["serial"] = 5
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(bad))
    with pytest.raises(ImportProblem, match="serials must be 1..8"):
        read_setup_json(p)


def run_cli(*args, db: Path, check=True):
    r = subprocess.run(
        [sys.executable, "-m", "encore_tui", "--db", str(db), *args], capture_output=True, text=True, cwd=ROOT
    )
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_cli_import_export_status_verify_and_tamper(tmp_path):
    db = tmp_path / "c.db"
    r = run_cli("import", "form20", str(GUMMIDIPOONDI), "--with-results", db=db)
    assert "29 rounds at 14 tables" in r.stdout
    out = tmp_path / "f20.csv"
    run_cli("export", "form20", "--format", "csv", "-o", str(out), db=db)
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[-1][0] == "TOTAL" and rows[-1][-1] == "222192"
    st = run_cli("status", db=db).stdout
    assert "leading GOVINDARAJAN T.J (DMK) 126452" in st and "margin 50938" in st
    assert "chain intact" in run_cli("journal", "verify", db=db).stdout
    import sqlite3

    c = sqlite3.connect(db)
    c.execute("UPDATE cell SET value = value + 1 WHERE station = '41' AND field = 'c1'")
    c.commit()
    c.close()
    bad = run_cli("journal", "verify", db=db, check=False)
    assert bad.returncode == 1 and "PS 41 c1" in bad.stdout and "FAILED at event #" in bad.stdout


def test_cli_bad_input_gives_a_message_not_a_traceback(tmp_path):
    d = _copy(tmp_path)
    _edit_csv(d, lambda L: L.__setitem__(2, L[2].replace(",394,", ",39x,", 1)))
    db = tmp_path / "x.db"
    r = run_cli("import", "form20", str(d), db=db, check=False)
    assert r.returncode == 2 and "line 3, field 'c1'" in r.stderr and "Traceback" not in r.stderr
    # nothing half-imported
    err = run_cli("status", db=db, check=False).stderr
    assert "There is no store" in err or "no AC yet" in err
    r = run_cli("status", db=tmp_path / "nowhere" / "y.db", check=False)
    assert r.returncode == 2 and "There is no store" in r.stderr
    r = run_cli("status", db="mysql://x", check=False)
    assert "Unknown database URL" in r.stderr


def test_cli_user_add_and_demo_store(tmp_path):
    db = tmp_path / "u.db"
    r = subprocess.run(
        [sys.executable, "-m", "encore_tui", "--db", str(db), "user", "add", "meera", "--role", "ro"],
        input="9876\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    assert "meera" in run_cli("user", "list", db=db).stdout
    r = subprocess.run(
        [sys.executable, "-m", "encore_tui", "demo", "bihar", "--no-app"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0 and "operator/1111" in r.stdout
    path = Path(r.stdout.split("Demo store: ")[1].splitlines()[0])
    st = run_cli("status", db=path).stdout
    assert "DEMO NAGAR" in st and "FICTIONAL" in st
