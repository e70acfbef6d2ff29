"""Accounts: PINs hashed with Argon2id; repeated wrong PINs lock the account for a while.

Every change to an account (creation, sign-in, wrong PIN, lock-out) is a unit of work on the
store chain (0) whose event carries the account's resulting state (ledger.account_state). A
sign-in re-walks that chain and refuses an account whose row does not match it: a role or PIN
hash changed behind the application's back never signs anybody in.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select

from encore_tui.domain.ledger import account_state
from encore_tui.domain.rounds import Action, Role, authorize
from encore_tui.services.context import Actor
from encore_tui.services.errors import AuthError, InvalidValue, ServiceError
from encore_tui.services.uow import STORE_CHAIN, unit_of_work
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import has_training
from encore_tui.store.models import training_seat as seat_t
from encore_tui.store.models import user as user_t

CONSOLE = Actor("console", Role.ADMIN, "administrator at the console")


def admin_actor() -> Actor:
    """The administrator at the server's console, named after the login ($USER): `encore`
    commands that set up an AC (import, plan, demo) act as this account."""
    return Actor(os.environ.get("USER") or "console", Role.ADMIN, "console administrator")


MAX_FAILED = 5
LOCK_MINUTES = 15

# moderate cost: a counting-room PC verifies in ~50 ms
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

TAMPERED = (
    "This account's record does not match the journal (it was changed outside encore): "
    "sign-in refused. Ask the administrator to run `encore journal verify`."
)


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
    with unit_of_work(store, STORE_CHAIN, actor or CONSOLE) as tx:
        conn = tx.conn
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
                created_at=tx.ts,
            )
        )
        tx.account(username)
        tx.event("user.added", {"username": username, "role": role.value})


def hash_pin(pin: str) -> str:
    """The stored form of a PIN (Argon2id), for services that create accounts in their own unit
    of work (a training seat)."""
    if len(pin) < 4:
        raise InvalidValue("A PIN needs at least 4 characters.")
    return _hasher.hash(pin)


def seat_ac(store: Store, username: str) -> int | None:
    """The AC copy a trainee's account is bound to (services/training.py), or None: a trainee
    signs in to their own copy only, whatever AC the sign-in screen or --ac named."""
    with store.read() as conn:
        if not has_training(conn):
            return None
        return conn.execute(
            select(seat_t.c.ac_id).where(seat_t.c.username == username.strip().lower())
        ).scalar()


def journaled_accounts(conn: Connection) -> dict[str, dict]:
    """Each account's state as the store chain says, after re-hashing the chain: raises
    AuthError if the chain itself was altered."""
    _n, brk = journal.walk(conn, STORE_CHAIN)
    if brk is not None:
        raise AuthError(TAMPERED)
    out: dict[str, dict] = {}
    for ev in journal.events(conn, STORE_CHAIN):
        out.update((ev.payload.get("effects") or {}).get("accounts") or {})
    return out


def _refuse_if_tampered(conn: Connection, row) -> None:
    if journaled_accounts(conn).get(row.username) != account_state(row._mapping):
        raise AuthError(TAMPERED)


def _wrong_pin(tx, row, now: dt.datetime, why: str) -> str:
    """Count a wrong PIN (journaled); returns the refusal to show."""
    failed = row.failed_attempts + 1
    locked = (
        (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="microseconds")
        if failed >= MAX_FAILED
        else None
    )
    tx.account(row.username, failed_attempts=0 if locked else failed, locked_until=locked)
    tx.event("user.sign_in_failed", {"username": row.username, "why": why, "locked": bool(locked)})
    return (
        f"The account is now locked for {LOCK_MINUTES} minutes."
        if locked
        else f"{MAX_FAILED - failed} tries left."
    )


def authenticate(
    store: Store, username: str, pin: str, ac_id: int | None = None, now: dt.datetime | None = None
) -> Actor:
    """Check a PIN. Wrong PINs count; after MAX_FAILED the account is locked for LOCK_MINUTES."""
    now = now or dt.datetime.now(dt.UTC)
    ts = now.isoformat(timespec="microseconds")
    refusal: str | None = None  # raised after the commit, so failed attempts are counted
    name = username.strip().lower()
    with unit_of_work(store, STORE_CHAIN, Actor(name or "?", Role.OBSERVER), ts=ts) as tx:
        conn = tx.conn
        row = conn.execute(select(user_t).where(user_t.c.username == name)).one_or_none()
        where = {"ac_id": ac_id} if ac_id is not None else {}
        if row is None or not row.active:
            # the typed name is NOT recorded: people type their PIN into the name field
            ev_payload = {"username": "?", "why": "unknown or inactive user name", **where}
            journal.append(conn, STORE_CHAIN, "?", "unknown", "user.sign_in_failed", ev_payload, ts)
            refusal = "Wrong user name or PIN."
        else:
            _refuse_if_tampered(conn, row)
            tx.actor = Actor(row.username, Role(row.role), row.display_name)
            if row.locked_until and row.locked_until > ts:
                until = dt.datetime.fromisoformat(row.locked_until)
                mins = max(1, int((until - now).total_seconds() // 60) + 1)
                refusal = (
                    f"This account is locked after {MAX_FAILED} wrong PINs; try again in {mins} "
                    "minute(s) or ask the administrator."
                )
            elif not _pin_ok(row.pin_hash, pin):
                refusal = "Wrong user name or PIN. " + _wrong_pin(tx, row, now, "wrong PIN")
            else:
                tx.account(row.username, failed_attempts=0, locked_until=None)
                tx.event("user.signed_in", {"username": row.username, **where})
    if refusal is not None:
        raise AuthError(refusal)
    return Actor(row.username, Role(row.role), row.display_name)


def confirm_pin(store: Store, actor: Actor, pin: str, ac_id: int | None = None) -> None:
    """Re-check the signed-in user's PIN before a decision (or to unlock the screen), without a
    new session. Wrong PINs count towards the lock-out exactly as at sign-in (and are journaled)."""
    now = dt.datetime.now(dt.UTC)
    refusal = None
    with unit_of_work(store, STORE_CHAIN, actor, ts=now.isoformat(timespec="microseconds")) as tx:
        conn = tx.conn
        row = conn.execute(select(user_t).where(user_t.c.username == actor.username)).one_or_none()
        if row is None or not row.active or row.role != actor.role.value:
            refusal = f"'{actor.username}' is not an active {actor.role.value} account: sign in again."
        else:
            _refuse_if_tampered(conn, row)
            if row.locked_until and row.locked_until > tx.ts:
                refusal = "This account is locked after repeated wrong PINs; ask the administrator."
            elif not _pin_ok(row.pin_hash, pin):
                why = "wrong PIN re-entered for a decision"
                refusal = "Wrong PIN: nothing was decided. " + _wrong_pin(tx, row, now, why)
            elif row.failed_attempts:
                tx.account(row.username, failed_attempts=0)
                tx.event("user.pin_confirmed", {"username": row.username})
    if refusal:
        raise AuthError(refusal)


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
