"""Demo mail: what 納税課, 保険料収納課 and ぷらっとホーム世田谷 would have exchanged about
山田 太郎 in the first days, plus a study-session notice to every department.

It goes through the real services (consent gate, deliveries, receipts), so the demo inbox
shows what staff would see. Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import jp
from hub.documents.hearing import services as hearing
from hub.mailbox import read, send, sharing_requests
from hub.mailbox.models import Message
from hub.models import Case, Department, DepartmentKind, Resident, User

ATENA_NO = "0001000001"


def load(session: Session, *, today: date | None = None) -> bool:
    """Add the demo messages once; return False when there is mail already or no demo case."""
    today = today or jp.today()
    if session.scalar(select(Message.id).limit(1)) is not None:
        return False
    users = {u.login_id: u for u in session.scalars(select(User))}
    depts = {d.code: d for d in session.scalars(select(Department))}
    case = session.scalar(
        select(Case).join(Resident).where(Resident.atena_no == ATENA_NO).order_by(Case.id)
    )
    needed = {"nozei01", "plat01", "hokenryo01"}
    if case is None or not needed <= set(users) or not {"hokenryo", "plat"} <= set(depts):
        return False
    sheet = hearing.latest(session, case.id)
    if sheet is None:
        return False
    nozei, plat = users["nozei01"], users["plat01"]
    share = send.send(
        session,
        nozei,
        {
            "kind": "share",
            "case_id": case.id,
            "recipient_ids": [depts["hokenryo"].id, depts["plat"].id],
            "subject": "共通ヒアリングシートの共有（生活再建の相談）",
            "body": (
                "本日の納付相談で共通ヒアリングシートを作成しました。\n"
                "ご本人の同意を得ていますので、滞納状況と収支の状況を共有します。\n"
                "ぷらっとホーム世田谷様には、生活再建の相談へのお繋ぎをお願いします。"
            ),
            "sheet_version": sheet.version,
            "sheet_categories": ["arrears", "household_budget"],
            "feedback_due": (today + timedelta(days=14)).isoformat(),
        },
        today=today,
    ).message
    read.open_message(session, plat, share.id, today=today)
    read.acknowledge(session, plat, share.id, today=today)
    sharing_requests.send_feedback(
        session,
        plat,
        share.id,
        {
            "done": "ご本人と電話で面談し、来週の来所相談を予約しました。",
            "support_status": "in_support",
            "debt_status": "arranging",
            "debt_note": "カードローン2社について、法テラスへの相談を勧めています。",
            "next_steps": "来所相談の結果を改めてお知らせします。",
        },
        today=today,
    )
    others = [
        d.id
        for d in depts.values()
        if d.id != nozei.department_id and d.kind != DepartmentKind.OTHER and d.is_active
    ]
    send.send(
        session,
        nozei,
        {
            "kind": "notice",
            "recipient_ids": others,
            "subject": "勉強会のお知らせ（生活困窮者支援と滞納整理の連携）",
            "body": (
                "各所管課の取組を紹介し合う勉強会を開催します。\n"
                "日時・会場は追ってお知らせします。各課1名以上のご参加をお願いします。"
            ),
        },
        today=today,
    )
    return True
