"""Sending rules: every bad input is a clear 4xx and writes nothing; notices, idempotency,
approval, sharing requests, replies, case involvement and personal data in notices/mails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mailkit import attempt, audit_count, count, key, leaks, row_counts, share_data
from sqlalchemy import event, select

from hub import audit, jp
from hub.documents.consent.gate import ConsentMissing
from hub.documents.consent.models import SharingRequest
from hub.errors import Conflict, Forbidden, HubError, InvalidInput, NotFound
from hub.mailbox import approval, checks, compose, followups, inbox, read, send, sharing_requests
from hub.mailbox.models import (
    Delivery,
    LegalBasis,
    Message,
    MessageKind,
    MessageStatus,
    Notification,
    NotificationKind,
    OutboxMail,
)
from hub.models import Case, CaseDepartment, Role


@pytest.fixture
def covered(city, consents, grant, sheet):
    """A sheet of 納税課 and a consent: 納税課 → 保険料収納課/ぷらっとホーム (arrears, life),
    ぷらっとホーム → 納税課 (support status), collection departments → each other and
    ぷらっとホーム (arrears)."""
    saved = sheet()
    consent = consents.active(
        [
            grant(city.nozei, city.hokenryo, "arrears", "life_situation"),
            grant(city.nozei, city.plat, "arrears", "life_situation"),
            grant(city.plat, city.nozei, "support_status"),
            grant(city.hokenryo, city.plat, "arrears"),
            grant(city.hokenryo, city.nozei, "arrears"),
        ]
    )
    return saved, consent


def arrears_share(city, saved, recipients, **extra):
    return share_data(
        city.case_id,
        recipients,
        subject="滞納状況の共有",
        sheet_version=saved.version,
        sheet_categories=["arrears"],
        **extra,
    )


def refused(db, error_type, user, data, *, today=None):
    """Send, expect ``error_type``; assert nothing was written; return the error."""
    before = row_counts(db)
    kwargs = {"today": today} if today else {}
    with pytest.raises(error_type) as err:
        attempt(db, send.send, user, data, **kwargs)
    db.expire_all()
    assert row_counts(db) == before
    assert isinstance(err.value, HubError) and 400 <= err.value.status < 500
    return err.value


# ------------------------------------------------------------------ bad input, nothing sent


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"recipient_ids": [999_999]}, "recipient_ids"),
        ({"recipient_ids": []}, "recipient_ids"),
        ({"recipient_ids": ["abc"]}, "recipient_ids"),
        ({"subject": ""}, "subject"),
        ({"subject": "  \u3000 "}, "subject"),
        ({"subject": "件" * (compose.SUBJECT_MAX + 1)}, "subject"),
        ({"body": "あ" * (compose.BODY_MAX + 1)}, "body"),
        ({"sheet_categories": ["assets"]}, "sheet_categories"),  # a section left blank
        ({"kind": "feedback"}, "kind"),
        ({"idempotency_key": "short"}, "idempotency_key"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_sent(db, city, covered, change, field):
    saved, _ = covered
    data = arrears_share(city, saved, [city.hokenryo])
    data.update(change)
    error = refused(db, InvalidInput, city.staff, data)
    assert error.status == 400 and field in error.fields
    assert error.fields[field]  # a Japanese message for the user


def test_a_body_at_the_limit_is_accepted(db, city, covered):
    saved, _ = covered
    data = arrears_share(city, saved, [city.hokenryo], body="あ" * compose.BODY_MAX)
    message = attempt(db, send.send, city.staff, data).message
    assert len(message.body) == compose.BODY_MAX and len(message.deliveries) == 1


def test_a_department_of_the_wrong_kind_cannot_receive_a_case_share(db, city, covered):
    saved, _ = covered
    zaisei = city.admin.department  # 財政課: kind "other"
    error = refused(db, InvalidInput, city.staff, arrears_share(city, saved, [zaisei]))
    assert "財政課" in error.fields["recipient_ids"]
    options = checks.recipient_options(db, city.staff, db.get(Case, city.case_id), ["arrears"])
    by_id = {o.department.id: o for o in options}
    assert not by_id[zaisei.id].allowed and "財政課" in by_id[zaisei.id].reasons[0]


def test_the_sender_cannot_be_a_recipient(db, city, covered):
    saved, _ = covered
    error = refused(
        db, InvalidInput, city.staff, arrears_share(city, saved, [city.nozei, city.hokenryo])
    )
    assert "自所管課" in error.fields["recipient_ids"]


def test_a_document_from_another_case_is_refused(
    db, city, covered, make_resident, make_case, consents, grant
):
    saved, _ = covered
    other_resident = make_resident("佐藤 花子", "サトウ ハナコ", department=city.nozei)
    other_case = make_case(resident=other_resident, lead=city.nozei)
    # Only the first case has a sheet: "version 1" of the other case does not exist.
    data = arrears_share(city, saved, [city.hokenryo])
    data["case_id"] = other_case.id
    error = refused(db, InvalidInput, city.staff, data)
    assert "sheet_version" in error.fields
    # A consent of another resident cannot be attached either.
    ours = city.resident
    city.resident = other_resident
    try:
        foreign = consents.active([grant(city.nozei, city.hokenryo, "arrears")])
    finally:
        city.resident = ours
    data = arrears_share(city, saved, [city.hokenryo], consent_id=foreign.id)
    error = refused(db, InvalidInput, city.staff, data)
    assert "consent_id" in error.fields


def test_a_document_from_another_department_is_refused(db, city, covered, sheet, consents, grant):
    _saved, _ = covered
    theirs = sheet(user=city.hokenryo_staff, payment_plan=False)  # 保険料収納課's version 2
    error = refused(db, InvalidInput, city.staff, arrears_share(city, theirs, [city.hokenryo]))
    assert "保険料収納課" in error.fields["sheet_version"]
    # A consent obtained by another department cannot be attached by 納税課 either.
    plat_consent = consents.active(
        [grant(city.plat, city.nozei, "support_status")], by=city.plat_staff
    )
    data = arrears_share(city, _saved, [city.hokenryo], consent_id=plat_consent.id)
    error = refused(db, InvalidInput, city.staff, data)
    assert "consent_id" in error.fields


def test_a_withdrawn_consent_covers_nothing(db, city, sheet, consents, grant):
    saved = sheet()
    consents.withdrawn([grant(city.nozei, city.hokenryo, "arrears")])
    error = refused(db, checks.SendRefused, city.staff, arrears_share(city, saved, [city.hokenryo]))
    assert error.status == 409
    assert any("撤回" in m["reason"] for m in error.missing)


def test_a_consent_that_expires_today_covers_today_but_not_tomorrow(
    db, city, sheet, consents, grant
):
    saved = sheet()
    # A new consent must run until tomorrow at least: make tomorrow "today" for the send.
    today = jp.today() + timedelta(days=1)
    tomorrow = today + timedelta(days=1)
    consents.active([grant(city.nozei, city.hokenryo, "arrears")], valid_until=today)
    # valid_until == today: today is the consent's last covered day, the send goes out.
    message = attempt(
        db, send.send, city.staff, arrears_share(city, saved, [city.hokenryo]), today=today
    ).message
    assert message.status == MessageStatus.SENT and len(message.deliveries) == 1
    opened = attempt(db, read.open_message, city.hokenryo_staff, message.id, today=today)
    assert opened.documents and not opened.is_recalled
    # Tomorrow (valid_until == yesterday) a send is refused…
    error = refused(
        db,
        checks.SendRefused,
        city.staff,
        arrears_share(city, saved, [city.hokenryo]),
        today=tomorrow,
    )
    assert any("有効期限" in m["reason"] for m in error.missing)
    # …and opening what was sent shows a tombstone, no content; the file answers 409.
    late = attempt(db, read.open_message, city.hokenryo_staff, message.id, today=tomorrow)
    assert late.is_recalled and late.documents == []
    assert late.delivery.recalled_on == tomorrow
    with pytest.raises(Conflict):
        attempt(
            db,
            read.open_document,
            city.hokenryo_staff,
            message.id,
            message.documents[0].id,
            today=tomorrow,
        )


def test_a_case_the_user_is_not_involved_in_is_not_found(db, city, covered):
    saved, _ = covered
    # 介護保険課 is not involved in the case: it learns nothing about it (404).
    data = share_data(city.case_id, [city.nozei], subject="照会")
    error = refused(db, NotFound, city.outsider, data)
    assert error.status == 404
    # An administrator sends nothing at all.
    error = refused(db, Forbidden, city.admin, arrears_share(city, saved, [city.hokenryo]))
    assert error.status == 403


def test_denied_checks_are_audited_even_though_nothing_is_sent(db, city, covered):
    saved, _ = covered
    denied = audit_count(db, outcome=audit.DENIED)
    refused(db, checks.SendRefused, city.staff, arrears_share(city, saved, [city.kaigo]))
    assert audit_count(db, outcome=audit.DENIED) == denied + 1


# ------------------------------------------------------------------ notices


def test_a_notice_without_a_case_goes_anywhere_without_consent(db, city):
    zaisei = city.admin.department
    data = share_data(
        None,
        [city.hokenryo, city.plat, city.kaigo, zaisei],
        subject="勉強会のお知らせ",
        body="12月10日 14時から 第1会議室",
    )
    message = attempt(db, send.send, city.staff, data).message
    assert message.kind == MessageKind.NOTICE and message.basis == LegalBasis.NONE
    assert message.case_id is None and message.resident_id is None
    assert {d.department_id for d in message.deliveries} == {
        city.hokenryo.id,
        city.plat.id,
        city.kaigo.id,
        zaisei.id,
    }
    view = attempt(db, read.open_message, city.outsider, message.id)
    assert view.message.body.startswith("12月10日") and not view.is_recalled


def test_opening_a_read_message_again_writes_nothing_to_the_delivery(db, city):
    data = share_data(None, [city.hokenryo], subject="勉強会のお知らせ", body="第1会議室")
    message = attempt(db, send.send, city.staff, data).message
    first = attempt(db, read.open_message, city.hokenryo_staff, message.id).delivery
    assert first.first_read_by_id == city.hokenryo_staff.id
    updates: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("UPDATE DELIVERIES"):
            updates.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        again = attempt(db, read.open_message, city.hokenryo_staff, message.id)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert updates == [] and again.delivery.first_read_at == first.first_read_at


@pytest.mark.parametrize(
    "extra",
    [
        {"sheet_version": 1},
        {"policy": {"pattern": "1"}},
        {"body_categories": ["arrears"]},
    ],
)
def test_a_notice_cannot_carry_case_documents(db, city, covered, extra):
    data = share_data(None, [city.hokenryo], subject="お知らせ", **extra)
    error = refused(db, InvalidInput, city.staff, data)
    assert set(extra) <= set(error.fields)


def test_a_share_needs_a_case(db, city):
    data = share_data(None, [city.hokenryo], subject="共有", kind="share")
    error = refused(db, InvalidInput, city.staff, data)
    assert "case_id" in error.fields


# ------------------------------------------------------------------ idempotency


def test_the_same_idempotency_key_returns_the_same_message(db, city, covered):
    saved, _ = covered
    data = arrears_share(city, saved, [city.hokenryo, city.plat])
    sent = attempt(db, send.send, city.staff, data)
    first = sent.message
    before = row_counts(db)
    again = attempt(db, send.send, city.staff, dict(data))
    second = again.message
    # The service says it replayed the key: the API answers 200 instead of 201 from this.
    assert (sent.replayed, again.replayed) == (False, True)
    assert second.id == first.id
    assert row_counts(db) == before
    assert count(db, Message) == 1 and count(db, Delivery) == 2
    # Another user's key is their own.
    other = attempt(
        db,
        send.send,
        city.hokenryo_staff,
        share_data(
            city.case_id,
            [city.plat],
            subject="別の連絡",
            idempotency_key=data["idempotency_key"],
            body_categories=["arrears"],
        ),
    ).message
    assert other.id != first.id


def test_a_refused_send_does_not_use_up_its_key(db, city, covered):
    saved, _ = covered
    data = arrears_share(city, saved, [city.kaigo])
    refused(db, checks.SendRefused, city.staff, data)
    data["recipient_ids"] = [city.hokenryo.id]
    message = attempt(db, send.send, city.staff, data).message
    assert message.status == MessageStatus.SENT and count(db, Message) == 1


# ------------------------------------------------------------------ approval


@pytest.fixture
def manager(db, city, make_user):
    city.nozei.requires_approval = True
    db.commit()
    return make_user(Role.MANAGER, department=city.nozei, login_id="nozei-mgr")


def test_a_staff_share_waits_for_approval_and_is_delivered_when_approved(
    db, city, covered, manager
):
    saved, _ = covered
    message = attempt(
        db, send.send, city.staff, arrears_share(city, saved, [city.hokenryo])
    ).message
    assert message.status == MessageStatus.PENDING_APPROVAL
    assert count(db, Delivery) == 0
    assert inbox.inbox(db, city.hokenryo_staff).rows == []
    with pytest.raises(NotFound):
        attempt(db, read.open_message, city.hokenryo_staff, message.id)
    assert [m.id for m in approval.pending_approvals(db, manager)] == [message.id]
    assert inbox.counts(db, manager).approvals == 1
    asked = db.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.APPROVAL_NEEDED)
    ).all()
    assert asked == [manager.id]
    # Staff cannot approve.
    with pytest.raises(Forbidden):
        attempt(db, approval.approve, city.staff, message.id)

    approved = attempt(db, approval.approve, manager, message.id, "確認しました")
    assert approved.status == MessageStatus.SENT and approved.approved_by_id == manager.id
    assert [d.department_id for d in approved.deliveries] == [city.hokenryo.id]
    view = attempt(db, read.open_message, city.hokenryo_staff, message.id)
    assert view.documents
    told = db.scalars(select(Notification.kind).where(Notification.user_id == city.staff.id)).all()
    assert NotificationKind.APPROVED in told
    with pytest.raises(Conflict):
        attempt(db, approval.approve, manager, message.id)
    assert leaks(db, city.resident, message.subject) == []


def test_approval_checks_consent_again_on_the_day(db, city, covered, manager, consents):
    saved, consent = covered
    message = attempt(
        db, send.send, city.staff, arrears_share(city, saved, [city.hokenryo])
    ).message
    consents.withdraw(consent)
    with pytest.raises(checks.SendRefused) as err:
        attempt(db, approval.approve, manager, message.id)
    assert err.value.status == 409
    db.expire_all()
    still = db.get(Message, message.id)
    assert still.status == MessageStatus.PENDING_APPROVAL and still.approved_by_id is None
    assert count(db, Delivery) == 0


def test_a_returned_share_is_never_delivered(db, city, covered, manager):
    saved, _ = covered
    message = attempt(
        db, send.send, city.staff, arrears_share(city, saved, [city.hokenryo])
    ).message
    with pytest.raises(InvalidInput):
        attempt(db, approval.return_to_sender, manager, message.id, "")
    returned = attempt(db, approval.return_to_sender, manager, message.id, "本文に誤りがあります")
    assert returned.status == MessageStatus.RETURNED
    assert returned.approval_comment == "本文に誤りがあります"
    with pytest.raises(Conflict):
        attempt(db, approval.approve, manager, message.id)
    assert count(db, Delivery) == 0
    told = db.scalars(select(Notification.kind).where(Notification.user_id == city.staff.id)).all()
    assert NotificationKind.RETURNED in told
    assert [m.id for m in inbox.sent(db, city.staff).rows] == [message.id]


def test_a_managers_own_share_goes_directly(db, city, covered, manager):
    saved, _ = covered
    message = attempt(db, send.send, manager, arrears_share(city, saved, [city.hokenryo])).message
    assert message.status == MessageStatus.SENT and len(message.deliveries) == 1


def test_a_manager_of_another_department_cannot_approve(db, city, covered, manager, make_user):
    saved, _ = covered
    message = attempt(
        db, send.send, city.staff, arrears_share(city, saved, [city.hokenryo])
    ).message
    stranger = make_user(Role.MANAGER, department=city.hokenryo, login_id="hokenryo-mgr")
    with pytest.raises(NotFound):
        attempt(db, approval.approve, stranger, message.id)
    assert db.get(Message, message.id).status == MessageStatus.PENDING_APPROVAL


# ------------------------------------------------------------------ sharing requests


def ask(db, city, departments, categories=("arrears",), **extra):
    data = {
        "department_ids": [d if isinstance(d, int | str) else d.id for d in departments],
        "categories": list(categories),
        "note": "家計の見直しのため滞納状況を知りたい",
        "idempotency_key": key(),
        **extra,
    }
    return attempt(
        db, sharing_requests.request_sharing, city.plat_staff, city.case_id, data
    ).message


def test_a_sharing_request_goes_to_collection_departments_only(db, city, covered):
    before = row_counts(db)
    for wrong in ([city.nozei, city.plat], [str(city.plat.id)], [city.admin.department]):
        with pytest.raises(InvalidInput) as err:
            ask(db, city, wrong)
        assert "department_ids" in err.value.fields
    # Categories the consent does not let them give the requester: 409, nothing written.
    with pytest.raises(ConsentMissing) as err:
        ask(db, city, [city.nozei], categories=("household_budget",))
    assert err.value.status == 409
    db.expire_all()
    assert row_counts(db) == before and count(db, SharingRequest) == 0


def test_a_sharing_request_is_declined_with_a_reason(db, city, covered):
    request = ask(db, city, [city.nozei, city.hokenryo], feedback_due=str(jp.today()))
    assert request.kind == MessageKind.SHARING_REQUEST
    assert {d.department_id for d in request.deliveries} == {city.nozei.id, city.hokenryo.id}
    assert "滞納状況" in request.body
    with pytest.raises(InvalidInput):
        attempt(db, sharing_requests.decline, city.hokenryo_staff, request.id, " ")
    declined = attempt(
        db, sharing_requests.decline, city.hokenryo_staff, request.id, "該当する滞納なし"
    )
    assert declined.declined_at is not None and declined.decline_reason == "該当する滞納なし"
    with pytest.raises(Conflict):
        attempt(db, sharing_requests.decline, city.hokenryo_staff, request.id, "二度目")
    # The requester no longer waits for 保険料収納課, only for 納税課.
    waiting = followups.open_requests(db, city.plat_staff)
    assert [d.department_id for d in waiting] == [city.nozei.id]
    assert followups.owed(db, city.hokenryo_staff) == []
    # The requester cannot decline its own request.
    with pytest.raises(Conflict):
        attempt(db, sharing_requests.decline, city.plat_staff, request.id, "x")


def test_answering_a_request_with_a_share_marks_it_answered(db, city, covered):
    saved, _ = covered
    request = ask(db, city, [city.nozei, city.hokenryo], feedback_due=str(jp.today()))
    assert [d.department_id for d in followups.owed(db, city.staff)] == [city.nozei.id]
    answer = attempt(
        db,
        send.send,
        city.staff,
        arrears_share(city, saved, [city.plat], parent_id=request.id),
    ).message
    assert answer.parent_id == request.id and answer.thread_id == request.id
    assert answer.case_id == city.case_id
    db.expire_all()
    mine = db.scalar(
        select(Delivery).where(
            Delivery.message_id == request.id, Delivery.department_id == city.nozei.id
        )
    )
    assert mine.feedback_message_id == answer.id and mine.feedback_received_at is not None
    assert followups.owed(db, city.staff) == []
    assert [d.department_id for d in followups.open_requests(db, city.plat_staff)] == [
        city.hokenryo.id
    ]
    told = db.scalars(
        select(Notification.kind).where(Notification.user_id == city.plat_staff.id)
    ).all()
    assert NotificationKind.FEEDBACK_RECEIVED in told


# ------------------------------------------------------------------ replies, involvement


def test_a_reply_keeps_the_case_and_the_participants(db, city, covered):
    saved, _ = covered
    first = attempt(
        db, send.send, city.staff, arrears_share(city, saved, [city.hokenryo, city.plat])
    ).message
    reply_data = {
        "kind": "share",
        "parent_id": first.id,
        "subject": "Re: 滞納状況の共有",
        "body": "受け取りました。こちらの滞納状況も共有します。",
        "body_categories": ["arrears"],
        "idempotency_key": key(),
    }
    reply = attempt(db, send.send, city.hokenryo_staff, reply_data).message
    assert reply.case_id == city.case_id and reply.thread_id == first.id
    assert {d.department_id for d in reply.deliveries} == {city.nozei.id, city.plat.id}
    # A reply cannot move to another case.
    with pytest.raises(InvalidInput) as err:
        attempt(
            db,
            send.send,
            city.hokenryo_staff,
            {**reply_data, "case_id": city.case_id + 1000, "idempotency_key": key()},
        )
    assert "case_id" in err.value.fields
    # A department the parent was not sent to cannot reply to it (it does not exist for them).
    with pytest.raises(InvalidInput) as err:
        attempt(db, send.send, city.outsider, {**reply_data, "idempotency_key": key()})
    assert "parent_id" in err.value.fields


def test_recipients_become_involved_in_the_case(db, city, consents, grant, sheet):
    saved = sheet()
    consents.active([grant(city.nozei, city.kaigo, "arrears")])
    assert (
        db.scalar(
            select(CaseDepartment).where(
                CaseDepartment.case_id == city.case_id,
                CaseDepartment.department_id == city.kaigo.id,
            )
        )
        is None
    )
    message = attempt(db, send.send, city.staff, arrears_share(city, saved, [city.kaigo])).message
    involved = db.scalar(
        select(CaseDepartment).where(
            CaseDepartment.case_id == city.case_id,
            CaseDepartment.department_id == city.kaigo.id,
        )
    )
    assert involved is not None and involved.added_by_id == city.staff.id
    rows = inbox.timeline(db, city.outsider, city.case_id)
    assert [m.id for m, _d in rows] == [message.id]


# ------------------------------------------------------------------ notifications and mails


def test_notifications_and_mails_never_carry_personal_data(db, city, covered, manager):
    saved, consent = covered
    subject = "山田 太郎（ヤマダ タロウ 0001000001）の件"
    data = arrears_share(city, saved, [city.hokenryo, city.plat], feedback_due=str(jp.today()))
    data["subject"] = subject
    pending = attempt(db, send.send, city.staff, data).message
    attempt(db, approval.approve, manager, pending.id)
    attempt(db, read.open_message, city.plat_staff, pending.id)
    attempt(
        db,
        sharing_requests.send_feedback,
        city.plat_staff,
        pending.id,
        {"done": "山田 太郎さんと面談", "support_status": "in_support", "subject": subject},
    )
    returned = attempt(db, send.send, city.staff, {**data, "idempotency_key": key()}).message
    attempt(db, approval.return_to_sender, manager, returned.id, "山田 太郎さんの件は保留")
    notice = share_data(None, [city.kaigo], subject="山田 太郎 勉強会")
    attempt(db, send.send, city.staff, notice)
    from city import Consents

    Consents(db, city).withdraw(consent)

    kinds = set(db.scalars(select(Notification.kind)))
    assert {
        NotificationKind.NEW_MESSAGE,
        NotificationKind.APPROVAL_NEEDED,
        NotificationKind.APPROVED,
        NotificationKind.RETURNED,
        NotificationKind.FEEDBACK_RECEIVED,
        NotificationKind.RECALLED,
    } <= kinds
    mails = db.scalars(select(OutboxMail)).all()
    assert {m.department_id for m in mails} >= {city.hokenryo.id, city.plat.id, city.nozei.id}
    assert all(m.body == mails[0].body and "1件" in m.body for m in mails)
    assert leaks(db, city.resident, subject, "山田", "ヤマダ", "0001000001", "面談") == []
