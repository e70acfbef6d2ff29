"""Issue 14, findings 7 and 8: the read side is built once per accepted message and served with
ETag / Cache-Control (304 on If-None-Match), the same documents can be written as static files
(`encore central snapshot`), the public JSON carries no login name, every answer has the
security headers, and there is no CDN-loaded /docs page."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from encore_tui.central import board as board_html
from encore_tui.central import readside
from encore_tui.central import store as cs
from tests import test_central_model
from tests.support.central import OTHER, build
from tests.support.receiver import encore

board = test_central_model.board  # the module fixture: a live receiver, AC 31 counted to round 3


def test_indian_grouping_and_ist():
    assert [board_html.indian(n) for n in (0, 999, 1000, 123456, 1234567, 123456789)] == [
        "0",
        "999",
        "1,000",
        "1,23,456",
        "12,34,567",
        "12,34,56,789",
    ]
    assert board_html.ist("2026-12-02T03:00:00.000000Z") == "02 Dec 2026, 08:30 IST"
    assert board_html.ist(datetime(2026, 12, 2, 20, 0, tzinfo=UTC)) == "03 Dec 2026, 01:30 IST"


def test_documents_have_etags_and_answer_304(board):
    for path in ("/board", "/v1/acs", f"/v1/acs/{OTHER}", f"/v1/acs/{OTHER}/rounds/2"):
        r = httpx.get(board.url + path)
        assert r.status_code == 200 and r.headers["etag"].startswith('"'), path
        assert "max-age=" in r.headers["cache-control"]
        again = httpx.get(board.url + path, headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", path
        assert again.headers["etag"] == r.headers["etag"]
    # a new message changes the documents of its AC (and the board), not those of another
    before = httpx.get(f"{board.url}/v1/acs/{OTHER}").headers["etag"]
    board_before = httpx.get(f"{board.url}/board").headers["etag"]
    postal, _ = build(33)
    board.accept(postal)
    assert httpx.get(f"{board.url}/v1/acs/{OTHER}").headers["etag"] == before
    assert httpx.get(f"{board.url}/board").headers["etag"] != board_before


def test_no_login_names_in_public_json(board):
    for path in (f"/v1/acs/{OTHER}", f"/v1/acs/{OTHER}/rounds/0", f"/v1/acs/{OTHER}/rounds/1", "/v1/acs"):
        text = httpx.get(board.url + path).text
        assert "ro_login" not in text, path  # the RO's login name (approval.by) is not published
    doc = httpx.get(f"{board.url}/v1/acs/{OTHER}/rounds/1").json()
    assert doc[0]["message"]["approval"]["name"] == "Returning Officer"  # the printed name stays


def test_security_headers_and_no_cdn_docs(board):
    for path in ("/board", "/v1/acs", "/openapi.json", "/v1/acs/9998"):
        h = httpx.get(board.url + path).headers
        assert (
            "default-src 'none'" in h["content-security-policy"]
            and "frame-ancestors 'none'" in h["content-security-policy"]
        )
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert httpx.get(board.url + "/docs").status_code == 404
    assert httpx.get(board.url + "/redoc").status_code == 404
    doc = httpx.get(board.url + "/openapi.json")
    assert doc.status_code == 200 and "cdn" not in doc.text.lower()
    page = httpx.get(board.url + "/board").text
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_snapshot_writes_the_same_documents(board, tmp_path):
    out = tmp_path / "site"
    r = encore("central", "snapshot", "--db", board.central.db, str(out), "--title", "Election results")
    assert "Wrote" in r.stdout
    assert (out / "board.html").read_bytes() == httpx.get(board.url + "/board").content
    assert (out / "acs.json").read_bytes() == httpx.get(board.url + "/v1/acs").content
    assert (out / f"acs/{OTHER}.json").read_bytes() == httpx.get(f"{board.url}/v1/acs/{OTHER}").content
    assert (out / f"acs/{OTHER}/rounds/2.json").read_bytes() == httpx.get(
        f"{board.url}/v1/acs/{OTHER}/rounds/2"
    ).content
    assert json.loads((out / "acs.json").read_text())


def test_a_store_from_before_the_read_side_is_rebuilt(board, tmp_path):
    """central_ac emptied (as in a store written by the previous version): rebuilt on start."""
    if not board.central.db.endswith(".db"):
        pytest.skip("one backend is enough for the rebuild")
    want = httpx.get(f"{board.url}/v1/acs/{OTHER}").json()
    copy = tmp_path / "old.db"
    src = cs.open_central(board.central.db)
    import sqlite3

    with sqlite3.connect(board.central.db) as a, sqlite3.connect(copy) as b:
        a.backup(b)
    src.close()
    with sqlite3.connect(copy) as c:
        c.execute("DELETE FROM central_ac")
        c.execute("DELETE FROM central_revision")
    st = cs.open_central(copy)
    try:
        assert readside.rebuild_missing(st) >= 1
        doc = readside.Documents(st, "Election results", 15).get(f"ac:{OTHER}")
        got = json.loads(doc.body)
        assert got["cumulative"] == want["cumulative"] and got["rounds_counted"] == want["rounds_counted"]
    finally:
        st.close()


def test_docs_list_every_refusal_code():
    """Every code central can give is registered (codes.CODES) and listed in docs/push.md."""
    import re as _re

    from encore_tui.central.codes import CODES
    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "push.md").read_text(encoding="utf-8")
    missing = [c for c in CODES if f"`{c}`" not in doc]
    assert not missing, f"docs/push.md does not list: {missing}"
    used = set()
    for f in (ROOT / "encore_tui" / "central").glob("*.py"):
        text = f.read_text(encoding="utf-8")
        used |= set(_re.findall(r'Refus\w*\(\s*(?:\d{3},\s*)?"([a-z_]+)"', text))
        used |= set(_re.findall(r'error="([a-z_]+)"[,)]', text))
    used |= set(
        _re.findall(
            r'SignatureProblem\(\s*\d{3},\s*"([a-z_]+)"', (ROOT / "encore_tui/wire/signing.py").read_text()
        )
    )
    assert used and used <= set(CODES), f"not registered in central/codes.py: {used - set(CODES)}"
