"""Scanned forms, recount applications, the tie lot, Form 20 sign-off and the declaration.

Scans are stored IN the store (attachment.content) rather than as files under the data dir:
the bytes commit in the same transaction as their journal event (no orphan or missing file
after a power cut), they live where the RO reviews over SSH on a district PostgreSQL server,
and a backup of the store is a backup of the scans. They are re-hashed by `journal verify`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from encore_tui.base.atomic import atomic_write
from encore_tui.domain import checks as ck
from encore_tui.domain.declaration import Declaration, ResultError, TieLot, decide
from encore_tui.domain.plan import POSTAL_ROUND
from encore_tui.domain.rounds import Action, authorize
from encore_tui.domain.tally import Form20, lead
from encore_tui.services.context import AcContext, Actor, load_context
from encore_tui.services.errors import InvalidValue, RoundBlocked, ServiceError
from encore_tui.services.exporting import form20_csv
from encore_tui.services.queries import form20, form20_in, round_infos
from encore_tui.services.ro_margin import margin_checks_in
from encore_tui.services.ro_tx import get_record, open_corrections, records_like
from encore_tui.services.uow import unit_of_work
from encore_tui.services.users import confirm_pin
from encore_tui.store import journal
from encore_tui.store.engine import Store
from encore_tui.store.models import attachment as att_t
from encore_tui.store.models import ro_record as rec_t
from encore_tui.wire import build as wire_build
from encore_tui.wire import messages as wire

MAX_SCAN_BYTES = 25 * 1024 * 1024
PURPOSES = {
    "form13a": "Form 13A",
    "form13b": "Form 13B",
    "form20": "Form 20 (signed)",
    "form21c": "Form 21C (signed)",
    "form22": "Form 22 (signed certificate)",
}
SIGNED_FORMS = {"form20": "20", "form21c": "21C", "form22": "22"}  # pushed as `document`
POSTAL_SCANS = ("form13a", "form13b")  # the operator's (postal round); the others are the RO's
_MAGIC = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]
TIE_LOT, SIGNED, DECLARATION = "tie_lot", "form20_signed", "declaration"


# -- scans -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    purpose: str
    round_no: int | None
    filename: str
    media_type: str
    size: int
    sha256: str
    at: str
    by: str

    @property
    def label(self) -> str:
        return PURPOSES.get(self.purpose, self.purpose)


def _media_type(content: bytes, filename: str) -> str:
    for magic, mt in _MAGIC:
        if content.startswith(magic):
            return mt
    guess = mimetypes.guess_type(filename)[0] or "unknown"
    raise InvalidValue(
        f"{filename} ({guess}) is not a scan this software keeps: attach a PDF, PNG, JPEG or TIFF file."
    )


def attach_scan(
    store: Store, ac_id: int, purpose: str, filename: str, content: bytes, actor: Actor
) -> AttachmentInfo:
    """Attach a scanned Form 13A/13B (postal round; an operator may), the signed Form 20 (RO,
    once signed), the signed Form 21C or the signed Form 22 certificate (RO, after the
    declaration; Form 22 is queued for push with the declaration)."""
    if purpose not in PURPOSES:
        raise InvalidValue(f"Attach one of: {', '.join(PURPOSES)}.")
    authorize(actor.role, Action.ENTER if purpose in POSTAL_SCANS else Action.DECLARE)
    name = Path(filename).name[:200]
    if not content:
        raise InvalidValue(f"{name} is empty: scan it again.")
    if len(content) > MAX_SCAN_BYTES:
        raise InvalidValue(f"{name} is larger than {MAX_SCAN_BYTES // 2**20} MB: scan at a lower resolution.")
    media_type = _media_type(content, name)
    if purpose == "form22" and media_type not in _WIRE_MEDIA:
        raise InvalidValue(f"{name} is a TIFF scan: attach the signed certificate as PDF, PNG or JPEG.")
    ctx = load_context(store, ac_id)
    sha = hashlib.sha256(content).hexdigest()
    with unit_of_work(store, ac_id, actor) as fx:
        conn, ts = fx.conn, fx.ts
        if conn.execute(
            select(att_t.c.id).where(
                att_t.c.ac_id == ac_id, att_t.c.purpose == purpose, att_t.c.sha256 == sha
            )
        ).first():
            raise ServiceError(f"This {PURPOSES[purpose]} scan ({name}) is already attached.")
        decl = get_record(conn, ac_id, DECLARATION)
        if purpose in ("form21c", "form22") and decl is None:
            raise ServiceError(f"The signed {PURPOSES[purpose]} is attached after the result is declared.")
        if purpose == "form20" and get_record(conn, ac_id, SIGNED) is None:
            raise ServiceError(
                "The signed Form 20 is attached after the RO signs it (F3 on the result screen)."
            )
        round_no = POSTAL_ROUND if purpose in POSTAL_SCANS else None
        fx.attachment(purpose, round_no, name, media_type, content)
        ev = fx.event(
            "attachment.added",
            {"purpose": purpose, "filename": name, "sha256": sha, "size": len(content)},
        )
        if purpose in SIGNED_FORMS:  # central is told the signed document is on file
            n = conn.execute(
                select(func.count()).where(att_t.c.ac_id == ac_id, att_t.c.purpose == purpose)
            ).scalar_one()
            doc = wire.SignedDocument(
                contest=wire_build.contest_of(ctx.setup, ctx.last_round),
                journal_seq=ev.seq,
                revision=n,
                form=SIGNED_FORMS[purpose],
                filename=name,
                media_type=media_type,
                size=len(content),
                sha256=sha,
                attached_at=ts,
                attached_by=actor.username,
                journal_hash=ev.hash,
            )
            key = wire.round_key("document", ctx.setup.ac.number, None, n, ev.seq)
            fx.push("document", doc.model_dump(mode="json"), key)
        if purpose == "form22":
            # the declaration again, now with the signed certificate: one more revision
            scans = conn.execute(
                select(func.count()).where(att_t.c.ac_id == ac_id, att_t.c.purpose == "form22")
            ).scalar_one()
            cert = wire.Certificate.of(name, media_type, content)
            msg = _declaration_message(
                conn, ctx, Declaration.model_validate(decl), actor, ev, cert, revision=scans + 1
            )
            key = wire.round_key("declaration", ctx.setup.ac.number, None, msg.revision, ev.seq)
            fx.push("declaration", msg.model_dump(mode="json"), key)
        row_id = conn.execute(
            select(att_t.c.id).where(
                att_t.c.ac_id == ac_id, att_t.c.purpose == purpose, att_t.c.sha256 == sha
            )
        ).scalar_one()
    return AttachmentInfo(row_id, purpose, round_no, name, media_type, len(content), sha, ts, actor.username)


def attach_scan_file(store: Store, ac_id: int, purpose: str, path: Path, actor: Actor) -> AttachmentInfo:
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidValue(f"Cannot read {path}: {exc.strerror}.") from None
    return attach_scan(store, ac_id, purpose, Path(path).name, content, actor)


def list_attachments(
    store: Store, ac_id: int, purpose: str | Sequence[str] | None = None
) -> list[AttachmentInfo]:
    cols = [c for c in att_t.c if c.name != "content"]
    q = select(*cols).where(att_t.c.ac_id == ac_id).order_by(att_t.c.id)
    if isinstance(purpose, str):
        q = q.where(att_t.c.purpose == purpose)
    elif purpose:
        q = q.where(att_t.c.purpose.in_(list(purpose)))
    with store.read() as conn:
        return [
            AttachmentInfo(
                r.id,
                r.purpose,
                r.round_no,
                r.filename,
                r.media_type,
                r.size,
                r.sha256,
                r.created_at,
                r.created_by,
            )
            for r in conn.execute(q)
        ]


def read_attachment(store: Store, ac_id: int, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
    """The scan's bytes, checked against the hash recorded when it was attached."""
    with store.read() as conn:
        r = conn.execute(
            select(att_t).where(att_t.c.ac_id == ac_id, att_t.c.id == attachment_id)
        ).one_or_none()
    if r is None:
        raise ServiceError(f"There is no attachment {attachment_id}.")
    content = bytes(r.content)
    if hashlib.sha256(content).hexdigest() != r.sha256:
        raise ServiceError(
            f"Attachment {attachment_id} ({r.filename}) does not match its recorded hash: it was altered. "
            "Run `encore journal verify` and attach the original scan again."
        )
    info = AttachmentInfo(
        r.id, r.purpose, r.round_no, r.filename, r.media_type, r.size, r.sha256, r.created_at, r.created_by
    )
    return info, content


