"""Printed documents (fpdf2): round sheets, Form 20, Form 21C/21D/21E, Form 22, the postal result
sheet and the correction annex — bilingual, each page with a verifiable QR code.

Importing this package is cheap (no fpdf, segno or uharfbuzz): those load when a document is
made. Screens call `print_document`; see docs/printing.md."""

from __future__ import annotations

DOCUMENTS = ("round", "form20", "form21c", "form21e", "form22", "postal", "annex")


def print_document(store, ac_id: int, what: str, **kw):
    """See `encore_tui.printing.api.print_document`."""
    from encore_tui.printing.api import print_document as _print

    return _print(store, ac_id, what, **kw)
