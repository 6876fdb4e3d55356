"""Residents and cases through the services: validation, search, department isolation."""

import pytest
from sqlalchemy import func, select

from hub.cases import services as cases
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.models import AuditEvent, Case, DepartmentKind, Resident, Role
from hub.residents import services as residents

VALID = {
    "atena_no": "１２３４５６７８９０",
    "name": "髙橋 美咲",
    "kana": "ﾀｶﾊｼ ﾐｻｷ",
    "birth_date": "平成2年2月3日",
    "address": "世田谷区三軒茶屋2-2-2",
    "phone": "080-1234-5678",
}


def test_create_normalises_what_staff_type(db, make_user):
    user = make_user()
    resident = residents.create(db, user, VALID)
    db.commit()
    assert resident.atena_no == "1234567890"
    assert resident.kana == "タカハシ\u3000ミサキ"
    assert resident.birth_date.isoformat() == "1990-02-03"
    assert resident.created_by_department_id == user.department_id


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "氏名を入力してください"),
        ({"name": "あ" * 101}, "name", "100文字以内"),
        ({"kana": "Yamada"}, "kana", "カタカナ"),
        ({"atena_no": "12-AB"}, "atena_no", "数字"),
        ({"atena_no": "1" * 16}, "atena_no", "15桁以内"),
        ({"birth_date": "2025-02-30"}, "birth_date", "存在しない日付"),
        ({"birth_date": "2999-01-01"}, "birth_date", "未来"),
        ({"phone": "call me"}, "phone", "電話番号"),
        ({"address": "住所\u202e逆"}, "address", "制御文字"),
        ({"name": 123}, "name", "文字列"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db, make_user, change, field, message):
    user = make_user()
    with pytest.raises(InvalidInput) as err:
        residents.create(db, user, {**VALID, **change})
    assert message in err.value.fields[field]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Resident)) == 0


def test_duplicate_atena_no_is_a_conflict(db, make_user, make_resident):
    make_resident(atena_no="1234567890")
    with pytest.raises(Conflict) as err:
        residents.create(db, make_user(), VALID)
    assert err.value.code == "duplicate_atena_no"


@pytest.mark.parametrize(
    "query", ["ﾔﾏﾀﾞ", "やまだ", "ヤマダ", "山田", "ﾔﾏﾀﾞ ﾀﾛｳ", "0001000001", "０００１"]
)
def test_search_forgives_kana_width_and_script(db, make_user, make_resident, query):
    user = make_user()
    make_resident(
        name="山田 太郎", kana="ヤマダ タロウ", atena_no="0001000001", department=user.department
    )
    make_resident(
        name="佐藤 花子", kana="サトウ ハナコ", atena_no="0002000002", department=user.department
    )
    page = residents.search(db, user, query)
    assert [r.name for r in page.items] == ["山田 太郎"]


def test_search_treats_like_wildcards_literally(db, make_user, make_resident):
    user = make_user()
    make_resident(department=user.department)
    assert residents.search(db, user, "%").total == 0
    assert residents.search(db, user, "_").total == 0


def test_department_sees_only_residents_it_registered_or_works(
    db, make_user, make_resident, make_case, make_department
):
    mine, other = make_department(), make_department()
    user = make_user(department=mine)
    own = make_resident(name="自課 登録", kana="ジカ トウロク", department=mine)
    shared = make_case(lead=other, departments=[mine]).resident
    hidden = make_resident(name="他課 登録", kana="タカ トウロク", department=other)
    names = {r.name for r in residents.search(db, user, "").items}
    assert names == {own.name, shared.name}
    with pytest.raises(NotFound):
        residents.get_visible(db, user, hidden.id)
    db.rollback()


def test_uninvolved_department_gets_not_found_and_the_denial_is_audited(
    db, database, make_case, make_user
):
    from hub.db import finish

    case = make_case()
    outsider = make_user()
    session = database.session()
    with pytest.raises(NotFound):
        cases.get_visible(session, outsider, case.id)
    finish(session, ok=False)
    session.close()
    denied = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert [(e.action, e.object_id, e.user_id) for e in denied] == [
        ("case.view", str(case.id), outsider.id)
    ]


def test_admin_reads_no_case_contents(db, make_case, make_user):
    case = make_case()
    admin = make_user(role=Role.ADMIN, department=case.lead_department)
    with pytest.raises(Forbidden):
        cases.get_visible(db, admin, case.id)
    with pytest.raises(Forbidden):
        residents.search(db, admin, "")
    db.rollback()


