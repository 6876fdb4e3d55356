"""保存期間: what is past its period goes (files too, audited); nothing under an open case, an
active consent or a legal hold; a dry run lists and changes nothing."""

from __future__ import annotations

import os
from datetime import timedelta

import uploads_samples as samples
from mailkit import attempt, share_data
from sqlalchemy import func, select

from hub.db import utcnow
from hub.documents.consent.models import Consent
from hub.mailbox import send
from hub.mailbox.compose import Upload
from hub.mailbox.models import Message
from hub.models import AuditEvent, Case, CaseStatus, Resident, StoredFile
from hub.scheduler import jobs, retention


def _closed_case_with_a_shared_file(db, city, consents):
    consent = consents.active(
        [
            {
                "from_department_id": city.nozei.id,
                "to_department_id": city.plat.id,
                "categories": ["arrears"],
            }
        ]
    )
    data = share_data(
        city.case_id,
        [city.plat],
        subject="山田 太郎さんの件",
        body="本文に個人の事情",
        attachment_categories=["arrears"],
    )
    upload = Upload("滞納明細.pdf", samples.fpdf_pdf("arrears"))
    message = attempt(db, send.send, city.staff, data, [upload]).message
    consents.withdraw(consent)
    case = db.get(Case, city.case_id)
    case.status, case.closed_at = CaseStatus.CLOSED, utcnow()
    db.commit()
    return consent, message


def run(job, dry_run=False):
    ctx = job(dry_run=dry_run)
    done = jobs.execute(jobs.get("retention"), ctx, "manual")
    assert done.error == "", done.error
    return done.rows, ctx.report


def test_past_its_period_a_case_its_files_consent_and_resident_go(
    db, city, consents, clock, job, storage
):
    consent, message = _closed_case_with_a_shared_file(db, city, consents)
    files = {f.id: storage.path_for(f.storage_key) for f in db.scalars(select(StoredFile))}
    assert files and all(p.exists() for p in files.values())
    assert run(job)[0] == 0  # nothing is old yet

    clock.advance(days=365 * 6)
    rows, report = run(job, dry_run=True)
    assert rows >= 3 and any("ケース: 1件" in line for line in report)
    db.expire_all()
    assert db.get(Message, message.id).subject == "山田 太郎さんの件"  # a dry run changed nothing

    db.get(Case, city.case_id).legal_hold = True
    db.commit()
    run(job)
    db.expire_all()
    assert db.get(Case, city.case_id).anonymised_at is None
    assert db.get(Resident, city.resident.id).name == "山田 太郎"

    db.get(Case, city.case_id).legal_hold = False
    db.commit()
    run(job)
    db.expire_all()
    assert db.get(Case, city.case_id).anonymised_at is not None
    shared = db.get(Message, message.id)
    assert shared.subject == retention.REMOVED and shared.body == "" and shared.search_text == ""
    assert db.get(Consent, consent.id).files_purged_at is not None
    resident = db.get(Resident, city.resident.id)
    assert resident.name == "（消去済み）" and resident.atena_no.startswith("X")
    assert resident.address == "" and resident.birth_date is None
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert not any(p.exists() for p in files.values())
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"retention.case", "retention.consent", "retention.resident", "file.delete"} <= actions


def test_an_open_case_or_an_active_consent_keeps_everything(
    db, city, consents, clock, job, make_case
):
    _closed_case_with_a_shared_file(db, city, consents)
    make_case(resident=city.resident, lead=city.nozei)  # the resident came back
    clock.advance(days=365 * 6)
    run(job)
    db.expire_all()
    assert db.get(Case, city.case_id).anonymised_at is None
    assert db.get(Resident, city.resident.id).anonymised_at is None


def test_unreferenced_files_older_than_a_day_are_removed(db, city, job, storage, clock):
    orphan = storage.root / "ab" / ("ab" + "0" * 30)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"ciphertext left by a crash")
    old = (utcnow() - timedelta(days=2)).timestamp()
    os.utime(orphan, (old, old))
    rows, _ = run(job)
    assert rows == 1 and not orphan.exists()
    assert "retention.orphan_files" in set(db.scalars(select(AuditEvent.action)))
