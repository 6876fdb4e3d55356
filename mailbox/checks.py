"""The consent gate as the mailbox asks it: per recipient, audited, with what is missing.

:func:`check_all` refuses a whole message when any recipient × category is not covered
(:class:`SendRefused`, 409, listing each miss and the consent that would be needed);
:func:`recipient_options` answers the compose screen's question — which departments could
receive this — without auditing, because nothing leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent import gate
from hub.models import Case, Department, User

REFUSED = (
    "本人の同意の範囲外の宛先・情報があるため、送信しませんでした（どの宛先にも送っていません）。"
)
ALL_CATEGORIES = [c.value for c in ORDER]


class SendRefused(gate.ConsentMissing):
    """409: what is missing, per recipient and category; nothing was sent."""

    def __init__(self, missing: list[dict[str, Any]]) -> None:
        self.missing = missing
        super().__init__([m["reason"] for m in missing], REFUSED)

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["missing"] = self.missing
        return body


@dataclass(frozen=True)
class RecipientCheck:
    department: Department
    allowed: bool
    #: Japanese reasons, one per missing category (empty when allowed).
    reasons: list[str]
    consent_ids: list[int]
    #: (category, reason) per missing category; category None for a body-only message.
    missing: list[tuple[str | None, str]] = field(default_factory=list)


def ask(
    session: Session,
    resident_id: int,
    sender_department_id: int,
    recipient_department_id: int,
    categories: Sequence[str],
    day: date,
) -> tuple[bool, gate.Decision]:
    """The gate's answer for a message: every category it carries is granted, or — carrying
    none (a body-only note, a consent form) — at least one category is, since the message
    still tells the recipient that the resident is a client."""
    decision = gate.covers(
        session,
        resident_id,
        sender_department_id,
        recipient_department_id,
        list(categories) or ALL_CATEGORIES,
        day,
    )
    return (decision.allowed if categories else bool(decision.consent_ids)), decision


def check_recipient(
    session: Session,
    user: User | None,
    resident_id: int,
    sender_department_id: int,
    recipient: Department,
    categories: Sequence[str],
    day: date,
    *,
    action: str,
    sender_name: str = "",
) -> RecipientCheck:
    """Ask the gate for one recipient; audit the answer (allowed or denied).

    A message that carries no category (a body-only note, a consent form) still says that the
    resident is a client: it needs a consent giving the recipient at least one category.
    """
    allowed, decision = ask(
        session, resident_id, sender_department_id, recipient.id, categories, day
    )
    missing: list[tuple[str | None, str]]
    if categories:
        reasons = decision.reasons
        missing = [(m.category, m.reason) for m in decision.missing]
    else:
        reasons = (
            []
            if allowed
            else [
                f"{sender_name or '送信元'}→{recipient.name}への情報の提供を認める"
                "有効な同意がありません"
            ]
        )
        missing = [(None, r) for r in reasons]
    pair = f"{sender_department_id}->{recipient.id} on {day.isoformat()}"
    audit.record(
        session,
        user,
        action,
        object_type="resident",
        object_id=resident_id,
        outcome=audit.ALLOWED if allowed else audit.DENIED,
        reason=(
            f"{pair} {','.join(categories) or 'any'} consents {decision.consent_ids}"
            if allowed
            else f"{pair} missing {','.join(categories) or 'any'}"
        ),
        login_id="" if user else "scheduler",
    )
    return RecipientCheck(
        recipient, allowed, reasons, decision.consent_ids if allowed else [], missing
    )


def check_all(
    session: Session,
    user: User | None,
    resident_id: int,
    sender: Department,
    recipients: Iterable[Department],
    categories: Sequence[str],
    day: date,
    *,
    action: str = "message.consent_check",
) -> list[int]:
    """Check every recipient; raise :class:`SendRefused` naming each miss, else the consents."""
    missing: list[dict[str, Any]] = []
    consent_ids: set[int] = set()
    for recipient in recipients:
        result = check_recipient(
            session,
            user,
            resident_id,
            sender.id,
            recipient,
            categories,
            day,
            action=action,
            sender_name=sender.name,
        )
        consent_ids.update(result.consent_ids)
        if not result.allowed:
            missing += _missing(sender, recipient, result.missing)
    if missing:
        raise SendRefused(missing)
    return sorted(consent_ids)


def _missing(
    sender: Department, recipient: Department, missing: list[tuple[str | None, str]]
) -> list[dict[str, Any]]:
    rows = []
    for category, reason in missing:
        rows.append(
            {
                "department_id": recipient.id,
                "department": recipient.name,
                "category": category,
                "category_label": InformationCategory(category).label if category else "",
                "reason": f"{recipient.name}: {reason}",
                "needed": (
                    f"{sender.name}→{recipient.name}"
                    + (f"『{InformationCategory(category).label}』" if category else "")
                    + "を含む有効な同意"
                ),
            }
        )
    return rows


def recipient_options(
    session: Session,
    user: User,
    case: Case | None,
    categories: Sequence[str],
    *,
    today: date | None = None,
) -> list[RecipientCheck]:
    """Every department the user could address, each marked allowed or not with the reason.

    For the compose screen: it offers what the consent covers and greys out the rest before
    the user tries. Nothing is audited here (no information leaves); sending checks again.
    """
    today = today or jp.today()
    query = select(Department).where(Department.is_active, Department.id != user.department_id)
    departments = list(session.scalars(query.order_by(Department.kind, Department.id)))
    if case is None:
        return [RecipientCheck(d, True, [], []) for d in departments]
    options = []
    for dept in departments:
        if dept.kind.value == "other":
            reason = f"{dept.name}は公債権所管・支援所管ではないため、情報共有の宛先にできません"
            options.append(RecipientCheck(dept, False, [reason], []))
            continue
        allowed, decision = ask(
            session, case.resident_id, user.department_id, dept.id, categories, today
        )
        if categories:
            reasons = decision.reasons
        else:
            reasons = [] if allowed else [f"{dept.name}への提供を認める有効な同意がありません"]
        options.append(RecipientCheck(dept, allowed, reasons, []))
    return options
