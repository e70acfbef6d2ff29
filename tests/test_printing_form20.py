"""Form 20 of a big AC: 36 candidates, 420 polling stations, split across pages with the station
columns repeated, every page numbered "page i of n", carrying its QR code, and legible."""

from __future__ import annotations

import re
import subprocess

from encore_tui import services
from encore_tui.domain.setup import AssemblyConstituency, Candidate, Election, PollingStation, Setup
from encore_tui.printing import documents
from encore_tui.printing import payload as pl
from encore_tui.printing.verify import verify_sheet
from tests.conftest import require_tool
from tests.support.pdf import counted_ac, page_texts, qr_payloads, write

HINDI = ["राम", "श्याम", "कृष्ण", "प्रिया", "सुनीता", "अनिल", "रेखा", "मोहम्मद", "क्षितिज"]


def big_setup(candidates: int = 36, stations: int = 420) -> Setup:
    st = []
    for i in range(1, stations + 1):  # auxiliary stations as on real rolls
        number = f"{(i + 1) // 2} A(W)" if i % 40 == 0 else str(i)
        st.append(
            PollingStation(number=number, electors=1000, form17c_total=400 + i % 300, tendered=i % 7 == 0)
        )
    return Setup(
        election=Election(name="General Election to Legislative Assembly 2026 (TEST)", state="Testland"),
        ac=AssemblyConstituency(number=420, name="BIGPUR", electors=1000 * stations),
        candidates=[
            Candidate(
                serial=i,
                name=f"CANDIDATE NUMBER {i} LONGNAME",
                name_hi=f"{HINDI[i % len(HINDI)]} प्रत्याशी {i}",
                party=f"PTY{i}",
                party_hi="निर्दलीय" if i > 30 else None,
            )
            for i in range(1, candidates + 1)
        ],
        stations=st,
        counting_tables=14,
        postal_tables=2,
    )


def test_form20_of_36_candidates_and_420_stations(sqlite_store, tmp_path):
    setup = big_setup()
    ac_id, _ = counted_ac(sqlite_store, setup, keep_aside_round=None, approve=False)
    path = write(tmp_path, "f20", documents.form20(sqlite_store, ac_id))
    pages = page_texts(path)
    n = len(pages)
    assert n >= 3
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in page
        assert "FORM 20 — Final result sheet" in page and "PS No." in page  # station columns repeated
    text = "\n".join(pages)
    for c in setup.candidates:
        assert f"{c.serial}. CANDIDATE" in text
    # every station row printed (the Sl. No. column 1..420 appears on pages)
    tokens = set(text.split())
    assert all(str(i) in tokens for i in range(1, 421))
    # totals on the last column part: Form 20 footers
    _, f20 = services.form20(sqlite_store, ac_id)
    assert str(f20.total_polled.total) in tokens and str(f20.evm.total) in tokens
    # each page carries the QR code; page numbers in the payload follow the pages
    qrs = qr_payloads(path, tmp_path, dpi=150)
    assert [q["pg"] for q in qrs] == list(range(1, n + 1))
    assert all(q["k"] == "f20" and q["ac"] == 420 for q in qrs)
    assert verify_sheet(sqlite_store, pl.encode(qrs[-1])).ok
    # legible: no printed text smaller than 5.5 pt except the wrapped candidate headings (>= 4 pt)
    require_tool("pdftotext")
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "3", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    heights = [
        float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', html)
    ]
    assert heights and min(heights) >= 4.0  # points (1/72 inch), of the glyph box


def test_round_sheet_of_36_candidates_splits_and_keeps_every_name(sqlite_store, tmp_path):
    setup = big_setup(stations=60)
    ac_id, _ = counted_ac(sqlite_store, setup, keep_aside_round=None)
    path = write(tmp_path, "r1", documents.round_sheet(sqlite_store, ac_id, 1))
    pages = page_texts(path)
    text = "\n".join(pages)
    for c in setup.candidates:
        assert f"CANDIDATE NUMBER {c.serial} LONGNAME" in text
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page
    qrs = qr_payloads(path, tmp_path)
    assert len(qrs) == len(pages) and all(q["r"] == 1 and q["st"] == "a" for q in qrs)
    view = services.round_view(sqlite_store, ac_id, 1)
    assert str(view.tally.cumulative.total) in text.split()
