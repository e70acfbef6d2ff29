"""Printing in tests: an AC counted in full (counted_ac, figures), and the PDF read back: its text
(pdftotext), pages, and the QR payload of every page (pdftoppm + zbarimg)."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
from pathlib import Path

from encore_tui import services
from encore_tui.domain.declaration import Declaration, TieLot
from encore_tui.domain.setup import Setup
from encore_tui.printing import payload as pl
from tests.conftest import ADMIN, OPERATOR, RO, ROOT, approvable, require_tool

BIHAR = ROOT / "encore_tui" / "demo_data" / "bihar_demo" / "setup.json"


def counted_ac(store, setup: Setup, *, keep_aside_round: int | None = 2, approve: bool = True, seed: int = 1):
    """Every figure entered (one table of `keep_aside_round` kept aside); rounds approved."""
    ac_id = services.create_ac(store, setup, ADMIN)
    approvable(store, ac_id)
    ctx = services.load_context(store, ac_id)
    rng = random.Random(seed)
    n = len(setup.candidates)
    kept = ctx.tables_of(keep_aside_round)[2] if keep_aside_round else None
    values = {s.number: figures(n, s.form17c_total or 500, rng) for s in setup.stations if s.number != kept}
    services.import_results(store, ac_id, values, figures(n, 300, rng, postal=True), ADMIN)
    for key in ctx.tables_of(0)[1:]:
        for f, v in figures(n, 200, rng, postal=True).items():
            services.enter_cell(store, ac_id, 0, key, f, v, OPERATOR)
    if kept:
        services.keep_aside(store, ac_id, keep_aside_round, kept, "cu_display_failure", OPERATOR)
    if approve:
        for r in range(ctx.last_round + 1):
            services.submit_round(store, ac_id, r, OPERATOR)
            services.approve_round(store, ac_id, r, RO)
    return ac_id, kept


# -- reading a PDF back ---------------------------------------------------------------------------------
def pdf_text(path: Path, layout: bool = False, raw: bool = False) -> str:
    """The text as pdftotext reads it; `raw` (content-stream order) includes the rotated
    watermark, which the default mode leaves out."""
    require_tool("pdftotext")
    args = ["pdftotext", *(["-layout"] if layout else []), *(["-raw"] if raw else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def page_texts(path: Path) -> list[str]:
    return pdf_text(path).split("\f")[:-1]


def qr_payloads(path: Path, tmp: Path, dpi: int = 150) -> list[dict]:
    """The QR payload of every page, decoded from the rendered image."""
    require_tool("pdftoppm")
    require_tool("zbarimg")
    prefix = tmp / f"{path.stem}-page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(prefix)], check=True)
    out = []
    for png in sorted(tmp.glob(f"{path.stem}-page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        # QR codes only (a phone's QR reader): zbar's 1-D decoders can misread a QR's modules as EAN-8
        res = subprocess.run(
            ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
            capture_output=True,
            text=True,
        )
        assert res.returncode == 0, f"no QR code found on {png.name}"
        codes = [line for line in res.stdout.splitlines() if line.strip()]
        assert len(codes) == 1, f"{png.name}: {len(codes)} QR codes"
        out.append(pl.decode(codes[0]))
    return out


def write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / f"{name}.pdf"
    p.write_bytes(data)
    return p


# -- making an AC with figures ---------------------------------------------------------------------
def figures(n: int, total: int, rng: random.Random, postal: bool = False) -> dict[str, int]:
    weights = [max(0.2, 5 - i * 0.6) for i in range(n)]
    nota = total // 60
    rest = total - nota
    raw = [rng.random() * w for w in weights]
    votes = [int(rest * r / sum(raw)) for r in raw]
    votes[0] += rest - sum(votes)
    vals = {f"c{i + 1}": v for i, v in enumerate(votes)}
    vals.update(nota=nota, total=total)
    if postal:
        vals["rejected"] = 7
        vals["total"] += 7
    return vals


def record_drawn_text(monkeypatch) -> list[str]:
    """Every string the sheet draws (each passes `Sheet.shaping` before it is drawn): the
    words a document means to print, to rejoin pdftotext's pieces with."""
    from encore_tui.printing.doc import Sheet

    drawn: list[str] = []
    shaping = Sheet.shaping

    def recording(self, text: str) -> None:
        drawn.append(text)
        shaping(self, text)

    monkeypatch.setattr(Sheet, "shaping", recording)
    return drawn


def correct_round_1(store, ac_id: int, reason: str) -> None:
    """The RO corrects table 5 of approved round 1 (5 votes moved from candidate 1 to 2) and
    approves it again: the correction annex then has two revisions to show."""
    e = services.round_view(store, ac_id, 1).entries[4]
    services.open_correction(store, ac_id, 1, reason, RO)
    services.enter_cell(store, ac_id, 1, e.station, "c1", e.values["c1"] - 5, RO)
    services.enter_cell(store, ac_id, 1, e.station, "c2", e.values["c2"] + 5, RO)
    services.approve_round(store, ac_id, 1, RO)


TIE_LOT = Declaration(  # declared after a tie decided by lot: the Section 65 paragraph
    winner_serial=2,
    winner_votes=100,
    runner_up_serial=3,
    margin=0,
    declared_at=dt.datetime(2025, 11, 14, 16, 30, tzinfo=dt.UTC),
    ro_name="Smt. Demo Returning Officer",
    place="Patna",
    tie_lot=TieLot(
        tied_serials=(2, 3),
        drawn_serial=2,
        drawn_by="the RO",
        witnesses="the Observer",
        at=dt.datetime(2025, 11, 14, 16, 20, tzinfo=dt.UTC),
    ),
)
