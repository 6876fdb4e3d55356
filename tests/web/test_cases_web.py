"""The case screens: open a case, change its status, involve departments, refuse bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpers import login, post_form
from hub.models import Case, CaseStatus, DepartmentKind


def case_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Case))


def field_error(page: str, field: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="e-{field}">([^<]*)</p>', page)
    return match.group(1) if match else None


@pytest.fixture
def nozei(make_department):
    return make_department(name="納税課", code="nozei")


@pytest.fixture
def plat(make_department):
    return make_department(name="ぷらっとホーム世田谷", code="plat", kind=DepartmentKind.SUPPORT)


@pytest.fixture
def staff(make_user, nozei):
    return make_user(department=nozei)


def test_open_a_case_by_atena_no_for_a_resident_another_department_registered(
    logged_in, staff, plat, make_resident, db
):
    resident = make_resident(atena_no="0001000001")  # registered by some other department
    client = logged_in(staff)
    assert client.get(f"/residents/{resident.id}").status_code == 404  # not visible yet
    form = client.get("/cases/new").get_data(as_text=True)
    assert "対象者の宛名番号" in form
    # Other departments are not chosen here: they join later, within the resident's consent.
    assert "ぷらっとホーム世田谷" not in form and "関係所管の追加" in form
    data = {"atena_no": "０００１０００００１", "summary": "督促を契機に来庁。"}
    response = post_form(client, "/cases/new", data)
    assert response.status_code == 302
    case = db.scalar(select(Case))
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert case.resident_id == resident.id
    assert case.lead_department_id == staff.department_id
    assert case.department_ids == {staff.department_id}
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "ケースを作成しました。" in page
    assert "山田 太郎" in page and "ヤマダ タロウ" in page
    assert '<li>納税課<span class="tag">主担当</span></li>' in page
    # Working the case makes the resident visible to the department.
    assert client.get(f"/residents/{resident.id}").status_code == 200


def test_open_a_case_from_the_resident_page(logged_in, staff, make_resident, db):
    resident = make_resident(department=staff.department)
    client = logged_in(staff)
    resident_page = client.get(f"/residents/{resident.id}").get_data(as_text=True)
    assert f'href="/cases/new?resident_id={resident.id}"' in resident_page
    form = client.get(f"/cases/new?resident_id={resident.id}").get_data(as_text=True)
    assert "山田 太郎" in form and resident.atena_no in form
    assert 'name="atena_no"' not in form  # the resident is already chosen
    response = post_form(client, "/cases/new", {"resident_id": resident.id, "summary": "電話相談"})
    assert response.status_code == 302
    case = db.scalar(select(Case))
    assert (case.resident_id, case.summary, case.status) == (
        resident.id,
        "電話相談",
        CaseStatus.OPEN,
    )
    assert f"ケース{case.id}" in client.get(f"/residents/{resident.id}").get_data(as_text=True)


def test_unknown_atena_no_is_explained_and_the_choices_are_kept(logged_in, staff, plat, db):
    client = logged_in(staff)
    data = {"atena_no": "999", "summary": "来庁相談"}
    response = post_form(client, "/cases/new", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_error(page, "atena_no") == (
        "この宛名番号の対象者は登録されていません。先に対象者を登録してください。"
    )
    assert ">来庁相談</textarea>" in page
    assert case_count(db) == 0


def test_a_resident_the_department_cannot_see_is_404_on_the_new_case_form(
    logged_in, staff, make_resident, db
):
    other = make_resident()
    client = logged_in(staff)
    assert client.get(f"/cases/new?resident_id={other.id}").status_code == 404
    assert post_form(client, "/cases/new", {"resident_id": other.id}).status_code == 404
    assert case_count(db) == 0


def test_status_update_is_saved_and_shown(logged_in, staff, make_case, db):
    case = make_case(lead=staff.department, summary="最初の相談")
    client = logged_in(staff)
    data = {"status": "closed", "summary": "納付完了により終了。"}
    response = post_form(client, f"/cases/{case.id}/update", data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.id}"
    db.expire_all()
    case = db.get(Case, case.id)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.summary == "納付完了により終了。"
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "ケースを更新しました。" in page
    assert "<h1>ケース" in page and 'class="status status-closed">終了</span>' in page


def test_invalid_status_shows_the_case_page_again_with_the_message(logged_in, staff, make_case, db):
    case = make_case(lead=staff.department, summary="最初の相談")
    client = logged_in(staff)
    response = post_form(client, f"/cases/{case.id}/update", {"status": "bogus", "summary": "変更"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"<title>ケース{case.id} - つなぐハブ</title>" in page
    assert "山田 太郎" in page  # the case page, not the generic error page
    assert field_error(page, "status") == "状態の値が正しくありません。"
    assert "入力内容に誤りがあります" in page
    assert ">変更</textarea>" in page  # the typed summary is kept to resubmit
    db.expire_all()
    case = db.get(Case, case.id)
    assert (case.status, case.summary) == (CaseStatus.OPEN, "最初の相談")


def test_a_department_joins_the_case_within_the_consent(
    app, logged_in, staff, plat, make_case, make_user, db, active_consent
):
    case = make_case(lead=staff.department, summary="督促を契機に来庁")
    plat_user = make_user(department=plat)
    other = app.test_client()
    assert login(other, plat_user).status_code == 302
    assert other.get(f"/cases/{case.id}").status_code == 404
    assert "山田 太郎" not in other.get("/cases/").get_data(as_text=True)

    client = logged_in(staff)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    # No consent yet: the department is greyed out with the consent that would be needed.
    assert "本人の同意の範囲外のため追加できません" in page
    assert "必要な同意: 納税課→ぷらっとホーム世田谷の情報の区分を1つ以上含む" in page
    refused = post_form(client, f"/cases/{case.id}/departments", {"department_id": plat.id})
    assert refused.status_code == 409
    assert "納税課→ぷらっとホーム世田谷の情報の提供を認める有効な同意がありません" in (
        refused.get_data(as_text=True)
    )
    db.expire_all()
    assert db.get(Case, case.id).department_ids == {staff.department_id}

    active_consent(case.resident, staff.department, [(staff.department, plat, ["arrears"])])
    response = post_form(client, f"/cases/{case.id}/departments", {"department_id": plat.id})
    assert response.status_code == 302
    assert "関係所管を追加しました。" in client.get(f"/cases/{case.id}").get_data(as_text=True)

    page = other.get(f"/cases/{case.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "山田 太郎" in text
    # On the case, but the summary is the lead's record, and the case's changes are the lead's.
    assert "督促を契機に来庁" not in text
    assert "主管課（納税課）の記録のため表示していません" in text
    assert "状態・概要の更新" not in text
    assert "山田 太郎" in other.get("/cases/").get_data(as_text=True)
    assert post_form(other, f"/cases/{case.id}/update", {"status": "closed"}).status_code == 403
    db.expire_all()
    assert db.get(Case, case.id).status == CaseStatus.OPEN


def test_adding_an_unknown_department_is_refused_on_the_case_page(logged_in, staff, make_case, db):
    case = make_case(lead=staff.department)
    client = logged_in(staff)
    response = post_form(client, f"/cases/{case.id}/departments", {"department_id": "99999"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "存在しない、または無効な所管課が指定されています。" in page
    assert "山田 太郎" in page
    db.expire_all()
    assert db.get(Case, case.id).department_ids == {staff.department_id}


def test_an_uninvolved_department_gets_the_japanese_404_even_for_changes(
    logged_in, make_user, make_case, db
):
    case = make_case()
    outsider = make_user()
    client = logged_in(outsider)
    for response in (
        client.get(f"/cases/{case.id}"),
        post_form(client, f"/cases/{case.id}/update", {"status": "closed"}),
        post_form(
            client, f"/cases/{case.id}/departments", {"department_id": outsider.department_id}
        ),
    ):
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "お探しのページまたはデータは見つかりません。" in page
        assert "山田" not in page
    db.expire_all()
    case = db.get(Case, case.id)
    assert case.status == CaseStatus.OPEN
    assert outsider.department_id not in case.department_ids


def test_ids_beyond_any_row_are_404_not_500(client, make_user):
    from helpers import login, post_form

    login(client, make_user())
    huge = "9" * 30
    assert client.get(f"/cases/{huge}").status_code == 404
    assert client.get(f"/residents/{2**31}").status_code == 404
    response = post_form(client, "/cases/new", {"resident_id": huge}, form_page="/cases/new")
    assert response.status_code == 404  # no resident can have that id
    response = post_form(
        client, "/cases/new", {"atena_no": "1", "department_ids": huge}, form_page="/cases/new"
    )
    assert response.status_code == 400
