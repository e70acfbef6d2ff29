"""The `encore` command. `main` builds the parser and runs the app; each other module adds the
sub-commands of one area (`ro`, `printing`, `push`, `backup`; central's are in `central/cli.py`).
They call services, never the screens, and import only argparse at module level so that
`encore` starts fast.
"""