def export_attachment(store: Store, ac_id: int, attachment_id: int, dest: Path) -> Path:
    """Write a scan out (atomically) to open it in a viewer."""
    _info, content = read_attachment(store, ac_id, attachment_id)
    return atomic_write(Path(dest), content)


# -- recount (Rule 63) ----------------------------------------------------------------------------------
def record_recount(
    store: Store,
    ac_id: int,
    applicant: str,
    stations: Sequence[str] | None,
    allowed: bool,
    reason: str,
    actor: Actor,
) -> list[int]:
    """A written recount application decided by the RO (full: stations None). Allowed → the
    rounds of those stations are opened for correction (later rounds need re-approval); the RO
    types the recounted figures and approves them in order. Refused once Form 20 is signed.
    Returns the rounds opened for correction."""
    authorize(actor.role, Action.CORRECT)
    if not applicant.strip() or not reason.strip():
        raise InvalidValue("Record the applicant and the reasons for the decision.")
    ctx = load_context(store, ac_id)
    if stations is not None:
        stations = [" ".join(s.split()) for s in stations]
        if not stations:
            raise InvalidValue("Name the stations to recount, or ask for a full recount.")
        unknown = [s for s in stations if s not in ctx.stations_by_number]
        if unknown:
            raise InvalidValue(f"PS {', '.join(unknown)} is not a polling station of this AC.")
    with unit_of_work(store, ac_id, actor) as fx:
        conn = fx.conn
        if get_record(conn, ac_id, SIGNED):
            raise ServiceError(
                "Form 20 is signed: no recount application can be recorded any more (Rule 63)."
            )
        n = len(records_like(conn, ac_id, "recount:")) + 1
        rounds: list[int] = []
        if allowed:
            vv = get_record(conn, ac_id, "vvpat_round")
            where = {}
            for s in stations if stations is not None else list(ctx.stations_by_number):
                where[s] = ctx.plan.locate(s).round_no
                if vv and s in vv["stations"]:
                    where[s] = int(vv["round"])  # a kept-aside station is counted in the VVPAT round
            rounds = sorted(set(where.values()))
            if stations is None:  # a full recount counts the postal ballots again too
                rounds = [POSTAL_ROUND, *rounds]
            infos = round_infos(conn, ac_id)
            not_yet = [
                r
                for r in rounds
                if not (
                    infos[r].status.is_approved or infos[r].status.value in ("needs_reapproval", "correction")
                )
            ]
            if not_yet:
                raise ServiceError(
                    f"Round(s) {', '.join(map(str, not_yet))} are not approved yet: finish counting them first."
                )
        invalidated = (
            open_corrections(fx, ac_id, rounds, f"Recount (Rule 63): {reason.strip()}") if rounds else []
        )
        fx.record(
            f"recount:{n:03d}",
            {
                "no": n,
                "applicant": applicant.strip(),
                "stations": stations,
                "full": stations is None,
                "allowed": bool(allowed),
                "reason": reason.strip(),
                "rounds": rounds,
            },
        )
        ev = fx.event(
            "recount.decided",
            {"no": n, "allowed": bool(allowed), "rounds": rounds, "invalidated": invalidated},
        )
        if rounds:  # central marks the AC "recount" until the recounted figures arrive
            msg = wire.RecountOrder(
                contest=wire_build.contest_of(ctx.setup, ctx.last_round),
                revision=n,
                applicant=applicant.strip(),
                full=stations is None,
                stations=stations,
                rounds=rounds,
                reason=reason.strip(),
                approval=wire.Approval(by=actor.username, name=actor.label, at=fx.ts),
                journal_hash=ev.hash,
                journal_seq=ev.seq,
            )
            key = wire.round_key("recount", ctx.setup.ac.number, None, n, ev.seq)
            fx.push(msg.kind, msg.model_dump(mode="json"), key)
    return rounds


