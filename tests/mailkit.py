"""Helpers for mailbox tests (services, API, web): a household sheet, compose data, row counts
and the personal-data check on notifications and outbox mails.

Import from any test module: ``from mailkit import household, share_data, row_counts, ...``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.documents.consent.models import SharingRequest
from hub.mailbox.models import (
    Delivery,
    Message,
    MessageConsent,
    MessageDocument,
    MessageRecipient,
    Notification,
    OutboxMail,
)
from hub.models import AuditEvent, CaseDepartment, ClaimType, Department, Resident, StoredFile

_keys = itertools.count(1)

#: Every table a send may write to (audit events are counted apart: denials are kept).
WRITTEN_BY_SEND = (
    Message,
    MessageRecipient,
    MessageDocument,
    MessageConsent,
    Delivery,
    Notification,
    OutboxMail,
    CaseDepartment,
    StoredFile,
    SharingRequest,
)


def make_claims(session: Session, owner: Department) -> dict[str, ClaimType]:
    """区民税 (5年), 国保料 (2年) owned by ``owner``; committed."""
    claims = {
        "kuminzei": ClaimType(
            code="kuminzei", name="特別区民税・都民税", department=owner, limitation_years=5
        ),
        "kokuho": ClaimType(
            code="kokuho", name="国民健康保険料", department=owner, limitation_years=2
        ),
    }
    session.add_all(claims.values())
    session.commit()
    return claims


def household(claims: dict[str, ClaimType], *, payment_plan: bool = True) -> dict[str, Any]:
    """山田さんの世帯 (API form): arrears, a payment plan, budget, private debts, life."""
    sheet: dict[str, Any] = {
        "arrears": {
            "claims": [
                {
                    "claim_type_id": claims["kuminzei"].id,
                    "amount": "186,400",
                    "periods": "令和6年度 3期〜4期",
                },
                {"claim_type_id": claims["kokuho"].id, "amount": "142300円", "periods": "R7 1-6期"},
            ]
        },
        "household_budget": {
            "take_home": "160,000",
            "members": [{"relationship": "母", "age": 74, "is_working": False}],
            "expenses": {"rent": "85000", "food": "42000", "utilities": "15000"},
        },
        "private_debts": {
            "debts": [
                {"kind": "consumer_finance", "creditor": "A社", "total": "60万", "monthly": 18000}
            ]
        },
        "life_situation": {"employment": "lost_job", "wants_work": True, "wants_rebuild": True},
    }
    if payment_plan:
        sheet["payment_plan"] = {
            "items": [
                {
                    "claim_type_id": claims["kokuho"].id,
                    "monthly": "5,000",
                    "start": "R8.4",
                    "until": "令和9年3月",
                }
            ]
        }
    return sheet


def key() -> str:
    """A fresh idempotency key."""
    return f"test-key-{next(_keys):06d}"


def share_data(
    case_id: int | None,
    recipients: Iterable[Department | int],
    *,
    subject: str = "情報共有",
    body: str = "",
    kind: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A compose form for :func:`hub.mailbox.send.send` (share with a case, else notice)."""
    data: dict[str, Any] = {
        "kind": kind or ("share" if case_id is not None else "notice"),
        "recipient_ids": [r if isinstance(r, int) else r.id for r in recipients],
        "subject": subject,
        "body": body,
        "idempotency_key": key(),
    }
    if case_id is not None:
        data["case_id"] = case_id
    data.update(extra)
    return data


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


def row_counts(session: Session) -> dict[str, int]:
    """Rows of every table a send writes to (not the audit trail)."""
    return {m.__tablename__: count(session, m) for m in WRITTEN_BY_SEND}


def audit_count(session: Session, *, outcome: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent)
    if outcome is not None:
        query = query.where(AuditEvent.outcome == outcome)
    return session.scalar(query)


def personal_words(resident: Resident, *subjects: str) -> list[str]:
    """What must never appear in a notification or an outbox mail."""
    words = [resident.name, resident.kana, resident.atena_no, *subjects]
    words += resident.name.split() + resident.kana.split()
    return [w for w in words if w]


def leaks(session: Session, resident: Resident, *subjects: str) -> list[str]:
    """Every notification / outbox text containing personal data or a subject (should be [])."""
    words = personal_words(resident, *subjects)
    found = []
    for n in session.scalars(select(Notification)):
        found += [f"notification {n.id}: {w}" for w in words if w in n.text]
    for m in session.scalars(select(OutboxMail)):
        text = f"{m.to_address} {m.subject} {m.body} {m.link_path}"
        found += [f"outbox {m.id}: {w}" for w in words if w in text]
    return found


def attempt(session: Session, call, *args: Any, **kwargs: Any) -> Any:
    """Run a service as one request would: commit on success; on an error roll back (keeping
    the denied audit events, like :func:`hub.db.finish`) and re-raise."""
    from hub.db import finish

    try:
        result = call(session, *args, **kwargs)
    except Exception:
        finish(session, ok=False)
        raise
    finish(session, ok=True)
    return result
