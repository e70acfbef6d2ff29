"""The bundled demo ACs (`encore demo`): created on first use in the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from encore_tui.base.config import data_dir
from encore_tui.services.counting import create_ac, import_results
from encore_tui.services.form17c import import_form17c
from encore_tui.services.importing import read_form20_dir, read_setup_json
from encore_tui.services.users import add_user, admin_actor
from encore_tui.store import open_store

DEMO_ACCOUNTS = [  # (username, role, PIN, display name): shown on the demo sign-in screen
    ("operator", "operator", "1111", "Demo Operator"),
    ("ro", "ro", "2222", "Demo Returning Officer"),
    ("observer", "observer", "3333", "Demo Observer"),
    ("admin", "admin", "4444", "Demo Administrator"),
]
DEMOS = {"gummidipoondi": "gummidipoondi", "bihar": "bihar_demo"}  # name -> folder in demo_data/
DEMO_DATA = Path(__file__).resolve().parent.parent / "demo_data"


def make_demo(name: str, fresh: bool, rehearsal: bool) -> Path:
    """Create (or reuse) the demo store for `name`; returns its path."""
    admin = admin_actor()
    folder = DEMO_DATA / DEMOS[name]
    path = data_dir() / f"demo-{name}{'-rehearsal' if rehearsal else ''}.db"
    if path.exists() and not fresh:
        return path
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    if name == "bihar":
        setup, values, postal = read_setup_json(folder / "setup.json"), None, None
    else:
        imp = read_form20_dir(folder)
        setup, values, postal = imp.setup, imp.station_values, imp.postal_values
    tmp = path.with_suffix(".creating")
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    store = open_store(tmp)
    ac_id = create_ac(store, setup, admin)
    for username, role, pin, display in DEMO_ACCOUNTS:
        add_user(store, username, role, pin, display)
    if name != "bihar":  # a demo has no presiding officers' papers: Part I as the Form 20 implies
        import_form17c(store, ac_id, imp.form17c, admin, file=DEMOS[name])
    if rehearsal and values:
        import_results(store, ac_id, values, postal, admin)
    store.close()
    os.replace(tmp, path)
    Path(str(tmp) + ".lock").unlink(missing_ok=True)
    return path
