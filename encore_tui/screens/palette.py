"""The command palette's provider: the app's commands in the order the app gives them.

Textual's own provider sorts the discovery list by name, which puts "Open round 10" before
"Open round 2"; the app yields them in counting order (postal, 1, 2 … N), so that order is kept.
While typing, hits of equal score keep that order too (the palette's sort is stable)."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits
from textual.system_commands import SystemCommandsProvider


class OrderedCommands(SystemCommandsProvider):
    async def discover(self) -> Hits:
        for name, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            if (match := matcher.match(name)) > 0:
                yield Hit(match, matcher.highlight(name), callback, help=help_text)
