"""フィードバック督促: remind the owing department N opening days before the due date and on
the day, and tell its managers after M opening days overdue; stop when the answer arrives.

A poller over the database: the done mark is a ``feedback_reminders`` row, unique per delivery
and stage, inserted with ON CONFLICT DO NOTHING in the same transaction as the notifications
and the mail it sends. Two schedulers, a restart or a crash in the middle never send a stage
twice (the insert of the second finds the row) and never skip one (an uncommitted batch is
rolled back whole and found again next time). On PostgreSQL the sweep claims the deliveries
with ``FOR UPDATE SKIP LOCKED`` (a feedback being sent at that moment is left to the next
sweep); on SQLite every transaction begins with ``BEGIN IMMEDIATE`` (hub.db), one at a time.

If the scheduler was down while several stages fell due, only the latest is sent; the earlier
ones are recorded as not sent (a "due in 2 days" notice about an overdue request helps nobody).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.orm import Session

from hub import jp, settings, workdays
from hub.db import insert_or_ignore, is_postgres
from hub.mailbox import settings as mailbox_settings
from hub.mailbox.inbox import awaiting_answer
from hub.mailbox.models import (
    Delivery,
    FeedbackReminder,
    Message,
    Notification,
    NotificationKind,
    OutboxMail,
    ReminderStage,
)
from hub.models import Department, Role, User

MAIL_SUBJECTS = {
    ReminderStage.BEFORE: "【つなぐハブ】フィードバックの期限が近づいています",
    ReminderStage.DUE: "【つなぐハブ】本日が期限のフィードバックがあります",
    ReminderStage.ESCALATION: "【つなぐハブ】期限を過ぎたフィードバックがあります（管理職の方へ）",
}
MAIL_TAIL = (
    "内容はつなぐハブにログインして確認してください（このメールには内容を記載していません）。\n"
)


@dataclass(frozen=True)
class Policy:
    before: int
    escalate_after: int

    @classmethod
    def of(cls, session: Session) -> Policy:
        values = settings.values(
            session,
            [mailbox_settings.REMIND_BEFORE_DAYS.key, mailbox_settings.ESCALATE_AFTER_DAYS.key],
        )
        return cls(
            values[mailbox_settings.REMIND_BEFORE_DAYS.key],
            values[mailbox_settings.ESCALATE_AFTER_DAYS.key],
        )


def stages_due(due: date, today: date, policy: Policy) -> list[ReminderStage]:
    """The stages whose day has come, in order (by the working-day calendar)."""
    day = workdays.effective_due(due)
    found = []
    if workdays.add(day, -policy.before) <= today:
        found.append(ReminderStage.BEFORE)
    if day <= today:
        found.append(ReminderStage.DUE)
    if workdays.add(day, policy.escalate_after) <= today:
        found.append(ReminderStage.ESCALATION)
    return found


@dataclass
class Sweep:
    sent: int = 0
    superseded: int = 0
    #: (delivery id, stage) of what was (or, dry, would be) sent.
    planned: list[tuple[int, ReminderStage]] = field(default_factory=list)


def _candidates(
    session: Session, today: date, policy: Policy, after: int, limit: int, *, lock: bool = True
):
    """Open requests whose first stage has come and whose last stage is not yet recorded."""
    horizon = workdays.last_due_on_or_before(today, offset=-policy.before)
    finished = exists().where(
        and_(
            FeedbackReminder.delivery_id == Delivery.id,
            FeedbackReminder.stage == ReminderStage.ESCALATION,
        )
    )
    query = (
        select(
            Delivery.id,
            Delivery.message_id,
            Delivery.department_id,
            Delivery.feedback_due,
            Message.sender_department_id,
            Message.case_id,
        )
        .join(Message, Message.id == Delivery.message_id)
        .where(*awaiting_answer(), Delivery.feedback_due <= horizon, Delivery.id > after, ~finished)
        .order_by(Delivery.id)
        .limit(limit)
    )
    if lock and is_postgres(session):
        query = query.with_for_update(skip_locked=True, of=Delivery)
    return session.execute(query).all()


def pending(session: Session, today: date) -> int:
    """How many open requests have a reminder stage due now (for ``tsunagu jobs list``)."""
    policy = Policy.of(session)
    rows = _candidates(session, today, policy, 0, 100_000, lock=False)
    done = _recorded(session, [r.id for r in rows])
    return sum(
        1
        for r in rows
        if any((r.id, s) not in done for s in stages_due(r.feedback_due, today, policy))
    )


def _recorded(session: Session, ids: list[int]) -> set[tuple[int, ReminderStage]]:
    if not ids:
        return set()
    rows = session.execute(
        select(FeedbackReminder.delivery_id, FeedbackReminder.stage).where(
            FeedbackReminder.delivery_id.in_(ids)
        )
    )
    return {(d, ReminderStage(s)) for d, s in rows}


def sweep_batch(
    session: Session, now: datetime, *, after: int = 0, limit: int = 500, dry_run: bool = False
) -> tuple[Sweep, int | None]:
    """One transaction's worth: plan, mark and send; return the result and the next cursor."""
    today = jp.local(now).date()
    policy = Policy.of(session)
    result = Sweep()
    rows = _candidates(session, today, policy, after, limit)
    if not rows:
        return result, None
    done = _recorded(session, [r.id for r in rows])
    marks = []
    for r in rows:
        stages = stages_due(r.feedback_due, today, policy)
        new = [s for s in stages if (r.id, s) not in done]
        if not new or stages[-1] not in new:
            continue
        for stage in new:
            marks.append(
                {
                    "delivery_id": r.id,
                    "message_id": r.message_id,
                    "department_id": r.department_id,
                    "stage": stage,
                    "due_on": workdays.effective_due(r.feedback_due),
                    "is_sent": stage == stages[-1],
                    "created_at": now,
                }
            )
    next_after = rows[-1].id if len(rows) == limit else None
    if dry_run:
        result.planned = [(m["delivery_id"], m["stage"]) for m in marks if m["is_sent"]]
        result.sent = len(result.planned)
        return result, next_after
    if marks:
        written = session.execute(
            insert_or_ignore(session, FeedbackReminder).returning(
                FeedbackReminder.delivery_id, FeedbackReminder.stage, FeedbackReminder.is_sent
            ),
            marks,
        ).all()
        sent = {(d, ReminderStage(s)) for d, s, is_sent in written if is_sent}
        result.superseded = sum(1 for *_x, is_sent in written if not is_sent)
        by_id = {r.id: r for r in rows}
        result.planned = sorted(sent)
        result.sent = len(sent)
        _tell(session, [(by_id[d], s) for d, s in sorted(sent)], now)
    return result, next_after


