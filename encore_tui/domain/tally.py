"""Tallies: per table, per round, cumulative; leads and margins; Form 20 rows and footers."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from encore_tui.domain.entries import TableEntry
from encore_tui.domain.setup import NOTA, REJECTED, TOTAL, Setup


@dataclass(frozen=True)
class Totals:
    votes: tuple[int, ...]  # per candidate in ballot order
    nota: int = 0
    rejected: int = 0

    @property
    def total_valid(self) -> int:
        """Form 20 'Total Valid Votes': excludes NOTA and rejected."""
        return sum(self.votes)

    @property
    def total(self) -> int:
        return self.total_valid + self.rejected + self.nota

    def __add__(self, other: Totals) -> Totals:
        if len(self.votes) != len(other.votes):
            raise ValueError("totals of different candidate lists")
        return Totals(
            tuple(a + b for a, b in zip(self.votes, other.votes, strict=True)),
            self.nota + other.nota,
            self.rejected + other.rejected,
        )

    def __sub__(self, other: Totals) -> Totals:
        return Totals(
            tuple(a - b for a, b in zip(self.votes, other.votes, strict=True)),
            self.nota - other.nota,
            self.rejected - other.rejected,
        )

    @classmethod
    def zero(cls, n: int) -> Totals:
        return cls((0,) * n)

    def to_json(self) -> dict:
        return {
            "candidates": list(self.votes),
            "total_valid": self.total_valid,
            "rejected": self.rejected,
            "nota": self.nota,
            "total": self.total,
        }


def entry_totals(entry: TableEntry, n: int) -> Totals:
    if entry.kept_aside is not None:
        return Totals.zero(n)
    return Totals(entry.votes(n), entry.values.get(NOTA, 0), entry.values.get(REJECTED, 0))


def typed_cu_total(entries: Iterable[TableEntry]) -> int:
    """The CU totals as typed (the Total (CU) row), over the tables not kept aside. A table whose
    candidate rows do not add up to its CU total shows the difference here (E101)."""
    return sum(e.values.get(TOTAL, 0) for e in entries if e.kept_aside is None)


def sum_totals(items: Iterable[Totals], n: int) -> Totals:
    acc = Totals.zero(n)
    for t in items:
        acc = acc + t
    return acc


@dataclass(frozen=True)
class Lead:
    leader: int | None  # candidate serial; None when nobody has a vote
    runner_up: int | None
    margin: int
    tied: tuple[int, ...] = ()  # serials tied for the lead (len >= 2 when tied)

    @property
    def is_tie(self) -> bool:
        return len(self.tied) >= 2


def lead(votes: Sequence[int]) -> Lead:
    """Leading and trailing (second) candidate and the margin. NOTA is never in `votes`."""
    if not votes or max(votes) == 0:
        return Lead(None, None, 0)
    order = sorted(range(len(votes)), key=lambda i: (-votes[i], i))
    top = votes[order[0]]
    tied = tuple(i + 1 for i in order if votes[i] == top)
    second = order[1] if len(order) > 1 else None
    margin = top - (votes[second] if second is not None else 0)
    return Lead(
        order[0] + 1, second + 1 if second is not None else None, margin, tied if len(tied) > 1 else ()
    )


@dataclass(frozen=True)
class RoundTally:
    round_no: int
    this_round: Totals
    brought_forward: Totals
    cumulative: Totals
    lead: Lead


def round_tallies(
    rounds: Mapping[int, Sequence[TableEntry]], n: int, postal: Totals | None = None
) -> list[RoundTally]:
    """Tallies for EVM rounds in order; `postal` (round 0) is brought forward into round 1."""
    acc = postal if postal is not None else Totals.zero(n)
    out = []
    for r in sorted(k for k in rounds if k > 0):
        this = sum_totals((entry_totals(e, n) for e in rounds[r]), n)
        cum = acc + this
        out.append(RoundTally(r, this, acc, cum, lead(cum.votes)))
        acc = cum
    return out


def retally(rt: RoundTally, entries: Sequence[TableEntry], n: int) -> RoundTally:
    """The same round after its tables changed: what it brought forward stays, the rest follows."""
    this = sum_totals((entry_totals(e, n) for e in entries), n)
    cum = rt.brought_forward + this
    return RoundTally(rt.round_no, this, rt.brought_forward, cum, lead(cum.votes))


# -- Form 20 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Form20Row:
    sl_no: int
    station: str
    totals: Totals
    tendered: int | None
    kept_aside: bool = False
    counted: bool = True


@dataclass(frozen=True)
class Form20:
    rows: tuple[Form20Row, ...]
    evm: Totals
    postal: Totals
    total_polled: Totals
    tendered: int | None


def counted_entries(
    entries: Mapping[int, list[TableEntry]], rounds: Collection[int] | None = None
) -> dict[str, TableEntry]:
    """The entry that counts for each station on Form 20, from the EVM rounds (round 0, the
    postal round, is left out; only `rounds`, when given): its table, unless that table was kept
    aside and a later round (the VVPAT slip count of the kept-aside station) has figures for it —
    a blank slip-count table leaves the station kept aside (E110)."""
    by_station: dict[str, TableEntry] = {}
    for r, es in sorted(entries.items()):
        if r == 0 or (rounds is not None and r not in rounds):
            continue
        for e in es:
            if e.station not in by_station or (
                by_station[e.station].kept_aside and not e.kept_aside and e.values
            ):
                by_station[e.station] = e
    return by_station


def form20(
    setup: Setup,
    station_entries: Mapping[str, TableEntry],
    postal: Totals | None,
    tendered: Mapping[str, int | None] | None = None,
) -> Form20:
    """One row per station in Form 20 order, from each station's counted entry.

    `station_entries` maps a station to the entry that counts for it (its EVM table, or its
    VVPAT slip count when the table was kept aside). Missing stations are rows of zeros
    marked `counted=False`. `tendered`: each station's tendered ballot papers from its Form 17C
    Part I (None: the setup's legacy figures).
    """
    n = len(setup.candidates)
    if tendered is None:
        tendered = {s.number: s.tendered for s in setup.stations}
    rows = []
    for i, st in enumerate(setup.stations, start=1):
        e = station_entries.get(st.number)
        if e is None:
            rows.append(Form20Row(i, st.number, Totals.zero(n), tendered.get(st.number), counted=False))
            continue
        t = entry_totals(e, n)
        rows.append(
            Form20Row(
                i,
                st.number,
                t,
                tendered.get(st.number),
                kept_aside=e.kept_aside is not None,
                counted=e.kept_aside is None and TOTAL in e.values,
            )
        )
    evm = sum_totals((r.totals for r in rows), n)
    p = postal if postal is not None else Totals.zero(n)
    tendered_vals = [r.tendered for r in rows if r.tendered is not None]
    return Form20(tuple(rows), evm, p, evm + p, sum(tendered_vals) if tendered_vals else None)
