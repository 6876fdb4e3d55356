"""Every error is JSON with a stable code and the right status, never a 500, and writes nothing."""

from __future__ import annotations

from access.api_rules import is_api

from hub.models import AuditEvent, Case, CaseDepartment, Resident


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


NOT_A_JSON_OBJECT = [
    (b"{", "application/json"),
    (b"", "application/json"),
    (b"[]", "application/json"),
    (b'"q"', "application/json"),
    (b"null", "application/json"),
    (b"42", "application/json"),
    (b'{"q": NaN}', "application/json"),
    (b'{"q": "\\ud800"}', "application/json"),  # a lone surrogate is not text
    (b"\xff\xfe{", "application/json"),
    (b"[" * 100_000, "application/json"),
    ('{"q": "ヤマダ"}'.encode(), "text/plain"),
    (b"q=%E3%83%A4", "application/x-www-form-urlencoded"),
]


def test_malformed_or_non_object_body_is_invalid_json(world, subtests):
    for body, content_type in NOT_A_JSON_OBJECT:
        with subtests.test(body=body[:20], content_type=content_type):
            response = world.as_("staff").post(
                "/residents/search", data=body, headers={"Content-Type": content_type}
            )
            _error(response, 400, "invalid_json")


def test_unknown_fields_are_named(world):
    response = world.as_("staff").post("/residents/search", {"q": "", "qq": 1, "page": 1})
    error = _error(response, 400, "unknown_fields")
    assert error["fields"] == {"qq": "この項目は受け付けていません。"}


def test_search_term_in_the_url_is_refused_and_not_run(world, audited):
    response = world.as_("staff").get("/residents?q=%E3%83%A4%E3%83%9E%E3%83%80")
    error = _error(response, 400, "unknown_fields")
    assert "q" in error["fields"]
    assert "URL" in error["message"]
    assert audited("resident.search") == []
    _error(world.as_("staff").get("/cases?q=1&page=1"), 400, "unknown_fields")
    _error(world.as_("staff").get("/cases?sort=id"), 400, "unknown_fields")


PAGE_ERROR = {"page": "ページ番号は1以上の整数で指定してください。"}


def test_bad_page_in_query_or_body_is_invalid_input(world, subtests):
    staff = world.as_("staff")
    for page in ["0", "-1", "abc", "1.5", "9" * 30, "１", ""]:
        with subtests.test(query_page=page):
            error = _error(staff.get(f"/cases?page={page}"), 400, "invalid_input")
            assert error["fields"] == PAGE_ERROR
    for page in [0, -1, "1", 1.5, True, [1]]:
        with subtests.test(body_page=page):
            response = staff.post("/cases/search", {"page": page})
            assert _error(response, 400, "invalid_input")["fields"] == PAGE_ERROR


def test_huge_number_is_invalid_input(world):
    response = world.as_("staff").post(
        "/cases/search", data=b'{"page": 1e400}', headers={"Content-Type": "application/json"}
    )
    assert "page" in _error(response, 400, "invalid_input")["fields"]


def test_page_past_the_end_gives_the_last_page(world):
    body = world.as_("staff").get("/cases?page=99999").get_json()
    assert (body["page"], body["pages"], body["total"]) == (1, 1, 1)


INVALID_RESIDENTS = [
    ({"name": 123}, "name", "文字列"),
    ({"name": ""}, "name", "入力してください"),
    ({"name": "山" * 101}, "name", "100文字以内"),
    ({"address": "世" * 201}, "address", "200文字以内"),
    ({"kana": "yamada"}, "kana", "カタカナ"),
    ({"atena_no": "12-34"}, "atena_no", "数字"),
    ({"atena_no": 1234}, "atena_no", "文字列"),
    ({"atena_no": "1" * 16}, "atena_no", "15桁"),
    ({"birth_date": "2099-01-01"}, "birth_date", "未来"),
    ({"birth_date": "1980-02-30"}, "birth_date", "存在しない日付"),
    ({"birth_date": 19800401}, "birth_date", "文字列"),
    ({"phone": "電話"}, "phone", "数字とハイフン"),
    ({"name": "山田\u0000太郎"}, "name", "制御文字"),
]


