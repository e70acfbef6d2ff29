"""What several printed documents share: the candidate and totals rows, column labels, the
QR payload of the forms, the AC lines under a title."""

from __future__ import annotations

from encore_tui.domain.entries import KeptAsideReason
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.setup import Setup
from encore_tui.printing import data as dd
from encore_tui.printing.doc import Column, Row
from encore_tui.printing.labels import L, bi, en, hi

KEPT_ASIDE_HI = {
    KeptAsideReason.CU_DISPLAY_FAILURE: "कंट्रोल यूनिट परिणाम नहीं दिखा सकी",
    KeptAsideReason.MOCK_POLL_NOT_CLEARED: "मॉक पोल डेटा हटाया नहीं गया",
    KeptAsideReason.TOTAL_DIFFERS_17C: "सीयू का योग प्रपत्र 17ग भाग-I से भिन्न",
    KeptAsideReason.OTHER: "अन्य कारण (टिप्पणी देखें)",
}
WATERMARK_DRAFT = f"{en('draft')} / {hi('draft')}"


def cell_text(v) -> str:
    """A figure as printed in a cell: blank for none."""
    return "" if v is None else str(v)


def head(key: str) -> list[tuple[str, str]]:
    e, h = L[key]
    return [(e, "B"), (h, "")]


def cand_rows(setup: Setup, per_cand, extra_rows) -> list[Row]:
    rows = [Row([str(c.serial), dd.cand_label(c), dd.party_label(c), *per_cand(c)]) for c in setup.candidates]
    return rows + extra_rows


def label_cols(wide: bool = True) -> list[Column]:
    return [
        Column(head("sl"), 7, "C"),
        Column(head("candidate"), 50 if wide else 44, "L"),
        Column(head("party"), 28 if wide else 24, "L"),
    ]


def totals_rows(get: dict[str, callable], postal: bool) -> list[Row]:
    """NOTA, [rejected], total-valid and total rows; `get` maps a field to its cells."""
    rows = [Row(["", f"{en('nota')}\n{hi('nota')}", "", *get["nota"]()])]
    if postal:
        rows.append(Row(["", f"{en('rejected')}\n{hi('rejected')}", "", *get["rejected"]()]))
    rows.append(
        Row(["", f"{en('total_valid')}\n{hi('total_valid')}", "", *get["valid"]()], bold=True, shade=True)
    )
    rows.append(Row(["", f"{en('total')}\n{hi('total')}", "", *get["total"]()], bold=True, shade=True))
    return rows


def round_title(round_no: int) -> str:
    return bi("postal_round") if round_no == POSTAL_ROUND else f"{bi('round')}: {round_no}"


def forms_payload(kind: str, acs: dd.AcState, digest: str, at: str, extra: dict | None = None) -> dict:
    p = {
        "v": 1,
        "k": kind,
        "ac": acs.setup.ac.number,
        "r": acs.last_round,
        "d": digest,
        "p": acs.chain[acs.last_round][:32],
        "t": acs.round_digests,
        "at": at,
        **acs.anchor,
    }
    p.update(extra or {})
    return p


def ac_lines(setup: Setup) -> list[str]:
    lines = [f"{bi('electors')}: {setup.ac.electors}"]
    if setup.ac.date_of_counting:
        lines[0] += f"    {bi('counting_date')}: {setup.ac.date_of_counting.strftime('%d-%m-%Y')}"
    return lines
