"""The study session screens through the test client on a fixed clock: a manager defines a
series, the job proposes the first session, the members answer, the host records attendance,
a material naming a resident is held back until confirmed, and the session's report opens as
a page, a PDF and a CSV."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import uploads_samples as samples
from sqlalchemy import select

from helpers import csrf_token, login, with_config
from hub.jp import TOKYO
from hub.meetings.models import Meeting, MeetingStatus, StudySeries
from hub.models import Role
from hub.scheduler import jobs


@pytest.fixture
def config(config):
    return with_config(config, fixed_now="2026-12-07T10:00")


def _client(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _run(db, job, name):
    run = jobs.execute(jobs.get(name), job(), trigger="test")
    assert run is not None and run.error == "", run.error
    db.expire_all()


def test_a_series_from_its_form_to_a_held_session_with_its_report(
    app, db, world, job, clock, make_user
):
    manager = make_user(Role.MANAGER, world.nozei, "nozei-mgr")
    world.staff.display_name, world.plat_staff.display_name = "納税 一郎", "支援 二郎"
    db.commit()
    mgr = _client(app, manager)
    form = mgr.get("/meetings/study/new")
    assert form.status_code == 200 and "開催のリズム" in form.get_data(as_text=True)
    token = csrf_token(mgr, "/account")
    refused = mgr.post(
        "/meetings/study/new",
        data={"csrf_token": token, "title": "", "department_ids": [str(world.nozei.id)]},
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "名称" in text and "参加する所管課を2つ以上選んでください。" in text
    created = mgr.post(
        "/meetings/study/new",
        data={
            "csrf_token": token,
            "title": "徴収・福祉 合同勉強会",
            "department_ids": [str(world.nozei.id), str(world.plat.id)],
            "interval_months": "3",
            "week_of_month": "2",
            "weekday": "2",
            "first_month": "2027-01",
            "start_time": "14:00",
            "duration_minutes": "90",
            "place": "第2庁舎 501会議室",
            "lead_days": "42",
        },
    )
    assert created.status_code == 302
    series = db.scalars(select(StudySeries)).one()
    page = mgr.get(created.headers["Location"]).get_data(as_text=True)
    assert "四半期ごと（3か月）・第2水曜日 14:00〜" in page and "当番 納税課" in page

    _run(db, job, "meetings")
    session = db.scalars(select(Meeting).where(Meeting.series_id == series.id)).one()
    # ぷらっとホーム's staff see the poll in their menu and answer it.
    plat = _client(app, world.plat_staff)
    dashboard = plat.get("/").get_data(as_text=True)
    assert "未回答1件" in dashboard
    show = plat.get(f"/meetings/{session.id}").get_data(as_text=True)
    assert "勉強会「徴収・福祉 合同勉強会」 第1回" in show and "当番課" in show
    assert "議事録" not in show and "ケースと議題" not in show
    slot_ids = [s.id for s in session.slots]
    for client, user in ((plat, world.plat_staff), (_client(app, world.staff), world.staff)):
        answers = {f"answer-{i}": "no" for i in slot_ids} | {f"answer-{slot_ids[0]}": "yes"}
        answered = client.post(
            f"/meetings/{session.id}/answer",
            data={**answers, "csrf_token": csrf_token(client, "/account")},
        )
        assert answered.status_code == 302, user
    _run(db, job, "meetings")
    session = db.get(Meeting, session.id)
    assert session.status == MeetingStatus.SCHEDULED

    # After the session the host (納税課) records attendance; ぷらっとホーム may not.
    after = (session.starts_at + timedelta(hours=2)).astimezone(TOKYO)
    app.extensions["tsunagu.config"] = with_config(
        app.extensions["tsunagu.config"], fixed_now=after.strftime("%Y-%m-%dT%H:%M")
    )
    nozei = _client(app, world.staff)
    held = nozei.get(f"/meetings/{session.id}").get_data(as_text=True)
    assert "出席を記録する" in held
    people = [str(world.staff.id), str(world.plat_staff.id)]
    token = csrf_token(nozei, "/account")
    assert (
        nozei.post(
            f"/meetings/{session.id}/attendance", data={"csrf_token": token, "user_ids": people}
        ).status_code
        == 302
    )
    assert (
        plat.post(
            f"/meetings/{session.id}/attendance",
            data={"csrf_token": csrf_token(plat, "/account"), "user_ids": people},
        ).status_code
        == 403
    )
    page = nozei.get(f"/meetings/{session.id}").get_data(as_text=True)
    attendance = page.split('id="st-attendance"')[1].split("<form")[0]
    assert "納税課</strong>：納税 一郎（1人）" in attendance
    assert "ぷらっとホーム世田谷</strong>：支援 二郎（1人）" in attendance

    # A material with a resident's name is held back with the warning, then confirmed.
    named = samples.docx("事例 世田谷 花子 様の分納")
    data = {"csrf_token": token, "title": "事例", "file": (io.BytesIO(named), "jirei.docx")}
    held_back = nozei.post(f"/meetings/{session.id}/materials", data=data)
    assert held_back.status_code == 409
    assert "住民の氏名と一致する文字列が1件" in held_back.get_data(as_text=True)
    assert "花子" not in held_back.get_data(as_text=True)  # the warning never names anyone
    data = {
        "csrf_token": token,
        "title": "事例",
        "confirm_no_resident": "1",
        "file": (io.BytesIO(named), "jirei.docx"),
    }
    assert nozei.post(f"/meetings/{session.id}/materials", data=data).status_code == 302
    session = db.get(Meeting, session.id)
    material = session.materials[0]
    download = plat.get(f"/meetings/{session.id}/materials/{material.id}")
    assert download.status_code == 200 and download.data == named

    # The report since the last session: page, PDF and CSV, for a participant.
    report = plat.get(f"/meetings/{session.id}/report")
    assert report.status_code == 200
    assert "勉強会「徴収・福祉 合同勉強会」参加課" in report.get_data(as_text=True)
    pdf = plat.get(f"/meetings/{session.id}/report?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    csv = plat.get(f"/meetings/{session.id}/report?format=csv")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    assert plat.get(f"/meetings/{session.id}/report?format=xls").status_code == 400
    # The outsider's department is not at the table.
    outsider = _client(app, world.kaigo_staff)
    assert outsider.get(f"/meetings/study/{series.id}").status_code == 404
    assert outsider.get(f"/meetings/{session.id}/report").status_code == 404
