"""The mailbox over the API: send → open → acknowledge → feedback with two tokens, refusals
that write nothing, idempotent retries, recall, keyset pages and isolation. Every JSON answer
is checked against the OpenAPI document by the ``Api`` client."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import uploads_samples as samples
from city import City, Consents, bind_storage, build_city, grant
from mailkit import household, key, make_claims, row_counts
from printing.texts import docx_text, pdf_text
from sqlalchemy import event, select

from hub import jp, workdays
from hub.documents.consent import services as consent_services
from hub.documents.hearing import services as hearing
from hub.mailbox import send
from hub.models import AuditEvent, Role

PREFIX = "/api/v1"


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def city(db, config, make_department, make_user, make_resident, make_case) -> City:
    bind_storage(db, config)
    return build_city(db, make_department, make_user, make_resident, make_case)


@pytest.fixture
def consents(db, city) -> Consents:
    return Consents(db, city)


@pytest.fixture
def tokens(city, make_user, token_for) -> dict[str, str]:
    manager = make_user(Role.MANAGER, department=city.nozei, login_id="nozei-mgr")
    people = {
        "nozei": city.staff,
        "manager": manager,
        "hokenryo": city.hokenryo_staff,
        "plat": city.plat_staff,
        "outsider": city.outsider,
        "admin": city.admin,
    }
    return {name: token_for(user) for name, user in people.items()}


@pytest.fixture
def as_(api, tokens):
    """``as_("plat")``: the API client with that person's token."""
    return lambda who: api.as_(tokens[who])


@pytest.fixture
def covered(city, consents):
    """納税課 → ぷらっとホーム (arrears, private debts) and back (support status)."""
    return consents.active(
        [
            grant(city.nozei, city.plat, "arrears", "private_debts"),
            grant(city.plat, city.nozei, "support_status"),
        ]
    )


def share(city, recipients, **extra):
    data = {
        "kind": "share",
        "case_id": city.case_id,
        "recipient_ids": [d.id for d in recipients],
        "subject": "滞納状況の共有",
        "body": "区民税の滞納が続いています。",
        "body_categories": ["arrears"],
    }
    return {**data, **extra}


def written(db) -> dict[str, int]:
    db.rollback()
    return row_counts(db)


# ------------------------------------------------------------------ the flow


def test_send_open_acknowledge_feedback(city, covered, as_, db):
    nozei, plat = as_("nozei"), as_("plat")
    due = (jp.today() + timedelta(days=14)).isoformat()
    sent = nozei.post("/messages", json=share(city, [city.plat], feedback_due=due))
    assert sent.status_code == 201, sent.get_json()
    message = sent.get_json()
    assert sent.headers["Location"] == f"{PREFIX}/messages/{message['id']}"
    assert message["status"] == "sent" and message["role"] == "sender"
    assert message["categories"] == ["arrears"]
    [receipt] = message["receipts"]
    assert receipt["department"]["id"] == city.plat.id and receipt["opened_at"] is None

    page = plat.get("/mailbox/inbox").get_json()
    [row] = page["items"]
    assert row["message_id"] == message["id"] and row["subject"] == "滞納状況の共有"
    # Opening days, by the working-day calendar (14 calendar days are about 10 of them).
    open_days = workdays.days_left(jp.today() + timedelta(days=14), jp.today())
    assert row["read"] is False and row["days_left"] == open_days and page["next_cursor"] is None
    counts = plat.get("/mailbox/counts").get_json()
    assert counts["unread"] == 1 and counts["owed"] == 1 and counts["notifications"] == 1
    assert plat.get("/mailbox/owed").get_json()["items"][0]["message_id"] == message["id"]

    opened = plat.get(f"/messages/{message['id']}").get_json()
    assert opened["role"] == "recipient" and opened["body"] == "区民税の滞納が続いています。"
    assert (
        opened["receipts"] is None and opened["delivery"]["opened_by"]["id"] == city.plat_staff.id
    )
    acknowledged = plat.post(f"/messages/{message['id']}/acknowledge")
    assert acknowledged.status_code == 200
    assert acknowledged.get_json()["acknowledged_by"]["id"] == city.plat_staff.id
    triaged = plat.post(
        f"/messages/{message['id']}/triage",
        json={"assignee_id": city.plat_staff.id, "work_status": "doing"},
    ).get_json()
    assert triaged["work_status"] == "doing" and triaged["assignee"]["id"] == city.plat_staff.id

    feedback = plat.post(
        f"/messages/{message['id']}/feedback",
        json={"done": "家計相談を実施", "support_status": "in_support", "next_steps": "就労支援"},
    )
    assert feedback.status_code == 201, feedback.get_json()
    answer = feedback.get_json()
    assert answer["kind"] == "feedback" and answer["parent_id"] == message["id"]
    assert answer["categories"] == ["support_status"]

    mine = nozei.get(f"/messages/{message['id']}").get_json()
    [receipt] = mine["receipts"]
    assert receipt["opened_by"]["id"] == city.plat_staff.id
    assert receipt["acknowledged_at"] is not None
    assert receipt["feedback_message_id"] == answer["id"]
    assert receipt["feedback_received_at"] is not None
    assert "work_status" not in receipt  # the recipient's triage is its own business
    got = nozei.get(f"/messages/{answer['id']}").get_json()
    assert got["documents"][0]["content"]["done"] == "家計相談を実施"
    assert nozei.get("/mailbox/inbox").get_json()["items"][0]["kind"] == "feedback"
    sent_box = nozei.get("/mailbox/sent").get_json()
    assert [m["id"] for m in sent_box["items"]] == [message["id"]]
    timeline = nozei.get(f"/cases/{city.case_id}/timeline").get_json()["items"]
    assert [(t["message_id"], t["direction"]) for t in timeline] == [
        (message["id"], "sent"),
        (answer["id"], "received"),
    ]
    # ぷらっとホーム opened the message its notification pointed to: it is read already.
    assert plat.get("/notifications").get_json()["unread"] == 0
    # 納税課 opened the feedback: its one notification of it (not two) is read too.
    assert nozei.get("/notifications").get_json()["unread"] == 0
    assert plat.post("/notifications/read", json={}).get_json() == {"marked": 0, "unread": 0}


