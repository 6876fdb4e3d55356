"""The conference screens and the API through the test client, on a fixed clock (Monday
7 December 2026, 10:00): propose, answer side by side, the job decides, the calendar and the
.ics, the dashboard tile; refusals said in Japanese; the same flow over the API."""

from __future__ import annotations

from datetime import datetime

import pytest
from icalendar import Calendar
from meetkit import MONDAY
from sqlalchemy import select

from helpers import csrf_token, login, with_config
from hub import jp
from hub.auth.services import create_token
from hub.documents.consent import services as consents
from hub.jp import TOKYO
from hub.meetings import jobs as meeting_jobs
from hub.meetings import services
from hub.meetings.models import Meeting, MeetingStatus
from hub.scheduler import jobs


@pytest.fixture
def config(config):
    return with_config(config, fixed_now="2026-12-07T10:00")


def _client(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


FORM = {
    "agenda": ["arrears", "life_situation"],
    "slot": ["2026-12-08T10:00", "2026-12-09T10:00", "2026-12-10T14:00"],
    "duration_minutes": "60",
    "answer_deadline": "2026-12-07T17:00",
    "purpose": "生活再建に向けた支援方針の確認",
    "place": "第3会議室",
}


def test_propose_answer_decide_and_see_it_on_the_calendar(app, db, met, job):
    nozei = _client(app, met.staff)
    page = nozei.get(f"/cases/{met.case.id}/meetings/new")
    assert page.status_code == 200 and "ケース会議の提案" in page.get_data(as_text=True)
    assert 'value="2026-12-08T10:00"' in page.get_data(as_text=True)  # a suggested slot
    # Before trying, the form says what the consent lets 納税課 tell each department.
    assert "同意で伝えられる区分: 滞納状況、生活状況（共通目安の判断を含む）" in page.get_data(
        as_text=True
    )
    assert "今日有効な同意がありません" in page.get_data(as_text=True)  # 介護保険課
    data = {
        **FORM,
        "department_ids": [str(met.plat.id)],
        "csrf_token": csrf_token(nozei, "/account"),
    }
    sent = nozei.post(f"/cases/{met.case.id}/meetings/new", data=data)
    assert sent.status_code == 302
    meeting = db.scalar(select(Meeting))
    url = f"/meetings/{meeting.id}"
    assert sent.headers["Location"] == url

    plat = _client(app, met.plat_staff)
    shown = plat.get(url).get_data(as_text=True)
    assert "生活再建に向けた支援方針の確認" in shown  # within the consent
    assert "未回答" in shown
    slot_ids = [s.id for s in db.get(Meeting, meeting.id).slots]
    answers = dict(zip([f"answer-{i}" for i in slot_ids], ["no", "yes", "maybe"], strict=True))
    answered = plat.post(f"{url}/answer", data={**answers, "csrf_token": csrf_token(plat, url)})
    assert answered.status_code == 302
    grid = nozei.get(url).get_data(as_text=True)
    assert grid.count("○") >= 4 and "×" in grid and "△" in grid  # side by side, with totals

    kaigo = _client(app, met.kaigo_staff)
    assert kaigo.get(url).status_code == 404

    run = jobs.execute(jobs.get("meetings"), job(), trigger="test")
    assert run is not None and run.rows == 1
    db.expire_all()
    assert db.get(Meeting, meeting.id).status == MeetingStatus.SCHEDULED
    week = plat.get("/meetings?day=2026-12-09").get_data(as_text=True)
    assert f'href="{url}"' in week and f"{url}/calendar.ics" in week
    month = plat.get("/meetings?view=month&day=2026-12-01").get_data(as_text=True)
    assert f'href="{url}"' in month
    ics = plat.get(f"{url}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    event = next(iter(Calendar.from_ical(ics.get_data(as_text=True)).walk("VEVENT")))
    assert "ケース会議" in str(event["SUMMARY"]) and met.case.resident.name not in ics.get_data(
        as_text=True
    )
    home = plat.get("/").get_data(as_text=True)
    assert "今後の会議・勉強会" in home and "未回答の日程調整" in home
    assert meeting_jobs.pending(db, run.finished_at) == 0


def test_a_refused_proposal_says_why_in_japanese(app, db, world):
    nozei = _client(app, world.staff)
    data = {
        **FORM,
        "department_ids": [str(world.plat.id)],
        "csrf_token": csrf_token(nozei, "/account"),
    }
    refused = nozei.post(f"/cases/{world.case.id}/meetings/new", data=data)
    assert refused.status_code == 409
    assert "共通目安" in refused.get_data(as_text=True)


def test_an_answer_missing_a_slot_is_refused_on_the_page(app, db, met):
    nozei = _client(app, met.staff)
    data = {
        **FORM,
        "department_ids": [str(met.plat.id)],
        "csrf_token": csrf_token(nozei, "/account"),
    }
    url = nozei.post(f"/cases/{met.case.id}/meetings/new", data=data).headers["Location"]
    plat = _client(app, met.plat_staff)
    refused = plat.post(f"{url}/answer", data={"csrf_token": csrf_token(plat, url)})
    assert refused.status_code == 400
    assert "すべての候補日時" in refused.get_data(as_text=True)


def test_the_api_proposes_answers_chooses_moves_and_cancels(app, db, met):
    nozei = {"Authorization": f"Bearer {create_token(db, met.staff, 't')[1]}"}
    plat = {"Authorization": f"Bearer {create_token(db, met.plat_staff, 't')[1]}"}
    kaigo = {"Authorization": f"Bearer {create_token(db, met.kaigo_staff, 't')[1]}"}
    db.commit()
    client = app.test_client()
    body = {
        "department_ids": [met.plat.id],
        "agenda": ["arrears", "life_situation"],
        "slots": [f"2026-12-{d}T10:00:00+09:00" for d in ("08", "09", "10")],
        "answer_deadline": "2026-12-07T17:00:00+09:00",
        "purpose": "支援方針の確認",
    }
    made = client.post(f"/api/v1/cases/{met.case.id}/meetings", json=body, headers=nozei)
    assert made.status_code == 201, made.get_json()
    meeting = made.get_json()
    assert meeting["status"] == "polling" and meeting["purpose"] == "支援方針の確認"
    base = f"/api/v1/meetings/{meeting['id']}"
    answers = [
        {"slot_id": s["id"], "answer": a}
        for s, a in zip(meeting["slots"], ["maybe", "yes", "no"], strict=True)
    ]
    shown = client.put(f"{base}/answers", json={"answers": answers}, headers=plat).get_json()
    assert shown["answer_owed"] is False and shown["slots"][1]["yes"] == 2
    assert client.get(base, headers=kaigo).status_code == 404
    listed = client.get("/api/v1/meetings", headers=plat).get_json()
    assert [m["id"] for m in listed["items"]] == [meeting["id"]]
    chosen = client.post(
        f"{base}/choice", json={"slot_id": meeting["slots"][1]["id"]}, headers=nozei
    )
    assert chosen.get_json()["status"] == "scheduled"
    assert (
        client.post(
            f"{base}/choice", json={"slot_id": meeting["slots"][0]["id"]}, headers=plat
        ).status_code
        == 403
    )
    moved = client.post(
        f"{base}/move", json={"starts_at": "2026-12-14T14:00:00+09:00"}, headers=nozei
    )
    assert moved.get_json()["sequence"] == 1
    cancelled = client.post(f"{base}/cancel", headers=nozei)
    assert cancelled.get_json()["status"] == "cancelled"
    # A department the consent does not cover: refused with what is missing.
    refused = client.post(
        f"/api/v1/cases/{met.case.id}/meetings",
        json={**body, "department_ids": [met.kaigo.id]},
        headers=nozei,
    )
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "consent_missing" and "介護保険課" in error["message"]


def test_minutes_from_the_page_reach_the_owner_and_print(app, db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)
    # Held this morning (the fixed clock is Monday 10:00).
    meeting.starts_at = datetime(2026, 12, 7, 9, 0, tzinfo=TOKYO)
    meeting.ends_at = datetime(2026, 12, 7, 9, 45, tzinfo=TOKYO)
    db.commit()
    url = f"/meetings/{meeting.id}"
    nozei = _client(app, met.staff)
    assert 'name="attendees"' in nozei.get(url).get_data(as_text=True)
    form = {
        "attendees": "納税課 山田\nぷらっとホーム世田谷 佐藤",
        "shared": "生活状況を共有",
        "policy_pattern": "2",
        "claim-0": "特別区民税",
        "decision-0": "payment_plan",
        "action-0": "家計の見直しを支援する",
        "owner-0": str(met.plat.id),
        "due-0": "2026-12-21",
        "csrf_token": csrf_token(nozei, url),
    }
    assert nozei.post(f"{url}/minutes", data=form).status_code == 302
    plat = _client(app, met.plat_staff)
    assert "家計の見直しを支援する" in plat.get(url).get_data(as_text=True)
    owed = plat.get("/mailbox/followups").get_data(as_text=True)
    assert "ケース会議（ケース" in owed
    pdf = plat.get(f"{url}/minutes")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    word = plat.get(f"{url}/minutes?format=docx")
    assert word.data.startswith(b"PK")
    assert _client(app, met.kaigo_staff).get(f"{url}/minutes").status_code == 404


def test_the_api_records_minutes_and_shows_them_within_the_consent(app, db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)
    meeting.starts_at = datetime(2026, 12, 7, 9, 0, tzinfo=TOKYO)
    meeting.ends_at = datetime(2026, 12, 7, 9, 45, tzinfo=TOKYO)
    nozei = {"Authorization": f"Bearer {create_token(db, met.staff, 't')[1]}"}
    plat = {"Authorization": f"Bearer {create_token(db, met.plat_staff, 't')[1]}"}
    db.commit()
    body = {
        "attendees": ["納税課 山田"],
        "policy_pattern": 1,
        "claims": [{"claim": "特別区民税", "decision": "suspension"}],
        "actions": [
            {"what": "支援の開始を連絡", "owner_department_id": met.plat.id, "due_on": "2026-12-21"}
        ],
    }
    client = app.test_client()
    url = f"/api/v1/meetings/{meeting.id}/minutes"
    assert client.post(url, json=body, headers=plat).status_code == 403
    recorded = client.post(url, json=body, headers=nozei)
    assert recorded.status_code == 200, recorded.get_json()
    seen = client.get(f"/api/v1/meetings/{meeting.id}", headers=plat).get_json()
    action = seen["minutes"]["actions"][0]
    assert action["owner"]["id"] == met.plat.id and action["message_id"]
    assert client.post(url, json=body, headers=nozei).status_code == 409  # once


def test_a_tie_a_withdrawal_and_a_cancel_show_on_the_page(app, db, met):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.close_poll(db, meeting, MONDAY)  # only the organiser answered: a tie of three
    db.commit()
    url = f"/meetings/{meeting.id}"
    nozei = _client(app, met.staff)
    page = nozei.get(url).get_data(as_text=True)
    assert "回答が同数のため選んでください" in page
    consents.withdraw(
        db,
        met.staff,
        met.case.resident_id,
        met.consent_id,
        {"withdrawn_on": jp.today().isoformat(), "method": "written", "reason": "本人の申出"},
    )
    db.commit()
    plat = _client(app, met.plat_staff)
    withheld = plat.get(url).get_data(as_text=True)
    assert "本人の同意の範囲外" in withheld and "生活再建に向けた" not in withheld
    assert "会議の目的" not in withheld
    cancel = {"confirm": "1", "csrf_token": csrf_token(nozei, url)}
    assert nozei.post(f"{url}/cancel", data=cancel).status_code == 302
    assert "中止" in plat.get(url).get_data(as_text=True)
    told = plat.get("/mailbox/notifications").get_data(as_text=True)
    assert "中止になりました" in told
