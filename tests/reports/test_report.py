"""連携状況等確認: the counts against a hand-built city, the small cells withheld in every output,
and who sees which figures (a manager their department's, the administrator the city's)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from printing.texts import pdf_text

from helpers import login
from hub.documents.consent.models import Consent, ConsentStatus
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet, Outcome
from hub.mailbox.models import (
    Delivery,
    LegalBasis,
    Message,
    MessageKind,
    MessageStatus,
)
from hub.models import Case, Department, Role, Setting, User
from hub.reports import figures

FROM, TO = date(2026, 4, 1), date(2026, 11, 30)
INSIDE = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
BEFORE = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
QUERY = f"from={FROM.isoformat()}&to={TO.isoformat()}"


@dataclass
class City:
    nozei: Department
    plat: Department
    kaigo: Department
    manager: User
    plat_manager: User
    staff: User
    admin: User


def _message(db, sender: User, kind: MessageKind, sent_at: datetime, case: Case | None):
    message = Message(
        kind=kind,
        status=MessageStatus.SENT,
        basis=LegalBasis.CONSENT,
        case_id=case.id if case else None,
        resident_id=case.resident_id if case else None,
        sender_department_id=sender.department_id,
        sender_user_id=sender.id,
        subject="件名",
        sent_at=sent_at,
    )
    db.add(message)
    db.flush()
    return message


def _deliver(db, message: Message, to: Department, **state) -> Delivery:
    delivery = Delivery(message_id=message.id, department_id=to.id, **state)
    db.add(delivery)
    return delivery


@pytest.fixture
def city(db, make_department, make_user, make_resident) -> City:
    nozei, plat = (
        make_department("納税課", code="nozei"),
        make_department("ぷらっとホーム", code="plat"),
    )
    kaigo = make_department("介護保険課", code="kaigo")
    manager = make_user(Role.MANAGER, department=nozei, login_id="nozei-mgr")
    plat_manager = make_user(Role.MANAGER, department=plat, login_id="plat-mgr")
    staff = make_user(department=nozei, login_id="nozei01")
    admin = make_user(Role.ADMIN, department=kaigo, login_id="admin")
    resident = make_resident(department=nozei)
    cases = []
    for n, (lead, opened) in enumerate(
        [(nozei, INSIDE)] * 4 + [(plat, INSIDE), (nozei, BEFORE)], 1
    ):
        case = Case(
            resident_id=resident.id,
            lead_department_id=lead.id,
            created_by_id=manager.id if lead is nozei else plat_manager.id,
            opened_at=opened + timedelta(minutes=n),
        )
        db.add(case)
        cases.append(case)
    db.flush()
    # Consents: 納税課 takes 3 in the period (one withdrawn in it), one before; plat one.
    for obtained, withdrawn, dept, user in (
        (date(2026, 5, 1), None, nozei, manager),
        (date(2026, 6, 1), None, nozei, manager),
        (date(2026, 7, 1), date(2026, 8, 1), nozei, manager),
        (date(2026, 1, 10), None, nozei, manager),
        (date(2026, 9, 1), None, plat, plat_manager),
    ):
        db.add(
            Consent(
                resident_id=resident.id,
                obtaining_department_id=dept.id,
                obtained_by_id=user.id,
                obtained_on=obtained,
                status=ConsentStatus.WITHDRAWN if withdrawn else ConsentStatus.ACTIVE,
                valid_until=date(2027, 3, 31),
                withdrawn_on=withdrawn,
            )
        )
    # Shares: 納税課→ぷらっとホーム 5 (on 3 cases), 納税課→介護保険課 1, ぷらっとホーム→納税課 2,
    # and one before the period. Feedback due in the period on the first five: 3 on time,
    # 1 late (received 4 days after its due day), 1 never received.
    for n in range(5):
        share = _message(db, manager, MessageKind.SHARE, INSIDE, cases[n % 3])
        due = date(2026, 6, 15)
        received = [
            datetime(2026, 6, 10, tzinfo=UTC),
            datetime(2026, 6, 11, tzinfo=UTC),
            datetime(2026, 6, 12, tzinfo=UTC),
            datetime(2026, 6, 19, tzinfo=UTC),
            None,
        ][n]
        _deliver(
            db,
            share,
            plat,
            delivered_at=INSIDE,
            feedback_due=due,
            feedback_received_at=received,
        )
    _deliver(db, _message(db, manager, MessageKind.SHARE, INSIDE, cases[0]), kaigo)
    for _ in range(2):
        _deliver(db, _message(db, plat_manager, MessageKind.SHARE, INSIDE, cases[4]), nozei)
    _deliver(db, _message(db, manager, MessageKind.SHARE, BEFORE, cases[5]), plat)
    # Sharing requests ぷらっとホーム→納税課: 4, of which 2 answered, 1 declined, 1 open.
    for state in (
        {"feedback_received_at": INSIDE},
        {"feedback_received_at": INSIDE},
        {"declined_at": INSIDE},
        {},
    ):
        asked = _message(db, plat_manager, MessageKind.SHARING_REQUEST, INSIDE, cases[4])
        _deliver(db, asked, nozei, **state)
    # 共通目安1 judged 該当 on 3 of 納税課's cases, 共通目安2 on one.
    for case, criterion in ((cases[0], 1), (cases[1], 1), (cases[2], 1), (cases[3], 2)):
        sheet = HearingSheet(
            case_id=case.id,
            version=1,
            data={},
            figures={},
            author_id=manager.id,
            department_id=nozei.id,
        )
        db.add(sheet)
        db.flush()
        db.add(
            CriteriaJudgement(
                case_id=case.id,
                sheet_id=sheet.id,
                criterion=criterion,
                suggestion=Outcome.MET,
                decision=Outcome.MET,
                judged_by_id=manager.id,
                department_id=nozei.id,
                judged_at=INSIDE,
            )
        )
    db.commit()
    return City(nozei, plat, kaigo, manager, plat_manager, staff, admin)


def _table(report: figures.Report, key: str) -> dict[str, str]:
    table = next(t for t in report.tables if t.key == key)
    return {label: report.cell(counts[0]) for label, counts in table.rows}


def test_the_city_counts_with_small_cells_withheld(db, city):
    report = figures.collaboration(db, city.admin, figures.Period(FROM, TO))
    assert report.scope.label == "市全体" and report.threshold == 3
    assert _table(report, "cases") == {
        "開始したケース": "5",
        "他の所管課と情報を共有したケース": "4",
    }
    assert _table(report, "consents") == {
        "取得した同意": "4",
        "期間末に有効な同意": "4",  # 3 taken in the period still active + the one from January
        "撤回された同意": "3未満",
        "期限切れになった同意": "0",
    }
    assert _table(report, "shares") == {
        "ぷらっとホーム → 納税課": "3未満",
        "納税課 → ぷらっとホーム": "5",  # the share before the period is not counted
        "納税課 → 介護保険課": "3未満",
    }
    assert _table(report, "requests") == {
        "依頼（宛先ごと）": "4",
        "提供で回答": "3未満",
        "提供できない旨の回答": "3未満",
        "未回答": "3未満",
    }
    feedback = next(t for t in report.tables if t.key == "feedback")
    assert _table(report, "feedback") == {
        "期限内に受領": "3",
        "期限後に受領": "3未満",
        "未受領": "3未満",
    }
    # Received 9, 10, 11 and 18 days after delivery: the median of four is 10.5 days.
    assert "10.5日" in feedback.note
    criteria = _table(report, "criteria")
    assert criteria["1. 失職等による収入減・就労希望"] == "3"
    assert criteria["2. 家賃の負担が大きい"] == "3未満"
    assert list(criteria.values())[2:] == ["0"] * 4


def test_a_manager_sees_the_figures_of_their_own_department(db, city):
    mine = figures.collaboration(db, city.plat_manager, figures.Period(FROM, TO))
    assert mine.scope.label == "ぷらっとホーム"
    cases = next(t for t in mine.tables if t.key == "cases")
    assert cases.rows[0][1] == (1,)  # the one case ぷらっとホーム leads
    shares = {label for label, _ in next(t for t in mine.tables if t.key == "shares").rows}
    assert "納税課 → 介護保険課" not in shares  # a pair ぷらっとホーム is not part of
    consents = dict(next(t for t in mine.tables if t.key == "consents").rows)
    assert consents["取得した同意"] == (1,)
    with pytest.raises(figures.Forbidden):
        figures.collaboration(db, city.staff, figures.Period(FROM, TO))


def test_a_lower_threshold_shows_the_small_counts(db, city):
    db.merge(Setting(key="reports.small_cell", value=1))
    db.commit()
    report = figures.collaboration(db, city.admin, figures.Period(FROM, TO))
    assert _table(report, "requests")["提供で回答"] == "2"


def test_screen_csv_and_pdf_show_the_same_withheld_cells(client, db, city):
    assert login(client, city.manager).status_code == 302
    page = client.get(f"/reports/collaboration?{QUERY}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "連携状況等確認" in html and "<svg" in html
    assert "3未満" in html and "令和8年4月1日〜令和8年11月30日" in html
    utf8 = client.get(f"/reports/collaboration.csv?{QUERY}")
    assert utf8.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(utf8.data.decode("utf-8-sig"))))
    assert ["納税課 → ぷらっとホーム", "5"] in rows and ["未回答", "3未満"] in rows
    sjis = client.get(f"/reports/collaboration.csv?{QUERY}&encoding=cp932")
    assert ["未回答", "3未満"] in list(csv.reader(io.StringIO(sjis.data.decode("cp932"))))
    assert client.get("/reports/collaboration.csv?encoding=latin1").status_code == 400
    pdf = client.get(f"/reports/collaboration.pdf?{QUERY}")
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "連携状況等確認" in text and "3未満" in text and "山田" not in text


def test_a_backwards_period_is_a_clear_400(client, city):
    assert login(client, city.manager).status_code == 302
    answer = client.get("/reports/collaboration?from=2026-11-01&to=2026-10-01")
    assert answer.status_code == 400
    assert "終了日は開始日以降にしてください" in answer.get_data(as_text=True)
    wrong = client.get("/reports/collaboration?from=2026-13-01")
    assert wrong.status_code == 400 and "開始日" in wrong.get_data(as_text=True)


def test_staff_are_refused_and_the_refusal_is_audited(client, db, city):
    from hub.models import AuditEvent

    assert login(client, city.staff).status_code == 302
    assert client.get("/reports/collaboration").status_code == 403
    assert client.get("/reports/collaboration.csv").status_code == 403
    denied = db.query(AuditEvent).filter_by(action="report.view", outcome="denied").count()
    assert denied >= 1


def test_the_meetings_package_adds_the_conferences_held(app, db, city):
    from hub.meetings.models import Meeting, MeetingStatus, Participant

    for n, status in enumerate([MeetingStatus.SCHEDULED] * 3 + [MeetingStatus.CANCELLED]):
        meeting = Meeting(
            organiser_department_id=city.nozei.id,
            created_by_id=city.manager.id,
            answer_deadline=INSIDE,
            status=status,
            starts_at=INSIDE + timedelta(days=n),
            ends_at=INSIDE + timedelta(days=n, hours=1),
            uid=f"report-test-{n}@tsunagu",
            updated_at=INSIDE,  # a cancellation is dated by the last change
        )
        db.add(meeting)
        db.flush()
        db.add(Participant(meeting_id=meeting.id, department_id=city.nozei.id, is_organiser=True))
    db.commit()
    with app.app_context():  # the factory registered the meetings' table
        report = figures.collaboration(db, city.admin, figures.Period(FROM, TO))
        plat = figures.collaboration(db, city.plat_manager, figures.Period(FROM, TO))
    assert _table(report, "conferences") == {
        "開催日が期間内のケース会議（日時決定済み）": "3",
        "中止したケース会議": "3未満",
    }
    assert set(_table(plat, "conferences").values()) == {"0"}  # ぷらっとホーム was not there
