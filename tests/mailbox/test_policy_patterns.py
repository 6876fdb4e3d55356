"""The three policies of seed 000 ⑺ (徴収可否の判断・今後の方針) as service-level scenarios.

① 生活再建に時間を要する: refer to support; the decision and 執行停止 go to support and the
  other collection departments.
② 生活再建の見込みあり: refer to support; support's feedback on private-debt payments comes
  back, and the collection departments share payment plans for a joint plan.
③ the resident does not want referral: consent only among collection departments.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from mailkit import attempt, household, leaks, row_counts, share_data
from sqlalchemy import select

from hub import jp
from hub.cases import services as cases
from hub.documents.hearing import services as hearing
from hub.errors import Forbidden
from hub.mailbox import checks, compose, followups, inbox, read, send, sharing_requests
from hub.mailbox.models import DocumentKind, MessageKind, Notification, NotificationKind
from hub.models import Case


def policy_share(city, recipients, pattern, *, stop=False, note="", **extra):
    return share_data(
        city.case_id,
        recipients,
        subject=f"今後の方針（パターン{pattern}）",
        policy={"pattern": pattern, "stop_execution": stop, "note": note},
        **extra,
    )


def opened_policy(db, user, message_id):
    view = attempt(db, read.open_message, user, message_id)
    assert not view.is_recalled
    [policy] = [d for d in view.documents if d.kind == DocumentKind.POLICY]
    return view, policy


def test_pattern_1_decision_and_stop_of_execution_go_to_support_and_collection(
    db, city, consents, grant
):
    consents.active(
        [
            grant(city.nozei, city.plat, "collection_decision", "life_situation"),
            grant(city.nozei, city.hokenryo, "collection_decision"),
        ]
    )
    data = policy_share(
        city,
        [city.plat, city.hokenryo],
        "1",
        stop=True,
        note="滞納繰越分は執行停止とし、生活再建を優先する",
    )
    message = attempt(db, send.send, city.staff, data).message
    assert message.categories == ["collection_decision"]
    for user in (city.plat_staff, city.hokenryo_staff):
        _view, policy = opened_policy(db, user, message.id)
        assert policy.content["pattern"] == "1" and policy.content["stop_execution"] is True
        assert "執行停止" in policy.content["label"] and "執行停止" in policy.content["note"]
        assert policy.categories == ["collection_decision"]
        assert policy.sha256 == compose.digest(policy.content)
    # 介護保険課 is not in the consent: the decision cannot go there, nor anything else.
    before = row_counts(db)
    with pytest.raises(checks.SendRefused) as err:
        attempt(db, send.send, city.staff, policy_share(city, [city.kaigo], "1", stop=True))
    assert [m["category"] for m in err.value.missing] == ["collection_decision"]
    assert "徴収" in err.value.missing[0]["category_label"]
    assert row_counts(db) == before


def test_pattern_1_needs_the_decision_in_the_consent(db, city, consents, grant):
    # The consent lets 納税課 tell support about the life situation only, not the decision.
    consents.active([grant(city.nozei, city.plat, "life_situation")])
    with pytest.raises(checks.SendRefused) as err:
        attempt(db, send.send, city.staff, policy_share(city, [city.plat], "1", stop=True))
    assert {m["category"] for m in err.value.missing} == {"collection_decision"}
    assert inbox.inbox(db, city.plat_staff).rows == []


def test_a_bad_policy_is_a_400(db, city, consents, grant):
    consents.active([grant(city.nozei, city.plat, "collection_decision")])
    for bad in ({"pattern": "4"}, {"pattern": ""}, "①", {"pattern": "1", "note": "x" * 2001}):
        data = share_data(city.case_id, [city.plat], subject="方針", policy=bad)
        with pytest.raises(send.InvalidInput) as err:
            attempt(db, send.send, city.staff, data)
        assert "policy" in err.value.fields


def test_pattern_2_support_feedback_on_private_debts_feeds_a_joint_payment_plan(
    db, city, consents, grant, sheet, claims
):
    saved = sheet()
    consents.active(
        [
            grant(
                city.nozei,
                city.plat,
                "arrears",
                "household_budget",
                "private_debts",
                "collection_decision",
            ),
            grant(city.plat, city.nozei, "support_status", "private_debts"),
            grant(city.nozei, city.hokenryo, "arrears", "payment_plan", "collection_decision"),
            grant(city.hokenryo, city.nozei, "arrears", "payment_plan"),
        ]
    )
    due = jp.today() + timedelta(days=14)
    referral = attempt(
        db,
        send.send,
        city.staff,
        policy_share(
            city,
            [city.plat],
            "2",
            note="民間債務の返済状況を確認のうえ納付計画を立てたい",
            sheet_version=saved.version,
            sheet_categories=["arrears", "household_budget", "private_debts"],
            feedback_due=due.isoformat(),
        ),
    ).message
    assert referral.categories == [
        "arrears",
        "household_budget",
        "private_debts",
        "collection_decision",
    ]
    assert [d.feedback_due for d in referral.deliveries] == [due]
    assert [d.message_id for d in followups.owed(db, city.plat_staff)] == [referral.id]
    _view, policy = opened_policy(db, city.plat_staff, referral.id)
    assert policy.content["pattern"] == "2"

    # Support's feedback: private-debt payments are in arrangement → carries private_debts.
    feedback = attempt(
        db,
        sharing_requests.send_feedback,
        city.plat_staff,
        referral.id,
        {
            "done": "家計改善支援で収支を整理し、消費者金融と返済額の調整を始めた",
            "support_status": "in_support",
            "debt_status": "arranging",
            "debt_note": "A社: 月18,000円 → 月8,000円で交渉中",
            "next_steps": "調整後の返済額で納付計画を相談したい",
        },
    ).message
    assert feedback.categories == ["private_debts", "support_status"]
    assert followups.owed(db, city.plat_staff) == []
    opened = attempt(db, read.open_message, city.staff, feedback.id)
    content = opened.documents[0].content
    assert content["debt_status"] == "arranging" and "8,000円" in content["debt_note"]

    # The collection departments now make a joint payment plan: 保険料収納課 keeps its plan on
    # its own case of the resident (the sheet of 納税課's case is 納税課's record) and the two
    # share payment plans with each other.
    own = attempt(db, cases.open_case, city.hokenryo_staff, {"atena_no": city.resident.atena_no})
    joint = household(claims)
    joint["payment_plan"]["items"][0]["monthly"] = "3,000"
    plan = attempt(db, hearing.save, city.hokenryo_staff, own.id, joint)
    assert plan.version == 1 and plan.case_id == own.id
    with pytest.raises(Forbidden):  # not on 納税課's case
        attempt(db, hearing.save, city.hokenryo_staff, city.case_id, joint, based_on=1)
    theirs = attempt(
        db,
        send.send,
        city.hokenryo_staff,
        share_data(
            own.id,
            [city.nozei],
            subject="国保料の納付計画（案）",
            sheet_version=plan.version,
            sheet_categories=["payment_plan"],
        ),
    ).message
    ours = attempt(
        db,
        send.send,
        city.staff,
        share_data(
            city.case_id,
            [city.hokenryo],
            subject="納付計画（納税課）",
            sheet_version=saved.version,
            sheet_categories=["payment_plan"],
            policy={"pattern": "2", "note": "民間債務の調整後の額で両課の計画を合わせる"},
        ),
    ).message
    assert (theirs.case_id, ours.case_id) == (own.id, city.case_id)
    for user, message in ((city.staff, theirs), (city.hokenryo_staff, ours)):
        view = attempt(db, read.open_message, user, message.id)
        sheets = [d for d in view.documents if d.kind == DocumentKind.HEARING_SHEET]
        assert [set(d.content["sections"]) for d in sheets] == [{"payment_plan"}]
    # Support is not part of the collection departments' plan exchange.
    assert [d.message_id for d in inbox.inbox(db, city.plat_staff).rows] == [referral.id]
    # Nothing about the payment plan may go to support: the consent does not cover it.
    with pytest.raises(checks.SendRefused):
        attempt(
            db,
            send.send,
            city.staff,
            share_data(
                city.case_id,
                [city.plat],
                subject="納付計画",
                sheet_version=saved.version,
                sheet_categories=["payment_plan"],
            ),
        )
    assert leaks(db, city.resident, referral.subject, feedback.subject) == []


def test_pattern_2_feedback_on_private_debts_needs_consent_back(db, city, consents, grant):
    consents.active(
        [
            grant(city.nozei, city.plat, "collection_decision"),
            grant(city.plat, city.nozei, "support_status"),  # not private_debts
        ]
    )
    referral = attempt(db, send.send, city.staff, policy_share(city, [city.plat], "2")).message
    before = row_counts(db)
    with pytest.raises(checks.SendRefused) as err:
        attempt(
            db,
            sharing_requests.send_feedback,
            city.plat_staff,
            referral.id,
            {"done": "面談", "support_status": "in_support", "debt_status": "paying"},
        )
    assert [m["category"] for m in err.value.missing] == ["private_debts"]
    assert "ぷらっとホーム世田谷→納税課" in err.value.missing[0]["needed"]
    assert row_counts(db) == before
    # Without the debt status the feedback carries support status only and goes back.
    feedback = attempt(
        db,
        sharing_requests.send_feedback,
        city.plat_staff,
        referral.id,
        {"done": "面談", "support_status": "in_support", "debt_status": "none"},
    ).message
    assert feedback.categories == ["support_status"]
    told = db.scalars(select(Notification.kind).where(Notification.user_id == city.staff.id)).all()
    assert NotificationKind.FEEDBACK_RECEIVED in told


def test_pattern_3_no_referral_only_collection_departments_share(db, city, consents, grant, sheet):
    saved = sheet()
    consents.active(
        [
            grant(city.nozei, city.hokenryo, "arrears", "payment_plan", "collection_decision"),
            grant(city.hokenryo, city.nozei, "arrears", "payment_plan", "collection_decision"),
        ],
        purposes=("公債権所管間での納付計画の調整",),
    )
    case = db.get(Case, city.case_id)
    options = {
        o.department.id: o for o in checks.recipient_options(db, city.staff, case, ["payment_plan"])
    }
    assert options[city.hokenryo.id].allowed
    assert not options[city.plat.id].allowed
    assert "ぷらっとホーム世田谷" in options[city.plat.id].reasons[0]

    # Sharing with support is refused, whatever is carried.
    for extra in (
        {"policy": {"pattern": "3"}},
        {"sheet_version": saved.version, "sheet_categories": ["payment_plan"]},
        {"body": "ご本人は支援を希望されていません"},
    ):
        before = row_counts(db)
        with pytest.raises(checks.SendRefused) as err:
            attempt(
                db,
                send.send,
                city.staff,
                share_data(city.case_id, [city.plat, city.hokenryo], subject="方針", **extra),
            )
        assert {m["department_id"] for m in err.value.missing} == {city.plat.id}
        assert row_counts(db) == before
    # Among the collection departments it goes through, both ways.
    ours = attempt(
        db,
        send.send,
        city.staff,
        policy_share(
            city,
            [city.hokenryo],
            "3",
            note="両課で納付計画を調整する",
            sheet_version=saved.version,
            sheet_categories=["arrears", "payment_plan"],
        ),
    ).message
    _view, policy = opened_policy(db, city.hokenryo_staff, ours.id)
    assert policy.content["pattern"] == "3" and policy.content["stop_execution"] is False
    answer = attempt(
        db,
        send.send,
        city.hokenryo_staff,
        {
            "kind": "share",
            "parent_id": ours.id,
            "subject": "Re: 方針",
            "body": "国保料は月5,000円で調整します",
            "body_categories": ["payment_plan"],
            "idempotency_key": "pattern3-answer",
        },
    ).message
    assert [d.department_id for d in answer.deliveries] == [city.nozei.id]
    assert answer.kind == MessageKind.SHARE
    # Support never received anything about the resident.
    assert inbox.inbox(db, city.plat_staff).rows == []
    assert inbox.timeline(db, city.staff, city.case_id)[-1][0].id == answer.id