def _tell(session: Session, reminders: list, now: datetime) -> None:
    """The notifications (one insert) and the mails (one insert) of a batch's reminders."""
    if not reminders:
        return
    depts = {d.id: d for d in session.scalars(select(Department))}
    owing = {row.department_id for row, _stage in reminders}
    workers: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for user_id, dept_id, role in session.execute(
        select(User.id, User.department_id, User.role).where(
            User.department_id.in_(owing),
            User.is_active,
            User.role.in_((Role.STAFF, Role.MANAGER)),
        )
    ):
        workers[(dept_id, False)].append(user_id)
        if role == Role.MANAGER:
            workers[(dept_id, True)].append(user_id)
    notices, mails = [], []
    for row, stage in reminders:
        text, body = _texts(row, stage, depts[row.sender_department_id].name)
        escalation = stage == ReminderStage.ESCALATION
        kind = NotificationKind.FEEDBACK_OVERDUE if escalation else NotificationKind.FEEDBACK_DUE
        for user_id in workers[(row.department_id, escalation)]:
            notices.append(
                {
                    "user_id": user_id,
                    "kind": kind,
                    "message_id": row.message_id,
                    "text": text,
                    "created_at": now,
                }
            )
        dept = depts[row.department_id]
        if dept.contact_email:
            mails.append(
                {
                    "department_id": dept.id,
                    "to_address": dept.contact_email,
                    "subject": MAIL_SUBJECTS[stage],
                    "body": body,
                    "link_path": f"/mailbox/messages/{row.message_id}",
                    "created_at": now,
                }
            )
    if notices:
        session.execute(insert(Notification), notices)
    if mails:
        session.execute(insert(OutboxMail), mails)


def _texts(row, stage: ReminderStage, asker: str) -> tuple[str, str]:
    """The notification (department, date, case number) and the mail body (date only)."""
    due = workdays.effective_due(row.feedback_due)
    day = f"{due.month}月{due.day}日"
    case = f"、ケース{row.case_id}" if row.case_id else ""
    if stage == ReminderStage.BEFORE:
        text = f"{asker}へのフィードバックの期限が近づいています（{day}まで{case}）"
        lead = "回答期限が近づいているフィードバックの依頼が1件あります。"
    elif stage == ReminderStage.DUE:
        text = f"{asker}へのフィードバックの期限は本日です（{day}{case}）"
        lead = "本日が回答期限のフィードバックの依頼が1件あります。"
    else:
        text = f"{asker}へのフィードバックが期限（{day}）を過ぎています（管理職の方へ{case}）"
        lead = "回答期限を過ぎたフィードバックの依頼が1件あります（管理職の方へのお知らせです）。"
    return text, f"{lead}\n回答期限: {jp.wareki(due)}\n{MAIL_TAIL}"


def history(session: Session, message_id: int, department_id: int | None = None):
    """The reminders of a request, oldest first (one recipient's only, when given)."""
    query = select(FeedbackReminder).where(FeedbackReminder.message_id == message_id)
    if department_id is not None:
        query = query.where(FeedbackReminder.department_id == department_id)
    return list(session.scalars(query.order_by(FeedbackReminder.id)))
