"""Persistence: SQLAlchemy Core tables, the engine (SQLite or PostgreSQL), the journal."""

from encore_tui.store.engine import Store, open_store
from encore_tui.store.errors import StoreError

__all__ = ["Store", "StoreError", "open_store"]
