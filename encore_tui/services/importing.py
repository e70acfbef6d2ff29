"""Reading setup and result files. All-or-nothing: any problem is refused with the file, line
and field, before anything is written."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from encore_tui.domain.form17c import Form17C, Form17CSource
from encore_tui.domain.setup import (
    NOTA,
    TOTAL,
    AssemblyConstituency,
    Candidate,
    Election,
    ElectionKind,
    PollingStation,
    Setup,
)


class ImportProblem(ValueError):
    def __init__(self, file: Path | str, message: str, line: int | None = None, field: str | None = None):
        where = str(file) + (f", line {line}" if line else "") + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.field = str(file), line, field


@dataclass(frozen=True)
class ImportedAc:
    setup: Setup
    station_values: dict[str, dict[str, int]]  # per station: c1..cN, nota, total
    postal_values: dict[str, int] | None  # c1..cN, nota, rejected, total
    official_footers: dict | None
    # Form 17C Part I as the Form 20 implies it (its total, tendered, electors), marked source
    # "form20": recorded only with `--with-17c` (rehearsals), never taken as the real 17C
    form17c: tuple[Form17C, ...] = ()


def _pydantic_problem(file: Path, exc: ValidationError) -> ImportProblem:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    return ImportProblem(file, f"{err['msg']}" + (f" (at {loc})" if loc else ""))


def read_setup_json(path: Path) -> Setup:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImportProblem(path, f"cannot read the file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImportProblem(path, f"not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    try:
        return Setup.model_validate_json(text)
    except ValidationError as exc:
        raise _pydantic_problem(path, exc) from exc


def _int(file: Path, line: int, field: str, text: str | None) -> int:
    t = (text or "").strip()
    if not re.fullmatch(r"\d+", t):
        shown = repr(text) if text else "an empty cell"
        raise ImportProblem(file, f"{shown} is not a whole number of votes", line, field)
    return int(t)


def read_form20_dir(folder: Path, counting_tables: int | None = None) -> ImportedAc:
    """See _read_form20_dir. Any shape we did not foresee is still a clean refusal, never a
    traceback (found by the property tests)."""
    try:
        return _read_form20_dir(Path(folder), counting_tables)
    except ImportProblem:
        raise
    except ValidationError as exc:
        raise _pydantic_problem(Path(folder) / "result.json", exc) from exc
    except UnicodeDecodeError as exc:
        raise ImportProblem(folder, f"a file is not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ImportProblem(
            Path(folder) / "result.json", f"malformed entry ({type(exc).__name__}: {exc})"
        ) from exc


def _read_form20_dir(folder: Path, counting_tables: int | None = None) -> ImportedAc:
    """The layout of shared/data/tn2021-ac001-gummidipoondi: result.json + form20_polling_stations.csv
    (+ optional polling_stations.csv for names). Optional CSV columns: tendered, form17c_total,
    electors. No Form 17C Part I is set up from it: `form17c` holds what the Form 20 implies
    (form17c_total, else the station's Form 20 total) for a rehearsal that asks for it."""
    folder = Path(folder)
    rj = folder / "result.json"
    csv_path = folder / "form20_polling_stations.csv"
    for p in (rj, csv_path):
        if not p.is_file():
            raise ImportProblem(
                p, "file not found: a Form 20 folder holds result.json and form20_polling_stations.csv"
            )
    try:
        meta = json.loads(rj.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportProblem(rj, f"not valid JSON: {exc.msg}", exc.lineno) from exc
    except OSError as exc:
        raise ImportProblem(rj, f"cannot read the file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImportProblem(rj, f"not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    if not isinstance(meta, dict):
        raise ImportProblem(rj, "must be a JSON object with election, ac_no, ac_name, electors, candidates")
    if not isinstance(meta.get("candidates"), list):
        raise ImportProblem(rj, "must be a list of candidates", field="candidates")
    for key in ("election", "ac_no", "ac_name", "electors", "candidates"):
        if key not in meta:
            raise ImportProblem(rj, "missing", field=key)
    try:
        cands = [
            Candidate(
                serial=int(c["serial"]),
                name=c["name"],
                party=c["party"],
                name_hi=c.get("name_hi"),
                party_hi=c.get("party_hi"),
                symbol=c.get("symbol"),
            )
            for c in meta["candidates"]
        ]
        columns = [c.get("column", f"c{c['serial']}") for c in meta["candidates"]]
        election = Election(
            name=meta["election"],
            name_hi=meta.get("election_hi"),
            kind=ElectionKind(meta.get("kind", "general")),
            state=meta.get("state"),
        )
        ac = AssemblyConstituency(
            number=int(meta["ac_no"]),
            name=meta["ac_name"],
            name_hi=meta.get("ac_name_hi"),
            electors=int(meta["electors"]),
            date_of_counting=meta.get("date_of_counting"),
            district=meta.get("district"),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, ValidationError):
            raise _pydantic_problem(rj, exc) from exc
        raise ImportProblem(rj, f"malformed candidate or AC entry: {exc}") from exc

    names: dict[str, str] = {}
    ps_path = folder / "polling_stations.csv"
    if ps_path.is_file():
        with ps_path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("polling_station_no"):
                    names[" ".join(row["polling_station_no"].split())] = (row.get("building") or "").strip()

    stations: list[PollingStation] = []
    values: dict[str, dict[str, int]] = {}
    form17c: list[Form17C] = []
    try:
        fh = csv_path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ImportProblem(csv_path, f"cannot read the file: {exc.strerror}") from exc
    with fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        required = ["sl_no", "polling_station_no", *columns, "total_valid", "rejected", "nota", "total"]
        for col in required:
            if col not in header:
                raise ImportProblem(csv_path, f"column missing (the header has: {', '.join(header)})", 1, col)
        extra_cand = [h for h in header if re.fullmatch(r"c\d+", h) and h not in columns]
        if extra_cand:
            raise ImportProblem(csv_path, "column for a candidate not in result.json", 1, extra_cand[0])
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if None in row:
                raise ImportProblem(csv_path, "more cells than columns in the header", line)
            number = " ".join((row["polling_station_no"] or "").split())
            if not number:
                raise ImportProblem(csv_path, "polling station number is empty", line, "polling_station_no")
            if number in seen:
                raise ImportProblem(
                    csv_path,
                    f"polling station {number} is listed twice (also line {seen[number]})",
                    line,
                    "polling_station_no",
                )
            seen[number] = line
            _int(csv_path, line, "sl_no", row["sl_no"])
            votes = [_int(csv_path, line, c, row[c]) for c in columns]
            tv = _int(csv_path, line, "total_valid", row["total_valid"])
            rejected = _int(csv_path, line, "rejected", row["rejected"])
            nota = _int(csv_path, line, "nota", row["nota"])
            total = _int(csv_path, line, "total", row["total"])
            if sum(votes) != tv:
                raise ImportProblem(
                    csv_path, f"candidates add up to {sum(votes)}, not {tv}", line, "total_valid"
                )
            if tv + rejected + nota != total:
                raise ImportProblem(
                    csv_path,
                    f"total_valid + rejected + nota = {tv + rejected + nota}, not {total}",
                    line,
                    "total",
                )
            if rejected:
                raise ImportProblem(
                    csv_path,
                    "an EVM station cannot have rejected votes (only postal ballots do)",
                    line,
                    "rejected",
                )
            opt = {
                k: _int(csv_path, line, k, row[k])
                for k in ("tendered", "form17c_total", "electors")
                if k in header and (row[k] or "").strip() != ""
            }
            try:
                stations.append(
                    PollingStation(
                        number=number,
                        name=names.get(number, ""),
                        electors=opt.get("electors"),
                    )
                )
                form17c.append(
                    Form17C(
                        station=number,
                        electors=opt.get("electors"),
                        votes_recorded=opt.get("form17c_total", total),
                        tendered=opt.get("tendered"),
                        source=Form17CSource.FORM20,
                    )
                )
            except ValidationError as exc:
                raise ImportProblem(csv_path, exc.errors()[0]["msg"], line) from exc
            v = {f"c{i}": x for i, x in enumerate(votes, start=1)}
            v[NOTA] = nota
            v[TOTAL] = total
            values[number] = v
    if not stations:
        raise ImportProblem(csv_path, "no polling station rows")

    footer = meta.get("footer") or {}
    postal = None
    if "postal" in footer:
        p = footer["postal"]
        try:
            pv = {f"c{i}": int(x) for i, x in enumerate(p["candidates"], start=1)}
            pv.update({NOTA: int(p["nota"]), "rejected": int(p["rejected"]), TOTAL: int(p["total"])})
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise ImportProblem(rj, f"postal footer malformed: {exc}", field="footer.postal") from exc
        if len(p["candidates"]) != len(cands):
            raise ImportProblem(
                rj,
                f"{len(p['candidates'])} postal figures for {len(cands)} candidates",
                field="footer.postal.candidates",
            )
        if sum(p["candidates"]) + pv[NOTA] + pv["rejected"] != pv[TOTAL]:
            raise ImportProblem(
                rj,
                "postal candidates + NOTA + rejected do not add up to the postal total",
                field="footer.postal.total",
            )
        postal = pv
    if "evm" in footer:
        evm = footer["evm"]["candidates"]
        for i, c in enumerate(columns):
            s = sum(v[f"c{i + 1}"] for v in values.values())
            if i < len(evm) and s != evm[i]:
                raise ImportProblem(
                    rj,
                    f"EVM footer says {evm[i]} for {c} but the station rows add up to {s}",
                    field="footer.evm",
                )
    try:
        setup = Setup(
            election=election,
            ac=ac,
            candidates=cands,
            stations=stations,
            counting_tables=counting_tables or int(meta.get("counting_tables", 14)),
            postal_tables=int(meta.get("postal_tables", 1)),
            fictional=bool(meta.get("fictional", False)),
        )
    except ValidationError as exc:
        raise _pydantic_problem(rj, exc) from exc
    except (TypeError, ValueError, OverflowError) as exc:
        raise ImportProblem(rj, f"counting_tables / postal_tables must be whole numbers: {exc}") from exc
    return ImportedAc(setup, values, postal, footer or None, tuple(form17c))
