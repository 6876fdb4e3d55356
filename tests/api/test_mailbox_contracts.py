"""The mailbox API's contracts: the defects an outside property-based run found stay fixed,
and what the models say is what the document says. Every answer is checked against the
generated document by the ``Api`` client."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from hub.api.errors import ERROR_CODES as CORE_CODES
from hub.mailbox import compose, inbox, send
from hub.mailbox.api import ERROR_CODES

MAILBOX = Path(__file__).parents[2] / "mailbox"


def _error(response, field: str) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input", error
    return error["fields"][field]


@pytest.mark.parametrize("word", ["ヤマダ\u0000", "\u0007", "山田\u200b太郎", "\u001b[0m"])
def test_control_characters_in_search_words_never_reach_the_database(world, audited, word):
    answer = world.as_("partner").post("/mailbox/search", {"q": word})
    assert "制御文字" in _error(answer, "q")
    assert audited("mailbox.search") == []  # refused before the search ran


def test_null_notification_id_is_refused_and_marks_nothing(world, db):
    for n in range(2):
        data = {"kind": "notice", "recipient_ids": [world.partner_id], "subject": f"お知らせ{n}"}
        send.send(db, world.users["staff"], data)
    db.commit()
    partner = world.as_("partner")
    assert partner.get("/notifications").get_json()["unread"] == 2
    assert "null" in _error(partner.post("/notifications/read", {"id": None}), "id")
    assert partner.get("/notifications").get_json()["unread"] == 2
    [newest, _older] = partner.get("/notifications").get_json()["items"]
    one = partner.post("/notifications/read", {"id": newest["id"]}).get_json()
    assert one == {"marked": 1, "unread": 1}
    assert partner.post("/notifications/read", {}).get_json() == {"marked": 1, "unread": 0}


EMPTY = [
    ("/mailbox/inbox?status=", "status"),
    ("/mailbox/inbox?kind=", "kind"),
    ("/mailbox/inbox?case_id=", "case_id"),
    ("/mailbox/inbox?due=", "due"),
    ("/mailbox/inbox?unread=", "unread"),
    ("/mailbox/inbox?cursor=", "cursor"),
    ("/mailbox/inbox?limit=", "limit"),
    ("/mailbox/sent?limit=", "limit"),
    ("/mailbox/unopened?days=", "days"),
    ("/cases/{case_id}/recipient-options?categories=", "categories"),
]


@pytest.mark.parametrize(("url", "field"), EMPTY)
def test_an_empty_filter_is_refused_not_ignored(world, url, field):
    answer = world.as_("staff").get(url.format(case_id=world.case_id))
    assert _error(answer, field)


@pytest.mark.parametrize("body", [{"status": ""}, {"kind": ""}, {"cursor": ""}, {"due": ""}])
def test_an_empty_filter_in_a_search_is_refused(world, body):
    [field] = body
    assert _error(world.as_("staff").post("/mailbox/search", body), field)


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("limit=0", "limit", "1以上"),
        ("limit=201", "limit", "200以下"),
        ("limit=-1", "limit", "整数"),
        ("limit=1.5", "limit", "整数"),
        ("limit=１０", "limit", "整数"),
        ("cursor=abc", "cursor", "形式"),
        ("cursor=3.1", "cursor", "形式"),
        ("cursor=0.", "cursor", "形式"),
        ("cursor=0.12345678901", "cursor", "形式"),
        ("case_id=0", "case_id", "1以上"),
        ("case_id=99999999999", "case_id", "2147483647以下"),
        ("due=yes", "due", "'1', '0', 'true', 'false'"),
    ],
)
def test_page_bounds_and_bad_filters_are_clear_400s(world, query, field, fragment):
    assert fragment in _error(world.as_("staff").get(f"/mailbox/inbox?{query}"), field)


@pytest.mark.parametrize("limit", [0, 201, "10", True, 2.5])
def test_a_search_page_size_out_of_bounds_is_a_400(world, limit):
    assert _error(world.as_("staff").post("/mailbox/search", {"limit": limit}), "limit")


def test_a_cursor_past_the_largest_id_is_a_400_on_either_database(world):
    """Found by Schemathesis: PostgreSQL refused the id as out of range, a 500."""
    staff = world.as_("staff")
    assert _error(staff.get("/mailbox/inbox?cursor=0.2200000000"), "cursor")
    assert _error(staff.post("/mailbox/search", {"cursor": "0.2200000000"}), "cursor")
    assert staff.get("/mailbox/inbox?cursor=0.2147483647").status_code == 200


def test_a_whole_number_page_size_and_a_real_cursor_are_read(world):
    staff = world.as_("staff")
    assert staff.post("/mailbox/search", {"limit": 40.0}).status_code == 200
    assert staff.get("/mailbox/inbox?cursor=1.42&limit=5").get_json()["items"] == []
    assert staff.get("/mailbox/unopened?days=60").status_code == 200


def test_a_send_carries_files_a_larger_body_than_other_routes(world):
    """Attachments travel base64-encoded: a send may be larger than the 1 MiB of other bodies."""
    big = {"kind": "notice", "recipient_ids": [world.partner_id], "subject": "x" * 1_500_000}
    sent = world.as_("staff").post("/messages", big)
    assert "200文字以内" in _error(sent, "subject")  # read, not refused as too large
    searched = world.as_("staff").post("/mailbox/search", {"q": "x" * 1_500_000})
    assert searched.status_code == 413


def test_every_mailbox_error_code_is_registered_and_documented(spec):
    raised = set()
    for path in MAILBOX.rglob("*.py"):
        raised |= set(re.findall(r'code="([a-z_]+)"', path.read_text(encoding="utf-8")))
    raised.add("consent_missing")  # checks.SendRefused: gate.ConsentMissing.code
    assert raised <= set(ERROR_CODES) | set(CORE_CODES)
    assert not set(ERROR_CODES) & set(CORE_CODES)
    documented = set(spec["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"])
    assert set(ERROR_CODES) <= documented


def test_the_inbox_cursor_and_every_filter_are_documented(spec):
    operation = spec["paths"]["/mailbox/inbox"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {*inbox.FILTERS, "cursor", "limit"} - {"q"}
    assert all(p["in"] == "query" and p.get("description") for p in params.values())
    assert params["cursor"]["schema"]["pattern"] == inbox.CURSOR_PATTERN
    assert "next_cursor" in params["cursor"]["description"]
    limit = params["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, inbox.MAX_PAGE_SIZE)
    search = spec["components"]["schemas"]["InboxSearch"]["properties"]
    assert set(search) == {*inbox.FILTERS, "cursor", "limit"}


def test_a_refused_send_is_documented_with_what_is_missing(spec):
    schemas = spec["components"]["schemas"]
    for path, method in (
        ("/messages", "post"),
        ("/messages/{message_id}/feedback", "post"),
        ("/cases/{case_id}/sharing-requests", "post"),
        ("/messages/{message_id}/approve", "post"),
    ):
        responses = spec["paths"][path][method]["responses"]
        conflict = responses["409"]["content"]["application/json"]["schema"]["$ref"]
        assert conflict.endswith("/SendConflict"), path
    refusal = schemas["RefusalBody"]["properties"]
    assert refusal["code"]["const"] == "consent_missing"
    row = schemas["MissingConsent"]["properties"]
    assert set(row) == {
        "department_id",
        "department",
        "category",
        "category_label",
        "reason",
        "needed",
    }
    sends = spec["paths"]["/messages"]["post"]
    assert {"200", "201"} <= set(sends["responses"])
    assert [p["name"] for p in sends["parameters"]] == ["Idempotency-Key"]
    assert (
        spec["paths"]["/messages/{message_id}/acknowledge"]["post"]["requestBody"]["required"]
        is False
    )


def test_the_contracts_choices_are_the_services():
    assert get_args(compose.PolicyPattern) == tuple(compose.PATTERNS)
    assert get_args(compose.SupportStatus) == tuple(compose.SUPPORT_STATUSES)
    assert get_args(compose.DebtStatus) == tuple(compose.DEBT_STATUSES)
