"""Ask for a case packet and build it: in the request when small, else as a job row that the
scheduler claims (``hub.scheduler.packets``); never a thread in a web worker.

Only the case's lead makes packets: the packet holds its records. For another department
the gate decides what goes in (:func:`.packet.scope_for`), a recipient the consent gives
nothing is refused before anything is built, and the packet is a disclosure — sent as a
mailbox share, or handed over on paper (recorded when it is downloaded for printing).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, settings, storage
from hub.cases.services import get_visible, require_lead
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent import gate
from hub.documents.consent.scope import category_key
from hub.documents.printing import packet, signals
from hub.documents.printing import settings as packet_settings
from hub.documents.printing.models import (
    PacketFormat,
    PacketJob,
    PacketMethod,
    PacketStatus,
)
from hub.documents.printing.parts import Scope
from hub.models import Case, Department, DepartmentKind, StoredFile, User
from hub.storage import crypto
from hub.validation import Fields, parse_id

FIELDS = ("recipient_id", "method", "format", "password")
PURPOSE = "case_packet"
WHAT = "ケース記録一式の作成"
REFUSED = "本人の同意の範囲で提供できる情報がないため、ケース記録一式を作成しませんでした。"
PASSWORD_MIN, PASSWORD_MAX = 8, 64
_BOX = "packet-password"


class NothingToGive(gate.ConsentMissing):
    """409: the consent gives the recipient no category at all; nothing was built."""

    code = "nothing_to_give"


@dataclass(frozen=True)
class RecipientOption:
    """A department a packet can be made for, and what the consent would give it today."""

    department: Department
    is_own: bool
    #: Category labels the consent lets the lead give it (all for its own copy).
    allowed: tuple[str, ...]
    reason: str = ""

    @property
    def possible(self) -> bool:
        return self.is_own or bool(self.allowed)


def options(session: Session, case: Case, today: date) -> list[RecipientOption]:
    """The lead itself, then every working department, each with what it could be given.

    For the form (greyed out before the user tries); nothing is audited because nothing
    leaves — the request asks the gate again and audits the answer.
    """
    own = case.lead_department
    found = [RecipientOption(own, True, tuple(c.label for c in ORDER))]
    others = session.scalars(
        select(Department)
        .where(
            Department.is_active,
            Department.kind != DepartmentKind.OTHER,
            Department.id != own.id,
        )
        .order_by(Department.kind, Department.id)
    )
    for dept in others:
        decision = gate.covers(session, case.resident_id, own.id, dept.id, ORDER, today)
        missing = {m.category for m in decision.missing}
        allowed = tuple(c.label for c in ORDER if c.value not in missing)
        reason = (
            "" if allowed else f"{own.name}→{dept.name}の情報の提供を認める有効な同意がありません"
        )
        found.append(RecipientOption(dept, False, allowed, reason))
    return found


def recipients(session: Session, user: User, case_id: int, today: date) -> list[RecipientOption]:
    """For the case's lead only: who a packet can be made for today (:func:`options`)."""
    case = get_visible(session, user, case_id, action="packet.form")
    require_lead(session, user, case, "packet.form", WHAT)
    return options(session, case, today)


@dataclass(frozen=True)
class Request:
    recipient: Department
    method: PacketMethod
    format: PacketFormat
    password: str


def parse(session: Session, case: Case, data: Mapping[str, Any]) -> Request:
    """Read the packet form (or a JSON body); 400 with a Japanese message per field."""
    fields = Fields(data)
    raw = data.get("recipient_id")
    recipient_id = None if isinstance(raw, bool) else parse_id(raw)
    recipient = session.get(Department, recipient_id) if recipient_id else None
    if recipient is None or not recipient.is_active or recipient.kind == DepartmentKind.OTHER:
        fields.error("recipient_id", "提供先の所管課を選んでください。")
    fmt = fields.choice("format", "形式", [f.value for f in PacketFormat]) or "pdf"
    own = recipient is not None and recipient.id == case.lead_department_id
    method = data.get("method") or ("own" if own else "")
    if recipient is not None and own and method != "own":
        fields.error("method", "自所管課の控えは、提供の方法を選ばずに作成します。")
    elif recipient is not None and not own and method not in ("share", "paper"):
        fields.error("method", "提供の方法（連絡で提供・紙で提供）を選んでください。")
    password = data.get("password") or ""
    if not isinstance(password, str):
        password = ""
        fields.error("password", "パスワードの指定が正しくありません。")
    elif password:
        if fmt != "pdf":
            fields.error("password", "パスワードを付けられるのはPDFだけです。")
        elif method == "share":
            fields.error(
                "password",
                "連絡で提供する一式にはパスワードを付けません（ハブの中で受け渡すため）。",
            )
        elif not (PASSWORD_MIN <= len(password) <= PASSWORD_MAX) or not (
            password.isascii() and password.isprintable()
        ):
            fields.error(
                "password",
                f"パスワードは半角英数字・記号で{PASSWORD_MIN}〜{PASSWORD_MAX}文字にしてください。",
            )
    fields.check()
    assert recipient is not None
    return Request(recipient, PacketMethod(method), PacketFormat(fmt), password)


