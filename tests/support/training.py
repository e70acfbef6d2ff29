"""Training sheets read back from the printed PDF (pdftotext -layout), as a trainee reads them:
the round, table, station, the figures written (candidates in ballot order, NOTA, Total) and
the supervisor's remark."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.pdf import pdf_text

HEAD = re.compile(r"Round / \S+: (\d+)\s+Table / \S+: (\d+)\s+Polling station / .*?: (.+?)\s*$")


@dataclass
class PrintedSheet:
    round_no: int
    table_no: int
    station: str
    candidates: list[int | None]
    nota: int | None
    total: int | None
    remark: str

    def typed(self) -> list[int | None]:
        """The figures top to bottom, as the grid takes them."""
        return [*self.candidates, self.nota, self.total]


def read_sheets(pdf: Path, candidates: int) -> list[PrintedSheet]:
    out = []
    for page in pdf_text(pdf, layout=True).split("\f")[:-1]:
        lines = page.splitlines()
        head = next(HEAD.search(ln) for ln in lines if HEAD.search(ln))
        figs: dict[int, int | None] = {}
        nota = total = None
        remark = ""
        for ln in lines:
            s = ln.strip()
            m = re.fullmatch(r"(\d+)\s+\S.*?(?:\s(\d+))?", s)
            if m and 1 <= int(m.group(1)) <= candidates and int(m.group(1)) not in figs:
                figs[int(m.group(1))] = int(m.group(2)) if m.group(2) else None
            elif s.startswith("NOTA"):
                nota = int(s.split()[-1]) if s.split()[-1].isdigit() else None
            elif s.startswith("Total"):
                total = int(s.split()[-1]) if s.split()[-1].isdigit() else None
            elif s.startswith("Remark:"):
                remark = s[len("Remark:") :].strip()
        out.append(
            PrintedSheet(
                int(head.group(1)),
                int(head.group(2)),
                head.group(3),
                [figs.get(i) for i in range(1, candidates + 1)],
                nota,
                total,
                remark,
            )
        )
    return out
