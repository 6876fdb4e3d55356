"""Consent lifecycle: draft → (form generated) → active → withdrawn or expired.

Services check access themselves, audit, and flush; the request or job commits. The form,
the signed scan and their files are in :mod:`hub.documents.consent.paper_form`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp, settings
from hub.db import utcnow
from hub.documents.consent import access, scope, signals
from hub.documents.consent import settings as consent_settings
from hub.documents.consent.models import (
    Consent,
    ConsentGrant,
    ConsentStatus,
    WithdrawalMethod,
)
from hub.errors import Conflict
from hub.models import Resident, User
from hub.validation import Fields

DRAFT_FIELDS = ("grants", "purposes", "valid_until")
ACTIVATE_FIELDS = ("obtained_on",)
WITHDRAW_FIELDS = ("withdrawn_on", "method", "reason")
MAX_PURPOSES = 10
SCOPE_FROZEN = (
    "同意書を作成した後は、同意の範囲・目的・有効期限を変更できません。"
    "変更する場合は、作成した同意書を破棄してから範囲を変更し、同意書を作り直してください。"
)


def default_valid_until(session: Session, today: date | None = None) -> date:
    """Return the validity end a new consent gets (today + the configured days)."""
    days = settings.get(session, consent_settings.VALIDITY_DAYS.key)
    return (today or jp.today()) + timedelta(days=days)


def purpose_choices(session: Session) -> list[str]:
    return list(settings.get(session, consent_settings.PURPOSES.key))


def consents_of(session: Session, user: User, resident_id: int) -> list[access.ConsentView]:
    """The resident's consents the user's department obtained or is named in, newest first,
    each cut to what the department may know of it (callers have checked the resident)."""
    query = access.visible_consents(user).where(Consent.resident_id == resident_id)
    found = session.scalars(query.order_by(Consent.id.desc()))
    return [access.view(consent, user) for consent in found]


def list_for_resident(
    session: Session, user: User, resident_id: int
) -> tuple[Resident, list[access.ConsentView]]:
    """List a visible resident's consents that concern the user's department."""
    resident = access.resident(session, user, resident_id, "consent.list")
    return resident, consents_of(session, user, resident.id)


def _date(fields: Fields, name: str, label: str, *, required: bool = True) -> date | None:
    raw = fields.data.get(name)
    if isinstance(raw, date):
        return raw
    value = fields.optional_date(name, label)
    if value is None and required and name not in fields.errors:
        fields.error(name, f"{label}を入力してください。")
    return value


def _purposes(fields: Fields) -> list[str]:
    raw = fields.data.get("purposes")
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        fields.error("purposes", "利用の目的は文字列の配列で指定してください。")
        return []
    chosen: list[str] = []
    for item in raw:
        text = " ".join(unicodedata.normalize("NFC", item).split())
        if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text) or len(text) > 100:
            fields.error(
                "purposes", "利用の目的は1項目100文字以内で、制御文字を含めないでください。"
            )
            return []
        if text and text not in chosen:
            chosen.append(text)
    if not chosen:
        fields.error("purposes", "利用の目的を1つ以上選ぶか、入力してください。")
    elif len(chosen) > MAX_PURPOSES:
        fields.error("purposes", f"利用の目的は{MAX_PURPOSES}項目までにしてください。")
    return chosen


def _terms(session: Session, data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Read and check a draft's scope, purposes and validity end; raise InvalidInput."""
    fields = Fields(data)
    grants = scope.clean(session, fields, data.get("grants"))
    purposes = _purposes(fields)
    if data.get("valid_until") in (None, ""):
        valid_until: date | None = default_valid_until(session, today)
    else:
        valid_until = _date(fields, "valid_until", "有効期限")
    longest = settings.get(session, consent_settings.MAX_VALIDITY_DAYS.key)
    if valid_until is not None and valid_until <= today:
        fields.error("valid_until", "有効期限は明日以降の日付にしてください。")
    elif valid_until is not None and valid_until > today + timedelta(days=longest):
        limit = jp.wareki(today + timedelta(days=longest))
        fields.error(
            "valid_until", f"有効期限は{limit}までの日付にしてください（最長{longest}日）。"
        )
    fields.check()
    return {"grants": grants, "purposes": purposes, "valid_until": valid_until}


