"""Start one's own hearing sheet from a sheet another department shared (引き継ぎ).

A shared sheet is the sender's record; the recipient may not write it, but may start its own
sheet from what it received: on its own case of the resident (opened if it has none), the
form filled with the shared sections, the source noted on the version it saves.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.cases import services as cases
from hub.errors import Conflict
from hub.mailbox import read
from hub.mailbox.models import DocumentKind
from hub.models import Case, CaseStatus, Resident, User


def own_case(session: Session, user: User, resident: Resident) -> Case:
    """The user's department's open case of the resident, opened now if it has none."""
    found = session.scalar(
        select(Case)
        .where(
            Case.resident_id == resident.id,
            Case.lead_department_id == user.department_id,
            Case.status != CaseStatus.CLOSED,
        )
        .order_by(Case.id.desc())
        .limit(1)
    )
    if found is not None:
        return found
    # The shared sheet told the department the resident's 宛名番号: what opening a case of a
    # resident another department registered asks for.
    return cases.open_case(session, user, {"atena_no": resident.atena_no, "summary": ""})


def sheet_from(
    session: Session, user: User, message_id: int, document_id: int, *, today: date | None = None
) -> tuple[Case, dict[str, Any], str]:
    """The own case, the shared sections and the source note for a new sheet of one's own.

    Opening the document asks the gate again (409 once recalled), as every read does.
    """
    document, _data = read.open_document(session, user, message_id, document_id, today=today)
    message = document.message
    if document.kind != DocumentKind.HEARING_SHEET:
        raise Conflict("共通ヒアリングシートではありません。", code="not_a_sheet")
    if message.sender_department_id == user.department_id:
        raise Conflict(
            "自所管課が共有したシートです。自所管課のケースのシートから編集してください。",
            code="sender",
        )
    resident = message.resident
    if resident is None:  # a sheet is always shared on a case; a broken row is no sheet
        raise Conflict("共通ヒアリングシートではありません。", code="not_a_sheet")
    case = own_case(session, user, resident)
    sent = jp.wareki(jp.local(message.sent_at).date()) if message.sent_at else ""
    note = (
        f"{message.sender_department.name}から共有された{document.title}"
        f"（連絡番号{message.id}、{sent}受信）をもとに作成"
    )
    audit.record(
        session, user, "hearing.prefill", case, reason=f"message {message.id} doc {document.id}"
    )
    return case, dict(document.content.get("sections") or {}), note