def test_refused_send_lists_what_is_missing_and_writes_nothing(city, covered, as_, db):
    before = written(db)
    refused = as_("nozei").post(
        "/messages", json=share(city, [city.plat, city.hokenryo], body_categories=["arrears"])
    )
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "consent_missing" and "送信しませんでした" in error["message"]
    assert [(m["department_id"], m["category"]) for m in error["missing"]] == [
        (city.hokenryo.id, "arrears")
    ]
    assert error["missing"][0]["needed"] == "納税課→保険料収納課『滞納状況』を含む有効な同意"
    assert written(db) == before


def test_same_key_twice_returns_the_first_message(city, covered, as_, db):
    nozei = as_("nozei")
    headers = {"Idempotency-Key": key()}
    first = nozei.post("/messages", json=share(city, [city.plat]), headers=headers)
    again = nozei.post("/messages", json=share(city, [city.plat]), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    body_key = key()
    assert nozei.post("/messages", json=share(city, [city.plat], idempotency_key=body_key))
    retry = nozei.post("/messages", json=share(city, [city.plat], idempotency_key=body_key))
    assert retry.status_code == 200
    assert written(db)["messages"] == 2 and written(db)["deliveries"] == 2
    clash = nozei.post(
        "/messages", json=share(city, [city.plat], idempotency_key=key()), headers=headers
    )
    assert clash.status_code == 400 and "idempotency_key" in clash.get_json()["error"]["fields"]


def test_feedback_and_requests_say_when_a_key_was_used_before(city, covered, as_, db):
    """The services say they replayed a key: the answer is 200 with the first message."""
    message = as_("nozei").post("/messages", json=share(city, [city.plat])).get_json()
    feedback = {"done": "面談を実施", "support_status": "in_support", "idempotency_key": key()}
    path = f"/messages/{message['id']}/feedback"
    first, again = (as_("plat").post(path, json=feedback) for _ in range(2))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert "Location" not in again.headers
    asking = {"department_ids": [city.nozei.id], "categories": ["arrears"]}
    headers = {"Idempotency-Key": key()}
    url = f"/cases/{city.case_id}/sharing-requests"
    first, again = (as_("plat").post(url, json=asking, headers=headers) for _ in range(2))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]


# ------------------------------------------------------------------ bad input