def _set_grants(consent: Consent, grants: set[scope.Grant]) -> None:
    """Replace the scope, keeping unchanged rows (a row deleted and re-added would collide)."""
    keep = []
    for row in consent.grants:
        key = scope.Grant(row.from_department_id, row.to_department_id, row.category)
        if key in grants:
            keep.append(row)
    kept = {scope.Grant(r.from_department_id, r.to_department_id, r.category) for r in keep}
    consent.grants = keep + [
        ConsentGrant(
            from_department_id=g.from_department_id,
            to_department_id=g.to_department_id,
            category=g.category,
        )
        for g in sorted(grants - kept)
    ]


def create_draft(
    session: Session,
    user: User,
    resident_id: int,
    data: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Consent:
    """Start a consent for a visible resident, taken by the user's department."""
    resident = access.resident(session, user, resident_id, "consent.create")
    terms = _terms(session, data, today or jp.today())
    consent = Consent(
        resident=resident,
        obtaining_department_id=user.department_id,
        obtained_by_id=user.id,
        status=ConsentStatus.DRAFT,
        purposes=terms["purposes"],
        valid_until=terms["valid_until"],
    )
    _set_grants(consent, terms["grants"])
    session.add(consent)
    session.flush()
    audit.record(session, user, "consent.create", consent, reason=f"{len(consent.grants)} grants")
    return consent


def update_draft(
    session: Session,
    user: User,
    resident_id: int,
    consent_id: int,
    data: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Consent:
    """Change a draft's scope, purposes or validity end, until its form is generated.

    Fields left out of ``data`` keep their value (the API's PATCH sends only what changes).
    """
    consent = access.consent(
        session, user, resident_id, consent_id, "consent.update", obtaining_only=True
    )
    require_editable(consent)
    current = {
        "grants": scope.to_json(consent.grants),
        "purposes": list(consent.purposes),
        "valid_until": consent.valid_until.isoformat(),
    }
    terms = _terms(session, {**current, **data}, today or jp.today())
    _set_grants(consent, terms["grants"])
    consent.purposes = terms["purposes"]
    consent.valid_until = terms["valid_until"]
    session.flush()
    return consent


def require_editable(consent: Consent) -> None:
    """Refuse to change a consent that is no draft, or whose form exists (409)."""
    if not consent.is_draft:
        raise Conflict(
            "有効化した同意の内容は変更できません。範囲を変えるには新しい同意を取得してください。",
            code="consent_not_draft",
        )
    if consent.is_form_generated:
        raise Conflict(SCOPE_FROZEN, code="scope_frozen")


def activate(
    session: Session,
    user: User,
    resident_id: int,
    consent_id: int,
    data: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Consent:
    """Put a consent in force once its signed scan is registered."""
    today = today or jp.today()
    consent = access.consent(
        session, user, resident_id, consent_id, "consent.activate", obtaining_only=True
    )
    if not consent.is_draft:
        raise Conflict("この同意は既に有効化されています。", code="consent_not_draft")
    printed = consent.form_generated_at
    if consent.scan_id is None or not consent.is_form_generated or printed is None:
        raise Conflict(
            "署名済みの同意書（スキャン）を登録してから有効にしてください。", code="scan_missing"
        )
    fields = Fields(data)
    obtained_on = _date(fields, "obtained_on", "同意日")
    issued_on = jp.local(printed).date()
    if obtained_on is not None:
        if obtained_on > today:
            fields.error("obtained_on", "同意日が未来の日付になっています。")
        elif obtained_on < issued_on:
            fields.error(
                "obtained_on",
                f"同意日が同意書の作成日（{jp.wareki(issued_on)}）より前になっています。",
            )
    if consent.valid_until < today:
        fields.error(
            "obtained_on",
            "有効期限が過ぎています。同意書を破棄し、有効期限を直して作り直してください。",
        )
    fields.check()
    consent.obtained_on = obtained_on
    consent.status = ConsentStatus.ACTIVE
    consent.activated_at = utcnow()
    consent.activated_by_id = user.id
    session.flush()
    return consent


def withdraw(
    session: Session,
    user: User,
    resident_id: int,
    consent_id: int,
    data: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Consent:
    """Record the resident's withdrawal (irreversible).

    The one change a department other than the obtaining one may make to a consent, if the
    consent names it: the resident may tell any window it deals with, and a withdrawal only
    ever narrows what is shared. Who recorded it, how and when is kept.
    """
    today = today or jp.today()
    consent = access.consent(session, user, resident_id, consent_id, "consent.withdraw")
    require_withdrawable(consent, today)
    fields = Fields(data)
    withdrawn_on = _date(fields, "withdrawn_on", "撤回日")
    if data.get("method") in (None, ""):
        fields.error("method", "撤回の方法（書面・口頭）を選んでください。")
    method = fields.choice("method", "撤回の方法", [m.value for m in WithdrawalMethod])
    reason = fields.text("reason", "撤回の理由", max_length=1000, required=True)
    if withdrawn_on is not None and withdrawn_on > today:
        fields.error("withdrawn_on", "撤回日が未来の日付になっています。")
    elif withdrawn_on is not None and consent.obtained_on and withdrawn_on < consent.obtained_on:
        fields.error(
            "withdrawn_on",
            f"撤回日が同意日（{jp.wareki(consent.obtained_on)}）より前になっています。",
        )
    fields.check()
    consent.status = ConsentStatus.WITHDRAWN
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_method = WithdrawalMethod(method)
    consent.withdrawal_reason = reason
    consent.withdrawn_by_id = user.id
    consent.withdrawn_at = utcnow()
    session.flush()
    signals.consent_ended.send(
        consent,
        session=session,
        day=withdrawn_on,
        reason=f"同意（同意書番号{consent.id}）が{jp.wareki(withdrawn_on)}に撤回されました",
    )
    return consent


def require_withdrawable(consent: Consent, today: date) -> None:
    """Only a consent in force can be withdrawn; a withdrawal is never undone (409)."""
    state = consent.status_on(today)
    if state == ConsentStatus.WITHDRAWN:
        raise Conflict(
            "この同意は既に撤回されています。撤回は取り消せません。"
            "再び共有するには、新しい同意を取得してください。",
            code="consent_withdrawn",
        )
    if state != ConsentStatus.ACTIVE:
        raise Conflict(
            f"{state.label}の同意は撤回できません（撤回できるのは有効な同意です）。",
            code="consent_not_active",
        )


def expire_due(session: Session, today: date) -> list[int]:
    """Mark active consents whose validity ended before ``today`` expired (for the scheduler)."""
    query = (
        select(Consent)
        .where(Consent.status == ConsentStatus.ACTIVE, Consent.valid_until < today)
        .order_by(Consent.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two schedulers at once: each consent is expired (and its shares recalled) by one.
        query = query.with_for_update(skip_locked=True, of=Consent)
    due = list(session.scalars(query))
    for consent in due:
        consent.status = ConsentStatus.EXPIRED
        consent.expired_at = utcnow()
        audit.record(
            session,
            None,
            "consent.expire",
            consent,
            login_id="scheduler",
            reason=f"valid until {consent.valid_until.isoformat()}",
        )
    session.flush()
    for consent in due:
        signals.consent_ended.send(
            consent,
            session=session,
            day=consent.valid_until + timedelta(days=1),
            reason=(
                f"同意（同意書番号{consent.id}）の有効期限（{jp.wareki(consent.valid_until)}）"
                "が過ぎました"
            ),
        )
    return [consent.id for consent in due]
