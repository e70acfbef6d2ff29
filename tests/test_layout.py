"""The layout of the package: what the tree promises (docs/architecture.md) holds."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from encore_tui.cli.main import DEMO_NAMES
from encore_tui.services.demo import DEMO_DATA, DEMOS

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_names_the_parser_offers_are_the_demos_there_are():
    assert sorted(DEMO_NAMES) == sorted(DEMOS)
    for folder in DEMOS.values():
        assert (DEMO_DATA / folder).is_dir(), folder


def test_the_import_contracts_hold():
    """pyproject.toml's [tool.importlinter] contracts: the layers, central alone, no circles."""
    run = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:]


PACKAGE = ROOT / "encore_tui"


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "demo_data" not in p.parts)


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text().splitlines())) > 600}
    assert not long, f"split these modules: {long}"


def test_no_private_name_is_imported_from_another_module():
    """`from encore_tui.x import _name` hands a module's private helper to another one: make it
    public where it belongs instead (the read side, cli/common.py, printing/parts.py…)."""
    crossing = []
    for p in _modules():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("encore_tui"):
                crossing += [
                    f"{p.relative_to(ROOT)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert not crossing, crossing


SHARED = ("tests.support", "tests.conftest", "tests.crash")  # tests.crash: the crash harness package


def test_test_modules_share_helpers_only_through_tests_support():
    """A helper one test module borrows from another is a fixture in the wrong place: shared
    helpers live in tests/support/, shared fixtures and constants in tests/conftest.py."""
    borrowed = []
    for p in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text())):
            module = getattr(node, "module", None) or ""
            if module.startswith("tests.") and not module.startswith(SHARED):
                borrowed.append(f"{p.relative_to(ROOT)}: {module}")
    assert not borrowed, borrowed


def test_ci_runs_the_readme_test_command():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    runs = [ln for ln in lines if ln.startswith("python3 -m venv") and "pytest" in ln]
    assert len(runs) == 1, runs  # one test command (the Windows wheel check follows it)
    assert f"\n{runs[0]}\n" in (ROOT / "README.md").read_text()


def test_every_test_marked_slow_in_conftest_exists():
    from tests.conftest import SLOW

    for entry in SLOW:
        path, _, name = entry.partition("::")
        assert (ROOT / path).is_file(), entry
        assert not name or f"def {name}(" in (ROOT / path).read_text(), entry
