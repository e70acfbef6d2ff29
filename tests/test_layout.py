"""The layout of the package: what the tree promises (docs/architecture.md) holds."""

from __future__ import annotations

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
