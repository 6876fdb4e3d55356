"""A department's question to the gate about a resident: may ``sender`` give ``recipient``
these categories on that day? Asked about pairs that include the department's own only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import jp
from hub.documents.consent import access, gate
from hub.models import Department, User
from hub.validation import Fields


def ask(
    session: Session,
    user: User,
    resident_id: int,
    sender: int,
    recipient: int,
    categories: Sequence[str],
    day: str = "",
) -> gate.Decision:
    """Answer for a visible resident, audited by the gate; the two departments must exist and
    differ (400), and the user's department must be one of them (403 ``not_a_party``)."""
    resident = access.resident(session, user, resident_id, "consent.check", record=False)
    fields = Fields({"date": day})
    on_date = fields.optional_date("date", "日付") or jp.today()
    if sender == recipient:
        fields.error("recipient", "提供元と提供先が同じ所管課です。")
    else:
        query = select(func.count()).where(Department.id.in_((sender, recipient)))
        if session.scalar(query) != 2:
            fields.error("recipient", "存在しない所管課が指定されています。")
    fields.check()
    access.require_party(session, user, resident.id, sender, recipient)
    return gate.check(session, user, resident.id, sender, recipient, categories, on_date)
