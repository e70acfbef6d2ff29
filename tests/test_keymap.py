"""The keymap registry (base/keymap.py): every binding id, namespaced by screen; `[keys]` is
checked when the config is read, and an id remaps the keys of its own screen only."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import encore_tui.screens
import encore_tui.widgets
from encore_tui import app as app_module
from encore_tui.app import EncoreApp
from encore_tui.base.config import ConfigError, Settings, load_settings
from encore_tui.base.keymap import BINDING_IDS
from encore_tui.screens.dashboard import DashboardScreen
from encore_tui.screens.ro.home import RoHomeScreen
from encore_tui.screens.trends import TrendsScreen
from tests.conftest import OPERATOR, RO
from tests.support.ro import RO_PIN, make_ac, type_round
from tests.support.screens import SIZE, open_review


def declared_ids() -> dict[str, str]:
    """Every binding id a class of the app declares, with the class that declares it."""
    modules = [app_module]
    for pkg in (encore_tui.screens, encore_tui.widgets):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            modules.append(importlib.import_module(info.name))
    found: dict[str, str] = {}
    for mod in modules:
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ != mod.__name__ or not issubclass(cls, DOMNode):
                continue
            for b in cls.__dict__.get("BINDINGS", []):
                assert isinstance(b, Binding), f"{cls.__name__}: a binding without an id ({b!r})"
                assert b.id, f"{cls.__name__}: binding {b.key} has no id"
                found[b.id] = cls.__name__
    return found


def test_the_registry_lists_exactly_the_declared_ids_and_each_is_namespaced():
    declared = declared_ids()
    assert set(declared) - BINDING_IDS == set(), "declared but not in base/keymap.py"
    assert BINDING_IDS - set(declared) == set(), "in base/keymap.py but bound nowhere"
    assert all("." in i for i in BINDING_IDS)
    for bare in ("back", "print", "refresh", "trends", "sign_out", "submit_round"):
        assert bare not in BINDING_IDS


def write_config(tmp_path, monkeypatch, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ENCORE_CONFIG", str(path))
    return path


def test_an_unknown_id_is_refused_naming_it_the_file_and_the_nearest_ids(tmp_path, monkeypatch):
    path = write_config(tmp_path, monkeypatch, '[keys]\nreveiw.back = "f11"\n')
    with pytest.raises(ConfigError) as err:
        load_settings()
    msg = str(err.value)
    assert str(path) in msg and "'reveiw.back'" in msg and "review.back" in msg and "F1" in msg

    write_config(tmp_path, monkeypatch, '[keys]\nback = "f11"\n')  # the old bare id
    msg = str(pytest.raises(ConfigError, load_settings).value)
    assert "'back'" in msg and ".back" in msg

    write_config(tmp_path, monkeypatch, "[keys]\nround.submit = 10\n")
    assert "round.submit must be a key name" in str(pytest.raises(ConfigError, load_settings).value)


def test_dotted_ids_read_from_toml_in_every_spelling(tmp_path, monkeypatch):
    write_config(
        tmp_path,
        monkeypatch,
        '[keys]\nround.submit = "f10"\n"review.back" = "f11"\n[keys.grid]\nsave = "ctrl+j"\n',
    )
    assert load_settings().keys == {"round.submit": "f10", "review.back": "f11", "grid.save": "ctrl+j"}


def test_the_encore_command_stops_with_the_message_not_a_traceback(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[keys]\nreview.bak = "f11"\n', encoding="utf-8")
    env = {**os.environ, "ENCORE_CONFIG": str(cfg), "ENCORE_HOME": str(tmp_path / "home")}
    run = subprocess.run(
        [sys.executable, "-m", "encore_tui", "status"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "'review.bak'" in run.stderr and "review.back" in run.stderr and str(cfg) in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


async def test_review_back_remaps_the_review_screen_only(sqlite_store):
    store = sqlite_store
    ac_id = make_ac(store, n_stations=7, tables=1)
    type_round(store, ac_id, 1)
    from encore_tui import services

    services.submit_round(store, ac_id, 1, OPERATOR)
    app = EncoreApp(store, Settings(keys={"review.back": "f11"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*RO.username, "enter", *RO_PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, RoHomeScreen)
        review = await open_review(pilot, 1)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is review  # Esc no longer leaves the review
        await pilot.press("f11")
        await pilot.pause()
        assert isinstance(app.screen, RoHomeScreen)
        # elsewhere Esc is still Esc: the trends and the counting dashboard go back with it
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, TrendsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RoHomeScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RoHomeScreen)


async def test_an_unknown_id_given_to_the_app_stops_it_with_the_message(sqlite_store):
    app = EncoreApp(sqlite_store, Settings(keys={"back": "f11"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 2


def test_the_footer_names_registered_ids_when_it_chooses_what_to_leave_out():
    """The fitting footer keeps F1 and leaves out F12/Ctrl+Q/show-only keys first, by id: an id
    renamed in the registry but not there would silently drop F1 at 80 columns."""
    from encore_tui.widgets.footer import DROP_FIRST, KEEP

    assert KEEP in BINDING_IDS
    assert [i for i in DROP_FIRST if i not in BINDING_IDS] == []