def seal(session: Session, password: str) -> str:
    """The password encrypted with the storage key, for the job row until it is built."""
    if not password:
        return ""
    key = storage.storage_for(session).key
    return base64.b64encode(crypto.encrypt(key, password.encode(), _BOX)).decode()


def unseal(session: Session, box: str) -> str | None:
    if not box:
        return None
    keeper = storage.storage_for(session)
    keys = [keeper.key, *keeper.old_keys]
    return crypto.decrypt(keys, base64.b64decode(box), _BOX).decode()


def refuse_nothing(session: Session, user: User | None, case: Case, scope: Scope) -> None:
    """Refuse (409, audited) a packet for a department the consent gives nothing."""
    if scope.is_own or scope.cut.allowed:
        return
    reasons = [scope.cut.reasons[c.value] for c in ORDER if c.value in scope.cut.reasons]
    raise audit.refuse(
        session,
        user,
        "packet.request",
        NothingToGive(reasons, REFUSED),
        case,
        reason=f"nothing to give {scope.recipient.id}",
    )


def request_packet(
    session: Session,
    user: User,
    case_id: int,
    data: Mapping[str, Any],
    *,
    today: date,
    now: datetime,
) -> PacketJob:
    """Ask for a packet: refuse what the consent does not allow, build a small one at once,
    leave a large one queued for the scheduler. One transaction (the request's)."""
    case = get_visible(session, user, case_id, action="packet.request")
    require_lead(session, user, case, "packet.request", WHAT)
    wanted = parse(session, case, data)
    scope = packet.scope_for(session, user, case, wanted.recipient, today, action="packet.consent")
    refuse_nothing(session, user, case, scope)
    job = PacketJob(
        case_id=case.id,
        resident_id=case.resident_id,
        department_id=case.lead_department_id,
        requested_by_id=user.id,
        recipient_department_id=wanted.recipient.id,
        method=wanted.method,
        format=wanted.format,
        status=PacketStatus.QUEUED,
        password_box=seal(session, wanted.password),
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        user,
        "packet.request",
        job,
        reason=f"case {case.id} to {wanted.recipient.id} {wanted.method.value} {wanted.format}",
    )
    gathered = packet.gather(session, scope, generated_by=user.display_name, now=now)
    limit = settings.get(session, packet_settings.SYNC_MAX_KB.key) * 1024
    if wanted.format == PacketFormat.DOCX or gathered.attachment_bytes <= limit:
        build_now(session, user, job, scope, gathered, now, password=wanted.password)
    return job


def build_now(
    session: Session,
    user: User,
    job: PacketJob,
    scope: Scope,
    gathered: packet.Gathered,
    now: datetime,
    *,
    password: str | None,
) -> None:
    """Build a packet inside the current transaction (a small one, in the web request)."""
    job.status, job.started_at, job.day = PacketStatus.RUNNING, now, scope.day
    with storage.scratch(session) as out:
        result = packet.write_to(gathered.data, out, job.format.value, password=password)
        stored = keep(session, user, job, out)
    complete(session, user, job, gathered, stored, result, now)


def keep(session: Session, user: User | None, job: PacketJob, out) -> StoredFile:
    """Encrypt the built file into the storage (a rollback removes it again)."""
    name = f"ケース記録一式_ケース{job.case_id}_{job.recipient.name}.{job.format.value}"
    return storage.keep_generated(
        session, user, out, name, purpose=PURPOSE, department_id=job.department_id
    )


def complete(
    session: Session,
    user: User | None,
    job: PacketJob,
    gathered: packet.Gathered,
    stored: StoredFile,
    result,
    now: datetime,
) -> None:
    """Record the built packet; a share is sent now (the mailbox checks consent again)."""
    keep_hours = settings.get(session, packet_settings.KEEP_HOURS.key)
    job.stored_file_id = stored.id
    job.categories = list(gathered.categories)
    job.withheld = list(gathered.withheld)
    job.consent_ids = list(gathered.consent_ids)
    job.sources = list(gathered.sources)
    job.pages = result.pages if result is not None else 0
    job.failed_attachments = [a.title for a in result.attachments if a.error] if result else []
    job.done = job.total = max(job.total, 1)
    job.password_box = ""
    job.status, job.finished_at = PacketStatus.DONE, now
    job.expires_at = now + timedelta(hours=keep_hours)
    if job.method == PacketMethod.SHARE:
        (message_id,) = signals.answers(
            signals.packet_share, job, session=session, user=user, stored=stored, day=job.day
        )
        # The file is the share's now (the mailbox's retention keeps or removes it).
        job.message_id, job.expires_at, job.stored_file_id = message_id, None, None
    session.flush()
    audit.record(
        session,
        user,
        "packet.generate",
        job,
        reason=(
            f"case {job.case_id} to {job.recipient_department_id} {job.method.value} "
            f"{job.format.value} pages {job.pages} carries [{','.join(job.categories)}] "
            f"withheld [{','.join(job.withheld)}] consents {job.consent_ids}"
        ),
        login_id="" if user else "scheduler",
    )


def labels(categories: list[str]) -> list[str]:
    return [InformationCategory(c).label for c in sorted(categories, key=category_key)]