def test_invalid_resident_values_name_the_field_in_japanese(world, rows, subtests):
    before = rows(Resident)
    for body, field, fragment in INVALID_RESIDENTS:
        with subtests.test(body=str(body)[:40]):
            values = {"atena_no": "0002000001", "name": "田中 一郎", "kana": "タナカ イチロウ"}
            response = world.as_("staff").post("/residents", {**values, **body})
            error = _error(response, 400, "invalid_input")
            assert fragment in error["fields"][field]
    assert rows(Resident) == before


INVALID_CASES = [
    ({"department_ids": "x"}, "department_ids"),
    ({"department_ids": ["x"]}, "department_ids"),
    ({"department_ids": [True]}, "department_ids"),
    ({"department_ids": {"id": 1}}, "department_ids"),
    ({"resident_id": "1"}, "resident_id"),
    ({"resident_id": 1.5}, "resident_id"),
    ({"resident_id": 2**31}, "resident_id"),
    ({"resident_id": 0}, "resident_id"),
    ({"department_ids": [2**63]}, "department_ids"),
    ({"summary": ["相談"]}, "summary"),
    ({"summary": "概" * 2001}, "summary"),
    ({"status": 1}, "status"),
    ({"status": 0}, "status"),
    ({"status": False}, "status"),
    ({"status": ["closed"]}, "status"),
]


def test_wrong_types_for_a_case_are_invalid_input_and_open_nothing(world, rows, subtests):
    before = (rows(Case), rows(CaseDepartment))
    for body, field in INVALID_CASES:
        with subtests.test(body=str(body)[:40]):
            staff = world.as_("staff")
            if field == "status":
                response = staff.patch(f"/cases/{world.case_id}", body)
            else:
                response = staff.post("/cases", {"resident_id": world.resident_id, **body})
            assert field in _error(response, 400, "invalid_input")["fields"]
    assert (rows(Case), rows(CaseDepartment)) == before
    assert world.as_("staff").get(f"/cases/{world.case_id}").get_json()["status"] == "open"


def test_one_unknown_department_adds_none_of_them(world, rows):
    before = rows(CaseDepartment)
    response = world.as_("staff").post(
        f"/cases/{world.case_id}/departments", {"department_ids": [world.other_id, 999_999]}
    )
    error = _error(response, 400, "invalid_input")
    assert "存在しない、または無効な所管課" in error["fields"]["department_ids"]
    assert rows(CaseDepartment) == before
    case = world.as_("outsider").get(f"/cases/{world.case_id}")
    assert case.status_code == 404


def test_duplicate_atena_no_is_409_and_writes_nothing(world, rows):
    before = rows(Resident)
    body = {"atena_no": "０００１０００００１", "name": "別人 花子", "kana": "ベツジン ハナコ"}
    error = _error(world.as_("staff").post("/residents", body), 409, "duplicate_atena_no")
    assert error["fields"] == {"atena_no": "この宛名番号は既に登録されています。"}
    assert rows(Resident) == before


def test_unknown_path_is_json_404(world):
    _error(world.as_("staff").get("/no-such-thing"), 404, "not_found")
    _error(world.as_("staff").get("/cases/"), 404, "not_found")


def test_missing_or_out_of_range_ids_are_404(world, subtests):
    staff = world.as_("staff")
    for missing in ["999999", str(2**31 - 1), str(2**31), "9" * 40]:
        with subtests.test(id=missing):
            _error(staff.get(f"/cases/{missing}"), 404, "not_found")
            _error(staff.get(f"/residents/{missing}"), 404, "not_found")
            _error(staff.patch(f"/cases/{missing}", {"status": "closed"}), 404, "not_found")


WRONG_METHODS = [
    ("DELETE", "/cases/{case_id}", "GET, PATCH"),
    ("PUT", "/residents/{resident_id}", "GET, PATCH"),
    ("GET", "/residents/search", "POST"),
    ("PATCH", "/me", "GET"),
    ("POST", "/openapi.json", "GET"),
]


def test_wrong_method_is_json_405_with_allow(world, subtests):
    for method, path, allow in WRONG_METHODS:
        with subtests.test(method=method, path=path):
            url = path.format(case_id=world.case_id, resident_id=world.resident_id)
            response = world.as_("staff").request(method, url, json={})
            error = _error(response, 405, "method_not_allowed")
            assert method in error["message"]
            assert response.headers["Allow"] == allow


