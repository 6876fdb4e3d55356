"""The mailbox screens: what each department sees, refusals, double submits, search privacy,
tombstones, greyed recipients and approvals — through the test client."""

from __future__ import annotations

import re

import pytest
import uploads_samples as samples
from sqlalchemy import func, select

from helpers import csrf_token
from hub import jp
from hub.documents.consent import services as consent_services
from hub.mailbox import send
from hub.mailbox.compose import Upload
from hub.mailbox.models import Delivery, Message, MessageStatus

BODY = "山田さんの滞納状況を共有します。\n<b>太字にならない</b>"


def _share(db, setagaya, *, login="nozei01", to=("hokenryo", "plat"), uploads=(), **extra):
    """Send a share of the sheet's 滞納状況・収支の状況 through the service; commit."""
    data = {
        "kind": "share",
        "case_id": setagaya.case_id,
        "recipient_ids": [setagaya.departments[c] for c in to],
        "subject": "共通ヒアリングシートの共有",
        "body": BODY,
        "sheet_version": "1",
        "sheet_categories": ["arrears", "household_budget"],
        **extra,
    }
    message = send.send(db, setagaya.users[login], data, list(uploads)).message
    db.commit()
    return message


def _compose_form(setagaya, token, recipients, key="key-0123456789", **extra):
    return {
        "csrf_token": token,
        "kind": "share",
        "case_id": str(setagaya.case_id),
        "recipient_ids": [str(setagaya.departments[c]) for c in recipients],
        "subject": "共有します",
        "body": "よろしくお願いします",
        "sheet_version": "1",
        "sheet_categories": ["arrears", "household_budget"],
        "idempotency_key": key,
        **extra,
    }


def _count(db, model) -> int:
    n = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return n


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_pages_render_for_staff_of_both_sides(setagaya, as_user, db):
    message = _share(db, setagaya, feedback_due=jp.today().isoformat())
    nozei = as_user("nozei01")
    case = setagaya.case_id
    for url in (
        "/mailbox/",
        "/mailbox/sent",
        "/mailbox/followups",
        "/mailbox/notifications",
        f"/mailbox/compose?case_id={case}",
        "/mailbox/compose?kind=notice",
        f"/mailbox/cases/{case}/request",
        f"/mailbox/messages/{message.id}",
        f"/cases/{case}",
    ):
        response = nozei.get(url)
        assert response.status_code == 200, url
    sender_view = _text(nozei.get(f"/mailbox/messages/{message.id}"))
    assert "宛先ごとの受領状況" in sender_view and "未開封" in sender_view
    # The body is plain text: escaped, line breaks kept by CSS (white-space: pre-wrap).
    assert "&lt;b&gt;太字にならない&lt;/b&gt;" in sender_view
    assert "この事案で連絡を作成" in _text(nozei.get(f"/cases/{case}"))

    plat = as_user("plat01")
    inbox = _text(plat.get("/mailbox/"))
    assert "共通ヒアリングシートの共有" in inbox
    assert 'aria-label="連絡（未読1件）"' in inbox
    page = _text(plat.get(f"/mailbox/messages/{message.id}"))
    assert "滞納状況" in page and "確認しました" in page and "フィードバックを送信" in page
    assert (
        "民間債務の状況"
        not in re.sub(r"<select.*?</select>", "", page, flags=re.S).split("フィードバック")[0]
    )  # the shared copy holds only the chosen sections
    assert 'aria-label="連絡（未読0件）"' in _text(plat.get("/mailbox/"))
    assert "回答する必要があるもの（1件）" in _text(plat.get("/mailbox/followups"))


def test_acknowledge_and_feedback_reach_the_sender(setagaya, as_user, db):
    message = _share(db, setagaya, feedback_due=jp.today().isoformat())
    plat = as_user("plat01")
    plat.get(f"/mailbox/messages/{message.id}")
    token = csrf_token(plat, "/mailbox/")
    done = plat.post(f"/mailbox/messages/{message.id}/acknowledge", data={"csrf_token": token})
    assert done.status_code == 302
    feedback = {
        "csrf_token": token,
        "done": "初回面談を実施",
        "support_status": "in_support",
        "idempotency_key": "feedback-key-1",
    }
    assert plat.post(f"/mailbox/messages/{message.id}/feedback", data=feedback).status_code == 302
    page = _text(as_user("nozei01").get(f"/mailbox/messages/{message.id}"))
    assert "確認済み" in page and "回答受領" in page and "平良 結衣" in page


def test_feedback_form_errors_are_shown_on_the_message(setagaya, as_user, db):
    message = _share(db, setagaya)
    plat = as_user("plat01")
    token = csrf_token(plat, "/mailbox/")
    bad = {"csrf_token": token, "done": "", "support_status": "nonsense"}
    response = plat.post(f"/mailbox/messages/{message.id}/feedback", data=bad)
    assert response.status_code == 400
    assert 'id="e-support_status"' in _text(response)


