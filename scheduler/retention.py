"""保存期間 (retention): remove what the city no longer may keep, each removal audited.

Per record kind, a period (a setting with its source) counted from a defined event:

- case, from its closing (``closed_at``): the summary, the hearing sheets, the criteria
  reasons and the content of every message of the case (subject, body, documents, attached
  files) are removed; the rows stay, counted, without content;
- consent, from its end (撤回日, or the day after 有効期限; a draft: its creation): the
  generated form and the signed scan are deleted;
- resident, from the last of the above (or registration): name, kana, 宛名番号, birth date,
  address and phone are erased;
- read notifications, sent or failed mails: deleted;
- unreferenced stored files (a crash between writing a file and committing its row): deleted
  after a day.

Nothing goes while the resident has an open or monitored case, an active consent, or a legal
hold (on the resident or the case). ``--dry-run`` lists what would go (ids and counts only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from hub import audit, jp, settings, storage
from hub.documents.consent.models import Consent, ConsentStatus
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet
from hub.documents.printing.models import PacketJob, PacketStatus
from hub.mailbox.models import Message, MessageDocument, Notification, OutboxMail, OutboxStatus
from hub.models import Case, CaseStatus, Resident, StoredFile
from hub.scheduler import settings as job_settings
from hub.scheduler.context import JobContext

REMOVED = "（保存期間の経過により削除しました）"


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 2/29
        return today.replace(year=today.year - years, day=28)


def _protected():
    """Residents whose records must stay: an open case, an active consent, a legal hold."""
    open_case = exists().where(
        and_(Case.resident_id == Resident.id, Case.status != CaseStatus.CLOSED)
    )
    held_case = exists().where(and_(Case.resident_id == Resident.id, Case.legal_hold))
    active = exists().where(
        and_(Consent.resident_id == Resident.id, Consent.status == ConsentStatus.ACTIVE)
    )
    return or_(Resident.legal_hold, open_case, held_case, active)


@dataclass
class Plan:
    cases: list[int] = field(default_factory=list)
    consents: list[int] = field(default_factory=list)
    residents: list[int] = field(default_factory=list)
    notifications: int = 0
    mails: int = 0
    orphans: list[Path] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return (
            len(self.cases)
            + len(self.consents)
            + len(self.residents)
            + self.notifications
            + self.mails
            + len(self.orphans)
        )


def plan(session: Session, now: datetime, limit: int = 500) -> Plan:
    """What the periods say may go now (nothing protected)."""
    today = jp.local(now).date()
    values = settings.values(
        session,
        [
            job_settings.CASE_YEARS.key,
            job_settings.CONSENT_YEARS.key,
            job_settings.RESIDENT_YEARS.key,
            job_settings.NOTIFICATION_DAYS.key,
        ],
    )
    protected = select(Resident.id).where(_protected())
    case_cutoff = _years_ago(today, values[job_settings.CASE_YEARS.key])
    cases = session.scalars(
        select(Case.id)
        .where(
            Case.status == CaseStatus.CLOSED,
            Case.closed_at < datetime.combine(case_cutoff, datetime.min.time(), jp.TOKYO),
            Case.anonymised_at.is_(None),
            Case.resident_id.not_in(protected),
        )
        .order_by(Case.id)
        .limit(limit)
    ).all()
    consent_cutoff = _years_ago(today, values[job_settings.CONSENT_YEARS.key])
    consents = [
        c.id
        for c in session.scalars(
            select(Consent)
            .where(
                Consent.status != ConsentStatus.ACTIVE,
                Consent.files_purged_at.is_(None),
                Consent.resident_id.not_in(protected),
            )
            .order_by(Consent.id)
        )
        if _consent_end(c) < consent_cutoff
    ][:limit]
    resident_cutoff = _years_ago(today, values[job_settings.RESIDENT_YEARS.key])
    # Only residents whose every case and consent is (or in this run becomes) past its period.
    kept_case = exists().where(
        and_(
            Case.resident_id == Resident.id,
            Case.anonymised_at.is_(None),
            Case.id.not_in(list(cases) or [0]),
        )
    )
    kept_consent = exists().where(
        and_(
            Consent.resident_id == Resident.id,
            Consent.files_purged_at.is_(None),
            Consent.id.not_in(consents or [0]),
        )
    )
    residents = [
        r.id
        for r in session.scalars(
            select(Resident)
            .where(
                Resident.anonymised_at.is_(None),
                Resident.id.not_in(protected),
                ~kept_case,
                ~kept_consent,
            )
            .order_by(Resident.id)
            .limit(limit)
        )
        if _last_event(session, r) < resident_cutoff
    ]
    days = timedelta(days=values[job_settings.NOTIFICATION_DAYS.key])
    result = Plan(list(cases), consents, residents)
    result.notifications = len(session.scalars(_old_notifications(now - days)).all())
    result.mails = len(session.scalars(_old_mails(now - days)).all())
    result.orphans = storage.unreferenced_files(session)
    return result


def _consent_end(c: Consent) -> date:
    if c.status == ConsentStatus.WITHDRAWN and c.withdrawn_on:
        return c.withdrawn_on
    if c.status == ConsentStatus.EXPIRED:
        return c.valid_until + timedelta(days=1)
    return jp.local(c.created_at).date()  # a draft never signed


def _last_event(session: Session, resident: Resident) -> date:
    """The last day anything of the resident's was in use: registration, closings, ends."""
    last = jp.local(resident.created_at).date()
    for case in session.scalars(select(Case).where(Case.resident_id == resident.id)):
        if case.closed_at is not None:
            last = max(last, jp.local(case.closed_at).date())
    for consent in session.scalars(select(Consent).where(Consent.resident_id == resident.id)):
        last = max(last, _consent_end(consent))
    return last


