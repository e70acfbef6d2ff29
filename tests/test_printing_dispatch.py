"""Printing without CUPS (printing/dispatch.py): the PDF is always written and its full path
shown; `lp` prints to the configured printer where it exists; with no `lp` the message says
the file was NOT printed and where it is; on Windows the shell's print verbs are used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from encore_tui import services
from encore_tui.base.config import Settings
from encore_tui.cli.main import main
from encore_tui.printing import api, dispatch
from encore_tui.store import open_store
from tests.conftest import ADMIN, small_setup


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "encore.db"
    store = open_store(path)
    services.create_ac(store, small_setup(), ADMIN)
    store.close()
    return path


def _path_with(tmp_path: Path, lp_exit: int | None) -> str:
    """A PATH holding only a folder with (or without, lp_exit=None) a stand-in for CUPS' `lp`
    that records its arguments."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    if lp_exit is not None:
        lp = bin_ / "lp"
        lp.write_text(
            f'#!/bin/sh\necho "$@" >> {tmp_path}/lp.log\n'
            f'[ {lp_exit} = 0 ] || echo "lp: printer jammed" >&2\nexit {lp_exit}\n'
        )
        lp.chmod(0o755)
    return str(bin_)


@pytest.mark.skipif(hasattr(os, "startfile"), reason="Windows prints through os.startfile")
def test_with_no_lp_the_pdf_is_written_and_the_message_says_it_was_not_printed_and_where(
    db, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", _path_with(tmp_path, None))
    store = open_store(db, create=False)
    res = api.print_document(store, 1, "postal", settings=Settings(printer="hall-1"))
    store.close()
    assert res.path.is_absolute() and res.path.read_bytes().startswith(b"%PDF")
    assert res.printer == ""
    assert res.message.startswith(f"Written {res.path} (")
    assert "NOT printed: this PC has no `lp` command (CUPS)" in res.message
    assert "print the file by hand" in res.message


@pytest.mark.skipif(hasattr(os, "startfile"), reason="Windows prints through os.startfile")
def test_cli_print_without_lp_writes_the_file_and_names_its_full_path(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", _path_with(tmp_path, None))
    monkeypatch.setenv("ENCORE_PRINTER", "hall-1")
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(db), "export", "postal", "-o", "postal.pdf", "--print"]) == 0
    err = capsys.readouterr().err
    assert (tmp_path / "postal.pdf").read_bytes().startswith(b"%PDF")
    assert f"Written {tmp_path / 'postal.pdf'} (" in err and "NOT printed" in err


def test_with_lp_on_the_path_it_prints_to_the_configured_printer(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", _path_with(tmp_path, 0))
    monkeypatch.setenv("ENCORE_PRINTER", "hall-2")  # $ENCORE_PRINTER, as the config's `printer`
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(db), "export", "postal", "-o", "postal.pdf", "--print"]) == 0
    pdf = tmp_path / "postal.pdf"
    assert (tmp_path / "lp.log").read_text().split() == ["-d", "hall-2", str(pdf)]
    assert f"Written {pdf} (" in capsys.readouterr().err


def test_a_printer_that_refuses_keeps_the_file_and_says_where_it_is(db, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", _path_with(tmp_path, 1))
    store = open_store(db, create=False)
    out = tmp_path / "postal.pdf"
    with pytest.raises(api.PrintError, match=f"refused the job \\(lp: printer jammed\\); the file is {out}"):
        api.print_document(store, 1, "postal", settings=Settings(printer="hall-1"), output=out)
    store.close()
    assert out.read_bytes().startswith(b"%PDF")


class _Shell:
    """A stand-in for os.startfile (this test runs on Linux): records the verbs asked for, and
    refuses the verbs the PDF reader does not offer, as Windows does (OSError)."""

    def __init__(self, refuses: set[str]) -> None:
        self.calls: list[tuple] = []
        self.refuses = refuses

    def __call__(self, path, verb="open", *args) -> None:
        self.calls.append((path, verb, *args))
        if verb in self.refuses:
            raise OSError(1155, "No application is associated with the specified file for this operation")


def test_windows_prints_with_printto_and_the_printer_name(tmp_path):
    shell = _Shell(refuses=set())
    sent = dispatch.send(tmp_path / "r.pdf", "Hall 1 HP", which=lambda _: None, startfile=shell)
    assert shell.calls == [(str(tmp_path / "r.pdf"), "printto", '"Hall 1 HP"')]
    assert sent == dispatch.Dispatched("Hall 1 HP")


def test_windows_without_printto_falls_back_to_the_default_printer_and_says_so(tmp_path):
    shell = _Shell(refuses={"printto"})
    sent = dispatch.send(tmp_path / "r.pdf", "Hall 1 HP", which=lambda _: None, startfile=shell)
    assert [c[1] for c in shell.calls] == ["printto", "print"]
    assert sent.printer == "the default printer" and "not Hall 1 HP" in sent.note
    with pytest.raises(dispatch.PrintError, match="install a PDF reader"):
        dispatch.send(tmp_path / "r.pdf", "x", which=lambda _: None, startfile=_Shell({"printto", "print"}))