def test_administrators_get_403_on_mailbox_pages(setagaya, as_user, db):
    message = _share(db, setagaya)
    admin = as_user("admin")
    urls = ("/mailbox/", "/mailbox/sent", f"/mailbox/messages/{message.id}", "/mailbox/compose")
    for url in urls:
        assert admin.get(url).status_code == 403, url


def test_other_departments_are_told_a_message_does_not_exist(setagaya, as_user, db):
    message = _share(db, setagaya)
    kaigo = as_user("kaigo01")
    assert kaigo.get(f"/mailbox/messages/{message.id}").status_code == 404
    doc = message.documents[0].id
    assert kaigo.get(f"/mailbox/messages/{message.id}/documents/{doc}").status_code == 404
    assert "共通ヒアリングシートの共有" not in _text(kaigo.get("/mailbox/"))


def test_compose_greys_out_recipients_the_consent_does_not_cover(setagaya, as_user):
    page = _text(as_user("nozei01").get(f"/mailbox/compose?case_id={setagaya.case_id}"))
    kaigo = setagaya.departments["kaigo"]
    box = re.search(rf'<input type="checkbox" name="recipient_ids" value="{kaigo}"[^>]*>', page)
    assert box and "disabled" in box.group(0)
    reason = re.search(rf'id="reason-{kaigo}">([^<]*)<', page).group(1)
    assert "介護保険課への提供を認める有効な同意がありません" in reason
    plat = setagaya.departments["plat"]
    box = re.search(rf'<input type="checkbox" name="recipient_ids" value="{plat}"[^>]*>', page)
    assert "disabled" not in box.group(0)


def test_the_options_endpoint_names_departments_and_reasons_only(setagaya, as_user):
    client = as_user("nozei01")
    url = f"/mailbox/compose/options?case_id={setagaya.case_id}&categories=private_debts"
    data = client.get(url).get_json()
    by_id = {o["id"]: o for o in data["recipients"]}
    assert by_id[setagaya.departments["plat"]]["allowed"] is True
    assert by_id[setagaya.departments["hokenryo"]]["allowed"] is False
    assert "山田" not in str(data) and "0001000001" not in str(data)


def test_a_refused_send_lists_each_recipient_and_sends_nothing(setagaya, as_user, db):
    client = as_user("nozei01")
    token = csrf_token(client, "/mailbox/")
    form = _compose_form(setagaya, token, ["hokenryo", "kaigo"], body="本文は残る")
    response = client.post("/mailbox/compose", data=form)
    assert response.status_code == 409
    page = _text(response)
    assert "送信しませんでした" in page
    refusal = page.split('class="panel mb-refusal"')[1].split("</section>")[0]
    assert "介護保険課" in refusal and "滞納状況" in refusal and "収支の状況" in refusal
    assert "保険料収納課" not in refusal  # covered: not listed as missing
    assert "本文は残る" in page  # the user's input is kept
    assert _count(db, Message) == 0 and _count(db, Delivery) == 0


