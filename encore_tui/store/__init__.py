"""Persistence: SQLAlchemy Core tables, the engine (SQLite or PostgreSQL), the journal."""

from encore_tui.store.engine import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
