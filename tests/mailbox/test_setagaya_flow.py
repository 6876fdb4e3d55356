"""The Setagaya flow (seed 000 別紙) end to end through the services.

納税課 (A) records a hearing sheet and the resident's consent covering 保険料収納課 (B, another
collection department) and ぷらっとホーム世田谷 (C, support), plus C → A for support status;
A shares some sections with B and C; C opens, acknowledges and sends feedback; A sees the
receipts. A send to 介護保険課 (D) outside the scope is refused and writes nothing. Withdrawal
and expiry recall the shares.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from mailkit import attempt, audit_count, leaks, row_counts, share_data
from sqlalchemy import select

from hub import audit, jp
from hub.documents.consent import services as consent_services
from hub.documents.consent.models import Consent
from hub.errors import Conflict
from hub.mailbox import checks, followups, inbox, read, send, sharing_requests
from hub.mailbox.models import (
    Delivery,
    DeliveryState,
    DocumentKind,
    MessageKind,
    Notification,
    NotificationKind,
)
from hub.models import CaseDepartment, Role


@pytest.fixture
def setagaya(db, city, consents, grant, sheet, make_user):
    """A's sheet and the consent: A→B, A→C (arrears, life situation, …), C→A support status."""
    city.plat_colleague = make_user(department=city.plat, login_id="plat02")
    city.nozei_manager = make_user(Role.MANAGER, department=city.nozei, login_id="nozei-mgr")
    saved = sheet()
    consent = consents.active(
        [
            grant(city.nozei, city.hokenryo, "arrears", "life_situation", "payment_plan"),
            grant(city.nozei, city.plat, "arrears", "life_situation", "household_budget"),
            grant(city.plat, city.nozei, "support_status", "private_debts"),
        ]
    )
    return saved, consent


def share_sections(db, city, sheet_version, recipients, **extra):
    data = share_data(
        city.case_id,
        recipients,
        subject="山田さんの滞納状況と生活状況",
        body="ご本人の同意を得て共有します。",
        sheet_version=sheet_version,
        sheet_categories=["arrears", "life_situation"],
        **extra,
    )
    return attempt(db, send.send, city.staff, data).message


def test_the_setagaya_flow_from_sheet_to_feedback(db, city, setagaya):
    saved, consent = setagaya
    due = jp.today() + timedelta(days=14)
    message = share_sections(
        db, city, saved.version, [city.hokenryo, city.plat], feedback_due=due.isoformat()
    )

    # The shared copy holds only the chosen sections, and carries only their categories.
    assert message.categories == ["arrears", "life_situation"]
    [document] = message.documents
    assert document.kind == DocumentKind.HEARING_SHEET
    assert set(document.content["sections"]) == {"arrears", "life_situation"}
    assert set(saved.data) >= {"household_budget", "private_debts", "payment_plan"}
    assert message.consent_ids == [consent.id]
    assert {d.department_id for d in message.deliveries} == {city.hokenryo.id, city.plat.id}

    # C opens: the first read is recorded (who, when); a colleague's later open does not change it.
    view = attempt(db, read.open_message, city.plat_staff, message.id)
    assert not view.is_recalled and not view.is_sender
    assert [d.id for d in view.documents] == [document.id]
    assert set(view.documents[0].content["sections"]) == {"arrears", "life_situation"}
    first_at = view.delivery.first_read_at
    assert view.delivery.first_read_by_id == city.plat_staff.id and first_at is not None
    again = attempt(db, read.open_message, city.plat_colleague, message.id)
    assert again.delivery.first_read_by_id == city.plat_staff.id
    assert again.delivery.first_read_at == first_at

    # C acknowledges (確認しました) and sends feedback back to A.
    acked = attempt(db, read.acknowledge, city.plat_staff, message.id)
    assert acked.acknowledged_by_id == city.plat_staff.id and acked.acknowledged_at is not None
    feedback = attempt(
        db,
        sharing_requests.send_feedback,
        city.plat_staff,
        message.id,
        {
            "done": "初回面談を実施し、家計改善支援につなぎました。",
            "support_status": "in_support",
            "next_steps": "来月再面談",
        },
    ).message
    assert feedback.kind == MessageKind.FEEDBACK
    assert feedback.case_id == city.case_id and feedback.parent_id == message.id
    assert feedback.categories == ["support_status"]
    assert [d.department_id for d in feedback.deliveries] == [city.nozei.id]

    # A sees the receipts per recipient: C opened (by whom), acknowledged, feedback received;
    # B delivered but not opened.
    db.expire_all()
    sender_view = attempt(db, read.open_message, city.staff, message.id)
    assert sender_view.is_sender and sender_view.documents
    receipts = {d.department_id: d for d in sender_view.message.deliveries}
    plat, hokenryo = receipts[city.plat.id], receipts[city.hokenryo.id]
    assert plat.first_read_by_id == city.plat_staff.id
    assert plat.acknowledged_by_id == city.plat_staff.id
    assert plat.feedback_message_id == feedback.id and plat.feedback_received_at is not None
    assert hokenryo.state == DeliveryState.DELIVERED
    assert hokenryo.first_read_at is None and hokenryo.acknowledged_at is None
    assert hokenryo.feedback_received_at is None

    # C no longer owes it; A still waits for B only.
    assert followups.owed(db, city.plat_staff) == []
    assert [d.department_id for d in followups.open_requests(db, city.staff)] == [city.hokenryo.id]
    kinds = set(db.scalars(select(Notification.kind).where(Notification.user_id == city.staff.id)))
    assert NotificationKind.FEEDBACK_RECEIVED in kinds

    # The feedback is in A's inbox (unread, first) and on the case timeline both ways.
    page = inbox.inbox(db, city.staff)
    assert [d.message_id for d in page.rows] == [feedback.id]
    assert page.rows[0].read_rank == 0
    opened = attempt(db, read.open_message, city.staff, feedback.id)
    content = opened.documents[0].content
    assert content["support_status"] == "in_support" and "家計改善" in content["done"]
    timeline = inbox.timeline(db, city.staff, city.case_id)
    assert [(m.id, d is None) for m, d in timeline] == [(message.id, True), (feedback.id, False)]
    # The recipients became involved in the case, and nothing personal left in a notice/mail.
    assert leaks(db, city.resident, message.subject, feedback.subject) == []


