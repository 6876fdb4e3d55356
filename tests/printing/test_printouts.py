"""Printouts read back as a person would: the hearing sheet cut for its reader, the mailbox's
forms as they were sent (and refused once recalled), the 提供記録 of each department, and
the 相談先のご案内 handout with the resident's name and nothing else personal."""

from __future__ import annotations

import re

import pytest
from access.flow_city import withdraw
from mailkit import key
from sqlalchemy import select

from helpers import PASSWORD, csrf_token, login
from hub import jp
from hub.mailbox import sharing_requests
from hub.mailbox.models import Message, MessageKind
from hub.models import ClaimType
from printing.texts import docx_text, markers_in, pdf_text


@pytest.fixture
def city(bare_city):
    """The flow city without its packets: these tests make their own."""
    return bare_city


def allowed(city, viewer: str) -> set[tuple[str, str]]:
    dept, today = city.departments[viewer].id, jp.today()
    return {
        (m.owner, m.category)
        for m in city.markers
        if city.oracle.may_see(city.departments[m.owner].id, dept, m.category, today)
    }


def test_the_sheet_and_the_handout_are_printed_as_their_reader_may_see_them(app, db, city, staff):
    case = city.cases["A"]
    nozei = staff(city, "nozei")
    own = pdf_text(nozei.get(f"/cases/{case}/sheet/print").data)
    assert {c for o, c in markers_in(own, city, "nozei")} >= {
        "arrears", "payment_plan", "household_budget", "private_debts", "assets", "life_situation",
    }  # fmt: skip
    assert "共通目安の判断" in own and "同意の範囲外" not in own
    first = pdf_text(nozei.get(f"/cases/{case}/sheet/print?version=1").data)
    assert "MKNOZEIARR1" in first and "MKNOZEIARR2" not in first and "第1版" in first
    plat = staff(city, "plat")
    cut = plat.get(f"/cases/{case}/sheet/print")
    assert cut.headers["Content-Disposition"].startswith("attachment;")
    assert city.resident.name not in cut.headers["Content-Disposition"]
    text = pdf_text(cut.data)
    assert markers_in(text, city) <= allowed(city, "plat")
    assert ("nozei", "arrears") in markers_in(text, city)
    squeezed = re.sub(r"\s+", "", text)
    assert "同意の範囲外のため記載していません：納付計画、民間債務の状況、財産の状況" in squeezed
    words = docx_text(staff(city, "hokenryo").get(f"/cases/{case}/sheet/print?format=docx").data)
    assert markers_in(words, city) <= allowed(city, "hokenryo")
    assert ("nozei", "private_debts") in markers_in(words, city)
    assert staff(city, "kaigo").get(f"/cases/{case}/sheet/print").status_code == 404
    wrong = nozei.get(f"/cases/{case}/sheet/print?format=xls")
    assert wrong.status_code == 400 and "pdf または docx" in wrong.get_data(as_text=True)
    assert nozei.get(f"/cases/{case}/sheet/print?version=abc").status_code == 404
    missing = nozei.get(f"/cases/{case}/sheet/print?version=9")
    assert (
        missing.status_code == 404
        and "この版のヒアリングシートはありません" in missing.get_data(as_text=True)
    )
    # The handout: suggested from what the reader may see; the name is its only personal data.
    admin = app.test_client()
    assert login(admin, city.users["admin"], PASSWORD).status_code == 302
    token = csrf_token(admin, "/admin/windows/new")
    created = admin.post(
        "/admin/windows/new",
        data={
            "csrf_token": token,
            "name": "介護の相談窓口",
            "what_for": "家族の介護と生活の相談",
            "phone": "03-5432-9999",
            "criteria": "6",
            "is_active": "1",
            "sort_order": "5",
        },
    )
    assert created.status_code == 302
    assert staff(city, "nozei").get("/admin/windows/").status_code == 403
    resident = city.resident.id
    # 納税課 judged 目安6 該当: ぷらっとホーム (given 生活状況) is offered the window,
    # 保険料収納課 (not given it) is not.
    for code, offered in (("nozei", True), ("plat", True), ("hokenryo", False)):
        page = staff(city, code).get(f"/residents/{resident}/handout").get_data(as_text=True)
        row = page.split("介護の相談窓口")[0].rsplit("<tr", 1)[1]
        assert ("checked" in row) is offered, code
    nozei = staff(city, "nozei")
    text = pdf_text(nozei.get(f"/residents/{resident}/handout/print").data)
    assert "相談先のご案内" in text and f"{city.resident.name}" in text
    assert "介護の相談窓口" in text and "03-5432-9999" in text
    for personal in (city.resident.atena_no, city.resident.kana, "MK"):
        assert personal not in text
    many = "&".join(f"window={w}" for w in [*city.windows, *range(1, 6)])
    assert nozei.get(f"/residents/{resident}/handout/print?{many}").status_code == 400
    assert nozei.get(f"/residents/{resident}/handout/print?window=999").status_code == 400
    assert staff(city, "admin").get(f"/residents/{resident}/handout").status_code == 403