def _other_case_consent(db, city, make_resident, make_case):
    """A draft consent of another resident (another case) taken by 納税課."""
    resident = make_resident("佐藤 花子", "サトウ ハナコ", department=city.nozei, atena_no="2")
    make_case(resident=resident, lead=city.nozei, departments=[city.plat])
    grants = [grant(city.nozei, city.plat, "arrears")]
    draft = {"grants": grants, "purposes": ["生活再建の支援"]}
    consent = consent_services.create_draft(db, city.staff, resident.id, draft)
    db.commit()
    return consent.id


def _hokenryo_sheet(db, city):
    """A hearing sheet of the case written by 保険料収納課 (not the sender's): from before only
    the lead department wrote its case's sheet."""
    saved = hearing.save(db, city.staff, city.case_id, household(make_claims(db, city.nozei)))
    saved.author_id, saved.department_id = city.hokenryo_staff.id, city.hokenryo.id
    db.commit()
    return saved.version


BAD = {
    "unknown recipient": (lambda c, x: {"recipient_ids": [999_999]}, 400, "recipient_ids"),
    "wrong kind": (lambda c, x: {"recipient_ids": [c.admin.department_id]}, 400, "recipient_ids"),
    "empty subject": (lambda c, x: {"subject": "  "}, 400, "subject"),
    "body over the limit": (lambda c, x: {"body": "あ" * 10_001}, 400, "body"),
    "document of another case": (lambda c, x: {"consent_id": x["other"]}, 400, "consent_id"),
    "document of another department": (
        lambda c, x: {"sheet_version": x["sheet"], "body_categories": []},
        400,
        "sheet_version",
    ),
    "recipient is the sender": (lambda c, x: {"recipient_ids": [c.nozei.id]}, 400, "recipient_ids"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_a_4xx_naming_the_field_and_writes_nothing(
    case, city, covered, as_, db, make_resident, make_case
):
    extra = {"other": _other_case_consent(db, city, make_resident, make_case)}
    extra["sheet"] = _hokenryo_sheet(db, city) if case == "document of another department" else 1
    change, status, field = BAD[case]
    before = written(db)
    answer = as_("nozei").post("/messages", json=share(city, [city.plat], **change(city, extra)))
    assert answer.status_code == status, answer.get_json()
    assert field in answer.get_json()["error"]["fields"]
    assert written(db) == before


def test_withdrawn_consent_and_uninvolved_case_send_nothing(city, consents, as_, db):
    consents.withdrawn([grant(city.nozei, city.plat, "arrears")])
    before = written(db)
    withdrawn = as_("nozei").post("/messages", json=share(city, [city.plat]))
    assert withdrawn.status_code == 409
    [missing] = withdrawn.get_json()["error"]["missing"]
    assert "撤回済み" in missing["reason"]
    outsider = as_("outsider").post("/messages", json=share(city, [city.plat]))
    assert outsider.status_code == 404
    assert written(db) == before


def test_consent_ending_today_covers_today_not_tomorrow(city, consents, as_, db, monkeypatch):
    """valid_until is the consent's last day: covered that day, refused the day after."""
    last = jp.today() + timedelta(days=1)  # a consent cannot be taken ending today
    consents.active([grant(city.nozei, city.plat, "arrears")], valid_until=last)
    monkeypatch.setattr(jp, "today", lambda: last)
    last_day = as_("nozei").post("/messages", json=share(city, [city.plat]))
    assert last_day.status_code == 201, last_day.get_json()
    monkeypatch.setattr(jp, "today", lambda: last + timedelta(days=1))
    before = written(db)
    next_day = as_("nozei").post("/messages", json=share(city, [city.plat]))
    assert next_day.status_code == 409
    assert "有効期限切れ" in next_day.get_json()["error"]["missing"][0]["reason"]
    assert written(db) == before
    # What was sent on the last day is recalled when the recipient opens it the day after.
    opened = as_("plat").get(f"/messages/{last_day.get_json()['id']}").get_json()
    assert opened["recalled"] is True


def test_bodies_and_urls_are_read_strictly(city, covered, as_, db):
    nozei = as_("nozei")
    unknown = nozei.post("/messages", json=share(city, [city.plat], colour="red"))
    assert unknown.get_json()["error"]["code"] == "unknown_fields"
    typed = nozei.post("/messages", json=share(city, [city.plat], case_id=str(city.case_id)))
    assert typed.status_code == 400 and "case_id" in typed.get_json()["error"]["fields"]
    broken = {"filename": "a.pdf", "content_base64": "not base64!"}
    bad = nozei.post(
        "/messages",
        json=share(city, [city.plat], attachments=[broken], attachment_categories=["arrears"]),
    )
    assert bad.status_code == 400 and "Base64" in bad.get_json()["error"]["fields"]["attachments"]
    assert nozei.get("/mailbox/inbox?q=ヤマダ").get_json()["error"]["code"] == "unknown_fields"
    assert nozei.get("/mailbox/inbox?kind=letter").status_code == 400
    assert nozei.get("/mailbox/inbox?cursor=abc").status_code == 400
    assert nozei.get("/mailbox/inbox?limit=0").status_code == 400
    assert nozei.post("/messages/1/triage", json={"work_status": "done", "x": 1}).status_code == 400
    assert written(db)["messages"] == 0


def test_attachment_travels_as_a_document_and_downloads(city, covered, as_, client, tokens):
    pdf = samples.fpdf_pdf("household budget")
    attachment = {"filename": "家計表.pdf", "content_base64": base64.b64encode(pdf).decode()}
    data = share(city, [city.plat], attachments=[attachment], attachment_categories=["arrears"])
    message = as_("nozei").post("/messages", json=data).get_json()
    opened = as_("plat").get(f"/messages/{message['id']}").get_json()
    [document] = opened["documents"]
    assert document["kind"] == "attachment" and document["content"] is None
    assert document["file"]["content_type"] == "application/pdf"
    token = {"Authorization": f"Bearer {tokens['plat']}"}
    got = client.get(PREFIX + document["url"].removeprefix(PREFIX), headers=token)
    assert got.status_code == 200 and got.data == pdf
    assert got.headers["Content-Disposition"].startswith("attachment; ")


# ------------------------------------------------------------------ recall, pages, isolation


def test_recalled_message_shows_a_tombstone_and_no_content(city, consents, as_, db):
    consent = consents.active([grant(city.nozei, city.plat, "arrears")])
    data = share(city, [city.plat], policy={"pattern": "1", "note": "執行停止を検討"})
    data["body_categories"] = ["arrears", "collection_decision"]
    # The policy carries collection_decision, which the consent does not give: refused.
    assert as_("nozei").post("/messages", json=data).status_code == 409
    message = as_("nozei").post("/messages", json=share(city, [city.plat])).get_json()
    consents.withdraw(consent)

    plat = as_("plat")
    [row] = plat.get("/mailbox/inbox").get_json()["items"]
    assert row["state"] == "recalled" and row["subject"] is None and row["case_id"] is None
    assert row["recall_reason"]
    opened = plat.get(f"/messages/{message['id']}").get_json()
    assert opened["recalled"] is True and "取り消されました" in opened["tombstone"]
    assert not {"subject", "body", "documents"} & set(opened)
    assert "区民税" not in str(opened)
    assert plat.post(f"/messages/{message['id']}/acknowledge").status_code == 409
    [item] = plat.get(f"/cases/{city.case_id}/timeline").get_json()["items"]
    assert item["recalled"] is True and item["subject"] is None
    recalled = plat.post("/mailbox/search", json={"recalled": True}).get_json()["items"]
    assert [r["message_id"] for r in recalled] == [message["id"]]
    mine = as_("nozei").get(f"/messages/{message['id']}").get_json()
    assert mine["body"] == "区民税の滞納が続いています。"
    assert mine["receipts"][0]["state"] == "recalled"


def test_recalled_document_download_is_409(city, consents, as_, db):
    consent = consents.active([grant(city.nozei, city.plat, "arrears", "collection_decision")])
    data = share(city, [city.plat], policy={"pattern": "2"})
    message = as_("nozei").post("/messages", json=data).get_json()
    [document] = message["documents"]
    path = f"/messages/{message['id']}/documents/{document['id']}"
    assert as_("plat").get(path).get_json()["content"]["pattern"] == "2"
    consents.withdraw(consent)
    gone = as_("plat").get(path)
    assert gone.status_code == 409 and gone.get_json()["error"]["code"] == "recalled"
    assert as_("nozei").get(path).status_code == 200  # the sender keeps its copy


def test_a_policy_decides_per_claim_and_prints_as_sent(city, consents, as_, db):
    consents.active([grant(city.nozei, city.plat, "arrears", "collection_decision")])
    claims = make_claims(db, city.nozei)
    plan = {
        "claim_type_id": claims["kuminzei"].id,
        "decision": "payment_plan",
        "monthly": 10000,
        "months": 12,
        "start": "2027-01",
    }
    stop = {"claim_type_id": claims["kokuho"].id, "decision": "suspension", "note": "生活保護"}
    bad = share(city, [city.plat], policy={"pattern": "1", "claims": [{**plan, "decision": "x"}]})
    refused = as_("nozei").post("/messages", json=bad)
    assert refused.status_code == 400 and "claims" in str(refused.get_json()["error"]["fields"])
    twice = share(city, [city.plat], policy={"pattern": "1", "claims": [plan, plan]})
    assert as_("nozei").post("/messages", json=twice).status_code == 400  # one decision a claim

    data = share(city, [city.plat], policy={"pattern": "1", "claims": [plan, stop]})
    message = as_("nozei").post("/messages", json=data).get_json()
    [document] = message["documents"]
    path = f"/messages/{message['id']}/documents/{document['id']}"
    content = as_("plat").get(path).get_json()["content"]
    assert [c["decision_label"] for c in content["claims"]] == ["納付計画（分割納付）", "執行停止"]
    printed = as_("plat").get(f"/messages/{message['id']}/print")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = pdf_text(printed.data)
    assert "納付計画（分割納付）" in text and "10,000円" in text and "令和9年1月" in text
    assert "生活保護" in text  # the note of the 執行停止 of the second claim
    word = as_("plat").get(f"/messages/{message['id']}/print?format=docx")
    assert "執行停止" in docx_text(word.data)
    wrong = as_("plat").get(f"/messages/{message['id']}/print?format=xls")
    assert wrong.status_code == 400 and "形式" in wrong.get_json()["error"]["fields"]["format"]


def test_keyset_pages_return_every_row_exactly_once(city, as_, db):
    for n in range(123):
        data = {"kind": "notice", "recipient_ids": [city.plat.id], "subject": f"お知らせ{n}"}
        send.send(db, city.staff, data)
    db.commit()
    plat = as_("plat")
    for opened in (5, 60, 61):  # read ones come after the unread, still each exactly once
        assert plat.get(f"/messages/{opened}").status_code == 200
    seen, cursor, pages = [], None, 0
    while True:
        url = "/mailbox/inbox" + (f"?cursor={cursor}" if cursor else "")
        page = plat.get(url).get_json()
        seen += [row["message_id"] for row in page["items"]]
        pages, cursor = pages + 1, page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 123 and sorted(seen) == list(range(1, 124))
    assert seen[-3:] == [61, 60, 5]
    searched = plat.post("/mailbox/search", json={"q": "お知らせ12", "limit": 5}).get_json()
    assert sorted(r["message_id"] for r in searched["items"]) == [13, 121, 122, 123]
    sent = as_("nozei").get("/mailbox/sent?limit=100").get_json()
    rest = as_("nozei").get(f"/mailbox/sent?cursor={sent['next_cursor']}").get_json()
    assert len(sent["items"]) + len(rest["items"]) == 123 and rest["next_cursor"] is None


def test_inbox_page_is_three_statements(app, city, as_, db):
    for n in range(60):
        data = {"kind": "notice", "recipient_ids": [city.plat.id], "subject": f"お知らせ{n}"}
        send.send(db, city.staff, data)
    db.commit()
    plat = as_("plat")
    assert plat.post("/messages/55/triage", json={"assignee_id": city.plat_staff.id}).status_code
    plat.get("/mailbox/inbox")  # the token's last use is written at most once a minute
    statements: list[str] = []
    engine = app.extensions["tsunagu.db"].engine

    def count(_conn, _cursor, statement, *_args) -> None:
        # Not SQLite's explicit transaction start, nor the audit event of the access (asserted
        # below) and the sealing of its hash chain.
        if not statement.startswith("BEGIN") and "audit_" not in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = plat.get("/mailbox/inbox").get_json()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(page["items"]) == 50
    assert any(row["assignee"] for row in page["items"])
    # The token, its user, and the page itself (sender departments and assignees joined in).
    assert len(statements) <= 3, "\n\n".join(statements)
    # Listing subjects and cases is an access to personal data: audited, 50 rows.
    listed = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "mailbox.inbox").order_by(AuditEvent.id)
    ).all()
    assert listed and listed[-1].reason == "50 rows" and listed[-1].user_id == city.plat_staff.id