def test_a_send_outside_the_scope_is_refused_and_writes_nothing(db, city, setagaya):
    saved, _consent = setagaya
    before = row_counts(db)
    denied_before = audit_count(db, outcome=audit.DENIED)
    with pytest.raises(checks.SendRefused) as refused:
        share_sections(db, city, saved.version, [city.hokenryo, city.plat, city.kaigo])
    error = refused.value
    assert error.status == 409
    # The reason names D and each category it lacks; B and C are fine and not listed.
    assert {m["department_id"] for m in error.missing} == {city.kaigo.id}
    assert {m["category"] for m in error.missing} == {"arrears", "life_situation"}
    for miss in error.missing:
        assert "介護保険課" in miss["reason"]
        assert miss["category_label"] in miss["reason"]
        assert miss["needed"].startswith("納税課→介護保険課")
    assert "介護保険課" in str(error) and "滞納状況" in str(error)
    assert "どの宛先にも送っていません" in str(error)

    # Nothing at all was written for the send: no message, delivery, notification, mail,
    # case involvement; but the denied checks are in the audit trail after the rollback.
    db.expire_all()
    assert row_counts(db) == before
    assert audit_count(db, outcome=audit.DENIED) >= denied_before + 1
    assert (
        db.scalar(
            select(CaseDepartment).where(
                CaseDepartment.case_id == city.case_id,
                CaseDepartment.department_id == city.kaigo.id,
            )
        )
        is None
    )
    assert inbox.inbox(db, city.outsider).rows == []
    assert inbox.inbox(db, city.hokenryo_staff).rows == []


def recalled_everywhere(db, city, message, feedback, *, reason_word, day):
    """B and C see tombstones; A keeps its copy and is notified; documents answer 409."""
    db.expire_all()
    for user in (city.hokenryo_staff, city.plat_staff):
        view = attempt(db, read.open_message, user, message.id, today=day)
        assert view.is_recalled and view.documents == []
        assert reason_word in view.tombstone and jp.wareki(view.delivery.recalled_on) in (
            view.tombstone
        )
        assert view.delivery.state == DeliveryState.RECALLED
        with pytest.raises(Conflict) as err:
            attempt(db, read.open_document, user, message.id, message.documents[0].id, today=day)
        assert err.value.status == 409 and err.value.code == "recalled"
        # A recalled delivery sorts after read and unread ones and matches the filter.
        page = inbox.inbox(db, user, inbox.InboxFilter(recalled=True), today=day)
        assert message.id in [d.message_id for d in page.rows]
    own = attempt(db, read.open_message, city.staff, message.id, today=day)
    assert own.is_sender and not own.is_recalled
    assert own.documents[0].content["sections"]
    recalls = db.scalars(
        select(Notification).where(
            Notification.user_id == city.staff.id, Notification.kind == NotificationKind.RECALLED
        )
    ).all()
    assert message.id in {n.message_id for n in recalls}
    # The feedback C sent to A under the same consent is recalled too: C keeps its copy.
    if feedback is not None:
        fb = attempt(db, read.open_message, city.staff, feedback.id, today=day)
        assert fb.is_recalled and fb.documents == []
        mine = attempt(db, read.open_message, city.plat_staff, feedback.id, today=day)
        assert mine.is_sender and mine.documents
    assert leaks(db, city.resident, message.subject) == []


