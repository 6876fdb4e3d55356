"""A hostile or wrong file as the signed scan is refused: no row, no file, the denial audited."""

from __future__ import annotations

import pytest
import uploads_samples as samples
from sqlalchemy import func, select

from hub.db import finish
from hub.documents.consent import paper_form
from hub.documents.consent.models import Consent
from hub.models import AuditEvent, StoredFile
from hub.storage import UploadRejected


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (samples.pdf_open_action_js, "pdf_active_content"),
        (samples.pdf_launch, "pdf_active_content"),
        (samples.pdf_embedded_file, "pdf_active_content"),
        (samples.encrypted_pdf, "pdf_encrypted"),
        (samples.truncated_png, "image_malformed"),
        (samples.windows_exe, "unsupported_type"),
        (samples.html_page, "unsupported_type"),
        (samples.docx, "unsupported_type"),  # Word is fine elsewhere, but not as a signed scan
        (lambda: b"", "empty_file"),
    ],
)
def test_a_hostile_scan_leaves_nothing_behind(db, city, consents, storage, make, code):
    consent = consents.generated()
    rows_before = db.scalar(select(func.count()).select_from(StoredFile))
    files_before = sorted(p for p in storage.root.rglob("*") if p.is_file())
    with pytest.raises(UploadRejected) as refused:
        paper_form.upload_scan(db, city.staff, city.resident.id, consent.id, make(), "scan.pdf")
    assert refused.value.code == code
    assert refused.value.message  # Japanese, says what to do next
    finish(db, ok=False)  # the request's end: roll back, keep the denial
    assert db.scalar(select(func.count()).select_from(StoredFile)) == rows_before
    assert sorted(p for p in storage.root.rglob("*") if p.is_file()) == files_before
    assert db.get(Consent, consent.id).scan_id is None
    denial = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "file.store", AuditEvent.outcome == "denied")
    ).one()
    assert denial.reason == f"signed_scan: {code}"


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (samples.fpdf_pdf, "application/pdf"),
        (samples.png, "image/png"),
        (samples.jpeg, "image/jpeg"),
    ],
)
def test_a_scan_is_a_pdf_or_an_image_named_by_the_hub(db, city, consents, make, content_type):
    consent = consents.generated()
    paper_form.upload_scan(db, city.staff, city.resident.id, consent.id, make(), "../../署名済み")
    assert consent.scan.content_type == content_type
    assert "/" not in consent.scan.original_name
    assert consent.scan.purpose == "signed_scan"
