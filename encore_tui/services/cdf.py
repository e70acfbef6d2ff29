"""The AC's results in the NIST SP 1500-100 v2 Election Results Common Data Format (JSON).

`encore export cdf -o FILE.json` (docs/deployment.md, "Open results formats"). What goes where:

- one `Election` (its `Type`: general, or special for a bye-election), scoped to the AC, a
  `ReportingUnit` of type state-house whose parts are the polling stations;
- every polling station a `ReportingUnit` of type polling-place (`Number` as printed: "7 A(W)");
- the AC one `CandidateContest` (one seat, one vote): a `CandidateSelection` per candidate in
  ballot order, then NOTA as a selection of the pseudo-candidate "None of the Above";
- `VoteCounts`: per polling station, type election-day (the EVM count, or the VVPAT slip count
  that replaced a kept-aside EVM); the postal ballots once, at the AC, type absentee-mail. ETPBS
  ballots are not recorded apart from the other postal ballots, so there is no uocava count;
- `BallotCounts`: per polling station and for the postal ballots, the votes cast (Form 20
  "Total": valid + rejected + NOTA) and the rejected ballots;
- only rounds the RO approved are included (the results portal shows nothing else); round
  progress is `SubUnitsReported` of `TotalSubUnits` polling stations, and the report's Notes;
- `Status`: certified once the RO declared the result, unofficial-complete when every round
  is approved but not yet declared, else unofficial-partial.

Summing every VoteCount of a selection gives its Form 20 "Total Votes Polled" figure.
"""

from __future__ import annotations

import datetime as dt
import re

from encore_tui import __version__
from encore_tui.domain.declaration import Declaration
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.setup import ElectionKind, Setup
from encore_tui.domain.tally import Form20, counted_entries, form20

SCHEMA_NOTE = "NIST SP 1500-100 v2 (ElectionResults.ElectionReport)"


def _text(en: str, hi: str | None = None) -> dict:
    strings = [{"@type": "ElectionResults.LanguageString", "Content": en, "Language": "en"}]
    if hi:
        strings.append({"@type": "ElectionResults.LanguageString", "Content": hi, "Language": "hi"})
    return {"@type": "ElectionResults.InternationalizedText", "Text": strings}


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-") or "x"


def _count(gp: str, kind: str, n: int) -> dict:
    return {"@type": "ElectionResults.VoteCounts", "GpUnitId": gp, "Type": kind, "Count": n}


def _ballots(gp: str, kind: str, cast: int, rejected: int) -> dict:
    return {
        "@type": "ElectionResults.BallotCounts",
        "GpUnitId": gp,
        "Type": kind,
        "BallotsCast": cast,
        "BallotsRejected": rejected,
    }


