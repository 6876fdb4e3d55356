"""A city whose records about one resident carry unique marker strings, built through the
services as each department would: for the information-flow test over every route.

Each department's record about 山田 太郎 holds markers ``MK<DEPT><CATEGORY><n>`` (and distinctive
amounts, so that derived figures are caught too), registered with their owning department and
information category (or ``OWN``: a record nobody else may see, ``CONSENT_TERMS``: a consent's
purposes and printed statement). The test then reads every page, API answer and file as each
department and checks every marker it finds against the naive oracle (tests/oracle.py).

- 納税課 leads case A: summary, two sheet versions, a judgement; consent C1 (obtained by 納税課:
  →ぷらっとホーム arrears/life, →保険料収納課 arrears/plan/debts/decision, and back).
- ぷらっとホーム世田谷 takes consent C2 (→納税課 support status; 納税課→it the budget), valid
  30 days; leads its own case P (a sheet of its own), which 納税課 joins.
- 介護保険課 knows the 宛名番号 and opens its own case K with a sheet: nobody may see it.
- Mail: shares of the sheet, a policy and an attachment, the signed form, feedback, a notice.
- Case packets of 納税課's case A: its own copy (PDF), one for ぷらっとホーム handed over on
  paper (Word), one sent to 保険料収納課 as a share (PDF, with the signed form: the oracle
  counts the form as shared to both); two counselling windows of the directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import uploads_samples as samples
from mailkit import key, make_claims
from oracle import CONSENT_TERMS, OWN, Oracle, Record
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import jp
from hub.auth.services import create_token
from hub.cases import services as cases
from hub.documents.consent import membership, paper_form
from hub.documents.consent import services as consents
from hub.documents.hearing import judgements
from hub.documents.hearing import services as hearing
from hub.documents.printing import jobs as packets
from hub.documents.printing import windows
from hub.mailbox import send, sharing_requests
from hub.mailbox.compose import Upload
from hub.mailbox.models import Message, Notification
from hub.meetings import materials as study_materials
from hub.meetings import services as meetings
from hub.meetings import slots as meeting_slots
from hub.meetings import study
from hub.meetings.services import Proposal
from hub.models import Department, DepartmentKind, Resident, Role, User

CODES = ("nozei", "hokenryo", "plat", "kaigo")


@dataclass(frozen=True)
class Marker:
    #: The strings that betray it (an amount is written 13,579 on pages, 13579 in JSON).
    texts: tuple[str, ...]
    owner: str
    category: str


@dataclass
class FlowCity:
    departments: dict[str, Department]
    #: One staff member per department code, and ``admin``.
    users: dict[str, User]
    tokens: dict[str, str]
    resident: Resident
    cases: dict[str, int]
    consents: dict[str, int]
    messages: list[int]
    #: (message id, document id) of every document of every message.
    documents: list[tuple[int, int]]
    markers: list[Marker] = field(default_factory=list)
    oracle: Oracle = field(default_factory=Oracle)
    records: dict[str, Record] = field(default_factory=dict)
    #: 納税課's case conferences on case A (with ぷらっとホーム; with 保険料収納課).
    meetings: list[int] = field(default_factory=list)
    #: Case packets of case A by recipient code, and the directory's counselling windows.
    packets: dict[str, int] = field(default_factory=dict)
    windows: list[int] = field(default_factory=list)
    #: A 勉強会 series of 納税課 and ぷらっとホーム, and the materials of its session (whose
    #: id is in ``meetings`` too).
    study_series: list[int] = field(default_factory=list)
    materials: list[int] = field(default_factory=list)

    def code_of(self, user: User) -> str:
        return next(c for c, d in self.departments.items() if d.id == user.department_id)


class _Marks:
    """Hand out marker strings and remember whose they are."""

    def __init__(self) -> None:
        self.markers: list[Marker] = []

    def text(self, owner: str, category: str, tag: str) -> str:
        value = f"MK{owner.upper()}{tag}"
        self.markers.append(Marker((value,), owner, category))
        return value

    def amount(self, owner: str, category: str, value: int) -> int:
        self.markers.append(Marker((f"{value:,}", str(value)), owner, category))
        return value


def _sheet(marks: _Marks, owner: str, claims: dict, version: int) -> dict[str, Any]:
    """A sheet whose every section carries markers of its category (a new set per version)."""
    v = str(version)
    return {
        "arrears": {
            "claims": [
                {
                    "claim_type_id": claims["kuminzei"].id,
                    "amount": marks.amount(owner, "arrears", 864_200 + version * 7),
                    "periods": "令和6年度 3期〜4期",
                    "notes": marks.text(owner, "arrears", f"ARR{v}"),
                }
            ]
        },
        "payment_plan": {
            "items": [{"claim_type_id": claims["kokuho"].id, "monthly": 4_000}],
            "notes": marks.text(owner, "payment_plan", f"PLAN{v}"),
        },
        "household_budget": {
            "take_home": marks.amount(owner, "household_budget", 246_800 + version * 13),
            "members": [{"relationship": marks.text(owner, "household_budget", f"HB{v}")}],
            "expenses": {"rent": 97_000, "food": 41_000},
        },
        "private_debts": {
            "debts": [
                {
                    "kind": "consumer_finance",
                    "creditor": marks.text(owner, "private_debts", f"DEBT{v}"),
                    "total": marks.amount(owner, "private_debts", 987_600 + version * 11),
                    "monthly": marks.amount(owner, "private_debts", 13_570 + version * 3),
                }
            ]
        },
        "assets": {
            "deposits": {
                "has": True,
                "value": 53_100,
                "notes": marks.text(owner, "assets", f"ASSET{v}"),
            }
        },
        "life_situation": {
            "employment": "lost_job",
            "notes": marks.text(owner, "life_situation", f"LIFE{v}"),
        },
    }


def _grants(depts, items) -> list[dict[str, Any]]:
    return [
        {
            "from_department_id": depts[giver].id,
            "to_department_id": depts[receiver].id,
            "categories": list(categories),
        }
        for giver, receiver, categories in items
    ]


def _take_consent(
    db: Session, city_users, depts, resident, marks: _Marks, owner: str, items, valid_until
) -> tuple[int, Record]:
    """Take a consent through the wizard's services; its purposes and scan carry markers."""
    user = city_users[owner]
    purpose = marks.text(owner, CONSENT_TERMS, "PURPOSE")
    draft = {
        "grants": _grants(depts, items),
        "purposes": ["生活再建の支援", purpose],
        "valid_until": valid_until.isoformat(),
    }
    consent = consents.create_draft(db, user, resident.id, draft)
    paper_form.generate(db, user, resident.id, consent.id)
    scan = samples.fpdf_pdf(f"signed {marks.text(owner, CONSENT_TERMS, 'SCAN')}")
    paper_form.upload_scan(db, user, resident.id, consent.id, scan, "scan.pdf")
    today = jp.today()
    consents.activate(db, user, resident.id, consent.id, {"obtained_on": today.isoformat()})
    db.commit()
    grants = {(depts[g].id, depts[r].id, c) for g, r, cats in items for c in cats}
    return consent.id, Record(True, today, valid_until, grants, id=consent.id)


