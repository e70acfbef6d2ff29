"""A made-up AC of any size (for memory, PDF and throughput figures). Deterministic."""

from __future__ import annotations

import random

from encore_tui.domain.setup import AssemblyConstituency, Candidate, Election, PollingStation, Setup


def make_setup(
    candidates: int = 36, stations: int = 560, tables: int = 14, seed: int = 1
) -> tuple[Setup, dict]:
    """A setup and every station's figures (c1..cN, nota, total) that tally with 17C Part I."""
    rnd = random.Random(seed)
    values: dict[str, dict[str, int]] = {}
    sts = []
    for i in range(1, stations + 1):
        number = str(i) if i % 25 else f"{i - 1} A(W)"
        electors = rnd.randint(700, 1400)
        votes = [rnd.randint(0, 40) for _ in range(candidates)]
        votes[0] += rnd.randint(100, 300)
        votes[1 % candidates] += rnd.randint(80, 280)
        nota = rnd.randint(0, 12)
        total = sum(votes) + nota
        values[number] = {**{f"c{k}": v for k, v in enumerate(votes, 1)}, "nota": nota, "total": total}
        sts.append(
            PollingStation(
                number=number, name=f"Synthetic school {i}", electors=electors, form17c_total=total
            )
        )
    setup = Setup(
        election=Election(name="Synthetic benchmark election (not real)"),
        ac=AssemblyConstituency(number=900, name="SYNTHETIC", electors=sum(s.electors or 0 for s in sts)),
        candidates=[
            Candidate(serial=k, name=f"CANDIDATE NUMBER {k}", party=f"P{k}") for k in range(1, candidates + 1)
        ],
        stations=sts,
        counting_tables=tables,
        fictional=True,
    )
    return setup, values
