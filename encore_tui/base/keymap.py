"""The keymap registry: every binding id of the app, namespaced by the screen it belongs to.

A binding id is what the config file's `[keys]` names to remap a key (F1 lists them beside each
key). Ids are `<screen>.<what>`: `round.submit` remaps F5 on round entry only, `review.back`
Esc on the RO's review only. `app.*` is everywhere (F1, F12, Ctrl+P, Ctrl+Q); `dialog.*` is every
dialog's Enter/Esc. `tests/test_keymap.py` checks this list against the bindings the screens and
widgets declare, both ways.

`[keys]` is checked when the config is read (`base/config.load_settings`): an id not listed
here stops encore with a message naming the id, the file and the nearest known ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

KEYMAP: dict[str, tuple[str, ...]] = {
    "app": ("help", "messages", "command_palette", "quit"),
    "dialog": ("ok", "cancel"),
    "help": ("close",),
    "messages": ("close",),
    "lock": ("sign_out",),
    "dashboard": ("trends", "refresh", "sign_out", "form17c", "double_entry", "back", "print"),
    "round": ("keep_aside", "acknowledge", "submit", "trends", "totals", "back", "print", "scans"),
    "grid": (
        "up",
        "down",
        "left",
        "right",
        "next_table",
        "prev_table",
        "home",
        "end",
        "save",
        "backspace",
        "clear",
        "cancel",
    ),
    "form17c": ("reload", "back"),
    "f17grid": ("up", "down", "left", "right", "pageup", "pagedown", "save", "backspace", "clear", "cancel"),
    "trends": ("back",),
    "blind": ("up", "down", "back"),
    "compare": ("entered", "rekeyed", "back"),
    "scans": ("attach", "back"),
    "scan": ("next", "previous", "back"),
    "home": ("dashboard", "refresh", "trends", "vvpat", "result", "sign_out"),
    "review": (
        "approve",
        "return",
        "correct",
        "spot",
        "double",
        "edit",
        "print",
        "annex",
        "scans",
        "report",
        "back",
    ),
    "result": ("recount", "sign", "tie_lot", "declare", "form22", "print", "scans", "refresh", "back"),
    "vvpat": ("draw", "rule_56d", "slips", "recount", "amend", "open_round", "complete", "refresh", "back"),
    # `encore training replay` (its dashboard and trends) and `encore training watch`
    "replay": ("pause", "next", "previous", "faster", "slower", "quit"),
    "watch": ("refresh", "quit"),
}

BINDING_IDS: frozenset[str] = frozenset(f"{ns}.{name}" for ns, names in KEYMAP.items() for name in names)


def flatten(keys: Mapping[str, object]) -> dict[str, object]:
    """`[keys]` as read from TOML: `round.submit = "f10"` is a dotted key there (a table
    `round` holding `submit`); the app wants the id `round.submit`."""
    out: dict[str, object] = {}
    for k, v in keys.items():
        if isinstance(v, Mapping):
            for sub, val in flatten(v).items():
                out[f"{k}.{sub}"] = val
        else:
            out[str(k)] = v
    return out


def nearest(binding_id: str, n: int = 3) -> list[str]:
    """Known ids that look like `binding_id` (a typo, a bare old id such as `back`)."""
    close = difflib.get_close_matches(binding_id, sorted(BINDING_IDS), n=n, cutoff=0.5)
    if close:
        return close
    tail = binding_id.rsplit(".", 1)[-1]  # `back`: every screen's back
    return sorted(i for i in BINDING_IDS if i.endswith(f".{tail}"))[:n]


def problems(keys: Mapping[str, object]) -> list[str]:
    """What is wrong with a `[keys]` table (already flattened), one sentence per entry."""
    out = []
    for binding_id, value in keys.items():
        if binding_id not in BINDING_IDS:
            near = nearest(binding_id)
            hint = f"did you mean {', '.join(near)}? " if near else ""
            out.append(
                f"[keys] names an unknown binding id '{binding_id}': {hint}"
                "F1 in the app lists every id beside its key; fix or remove that line"
            )
        elif not isinstance(value, str) or not value.strip():
            out.append(f'[keys] {binding_id} must be a key name in quotes, e.g. "f10" or "ctrl+s"')
    return out