def build_report(
    setup: Setup,
    f20: Form20,
    *,
    postal_included: bool,
    rounds_approved: int,
    rounds_total: int,
    declaration: Declaration | None,
    generated: dt.datetime,
) -> dict:
    """The ElectionReport for `f20`, which holds only what may be published (approved rounds;
    the postal round only when `postal_included`)."""
    ac = setup.ac
    ac_id = f"ru-ac-{ac.number}"
    ps_ids = [f"ru-ps-{row.sl_no}" for row in f20.rows]
    reported = [row for row in f20.rows if row.counted]
    complete = postal_included and len(reported) == len(f20.rows) and rounds_approved == rounds_total
    status = "certified" if declaration else "unofficial-complete" if complete else "unofficial-partial"

    units = [
        {
            "@id": ac_id,
            "@type": "ElectionResults.ReportingUnit",
            "Type": "state-house",
            "Name": _text(f"{ac.number} - {ac.name}", ac.name_hi),
            "Number": str(ac.number),
            "VotersRegistered": ac.electors,
            "ComposingGpUnitIds": ps_ids,
            "SubUnitsReported": len(reported),
            "TotalSubUnits": len(ps_ids),
        }
    ]
    for ps_id, st in zip(ps_ids, setup.stations, strict=True):
        unit = {
            "@id": ps_id,
            "@type": "ElectionResults.ReportingUnit",
            "Type": "polling-place",
            "Name": _text(f"{st.number} - {st.name}" if st.name else f"Polling station {st.number}"),
            "Number": st.number,
        }
        if st.electors is not None:
            unit["VotersRegistered"] = st.electors
        units.append(unit)

    parties: dict[str, dict] = {}
    candidates = []
    for c in setup.candidates:
        cand = {
            "@id": f"cand-{c.serial}",
            "@type": "ElectionResults.Candidate",
            "BallotName": _text(c.name, c.name_hi),
        }
        if c.party.upper() not in ("IND", "INDEPENDENT"):
            pid = f"party-{_slug(c.party)}"
            parties.setdefault(
                pid,
                {
                    "@id": pid,
                    "@type": "ElectionResults.Party",
                    "Name": _text(c.party, c.party_hi),
                    "Abbreviation": _text(c.party),
                },
            )
            cand["PartyId"] = pid
        if declaration is not None:
            cand["PostElectionStatus"] = "winner" if c.serial == declaration.winner_serial else "defeated"
        candidates.append(cand)
    candidates.append(
        {
            "@id": "cand-nota",
            "@type": "ElectionResults.Candidate",
            "BallotName": _text("None of the Above (NOTA)"),
        }
    )

    def selection(sel_id: str, cand_id: str, order: int, per_station, postal: int) -> dict:
        counts = [
            _count(ps_id, "election-day", per_station(row))
            for ps_id, row in zip(ps_ids, f20.rows, strict=True)
            if row.counted
        ]
        if postal_included:
            counts.append(_count(ac_id, "absentee-mail", postal))
        return {
            "@id": sel_id,
            "@type": "ElectionResults.CandidateSelection",
            "CandidateIds": [cand_id],
            "SequenceOrder": order,
            "VoteCounts": counts,
        }

    selections = [
        selection(
            f"sel-{c.serial}",
            f"cand-{c.serial}",
            c.serial,
            lambda r, i=i: r.totals.votes[i],
            f20.postal.votes[i],
        )
        for i, c in enumerate(setup.candidates)
    ]
    selections.append(
        selection(
            "sel-nota", "cand-nota", len(setup.candidates) + 1, lambda r: r.totals.nota, f20.postal.nota
        )
    )
    ballots = [
        _ballots(ps_id, "election-day", row.totals.total, row.totals.rejected)
        for ps_id, row in zip(ps_ids, f20.rows, strict=True)
        if row.counted
    ]
    if postal_included:
        ballots.append(_ballots(ac_id, "absentee-mail", f20.postal.total, f20.postal.rejected))

    def progress(kind: str, done: bool, started: bool) -> dict:
        state = "completed" if done else "in-process" if started else "not-processed"
        return {"@type": "ElectionResults.CountStatus", "Type": kind, "Status": state}

    contest = {
        "@id": f"contest-ac-{ac.number}",
        "@type": "ElectionResults.CandidateContest",
        "Name": f"{ac.number} - {ac.name}",
        "ElectionDistrictId": ac_id,
        "VotesAllowed": 1,
        "NumberElected": 1,
        "ContestSelection": selections,
        "SubUnitsReported": len(reported),
        "TotalSubUnits": len(ps_ids),
        "CountStatus": [
            progress("election-day", len(reported) == len(ps_ids), bool(reported)),
            progress("absentee-mail", postal_included, postal_included),
        ],
    }
    counting_day = ac.date_of_counting or generated.date()
    election = {
        "@type": "ElectionResults.Election",
        "Name": _text(setup.election.name, setup.election.name_hi),
        "Type": "special" if setup.election.kind == ElectionKind.BYE else "general",
        "ElectionScopeId": ac_id,
        "StartDate": counting_day.isoformat(),
        "EndDate": counting_day.isoformat(),
        "Candidate": candidates,
        "Contest": [contest],
        "BallotCounts": ballots,
    }
    notes = (
        f"EVM rounds approved by the RO: {rounds_approved} of {rounds_total}; postal ballots "
        f"{'included' if postal_included else 'not yet approved'}; polling stations reported: "
        f"{len(reported)} of {len(ps_ids)}."
    )
    if declaration is not None:
        notes += f" Result declared by {declaration.ro_name} at {declaration.declared_at.isoformat()}."
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": generated.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Issuer": f"Returning Officer, {ac.number} - {ac.name}",
        "IssuerAbbreviation": f"AC{ac.number}",
        "VendorApplicationId": f"encore-tui {__version__}",
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": status,
        "IsTest": bool(setup.fictional),
        "Notes": notes,
        "Election": [election],
        "GpUnit": units,
        "Party": list(parties.values()),
    }


def cdf_report(store, ac_id: int, now: dt.datetime | None = None) -> dict:
    """Read the AC in one snapshot and build its report (see the module's docstring)."""
    from encore_tui.services.context import load_context
    from encore_tui.services.queries import all_entries, postal_totals, round_infos
    from encore_tui.services.ro_result import DECLARATION
    from encore_tui.services.ro_tx import get_record

    ctx = load_context(store, ac_id)
    with store.read(snapshot=True) as conn:
        entries = all_entries(conn, ctx)
        infos = round_infos(conn, ac_id)
        decl = get_record(conn, ac_id, DECLARATION)
    approved = {r for r, info in infos.items() if info.status.is_approved}
    postal_in = POSTAL_ROUND in approved
    postal = postal_totals(entries[POSTAL_ROUND], ctx.n) if postal_in else None
    f20 = form20(ctx.setup, counted_entries(entries, approved), postal)
    evm_rounds = [r for r in infos if r != POSTAL_ROUND]
    return build_report(
        ctx.setup,
        f20,
        postal_included=postal_in,
        rounds_approved=len([r for r in evm_rounds if r in approved]),
        rounds_total=len(evm_rounds),
        declaration=Declaration.model_validate(decl) if decl else None,
        generated=now or dt.datetime.now(dt.UTC),
    )


def write_cdf(store, ac_id: int, output: str | None) -> str:
    """Write the report to `output` (atomically; None or "-": standard output). Returns what to
    tell the user."""
    import json
    import sys
    from pathlib import Path

    from encore_tui.base.atomic import atomic_write

    report = cdf_report(store, ac_id)
    text = json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    summary = f"{report['Status']}, {report['Notes']}"
    if output in (None, "-"):
        sys.stdout.write(text)
        return f"Results ({SCHEMA_NOTE}): {summary}"
    path = atomic_write(Path(output).resolve(), text.encode("utf-8"))
    return f"Results written to {path} ({SCHEMA_NOTE}): {summary}"
