"""Cases over the API: open, search, update and involve departments, isolated by department."""

from __future__ import annotations

from hub.models import Case, CaseDepartment, Resident


def test_open_a_case_by_atena_no_for_a_resident_another_department_registered(world, rows):
    before = rows(Case)
    body = {
        "atena_no": "０００１０００００１",
        "summary": "介護保険料の分納相談。生活状況の聞き取りを予定。",
    }
    # Others join a case later, within the resident's consent: not when it is opened.
    with_partner = world.as_("outsider").post(
        "/cases", {**body, "department_ids": [world.partner_id]}
    )
    assert with_partner.status_code == 400
    assert "関係所管の追加" in with_partner.get_json()["error"]["fields"]["department_ids"]
    assert rows(Case) == before
    response = world.as_("outsider").post("/cases", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert case["resident"]["id"] == world.resident_id
    assert case["lead_department"]["id"] == world.other_id
    assert case["is_lead"] is True
    assert case["summary"] == body["summary"]
    assert [d["id"] for d in case["departments"]] == [world.other_id]
    assert case["status"] == "open"
    assert case["closed_at"] is None
    assert response.headers["Location"] == f"/api/v1/cases/{case['id']}"
    assert rows(Case) == before + 1
    # The outsider now works a case of the resident, so it sees the resident too.
    assert world.as_("outsider").get(f"/residents/{world.resident_id}").status_code == 200
    assert world.as_("outsider").get(f"/cases/{world.case_id}").status_code == 404


def test_open_a_case_by_resident_id_needs_a_visible_resident(world, rows):
    before = rows(Case)
    hidden = world.as_("outsider").post("/cases", {"resident_id": world.resident_id})
    assert hidden.status_code == 404
    unknown = world.as_("staff").post("/cases", {"atena_no": "0009999999"})
    assert unknown.status_code == 400
    assert "登録されていません" in unknown.get_json()["error"]["fields"]["atena_no"]
    neither = world.as_("staff").post("/cases", {"summary": "宛名番号なし"})
    assert neither.status_code == 400
    assert "atena_no" in neither.get_json()["error"]["fields"]
    assert rows(Case) == before
    created = world.as_("staff").post("/cases", {"resident_id": world.resident_id})
    assert created.status_code == 201
    assert [d["id"] for d in created.get_json()["departments"]] == [world.dept_id]


def test_list_and_search_by_status_and_kana(world, make_case, make_resident):
    lead = world.departments["lead"]
    other_resident = make_resident("鈴木 一郎", "スズキ イチロウ", department=lead)
    closed = make_case(resident=other_resident, lead=lead)
    staff = world.as_("staff")
    assert staff.patch(f"/cases/{closed.id}", {"status": "closed"}).status_code == 200
    listed = staff.get("/cases").get_json()
    assert {c["id"] for c in listed["items"]} == {world.case_id, closed.id}
    only_closed = staff.get("/cases?status=closed").get_json()
    assert [c["id"] for c in only_closed["items"]] == [closed.id]
    found = staff.post("/cases/search", {"q": "ｽｽﾞｷ"}).get_json()
    assert [c["id"] for c in found["items"]] == [closed.id]
    open_suzuki = staff.post("/cases/search", {"q": "すずき", "status": "open"}).get_json()
    assert open_suzuki["total"] == 0
    bad_status = staff.get("/cases?status=deleted")
    assert bad_status.status_code == 400
    assert "status" in bad_status.get_json()["error"]["fields"]


def test_outsider_sees_no_case_in_lists_or_searches(world):
    outsider = world.as_("outsider")
    assert outsider.get("/cases").get_json()["total"] == 0
    for q in ("ﾔﾏﾀﾞ", world.atena_no, "山田"):
        assert outsider.post("/cases/search", {"q": q}).get_json()["items"] == []
    assert world.as_("partner").post("/cases/search", {"q": "ﾔﾏﾀﾞ"}).get_json()["total"] == 1


def test_outsider_gets_the_same_404_for_a_hidden_and_a_missing_case(world, rows):
    outsider = world.as_("outsider")
    hidden = outsider.get(f"/cases/{world.case_id}")
    missing = outsider.get("/cases/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()
    before = rows(CaseDepartment)
    assert outsider.patch(f"/cases/{world.case_id}", {"status": "closed"}).status_code == 404
    add_self = outsider.post(
        f"/cases/{world.case_id}/departments", {"department_ids": [world.other_id]}
    )
    assert add_self.status_code == 404
    assert rows(CaseDepartment) == before
    assert world.as_("staff").get(f"/cases/{world.case_id}").get_json()["status"] == "open"


def test_the_lead_works_the_case_and_a_department_on_it_only_reads_it(world, audited):
    manager = world.as_("manager")
    assert manager.get(f"/cases/{world.case_id}").get_json()["summary"] == "分納の相談"
    assert manager.patch(f"/cases/{world.case_id}", {"status": "monitoring"}).status_code == 200
    partner = world.as_("partner")
    seen = partner.get(f"/cases/{world.case_id}").get_json()
    assert seen["status"] == "monitoring"
    # The summary is the lead department's record: another department on the case sees none.
    assert seen["summary"] is None
    assert seen["is_lead"] is False
    refused = partner.patch(f"/cases/{world.case_id}", {"status": "closed", "summary": "x"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_owner"
    assert "主管課（納税課）" in refused.get_json()["error"]["message"]
    after = manager.get(f"/cases/{world.case_id}").get_json()
    assert (after["status"], after["summary"]) == ("monitoring", "分納の相談")
    assert [e.outcome for e in audited("case.update")][-1] == "denied"


def test_patch_status_and_summary(world, audited):
    staff = world.as_("staff")
    closed = staff.patch(f"/cases/{world.case_id}", {"status": "closed"}).get_json()
    assert closed["status"] == "closed"
    assert closed["closed_at"].endswith("Z")
    assert closed["summary"] == "分納の相談"
    summary = "生活再建の見込みあり（パターン②）。ぷらっとホームへつなぐ。"
    reopened = staff.patch(f"/cases/{world.case_id}", {"status": "open", "summary": summary})
    assert reopened.get_json()["closed_at"] is None
    assert reopened.get_json()["summary"] == summary
    assert [e.outcome for e in audited("case.update")] == ["allowed", "allowed"]
    bad = staff.patch(f"/cases/{world.case_id}", {"status": "done"})
    assert bad.status_code == 400
    assert bad.get_json()["error"]["fields"]["status"].startswith("状態の値が正しくありません")


def test_a_department_joins_only_within_the_consent(world, audited, rows, active_consent, db):
    outsider = world.as_("outsider")
    staff = world.as_("staff")
    path = f"/cases/{world.case_id}/departments"
    assert outsider.get(f"/cases/{world.case_id}").status_code == 404
    before = rows(CaseDepartment)
    refused = staff.post(path, {"department_ids": [world.other_id]})
    assert refused.status_code == 409
    message = refused.get_json()["error"]["message"]
    assert "納税課→介護保険課の情報の提供を認める有効な同意がありません" in message
    assert "必要な同意" in message
    assert rows(CaseDepartment) == before
    assert outsider.get(f"/cases/{world.case_id}").status_code == 404
    # A consent lets 納税課 give 介護保険課 the arrears: it may join now.
    resident = db.get(Resident, world.resident_id)
    lead, other = world.departments["lead"], world.departments["other"]
    active_consent(resident, lead, [(lead, other, ["arrears"])])
    response = staff.post(path, {"department_ids": [world.other_id]})
    assert response.status_code == 200
    assert world.other_id in [d["id"] for d in response.get_json()["departments"]]
    assert outsider.get(f"/cases/{world.case_id}").status_code == 200
    assert outsider.post("/cases/search", {"q": "ﾔﾏﾀﾞ"}).get_json()["total"] == 1
    (added,) = audited("case.department_added")
    assert added.reason == f"department {world.other_id}"
    twice = staff.post(path, {"department_ids": [world.other_id]})
    assert twice.status_code == 409
    assert "既にこのケースの関係所管です" in twice.get_json()["error"]["message"]
    empty = staff.post(path, {"department_ids": []})
    assert empty.status_code == 400
    assert empty.get_json()["error"]["fields"] == {
        "department_ids": "関係所管は1件以上で指定してください。"
    }
    unknown = staff.post(path, {"department_ids": [999999]})
    assert unknown.status_code == 400
    # Only the lead adds departments.
    by_partner = world.as_("partner").post(path, {"department_ids": [world.dept_id]})
    assert by_partner.status_code == 403
    assert rows(CaseDepartment) == before + 1