# -- completeness, Form 20 sign-off, tie, declaration ------------------------------------------------
def _counting_checks(conn, ctx: AcContext, f20: Form20) -> list[ck.Check]:
    out = []
    for row in f20.rows:
        if row.kept_aside:
            out.append(
                ck.Check(
                    ck.KEPT_ASIDE_PENDING, "count its VVPAT slips in the VVPAT round", station=row.station
                )
            )
        elif not row.counted:
            out.append(
                ck.Check(ck.STATION_UNCOUNTED, f"PS {row.station}: no figures entered", station=row.station)
            )
    for r, info in round_infos(conn, ctx.ac_id).items():
        if not info.status.is_approved:
            what = "the postal round" if r == POSTAL_ROUND else f"round {r}"
            out.append(ck.Check(ck.ROUND_NOT_APPROVED, f"{what} is {info.status.label}", round_no=r))
    if get_record(conn, ctx.ac_id, "vvpat_completed") is None:
        out.append(ck.Check(ck.VVPAT_NOT_DONE, "record the draw, the slip counts and close the verification"))
    out.extend(margin_checks_in(conn, ctx, f20))  # E123, E124
    return out


@dataclass(frozen=True)
class ResultStatus:
    """What the declaration screen shows."""

    form20: Form20
    votes: tuple[int, ...]  # final valid votes per candidate (EVM + postal)
    tied: tuple[int, ...]  # serials tied for the lead (empty: clear leader)
    tie_lot: TieLot | None
    form20_signed: dict | None
    declaration: Declaration | None
    checks: list[ck.Check]  # what blocks the declaration now
    recounts: list[dict]


