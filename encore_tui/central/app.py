"""The reference central results receiver: an ASGI (FastAPI) app over its own store.

Every POST is refused unless it is signed by a registered counting centre's key (see
push/signing.py) within the time window, has not been seen before (replay), comes from a key
allowed to write that AC, and adds up (central/checks.py). An accepted message is stored for
ever (every revision), and answered with a receipt signed by central's own key; the same
Idempotency-Key with the same body gets the very same answer again, with another body a 422.

No `from __future__ import annotations` here: FastAPI reads the endpoint annotations at runtime.
"""

import logging
import os
import pathlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from sqlalchemy import bindparam, delete, insert, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from encore_tui.base.fast import Fast
from encore_tui.central import acmodel, checks, ingress, readside, results
from encore_tui.central import store as cs
from encore_tui.central.batch import GroupCommit, Item, is_integrity_error, savepoint
from encore_tui.central.codes import Refusal
from encore_tui.central.db import CentralDb, CentralDbError
from encore_tui.wire import keys, signing
from encore_tui.wire import messages as wire

log = logging.getLogger("encore.central")

AcNumber = Annotated[int, Path(ge=1, le=9999, description="the AC number")]


class Refused(Exception):
    def __init__(self, status: int, code: str, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason, self.retry_after = status, code, reason, retry_after


@dataclass(frozen=True)
class Signed:
    key_id: str
    idempotency_key: str
    signature: str
    digest: str
    body: str  # exactly as received and signed: what central keeps


MAX_BODY = ingress.MAX_BODY


class StoredRevision(BaseModel):
    """One message central holds for a round, exactly as the centre signed it."""

    kind: str
    revision: int
    received_at: str
    idempotency_key: str
    body_sha256: str
    message: wire.RoundResult | wire.PostalResult


class ServerKey(BaseModel):
    key_id: str
    public_key: str  # base64 of the raw Ed25519 public key: configure it at the centres


REFUSALS = {
    s: {"model": wire.Refusal, "description": d}
    for s, d in {
        400: "malformed request (e.g. the body does not match its digest header)",
        401: "not signed, unknown key, bad signature, or time outside the window",
        403: "this centre's key may not write this AC, or it was revoked",
        409: "a replayed request, or a message that must wait for an earlier one (see the code)",
        413: "the body is larger than the receiver accepts (16 MB)",
        415: "the body is not strict UTF-8 JSON (a byte-order mark, UTF-16/32, invalid bytes)",
        422: "invalid body, does not add up, or Idempotency-Key reused with another body",
        503: "the store is busy: retry after Retry-After seconds",
    }.items()
}


def _now() -> datetime:
    return datetime.now(UTC)


def _ts(t: datetime) -> str:
    return t.isoformat(timespec="microseconds")


# the statements of every push, compiled once (base/fast.py)
_m = cs.message
_GRANTED = Fast(
    select(cs.grant.c.ac).where(cs.grant.c.key_id == bindparam("k"), cs.grant.c.ac == bindparam("ac"))
)
# read inside every write transaction: a revocation holds from the next push, in every worker
_REVOKED = Fast(select(cs.revoked.c.revoked_at).where(cs.revoked.c.key_id == bindparam("k")))
_SEEN = Fast(select(cs.seen.c.signature).where(cs.seen.c.signature == bindparam("sig")))
_PURGE_SEEN = Fast(delete(cs.seen).where(cs.seen.c.seen_at < bindparam("before")))
_INSERT_SEEN = Fast(insert(cs.seen).values(signature=bindparam("sig"), seen_at=bindparam("at")))
_OLD = Fast(
    select(_m.c.body_sha256, _m.c.response).where(
        _m.c.key_id == bindparam("k"), _m.c.idempotency_key == bindparam("idem")
    )
)
_INSERT_MESSAGE = Fast(
    insert(_m)
    .values({c.name: bindparam("p_" + c.name) for c in _m.columns if c.name != "id"})
    .returning(_m.c.id)
)


# every answer: no script may run, no frame may hold the board, no type sniffing, no referrer
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
        b"form-action 'none'; frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


_POST = re.compile(r"/v1/acs/([1-9][0-9]{0,3})/([a-z]+)")


def _path(request: Request) -> str:
    """`request.url.path` without building the URL (a push's path has none of ? # \\ anyway)."""
    return request.scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def refused_response(exc: Refused) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    body = wire.Refusal(error=exc.code, reason=exc.reason).model_dump()
    return JSONResponse(body, status_code=exc.status, headers=headers)


class _Guard:
    """Refuse a body whose Content-Length is over the limit before reading it (a chunked body
    is counted as it arrives, in the endpoint), and add the security headers to every answer.
    Plain ASGI: Starlette's BaseHTTPMiddleware costs a task and a stream copy on every request."""

    def __init__(self, app, docs: readside.Documents, cache_control: str, posts: dict) -> None:
        self.app, self.docs, self.cache_control = app, docs, cache_control.encode()
        self.posts = posts  # "rounds" -> the endpoint of POST /v1/acs/{ac}/rounds (filled by create_app)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def guarded(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        if scope["method"] == "GET":
            key = readside.key_of(scope["path"])
            doc = self.docs.get(key) if key else None
            if doc is not None:  # the stored document, without FastAPI's routing: the hot path
                etag = doc.etag.encode()
                headers = [(b"etag", etag), (b"cache-control", self.cache_control)]
                match = dict(scope["headers"]).get(b"if-none-match", b"")
                if etag in match:
                    await guarded({"type": "http.response.start", "status": 304, "headers": headers})
                    await guarded({"type": "http.response.body", "body": b""})
                    return
                headers += [
                    (b"content-type", doc.media_type.encode()),
                    (b"content-length", str(len(doc.body)).encode()),
                ]
                await guarded({"type": "http.response.start", "status": 200, "headers": headers})
                await guarded({"type": "http.response.body", "body": doc.body})
                return

        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > MAX_BODY:
                    body = wire.Refusal(
                        error="too_large", reason=f"the body is over {MAX_BODY // 2**20} MB"
                    ).model_dump()
                    await JSONResponse(body, status_code=413)(scope, receive, guarded)
                    return
                break
        if scope["method"] == "POST" and (m := _POST.fullmatch(scope["path"])) and m[2] in self.posts:
            # a push, without FastAPI's routing and middleware (~0.4 ms of a push's ~2.5 ms of
            # CPU): the endpoint reads and checks the body itself; refusals as the handler makes them
            try:
                response = await self.posts[m[2]](int(m[1]), Request(scope, receive))
            except Refused as exc:
                response = refused_response(exc)
            await response(scope, receive, guarded)
            return

        await self.app(scope, receive, guarded)


def app_from_env() -> FastAPI:
    """The app for `encore central serve --workers N` (uvicorn imports it in each worker
    process): store and key from the environment `cmd_serve` set."""
    from encore_tui.central.store import open_central

    key = keys.load_private_key(pathlib.Path(os.environ["ENCORE_CENTRAL_SERVER_KEY"]))
    return create_app(
        open_central(os.environ["ENCORE_CENTRAL_DB"]),
        key,
        window_seconds=int(os.environ.get("ENCORE_CENTRAL_WINDOW", "300")),
        refresh_seconds=int(os.environ.get("ENCORE_CENTRAL_REFRESH", "15")),
        title=os.environ.get("ENCORE_CENTRAL_TITLE", "Election results"),
    )


def create_app(
    store: CentralDb,
    server_key: Ed25519PrivateKey,
    *,
    window_seconds: int = 300,
    refresh_seconds: int = 15,
    title: str = "Election results",
) -> FastAPI:
    app = FastAPI(
        title="encore central results receiver",
        version=f"wire-v{wire.WIRE_VERSION}",
        description=(
            "Receives RO-approved results from counting centres (signed with the centre's Ed25519 key: "
            "headers X-Encore-Key-Id, X-Encore-Time, X-Encore-Content-SHA256, X-Encore-Signature and "
            "Idempotency-Key; see docs/push.md) and publishes them as JSON and as an HTML results board."
        ),
        # no HTML docs: they load scripts from a CDN (useless in an offline hall, and a script
        # source the board's CSP forbids); the document itself is /openapi.json (docs/openapi.json)
        docs_url=None,
        redoc_url=None,
    )
    server_public = keys.public_key_b64(server_key)
    server_key_id = signing.key_id(server_public)
    readside.rebuild_missing(store)  # a store from before the read side: built once, here

    docs = readside.Documents(store, title, refresh_seconds)
    cache_control = f"public, max-age={max(1, refresh_seconds // 3)}"
    posts: dict = {}  # the push endpoints, served by the guard in front of FastAPI
    app.add_middleware(_Guard, docs=docs, cache_control=cache_control, posts=posts)
    app.openapi = lambda: _with_message_schemas(app)  # type: ignore[method-assign]

    @app.exception_handler(Refused)
    async def _refused(_request: Request, exc: Refused) -> JSONResponse:
        return refused_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            wire.Refusal(error="invalid_body", reason=_problems(exc.errors())).model_dump(), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            wire.Refusal(error="http_" + str(exc.status_code), reason=str(exc.detail)).model_dump(),
            status_code=exc.status_code,
        )

    # -- signatures ------------------------------------------------------------------------------
    known_keys: dict[str, tuple[float, str]] = {}  # key id -> (looked up at, public key)

    def _remembered_key(key_id: str) -> str | None:
        """A centre's public key found within the last minute (a centre pushes every round;
        keys are added, not changed, by `encore central add-centre`): no store read, no thread hop."""
        hit = known_keys.get(key_id)
        return hit[1] if hit is not None and time.monotonic() - hit[0] < 60 else None

    def _public_key(key_id: str) -> str | None:
        with store.read() as conn:
            public = conn.execute(select(cs.centre.c.public_key).where(cs.centre.c.key_id == key_id)).scalar()
        if public is not None:
            known_keys[key_id] = (time.monotonic(), public)
        return public

    async def signed_body(request: Request) -> Signed:
        """Headers first (nothing of the body is read for a stranger), then the body counted
        as it arrives, then the digest, time and signature, then strict UTF-8."""
        try:
            h = ingress.push_headers(request.headers)
            public = _remembered_key(h.key_id) or await run_in_threadpool(_public_key, h.key_id)
            if public is None:
                raise Refusal("unknown_key", f"key {h.key_id} is not registered: `encore central add-centre`")
            body = await ingress.read_limited(request.stream())
            signing.verify_request(
                public, request.method, _path(request), body, request.headers, _now(), window_seconds
            )
            text = ingress.body_text(body)
        except Refusal as exc:
            raise Refused(exc.status, exc.code, exc.reason) from None
        except signing.SignatureProblem as exc:
            raise Refused(exc.status, exc.code, exc.reason) from None
        except CentralDbError as exc:
            raise Refused(503, "busy", str(exc), retry_after=2) from None
        return Signed(h.key_id, h.idempotency_key, h.signature, h.digest, text)

    # -- ingest ----------------------------------------------------------------------------------
    # each AC's model as this worker last wrote or read it, by the id of its newest message: the
    # transaction reads that id (under the AC's lock) and re-reads the model only when it differs
    models: dict[int, tuple[int, acmodel.AcModel]] = {}

    def _ingest_tx(
        conn, kind: str, ac: int, msg: wire.Message, s: Signed, staged: dict, committed: list
    ) -> str:
        revoked_at = _REVOKED.one(conn, {"k": s.key_id})
        if revoked_at is not None:
            raise Refused(
                403,
                "key_revoked",
                f"key {s.key_id} was revoked at {revoked_at[0]}: ask central for a new grant",
            )
        if not _GRANTED.one(conn, {"k": s.key_id, "ac": ac}):
            raise Refused(
                403, "ac_not_allowed", f"key {s.key_id} may not write AC {ac}: ask central to grant it"
            )
        now = _now()
        if _SEEN.one(conn, {"sig": s.signature}):
            raise Refused(409, "replay", "this signed request was already received: a replay is refused")
        _INSERT_SEEN.rowcount(conn, {"sig": s.signature, "at": _ts(now)})
        old = _OLD.one(conn, {"k": s.key_id, "idem": s.idempotency_key})
        if old is not None:
            if old[0] == s.digest:
                return old[1]
            raise Refused(
                422,
                "idempotency_key_reused",
                f"Idempotency-Key {s.idempotency_key} was already used for another body",
            )
        if isinstance(msg, wire.RoundResult):
            problems = checks.check_round(msg, None)  # brought forward: against the model, below
            round_no, correction = msg.round, msg.kind == "correction"
        elif isinstance(msg, wire.PostalResult):
            problems, round_no, correction = checks.check_postal(msg), 0, msg.correction
        elif isinstance(msg, wire.VvpatResult):
            problems, round_no, correction = checks.check_vvpat(msg), None, False
        elif isinstance(msg, wire.SetupAmendment | wire.RecountOrder | wire.SignedDocument):
            problems, round_no, correction = [], None, False
        else:
            assert isinstance(msg, wire.DeclarationResult)
            problems, round_no, correction = checks.check_declaration(msg), None, False
        if problems:
            raise Refused(422, "does_not_add_up", "; ".join(problems[:5]))
        model = readside.load_model(conn, ac, staged.get(ac) or models.get(ac))
        try:
            acmodel.check(model, msg)  # type: ignore[arg-type]
        except Refusal as exc:
            raise Refused(exc.status, exc.code, exc.reason) from None
        receipt = wire.Receipt(
            idempotency_key=s.idempotency_key,
            body_sha256=s.digest,
            kind=kind,
            ac=ac,
            round=round_no,
            revision=msg.revision,  # type: ignore[attr-defined]
            received_at=now,
            server_key_id=server_key_id,
            journal_seq=msg.journal_seq,
            journal_hash=msg.journal_hash,
        )
        signed = wire.SignedReceipt(
            receipt=receipt, signature=keys.sign(server_key, wire.canonical_receipt(receipt))
        )
        response = signed.model_dump_json()
        row = {
            "idempotency_key": s.idempotency_key,
            "key_id": s.key_id,
            "ac": ac,
            "kind": kind,
            "round_no": round_no,
            "revision": msg.revision,  # type: ignore[attr-defined]
            "correction": 1 if correction else 0,
            "body_sha256": s.digest,
            "body": s.body,
            "received_at": _ts(now),
            "response": response,
        }
        (msg_id,) = _INSERT_MESSAGE.one(conn, {"p_" + k: v for k, v in row.items()})
        new = acmodel.apply(model, msg, msg_id, row["received_at"])  # type: ignore[arg-type]
        committed.append((ac, msg_id, new))
        existed = model is not None
        readside.materialise(conn, new, existed, msg, msg_id, row["received_at"], s.digest, s.idempotency_key)  # type: ignore[arg-type]
        return response

    def _one(conn, item: Item, staged: dict) -> None:
        """One message of a batch, in its own savepoint: a refusal (or a failure) undoes only it."""
        for attempt in range(3):
            try:
                done: list = []
                with savepoint(conn):
                    result = _ingest_tx(conn, item.kind, item.ac, item.msg, item.signed, staged, done)
                item.result = result  # only once its savepoint is released
                staged.update({a: (head, model) for a, head, model in done})
                return
            except Refused as exc:
                item.error = exc
                return
            except Exception as exc:  # noqa: BLE001 - answered to this request only
                if is_integrity_error(exc) and attempt < 2:
                    continue  # a concurrent twin (another worker) won the race: answer from it
                if store.is_db_error(exc):
                    log.warning("store busy: %s", exc)
                    exc = Refused(503, "busy", "the results store is busy; retry shortly", retry_after=2)
                item.error = exc  # anything else: a 500 for this request alone
                return

    def _write_batch(batch: list[Item]) -> None:
        """Group commit: every message waiting is stored in ONE transaction (one fsync), each in
        its own savepoint; a receipt is answered only after that COMMIT returned."""
        staged: dict = {}  # AC -> (head id, model) written in this transaction
        try:
            with store.write() as conn:
                # signatures too old to be replayed inside the window: forgotten, once a batch
                _PURGE_SEEN.rowcount(conn, {"before": _ts(_now() - timedelta(seconds=3 * window_seconds))})
                # by AC (stable: one AC's messages keep their order): two workers' batches lock
                # the ACs' rows (PostgreSQL: FOR UPDATE) in the same order, so never deadlock
                for item in sorted(batch, key=lambda it: it.ac):
                    _one(conn, item, staged)
        except CentralDbError as exc:
            log.warning("store busy: %s", exc)
            for item in batch:
                item.result = None
                item.error = Refused(503, "busy", "the results store is busy; retry shortly", retry_after=2)
            return
        models.update(staged)  # only once the commit returned
        docs.changed()

    writer = app.state.writer = GroupCommit(_write_batch)

    async def ingest(kind: str, ac: int, msg: wire.Message, s: Signed) -> Response:
        if msg.kind != kind:  # type: ignore[attr-defined]
            raise Refused(422, "kind_mismatch", f"a {msg.kind!r} message was posted to the {kind!r} endpoint")  # type: ignore[attr-defined]
        if msg.contest.ac != ac:
            raise Refused(422, "ac_mismatch", f"the message is for AC {msg.contest.ac}, posted under AC {ac}")
        item = await writer.submit(Item(kind, ac, msg, s))
        if item.error is not None:
            raise item.error
        return Response(item.result, media_type="application/json")

    def _post(kind: str) -> None:
        model = wire.MODELS[kind]

        async def endpoint(ac: AcNumber, request: Request) -> Response:
            # the body is read here, not by FastAPI: only after the headers name a registered
            # key, counted as it arrives, and kept as the exact bytes that were signed
            signed = await signed_body(request)
            try:
                message = wire.parse(kind, signed.body)
            except ValidationError as exc:
                raise Refused(422, "invalid_body", _problems(exc.errors())) from None
            except ValueError as exc:
                raise Refused(422, "invalid_body", str(exc)) from None
            return await ingest(kind, ac, message, signed)

        endpoint.__name__ = f"post_{kind}"
        posts[wire.PATHS[kind].rsplit("/", 1)[1]] = endpoint
        body_schema = {"$ref": f"#/components/schemas/{model.__name__}"}
        app.add_api_route(
            wire.PATHS[kind],
            endpoint,
            methods=["POST"],
            summary=f"Receive a {kind} message (signed)",
            description=(model.__doc__ or "").strip(),
            response_model=wire.SignedReceipt,
            responses=REFUSALS,
            tags=["push"],
            openapi_extra={
                "requestBody": {"required": True, "content": {"application/json": {"schema": body_schema}}}
            },
        )

    for kind in wire.MODELS:
        _post(kind)

    # -- results: stored documents, with ETag / Cache-Control (central/readside.py) ---------------
    def _serve(request: Request, key: str, missing: Refused) -> Response:
        doc = docs.get(key)
        if doc is None:
            raise missing
        headers = {"ETag": doc.etag, "Cache-Control": cache_control}
        if doc.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(doc.body, media_type=doc.media_type, headers=headers)

    @app.get(
        "/v1/acs", response_model=list[results.AcResults], tags=["results"], summary="Results of every AC"
    )
    def list_results(request: Request) -> Response:
        return _serve(request, "acs", Refused(404, "no_such_ac", "nothing has been received"))

    @app.get(
        "/v1/acs/{ac}",
        response_model=results.AcResults,
        responses={404: {"model": wire.Refusal}},
        tags=["results"],
        summary="Results of one AC: rounds received, latest cumulative, lead and margin, status",
    )
    def ac_results(request: Request, ac: AcNumber) -> Response:
        return _serve(
            request, f"ac:{ac}", Refused(404, "no_such_ac", f"nothing has been received for AC {ac}")
        )

    @app.get(
        "/v1/acs/{ac}/anchor",
        response_model=wire.SignedReceipt,
        responses={404: {"model": wire.Refusal}},
        tags=["results"],
        summary="The newest signed receipt of an AC: the centre's journal head central last saw",
    )
    def ac_anchor(ac: AcNumber) -> Response:
        """A centre checks its own journal against this (`encore journal verify
        --against-receipts`): a store cut back or rewritten no longer holds this event."""
        with store.read() as conn:
            text = conn.execute(
                select(cs.message.c.response)
                .where(cs.message.c.ac == ac)
                .order_by(cs.message.c.id.desc())
                .limit(1)
            ).scalar()
        if text is None:
            raise Refused(404, "no_such_ac", f"nothing has been received for AC {ac}")
        return Response(text, media_type="application/json")

    @app.get(
        "/v1/acs/{ac}/rounds/{round_no}",
        response_model=list[StoredRevision],
        responses={404: {"model": wire.Refusal}},
        tags=["results"],
        summary="Every revision central holds of one round (0: postal), oldest first (login names left out)",
    )
    def round_revisions(
        request: Request, ac: AcNumber, round_no: Annotated[int, Path(ge=0, le=501)]
    ) -> Response:
        missing = Refused(404, "no_such_round", f"nothing has been received for round {round_no} of AC {ac}")
        return _serve(request, f"round:{ac}:{round_no}", missing)

    @app.get("/v1/server-key", response_model=ServerKey, tags=["keys"], summary="The key that signs receipts")
    def server_key_info() -> ServerKey:
        return ServerKey(key_id=server_key_id, public_key=server_public)

    @app.get("/board", response_class=HTMLResponse, tags=["results"], summary="The results board (HTML)")
    def board_page(request: Request) -> Response:
        return _serve(request, "board", Refused(404, "no_such_ac", "nothing has been received"))

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return Response(status_code=307, headers={"Location": "/board"})

    return app


def _problems(errors) -> str:
    problems = []
    for e in list(errors)[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        problems.append(f"{where or 'body'}: {e.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid body"


def _with_message_schemas(app: FastAPI) -> dict:
    """The OpenAPI document, with the wire models the POST bodies refer to (the endpoints read
    their bodies themselves, so FastAPI does not know them)."""
    if app.openapi_schema is None:
        doc = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        models = sorted({m for m in wire.MODELS.values()}, key=lambda m: m.__name__)
        _, defs = models_json_schema(
            [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
        )
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in defs.get("$defs", {}).items():
            schemas.setdefault(name, schema)
        app.openapi_schema = doc
    return app.openapi_schema
