"""What the RO's result and VVPAT screens share: the AC read in a thread worker and drawn by
`show`, re-read at once after a decision, and each decision one service call whose refusal is
shown, never raised (`ResultScreen`, `VvpatScreen` derive from `RoDecisionScreen`)."""

from __future__ import annotations

from typing import Any

from encore_tui import services
from encore_tui.base.i18n import t
from encore_tui.domain.rounds import Action, may
from encore_tui.screens.base import Loaded, Session, SessionScreen
from encore_tui.screens.common import user_errors
from encore_tui.screens.dialogs import MessageDialog
from encore_tui.screens.messages import not_saved


class RoDecisionScreen(SessionScreen):
    STATUS_LINES = 3  # #status max-height (each screen's CSS)
    READ_KEY = "ro"  # the Loaded key of this screen's read
    generation = 0  # of the newest read: a worker's read overtaken by a newer one is not drawn

    @staticmethod
    def read(session: Session) -> Any:
        """What the screen shows, read from the store (in a thread worker, or at once)."""
        raise NotImplementedError

    def show(self, value: Any) -> None:
        """Draw what `read` returned."""
        raise NotImplementedError

    @property
    def setup(self):
        return services.load_context(self.store, self.ac_id).setup

    def resumed(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read again in a thread worker (on_loaded draws it): on opening, coming back, Ctrl+R."""
        self.generation = gen = self.generation + 1
        read = self.read
        self.read_in_worker(self.READ_KEY, lambda session: (gen, read(session)))

    def reload_now(self) -> None:
        """Read and draw at once: after a decision, so the next key acts on what was just saved.
        A worker's read started before it (coming back from the decision's form) may land later
        with the figures of before the decision: on_loaded drops it (its generation is older)."""
        self.generation += 1
        try:
            self.show(self.read(self.session))
        except user_errors() as exc:
            self.set_status(f"{exc} (Ctrl+R: try again)", error=True)

    def on_loaded(self, message: Loaded) -> None:
        if message.key != self.READ_KEY:
            return
        if message.error is not None:
            self.set_status(f"{message.error} (Ctrl+R: try again)", error=True)
            return
        gen, value = message.value
        if gen == self.generation:
            self.show(value)

    # -- decisions -------------------------------------------------------------------------------
    def who_may(self, action: Action) -> str:
        return "the RO"

    def _may(self, action: Action, what: str) -> bool:
        role = self.actor.role
        if may(role, action):
            return True
        who = self.who_may(action)
        self.set_status(f"Only {who} may {what}; you ({role.value}) can view this screen only.", error=True)
        return False

    def _call(self, fn, *args, **kw):
        """One service call; a refusal is shown and None returned."""
        try:
            return fn(self.store, self.ac_id, *args, **kw)
        except services.RoundBlocked as exc:
            self.set_status(not_saved(exc), error=True)
            self.app.push_screen(
                MessageDialog(t("Refused"), [str(exc), ""] + [str(c) for c in exc.checks], confirm=False)
            )
        except user_errors() as exc:
            self.set_status(not_saved(exc), error=True)
        return None
