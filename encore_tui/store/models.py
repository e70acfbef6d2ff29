"""The tables. State tables are a projection of the journal (see domain/ledger.py)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

ac = Table(
    "ac",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("setup_json", Text, nullable=False),
    Column("plan_json", Text, nullable=False),
    Column("plan_version", Integer, nullable=False, default=1),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("number", name="uq_ac_number"),
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("ac_id", Integer, primary_key=True, autoincrement=False),  # 0: store-wide chain
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

journal = Table(
    "journal",
    metadata,
    Column("ac_id", Integer, primary_key=True, autoincrement=False),  # 0: store-wide chain
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", String(40), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("kind", String(60), nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON, hashed as stored
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

round_ = Table(
    "round",
    metadata,
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("round_no", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(10), nullable=False),  # postal | evm | vvpat
    Column("status", String(20), nullable=False),
    Column("revision", Integer, nullable=False, default=0),
    Column("remark", Text, nullable=False, default=""),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(80), nullable=False),
)

cell = Table(
    "cell",
    metadata,
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("round_no", Integer, primary_key=True, autoincrement=False),
    Column("station", String(40), primary_key=True),
    Column("field", String(20), primary_key=True),
    Column("value", BigInteger, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(80), nullable=False),
)

table_state = Table(
    "table_state",
    metadata,
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("round_no", Integer, primary_key=True, autoincrement=False),
    Column("station", String(40), primary_key=True),
    Column("kept_aside", String(40)),
    Column("note", Text, nullable=False, default=""),
    Column("acknowledged", Text, nullable=False, default="[]"),  # JSON list of warning codes
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(80), nullable=False),
)

round_revision = Table(
    "round_revision",
    metadata,
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("round_no", Integer, primary_key=True, autoincrement=False),
    Column("revision", Integer, primary_key=True, autoincrement=False),
    Column("stage", String(20), primary_key=True),  # submitted | approved
    Column("figures", Text, nullable=False),  # canonical JSON of the round's tables
    Column("digest", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(80), nullable=False),
)

user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("pin_hash", String(200), nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", String(40)),
    Column("active", Integer, nullable=False, default=1),
    Column("created_at", String(40), nullable=False),
)

ui_state = Table(
    "ui_state",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ac_id", Integer, ForeignKey("ac.id"), nullable=False),
    Column("idempotency_key", String(80), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    # the round (0: postal; NULL: VVPAT, declaration) and revision the message carries, as
    # written by tx.push: what the relay and `encore push --list` read without parsing payloads
    Column("round_no", Integer),
    Column("revision", Integer),
    Column("payload", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("state", String(20), nullable=False, default="queued"),  # queued|sent|acked|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", String(40)),
    Column("last_error", Text),
    Column("receipt", Text),
    Column("acked_at", String(40)),
    Column("journal_seq", BigInteger),  # the outbox.queued event that names its bytes' digest
)

# -- RO verification (services/ro*.py; replayed by domain/ledger.py) ------------------------------
ro_record = Table(  # one decision or setting per key: vvpat_draw, tie_lot, declaration, …
    "ro_record",
    metadata,
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("key", String(80), primary_key=True),
    Column("value", Text, nullable=False),  # canonical JSON
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(80), nullable=False),
)

blind_cell = Table(  # figures re-keyed blind: RO spot check or second operator (double entry)
    "blind_cell",
    metadata,
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("round_no", Integer, primary_key=True, autoincrement=False),
    Column("purpose", String(10), primary_key=True),  # spot | double
    Column("station", String(40), primary_key=True),
    Column("field", String(20), primary_key=True),
    Column("value", BigInteger, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(80), nullable=False),
)

vvpat_count = Table(  # VVPAT slip counts per station: attempt 1 = count, 2 = recount
    "vvpat_count",
    metadata,
    Column("ac_id", Integer, ForeignKey("ac.id"), primary_key=True),
    Column("station", String(40), primary_key=True),
    Column("attempt", Integer, primary_key=True, autoincrement=False),
    Column("slips", Text, nullable=False),  # canonical JSON {c1: n, …, nota: n}
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(80), nullable=False),
)

attachment = Table(  # scanned forms, kept IN the store: one commit with the journal event
    "attachment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ac_id", Integer, ForeignKey("ac.id"), nullable=False),
    Column("purpose", String(20), nullable=False),  # form13a | form13b | form22
    Column("round_no", Integer),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(80), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(80), nullable=False),
    UniqueConstraint("ac_id", "purpose", "sha256", name="uq_attachment"),
)

# -- training (services/training.py): a session's answer key and the trainees' seats -------------
training_session = Table(  # the key (rounds_json: rounds + official figures; faults_json) is read
    "training_session",  # only by trainers and administrators (services/training.py enforces it)
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("source_ac_id", Integer, ForeignKey("ac.id"), nullable=False),
    Column("rounds_json", Text, nullable=False),
    Column("faults_json", Text, nullable=False),
    Column("pass_mark", Integer, nullable=False),  # per cent
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(80), nullable=False),
)

training_seat = Table(  # a trainee's own copy of the AC, bound to their account
    "training_seat",
    metadata,
    Column("session_id", Integer, ForeignKey("training_session.id"), primary_key=True),
    Column("username", String(80), primary_key=True),
    Column("ac_id", Integer, ForeignKey("ac.id"), nullable=False, unique=True),
)

Index("ix_outbox_state", outbox.c.state, outbox.c.id)


def has_training(conn) -> bool:
    """Whether the store has the training tables: a store made before them, opened without
    creating (`encore push`, `encore ro …`), has none, and no trainee either."""
    from sqlalchemy import inspect

    return inspect(conn).has_table(training_seat.name)


def upgrade(engine) -> None:
    """Columns added since a store was created (create_all adds tables, not columns)."""
    from sqlalchemy import inspect, text

    have = {c["name"] for c in inspect(engine).get_columns("outbox")}
    if "journal_seq" not in have:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE outbox ADD COLUMN journal_seq BIGINT"))
    if "round_no" not in have:  # stores made before the outbox carried its round and revision
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE outbox ADD COLUMN round_no INTEGER"))
            conn.execute(text("ALTER TABLE outbox ADD COLUMN revision INTEGER"))
            backfill_outbox(conn)


def outbox_round(kind: str, payload: Mapping) -> tuple[int | None, int | None]:
    """(round_no, revision) of a queued message, read from its payload: used once, to fill the
    columns of rows queued before they existed, and by `encore journal verify` to check them."""
    round_no = 0 if kind == "postal" else payload.get("round")
    revision = payload.get("revision")
    return (
        round_no if isinstance(round_no, int) else None,
        revision if isinstance(revision, int) else None,
    )


def backfill_outbox(conn) -> None:
    """Fill round_no/revision of every outbox row from its payload (the bytes stay as they are)."""
    import json

    from sqlalchemy import select, update

    for r in conn.execute(select(outbox.c.id, outbox.c.kind, outbox.c.payload)).all():
        try:
            p = json.loads(r.payload)
        except ValueError:
            continue  # `encore journal verify` names a damaged row; the upgrade leaves it be
        round_no, revision = outbox_round(r.kind, p if isinstance(p, dict) else {})
        conn.execute(update(outbox).where(outbox.c.id == r.id).values(round_no=round_no, revision=revision))
