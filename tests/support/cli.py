"""`encore …` run in this process on a test's store, as a person at the console would."""

from __future__ import annotations


def console(store, monkeypatch, capsys):
    """`encore …` in this process on the store's file: run(*argv, stdin=…) → (exit code, output)."""
    import io

    from encore_tui.cli import main as cli

    db = store.engine.url.database

    def run(*argv, stdin: str = "") -> tuple[int, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["--db", db, *argv])
        out = capsys.readouterr()
        return code, out.out + out.err

    return run
