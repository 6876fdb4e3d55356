"""Administrators create, change, disable and reset users; every change is audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from helpers import PASSWORD, login, post_form
from hub.models import DepartmentKind, Role, User

INITIAL = "initial-pass-2026"


def _new_user_form(department, **changes) -> dict:
    return {
        "login_id": "plat02",
        "display_name": "平良 二郎",
        "department_id": str(department.id),
        "role": "staff",
        "password": INITIAL,
        **changes,
    }


def _user_count(db) -> int:
    n = db.scalar(select(func.count()).select_from(User))
    db.rollback()
    return n


def test_admin_creates_a_user_who_can_then_log_in(
    as_admin, app, make_department, admin, db, audit_log
):
    plat = make_department(name="ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT, code="plat")
    form = as_admin.get("/admin/users/new").get_data(as_text=True)
    assert "ぷらっとホーム世田谷" in form
    assert "初期パスワード" in form

    response = post_form(as_admin, "/admin/users/new", _new_user_form(plat))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    page = as_admin.get("/admin/users").get_data(as_text=True)
    assert "利用者「平良 二郎」（plat02）を登録しました" in page
    row = re.search(r"<tr><td class=\"mono\">plat02</td>.*?</tr>", page, re.S).group(0)
    for text in ("平良 二郎", "ぷらっとホーム世田谷", "担当者", "有効"):
        assert text in row

    user_id = db.scalar(select(User.id).where(User.login_id == "plat02"))
    db.rollback()
    assert audit_log("user.create") == [("user.create", admin.id, str(user_id), "allowed", "")]
    assert login(app.test_client(), "plat02", INITIAL).status_code == 302


def test_duplicate_login_id_is_refused_with_409(as_admin, home, db, audit_log):
    before = _user_count(db)
    response = post_form(as_admin, "/admin/users/new", _new_user_form(home, login_id="admin"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "このログインIDは既に使われています。" in page
    assert 'value="平良 二郎"' in page  # the rest of the form is kept...
    assert INITIAL not in page  # ...but never the password
    assert _user_count(db) == before
    assert audit_log("user.create") == []


def test_too_short_password_is_refused_with_400(as_admin, home, db):
    before = _user_count(db)
    response = post_form(as_admin, "/admin/users/new", _new_user_form(home, password="short-pw"))
    assert response.status_code == 400
    assert "パスワードは12文字以上にしてください。" in response.get_data(as_text=True)
    assert _user_count(db) == before


def test_missing_fields_are_named_in_japanese(as_admin, db):
    before = _user_count(db)
    response = post_form(
        as_admin,
        "/admin/users/new",
        {
            "login_id": "a b",
            "display_name": "",
            "department_id": "",
            "role": "root",
            "password": INITIAL,
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in (
        "ログインIDは半角英数字と . _ - の3〜64文字です。",
        "氏名を入力してください。",
        "所属する所管課を選んでください。",
        "権限の値が正しくありません。",
    ):
        assert message in page
    assert _user_count(db) == before


def test_admin_moves_a_user_to_another_department_and_role(
    as_admin, make_user, make_department, admin, reload, audit_log
):
    user = make_user(login_id="nozei01")
    plat = make_department(name="ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT, code="plat")
    form = as_admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "nozei01" in form
    assert 'value="テスト 利用者"' in form

    response = post_form(
        as_admin,
        f"/admin/users/{user.id}/edit",
        {
            "display_name": "税田 一郎",
            "department_id": str(plat.id),
            "role": "manager",
            "is_active": "1",
        },
    )
    assert response.status_code == 302
    saved = reload(User, user.id)
    assert (saved.display_name, saved.department_id, saved.role, saved.is_active) == (
        "税田 一郎",
        plat.id,
        Role.MANAGER,
        True,
    )
    assert audit_log("user.update") == [
        ("user.update", admin.id, str(user.id), "allowed", "department changed")
    ]
    row = as_admin.get("/admin/users").get_data(as_text=True)
    assert "管理職" in row


def test_bad_edit_rerenders_with_400_and_changes_nothing(as_admin, make_user, reload, audit_log):
    user = make_user()
    response = post_form(
        as_admin,
        f"/admin/users/{user.id}/edit",
        {"display_name": "", "department_id": "999999", "role": "staff", "is_active": "1"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "氏名を入力してください。" in page
    assert "所属する所管課を選んでください。" in page
    assert reload(User, user.id).display_name == "テスト 利用者"
    assert audit_log("user.update") == []


def test_admin_disables_and_enables_a_user(as_admin, app, make_user, admin, reload, audit_log):
    user = make_user()
    response = post_form(as_admin, f"/admin/users/{user.id}/disable")
    assert response.status_code == 302
    assert reload(User, user.id).is_active is False
    page = as_admin.get("/admin/users").get_data(as_text=True)
    assert "を無効にしました" in page
    assert login(app.test_client(), user).status_code == 401

    edit = as_admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert f'action="/admin/users/{user.id}/enable"' in edit
    assert post_form(as_admin, f"/admin/users/{user.id}/enable").status_code == 302
    assert reload(User, user.id).is_active is True
    assert login(app.test_client(), user).status_code == 302
    assert [e[:3] for e in audit_log("user.disable", "user.enable")] == [
        ("user.disable", admin.id, str(user.id)),
        ("user.enable", admin.id, str(user.id)),
    ]


def test_a_disabled_user_is_logged_out_of_an_open_session(as_admin, app, make_user):
    user = make_user()
    session = app.test_client()
    login(session, user)
    assert session.get("/").status_code == 200
    post_form(as_admin, f"/admin/users/{user.id}/disable")
    assert session.get("/").headers["Location"].startswith("/login")


def test_admin_cannot_disable_themself(as_admin, admin, reload, audit_log):
    response = post_form(as_admin, f"/admin/users/{admin.id}/disable")
    assert response.status_code == 400
    assert "自分自身を無効にすることはできません。" in response.get_data(as_text=True)
    by_edit = post_form(
        as_admin,
        f"/admin/users/{admin.id}/edit",
        {
            "display_name": "管理 太郎",
            "department_id": str(admin.department_id),
            "role": "staff",
            "is_active": "0",
        },
    )
    assert by_edit.status_code == 400
    assert "自分自身の管理者権限を外したり" in by_edit.get_data(as_text=True)
    saved = reload(User, admin.id)
    assert (saved.is_active, saved.role) == (True, Role.ADMIN)
    assert audit_log("user.disable", "user.update") == []
    # The edit screen does not even offer the button.
    own = as_admin.get(f"/admin/users/{admin.id}/edit").get_data(as_text=True)
    assert "/disable" not in own


def test_reset_password_shows_it_once_unlocks_and_forces_a_change(
    as_admin, app, make_user, db, admin, reload, audit_log
):
    user = make_user(locked_until=datetime.now(UTC) + timedelta(minutes=10), failed_login_count=0)
    listing = as_admin.get("/admin/users").get_data(as_text=True)
    assert "まで</span>" in listing  # the lock is visible before the reset

    response = post_form(as_admin, f"/admin/users/{user.id}/reset-password")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    temporary = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    assert len(temporary) >= 12
    assert "二度と表示されません" in page
    assert temporary not in as_admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert temporary not in as_admin.get("/admin/users").get_data(as_text=True)

    saved = reload(User, user.id)
    assert (saved.must_change_password, saved.locked_until) == (True, None)
    assert [e[:3] for e in audit_log("user.reset_password")] == [
        ("user.reset_password", admin.id, str(user.id))
    ]

    person = app.test_client()
    assert login(person, user, PASSWORD).status_code == 401  # the old password is gone
    assert login(person, user, temporary).status_code == 302
    assert person.get("/").headers["Location"] == "/account"
    assert person.get("/cases/").headers["Location"] == "/account"
    changed = post_form(
        person,
        "/account/password",
        {
            "current_password": temporary,
            "new_password": "my-own-new-passphrase",
            "new_password_confirm": "my-own-new-passphrase",
        },
    )
    assert changed.status_code == 302
    assert person.get("/").status_code == 200


def test_users_list_shows_last_login_and_pending_password_change(as_admin, make_user, admin):
    make_user(login_id="waiting", must_change_password=True)
    page = as_admin.get("/admin/users").get_data(as_text=True)
    own = re.search(r"<tr><td class=\"mono\">admin</td>.*?</tr>", page, re.S).group(0)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", own)  # just logged in
    assert "システム管理者" in own
    waiting = re.search(r"<tr><td class=\"mono\">waiting</td>.*?</tr>", page, re.S).group(0)
    assert "パスワード変更待ち" in waiting
    assert "—" in waiting  # never logged in


def test_unknown_user_is_404(as_admin):
    assert as_admin.get("/admin/users/9999/edit").status_code == 404
    assert post_form(as_admin, "/admin/users/9999/disable").status_code == 404
    assert post_form(as_admin, "/admin/users/9999/reset-password").status_code == 404
