"""Who may read what through the API: every endpoint × every actor, as tests/access/api_rules.py
says, plus the rules behind that table checked one by one."""

from __future__ import annotations

import uploads_samples as samples
from access.api_rules import API_RULES
from flask import url_for

from helpers import is_api, operation_id
from hub.documents.consent import services as consent_services
from hub.mailbox import send
from hub.mailbox.compose import Upload
from hub.storage import Storage, bind

ACTORS = ("anonymous", "staff", "manager", "admin", "outsider")


def _api_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if is_api(rule)]


def test_api_rules_name_every_api_endpoint_and_every_actor(app):
    assert set(API_RULES) == {operation_id(rule.endpoint) for rule in _api_rules(app)}
    for endpoint, statuses in API_RULES.items():
        assert tuple(statuses) == ACTORS, endpoint


def test_every_endpoint_answers_get_as_api_rules_say(app, client, world, db, config):
    # A draft consent of the resident: the consent routes' ``consent_id``.
    grant = {"from_department_id": world.dept_id, "to_department_id": world.partner_id}
    draft = {"grants": [{**grant, "categories": ["arrears"]}], "purposes": ["生活再建の支援"]}
    consent = consent_services.create_draft(db, world.users["staff"], world.resident_id, draft)
    # A notice with a file from the staff's department to the partner: the mailbox's ids.
    bind(db, Storage.from_config(config))
    notice = {"kind": "notice", "recipient_ids": [world.partner_id], "subject": "勉強会のお知らせ"}
    upload = Upload("案内.pdf", samples.fpdf_pdf("Study session"))
    message = send.send(db, world.users["staff"], notice, [upload]).message
    db.commit()
    ids = {
        "consent_id": consent.id,
        "case_id": world.case_id,
        "resident_id": world.resident_id,
        "user_id": world.users["staff"].id,
        "department_id": world.dept_id,
        "message_id": message.id,
        "document_id": message.documents[0].id,
    }
    answered, expected = {}, {}
    for rule in _api_rules(app):
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
        for actor in ACTORS:
            token = world.tokens.get(actor)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            answered[rule.endpoint, actor] = client.get(url, headers=headers).status_code
            expected[rule.endpoint, actor] = API_RULES[operation_id(rule.endpoint)][actor]
    assert answered == expected


def test_manager_reads_like_staff_of_the_same_department(world):
    for path in ("/cases", "/residents", f"/cases/{world.case_id}"):
        staff = world.as_("staff").get(path).get_json()
        manager = world.as_("manager").get(path).get_json()
        assert staff == manager, path


def test_involved_department_reads_but_outsider_does_not(world):
    for path in (f"/cases/{world.case_id}", f"/residents/{world.resident_id}"):
        assert world.as_("partner").get(path).status_code == 200
        assert world.as_("outsider").get(path).status_code == 404


def test_admin_reads_configuration_but_no_resident_data(world):
    admin = world.as_("admin")
    for path in ("/users", "/departments", "/claim-types", "/me", "/openapi.json"):
        assert admin.get(path).status_code == 200, path
    for path in ("/cases", "/residents", f"/cases/{world.case_id}"):
        response = admin.get(path)
        assert response.status_code == 403, path
        assert "山田" not in response.get_data(as_text=True)
