"""The receiver's own store: registered centres, every message received, seen signatures.

Its connection (`central/db.py`: SQLite in WAL with synchronous=FULL and a cross-process write
lock, or PostgreSQL) holds its own tables, prefixed `central_`, so it may even live in the
same PostgreSQL database as a district's counting store.
"""

from __future__ import annotations

import os

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from encore_tui.central.db import CentralDb, open_db

metadata = MetaData()

centre = Table(
    "central_centre",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("public_key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
)

grant = Table(  # which ACs a centre's key may write
    "central_grant",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("ac", Integer, primary_key=True, autoincrement=False),
    Column("created_at", String(40), nullable=False),
)

revoked = Table(  # a centre's key revoked: refused from the next write on, in every worker
    "central_revoked",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("revoked_at", String(40), nullable=False),
    Column("reason", String(500), nullable=False),
)

message = Table(  # every message accepted, every revision: never updated, never deleted
    "central_message",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(80), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("ac", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("round_no", Integer),
    Column("revision", Integer),
    Column("correction", Integer, nullable=False, default=0),  # 1: later rounds are stale until re-sent
    Column("body_sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("response", Text, nullable=False),  # the signed receipt, returned again on a retry
    UniqueConstraint("key_id", "idempotency_key", name="uq_central_message_key"),
)
Index("ix_central_message_ac", message.c.ac, message.c.id)

ac_state = Table(  # the read side of each AC, rewritten with every message accepted for it
    "central_ac",
    metadata,
    Column("ac", Integer, primary_key=True, autoincrement=False),
    Column("head_id", Integer, nullable=False),  # the newest message accepted for this AC
    Column(
        "model", Text, nullable=False
    ),  # central/acmodel.AcModel as JSON: what new messages are checked against
    Column("results", Text, nullable=False),  # GET /v1/acs/{ac}, exactly
    Column("board_row", Text, nullable=False),  # this AC's part of the HTML board
    Column("updated_at", String(40), nullable=False),
)

revision = Table(  # GET /v1/acs/{ac}/rounds/{r}: each round/postal message's public view, made once
    "central_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # the message's id
    Column("ac", Integer, nullable=False),
    Column("round_no", Integer, nullable=False),
    Column("doc", Text, nullable=False),
)
Index("ix_central_revision_round", revision.c.ac, revision.c.round_no, revision.c.id)

seen = Table(  # signatures already used: a replayed request is refused
    "central_seen",
    metadata,
    Column("signature", String(100), primary_key=True),
    Column("seen_at", String(40), nullable=False),
)
Index("ix_central_seen_at", seen.c.seen_at)


def open_central(url_or_path: str | os.PathLike) -> CentralDb:
    """Open (creating if needed) the receiver's store."""
    db = open_db(url_or_path)
    with db.write() as conn:
        metadata.create_all(conn)
    return db