def result_status(store: Store, ac_id: int) -> ResultStatus:
    ctx, f20 = form20(store, ac_id)
    with store.read() as conn:
        checks = _counting_checks(conn, ctx, f20)
        lot = get_record(conn, ac_id, TIE_LOT)
        signed = get_record(conn, ac_id, SIGNED)
        decl = get_record(conn, ac_id, DECLARATION)
        recounts = [v for _k, v in sorted(records_like(conn, ac_id, "recount:").items())]
    votes = f20.total_polled.votes
    tied = lead(votes).tied
    tie_lot = TieLot.model_validate(lot) if lot else None
    if signed is None:
        checks.append(ck.Check(ck.FORM20_NOT_SIGNED, "the RO signs Form 20 after any recount"))
    if tied and tie_lot is None:
        checks.append(ck.Check(ck.TIE_UNDECIDED, "candidates " + ", ".join(map(str, tied)) + " are tied"))
    return ResultStatus(
        f20,
        votes,
        tied,
        tie_lot,
        signed,
        Declaration.model_validate(decl) if decl else None,
        checks,
        recounts,
    )


def form20_signed(store: Store, ac_id: int) -> dict | None:
    """The RO's Form 20 sign-off (None until signed): after it no round is corrected."""
    with store.read() as conn:
        return get_record(conn, ac_id, SIGNED)


def recorded_declaration(store: Store, ac_id: int) -> Declaration | None:
    """The declaration as the RO recorded it (None until the result is declared)."""
    with store.read() as conn:
        rec = get_record(conn, ac_id, DECLARATION)
    return Declaration.model_validate(rec) if rec else None


def declaration_checks(store: Store, ac_id: int) -> list[ck.Check]:
    return result_status(store, ac_id).checks


