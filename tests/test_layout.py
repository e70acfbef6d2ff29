"""The layout of the package: what the tree promises (docs/architecture.md) holds."""

from __future__ import annotations

from encore_tui.cli.main import DEMO_NAMES
from encore_tui.services.demo import DEMO_DATA, DEMOS


def test_the_demo_names_the_parser_offers_are_the_demos_there_are():
    assert sorted(DEMO_NAMES) == sorted(DEMOS)
    for folder in DEMOS.values():
        assert (DEMO_DATA / folder).is_dir(), folder
