"""The session and the screen every signed-in screen derives from.

`Session` is who is signed in, on which store and AC, in which language: `app.py` makes it after
sign-in (`EncoreApp.signed_in`) and drops it at sign-out. `SessionScreen` gives a screen
`self.session` (and `store`, `actor`, `ac_id`), translates its bindings once, and re-reads the
store when the screen comes back on top (`resumed`) — but not while signing out, when the
screens underneath resume on their way out.

A screen that reads a whole AC does it in a thread worker (`read_in_worker`): the screen shows
"loading…" meanwhile and renders what the worker posts back (`Loaded`), so the UI thread never
waits on the database.

Screens tell the screen under them what they decided with messages, never by guessing at its
methods: `RoundSubmitted` (the round screen, after F5) and `DecisionSaved` (the RO's review,
after approve/return), posted to the screen that is current once they closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.worker import get_current_worker

from encore_tui.base.i18n import t
from encore_tui.screens.common import StatusScreen, localize_bindings, user_errors

if TYPE_CHECKING:
    from encore_tui.services import Actor
    from encore_tui.store import Store


@dataclass(frozen=True)
class Session:
    """The signed-in actor, the store, the AC being counted and the UI language.

    A viewer (`app.ViewerApp`: the training replay and watch) holds one too: the replay's names
    its scratch store (replaced as the player rebuilds it), the watch's names no AC (None) until
    one is opened from its list."""

    store: Store
    actor: Actor
    ac_id: int | None
    lang: str = "en"


class RoundSubmitted(Message):
    """A round was submitted to the RO (the round screen has closed)."""

    def __init__(self, round_no: int, ts: str) -> None:
        super().__init__()
        self.round_no, self.ts = round_no, ts


class DecisionSaved(Message):
    """The RO decided a round (approve, return) and the review closed: `text` says what was saved."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Loaded(Message):
    """What a screen's worker read (`read_in_worker`), or the refusal it met."""

    def __init__(self, key: str, value: Any = None, error: Exception | None = None) -> None:
        super().__init__()
        self.key, self.value, self.error = key, value, error


LOADING = "loading…"


class SessionScreen(StatusScreen):
    """Base of every screen shown while someone is signed in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)

    @property
    def session(self) -> Session:
        return self.app.session

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def actor(self) -> Actor:
        return self.session.actor

    @property
    def ac_id(self) -> int:
        return self.session.ac_id

    def on_screen_resume(self) -> None:
        if self.app.session is not None:  # not while signing out (the screens underneath resume)
            self.resumed()

    def resumed(self) -> None:
        """Back on top while signed in: re-read what others may have changed (default: nothing)."""

    def read_in_worker(self, key: str, read: Callable[[Session], Any], group: str | None = None) -> None:
        """Run `read(session)` in a thread worker and post `Loaded(key, value)` (or the user
        error it raised) to this screen; the newest read of a key replaces one still running."""
        session = self.app.session
        if session is None:  # signed out meanwhile (a timer of a screen on its way out)
            return

        def work() -> None:
            try:
                value = read(session)
            except user_errors() as exc:
                if not get_current_worker().is_cancelled:
                    self.post_message(Loaded(key, error=exc))
                return
            if not get_current_worker().is_cancelled:
                self.post_message(Loaded(key, value))

        self.run_worker(work, thread=True, exclusive=True, group=group or f"read-{key}", name=f"read {key}")

    @staticmethod
    def loading() -> str:
        return t(LOADING)
