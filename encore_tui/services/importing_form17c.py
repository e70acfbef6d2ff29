"""Reading a Form 17C Part I CSV (docs/form17c.md). All or nothing: the first bad row is refused
with the file, line and field, before anything is written."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from pathlib import Path

from pydantic import ValidationError

from encore_tui.domain import form17c as f17
from encore_tui.domain.form17c import Form17C, Form17CSource
from encore_tui.services.importing import ImportProblem

STATION = "polling_station_no"
COLUMNS = (STATION, *f17.NUMBER_FIELDS, *f17.SERIAL_FIELDS)
OPTIONAL_COLUMNS = ("remarks",)


def read_form17c_csv(path: Path, stations: Collection[str] | None = None) -> list[Form17C]:
    """Every row of the CSV as a Form 17C Part I (source `import`). `stations`: the AC's polling
    stations; a row for another station is refused, and so is a station listed twice."""
    path = Path(path)
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportProblem(path, f"cannot read the file: {exc.strerror}") from exc
    out: list[Form17C] = []
    try:
        with fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            for col in COLUMNS:
                if col not in header:
                    raise ImportProblem(
                        path, f"column missing (the header must be: {', '.join(COLUMNS)})", 1, col
                    )
            unknown = [h for h in header if h not in COLUMNS and h not in OPTIONAL_COLUMNS]
            if unknown:
                raise ImportProblem(
                    path, f"unknown column (known: {', '.join(COLUMNS)}, remarks)", 1, unknown[0]
                )
            seen: dict[str, int] = {}
            for row in reader:
                out.append(_row(path, reader.line_num, row, seen, stations))
    except UnicodeDecodeError as exc:
        raise ImportProblem(path, f"not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    except csv.Error as exc:
        raise ImportProblem(path, f"not a CSV file: {exc}") from exc
    if not out:
        raise ImportProblem(path, "no polling station rows")
    return out


def _row(path: Path, line: int, row: dict, seen: dict[str, int], stations: Collection[str] | None) -> Form17C:
    if None in row:
        raise ImportProblem(path, "more cells than columns in the header", line)
    number = " ".join((row[STATION] or "").split())
    if not number:
        raise ImportProblem(path, "polling station number is empty", line, STATION)
    if number in seen:
        raise ImportProblem(
            path, f"polling station {number} is listed twice (also line {seen[number]})", line, STATION
        )
    if stations is not None and number not in stations:
        raise ImportProblem(path, f"polling station {number} is not in this AC", line, STATION)
    seen[number] = line
    values: dict = {"station": number, "source": Form17CSource.IMPORT.value}
    for f in f17.NUMBER_FIELDS:
        text = (row.get(f) or "").strip()
        if text == "":
            if f in f17.REQUIRED:
                raise ImportProblem(path, "required: the total votes recorded in the EVM", line, f)
            continue
        if not re.fullmatch(r"\d+", text):
            raise ImportProblem(path, f"{text!r} is not a whole number", line, f)
        values[f] = int(text)
    for f in f17.SERIAL_FIELDS:
        text = f17.normalize_serial(row.get(f) or "")
        if text and (not text.isascii() or not text.isalnum() or len(text) > f17.MAX_SERIAL):
            raise ImportProblem(
                path,
                f"{row[f]!r} is not an EVM serial (letters and digits, at most {f17.MAX_SERIAL})",
                line,
                f,
            )
        if text:
            values[f] = text
    values["remarks"] = (row.get("remarks") or "").strip()
    try:
        rec = Form17C.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ImportProblem(path, err["msg"], line, ".".join(str(x) for x in err["loc"])) from exc
    problems = rec.problems()
    if problems:
        field, msg = problems[0]
        raise ImportProblem(path, msg, line, field)
    return rec
