"""Administration over the API: users and departments, reference data, one's own account."""

from __future__ import annotations

from helpers import PASSWORD
from hub.models import Department, User


def test_me_and_reference_data_for_every_user(world, db, make_department):
    from hub.models import ClaimType

    db.add(
        ClaimType(
            code="kuminzei",
            name="特別区民税・都民税",
            department_id=world.dept_id,
            limitation_years=5,
            is_enforced=True,
        )
    )
    db.commit()
    for actor in ("staff", "admin"):
        client = world.as_(actor)
        me = client.get("/me").get_json()
        assert me["login_id"] == world.users[actor].login_id
        assert "password_hash" not in me
        codes = [d["code"] for d in client.get("/departments").get_json()["items"]]
        assert {"nozei", "plat", "kaigo", "zaisei"} <= set(codes)
        claims = client.get("/claim-types").get_json()["items"]
        assert [(c["code"], c["limitation_years"]) for c in claims] == [("kuminzei", 5)]


def test_admin_creates_a_user_who_can_then_get_a_token(world, rows, token_for, db):
    before = rows(User)
    body = {
        "login_id": "fukushi01",
        "display_name": "福山 健",
        "department_id": world.partner_id,
        "role": "staff",
        "password": PASSWORD,
    }
    response = world.as_("admin").post("/users", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["department"] == {
        "id": world.partner_id,
        "code": "plat",
        "name": "ぷらっとホーム",
    }
    assert "password" not in response.get_data(as_text=True)
    assert rows(User) == before + 1
    duplicate = world.as_("admin").post("/users", body)
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["code"] == "duplicate_login_id"
    short = world.as_("admin").post("/users", {**body, "login_id": "x2x", "password": "short"})
    assert short.status_code == 400
    assert "12文字以上" in short.get_json()["error"]["fields"]["password"]
    assert rows(User) == before + 1
    token = token_for(db.get(User, created["id"]))
    assert world.as_("admin").as_(token).get("/me").get_json()["display_name"] == "福山 健"


def test_disabling_a_user_by_patch_stops_their_token(world):
    staff_id = world.users["staff"].id
    assert world.as_("staff").get("/me").status_code == 200
    response = world.as_("admin").patch(f"/users/{staff_id}", {"is_active": False})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["is_active"], body["role"], body["display_name"]) == (
        False,
        "staff",
        "テスト 利用者",
    )
    assert world.as_("staff").get("/me").status_code == 401


def test_moving_a_user_to_another_department_changes_what_they_see(world):
    staff_id = world.users["staff"].id
    assert world.as_("staff").get(f"/cases/{world.case_id}").status_code == 200
    moved = world.as_("admin").patch(f"/users/{staff_id}", {"department_id": world.other_id})
    assert moved.get_json()["department"]["id"] == world.other_id
    assert world.as_("staff").get(f"/cases/{world.case_id}").status_code == 404


def test_user_patch_refuses_bad_values(world, subtests):
    admin = world.as_("admin")
    admin_id = world.users["admin"].id
    cases = [
        ({"is_active": "no"}, "is_active"),
        ({"department_id": "1"}, "department_id"),
        ({"department_id": 999_999}, "department_id"),
        ({"department_id": 10**20}, "department_id"),
        ({"role": "root"}, "role"),
        ({"display_name": ""}, "display_name"),
    ]
    for body, field in cases:
        with subtests.test(body=body):
            response = admin.patch(f"/users/{world.users['staff'].id}", body)
            assert response.status_code == 400
            assert field in response.get_json()["error"]["fields"]
    demote_self = admin.patch(f"/users/{admin_id}", {"role": "staff"})
    assert demote_self.status_code == 400
    assert admin.patch("/users/999999", {"role": "staff"}).status_code == 404
    assert admin.patch(f"/users/{admin_id}", {"password": PASSWORD}).status_code == 400


def test_departments_create_and_patch(world, rows):
    admin = world.as_("admin")
    before = rows(Department)
    body = {"code": "hokenfukushi", "name": "保健福祉センター", "kind": "support"}
    response = admin.post("/departments", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["kind"], created["is_active"], created["contact_email"]) == (
        "support",
        True,
        "",
    )
    assert rows(Department) == before + 1
    clash = admin.post("/departments", {**body, "code": "other-code"})
    assert clash.status_code == 409
    assert clash.get_json()["error"]["code"] == "duplicate_department_name"
    patched = admin.patch(
        f"/departments/{created['id']}",
        {"contact_phone": "03-5432-2222", "is_active": False},
    ).get_json()
    assert (patched["name"], patched["contact_phone"], patched["is_active"]) == (
        "保健福祉センター",
        "03-5432-2222",
        False,
    )
    assert patched["requires_approval"] is False
    approval = admin.patch(f"/departments/{created['id']}", {"requires_approval": True})
    assert approval.get_json()["requires_approval"] is True
    # Left out, it keeps its value; a string is not a boolean.
    kept = admin.patch(f"/departments/{created['id']}", {"contact_phone": ""}).get_json()
    assert kept["requires_approval"] is True
    wrong = admin.patch(f"/departments/{created['id']}", {"requires_approval": "yes"})
    assert wrong.status_code == 400
    bad = admin.patch(f"/departments/{created['id']}", {"code": "保健", "kind": "x"})
    assert set(bad.get_json()["error"]["fields"]) == {"code", "kind"}
    assert admin.patch("/departments/999999", {"name": "x"}).status_code == 404
    assert rows(Department) == before + 1


def test_users_list_holds_no_secrets(world):
    response = world.as_("admin").get("/users")
    text = response.get_data(as_text=True)
    assert "argon2" not in text
    assert "hash" not in text
    logins = {u["login_id"] for u in response.get_json()["items"]}
    assert {"nozei01", "nozei-mgr", "plat01", "kaigo01", "admin"} <= logins
