"""Writing files out: the Form 20 CSV; all files written atomically (temp, fsync, rename)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from pathlib import Path

from encore_tui.domain.setup import Setup
from encore_tui.domain.tally import Form20, Totals
from encore_tui.portable import fsync_dir


def atomic_write(path: Path, data: bytes) -> Path:
    """Write to a temp file in the same folder, fsync, rename over, fsync the folder."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)
    return path


def form20_csv(setup: Setup, f20: Form20) -> str:
    n = len(setup.candidates)
    with_tendered = f20.tendered is not None
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    header = [
        "sl_no",
        "polling_station_no",
        *[f"c{i}" for i in range(1, n + 1)],
        "total_valid",
        "rejected",
        "nota",
        "total",
    ]
    if with_tendered:
        header.append("tendered")
    w.writerow(header)

    def cells(t: Totals) -> list:
        return [*t.votes, t.total_valid, t.rejected, t.nota, t.total]

    for r in f20.rows:
        row = [r.sl_no, r.station, *cells(r.totals)]
        if with_tendered:
            row.append("" if r.tendered is None else r.tendered)
        w.writerow(row)
    for label, t, tend in (
        ("EVM", f20.evm, f20.tendered),
        ("POSTAL", f20.postal, None),
        ("TOTAL", f20.total_polled, f20.tendered),
    ):
        row = [label, "", *cells(t)]
        if with_tendered:
            row.append("" if tend is None else tend)
        w.writerow(row)
    return buf.getvalue()