def test_open_case_by_atena_no_for_a_resident_of_another_department(
    db, make_user, make_resident, make_department
):
    support = make_department(kind=DepartmentKind.SUPPORT)
    resident = make_resident(atena_no="5550001111")
    user = make_user()
    data = {"atena_no": "５５５０００１１１１", "summary": "来庁相談"}
    # Another department joins later, within the resident's consent: not at opening.
    with pytest.raises(InvalidInput) as err:
        cases.open_case(db, user, {**data, "department_ids": [str(support.id)]})
    assert "関係所管の追加" in err.value.fields["department_ids"]
    db.rollback()
    case = cases.open_case(db, user, {**data, "department_ids": [str(user.department_id)]})
    db.commit()
    assert case.resident_id == resident.id
    assert case.department_ids == {user.department_id}
    # The lead department now sees the resident through the case.
    assert residents.get_visible(db, user, resident.id).id == resident.id


def test_open_case_rejects_unknown_departments_and_writes_nothing(db, make_user, make_resident):
    user = make_user()
    resident = make_resident(department=user.department)
    with pytest.raises(InvalidInput) as err:
        cases.open_case(db, user, {"resident_id": resident.id, "department_ids": ["999999"]})
    assert "存在しない所管課" in err.value.fields["department_ids"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Case)) == 0


def test_involving_a_department_lets_it_see_the_case(db, make_case, make_user):
    case = make_case()
    newcomer = make_user()
    lead_user = make_user(department=case.lead_department)
    with pytest.raises(NotFound):
        cases.get_visible(db, newcomer, case.id)
    # The core's primitive; hub.documents.consent.membership checks the consent before it.
    cases.involve(db, lead_user, case, [newcomer.department])
    db.commit()
    assert cases.get_visible(db, newcomer, case.id).id == case.id


def test_case_search_by_kana_and_status(db, make_user, make_resident, make_case):
    user = make_user()
    yamada = make_resident(name="山田 太郎", kana="ヤマダ タロウ", department=user.department)
    sato = make_resident(name="佐藤 花子", kana="サトウ ハナコ", department=user.department)
    make_case(resident=yamada, lead=user.department)
    closed = make_case(resident=sato, lead=user.department)
    cases.update(db, user, closed.id, {"status": "closed"})
    db.commit()
    assert [c.resident.name for c in cases.search(db, user, "ｻﾄｳ").items] == ["佐藤 花子"]
    assert [c.id for c in cases.search(db, user, "", status="closed").items] == [closed.id]
    with pytest.raises(InvalidInput):
        cases.search(db, user, "", status="bogus")
    db.rollback()


def test_pagination_covers_every_row_once(db, make_user, make_resident):
    user = make_user()
    for i in range(45):
        make_resident(
            name=f"利用者{i}", kana=f"リヨウシャ{chr(0x30A2 + i % 40)}", department=user.department
        )
    seen = []
    for page_no in (1, 2, 3):
        page = residents.search(db, user, "", page=page_no, per_page=20)
        seen += [r.id for r in page.items]
    assert page.pages == 3
    assert len(seen) == len(set(seen)) == 45
    assert residents.search(db, user, "", page=99, per_page=20).page == 3


def test_recent_cases_are_the_departments_last_changed_and_the_list_is_audited(
    db, make_case, make_department, make_user
):
    dept = make_department()
    user = make_user(department=dept)
    mine = [make_case(lead=dept) for _ in range(7)]
    make_case()  # another department's
    mine[2].summary = "更新"
    db.commit()
    newest_first = [mine[2], *(c for c in reversed(mine) if c is not mine[2])]
    found = cases.recent(db, user)
    assert [c.id for c in found] == [c.id for c in newest_first[:5]]
    db.commit()
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.user_id, event.outcome) == ("case.list", user.id, "allowed")


@pytest.mark.only_backend("postgresql")
def test_recent_cases_are_read_backwards_from_an_index_not_sorted_whole(db, make_user):
    """At tens of thousands of cases, sorting all of a department's cases for the dashboard's
    five cost milliseconds a page; the index on (updated_at, id) stops after five."""
    query = cases.recent_query(make_user())
    connection = db.connection()
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
    plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    assert "ix_cases_updated_at" in plan and "Sort" not in plan, plan
