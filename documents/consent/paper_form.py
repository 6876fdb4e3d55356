"""The consent form (同意書) and the signed scan: generate, discard, upload, read.

The form is rendered from the consent (hub.documents.render.consent_form), stored through
hub.storage, and from then on the consent's scope is frozen. The scan is what the resident
signed: PDF or an image, checked and encrypted by hub.storage like every upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp, settings, storage
from hub.db import utcnow
from hub.documents.consent import access, scope, statement
from hub.documents.consent import settings as consent_settings
from hub.documents.consent.models import Consent, ConsentGrant
from hub.documents.consent.services import require_editable
from hub.errors import Conflict, NotFound
from hub.models import Department, StoredFile, User

FORM_PURPOSE, SCAN_PURPOSE = "consent_form", "signed_scan"
SCAN_TYPES = {storage.PDF, storage.PNG, storage.JPEG}
#: The files of a consent, by the name used in links and the API.
FILE_KINDS = ("form_pdf", "form_docx", "scan")
FILE_LABELS = {"form_pdf": "同意書（PDF）", "form_docx": "同意書（Word）", "scan": "署名済み同意書"}


def city_name(session: Session) -> str:
    """Return the city's name printed on the consent form (e.g. 世田谷区)."""
    return settings.get(session, consent_settings.CITY_NAME.key)


def departments_of(session: Session, grants: Sequence[ConsentGrant]) -> dict[int, Department]:
    """Return the departments the grants name, by id (one query)."""
    ids = {g.from_department_id for g in grants} | {g.to_department_id for g in grants}
    return {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(ids)))}


def rows_of(
    session: Session, consent: Consent, grants: Sequence[ConsentGrant] | None = None
) -> list[scope.ScopeRow]:
    """The scope as rows, all of it or only the ``grants`` a department may see."""
    shown = consent.grants if grants is None else grants
    return scope.rows(shown, departments_of(session, shown))


def form_data(session: Session, consent: Consent, issued_on: date):
    """Build what the renderer prints, from the consent and its stored statement."""
    from hub.documents.render.consent_form import ConsentFormData, StatementRow

    resident, department = consent.resident, consent.obtaining_department
    return ConsentFormData(
        consent_id=consent.id,
        city_name=city_name(session),
        resident_name=resident.name,
        resident_kana=resident.kana,
        resident_address=resident.address,
        resident_birth_date=resident.birth_date,
        atena_no=resident.atena_no,
        obtaining_department=department.name,
        obtaining_staff=consent.obtained_by.display_name,
        contact_phone=department.contact_phone,
        rows=tuple(
            StatementRow(r.from_department.name, r.to_department.name, r.labels)
            for r in rows_of(session, consent)
        ),
        purposes=tuple(consent.purposes),
        statement_text=consent.statement_text,
        withdrawal_clause=consent.withdrawal_clause,
        valid_until=consent.valid_until,
        issued_on=issued_on,
    )


def generate(
    session: Session, user: User, resident_id: int, consent_id: int, *, today: date | None = None
) -> Consent:
    """Write the statement from the scope, render the form (PDF and Word) and store both."""
    from hub.documents.render.consent_form import render_consent_docx, render_consent_pdf

    today = today or jp.today()
    consent = access.consent(
        session, user, resident_id, consent_id, "consent.generate_form", obtaining_only=True
    )
    require_editable(consent)
    if consent.valid_until <= today:
        raise Conflict(
            "有効期限が過ぎているため同意書を作成できません。有効期限を直してください。",
            code="validity_past",
        )
    city = city_name(session)
    consent.statement_text = statement.statement_text(
        city, rows_of(session, consent), consent.purposes
    )
    consent.withdrawal_clause = statement.withdrawal_clause(city, consent.obtaining_department)
    data = form_data(session, consent, today)
    name = f"同意書_同意書番号{consent.id}"
    consent.form_pdf = storage.store(
        session,
        user,
        render_consent_pdf(data),
        f"{name}.pdf",
        purpose=FORM_PURPOSE,
        allowed={storage.PDF},
    )
    consent.form_docx = storage.store(
        session,
        user,
        render_consent_docx(data),
        f"{name}.docx",
        purpose=FORM_PURPOSE,
        allowed={storage.DOCX},
    )
    consent.form_generated_at = utcnow()
    session.flush()
    return consent


def discard(session: Session, user: User, resident_id: int, consent_id: int) -> Consent:
    """Drop a draft's generated form (and any scan of it) so that its scope can change."""
    consent = access.consent(
        session, user, resident_id, consent_id, "consent.discard_form", obtaining_only=True
    )
    if not consent.is_draft:
        raise Conflict("有効化した同意の同意書は破棄できません。", code="consent_not_draft")
    if not consent.is_form_generated:
        raise Conflict("破棄する同意書がありません。", code="no_form")
    # The stored files stay (what was printed is history); the consent no longer refers to them.
    consent.form_pdf = consent.form_docx = consent.scan = None
    consent.statement_text = consent.withdrawal_clause = ""
    consent.form_generated_at = None
    session.flush()
    return consent


def upload_scan(
    session: Session,
    user: User,
    resident_id: int,
    consent_id: int,
    data: bytes | IO[bytes],
    filename: str,
) -> Consent:
    """Register the scan of the signed form (PDF, PNG or JPEG); a hostile file is refused."""
    consent = access.consent(
        session, user, resident_id, consent_id, "consent.upload_scan", obtaining_only=True
    )
    if not consent.is_draft:
        raise Conflict(
            "有効化した同意の署名済み同意書は差し替えられません。", code="consent_not_draft"
        )
    if not consent.is_form_generated:
        raise Conflict("先に同意書を作成してください。", code="no_form")
    consent.scan = storage.store(
        session, user, data, filename or "scan", purpose=SCAN_PURPOSE, allowed=SCAN_TYPES
    )
    session.flush()
    return consent


def stored_file(consent: Consent, kind: str) -> StoredFile:
    """Return one of the consent's files by kind, or NotFound."""
    found = consent.files().get(kind) if kind in FILE_KINDS else None
    if found is None:
        raise NotFound("このファイルはありません。")
    return found


def read_file(
    session: Session, user: User, resident_id: int, consent_id: int, kind: str
) -> tuple[StoredFile, bytes]:
    """Return a consent's file and its bytes, for the department that obtained it only.

    Another department reads the form only as a mailbox share (rechecked at every open).
    """
    consent = access.consent(
        session, user, resident_id, consent_id, "consent.download", obtaining_only=True
    )
    found = stored_file(consent, kind)
    audit.record(session, user, "file.read", found, reason=f"consent {consent.id} {kind}")
    return found, storage.read(session, found)
