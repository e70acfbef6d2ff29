"""`encore training …` (issue 18): the command group. Its sub-commands come from the modules
that build them (`training_replay`: replay and watch)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from encore_tui.cli import training_replay

    tr = sub.add_parser("training", help="training sessions: replay a recorded count, watch trainees")
    group = tr.add_subparsers(dest="what", required=True, metavar="COMMAND")
    training_replay.register(group)
