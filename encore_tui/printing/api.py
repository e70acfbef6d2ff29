"""What the screens and the CLI call: make a document, write it atomically, send it to the
printer when one is configured."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from encore_tui.base.atomic import atomic_write
from encore_tui.base.config import data_dir
from encore_tui.domain.declaration import Declaration
from encore_tui.printing import declaration as dc
from encore_tui.printing import dispatch
from encore_tui.printing import documents as d
from encore_tui.printing.dispatch import PrintError
from encore_tui.services import load_context
from encore_tui.services.errors import ServiceError
from encore_tui.services.ro_result import recorded_declaration
from encore_tui.store.journal import now
from encore_tui.wire.keys import KeyError_, load_private_key

DOCUMENTS = ("round", "form20", "form21c", "form21e", "form22", "postal", "annex")
log = logging.getLogger("encore.printing")


@dataclass
class Printed:
    path: Path
    pages: int
    printer: str = ""  # the printer it was sent to ("" when only written)
    warnings: list[str] = field(default_factory=list)
    note: str = ""  # why it was not printed (no `lp`), or what differed (see printing.dispatch)

    @property
    def message(self) -> str:
        if self.printer:
            where = f"sent to printer {self.printer}" + (f" ({self.note})" if self.note else "")
        else:
            where = self.note or "not sent to a printer (none configured)"
        return f"Written {self.path} ({self.pages} page{'s' if self.pages != 1 else ''}); {where}."


def _signing_key(warnings: list[str]):
    try:
        return load_private_key()
    except KeyError_ as exc:
        warnings.append(f"Printed without a signature: {exc}")
        return None


def render(
    store,
    ac_id: int,
    what: str,
    *,
    round_no: int | None = None,
    declaration: Declaration | None = None,
    old_rev: int | None = None,
    new_rev: int | None = None,
    printed_by: str = "",
    key=None,
) -> bytes:
    if what not in DOCUMENTS:
        raise ServiceError(f"Unknown document {what!r}; one of: {', '.join(DOCUMENTS)}.")
    if what in ("round", "annex") and round_no is None:
        raise ServiceError(f"Say which round to print the {what} of.")
    kw = {"printed_by": printed_by, "key": key}
    if what == "round":
        return d.round_sheet(store, ac_id, round_no, **kw)
    if what == "annex":
        return d.correction_annex(store, ac_id, round_no, old_rev, new_rev, **kw)
    if what == "form20":
        return d.form20(store, ac_id, **kw)
    if what == "postal":
        return d.postal_sheet(store, ac_id, **kw)
    fn = {"form21c": dc.form21c, "form21e": dc.form21e, "form22": dc.form22}[what]
    if declaration is None:  # once the RO declared, the forms print that declaration, not a DRAFT
        declaration = recorded_declaration(store, ac_id)
    return fn(store, ac_id, declaration, **kw)


def default_path(store, ac_id: int, what: str, round_no: int | None, folder: Path | None = None) -> Path:
    ac = load_context(store, ac_id).setup.ac.number
    stamp = re.sub(r"[^0-9T]", "", now()[:19])
    name = f"ac{ac}-{what}{'' if round_no is None else f'-r{round_no}'}-{stamp}.pdf"
    folder = folder or data_dir() / "prints"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PrintError(
            f"Cannot write to the prints folder {folder}: {exc.strerror}. "
            "Fix prints_dir in the config file (or plug the drive in) and print again."
        ) from None
    return folder / name


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def print_document(
    store,
    ac_id: int,
    what: str,
    *,
    round_no: int | None = None,
    declaration: Declaration | None = None,
    old_rev: int | None = None,
    new_rev: int | None = None,
    settings=None,
    output: Path | str | None = None,
    printed_by: str = "",
    send: bool | None = None,
) -> Printed:
    """Render `what` (one of DOCUMENTS), write it atomically (to `output`, else the prints
    folder), and send it to `settings.printer` when one is configured (`send=False` only writes;
    see printing.dispatch: `lp`, else Windows' print verb, else the message says to print the
    file by hand). Raises PrintError when the printer refuses; the file is kept then."""

    warnings: list[str] = []
    data = render(
        store,
        ac_id,
        what,
        round_no=round_no,
        declaration=declaration,
        old_rev=old_rev,
        new_rev=new_rev,
        printed_by=printed_by,
        key=_signing_key(warnings),
    )
    folder = getattr(settings, "prints_folder", None) if settings is not None else None
    path = Path(output).resolve() if output else default_path(store, ac_id, what, round_no, folder)
    atomic_write(path, data)
    printer = (settings.printer if settings is not None else "") or ""
    if send is False:
        printer = ""
    result = Printed(path, page_count(data), "", warnings)
    if printer:
        sent = dispatch.send(path, printer)
        result.printer, result.note = sent.printer, sent.note
    log.info("printed %s: %s", what, result.message)
    return result
