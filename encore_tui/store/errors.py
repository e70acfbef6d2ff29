"""Store failures in the words of the counting hall: which one it is and what to do.

`explain` turns a SQLite, PostgreSQL (psycopg) or OS error into a StoreError whose message a
person can act on ("Database busy (5 s): NOT saved. …"); the original stays its __cause__.
"""

from __future__ import annotations

import re


class StoreError(RuntimeError):
    """A failure the operator can act on; the message says what to do."""


class NotAnswering(TimeoutError):
    """A round trip to PostgreSQL outlasted its budget; the watchdog broke the connection."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"the server did not answer within {timeout:g} s (connection broken by encore)")
        self.timeout = timeout


_NOT_SAVED = (
    "The figure you typed was NOT saved (everything before it is): press Enter again to retry "
    "once it is fixed."
)
_NOTHING_LOST = "Nothing saved was lost; try again once it is fixed."


def _quoted(pattern: str, text: str) -> str:
    m = re.search(pattern + r' "([^"]*)"', text)
    return m.group(1) if m else ""


def _explain_pg(orig: BaseException, where: str, timeout: float | None, writing: bool) -> StoreError | None:
    """PostgreSQL (psycopg) failures: which one it is and what to do. None: not recognised."""
    text = str(orig)
    low = text.lower()
    state = getattr(orig, "sqlstate", None) or ""
    secs = f"{timeout:g} s" if timeout else "the timeout"
    outcome = _NOT_SAVED if writing else _NOTHING_LOST
    cls = type(orig).__name__

    def head(title: str) -> str:  # the short first sentence (fits 80 columns)
        return title + (": NOT saved. " if writing else ". ")

    retry = "Press Enter again to retry" if writing else "Try again"
    if isinstance(orig, NotAnswering) or cls == "ConnectionTimeout" or "timeout expired" in low:
        tail = (
            "The figure you typed was NOT saved (everything before it is): check the network and "
            "the server, then press Enter again to retry."
            if writing
            else "Check the network and that the server is up, then try again; nothing saved was lost."
        )
        return StoreError(
            head(f"Database not answering ({secs})")
            + f"The server ({where}) or the network did not answer within {secs}. {tail}"
        )
    if state == "55P03" or "lock timeout" in low or state == "40P01" or "deadlock detected" in low:
        return StoreError(
            head(f"Database busy ({secs})")
            + f"Another session kept the data locked for more than {secs} (an encore window busy or "
            f"frozen in the middle of a save?). {retry}; if it keeps happening, close that window "
            "or ask the DBA (pg_stat_activity)."
        )
    if state == "57014" or "canceling statement" in low:
        return StoreError(
            head(f"Database not answering ({secs})")
            + f"The server ({where}) did not finish within {secs} (overloaded?). "
            + ("Press Enter again to retry." if writing else "Try again; nothing saved was lost.")
        )
    if "connection refused" in low:
        return StoreError(
            "Database server refused the connection (not running?). Nothing is listening there: "
            f"check that PostgreSQL is running and that the host and port in {where} are right. {outcome}"
        )
    if "failed to resolve host" in low or "could not translate host name" in low:
        return StoreError(
            f"Database server name unknown: the host in {where} cannot be found. Check the host "
            "name in the URL (and the PC's network/DNS). " + outcome
        )
    if state == "3D000" or re.search(r'database "[^"]*" does not exist', text):
        name = _quoted("database", text)
        return StoreError(
            f'Database "{name}" does not exist on the server. Check the database name at the end '
            f"of the URL ({where}), or have it created (createdb {name or 'NAME'}). " + outcome
        )
    if re.search(r'role "[^"]*" does not exist', text):
        name = _quoted("role", text)
        return StoreError(
            f'Database user "{name}" does not exist on the server. Check the user name in the URL '
            f"({where}), or ask the DBA to create it (CREATE ROLE {name or 'NAME'} LOGIN). " + outcome
        )
    if state == "28P01" or "password authentication failed" in low:
        name = _quoted("for user", text)
        return StoreError(
            f'Database password refused for user "{name}". Check the password (in the URL, '
            "~/.pgpass or PGPASSWORD); the server is up and the user exists. " + outcome
        )
    if "no password supplied" in low:
        return StoreError(
            "Database asks for a password and none was given. Put it in ~/.pgpass (or the URL, "
            f"or PGPASSWORD) for {where}. " + outcome
        )
    if "pg_hba.conf" in low:
        return StoreError(
            "Database server does not accept this PC (pg_hba.conf). Ask the DBA to allow "
            f"connections from this PC for the user and database in {where}. " + outcome
        )
    if state == "42501" or "permission denied" in low or "must be owner" in low:
        what = text.strip().splitlines()[0][:120]
        return StoreError(
            f"Database permission denied: {what}. Ask the DBA to GRANT the user in {where} access "
            "to the encore tables (SELECT, INSERT, UPDATE, DELETE). " + outcome
        )
    if state == "42P01" and "does not exist" in low:
        return StoreError(
            f"The database {where} has no encore tables: check the database name in the URL, or "
            "create the store (`encore import` creates it). " + outcome
        )
    if state == "53300" or "too many clients" in low or "connection slots are reserved" in low:
        return StoreError(
            f"Database server is full (too many connections): close unused encore windows or ask "
            f"the DBA to raise max_connections on {where}. " + outcome
        )
    if state == "57P03" or "starting up" in low or "shutting down" in low or "recovery mode" in low:
        return StoreError(
            f"Database server is starting up or shutting down ({where}): wait a moment. " + outcome
        )
    if (
        state in ("57P01", "57P02", "25P03", "08000", "08003", "08006")
        or "terminating connection" in low
        or "server closed the connection" in low
        or "connection is closed" in low
        or "connection is lost" in low
        or "consuming input failed" in low
        or "ssl syscall" in low
    ):
        return StoreError(
            head("Database connection lost")
            + f"The connection to {where} broke (server restarted, or the network?). "
            + f"{retry}: encore reconnects."
        )
    if "connection failed" in low or "could not connect" in low:
        detail = text.strip().splitlines()[0]
        return StoreError(f"Cannot reach the database server: {detail}. Check {where}. " + outcome)
    return None


def explain(
    exc: BaseException, where: str, *, timeout: float | None = None, writing: bool = False
) -> StoreError:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, NotAnswering) or type(orig).__module__.startswith("psycopg"):
        pg = _explain_pg(orig, where, timeout, writing)
        if pg is not None:
            pg.__cause__ = exc
            return pg
    text = str(orig or exc).lower()
    if "locked" in text or "busy" in text:
        msg = (
            f"The database {where} is locked by another program. Close the other encore "
            "window using it (or wait a moment) and try again. Nothing saved was lost."
        )
    elif "readonly" in text or "read-only" in text:
        msg = (
            f"The database {where} is on read-only media or a read-only file. Copy it to a "
            "writable disk or fix its permissions. Nothing saved was lost."
        )
    elif "full" in text or "no space" in text:
        msg = (
            f"The disk holding {where} is full. Free space (or move the store) and press "
            "Enter again: the last value was NOT saved, everything before it is."
        )
    elif "unable to open" in text or "no such file" in text:
        msg = f"Cannot open the database {where}: check that the folder exists and is writable."
    elif "connection" in text or "could not connect" in text or "refused" in text:
        msg = f"Cannot reach the database server {where}: check that it is running and reachable."
    elif "disk i/o" in text:
        msg = f"The disk holding {where} reported an I/O error. Check the disk; nothing saved was lost."
    else:
        msg = f"Database error on {where}: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}"
    err = StoreError(msg)
    err.__cause__ = exc
    return err