def test_sending_the_same_form_twice_makes_one_message(setagaya, as_user, db):
    client = as_user("nozei01")
    token = csrf_token(client, "/mailbox/")
    form = _compose_form(setagaya, token, ["hokenryo", "plat"], key="same-key-123456")
    first = client.post("/mailbox/compose", data=form)
    second = client.post("/mailbox/compose", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(db, Message) == 1 and _count(db, Delivery) == 2


def test_search_words_stay_out_of_urls(setagaya, as_user, db):
    _share(db, setagaya)
    client = as_user("hokenryo01")
    token = csrf_token(client, "/mailbox/")
    response = client.post(
        "/mailbox/search", data={"csrf_token": token, "q": "ﾔﾏﾀﾞ", "back": "inbox", "unread": "1"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "ﾔﾏﾀﾞ" not in location and "%EF%BE" not in location and "q=" not in location
    page = client.get(location)
    text = _text(page)
    assert "共通ヒアリングシートの共有" in text and "検索結果" in text
    assert "ﾔﾏﾀﾞ" not in page.request.url
    cookie = client.get_cookie("tsunagu_session").value
    assert "ﾔﾏﾀﾞ" not in cookie and "yamada" not in cookie.lower()
    miss = client.post("/mailbox/search", data={"csrf_token": token, "q": "スズキ"})
    assert "条件に合う連絡はありません" in _text(client.get(miss.headers["Location"]))
    cleared = client.post("/mailbox/search/clear", data={"csrf_token": token})
    assert "共通ヒアリングシートの共有" in _text(client.get(cleared.headers["Location"]))


def test_withdrawal_leaves_a_tombstone_and_the_download_answers_409(setagaya, as_user, db):
    upload = Upload("収支メモ.pdf", samples.fpdf_pdf("budget memo"))
    message = _share(db, setagaya, uploads=[upload], attachment_categories=["household_budget"])
    attachment = next(d for d in message.documents if d.stored_file_id)
    plat = as_user("plat01")
    url = f"/mailbox/messages/{message.id}/documents/{attachment.id}"
    downloaded = plat.get(url)
    assert downloaded.status_code == 200 and downloaded.data.startswith(b"%PDF")
    assert "filename*=UTF-8''" in downloaded.headers["Content-Disposition"]

    withdrawal = {"withdrawn_on": jp.today().isoformat(), "method": "oral", "reason": "本人の申出"}
    staff = setagaya.users["nozei01"]
    resident_id = message.resident_id
    consent_services.withdraw(db, staff, resident_id, setagaya.consent_id, withdrawal)
    db.commit()

    page = plat.get(f"/mailbox/messages/{message.id}")
    text = _text(page)
    assert page.status_code == 200
    assert "取り消された連絡" in text and "納税課" in text
    assert "撤回されました" in text and jp.wareki(jp.today()) in text  # the reason and the day
    assert "滞納状況を共有します" not in text and "共通ヒアリングシートの共有" not in text
    assert plat.get(url).status_code == 409
    assert "取消し" in _text(plat.get("/mailbox/"))
    # The sender keeps its copy and sees the recall on its receipts.
    sender = _text(as_user("nozei01").get(f"/mailbox/messages/{message.id}"))
    assert "滞納状況を共有します" in sender and "取消し" in sender


def test_approval_flow_holds_a_share_until_a_manager_approves(setagaya, as_user, db):
    from hub.models import Department

    db.get(Department, setagaya.departments["nozei"]).requires_approval = True
    db.commit()
    staff = as_user("nozei01")
    token = csrf_token(staff, "/mailbox/")
    sent = staff.post("/mailbox/compose", data=_compose_form(setagaya, token, ["plat"]))
    assert sent.status_code == 302
    message = db.scalar(select(Message))
    assert message.status == MessageStatus.PENDING_APPROVAL
    db.rollback()
    assert staff.get("/mailbox/approvals").status_code == 403

    manager = as_user("nozei-mgr")
    page = _text(manager.get("/mailbox/approvals"))
    assert "共有します" in page and 'aria-label="承認待ち（1件）"' in page
    mtoken = csrf_token(manager, "/mailbox/approvals")
    no_comment = manager.post(
        f"/mailbox/approvals/{message.id}/return", data={"csrf_token": mtoken, "comment": ""}
    )
    assert no_comment.status_code == 400
    approved = manager.post(
        f"/mailbox/approvals/{message.id}/approve", data={"csrf_token": mtoken, "comment": "可"}
    )
    assert approved.status_code == 302
    assert "承認待ちの連絡はありません" in _text(manager.get("/mailbox/approvals"))
    assert "共有します" in _text(as_user("plat01").get("/mailbox/"))
    assert "承認されました" in _text(staff.get("/mailbox/notifications"))


def test_a_manager_returns_a_share_with_a_comment(setagaya, as_user, db):
    from hub.models import Department

    db.get(Department, setagaya.departments["nozei"]).requires_approval = True
    db.commit()
    message = _share(db, setagaya)
    manager = as_user("nozei-mgr")
    token = csrf_token(manager, "/mailbox/approvals")
    returned = manager.post(
        f"/mailbox/approvals/{message.id}/return",
        data={"csrf_token": token, "comment": "同意書の写しも添付してください"},
    )
    assert returned.status_code == 302
    page = _text(as_user("nozei01").get(f"/mailbox/messages/{message.id}"))
    assert "差戻し" in page and "同意書の写しも添付してください" in page


@pytest.mark.parametrize("ticked", [True, False])
def test_the_department_form_sets_requires_approval(setagaya, as_user, db, ticked):
    from hub.models import Department

    admin = as_user("admin")
    dept_id = setagaya.departments["nozei"]
    form = _text(admin.get(f"/admin/departments/{dept_id}/edit"))
    assert "共有前に管理職の承認を要する" in form
    data = {
        "csrf_token": csrf_token(admin, f"/admin/departments/{dept_id}/edit"),
        "code": "nozei",
        "name": "納税課",
        "kind": "collection",
        "is_active": "1",
    }
    if ticked:
        data["requires_approval"] = "1"
    assert admin.post(f"/admin/departments/{dept_id}/edit", data=data).status_code == 302
    db.expire_all()
    assert db.get(Department, dept_id).requires_approval is ticked
    db.rollback()
    listing = _text(admin.get("/admin/departments"))
    assert ("管理職の承認が必要" in listing) is ticked


def test_a_recipient_starts_its_own_sheet_from_a_shared_one(setagaya, as_user, db):
    from hub.documents.hearing.models import HearingSheet
    from hub.models import Case

    message = _share(db, setagaya)
    document = message.documents[0]
    plat = as_user("plat01")
    page = _text(plat.get(f"/mailbox/messages/{message.id}"))
    assert "この内容で自所管課のシートを作成" in page
    path = f"/mailbox/messages/{message.id}/documents/{document.id}/own-sheet"
    token = csrf_token(plat, f"/mailbox/messages/{message.id}")
    form = plat.post(path, data={"csrf_token": token})
    assert form.status_code == 200
    text = _text(form)
    assert "作成元：納税課から共有された共通ヒアリングシート 第1版" in text
    assert f"連絡番号{message.id}" in text
    # The shared sections fill the form; the sections not shared stay empty.
    assert 'value="160,000"' in text or 'value="160000"' in text
    shared_case = db.get(Case, setagaya.case_id)
    own = db.scalar(
        select(Case).where(
            Case.lead_department_id == setagaya.departments["plat"],
            Case.resident_id == shared_case.resident_id,
        )
    )
    assert own is not None and own.id != setagaya.case_id
    db.rollback()
    source = re.search(r'name="source" value="([^"]+)"', text).group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', text))
    fields.update({"csrf_token": token, "source": source, "action": "save"})
    saved = plat.post(f"/cases/{own.id}/sheet/edit", data=fields)
    assert saved.status_code == 302, _text(saved)[:2000]
    sheets = db.scalars(select(HearingSheet).order_by(HearingSheet.id)).all()
    mine = [s for s in sheets if s.case_id == own.id]
    assert len(mine) == 1 and mine[0].department_id == setagaya.departments["plat"]
    assert mine[0].source_note.startswith("納税課から共有された共通ヒアリングシート 第1版")
    assert mine[0].data["household_budget"]["take_home"] == 160_000
    assert "private_debts" not in mine[0].data  # not shared, not copied
    # 納税課's sheet is untouched: still one version, its own.
    theirs = [s for s in sheets if s.case_id == setagaya.case_id]
    assert [s.department_id for s in theirs] == [setagaya.departments["nozei"]]
    shown = _text(plat.get(f"/cases/{own.id}/sheet/"))
    assert "作成元：納税課から共有された" in shown
    # A forged source note is dropped, never saved.
    fields["source"] = "forged"
    fields["based_on"] = "1"
    fields["household_budget.take_home"] = "170,000"
    plat.post(f"/cases/{own.id}/sheet/edit", data=fields)
    latest = db.scalar(
        select(HearingSheet).where(HearingSheet.case_id == own.id, HearingSheet.version == 2)
    )
    assert latest is not None and latest.source_note == ""


def test_refusals_after_a_recall_and_of_administrators_are_audited(setagaya, as_user, db):
    from hub.models import AuditEvent

    upload = Upload("収支メモ.pdf", samples.fpdf_pdf("budget memo"))
    message = _share(db, setagaya, uploads=[upload], attachment_categories=["household_budget"])
    attachment = next(d for d in message.documents if d.stored_file_id)
    withdrawal = {"withdrawn_on": jp.today().isoformat(), "method": "oral", "reason": "申出"}
    consent_services.withdraw(
        db, setagaya.users["nozei01"], message.resident_id, setagaya.consent_id, withdrawal
    )
    db.commit()
    recall = db.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.recall")).all()
    assert recall and {e.object_type for e in recall} == {"delivery"}
    db.rollback()

    plat = as_user("plat01")
    token = csrf_token(plat, "/mailbox/")
    url = f"/mailbox/messages/{message.id}"
    assert plat.get(f"{url}/documents/{attachment.id}").status_code == 409
    assert plat.post(f"{url}/acknowledge", data={"csrf_token": token}).status_code == 409
    done = {"csrf_token": token, "done": "面談", "support_status": "in_support"}
    assert plat.post(f"{url}/feedback", data=done).status_code == 409
    admin = as_user("admin")
    assert admin.get(f"/cases/{setagaya.case_id}").status_code == 403
    assert admin.get(url).status_code == 403

    denied = {
        (e.action, e.login_id)
        for e in db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied"))
    }
    db.rollback()
    assert ("message.document", "plat01") in denied
    assert ("message.acknowledge", "plat01") in denied
    assert ("message.feedback", "plat01") in denied
    assert ("case.view", "admin") in denied
    assert ("message.open", "admin") in denied
