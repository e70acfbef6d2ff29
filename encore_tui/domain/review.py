"""The RO's review of a round: blind spot-check picks, blind/double-entry comparison, and the
difference between two revisions of a round's figures (pure)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from encore_tui.domain import checks as ck
from encore_tui.domain.entries import TableEntry
from encore_tui.domain.setup import TOTAL

DEFAULT_SPOT_CHECK_ROUNDS = 3  # the first rounds get a blind spot check unless the AC says otherwise
DEFAULT_SPOT_CELLS = 5


class BlindPurpose(StrEnum):
    SPOT = "spot"  # the RO re-keys a few cells
    DOUBLE = "double"  # a second operator re-keys the whole round


class SpotMode(StrEnum):
    CELLS = "cells"  # k random cells of the counted tables
    TOTALS = "totals"  # every counted table's total


Cell = tuple[str, str]  # (station, field)


def spot_picks(
    seed: int, entries: Sequence[TableEntry], fields: Sequence[str], mode: SpotMode, k: int
) -> list[Cell]:
    """The cells to re-key, reproducible from the recorded seed. Kept-aside tables are skipped.

    The pool is built in table order and field order, so the same seed and the same round give
    the same picks on any machine (random.Random is stable across CPython versions for sample).
    """
    counted = [e for e in entries if e.kept_aside is None]
    if mode is SpotMode.TOTALS:
        return [(e.station, TOTAL) for e in counted]
    pool = [(e.station, f) for e in counted for f in fields]
    if not pool:
        return []
    picks = random.Random(seed).sample(pool, min(k, len(pool)))
    order = {c: i for i, c in enumerate(pool)}
    return sorted(picks, key=order.__getitem__)  # shown in sheet order, not draw order


@dataclass(frozen=True)
class BlindCell:
    """One re-keyed cell next to the entered one (values hidden from the blind keyer)."""

    table_no: int
    station: str
    field: str
    entered: int | None
    rekeyed: int | None

    @property
    def keyed(self) -> bool:
        return self.rekeyed is not None

    @property
    def differs(self) -> bool:
        return self.rekeyed is not None and self.rekeyed != self.entered


def compare_blind(
    entries: Sequence[TableEntry], cells: Iterable[Cell], rekeyed: Mapping[Cell, int]
) -> list[BlindCell]:
    by_station = {e.station: e for e in entries}
    out = []
    for station, field in cells:
        e = by_station.get(station)
        out.append(
            BlindCell(
                e.table_no if e else 0,
                station,
                field,
                e.value(field) if e else None,
                rekeyed.get((station, field)),
            )
        )
    return out


def blind_checks(purpose: BlindPurpose, round_no: int, cells: Sequence[BlindCell]) -> list[ck.Check]:
    """What blocks approval: cells not re-keyed yet, and differences not resolved."""
    out: list[ck.Check] = []
    pending = [c for c in cells if not c.keyed]
    if pending:
        code = ck.SPOT_CHECK_PENDING if purpose is BlindPurpose.SPOT else ck.DOUBLE_ENTRY_PENDING
        out.append(ck.Check(code, f"{len(pending)} of {len(cells)} cells still to re-key", round_no=round_no))
    for c in cells:
        if c.differs:
            who = "RO re-keyed" if purpose is BlindPurpose.SPOT else "second keying"
            out.append(
                ck.Check(
                    ck.BLIND_DIFFERS,
                    f"{c.field}: entered {_v(c.entered)}, {who} {_v(c.rekeyed)}",
                    round_no=round_no,
                    station=c.station,
                    table_no=c.table_no,
                )
            )
    return out


def _v(v: int | None) -> str:
    return "blank" if v is None else str(v)


# -- revisions -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellChange:
    table_no: int
    station: str
    field: str  # a figure, or "kept_aside"
    before: int | str | None
    after: int | str | None


def figures_of(doc: Mapping) -> dict[str, tuple[int, dict[str, int], str | None]]:
    """A revision snapshot (services.decisions.figures_snapshot) → station → (table, values, kept)."""
    return {
        t["station"]: (int(t["table"]), {k: int(v) for k, v in t["values"].items()}, t.get("kept_aside"))
        for t in doc.get("tables", [])
    }


def diff_figures(before: Mapping, after: Mapping, fields: Sequence[str]) -> list[CellChange]:
    """Changed cells between two snapshots, in table then field order."""
    b, a = figures_of(before), figures_of(after)
    out: list[CellChange] = []
    stations = sorted(set(b) | set(a), key=lambda s: (a.get(s) or b.get(s))[0])
    for s in stations:
        tb, vb, kb = b.get(s, (0, {}, None))
        ta, va, ka = a.get(s, (0, {}, None))
        table = ta or tb
        if kb != ka:
            out.append(CellChange(table, s, "kept_aside", kb, ka))
        for f in list(fields) + sorted((set(vb) | set(va)) - set(fields)):
            if vb.get(f) != va.get(f):
                out.append(CellChange(table, s, f, vb.get(f), va.get(f)))
    return out
