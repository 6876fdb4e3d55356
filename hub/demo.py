"""Demo data: the departments of the Setagaya plan, claim types, logins, residents and cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, jp
from hub.models import (
    Case,
    CaseDepartment,
    CaseStatus,
    ClaimType,
    Department,
    DepartmentKind,
    Resident,
    Role,
    User,
)

#: One password for every demo login, printed on start. Demo data only.
DEMO_PASSWORD = "tsunagu-demo-2026"  # noqa: S105

DEPARTMENTS = [
    ("nozei", "納税課", DepartmentKind.COLLECTION, "03-5432-1111"),
    ("hokenryo", "保険料収納課", DepartmentKind.COLLECTION, "03-5432-1112"),
    ("kokuho", "国保・年金課", DepartmentKind.COLLECTION, "03-5432-1113"),
    ("kaigo", "介護保険課", DepartmentKind.COLLECTION, "03-5432-1114"),
    ("plat", "ぷらっとホーム世田谷", DepartmentKind.SUPPORT, "03-5432-2221"),
    ("hokenfukushi", "保健福祉センター", DepartmentKind.SUPPORT, "03-5432-2222"),
    ("zaisei", "財政課（債権管理担当）", DepartmentKind.OTHER, "03-5432-3331"),
]

CLAIM_TYPES = [
    ("kuminzei", "特別区民税・都民税", "nozei", 5),
    ("kokuho", "国民健康保険料", "hokenryo", 2),
    ("kaigo", "介護保険料", "kaigo", 2),
    ("kouki", "後期高齢者医療保険料", "kokuho", 2),
]

#: (login_id, display name, department code, role)
USERS = [
    ("nozei01", "税田 一郎", "nozei", Role.STAFF),
    ("nozei-mgr", "納谷 課長", "nozei", Role.MANAGER),
    ("hokenryo01", "保科 花子", "hokenryo", Role.STAFF),
    ("kokuho01", "国本 次郎", "kokuho", Role.STAFF),
    ("kaigo01", "介田 三枝", "kaigo", Role.STAFF),
    ("plat01", "平良 結衣", "plat", Role.STAFF),
    ("fukushi01", "福山 健", "hokenfukushi", Role.STAFF),
    ("admin", "管理 太郎", "zaisei", Role.ADMIN),
]

#: (宛名番号, 氏名, カナ, 生年月日, 住所, 電話, registering department)
RESIDENTS = [
    (
        "0001000001",
        "山田 太郎",
        "ヤマダ タロウ",
        date(1978, 6, 12),
        "世田谷区太子堂一丁目1番1号",
        "090-1111-2222",
        "nozei",
    ),
    (
        "0001000002",
        "髙橋 美咲",
        "タカハシ ミサキ",
        date(1990, 2, 3),
        "世田谷区三軒茶屋二丁目2番2号",
        "080-3333-4444",
        "hokenryo",
    ),
    (
        "0001000003",
        "佐藤 花子",
        "サトウ ハナコ",
        date(1952, 11, 30),
        "世田谷区北沢三丁目3番3号",
        "03-5555-6666",
        "kaigo",
    ),
    (
        "0001000004",
        "𠮷田 健一",
        "ヨシダ ケンイチ",
        date(1985, 4, 1),
        "世田谷区用賀四丁目4番4号",
        "070-7777-8888",
        "nozei",
    ),
    (
        "0001000005",
        "鈴木 一郎",
        "スズキ イチロウ",
        date(1969, 9, 9),
        "世田谷区成城五丁目5番5号",
        "",
        "plat",
    ),
    (
        "0001000006",
        "山﨑 由美",
        "ヤマザキ ユミ",
        date(1996, 12, 24),
        "世田谷区烏山六丁目6番6号",
        "090-9999-0000",
        "kokuho",
    ),
]

#: (宛名番号, lead department, status, summary). Other departments join each case later,
#: within the resident's consent (the consent package's demo), as staff would add them.
CASES = [
    (
        "0001000001",
        "nozei",
        CaseStatus.OPEN,
        "督促を契機に来庁。失職により収入が減少し、就労を希望。区民税と国保料の分納相談。",
    ),
    ("0001000002", "hokenryo", CaseStatus.OPEN, "電話相談。家賃負担が大きく、国保料の納付が困難。"),
    (
        "0001000003",
        "kaigo",
        CaseStatus.MONITORING,
        "家族の介護で出費が大きい。介護保険料の納付計画を見直し中。",
    ),
    ("0001000004", "nozei", CaseStatus.OPEN, "民間債務の返済で生活が苦しい。生活再建を希望。"),
    ("0001000005", "plat", CaseStatus.OPEN, "ぷらっとホームの相談から情報共有の依頼。"),
    ("0001000006", "kokuho", CaseStatus.CLOSED, "後期高齢者医療保険料の納付完了により終了。"),
]


@dataclass
class DemoLogin:
    login_id: str
    department: str
    role: str


def load(session: Session, hasher: PasswordHasher) -> bool:
    """Load the demo data once; return False if it was already there (nothing changes)."""
    if session.scalar(select(Department.id).limit(1)) is not None:
        return False
    depts = {}
    for code, name, kind, phone in DEPARTMENTS:
        depts[code] = Department(
            code=code,
            name=name,
            kind=kind,
            contact_phone=phone,
            contact_email=f"{code}@city.example.lg.jp",
        )
    session.add_all(depts.values())
    for order, (code, name, dept, years) in enumerate(CLAIM_TYPES):
        session.add(
            ClaimType(
                code=code,
                name=name,
                department=depts[dept],
                limitation_years=years,
                is_enforced=True,
                sort_order=order,
            )
        )
    password_hash = hasher.hash(DEMO_PASSWORD)
    #: The staff member of each department, who authors that department's demo cases.
    authors: dict[str, User] = {}
    for login_id, display_name, dept, role in USERS:
        user = User(
            login_id=login_id,
            display_name=display_name,
            department=depts[dept],
            role=role,
            password_hash=password_hash,
        )
        session.add(user)
        if role == Role.STAFF:
            authors[dept] = user
    session.flush()
    residents = {}
    for atena, name, kana, birth, address, phone, dept in RESIDENTS:
        resident = Resident(
            atena_no=atena,
            name=name,
            kana=kana,
            name_key=jp.fold(name),
            kana_key=jp.fold(kana),
            birth_date=birth,
            address=address,
            phone=phone,
            created_by_department_id=depts[dept].id,
        )
        residents[atena] = resident
        session.add(resident)
    session.flush()
    for atena, lead, status, summary in CASES:
        author = authors[lead]
        case = Case(
            resident=residents[atena],
            lead_department_id=depts[lead].id,
            status=status,
            summary=summary,
            created_by_id=author.id,
        )
        case.involvements.append(
            CaseDepartment(department_id=depts[lead].id, added_by_id=author.id)
        )
        session.add(case)
    session.flush()
    audit.record(session, None, "demo.load", login_id="cli")
    return True


def logins() -> list[DemoLogin]:
    names = {code: name for code, name, _kind, _phone in DEPARTMENTS}
    return [DemoLogin(login_id, names[dept], role.label) for login_id, _n, dept, role in USERS]
