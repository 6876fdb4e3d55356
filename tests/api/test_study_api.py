"""勉強会 over the API: a manager defines a series (201 with Location), staff may not (403),
the next session's poll starts (201), its materials and its report are read as a member, the
attendance waits for the start (409), and the outsider is told nothing exists (404). Every
answer is checked against the OpenAPI document by the ``Api`` client."""

from __future__ import annotations

from hub.models import Role

SERIES = {
    "title": "徴収・福祉 合同勉強会",
    "first_month": "2027-01-01",
    "interval_months": 3,
    "week_of_month": 2,
    "weekday": 2,
    "start_time": "14:00",
    "duration_minutes": 90,
    "place": "第2庁舎 501会議室",
}


def test_a_series_and_its_session_over_the_api(api, make_user, make_department, token_for):
    nozei = make_department("納税課", code="nozei")
    plat = make_department("ぷらっとホーム世田谷", code="plat")
    other = make_department("国保年金課", code="kokuho")
    manager = api.as_(token_for(make_user(Role.MANAGER, department=nozei)))
    staff_user = make_user(department=nozei)
    staff = api.as_(token_for(staff_user))
    plat_staff = api.as_(token_for(make_user(department=plat)))
    outsider = api.as_(token_for(make_user(department=other)))
    body = {**SERIES, "department_ids": [nozei.id, plat.id]}

    refused = staff.post("/study-series", json=body)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_planner"
    one_dept = manager.post("/study-series", json={**body, "department_ids": [nozei.id]})
    assert (
        one_dept.status_code == 400 and "department_ids" in one_dept.get_json()["error"]["fields"]
    )

    created = manager.post("/study-series", json=body)
    assert created.status_code == 201
    series = created.get_json()
    assert created.headers["Location"].endswith(f"/study-series/{series['id']}")
    assert series["rhythm"] == "四半期ごと（3か月）・第2水曜日 14:00〜"
    assert [d["code"] for d in series["departments"]] == ["nozei", "plat"]
    assert [s["id"] for s in plat_staff.get("/study-series").get_json()["items"]] == [series["id"]]
    assert outsider.get("/study-series").get_json()["items"] == []
    assert outsider.get(f"/study-series/{series['id']}").status_code == 404

    started = manager.post(f"/study-series/{series['id']}/sessions")
    assert started.status_code == 201
    session = started.get_json()
    assert session["kind"] == "study" and session["series_id"] == series["id"]
    assert session["case_id"] is None and len(session["slots"]) == 3
    assert staff.post(f"/study-series/{series['id']}/sessions").status_code == 403

    materials = plat_staff.get(f"/meetings/{session['id']}/materials")
    assert materials.status_code == 200 and materials.get_json() == {"items": []}
    report = plat_staff.get(f"/meetings/{session['id']}/report").get_json()
    assert report["scope"] == "勉強会「徴収・福祉 合同勉強会」参加課"
    early = staff.request(
        "PUT", f"/meetings/{session['id']}/attendance", json={"user_ids": [staff_user.id]}
    )
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "not_scheduled"
    assert outsider.get(f"/meetings/{session['id']}/report").status_code == 404
