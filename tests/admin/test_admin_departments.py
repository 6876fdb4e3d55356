"""Administrators register and change departments; mistakes re-render the form, nothing saved."""

from __future__ import annotations

from sqlalchemy import func, select

from helpers import post_form
from hub.models import ClaimType, Department, DepartmentKind

NEW = {
    "code": "jiritsu",
    "name": "自立支援課",
    "kind": "support",
    "contact_phone": "03-1234-5678",
    "contact_email": "jiritsu@city.example.lg.jp",
    "is_active": "1",
}


def _count(db) -> int:
    n = db.scalar(select(func.count()).select_from(Department))
    db.rollback()
    return n


def test_admin_registers_a_department_and_finds_it_in_the_list(as_admin, db, admin, audit_log):
    form = as_admin.get("/admin/departments/new")
    assert form.status_code == 200
    assert "所管課の登録" in form.get_data(as_text=True)

    response = post_form(as_admin, "/admin/departments/new", NEW)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/departments"
    page = as_admin.get("/admin/departments").get_data(as_text=True)
    assert "所管課「自立支援課」を登録しました" in page
    for text in ("jiritsu", "自立支援課", "支援所管", "03-1234-5678", "jiritsu@city.example.lg.jp"):
        assert text in page

    dept = db.scalar(select(Department).where(Department.code == "jiritsu"))
    assert (dept.name, dept.kind, dept.is_active) == ("自立支援課", DepartmentKind.SUPPORT, True)
    dept_id = dept.id
    db.rollback()
    assert audit_log("department.create") == [
        ("department.create", admin.id, str(dept_id), "allowed", "")
    ]


def test_admin_edits_a_department_and_can_deactivate_it(
    as_admin, make_department, admin, reload, audit_log
):
    dept = make_department(name="納税課", code="nozei")
    form = as_admin.get(f"/admin/departments/{dept.id}/edit").get_data(as_text=True)
    assert 'value="nozei"' in form
    assert 'value="納税課"' in form

    changed = {
        **NEW,
        "code": "nozei",
        "name": "納税課（収納係）",
        "kind": "collection",
        "is_active": "0",
    }
    response = post_form(as_admin, f"/admin/departments/{dept.id}/edit", changed)
    assert response.status_code == 302
    saved = reload(Department, dept.id)
    assert (saved.name, saved.kind, saved.is_active) == (
        "納税課（収納係）",
        DepartmentKind.COLLECTION,
        False,
    )
    page = as_admin.get("/admin/departments").get_data(as_text=True)
    assert "納税課（収納係）" in page
    assert '<span class="badge-off">無効</span>' in page
    assert [e[:3] for e in audit_log("department.update")] == [
        ("department.update", admin.id, str(dept.id))
    ]


def test_duplicate_code_or_name_is_refused_with_409_and_nothing_saved(
    as_admin, make_department, db, audit_log
):
    make_department(name="納税課", code="nozei")
    before = _count(db)

    same_code = post_form(as_admin, "/admin/departments/new", {**NEW, "code": "nozei"})
    assert same_code.status_code == 409
    page = same_code.get_data(as_text=True)
    assert "このコードは既に使われています。" in page
    assert 'value="自立支援課"' in page  # what the admin typed is kept

    same_name = post_form(as_admin, "/admin/departments/new", {**NEW, "name": "納税課"})
    assert same_name.status_code == 409
    assert "この所管課名は既に使われています。" in same_name.get_data(as_text=True)

    assert _count(db) == before
    assert audit_log("department.create") == []


def test_editing_into_another_departments_code_is_a_conflict(as_admin, make_department, reload):
    make_department(name="納税課", code="nozei")
    other = make_department(name="介護保険課", code="kaigo")
    response = post_form(
        as_admin,
        f"/admin/departments/{other.id}/edit",
        {**NEW, "code": "nozei", "name": "介護保険課"},
    )
    assert response.status_code == 409
    assert "このコードは既に使われています。" in response.get_data(as_text=True)
    assert reload(Department, other.id).code == "kaigo"


def test_bad_input_names_each_field_in_japanese(as_admin, db, audit_log):
    before = _count(db)
    response = post_form(
        as_admin,
        "/admin/departments/new",
        {"code": "Nozei!", "name": "", "kind": "bank", "contact_email": "not-an-address"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "コードは英小文字で始まる英数字・ハイフン・下線（2〜32文字）です。" in page
    assert "所管課名を入力してください。" in page
    assert "種別の値が正しくありません。" in page
    assert "メールアドレスの形式が正しくありません。" in page
    assert 'aria-invalid="true"' in page
    assert _count(db) == before
    assert audit_log("department.create") == []


def test_unknown_department_is_404(as_admin):
    assert as_admin.get("/admin/departments/9999/edit").status_code == 404
    assert post_form(as_admin, "/admin/departments/9999/edit", NEW).status_code == 404


def test_claim_types_are_listed_read_only(as_admin, make_department, db):
    nozei = make_department(name="納税課", code="nozei")
    kaigo = make_department(name="介護保険課", code="kaigo")
    db.add_all(
        [
            ClaimType(
                code="kuminzei",
                name="特別区民税・都民税",
                department=nozei,
                limitation_years=5,
                is_enforced=True,
                sort_order=0,
            ),
            ClaimType(
                code="shiyoryo",
                name="施設使用料",
                department=kaigo,
                limitation_years=2,
                is_enforced=False,
                sort_order=1,
            ),
        ]
    )
    db.commit()
    page = as_admin.get("/admin/claim-types").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    for text in ("特別区民税・都民税", "納税課", "5年", "該当（滞納処分ができる）"):
        assert text in rows[0]
    for text in ("施設使用料", "介護保険課", "2年", "非該当"):
        assert text in rows[1]
    assert "<form" not in page.split("<main")[1]  # nothing to change on this screen


def test_overview_counts_departments_users_and_claim_types(
    as_admin, make_department, make_user, db
):
    make_department(name="納税課", code="nozei")
    closed = make_department(name="旧課", code="old")
    closed.is_active = False
    db.commit()
    make_user(is_active=False)  # creates its own department too
    page = as_admin.get("/admin/").get_data(as_text=True)
    # Departments: 財政課, 納税課, 旧課 and the disabled user's own; users: admin and one disabled.
    assert "有効 3件・無効 1件" in page
    assert "有効 1人・無効 1人・ロック中 0人" in page
    for link in ("/admin/departments", "/admin/users", "/admin/claim-types"):
        assert f'href="{link}"' in page
