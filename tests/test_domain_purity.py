"""The domain stays pure: no UI, database, HTTP or PDF library anywhere in it."""

import ast
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("textual", "sqlalchemy", "httpx", "fpdf", "rich", "uvicorn", "fastapi", "psycopg", "sqlite3")
DOMAIN = Path(__file__).resolve().parent.parent / "encore_tui" / "domain"


def test_domain_sources_import_no_io_library():
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert DOMAIN.is_dir() and any(DOMAIN.glob("*.py"))
    assert offenders == []


def test_importing_the_domain_loads_no_io_library():
    code = (
        "import sys, encore_tui.domain.setup, encore_tui.domain.plan, encore_tui.domain.checks, "
        "encore_tui.domain.tally, encore_tui.domain.rounds, encore_tui.domain.ledger, encore_tui.domain.events;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=DOMAIN.parent.parent
    )
    assert out.stdout.strip() == "[]"