def test_other_departments_get_404_and_administrators_403(city, covered, as_, db):
    message = as_("nozei").post("/messages", json=share(city, [city.plat])).get_json()
    for who in ("outsider", "hokenryo"):
        assert as_(who).get(f"/messages/{message['id']}").status_code == 404
        assert as_(who).post(f"/messages/{message['id']}/acknowledge").status_code == 404
        assert as_(who).get("/mailbox/inbox").get_json()["items"] == []
    assert as_("outsider").get(f"/cases/{city.case_id}/timeline").status_code == 404
    for path in ("/mailbox/inbox", "/mailbox/counts", f"/messages/{message['id']}"):
        answer = as_("admin").get(path)
        assert answer.status_code == 403, path
    assert as_("admin").post("/messages", json=share(city, [city.plat])).status_code == 403
    assert as_("nozei").post(f"/messages/{message['id']}/acknowledge").status_code == 409


# ------------------------------------------------------------------ approval and requests


def test_manager_approves_or_returns_a_held_share(city, covered, as_, db):
    city.nozei.requires_approval = True
    db.commit()
    held = as_("nozei").post("/messages", json=share(city, [city.plat])).get_json()
    assert held["status"] == "pending_approval" and held["receipts"] == []
    assert as_("plat").get(f"/messages/{held['id']}").status_code == 404
    assert as_("nozei").post(f"/messages/{held['id']}/approve").status_code == 403
    assert as_("manager").get("/mailbox/counts").get_json()["approvals"] == 1
    approved = as_("manager").post(f"/messages/{held['id']}/approve", json={"comment": "可"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "sent"
    assert approved.get_json()["approval"]["comment"] == "可"
    assert as_("plat").get(f"/messages/{held['id']}").status_code == 200

    other = as_("nozei").post("/messages", json=share(city, [city.plat])).get_json()
    no_comment = as_("manager").post(f"/messages/{other['id']}/return", json={})
    assert no_comment.status_code == 400
    returned = as_("manager").post(f"/messages/{other['id']}/return", json={"comment": "要修正"})
    assert returned.get_json()["status"] == "returned"
    again = as_("manager").post(f"/messages/{other['id']}/approve")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_pending"


def test_sharing_request_is_answered_by_a_decline(city, covered, as_, db):
    plat = as_("plat")
    options = plat.get(f"/cases/{city.case_id}/recipient-options?categories=support_status")
    allowed = {o["department_id"]: o["allowed"] for o in options.get_json()["items"]}
    assert allowed[city.nozei.id] is True and allowed[city.hokenryo.id] is False
    assert plat.get(f"/cases/{city.case_id}/recipient-options?categories=x").status_code == 400

    wrong = plat.post(
        f"/cases/{city.case_id}/sharing-requests",
        json={"department_ids": [city.plat.id], "categories": ["arrears"]},
    )
    assert wrong.status_code == 400
    outside = plat.post(
        f"/cases/{city.case_id}/sharing-requests",
        json={"department_ids": [city.hokenryo.id], "categories": ["arrears"]},
    )
    assert outside.status_code == 409
    asked = plat.post(
        f"/cases/{city.case_id}/sharing-requests",
        json={"department_ids": [city.nozei.id], "categories": ["arrears"], "note": "至急"},
        headers={"Idempotency-Key": key()},
    )
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert request["kind"] == "sharing_request" and "至急" in request["body"]
    declined = as_("nozei").post(f"/messages/{request['id']}/decline", json={"reason": "該当なし"})
    assert declined.status_code == 200 and declined.get_json()["decline_reason"] == "該当なし"
    [receipt] = plat.get(f"/messages/{request['id']}").get_json()["receipts"]
    assert receipt["decline_reason"] == "該当なし"
    assert (
        as_("nozei").post(f"/messages/{request['id']}/decline", json={"reason": "x"}).status_code
        == 409
    )
