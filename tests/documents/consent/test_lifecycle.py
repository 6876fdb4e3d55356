"""The consent lifecycle: draft → form → signed scan → active → withdrawn or expired."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub import jp
from hub.documents.consent import gate, paper_form, services
from hub.documents.consent.models import Consent, ConsentStatus
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.models import AuditEvent, StoredFile


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _actions(db, object_id: int) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "consent", AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_consent_is_taken_step_by_step_and_every_step_is_audited(db, city, consents, days):
    consent = consents.active()
    assert consent.status == ConsentStatus.ACTIVE
    assert consent.obtained_on == jp.today()
    assert consent.obtaining_department_id == city.nozei.id
    assert consent.obtained_by_id == city.staff.id
    assert consent.valid_until == days(365)  # the setting's default
    assert {f.purpose for f in (consent.form_pdf, consent.form_docx, consent.scan)} == {
        "consent_form",
        "signed_scan",
    }
    assert consent.form_pdf.content_type == "application/pdf"
    assert _actions(db, consent.id) == [
        "consent.create",
        "consent.generate_form",
        "consent.upload_scan",
        "consent.activate",
    ]


def test_no_activation_without_the_signed_scan(db, city, consents):
    consent = consents.generated()
    with pytest.raises(Conflict) as refused:
        services.activate(db, city.staff, city.resident.id, consent.id, {"obtained_on": ""})
    assert refused.value.code == "scan_missing"
    db.rollback()
    assert db.get(Consent, consent.id).status == ConsentStatus.DRAFT


def test_activation_needs_a_plausible_date_of_signing(db, city, consents, days):
    consent = consents.scanned()
    for day, message in [
        ("", "同意日を入力してください。"),
        (days(1).isoformat(), "同意日が未来の日付になっています。"),
        (days(-1).isoformat(), "同意日が同意書の作成日"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            services.activate(db, city.staff, city.resident.id, consent.id, {"obtained_on": day})
        assert refused.value.fields["obtained_on"].startswith(message)
        db.rollback()


def test_the_scope_is_frozen_once_the_form_exists(db, city, consents, grant):
    consent = consents.generated()
    statement = consent.statement_text
    wider = {"grants": [grant(city.nozei, city.plat, "arrears", "assets")], "purposes": ["x"]}
    with pytest.raises(Conflict) as refused:
        services.update_draft(db, city.staff, city.resident.id, consent.id, wider)
    assert refused.value.code == "scope_frozen"
    db.rollback()
    # To change it, discard the form (and any scan of it), change, generate again.
    paper_form.discard(db, city.staff, city.resident.id, consent.id)
    services.update_draft(db, city.staff, city.resident.id, consent.id, wider)
    paper_form.generate(db, city.staff, city.resident.id, consent.id)
    db.commit()
    assert consent.statement_text != statement
    assert "財産の状況" in consent.statement_text
    assert {(g.category) for g in consent.grants} == {"arrears", "assets"}


def test_after_activation_the_scope_never_changes(db, city, consents, grant):
    consent = consents.active()
    data = {"grants": [grant(city.nozei, city.hokenryo, "arrears")], "purposes": ["x"]}
    with pytest.raises(Conflict):
        services.update_draft(db, city.staff, city.resident.id, consent.id, data)
    db.rollback()
    with pytest.raises(Conflict):
        paper_form.discard(db, city.staff, city.resident.id, consent.id)
    db.rollback()
    with pytest.raises(Conflict):
        paper_form.upload_scan(db, city.staff, city.resident.id, consent.id, b"%PDF", "x.pdf")


def test_withdrawal_is_recorded_and_irreversible(db, city, consents, grant):
    consent = consents.active([grant(city.nozei, city.plat, "arrears")])
    today = jp.today()
    data = {"withdrawn_on": today.isoformat(), "method": "written", "reason": "書面で撤回の申出"}
    # Any department the consent names may record it (the resident may tell any window).
    services.withdraw(db, city.plat_staff, city.resident.id, consent.id, data)
    db.commit()
    assert consent.status == ConsentStatus.WITHDRAWN
    assert (consent.withdrawn_on, consent.withdrawal_method.label) == (today, "書面")
    assert consent.withdrawn_by_id == city.plat_staff.id
    assert consent.withdrawal_reason == "書面で撤回の申出"
    assert not gate.covers(
        db, city.resident.id, city.nozei.id, city.plat.id, ["arrears"], today
    ).allowed
    with pytest.raises(Conflict) as again:
        services.withdraw(db, city.staff, city.resident.id, consent.id, data)
    assert again.value.code == "consent_withdrawn"
    db.rollback()
    with pytest.raises(Conflict):
        services.activate(db, city.staff, city.resident.id, consent.id, {"obtained_on": str(today)})
    db.rollback()
    # Sharing again needs a new consent: a new record with its own number.
    renewed = consents.active([grant(city.nozei, city.plat, "arrears")])
    assert renewed.id != consent.id
    assert gate.covers(
        db, city.resident.id, city.nozei.id, city.plat.id, ["arrears"], today
    ).allowed


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"withdrawn_on": "", "method": "oral", "reason": "x"}, "withdrawn_on", "撤回日を入力"),
        ({"withdrawn_on": "2099-01-01", "method": "oral", "reason": "x"}, "withdrawn_on", "未来"),
        ({"withdrawn_on": "2020-01-01", "method": "oral", "reason": "x"}, "withdrawn_on", "同意日"),
        ({"withdrawn_on": "today", "method": "fax", "reason": "x"}, "method", "撤回の方法"),
        ({"withdrawn_on": "today", "method": "oral", "reason": " "}, "reason", "撤回の理由を入力"),
    ],
)
def test_a_withdrawal_says_what_is_missing(db, city, consents, data, field, message):
    consent = consents.active()
    if data["withdrawn_on"] == "today":
        data = {**data, "withdrawn_on": jp.today().isoformat()}
    with pytest.raises(InvalidInput) as refused:
        services.withdraw(db, city.staff, city.resident.id, consent.id, data)
    assert message in refused.value.fields[field]
    db.rollback()
    assert db.get(Consent, consent.id).status == ConsentStatus.ACTIVE


def test_a_consent_past_its_end_covers_nothing_before_the_job_runs(db, city, consents, grant, days):
    consent = consents.active([grant(city.nozei, city.plat, "arrears")], valid_until=days(2))
    args = (db, city.resident.id, city.nozei.id, city.plat.id, ["arrears"])
    assert gate.covers(*args, days(2)).allowed
    assert not gate.covers(*args, days(3)).allowed
    assert consent.status_on(days(3)) == ConsentStatus.EXPIRED
    assert services.expire_due(db, days(2)) == []
    assert services.expire_due(db, days(3)) == [consent.id]
    assert services.expire_due(db, days(3)) == []  # running twice does nothing twice
    db.commit()
    assert consent.status == ConsentStatus.EXPIRED and consent.expired_at is not None
    assert "consent.expire" in _actions(db, consent.id)
    with pytest.raises(Conflict):
        services.withdraw(
            db,
            city.staff,
            city.resident.id,
            consent.id,
            {"withdrawn_on": jp.today().isoformat(), "method": "oral", "reason": "x"},
        )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"grants": [], "purposes": ["a"]}, "grants", "1つ以上"),
        ({"grants": "all", "purposes": ["a"]}, "grants", "配列"),
        ({"grants": [{"from_department_id": 1}], "purposes": ["a"]}, "grants", "配列"),
        ("same", "grants", "提供元と提供先が同じ"),
        ("unknown_category", "grants", "情報の区分"),
        ("unknown_department", "grants", "存在しない"),
        ("no_purpose", "purposes", "利用の目的を1つ以上"),
        ("past", "valid_until", "明日以降"),
        ("too_long", "valid_until", "最長730日"),
        ("bad_date", "valid_until", "有効期限は"),
    ],
)
def test_a_bad_draft_is_refused_in_japanese_and_nothing_is_written(
    db, city, storage, grant, data, field, message
):
    good = grant(city.nozei, city.plat, "arrears")
    cases = {
        "same": {"grants": [grant(city.nozei, city.nozei, "arrears")], "purposes": ["a"]},
        "unknown_category": {"grants": [{**good, "categories": ["x"]}], "purposes": ["a"]},
        "unknown_department": {
            "grants": [{**good, "to_department_id": 999_999}],
            "purposes": ["a"],
        },
        "no_purpose": {"grants": [good], "purposes": [" "]},
        "past": {"grants": [good], "purposes": ["a"], "valid_until": jp.today().isoformat()},
        "too_long": {"grants": [good], "purposes": ["a"], "valid_until": "2099-01-01"},
        "bad_date": {"grants": [good], "purposes": ["a"], "valid_until": "来年"},
    }
    data = cases[data] if isinstance(data, str) else data
    with pytest.raises(InvalidInput) as refused:
        services.create_draft(db, city.staff, city.resident.id, data)
    assert message in refused.value.fields[field]
    db.rollback()
    assert _count(db, Consent) == 0


def test_only_the_obtaining_department_prepares_and_activates(db, city, consents):
    consent = consents.scanned()
    for step in (
        lambda user: paper_form.discard(db, user, city.resident.id, consent.id),
        lambda user: services.activate(db, user, city.resident.id, consent.id, {}),
        lambda user: paper_form.upload_scan(db, user, city.resident.id, consent.id, b"", "x"),
    ):
        with pytest.raises(Forbidden):
            step(city.plat_staff)  # sees the resident, but does not take this consent
        db.rollback()


def test_outsiders_do_not_see_consents_and_administrators_are_refused(db, city, consents):
    consent = consents.active()
    with pytest.raises(NotFound):
        services.list_for_resident(db, city.outsider, city.resident.id)
    with pytest.raises(NotFound):
        paper_form.read_file(db, city.outsider, city.resident.id, consent.id, "form_pdf")
    with pytest.raises(Forbidden):
        services.list_for_resident(db, city.admin, city.resident.id)
    with pytest.raises(NotFound):  # right consent, wrong resident
        paper_form.read_file(db, city.staff, city.resident.id + 1, consent.id, "form_pdf")
    db.commit()
    denied = db.scalars(
        select(AuditEvent.action).where(AuditEvent.outcome == "denied").order_by(AuditEvent.id)
    ).all()
    assert denied == ["consent.list", "consent.download", "consent.list", "consent.download"]


def test_a_support_department_takes_consent_too(db, city, consents, grant):
    consent = consents.active([grant(city.nozei, city.plat, "arrears")], by=city.plat_staff)
    assert consent.obtaining_department_id == city.plat.id
    assert "ぷらっとホーム世田谷" in consent.withdrawal_clause
    assert _count(db, StoredFile) == 3