def sign_form20(store: Store, ac_id: int, actor: Actor, pin: str) -> dict:
    """The RO signs Form 20 (PIN re-entered): counting is complete; no recount after this."""
    authorize(actor.role, Action.DECLARE)
    confirm_pin(store, actor, pin, ac_id)
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn, ts = fx.conn, fx.ts
        if get_record(conn, ac_id, SIGNED):
            raise ServiceError("Form 20 is already signed.")
        f20 = form20_in(conn, ctx)
        problems = _counting_checks(conn, ctx, f20)
        if problems:
            raise RoundBlocked("Form 20 cannot be signed: " + str(problems[0]), problems)
        text = form20_csv(ctx.setup, f20)
        rec = {
            "by": actor.username,
            "name": actor.label,
            "at": ts,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
        fx.record(SIGNED, rec)
        fx.event("form20.signed", {"sha256": rec["sha256"]})
    return rec


def record_tie_lot(
    store: Store, ac_id: int, drawn_serial: int, drawn_by: str, witnesses: str, actor: Actor
) -> TieLot:
    """Section 65: the RO decides the tie by lot; record who drew and on whom it fell."""
    authorize(actor.role, Action.DECLARE)
    if not drawn_by.strip():
        raise InvalidValue("Say who drew the lot.")
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn, ts = fx.conn, fx.ts
        if get_record(conn, ac_id, DECLARATION):
            raise ServiceError("The result is already declared.")
        if get_record(conn, ac_id, TIE_LOT):
            raise ServiceError("The lot is already drawn; it is not drawn again.")
        if get_record(conn, ac_id, SIGNED) is None:
            # a recount could still change the figures; the lot decides a tie in the final ones
            raise ServiceError("Sign Form 20 first: the lot decides a tie in the final figures.")
        f20 = form20_in(conn, ctx)
        tied = lead(f20.total_polled.votes).tied
        if not tied:
            raise ServiceError("The leading candidates are not tied: no lot is drawn.")
        if drawn_serial not in tied:
            raise InvalidValue(
                f"The lot is between candidates {', '.join(map(str, tied))}, not {drawn_serial}."
            )
        lot = TieLot(
            tied_serials=tied,
            drawn_serial=drawn_serial,
            drawn_by=drawn_by.strip(),
            witnesses=witnesses.strip(),
            at=dt.datetime.fromisoformat(ts),
        )
        fx.record(TIE_LOT, lot.model_dump(mode="json"))
        fx.event("result.tie_lot", {"tied": list(tied), "drawn": drawn_serial})
    return lot


def declare_result(store: Store, ac_id: int, actor: Actor, pin: str, place: str = "") -> Declaration:
    """The RO declares the result (PIN re-entered): only when every station is counted once,
    every round and the postal round approved, VVPAT done, Form 20 signed and any tie decided by
    lot. Queued for push (kind "declaration") in the same transaction."""
    authorize(actor.role, Action.DECLARE)
    confirm_pin(store, actor, pin, ac_id)
    ctx = load_context(store, ac_id)
    with unit_of_work(store, ac_id, actor) as fx:
        conn, ts = fx.conn, fx.ts
        if get_record(conn, ac_id, DECLARATION):
            raise ServiceError("The result is already declared.")
        f20 = form20_in(conn, ctx)
        problems = _counting_checks(conn, ctx, f20)
        signed = get_record(conn, ac_id, SIGNED)
        if signed is None:
            problems.append(ck.Check(ck.FORM20_NOT_SIGNED, "the RO signs Form 20 first"))
        lot_rec = get_record(conn, ac_id, TIE_LOT)
        lot = TieLot.model_validate(lot_rec) if lot_rec else None
        votes = f20.total_polled.votes
        if lead(votes).is_tie and lot is None:
            problems.append(ck.Check(ck.TIE_UNDECIDED, "decide the tie by lot first"))
        if problems:
            raise RoundBlocked("The result cannot be declared: " + str(problems[0]), problems)
        try:
            winner, wvotes, runner, margin = decide(votes, lot)
        except ResultError as exc:
            raise ServiceError(f"The result cannot be declared: {exc}.") from None
        decl = Declaration(
            winner_serial=winner,
            winner_votes=wvotes,
            runner_up_serial=runner,
            margin=margin,
            declared_at=dt.datetime.fromisoformat(ts),
            ro_name=actor.label,
            place=place.strip(),
            tie_lot=lot,
        )
        doc = decl.model_dump(mode="json")
        fx.record(DECLARATION, doc)
        ev = fx.event("result.declared", {"winner": winner, "votes": wvotes, "margin": margin})
        # what central receives (encore_tui/wire/messages.py); the signed certificate follows as revision 2
        msg = _declaration_message(conn, ctx, decl, actor, ev, None, revision=1, f20=f20, signed=signed)
        key = wire.round_key("declaration", ctx.setup.ac.number, None, 1, ev.seq)
        fx.push("declaration", msg.model_dump(mode="json"), key)
    return decl


_WIRE_MEDIA = ("application/pdf", "image/png", "image/jpeg")


def _declaration_message(
    conn,
    ctx: AcContext,
    decl: Declaration,
    actor: Actor,
    event: journal.JournalEvent,
    certificate: wire.Certificate | None,
    *,
    revision: int,
    f20: Form20 | None = None,
    signed: dict | None = None,
) -> wire.DeclarationResult:
    """The one mapping from the recorded declaration to the wire message (Form 21C/21D data,
    Form 20's EVM / postal / total polled, the signed Form 20's digest, the tie lot)."""
    if f20 is None:
        f20 = form20_in(conn, ctx)
    if signed is None:
        signed = get_record(conn, ctx.ac_id, SIGNED) or {}
    return wire_build.declaration_result(
        ctx.setup,
        ctx.last_round,
        decl,
        f20.total_polled,
        certificate,
        event.hash,
        journal_seq=event.seq,
        revision=revision,
        evm=f20.evm,
        postal=f20.postal,
        tendered=f20.tendered,
        declared_by=conn.execute(
            select(rec_t.c.updated_by).where(rec_t.c.ac_id == ctx.ac_id, rec_t.c.key == DECLARATION)
        ).scalar()
        or actor.username,
        form20_sha256=signed.get("sha256"),
        form20_signed_at=dt.datetime.fromisoformat(signed["at"]) if signed.get("at") else None,
    )