def test_body_over_one_megabyte_is_413(world, rows):
    before = rows(Resident)
    body = {"atena_no": "0002000001", "name": "田中", "kana": "タナカ", "address": "x" * 1_100_000}
    _error(world.as_("staff").post("/residents", body), 413, "too_large")
    assert rows(Resident) == before


def test_admin_gets_403_on_residents_and_cases(world):
    admin = world.as_("admin")
    for response in (
        admin.get("/residents"),
        admin.get(f"/residents/{world.resident_id}"),
        admin.post("/residents/search", {"q": "ヤマダ"}),
        admin.post("/residents", {"atena_no": "1", "name": "田中", "kana": "タナカ"}),
        admin.get("/cases"),
        admin.get(f"/cases/{world.case_id}"),
        admin.patch(f"/cases/{world.case_id}", {"status": "closed"}),
        admin.post(f"/cases/{world.case_id}/departments", {"department_ids": [world.other_id]}),
        admin.post("/cases", {"resident_id": world.resident_id}),
    ):
        _error(response, 403, "forbidden")


def test_staff_get_403_on_administration(world, rows):
    from hub.models import Department, User

    before = (rows(User), rows(Department))
    for actor in ("staff", "manager", "outsider"):
        client = world.as_(actor)
        body = {"code": "new", "name": "新しい課", "kind": "support"}
        for response in (
            client.get("/users"),
            client.post("/users", {"login_id": "x"}),
            client.patch(f"/users/{world.users[actor].id}", {"role": "admin"}),
            client.post("/departments", body),
            client.patch(f"/departments/{world.dept_id}", {"name": "乗っ取り"}),
        ):
            _error(response, 403, "forbidden")
    assert (rows(User), rows(Department)) == before


def test_denied_access_keeps_its_audit_event_while_the_request_rolls_back(world, audited, rows):
    before = rows(AuditEvent)
    _error(world.as_("outsider").get(f"/cases/{world.case_id}"), 404, "not_found")
    denied = audited("case.view")
    assert [(e.outcome, e.object_id, e.user_id) for e in denied] == [
        ("denied", str(world.case_id), world.users["outsider"].id)
    ]
    assert rows(AuditEvent) == before + 1


GARBAGE = [
    b"{",
    b"[]",
    b'{"x": 1}',
    b"{}",
    b'{"page": 1e999}',
    b'{"q": {"$ne": 1}}',
    b'{"department_ids": [[1]]}',
    b'{"status": [1]}',
    b'{"is_active": "no"}',
]


def test_no_garbage_body_on_any_route_gives_a_500(app, world):
    """Send every route a series of bad bodies as every actor: always a documented JSON error."""
    ids = {
        "case_id": world.case_id,
        "resident_id": world.resident_id,
        "user_id": world.users["staff"].id,
        "department_id": world.dept_id,
    }
    rules = [r for r in app.url_map.iter_rules() if is_api(r.endpoint)]
    for rule in rules:
        path = rule.rule.removeprefix("/api/v1")
        for name, value in ids.items():
            path = path.replace(f"<int:{name}>", str(value))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS", "GET"}):
            for actor in ("staff", "admin"):
                for body in GARBAGE:
                    response = world.as_(actor).request(
                        method, path, data=body, headers={"Content-Type": "application/json"}
                    )
                    assert response.status_code < 500  # and documented: see the Api client


def test_a_whole_number_float_is_an_integer(world):
    """JSON has one number type: 40.0 is 40 (a client serialising floats is not refused)."""
    staff = world.as_("staff")
    found = staff.post("/cases/search", {"page": 1.0})
    assert found.status_code == 200 and found.get_json()["page"] == 1
    opened = staff.post("/cases", {"resident_id": float(world.resident_id)})
    assert opened.status_code == 201


def test_null_for_a_field_that_may_only_be_left_out_is_refused(world, rows):
    """null is not "not sent": a case opened with "summary": null would silently drop it."""
    before = rows(Case)
    response = world.as_("staff").post(
        "/cases", {"resident_id": world.resident_id, "summary": None}
    )
    error = _error(response, 400, "invalid_input")
    assert "null" in error["fields"]["summary"]
    assert rows(Case) == before
