"""Errors a service raises; each message tells the user what to do."""

from __future__ import annotations

from encore_tui.domain.checks import Check
from encore_tui.domain.rounds import IllegalTransition, NotAllowed
from encore_tui.store.errors import StoreError


class ServiceError(ValueError):
    """A request that was refused; nothing was written."""


class InvalidValue(ServiceError):
    pass


class StaleEdit(ServiceError):
    """Somebody else changed the value since this screen read it."""


class RoundBlocked(ServiceError):
    def __init__(self, message: str, checks: list[Check]) -> None:
        super().__init__(message)
        self.checks = checks


class AuthError(ServiceError):
    pass


__all__ = [
    "AuthError",
    "IllegalTransition",
    "InvalidValue",
    "NotAllowed",
    "RoundBlocked",
    "ServiceError",
    "StaleEdit",
    "StoreError",
]