def build_flow_city(
    db: Session, make_department, make_user, make_resident, *, packets: bool = True
) -> FlowCity:
    """Build the city through the services and commit it (needs bound storage); without the
    case packets when a test does not read them (making them is a third of the time)."""
    marks = _Marks()
    depts = {
        "nozei": make_department("納税課", code="nozei"),
        "hokenryo": make_department("保険料収納課", code="hokenryo"),
        "plat": make_department("ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT, code="plat"),
        "kaigo": make_department("介護保険課", code="kaigo"),
    }
    home = make_department("財政課", kind=DepartmentKind.OTHER, code="zaisei")
    users = {code: make_user(department=dept, login_id=f"{code}01") for code, dept in depts.items()}
    users["admin"] = make_user(Role.ADMIN, department=home, login_id="admin")
    claims = make_claims(db, depts["nozei"])
    resident = make_resident("山田 太郎", "ヤマダ タロウ", department=depts["nozei"])
    today = jp.today()

    # 納税課's case: its summary, two versions of its sheet, a judgement.
    summary = marks.text("nozei", OWN, "SUMMARY")
    case_a = cases.open_case(db, users["nozei"], {"resident_id": resident.id, "summary": summary})
    for version in (1, 2):
        hearing.save(db, users["nozei"], case_a.id, _sheet(marks, "nozei", claims, version))
    reason = marks.text("nozei", "life_situation", "JUDGED")
    judgements.judge(db, users["nozei"], case_a.id, 2, {"6": {"decision": "met", "reason": reason}})
    db.commit()

    # The consents: 納税課's for a year, ぷらっとホーム's for 30 days.
    c1, r1 = _take_consent(
        db,
        users,
        depts,
        resident,
        marks,
        "nozei",
        [
            ("nozei", "plat", ("arrears", "life_situation")),
            ("nozei", "hokenryo", ("arrears", "payment_plan", "private_debts")),
            ("nozei", "hokenryo", ("collection_decision",)),
            ("plat", "nozei", ("support_status",)),
            ("hokenryo", "nozei", ("payment_plan",)),
        ],
        today + timedelta(days=365),
    )
    membership.join(db, users["nozei"], case_a.id, [depts["plat"].id, depts["hokenryo"].id])
    meeting_ids = _meetings(db, users, depts, case_a.id, marks)
    series_id, session_id, material_id = _study(db, users, depts)
    meeting_ids.append(session_id)

    # 介護保険課 knows the 宛名番号 from its own records: its own case, its own sheet.
    case_k = cases.open_case(
        db,
        users["kaigo"],
        {"atena_no": resident.atena_no, "summary": marks.text("kaigo", OWN, "SUMMARY")},
    )
    hearing.save(db, users["kaigo"], case_k.id, _sheet(marks, "kaigo", claims, 3))
    # ぷらっとホーム's own case and sheet; 納税課 joins it within C2.
    case_p = cases.open_case(
        db,
        users["plat"],
        {"atena_no": resident.atena_no, "summary": marks.text("plat", OWN, "SUMMARY")},
    )
    hearing.save(db, users["plat"], case_p.id, _sheet(marks, "plat", claims, 4))
    c2, r2 = _take_consent(
        db,
        users,
        depts,
        resident,
        marks,
        "plat",
        [("plat", "nozei", ("support_status",)), ("nozei", "plat", ("household_budget",))],
        today + timedelta(days=30),
    )
    # The signed form of C1 goes to ぷらっとホーム by mail, and to 保険料収納課 in a case packet.
    shared = {(depts["nozei"].id, depts["plat"].id), (depts["nozei"].id, depts["hokenryo"].id)}
    oracle = Oracle([r1, r2], shared_forms=shared)
    membership.join(db, users["plat"], case_p.id, [depts["nozei"].id])
    db.commit()

    # The mail.
    def share(user: str, case_id: int, to: list[str], uploads=(), **extra: Any) -> int:
        data = {
            "kind": "share",
            "case_id": case_id,
            "recipient_ids": [depts[c].id for c in to],
            "subject": "情報共有",
            "idempotency_key": key(),
            **extra,
        }
        message = send.send(db, users[user], data, list(uploads)).message
        db.commit()
        return message.id

    m1 = share(
        "nozei",
        case_a.id,
        ["plat"],
        # A subject is content too: it carries what the message carries.
        subject=f"共有 {marks.text('nozei', 'arrears', 'SUBJECT')}",
        body=f"滞納の経過 {marks.text('nozei', 'arrears', 'BODY')}",
        body_categories=["arrears"],
        sheet_version=2,
        sheet_categories=["arrears", "life_situation"],
        feedback_due=(today + timedelta(days=7)).isoformat(),
    )
    attachment = samples.fpdf_pdf(f"debts {marks.text('nozei', 'private_debts', 'FILE')}")
    m2 = share(
        "nozei",
        case_a.id,
        ["hokenryo"],
        sheet_version=2,
        sheet_categories=["arrears", "payment_plan", "private_debts"],
        policy={"pattern": "3", "note": marks.text("nozei", "collection_decision", "POLICY")},
        attachment_categories=["private_debts"],
        uploads=[Upload("債務の一覧.pdf", attachment)],
    )
    m4 = share("nozei", case_a.id, ["plat"], body="同意書の写しです。", consent_id=c1)
    sharing_requests.send_feedback(
        db,
        users["plat"],
        m1,
        {
            "done": marks.text("plat", "support_status", "FEEDBACK"),
            "support_status": "in_support",
            "idempotency_key": key(),
        },
    )
    db.commit()
    notice = send.send(
        db,
        users["nozei"],
        {
            "kind": "notice",
            "recipient_ids": [d.id for d in depts.values() if d.code != "nozei"],
            "subject": "勉強会のお知らせ",
            "idempotency_key": key(),
        },
    ).message
    db.commit()
    packet_ids = _packets(db, users, depts, case_a.id) if packets else {}
    window_ids = [
        windows.create(db, users["admin"], window).id
        for window in (
            {
                "name": "ぷらっとホーム世田谷",
                "what_for": "生活の困りごと",
                "criteria": ["1", "3"],
                "is_active": True,
            },
            {
                "name": "法テラス",
                "what_for": "借金の整理",
                "facts": ["private_debts"],
                "is_active": True,
            },
        )
    ]
    db.commit()
    messages = list(db.scalars(select(Message.id).order_by(Message.id)))
    documents = [
        (m.id, d.id) for m in db.scalars(select(Message).order_by(Message.id)) for d in m.documents
    ]
    assert {m1, m2, m4, notice.id} <= set(messages)
    tokens = {name: create_token(db, user, "flow")[1] for name, user in users.items()}
    db.commit()
    return FlowCity(
        departments=depts,
        users=users,
        tokens=tokens,
        resident=resident,
        cases={"A": case_a.id, "K": case_k.id, "P": case_p.id},
        consents={"C1": c1, "C2": c2},
        messages=messages,
        documents=documents,
        markers=marks.markers,
        oracle=oracle,
        records={"C1": r1, "C2": r2},
        packets=packet_ids,
        windows=window_ids,
        meetings=meeting_ids,
        study_series=[series_id],
        materials=[material_id],
    )


def _meetings(db: Session, users, depts, case_id: int, marks: _Marks) -> list[int]:
    """Two conferences of 納税課's case whose purposes carry markers of an agenda category:
    with ぷらっとホーム (arrears, life) and with 保険料収納課 (arrears, payment plan), as C1
    allows them."""
    now = datetime.now(UTC)
    made = []
    for code, agenda, category in (
        ("plat", ["arrears", "life_situation"], "life_situation"),
        ("hokenryo", ["arrears", "payment_plan"], "payment_plan"),
    ):
        found = meeting_slots.suggest(db, [depts["nozei"].id], timedelta(hours=1), now, count=3)
        proposal = Proposal(
            department_ids=[depts[code].id],
            agenda=agenda,
            starts=[start for start, _end in found],
            answer_deadline=now + timedelta(hours=1),
            purpose=f"会議の目的 {marks.text('nozei', category, f'MEETING{code.upper()}')}",
            place="第3会議室",
        )
        made.append(meetings.propose(db, users["nozei"], case_id, proposal, now).id)
    db.commit()
    return made


def _study(db: Session, users, depts) -> tuple[int, int, int]:
    """A study series of 納税課 and ぷらっとホーム (defined by the administrator), its first
    session decided, with one material from ぷらっとホーム: no resident data in any of it."""
    now = datetime.now(UTC)
    form = study.SeriesForm(
        title="合同勉強会",
        department_ids=[depts["nozei"].id, depts["plat"].id],
        first_month=(now + timedelta(days=20)).date().replace(day=1),
        interval_months=1,
        week_of_month=5,
        weekday=2,
    )
    series = study.create_series(db, users["admin"], form)
    session = study.propose_next(db, series, now)
    meetings.choose(db, users["nozei"], session.id, session.slots[0].id, now)
    material = study_materials.add(
        db, users["plat"], session.id, samples.docx("連携の手引き"), "tebiki.docx", "手引き"
    )
    db.commit()
    return series.id, session.id, material.id


def _packets(db: Session, users, depts, case_id: int) -> dict[str, int]:
    """納税課's packets of its case: its own copy, one on paper, one sent as a share."""
    made = {}
    for code, method, fmt in (
        ("nozei", "own", "pdf"),
        ("plat", "paper", "docx"),
        ("hokenryo", "share", "pdf"),
    ):
        data = {"recipient_id": depts[code].id, "method": method, "format": fmt}
        job = packets.request_packet(
            db, users["nozei"], case_id, data, today=jp.today(), now=datetime.now(UTC)
        )
        db.commit()
        made[code] = job.id
    return made


def pools(city: FlowCity, db: Session) -> dict[str, list[int]]:
    """The ids the crawl (tests/access/crawl.py) fills each route argument with."""
    notifications = db.scalars(select(Notification.id).order_by(Notification.id)).all()
    db.rollback()
    return {
        "notification_id": list(notifications),
        "case_id": sorted(city.cases.values()),
        "resident_id": [city.resident.id],
        "consent_id": sorted(city.consents.values()),
        "message_id": city.messages,
        "document_id": sorted({d for _m, d in city.documents}),
        "department_id": [city.departments["nozei"].id],
        "user_id": [city.users["nozei"].id],
        # Planned only, never read, in the plan's own tests: any id will do there.
        "packet_id": sorted(city.packets.values()) or [1],
        "window_id": city.windows[:1],
        "meeting_id": city.meetings,
        "series_id": city.study_series,
        "material_id": city.materials,
    }


def withdraw(db: Session, city: FlowCity, name: str, day: date) -> None:
    """The resident withdraws a consent, recorded by the department that obtained it."""
    record = city.records[name]
    owner = "nozei" if name == "C1" else "plat"
    consents.withdraw(
        db,
        city.users[owner],
        city.resident.id,
        city.consents[name],
        {"withdrawn_on": day.isoformat(), "method": "oral", "reason": "本人の申出"},
    )
    db.commit()
    record.withdrawn_on = day
