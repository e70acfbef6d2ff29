"""Hot-path statements: compiled once per dialect and run on the DBAPI cursor of the caller's
SQLAlchemy connection, inside its transaction.

Every Enter key in the grid runs about ten statements (chain lock, plan version, round, cell,
write, journal head, journal insert, head move, cursor). Through `Connection.execute` each costs
~70 µs of Python (cache-key generation, parameter processing, result wrapping) — more than the
SQLite statement itself; run this way each costs ~10 µs. Only for statements whose parameters
and results are plain ints and strings (no type processing is applied either way).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement


class Fast:
    __slots__ = ("stmt", "_compiled")

    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        # dialect name -> (SQL text, positional parameter names or None, values bound in the statement)
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _for(self, dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        c = self._compiled.get(dialect.name)
        if c is None:
            comp = self.stmt.compile(dialect=dialect)
            pos = comp.positiontup  # qmark/format dialects (SQLite); None for named (psycopg)
            defaults = {name: b.value for name, b in comp.binds.items() if b.value is not None}
            c = (comp.string, tuple(pos) if pos is not None else None, defaults)
            self._compiled[dialect.name] = c
        return c

    def run(self, conn: Connection, params: Mapping[str, Any]):
        """Execute; returns the DBAPI cursor (fetchone/fetchall give tuples, rowcount works).
        Parameters given a value in the statement (`bindparam("k", "round")`) may be left out."""
        sql, pos, defaults = self._for(conn.dialect)
        if defaults:
            params = {**defaults, **params}
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute(sql, tuple(params[n] for n in pos) if pos is not None else params)
        return cur

    def one(self, conn: Connection, params: Mapping[str, Any]) -> tuple | None:
        cur = self.run(conn, params)
        try:
            return cur.fetchone()
        finally:
            cur.close()

    def rowcount(self, conn: Connection, params: Mapping[str, Any]) -> int:
        cur = self.run(conn, params)
        try:
            return cur.rowcount
        finally:
            cur.close()
