"""Invitations, updates, cancellations and reminders: an outbox mail to each department at the
table, with the .ics, and an in-app notification. No resident's name, no purpose, no agenda:
the kind of meeting, the case number, the time and the place only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub import jp
from hub.mailbox import notify
from hub.mailbox.models import NotificationKind, OutboxAttachment, OutboxMail
from hub.meetings import ics
from hub.meetings.models import Meeting
from hub.models import Department

#: The domain of the fallback calendar addresses of departments without a mail address.
DOMAIN = "tsunagu-hub.invalid"
WEEKDAYS = "月火水木金土日"

SUBJECTS = {
    "invite": "【つなぐハブ】{title}のご案内",
    "move": "【つなぐハブ】{title}の日時変更",
    "cancel": "【つなぐハブ】{title}の中止",
    "remind": "【つなぐハブ】{title}のお知らせ（{when}）",
    "update": "【つなぐハブ】{title}の参加課の変更",
    "remove": "【つなぐハブ】{title}への参加の取消",
}
LEADS = {
    "invite": "{title}の日時が決まりました。",
    "move": "{title}の日時が変更になりました。",
    "cancel": "{title}は中止になりました。",
    "remind": "{title}が近づいています。",
    "update": "{title}の参加課が変わりました。",
    "remove": "{title}の参加課から外れました。予定を取り消してください。",
}


def when(meeting: Meeting) -> str:
    """「12月10日（木）10:00〜11:00」 in Japan time."""
    if meeting.starts_at is None or meeting.ends_at is None:
        return "未定"
    start, end = jp.local(meeting.starts_at), jp.local(meeting.ends_at)
    assert start is not None and end is not None
    return f"{start.month}月{start.day}日（{WEEKDAYS[start.weekday()]}）{start:%H:%M}〜{end:%H:%M}"


def body(meeting: Meeting, what: str) -> str:
    lines = [
        LEADS[what].format(title=meeting.title),
        f"日時：{when(meeting)}",
        f"場所：{meeting.place or 'オンライン'}",
        f"主催：{meeting.organiser.name}",
    ]
    if meeting.online_url and what != "cancel":
        lines.append(f"オンライン会議：{meeting.online_url}")
    lines.append("議題・資料はつなぐハブで確認してください（このメールには記載していません）。")
    return "\n".join(lines) + "\n"


def send(
    session: Session,
    meeting: Meeting,
    what: str,
    now: datetime,
    *,
    only: Department | None = None,
) -> int:
    """Queue the mail (with the .ics unless a reminder) and notify every department at the
    table — or ``only`` the one taken off it (``remove``: a CANCEL naming it alone); return
    how many mails were queued."""
    departments = [p.department for p in meeting.participants] if only is None else [only]
    departments.sort(key=lambda d: d.id != meeting.organiser_department_id)
    link = f"/meetings/{meeting.id}"
    subject = SUBJECTS[what].format(title=meeting.title, when=when(meeting))[:200]
    text = body(meeting, what)
    attachment = None
    if what != "remind":
        method = "CANCEL" if what in ("cancel", "remove") else "REQUEST"
        attachment = (
            method,
            ics.calendar(meeting, departments, method=method, stamp=now, domain=DOMAIN),
        )
    queued = 0
    for dept in departments:
        queued += _queue(session, dept, subject, text, link, attachment)
    notify.departments(
        session,
        [d.id for d in departments],
        NotificationKind.MEETING,
        None,
        text=LEADS[what].format(title=meeting.title)[:200],
        link_path=link,
    )
    if only is None:
        meeting.sent_sequence = meeting.sequence
    return queued


def _queue(
    session: Session,
    dept: Department,
    subject: str,
    text: str,
    link: str,
    attachment: tuple[str, str] | None,
) -> int:
    if not dept.contact_email:
        return 0
    mail = OutboxMail(
        department_id=dept.id,
        to_address=dept.contact_email,
        subject=subject,
        body=text,
        link_path=link,
    )
    if attachment is not None:
        method, calendar = attachment
        mail.attachments.append(
            OutboxAttachment(
                filename="invite.ics",
                content_type=f"text/calendar; method={method}",
                text=calendar,
            )
        )
    session.add(mail)
    return 1


def notify_organiser_to_choose(session: Session, meeting: Meeting, tied: int) -> int:
    """A tie: the organiser's case workers are asked to choose the slot."""
    text = f"{meeting.title}の候補日時{tied}件が同数の回答です。日時を選んでください"
    return notify.departments(
        session,
        [meeting.organiser_department_id],
        NotificationKind.MEETING,
        None,
        text=text[:200],
        link_path=f"/meetings/{meeting.id}#answers",
    )


def tell_poll_cancelled(session: Session, meeting: Meeting) -> int:
    """A poll called off before a slot was decided: the other departments are told in the hub
    (no calendar event exists yet, so no mail)."""
    others = [d for d in meeting.department_ids if d != meeting.organiser_department_id]
    return notify.departments(
        session,
        others,
        NotificationKind.MEETING,
        None,
        text=LEADS["cancel"].format(title=meeting.title)[:200],
        link_path=f"/meetings/{meeting.id}#cancelled",
    )


def ask_for_answers(session: Session, meeting: Meeting) -> int:
    """A new poll (a study session the job proposed): every department is asked to answer."""
    deadline = jp.local(meeting.answer_deadline)
    text = (
        f"{meeting.title}（{meeting.purpose}）の日程調整を始めました。"
        f"{deadline:%m月%d日 %H:%M}までに候補日時へ○△×で回答してください"
    )
    return notify.departments(
        session,
        meeting.department_ids,
        NotificationKind.MEETING,
        None,
        text=text[:200],
        link_path=f"/meetings/{meeting.id}#answers",
    )