def _policy_share(db, nozei, city) -> int:
    """納税課 decides per claim on the compose page and shares it with 保険料収納課."""
    kuminzei = db.scalar(select(ClaimType.id).where(ClaimType.code == "kuminzei"))
    db.rollback()
    form = {
        "kind": "share",
        "case_id": str(city.cases["A"]),
        "recipient_ids": str(city.departments["hokenryo"].id),
        "subject": "今後の方針",
        "policy_pattern": "2",
        "policy_note": "分割納付で生活再建を支える",
        "policy_claim": str(kuminzei),
        f"policy_decision_{kuminzei}": "payment_plan",
        f"policy_monthly_{kuminzei}": "１０，０００",
        f"policy_months_{kuminzei}": "12",
        f"policy_start_{kuminzei}": "令和9年1月",
        f"policy_until_{kuminzei}": "2027-12",
        "idempotency_key": key(),
    }
    answer = nozei.post("/mailbox/compose", form)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    return int(answer.headers["Location"].rsplit("/", 1)[1])


def test_mailbox_forms_print_as_sent_and_the_provisions_are_recorded(db, city, staff):
    nozei, hokenryo, plat = staff(city, "nozei"), staff(city, "hokenryo"), staff(city, "plat")
    message_id = _policy_share(db, nozei, city)
    for reader in (nozei, hokenryo):  # the sender's copy and the recipient's
        text = re.sub(
            r"\s+", "", pdf_text(reader.get(f"/mailbox/messages/{message_id}/print").data)
        )
        assert "徴収可否の判断・今後の方針" in text and "②生活再建の見込みあり" in text
        assert "納付計画（分割納付）" in text and "10,000円" in text and "12回" in text
        assert "令和9年1月〜" in text and "令和9年12月" in text
    feedback = db.scalar(select(Message.id).where(Message.kind == MessageKind.FEEDBACK))
    body = ("相談の経過。" * 1666)[:9990] + "123,456円"  # 10,000 characters of free text
    answered = sharing_requests.send_feedback(
        db,
        city.users["plat"],
        city.messages[0],
        {"done": "再度面談", "support_status": "in_support", "idempotency_key": key()},
    ).message
    answered.body = body
    db.commit()
    for number, wanted in ((feedback, "MKPLATFEEDBACK"), (answered.id, "123,456円")):
        printed = nozei.get(f"/mailbox/messages/{number}/print")
        assert printed.status_code == 200
        text = pdf_text(printed.data)
        assert "フィードバック票" in text and wanted in text
    words = docx_text(plat.get(f"/mailbox/messages/{feedback}/print?format=docx").data)
    assert "MKPLATFEEDBACK" in words and "フィードバック票" in words
    asked = sharing_requests.request_sharing(
        db,
        city.users["plat"],
        city.cases["A"],
        {
            "department_ids": [city.departments["nozei"].id],
            "categories": ["arrears"],
            "note": "支援計画のため",
            "idempotency_key": key(),
        },
    ).message
    db.commit()
    request = re.sub(r"\s+", "", pdf_text(nozei.get(f"/mailbox/messages/{asked.id}/print").data))
    assert "情報共有依頼書" in request and "滞納状況" in request and "支援計画のため" in request
    notice = db.scalar(select(Message.id).where(Message.kind == MessageKind.NOTICE))
    nothing = nozei.get(f"/mailbox/messages/{notice}/print")
    assert nothing.status_code == 404 and "印刷する様式がありません" in nothing.get_data(
        as_text=True
    )
    assert staff(city, "kaigo").get(f"/mailbox/messages/{message_id}/print").status_code == 404
    withdraw(db, city, "C1", jp.today())
    refused = hokenryo.get(f"/mailbox/messages/{message_id}/print")
    assert refused.status_code == 409 and "取り消されました" in refused.get_data(as_text=True)
    assert nozei.get(f"/mailbox/messages/{message_id}/print").status_code == 200  # its copy
    # 提供記録: each department sees the provisions it made or received, recalls dated.
    resident = city.resident.id
    rows = {
        code: _rows(
            staff(city, code).get(f"/residents/{resident}/disclosures").get_data(as_text=True)
        )
        for code in ("nozei", "hokenryo", "plat", "kaigo")
    }
    assert len(rows["nozei"]) == 6  # m1, m2, m4, two feedbacks, the policy share
    assert all("保険料収納課" in r for r in rows["hokenryo"]) and len(rows["hokenryo"]) == 2
    assert not any("ぷらっとホーム" in r for r in rows["hokenryo"])  # others' exchanges
    assert all("ぷらっとホーム世田谷" in r for r in rows["plat"]) and len(rows["plat"]) == 4
    assert rows["kaigo"] == []
    assert staff(city, "admin").get(f"/residents/{resident}/disclosures").status_code == 403
    url = f"/residents/{resident}/disclosures/print?purpose=disclosure_request&number=R8-17"
    text = re.sub(r"\s+", "", pdf_text(nozei.get(url).data))
    assert (
        "個人情報の提供記録" in text
        and "保有個人情報の開示請求に対する開示（受付番号R8-17）" in text
    )
    assert f"取消し{jp.wareki(jp.today())}" in text and "同意書番号1" in text
    assert "納税課が提供元または提供先となった提供です" in text
    assert nozei.get(f"/residents/{resident}/disclosures/print?from=someday").status_code == 400


def _rows(page: str) -> list[str]:
    """The rows of the 提供記録 page's table (none when it says there are none)."""
    body = page.split('id="rows-title"')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).strip() for row in body.split("<tr>")[1:]]
    return [r for r in rows if "記録はありません" not in r]
