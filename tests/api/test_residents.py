"""Residents over the API: Japanese text, kana search, department isolation, partial updates."""

from __future__ import annotations

import json

from hub.models import Resident


def _search(client, q: str, **extra) -> dict:
    response = client.post("/residents/search", {"q": q, **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_half_width_kana_hiragana_and_digits_find_the_resident(world):
    staff = world.as_("staff")
    for q in ("ﾔﾏﾀﾞ", "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ", "ヤマダタロウ", "山田", "０００１０", "0001000001"):
        body = _search(staff, q)
        assert [r["atena_no"] for r in body["items"]] == [world.atena_no], q
    assert _search(staff, "ｽｽﾞｷ")["total"] == 0


def test_search_is_audited_without_the_term(world, audited):
    _search(world.as_("staff"), "ﾔﾏﾀﾞ")
    (event,) = audited("resident.search")
    assert event.outcome == "allowed"
    assert "ﾔﾏﾀﾞ" not in event.reason
    assert "ヤマダ" not in event.reason


def test_outsider_search_and_list_leak_nothing(world):
    outsider = world.as_("outsider")
    for q in ("ﾔﾏﾀﾞ", "山田 太郎", world.atena_no, ""):
        assert _search(outsider, q) == {
            "items": [],
            "page": 1,
            "pages": 1,
            "per_page": 20,
            "total": 0,
        }
    assert outsider.get("/residents").get_json()["total"] == 0
    assert world.as_("partner").get("/residents").get_json()["total"] == 1  # involved


def test_outsider_gets_the_same_404_for_a_hidden_and_a_missing_resident(world):
    hidden = world.as_("outsider").get(f"/residents/{world.resident_id}")
    missing = world.as_("outsider").get("/residents/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()
    patch = world.as_("outsider").patch(f"/residents/{world.resident_id}", {"phone": "000"})
    assert patch.status_code == 404


def test_create_with_full_width_digits_and_half_width_kana(world, rows):
    before = rows(Resident)
    body = {
        "atena_no": "０００２０００００１",
        "name": "髙橋 美咲",
        "kana": "ﾀｶﾊｼ ﾐｻｷ",
        "birth_date": "平成2年2月3日",
        "address": "世田谷区三軒茶屋二丁目2番2号",
        "phone": "０８０－３３３３－４４４４",
    }
    response = world.as_("staff").post("/residents", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["atena_no"] == "0002000001"
    assert created["kana"] == "タカハシ\u3000ミサキ"
    assert created["birth_date"] == "1990-02-03"
    assert created["phone"] == "080-3333-4444"
    assert created["created_by_department_id"] == world.dept_id
    assert created["created_at"].endswith("Z")
    assert response.headers["Location"] == f"/api/v1/residents/{created['id']}"
    assert rows(Resident) == before + 1
    assert _search(world.as_("staff"), "たかはし")["total"] == 1
    assert _search(world.as_("outsider"), "たかはし")["total"] == 0


def test_japanese_json_in_both_encodings_and_utf8_answers(world):
    body = {"atena_no": "0002000002", "name": "𠮷田 健一", "kana": "ヨシダ ケンイチ"}
    escaped = json.dumps(body, ensure_ascii=True).encode()
    raw = json.dumps({**body, "atena_no": "0002000003"}, ensure_ascii=False).encode("utf-8")
    for data in (escaped, raw):
        response = world.as_("staff").post(
            "/residents", data=data, headers={"Content-Type": "application/json; charset=utf-8"}
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        assert "𠮷田 健一".encode() in response.get_data()  # UTF-8, not \\u escapes
        assert response.get_json()["name"] == "𠮷田 健一"


def test_show_includes_the_departments_cases(world):
    body = world.as_("partner").get(f"/residents/{world.resident_id}").get_json()
    assert body["name"] == "山田 太郎"
    assert [c["id"] for c in body["cases"]] == [world.case_id]
    assert body["cases"][0]["lead_department"]["id"] == world.dept_id


def test_patch_changes_only_the_given_fields(world, audited):
    staff = world.as_("staff")
    response = staff.patch(f"/residents/{world.resident_id}", {"phone": "０３－１２３４－５６７８"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["phone"], body["name"], body["atena_no"]) == (
        "03-1234-5678",
        "山田 太郎",
        world.atena_no,
    )
    assert [e.outcome for e in audited("resident.update")] == ["allowed"]
    cleared = staff.patch(f"/residents/{world.resident_id}", {"phone": None}).get_json()
    assert cleared["phone"] == ""


def test_patch_to_an_existing_atena_no_is_409(world, make_resident):
    make_resident("佐藤 花子", "サトウ ハナコ", atena_no="0003000001")
    response = world.as_("staff").patch(
        f"/residents/{world.resident_id}", {"atena_no": "0003000001"}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate_atena_no"
    shown = world.as_("staff").get(f"/residents/{world.resident_id}").get_json()
    assert shown["atena_no"] == world.atena_no


def test_paging(world, make_resident):
    with_dept = world.as_("staff")
    dept = world.departments["lead"]
    for n in range(25):
        make_resident(f"住民 {n}", "ジュウミン", department=dept, atena_no=f"00090000{n:02d}")
    first = with_dept.get("/residents").get_json()
    second = with_dept.get("/residents?page=2").get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (26, 2, 20)
    assert (second["page"], len(second["items"])) == (2, 6)
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    assert _search(with_dept, "ｼﾞｭｳﾐﾝ", page=2)["items"][-1]["kana"] == "ジュウミン"