def _old_notifications(cutoff: datetime):
    return select(Notification.id).where(
        Notification.read_at.is_not(None), Notification.read_at < cutoff
    )


def _old_mails(cutoff: datetime):
    return select(OutboxMail.id).where(
        or_(
            and_(OutboxMail.status == OutboxStatus.SENT, OutboxMail.sent_at < cutoff),
            and_(OutboxMail.status == OutboxStatus.FAILED, OutboxMail.failed_at < cutoff),
        )
    )


def _record(session: Session, action: str, obj: object, reason: str) -> None:
    audit.record(session, None, action, obj, login_id="scheduler", reason=reason)


def anonymise_case(session: Session, case: Case, now: datetime) -> None:
    """Remove a closed case's content; its rows stay (counted), its files go."""
    case.summary = ""
    case.anonymised_at = now
    session.execute(
        update(HearingSheet).where(HearingSheet.case_id == case.id).values(data={}, figures={})
    )
    session.execute(
        update(CriteriaJudgement)
        .where(CriteriaJudgement.case_id == case.id)
        .values(reason="", suggestion_reason="")
    )
    messages = select(Message.id).where(Message.case_id == case.id)
    for doc in session.scalars(
        select(MessageDocument).where(MessageDocument.message_id.in_(messages))
    ):
        stored = doc.stored_file
        doc.content, doc.stored_file_id = {}, None
        if stored is not None and _unreferenced_after(session, stored, doc.id):
            storage.discard(session, stored, reason=f"retention case {case.id}")
    session.execute(
        update(Message)
        .where(Message.case_id == case.id)
        .values(subject=REMOVED, body="", search_text="")
        .execution_options(synchronize_session=False)
    )
    for job in session.scalars(
        select(PacketJob).where(PacketJob.case_id == case.id, PacketJob.stored_file_id.is_not(None))
    ):
        stored = job.stored_file
        job.stored_file_id, job.status = None, PacketStatus.EXPIRED
        session.flush()
        if stored is not None:
            storage.discard(session, stored, reason=f"retention case {case.id}")
    _record(session, "retention.case", case, f"closed {case.closed_at:%Y-%m-%d}")


