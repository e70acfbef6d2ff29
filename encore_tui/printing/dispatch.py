"""Sending a written PDF to a printer, on whatever this PC has.

1. `lp -d PRINTER FILE` where CUPS' `lp` is on the PATH (Linux, macOS);
2. on Windows, the shell's "printto" verb for the PDF with the printer's name (what Explorer's
   *Print* does, through the PDF reader installed), falling back to "print" (the default
   printer) when the reader offers no "printto";
3. otherwise nothing is sent, and the caller says where the file is, so a person can print it
   by hand. The PDF is always written first: a printer problem never loses it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class PrintError(RuntimeError):
    """A user-facing message: the file exists even when the printer refused it."""


@dataclass(frozen=True)
class Dispatched:
    printer: str  # the printer it went to ("" when it was not sent)
    note: str = ""  # why it was not sent, or what was different (the default printer)


def send(
    path: Path,
    printer: str,
    *,
    which: Callable[[str], str | None] = shutil.which,
    startfile: Callable[..., None] | None = getattr(os, "startfile", None),
) -> Dispatched:
    """Send `path` to `printer` by the first way this PC offers. Raises PrintError when the
    printer refuses; returns Dispatched("", note) when this PC has no way to print."""
    lp = which("lp")
    if lp:
        return _lp(lp, path, printer)
    if startfile is not None:
        return _windows(startfile, path, printer)
    return Dispatched(
        "",
        "NOT printed: this PC has no `lp` command (CUPS) and no Windows print service; "
        "print the file by hand (or install cups-client)",
    )


def _lp(lp: str, path: Path, printer: str) -> Dispatched:
    try:
        proc = subprocess.run(
            [lp, "-d", printer, str(path)], capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        raise PrintError(
            f"The printer {printer} did not answer within a minute; the file is {path}."
        ) from None
    except OSError as exc:
        raise PrintError(
            f"Could not run {lp} ({exc.strerror}); the file is {path}: print it by hand."
        ) from None
    if proc.returncode != 0:
        raise PrintError(
            f"The printer {printer} refused the job ({(proc.stderr or proc.stdout).strip()}); the file is {path}."
        )
    return Dispatched(printer)


def _windows(startfile: Callable[..., None], path: Path, printer: str) -> Dispatched:
    try:
        startfile(str(path), "printto", f'"{printer}"')
        return Dispatched(printer)
    except OSError:
        pass  # the PDF reader registered no "printto": "print" goes to the default printer
    try:
        startfile(str(path), "print")
    except OSError as exc:
        raise PrintError(
            f"Windows could not print {path} ({exc.strerror or exc}): install a PDF reader, "
            "or open the file and print it by hand."
        ) from None
    return Dispatched("the default printer", f"the PDF reader cannot choose a printer, so not {printer}")
