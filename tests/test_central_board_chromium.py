"""Issue 14, finding 8: the board as the public reads it, checked in real headless Chromium.

The board the live receiver serves (a provisional AC with 200-character names, a declared AC)
is laid out at 360 px (a phone) and at 1280 px: no horizontal scroll, nothing sticks out on
the right, no text smaller than 12 px, the words that matter are on the page; screenshots are
kept at both widths. Chromium's headless window is at least 500 px wide, so the 360 px layout is
measured in a 360 px iframe of a harness page (the board's own CSP forbids scripts, and it may
not be framed from the receiver: the harness frames a copy of the served HTML).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from encore_tui.wire import keys
from encore_tui.wire import messages as wire
from tests.conftest import require_tool
from tests.support.central import ROUNDS, Board, build, contest, declaration
from tests.support.receiver import CentralServer

LONG = "VERYLONGNAME" * 16 + " " + "Kumari Selvi Ramasamy" * 3  # 200+ characters, a long unbroken word


def _with_contest(msg: wire.Message, c: wire.Contest) -> wire.Message:
    return msg.model_copy(update={"contest": c})


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("board")
    key = keys.init_keys(tmp / "centre.key")
    central = CentralServer(tmp, str(tmp / "central.db")).start()
    try:
        central.add_centre(keys.public_key_b64(key), 41, 42)
        b = Board(central, key)
        c41 = contest(41, ac_name="GUMMIDIPOONDI " + "X" * 150)
        c41 = c41.model_copy(
            update={
                "candidates": [
                    cand.model_copy(update={"name": f"{LONG} {cand.serial}"[:200], "party": "PARTY " * 30})
                    for cand in c41.candidates
                ]
            }
        )
        postal, rounds = build(41)
        b.accept(*(_with_contest(m, c41) for m in (postal, *rounds[:3])))
        postal, rounds = build(42, seed=5)
        b.accept(postal, *rounds)
        t1 = rounds[-1].tables[0]
        b.accept(
            wire.VvpatResult(
                contest=contest(42),
                stations=[
                    wire.VvpatStation(station=t1.station, why="draw_of_lots", evm=t1, slips=t1, matches=True)
                ],
                cumulative=rounds[-1].cumulative,
                approval=rounds[-1].approval,
                journal_hash="0" * 64,
            ),
            declaration(rounds, contest(42), rounds[-1].cumulative),
        )
        yield httpx.get(central.url + "/board").text
    finally:
        central.stop()


HARNESS = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="board.html" style="width:%dpx;height:900px;border:0"></iframe>
<script>
document.getElementById("f").onload = function () {
  var d = this.contentDocument, e = d.documentElement, w = this.contentWindow;
  var minFont = 100, right = 0, worst = "";
  d.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > right) { right = r.right; worst = el.tagName + "." + el.className; }
    var own = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    if (own) { minFont = Math.min(minFont, parseFloat(w.getComputedStyle(el).fontSize)); }
  });
  document.body.setAttribute("data-result", JSON.stringify({
    scrollWidth: e.scrollWidth, clientWidth: e.clientWidth, right: right, worst: worst,
    minFont: minFont, text: d.body.innerText}));
};
</script></body></html>"""


def _chromium(args: list[str], tmp: Path) -> str:
    exe = require_tool("chromium")
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp / 'profile'}",
        "--allow-file-access-from-files",
        "--hide-scrollbars",  # overlay scrollbars, as on a phone
        "--virtual-time-budget=5000",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout


@pytest.mark.parametrize("width", [360, 1280])
def test_board_fits_and_reads_at_phone_and_desktop_width(served, width, tmp_path):
    (tmp_path / "board.html").write_text(served, encoding="utf-8")
    (tmp_path / "harness.html").write_text(HARNESS % width, encoding="utf-8")
    dom = _chromium(
        [f"--window-size={max(width, 500) + 20},1000", "--dump-dom", (tmp_path / "harness.html").as_uri()],
        tmp_path,
    )
    m = re.search(r'data-result="([^"]*)"', dom)
    assert m, dom[-2000:]
    got = json.loads(html.unescape(m.group(1)))
    assert got["scrollWidth"] <= got["clientWidth"] == width, got  # no horizontal scroll
    assert got["right"] <= width + 0.5, got  # nothing sticks out
    assert got["minFont"] >= 12, got  # readable
    text = got["text"]
    assert "PROVISIONAL" in text and "DECLARED" in text
    assert "Round 3 of 29" in text and f"Round {ROUNDS} of {ROUNDS}" in text
    assert re.search(r"\d{2} \w{3} \d{4}, \d\d:\d\d IST", text)
    assert re.search(r"\b\d{1,2},\d{3}\b", text)  # figures with thousands separators
    # the screenshot a person looks at
    shot = tmp_path / f"board-{width}.png"
    target = (tmp_path / "harness.html") if width < 500 else (tmp_path / "board.html")
    _chromium([f"--window-size={max(width, 500)},1000", f"--screenshot={shot}", target.as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
