"""The read side: built once per accepted message, served many times.

`materialise` runs inside the transaction that stores a message: it writes the AC's model, its
results JSON and its board card (`central_ac`), and the public view of a round/postal message
(`central_revision`). Readers then only join stored text: no message is parsed to answer a GET.

`Documents` serves those texts with an ETag (a digest of the content, the same in every worker) and
Cache-Control, so a CDN or nginx in front can answer most readers; each worker keeps the
documents it served and checks the store for a newer message at most every `fresh_seconds`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, bindparam, func, insert, select, update

from encore_tui.base.fast import Fast
from encore_tui.central import acmodel, board, results
from encore_tui.central import store as cs
from encore_tui.central.db import CentralDb
from encore_tui.wire import messages as wire


def public_message(msg: wire.Message) -> str:
    """A message as the public sees it (JSON): no login names (the RO's printed name stays).
    Serialised by pydantic's own serialiser, from a shallow copy with the names blanked."""
    blank: dict = {key: "" for key in ("declared_by", "drawn_by") if key in type(msg).model_fields}
    approval = getattr(msg, "approval", None)
    if approval is not None:
        blank["approval"] = approval.model_copy(update={"by": ""})
    return msg.model_copy(update=blank).model_dump_json()


# the statements of every push, compiled once (store/fast.py)
_AC_COLUMNS = ("head_id", "model", "results", "board_row", "updated_at")
_UPDATE_AC = Fast(
    update(cs.ac_state)
    .where(cs.ac_state.c.ac == bindparam("ac"))
    .values({c: bindparam(c) for c in _AC_COLUMNS})
)
_INSERT_AC = Fast(insert(cs.ac_state).values({c: bindparam(c) for c in ("ac", *_AC_COLUMNS)}))
_INSERT_REVISION = Fast(
    insert(cs.revision).values(
        id=bindparam("id"), ac=bindparam("ac"), round_no=bindparam("r"), doc=bindparam("doc")
    )
)
_HEAD = Fast(select(cs.ac_state.c.head_id).where(cs.ac_state.c.ac == bindparam("ac")).with_for_update())


def load_model(
    conn: Connection, ac: int, cached: tuple[int, acmodel.AcModel] | None
) -> acmodel.AcModel | None:
    """The AC's model, its row locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite
    writes are serialised anyway). `cached`: (head id, model) this worker holds; used when the
    store's head id is the same, so the model is parsed only after another worker wrote."""
    a = cs.ac_state
    got = _HEAD.one(conn, {"ac": ac})
    if got is None:
        return None
    head = got[0]
    if cached is not None and cached[0] == head:
        return cached[1]
    text = conn.execute(select(a.c.model).where(a.c.ac == ac)).scalar_one()
    return acmodel.AcModel.model_validate_json(text)


def materialise(
    conn: Connection,
    model: acmodel.AcModel,
    existed: bool,
    msg: wire.Message,
    msg_id: int,
    received_at: str,
    body_sha256: str,
    idempotency_key: str,
) -> None:
    ac = model.contest.ac
    res = results.of_model(model)
    row = {
        "head_id": msg_id,
        "model": model.model_dump_json(),
        "results": res.model_dump_json(),
        "board_row": board.card(res),
        "updated_at": received_at,
    }
    (_UPDATE_AC if existed else _INSERT_AC).rowcount(conn, {"ac": ac, **row})
    if isinstance(msg, wire.RoundResult | wire.PostalResult):
        head = {
            "kind": msg.kind,
            "revision": msg.revision,
            "received_at": received_at,
            "idempotency_key": idempotency_key,
            "body_sha256": body_sha256,
        }
        rnd = msg.round if isinstance(msg, wire.RoundResult) else 0
        doc_text = json.dumps(head, ensure_ascii=False)[:-1] + ', "message": ' + public_message(msg) + "}"
        _INSERT_REVISION.rowcount(conn, {"id": msg_id, "ac": ac, "r": rnd, "doc": doc_text})


_AC = re.compile(r"/v1/acs/([1-9][0-9]{0,3})")
_ROUND = re.compile(r"/v1/acs/([1-9][0-9]{0,3})/rounds/(0|[1-9][0-9]{0,2})")


def key_of(path: str) -> str | None:
    """The document a GET path names ('board', 'acs', 'ac:7', 'round:7:3'), or None."""
    if path == "/board":
        return "board"
    if path == "/v1/acs":
        return "acs"
    if m := _AC.fullmatch(path):
        return f"ac:{m[1]}"
    if (m := _ROUND.fullmatch(path)) and int(m[2]) <= 501:
        return f"round:{m[1]}:{m[2]}"
    return None


@dataclass(frozen=True)
class Doc:
    etag: str
    body: bytes
    media_type: str


class Documents:
    """The public documents of one worker, re-read from the store only when it holds newer."""

    def __init__(
        self, store: CentralDb, title: str, refresh_seconds: int, fresh_seconds: float = 0.25
    ) -> None:
        self.store, self.title, self.refresh = store, title, refresh_seconds
        self.fresh_seconds = fresh_seconds
        self._lock = threading.Lock()
        self._docs: dict[str, Doc | None] = {}
        self._head: tuple[int, int] | None = None
        self._checked = 0.0

    def changed(self) -> None:
        """This worker stored a message: look at the store on the next read."""
        self._checked = 0.0

    def _current(self, conn: Connection) -> tuple[int, int]:
        now = time.monotonic()
        if self._head is not None and now - self._checked < self.fresh_seconds:
            return self._head
        head = tuple(
            conn.execute(
                select(func.coalesce(func.max(cs.ac_state.c.head_id), 0), func.count()).select_from(
                    cs.ac_state
                )
            ).one()
        )
        with self._lock:
            if head != self._head:
                self._docs.clear()
                self._head = head  # type: ignore[assignment]
            self._checked = now
        return head  # type: ignore[return-value]

    def get(self, key: str) -> Doc | None:
        """key: 'board', 'acs', 'ac:7', 'round:7:3'. None: nothing held."""
        doc = self._docs.get(key, False)
        if (
            doc is not False
            and self._head is not None
            and time.monotonic() - self._checked < self.fresh_seconds
        ):
            return doc  # type: ignore[return-value]
        with self.store.read() as conn:
            head = self._current(conn)
            doc = self._docs.get(key, False)
            if doc is False:
                doc = self._build(conn, key)
                with self._lock:
                    if self._head == head:  # not if another reader saw a newer store meanwhile
                        self._docs[key] = doc
        return doc  # type: ignore[return-value]

    def _build(self, conn: Connection, key: str) -> Doc | None:
        a = cs.ac_state
        if key == "board":
            rows = conn.execute(select(a.c.board_row, a.c.updated_at, a.c.head_id).order_by(a.c.ac)).all()
            newest = max((r.updated_at for r in rows), default=None)
            html_text = board.page(
                self.title,
                [r.board_row for r in rows],
                self.refresh,
                datetime.fromisoformat(newest.replace("Z", "+00:00")) if newest else None,
            )
            return self._doc(html_text.encode(), "text/html; charset=utf-8")
        if key == "acs":
            rows = conn.execute(select(a.c.results).order_by(a.c.ac)).scalars().all()
            return self._doc(("[" + ",".join(rows) + "]").encode(), "application/json")
        if key.startswith("ac:"):
            text = conn.execute(select(a.c.results).where(a.c.ac == int(key[3:]))).scalar()
            return self._doc(text.encode(), "application/json") if text is not None else None
        if key.startswith("round:"):
            _, ac, rnd = key.split(":")
            r = cs.revision
            docs = (
                conn.execute(
                    select(r.c.doc).where(r.c.ac == int(ac), r.c.round_no == int(rnd)).order_by(r.c.id)
                )
                .scalars()
                .all()
            )
            return self._doc(("[" + ",".join(docs) + "]").encode(), "application/json") if docs else None
        raise KeyError(key)

    def _doc(self, body: bytes, media_type: str) -> Doc:
        # the content's digest: equal bodies share an ETag across workers and restarts
        return Doc('"' + hashlib.sha256(body).hexdigest()[:32] + '"', body, media_type)


def snapshot(store: CentralDb, folder: Path, title: str, refresh_seconds: int) -> list[Path]:
    """Every public document as a static file (what a CDN origin would hold), from one read
    transaction: board.html, acs.json, acs/N.json, acs/N/rounds/R.json. Each file is written
    atomically (temp file, fsync, rename)."""
    from encore_tui.base.atomic import atomic_write

    docs = Documents(store, title, refresh_seconds)
    written: list[Path] = []
    with store.read() as conn:
        keys = {"board": "board.html", "acs": "acs.json"}
        for ac in conn.execute(select(cs.ac_state.c.ac).order_by(cs.ac_state.c.ac)).scalars():
            keys[f"ac:{ac}"] = f"acs/{ac}.json"
        for ac, rnd in conn.execute(select(cs.revision.c.ac, cs.revision.c.round_no).distinct()):
            keys[f"round:{ac}:{rnd}"] = f"acs/{ac}/rounds/{rnd}.json"
        for key, name in keys.items():
            doc = docs._build(conn, key)
            if doc is None:
                continue
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(atomic_write(path, doc.body))
    return written


def rebuild_missing(store: CentralDb) -> int:
    """A store written before the read side existed: build each AC's model and documents from
    the messages it holds (in the order they were accepted). Returns the ACs rebuilt."""
    m = cs.message
    with store.read() as conn:
        done = set(conn.execute(select(cs.ac_state.c.ac)).scalars())
        todo = sorted(set(conn.execute(select(m.c.ac).distinct()).scalars()) - done)
    for ac in todo:
        with store.write() as conn:
            if conn.execute(select(cs.ac_state.c.ac).where(cs.ac_state.c.ac == ac)).first():
                continue  # another worker did it
            model = None
            rows = conn.execute(
                select(m.c.id, m.c.kind, m.c.body, m.c.received_at, m.c.body_sha256, m.c.idempotency_key)
                .where(m.c.ac == ac)
                .order_by(m.c.id)
            ).all()
            for r in rows:
                msg = wire.parse(r.kind, r.body)
                new = acmodel.apply(model, msg, r.id, r.received_at)  # type: ignore[arg-type]
                materialise(
                    conn, new, model is not None, msg, r.id, r.received_at, r.body_sha256, r.idempotency_key
                )  # type: ignore[arg-type]
                model = new
    return len(todo)