def test_withdrawal_recalls_the_shares_from_b_and_c(db, city, setagaya, consents):
    saved, consent = setagaya
    message = share_sections(db, city, saved.version, [city.hokenryo, city.plat])
    attempt(db, read.open_message, city.plat_staff, message.id)
    feedback = attempt(
        db,
        sharing_requests.send_feedback,
        city.plat_staff,
        message.id,
        {"done": "面談済み", "support_status": "in_support"},
    ).message
    consents.withdraw(consent)
    recalled = db.scalars(
        select(Delivery).where(Delivery.message_id == message.id).order_by(Delivery.id)
    ).all()
    assert {d.state for d in recalled} == {DeliveryState.RECALLED}
    assert all(d.recalled_on == jp.today() for d in recalled)
    assert all("撤回" in d.recall_reason for d in recalled)
    recalled_everywhere(db, city, message, feedback, reason_word="撤回", day=jp.today())


def test_expiry_recalls_the_shares_like_a_withdrawal(db, city, consents, grant, sheet):
    saved = sheet()
    last_day = jp.today() + timedelta(days=3)
    consent = consents.active(
        [
            grant(city.nozei, city.hokenryo, "arrears", "life_situation"),
            grant(city.nozei, city.plat, "arrears", "life_situation"),
        ],
        valid_until=last_day,
    )
    message = share_sections(db, city, saved.version, [city.hokenryo, city.plat])
    # On its last day the consent still covers the share.
    on_last_day = attempt(db, read.open_message, city.hokenryo_staff, message.id, today=last_day)
    assert not on_last_day.is_recalled and on_last_day.documents

    day_after = last_day + timedelta(days=1)
    expired = consent_services.expire_due(db, day_after)
    db.commit()
    assert expired == [consent.id]
    deliveries = db.scalars(select(Delivery).where(Delivery.message_id == message.id)).all()
    assert {d.state for d in deliveries} == {DeliveryState.RECALLED}
    assert {d.recalled_on for d in deliveries} == {day_after}
    assert all("有効期限" in d.recall_reason for d in deliveries)
    recalled_everywhere(db, city, message, None, reason_word="有効期限", day=day_after)


def test_a_share_still_covered_by_a_second_consent_is_recalled_when_that_one_ends(
    db, city, consents, grant, sheet
):
    """Withdrawing the consent a share was sent under keeps it while another consent covers
    it; when that other consent expires later, the share is recalled then (not only when a
    recipient happens to open it), and the sender is told."""
    saved = sheet()
    short_end = jp.today() + timedelta(days=2)
    consents.active([grant(city.nozei, city.plat, "arrears", "life_situation")])  # long
    consents.active(
        [grant(city.nozei, city.plat, "arrears", "life_situation")], valid_until=short_end
    )
    message = share_sections(db, city, saved.version, [city.plat])
    [long_one] = message.consent_ids  # the gate records the one valid the longest
    consents.withdraw(db.get(Consent, long_one))
    [delivery] = db.scalars(select(Delivery).where(Delivery.message_id == message.id)).all()
    assert delivery.state == DeliveryState.DELIVERED  # the short consent still covers it

    day_after = short_end + timedelta(days=1)
    consent_services.expire_due(db, day_after)
    db.commit()
    db.expire_all()
    delivery = db.get(Delivery, delivery.id)
    assert delivery.state == DeliveryState.RECALLED and delivery.recalled_on == day_after
    recalls = db.scalars(
        select(Notification.message_id).where(
            Notification.user_id == city.staff.id, Notification.kind == NotificationKind.RECALLED
        )
    ).all()
    assert recalls == [message.id]
    page = inbox.inbox(db, city.plat_staff, inbox.InboxFilter(recalled=True), today=day_after)
    assert [d.message_id for d in page.rows] == [message.id]
