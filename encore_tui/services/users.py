"""Accounts: PINs hashed with Argon2id; repeated wrong PINs lock the account for a while."""

from __future__ import annotations

import datetime as dt
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from encore_tui.domain.rounds import Action, Role, authorize
from encore_tui.services.context import Actor
from encore_tui.services.errors import AuthError, InvalidValue, ServiceError
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import ac as ac_t
from encore_tui.store.models import chain_head
from encore_tui.store.models import user as user_t

MAX_FAILED = 5
LOCK_MINUTES = 15
STORE_CHAIN = 0  # store-wide journal chain (accounts, sign-ins)

# moderate cost: a counting-room PC verifies in ~50 ms
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _ensure_store_chain(conn) -> None:
    if conn.execute(select(chain_head.c.ac_id).where(chain_head.c.ac_id == STORE_CHAIN)).first() is None:
        journal.start_chain(conn, STORE_CHAIN)


def add_user(
    store: Store,
    username: str,
    role: Role | str,
    pin: str,
    display_name: str = "",
    actor: Actor | None = None,
) -> None:
    """Create an account. `actor` None is the local administrator at the console (CLI)."""
    role = Role(role)
    if role is Role.SYSTEM:
        raise InvalidValue("'system' is not a role for a person.")
    if actor is not None:
        authorize(actor.role, Action.MANAGE_USERS)
    if not re.fullmatch(r"[a-z0-9_.-]{2,40}", username):
        raise InvalidValue("User names are 2-40 lower-case letters, digits, '.', '_' or '-'.")
    if len(pin) < 4:
        raise InvalidValue("A PIN needs at least 4 characters.")
    ts = journal.now()
    with store.write() as conn:
        if conn.execute(select(user_t.c.id).where(user_t.c.username == username)).first():
            raise ServiceError(f"There is already a user '{username}'.")
        conn.execute(
            insert(user_t).values(
                username=username,
                display_name=display_name or username,
                role=role.value,
                pin_hash=_hasher.hash(pin),
                failed_attempts=0,
                active=1,
                created_at=ts,
            )
        )
        _ensure_store_chain(conn)
        journal.append(
            conn,
            STORE_CHAIN,
            actor.username if actor else "console",
            actor.role if actor else "admin",
            "user.added",
            {"username": username, "role": role.value},
            ts,
        )


def authenticate(
    store: Store, username: str, pin: str, ac_id: int | None = None, now: dt.datetime | None = None
) -> Actor:
    """Check a PIN. Wrong PINs count; after MAX_FAILED the account is locked for LOCK_MINUTES."""
    now = now or dt.datetime.now(dt.UTC)
    ts = now.isoformat(timespec="microseconds")
    refusal: str | None = None  # raised after the commit, so failed attempts are counted
    with store.write() as conn:
        _ensure_store_chain(conn)
        chain = STORE_CHAIN
        if ac_id is not None and conn.execute(select(ac_t.c.id).where(ac_t.c.id == ac_id)).first():
            chain = ac_id
        # FOR UPDATE: concurrent wrong PINs (district mode) must each count towards the lock-out
        row = conn.execute(
            select(user_t).where(user_t.c.username == username.strip().lower()).with_for_update()
        ).one_or_none()
        if row is None or not row.active:
            # the typed name is NOT recorded: people type their PIN into the name field
            journal.append(
                conn,
                chain,
                "?",
                "unknown",
                "user.sign_in_failed",
                {"username": "?", "why": "unknown or inactive user name"},
                ts,
            )
            refusal = "Wrong user name or PIN."
        elif row.locked_until and row.locked_until > ts:
            until = dt.datetime.fromisoformat(row.locked_until)
            mins = max(1, int((until - now).total_seconds() // 60) + 1)
            refusal = (
                f"This account is locked after {MAX_FAILED} wrong PINs; try again in {mins} "
                "minute(s) or ask the administrator."
            )
        elif not _pin_ok(row.pin_hash, pin):
            failed = row.failed_attempts + 1
            locked = (
                (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="microseconds")
                if failed >= MAX_FAILED
                else None
            )
            conn.execute(
                update(user_t)
                .where(user_t.c.id == row.id)
                .values(failed_attempts=0 if locked else failed, locked_until=locked)
            )
            journal.append(
                conn,
                chain,
                row.username,
                row.role,
                "user.sign_in_failed",
                {"username": row.username, "why": "wrong PIN", "locked": bool(locked)},
                ts,
            )
            refusal = "Wrong user name or PIN. " + (
                f"The account is now locked for {LOCK_MINUTES} minutes."
                if locked
                else f"{MAX_FAILED - failed} tries left."
            )
        else:
            conn.execute(
                update(user_t).where(user_t.c.id == row.id).values(failed_attempts=0, locked_until=None)
            )
            journal.append(
                conn, chain, row.username, row.role, "user.signed_in", {"username": row.username}, ts
            )
    if refusal is not None:
        raise AuthError(refusal)
    return Actor(row.username, Role(row.role), row.display_name)


def _pin_ok(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def list_users(store: Store) -> list[Actor]:
    with store.read() as conn:
        return [
            Actor(r.username, Role(r.role), r.display_name)
            for r in conn.execute(select(user_t).order_by(user_t.c.role, user_t.c.username))
        ]
