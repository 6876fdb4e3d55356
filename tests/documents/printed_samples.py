"""Sample contracts for the printed documents and the case packet (tests and bench/packets.py).

Every information category carries a unique marker string somewhere in its content, so a test
can prove a packet for a recipient holds no text of the categories it may not see.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fpdf import FPDF

from hub.documents.categories import InformationCategory as C
from hub.documents.hearing import calc
from hub.documents.hearing.criteria import suggest
from hub.documents.hearing.plan import ClaimInfo
from hub.documents.hearing.sections import parse_sheet
from hub.documents.hearing.settings import Params
from hub.documents.packet.contract import Attachment, ConsentScope, PacketData, TimelineRow
from hub.documents.render.consent_form import StatementRow
from hub.documents.render.disclosures import DisclosureRecordData, DisclosureRow
from hub.documents.render.exchanges import FeedbackData, Reply, SharingRequestData, feedback_fields
from hub.documents.render.handout import CounsellingWindow, HandoutData
from hub.documents.render.hearing_input import sheet_data
from hub.documents.render.hearing_sheet import CriterionRow, HearingSheetData
from hub.documents.render.meetings import ActionItem, MinutesData
from hub.documents.render.policy import ClaimDecision, PolicyData

NAME = "𠮷田 髙﨑"
TODAY = date(2026, 12, 4)
GENERATED_AT = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # 10:30 in Japan
CLAIMS = {1: "特別区民税", 2: "国民健康保険料"}
#: One marker per category, written into that category's content only.
MARKERS = {
    C.ARREARS: "MARKARREARS",
    C.PAYMENT_PLAN: "MARKPLAN",
    C.HOUSEHOLD_BUDGET: "MARKBUDGET",
    C.PRIVATE_DEBTS: "MARKDEBTS",
    C.ASSETS: "MARKASSETS",
    C.LIFE_SITUATION: "MARKLIFE",
    C.SUPPORT_STATUS: "MARKSUPPORT",
    C.COLLECTION_DECISION: "MARKDECISION",
}
#: Figures that appear only when the figures are printed (月収入, 納付可能額).
FIGURE_TEXTS = ("225,000円", "30,000円")


def raw_sheet() -> dict:
    """山田さん's household with a marker in every section (the API's input form)."""
    return {
        "arrears": {
            "claims": [
                {
                    "claim_type_id": 1,
                    "amount": "186,400",
                    "periods": "令和6年度 3期〜4期",
                    "notes": f"督促済み {MARKERS[C.ARREARS]}",
                },
                {"claim_type_id": 2, "amount": "142300円", "periods": "R7 1-6期"},
            ]
        },
        "payment_plan": {
            "items": [{"claim_type_id": 1, "monthly": "10000", "start": "2027-01"}],
            "notes": f"口頭で合意 {MARKERS[C.PAYMENT_PLAN]}",
        },
        "household_budget": {
            "take_home": "160,000",
            "other_income": {"pension": "65000"},
            "members": [
                {"relationship": f"母{MARKERS[C.HOUSEHOLD_BUDGET]}", "age": 74, "is_working": False}
            ],
            "expenses": {
                "rent": "85000",
                "food": "42000",
                "utilities": "15000",
                "communication": "8000",
                "insurance": "4000",
                "medical": "6000",
                "transport": "5000",
                "other": "6000",
            },
        },
        "private_debts": {
            "debts": [
                {
                    "kind": "consumer_finance",
                    "creditor": f"A社{MARKERS[C.PRIVATE_DEBTS]}",
                    "total": "60万",
                    "monthly": 18000,
                },
                {"kind": "credit_card", "total": 150000, "monthly": 6000, "is_overdue": False},
            ]
        },
        "assets": {
            "deposits": {"has": True, "value": 30000, "notes": f"普通預金 {MARKERS[C.ASSETS]}"}
        },
        "life_situation": {
            "employment": "lost_job",
            "job_lost_on": "令和7年9月30日",
            "wants_work": True,
            "wants_rebuild": True,
            "work_difficulty": False,
            "family_circumstances": False,
            "notes": f"ハローワークに通っている {MARKERS[C.LIFE_SITUATION]}",
        },
    }


def hearing(visible: Collection[C] | None = None, *, notes: str = "") -> HearingSheetData:
    raw = raw_sheet()
    if notes:
        raw["life_situation"]["notes"] = notes
    data = parse_sheet(raw, set(CLAIMS), today=TODAY)
    infos = {n: ClaimInfo(n, name, 5 if n == 1 else 2) for n, name in CLAIMS.items()}
    figures = calc.compute(data, Params(), infos, TODAY)
    criteria = [
        CriterionRow(
            s.criterion,
            s.outcome.value,
            s.reason,
            decision="" if s.criterion == 6 else ("met" if s.outcome.value == "met" else "not_met"),
            reason="本人の申出による" if s.criterion == 2 else "",
            judged_by="" if s.criterion == 6 else "山田 太郎",
            department="" if s.criterion == 6 else "納税課",
            judged_on=None if s.criterion == 6 else date(2026, 11, 20),
            sheet_version=None if s.criterion == 6 else 3,
        )
        for s in suggest(data, figures, Params())
    ]
    return sheet_data(
        case_reference="ケース 7",
        department="納税課",
        resident_name=NAME,
        version=3,
        saved_on=date(2026, 11, 20),
        author="山田 太郎",
        issued_on=TODAY,
        data=data,
        figures=figures,
        claim_names=CLAIMS,
        criteria=criteria,
        visible=visible,
    )


def policy() -> PolicyData:
    return PolicyData(
        case_reference="ケース 7",
        resident_name=NAME,
        department="納税課",
        decided_by="山田 太郎",
        decided_on=date(2026, 11, 25),
        issued_on=TODAY,
        pattern="2",
        pattern_label="② 生活再建の見込みあり: 相談窓口へ繋ぎ、民間債権の支払状況を踏まえ"
        "各債権課が連携して納付計画を立てる",
        note=f"家計改善支援の結果を見て見直す {MARKERS[C.COLLECTION_DECISION]}",
        claims=(
            ClaimDecision("特別区民税", 186_400, "payment_plan", 17_000, 11, "2026-12", "2027-10"),
            ClaimDecision(
                "国民健康保険料",
                142_300,
                "realization_deferral",
                13_000,
                11,
                "2026-12",
                "2027-10",
                "換価の猶予（1年）",
            ),
            ClaimDecision("介護保険料", 24_000, "suspension", note="滞納繰越分"),
        ),
    )


def feedback(visible: Collection[C] | None = None, n: int = 1) -> FeedbackData:
    content = {
        "done": f"家計改善支援を開始した（第{n}回） {MARKERS[C.SUPPORT_STATUS]}",
        "support_status_label": "支援中",
        "debt_status_label": "債務整理・返済計画の調整中",
        "debt_note": f"法テラスに相談予約 {MARKERS[C.PRIVATE_DEBTS]}",
        "next_steps": "来月、家計表を一緒に見直す",
    }
    fields, withheld = feedback_fields(content, visible)
    return FeedbackData(
        message_number=40 + n,
        case_reference="ケース 7",
        resident_name=NAME,
        sender_department="ぷらっとホーム世田谷",
        sender_staff="佐藤 花子",
        sent_on=date(2026, 11, 26) + timedelta(days=7 * n),
        recipients=("納税課",),
        request_subject="情報共有（滞納状況・収支の状況）",
        requested_on=date(2026, 11, 21),
        due_on=date(2026, 12, 5) + timedelta(days=7 * n),
        fields=fields,
        withheld=withheld,
        replies=(Reply("納税課", "answered", date(2026, 11, 27), "確認しました"),),
    )


def request() -> SharingRequestData:
    return SharingRequestData(
        request_number=5,
        case_reference="ケース 7",
        resident_name=NAME,
        requesting_department="ぷらっとホーム世田谷",
        requested_by="佐藤 花子",
        requested_on=date(2026, 11, 22),
        due_on=date(2026, 12, 1),
        asked=(("納税課", ("滞納状況", "納付計画")), ("国保・年金課", ("滞納状況",))),
        consent_numbers=(12,),
        note="家計改善支援の計画作成のため",
        replies=(
            Reply("納税課", "shared", date(2026, 11, 23)),
            Reply("国保・年金課", "declined", date(2026, 11, 24), "同意の範囲外のため"),
        ),
    )


def consents() -> tuple[ConsentScope, ...]:
    return (
        ConsentScope(
            12,
            "納税課",
            date(2026, 11, 21),
            date(2027, 11, 20),
            "有効",
            (
                StatementRow(
                    "納税課", "ぷらっとホーム世田谷", ("滞納状況", "収支の状況", "生活状況")
                ),
                StatementRow("国保・年金課", "納税課", ("滞納状況",)),
            ),
            ("生活の再建に向けた相談支援を、関係する所管課が連携して行うため",),
        ),
    )


def timeline(count: int = 30) -> tuple[TimelineRow, ...]:
    kinds = ("情報共有", "フィードバック", "情報共有の依頼")
    return tuple(
        TimelineRow(
            on=date(2026, 4, 1) + timedelta(days=2 * i),
            kind=kinds[i % 3],
            sender="納税課" if i % 2 else "ぷらっとホーム世田谷",
            recipients=("ぷらっとホーム世田谷",) if i % 2 else ("納税課", "国保・年金課"),
            subject=f"第{i + 1}回 連絡（家計の状況について）",
            categories=("滞納状況", "収支の状況"),
            state="確認済み" if i % 5 else "取消し（同意撤回）",
        )
        for i in range(count)
    )


def minutes() -> MinutesData:
    return MinutesData(
        case_reference="ケース 7",
        resident_name=NAME,
        department="納税課",
        held_on=date(2026, 11, 30),
        time="14:00〜15:00",
        place="第2会議室",
        attendees=("納税課 山田", "ぷらっとホーム世田谷 佐藤", "国保・年金課 鈴木"),
        agenda=("今後の支援と納付計画",),
        discussion="家計の状況を共有し、納付計画を検討した。",
        decisions=("換価の猶予を申請する",),
        actions=(ActionItem("申請書の案内", "国保・年金課 鈴木", date(2026, 12, 10)),),
    )


def disclosures(count: int = 5) -> DisclosureRecordData:
    rows = tuple(
        DisclosureRow(
            provided_on=date(2019, 4, 30) + timedelta(days=i),
            from_department="納税課",
            to_department="ぷらっとホーム世田谷",
            categories=("滞納状況", "収支の状況"),
            consent_number=12,
            method="紙" if i % 4 == 3 else "ハブ",
            read_on=date(2019, 5, 1) + timedelta(days=i) if i % 3 else None,
            recalled_on=date(2019, 6, 1) if i % 7 == 6 else None,
        )
        for i in range(count)
    )
    return DisclosureRecordData(
        city_name="世田谷区",
        resident_name=NAME,
        atena_no="0012345678",
        issuing_department="納税課",
        issued_on=TODAY,
        purpose="disclosure_request",
        rows=rows,
        request_number="R8-開示-0042",
        contact="世田谷区 納税課 電話 03-5432-2215",
    )


def handout() -> HandoutData:
    windows = (
        CounsellingWindow(
            "ぷらっとホーム世田谷",
            "仕事、住まい、家計など生活全般の困りごと",
            "世田谷区三軒茶屋2-11-22 サンタワーズセンタービル",
            "03-5431-5355",
            "平日 9:00〜17:00",
        ),
        CounsellingWindow(
            "法テラス東京",
            "借金や債務整理など法律の相談（無料相談の案内）",
            "新宿区西新宿1-24-1 エステック情報ビル",
            "0570-078374",
            "平日 9:00〜21:00、土曜 9:00〜17:00",
            "https://www.houterasu.or.jp/",
        ),
        CounsellingWindow(
            "世田谷区 生活福祉課",
            "生活保護の相談",
            "世田谷総合支所",
            "03-5432-2868",
            "平日 8:30〜17:15",
        ),
        CounsellingWindow(
            "ハローワーク渋谷",
            "仕事探し、職業訓練",
            "渋谷区神南1-3-5",
            "03-3476-8609",
            "平日 8:30〜17:15",
        ),
    )
    return HandoutData(
        city_name="世田谷区",
        resident_name=NAME,
        issued_on=TODAY,
        department="納税課",
        contact="納税課 納税相談係（電話 03-5432-2215）",
        windows=windows,
    )


def attachment_pdf(
    pages: int, label: str, *, size: tuple[float, float] = (210, 297), rotate: int = 0
) -> bytes:
    """A small text-only PDF (core font) with ``label`` and the page number on each page."""
    pdf = FPDF(unit="mm", format=size)
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(GENERATED_AT)
    pdf.set_font("helvetica", size=14)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_xy(20, 40)
        pdf.cell(0, 10, f"{label} page {n} of {pages}")
        pdf.set_font_size(10)
        for line in range(30):
            pdf.set_xy(20, 60 + line * 6)
            pdf.cell(0, 5, f"line {line} of the attached document {label}")
        pdf.set_font_size(14)
    data = bytes(pdf.output())
    if rotate:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        for page in writer.pages:
            page.rotate(rotate)
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
    return data


def memory_attachment(data: bytes, title: str) -> Attachment:
    return Attachment(title, lambda: io.BytesIO(data))


def packet(
    visible: Collection[C] | None = None,
    attachments: tuple[Attachment, ...] = (),
    *,
    timeline_rows: int = 30,
    recipient: str = "ぷらっとホーム世田谷",
) -> PacketData:
    """A case packet; with ``visible``, only what that recipient may see (as phase 2 will cut)."""
    shown = set(C) if visible is None else set(visible)
    return PacketData(
        case_reference="ケース 7",
        resident_name=NAME,
        departments=("納税課", "国保・年金課", "ぷらっとホーム世田谷"),
        generating_department="納税課",
        generated_by="山田 太郎",
        generated_at=GENERATED_AT,
        recipient_department=recipient,
        withheld=tuple(c.label for c in C if c not in shown),
        hearing_sheet=hearing(visible),
        consents=consents(),
        policy=policy() if C.COLLECTION_DECISION in shown else None,
        timeline=timeline(timeline_rows),
        feedback=tuple(feedback(visible, n) for n in (1, 2, 3))
        if C.SUPPORT_STATUS in shown
        else (),
        requests=(request(),),
        minutes=(minutes(),),
        attachments=attachments,
    )


def write_attachments(folder: Path, count: int, pages: int) -> tuple[Attachment, ...]:
    """``count`` attachment files of ``pages`` pages in ``folder``, as path attachments."""
    out = []
    for n in range(1, count + 1):
        path = folder / f"attachment-{n}.pdf"
        path.write_bytes(attachment_pdf(pages, f"ATTACHMENT-{n}"))
        out.append(Attachment(f"添付資料 {n}（{pages}ページ）", path))
    return tuple(out)


def damaged_pdf(pages: int = 3, broken_page: int = 2) -> bytes:
    """A PDF whose page tree is fine but one page's content object is not parseable."""
    import re

    from pypdf import PdfReader

    data = attachment_pdf(pages, "DAMAGED")
    ref = PdfReader(io.BytesIO(data)).pages[broken_page - 1].raw_get("/Contents")
    start = re.search(rb"\n%d 0 obj" % ref.idnum, data).start() + 1
    return data[:start] + data[start : start + 40].replace(b"<<", b"[[") + data[start + 40 :]