def _unreferenced_after(session: Session, stored: StoredFile, doc_id: int) -> bool:
    """No other document or consent still points to this file."""
    session.flush()
    other_doc = session.scalar(
        select(MessageDocument.id).where(
            MessageDocument.stored_file_id == stored.id, MessageDocument.id != doc_id
        )
    )
    consent = session.scalar(
        select(Consent.id).where(
            or_(
                Consent.form_pdf_id == stored.id,
                Consent.form_docx_id == stored.id,
                Consent.scan_id == stored.id,
            )
        )
    )
    return other_doc is None and consent is None


def purge_consent(session: Session, consent: Consent, now: datetime) -> None:
    """Delete a long-ended consent's form and signed scan (the record itself stays)."""
    files = [f for f in (consent.form_pdf, consent.form_docx, consent.scan) if f is not None]
    consent.form_pdf_id = consent.form_docx_id = consent.scan_id = None
    consent.files_purged_at = now
    session.execute(
        update(MessageDocument)
        .where(MessageDocument.stored_file_id.in_([f.id for f in files]))
        .values(stored_file_id=None)
    )
    session.flush()
    for stored in files:
        storage.discard(session, stored, reason=f"retention consent {consent.id}")
    _record(session, "retention.consent", consent, f"ended {_consent_end(consent)}")


def anonymise_resident(session: Session, resident: Resident, now: datetime) -> None:
    """Erase a resident's personal data; the row stays so that counts stay true."""
    resident.name, resident.kana = "（消去済み）", ""
    resident.name_key = resident.kana_key = ""
    resident.atena_no = f"X{resident.id}"[:15]
    resident.birth_date, resident.address, resident.phone = None, "", ""
    resident.anonymised_at = now
    _record(session, "retention.resident", resident, "all records past retention")


def apply(session: Session, todo: Plan, now: datetime) -> None:
    """Carry out a plan in the caller's transaction (files are unlinked after it commits)."""
    for case_id in todo.cases:
        anonymise_case(session, session.get_one(Case, case_id), now)
    for consent_id in todo.consents:
        purge_consent(session, session.get_one(Consent, consent_id), now)
    session.flush()
    for resident_id in todo.residents:
        anonymise_resident(session, session.get_one(Resident, resident_id), now)
    days = timedelta(days=settings.get(session, job_settings.NOTIFICATION_DAYS.key))
    session.execute(delete(Notification).where(Notification.id.in_(_old_notifications(now - days))))
    session.execute(delete(OutboxMail).where(OutboxMail.id.in_(_old_mails(now - days))))
    if todo.notifications or todo.mails:
        audit.record(
            session,
            None,
            "retention.housekeeping",
            login_id="scheduler",
            reason=f"{todo.notifications} notifications, {todo.mails} mails",
        )
    for path in todo.orphans:
        path.unlink(missing_ok=True)
    if todo.orphans:
        audit.record(
            session,
            None,
            "retention.orphan_files",
            login_id="scheduler",
            reason=f"{len(todo.orphans)} unreferenced files",
        )
    session.flush()


def run(ctx: JobContext) -> int:
    """Plan and carry out (or, dry, list) what the retention periods let go."""
    with ctx.transaction() as session:
        todo = plan(session, ctx.now(), ctx.batch)
        if ctx.dry_run:
            for label, ids in (
                ("ケース", todo.cases),
                ("同意", todo.consents),
                ("対象者", todo.residents),
            ):
                if ids:
                    ctx.note(f"{label}: {len(ids)}件（番号 {', '.join(map(str, ids[:50]))}）")
            orphans = len(todo.orphans)
            ctx.note(
                f"通知 {todo.notifications}件、メール {todo.mails}件、孤立ファイル {orphans}件"
            )
            return todo.rows
        apply(session, todo, ctx.now())
    ctx.advance(todo.rows)
    return todo.rows


def pending(session: Session, now: datetime) -> int:
    return plan(session, now).rows


def hold(session: Session, obj: Case | Resident, on: bool, reason: str) -> None:
    """Set or lift a legal hold (audited)."""
    obj.legal_hold = on
    action = "retention.hold" if on else "retention.release"
    audit.record(session, None, action, obj, login_id="cli", reason=reason[:255])
    session.flush()
