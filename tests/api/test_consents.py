"""Consents over the API: the wizard's steps, the gate's question, sharing requests, isolation.
Every JSON answer is checked against the OpenAPI document by the ``Api`` client."""

from __future__ import annotations

import io

import uploads_samples as samples

from hub import jp
from hub.documents.consent.models import Consent, SharingRequest

PREFIX = "/api/v1"


def _draft(world, *categories: str, to: str = "partner_id") -> dict:
    grant = {
        "from_department_id": world.dept_id,
        "to_department_id": getattr(world, to),
        "categories": list(categories or ("arrears",)),
    }
    return {"grants": [grant], "purposes": ["生活再建の支援"]}


def _upload(world, path: str, data: bytes, name: str = "scan.pdf", actor: str = "staff"):
    files = {"file": (io.BytesIO(data), name)}
    return world.as_(actor).post(path, data=files, content_type="multipart/form-data")


def _active(world, *categories: str, actor: str = "staff", to="partner_id"):
    api = world.as_(actor)
    base = f"/residents/{world.resident_id}/consents"
    consent = api.post(base, json=_draft(world, *categories, to=to)).get_json()
    path = f"{base}/{consent['id']}"
    assert api.post(f"{path}/form").status_code == 200
    assert _upload(world, f"{path}/scan", samples.fpdf_pdf(), actor=actor).status_code == 200
    assert (
        api.post(f"{path}/activate", json={"obtained_on": jp.today().isoformat()}).status_code
        == 200
    )
    return consent["id"]


def test_take_a_consent_through_the_api(world, client, spec, rows):
    api = world.as_("staff")
    base = f"/residents/{world.resident_id}/consents"
    created = api.post(base, json=_draft(world, "arrears", "private_debts"))
    assert created.status_code == 201
    consent = created.get_json()
    assert created.headers["Location"] == f"{PREFIX}{base}/{consent['id']}"
    assert consent["status"] == "draft" and consent["statement_text"] == ""
    assert consent["grants"] == [
        {
            "from_department_id": world.dept_id,
            "to_department_id": world.partner_id,
            "categories": ["arrears", "private_debts"],
        }
    ]
    path = f"{base}/{consent['id']}"
    later = jp.today().replace(year=jp.today().year + 1).isoformat()
    patched = api.patch(path, json={"valid_until": later}).get_json()
    assert patched["valid_until"] == later and patched["grants"] == consent["grants"]

    generated = api.post(f"{path}/form").get_json()
    assert (
        "納税課は、ぷらっとホームに、滞納状況及び民間債務の状況を提供します。"
        in generated["statement_text"]
    )
    assert generated["files"]["form_pdf"]["content_type"] == "application/pdf"
    frozen = api.patch(path, json={"purposes": ["別の目的"]})
    assert frozen.status_code == 409 and frozen.get_json()["error"]["code"] == "scope_frozen"
    early = api.post(f"{path}/activate", json={"obtained_on": jp.today().isoformat()})
    assert early.get_json()["error"]["code"] == "scan_missing"

    token = {"Authorization": f"Bearer {world.tokens['staff']}"}
    pdf = client.get(f"{PREFIX}{path}/files/form.pdf", headers=token)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment; ")
    docx = client.get(f"{PREFIX}{path}/files/form.docx", headers=token)
    assert docx.data.startswith(b"PK")

    assert _upload(world, f"{path}/scan", samples.png(), "scan.png").status_code == 200
    active = api.post(f"{path}/activate", json={"obtained_on": jp.today().isoformat()})
    assert active.get_json()["status"] == "active"
    assert client.get(f"{PREFIX}{path}/files/scan", headers=token).mimetype == "image/png"
    listed = api.get(base).get_json()["items"]
    assert [c["id"] for c in listed] == [consent["id"]]
    # The partner department sees the resident, so it sees the consent too.
    assert world.as_("partner").get(path).status_code == 200

    check = f"/residents/{world.resident_id}/consent-check"
    question = {"sender": world.dept_id, "recipient": world.partner_id}
    allowed = api.post(check, json={**question, "categories": ["arrears"]}).get_json()
    assert allowed == {"allowed": True, "missing": [], "consent_ids": [consent["id"]]}
    denied = api.post(check, json={**question, "categories": ["arrears", "assets"]}).get_json()
    assert denied["allowed"] is False
    assert denied["missing"] == [
        {
            "category": "assets",
            "reason": "納税課→ぷらっとホームの『財産の状況』を認める有効な同意がありません",
        }
    ]

    withdrawal = {
        "withdrawn_on": jp.today().isoformat(),
        "method": "written",
        "reason": "書面で申出",
    }
    withdrawn = api.post(f"{path}/withdraw", json=withdrawal).get_json()
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawal"]["method"] == "written"
    again = api.post(f"{path}/withdraw", json=withdrawal)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "consent_withdrawn"
    after = api.post(check, json={**question, "categories": ["arrears"]}).get_json()
    assert "撤回済み" in after["missing"][0]["reason"]
    assert rows(Consent) == 1


def test_bad_bodies_are_refused_with_field_messages(world):
    api = world.as_("staff")
    base = f"/residents/{world.resident_id}/consents"
    empty = api.post(base, json={"grants": [], "purposes": []})
    assert empty.status_code == 400
    assert set(empty.get_json()["error"]["fields"]) == {"grants", "purposes"}
    stringly = _draft(world)
    stringly["grants"][0]["to_department_id"] = str(world.partner_id)
    assert "to_department_id" in api.post(base, json=stringly).get_json()["error"]["fields"]
    unknown = api.post(base, json={**_draft(world), "status": "active"})
    assert unknown.get_json()["error"]["code"] == "unknown_fields"
    check = f"/residents/{world.resident_id}/consent-check"
    same = api.post(
        check, json={"sender": world.dept_id, "recipient": world.dept_id, "categories": ["arrears"]}
    )
    assert same.status_code == 400
    assert "同じ所管課" in same.get_json()["error"]["fields"]["recipient"]
    odd = api.post(
        check,
        json={"sender": world.dept_id, "recipient": world.partner_id, "categories": ["salary"]},
    )
    assert "categories" in odd.get_json()["error"]["fields"]


def test_a_hostile_scan_is_refused_over_the_api(world, client, spec, rows):
    from hub.models import StoredFile

    api = world.as_("staff")
    consent = api.post(f"/residents/{world.resident_id}/consents", json=_draft(world)).get_json()
    path = f"/residents/{world.resident_id}/consents/{consent['id']}"
    api.post(f"{path}/form")
    stored = rows(StoredFile)
    refused = _upload(world, f"{path}/scan", samples.pdf_open_action_js())
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "pdf_active_content"
    assert rows(StoredFile) == stored
    missing = client.post(
        f"{PREFIX}{path}/scan",
        data={"other": "x"},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {world.tokens['staff']}"},
    )
    assert missing.status_code == 400


def test_outsiders_get_404_and_administrators_403(world, client, spec):
    consent_id = _active(world)
    base = f"/residents/{world.resident_id}"
    paths = [f"{base}/consents", f"{base}/consents/{consent_id}", f"{base}/sharing-requests"]
    for path in paths:
        assert world.as_("outsider").get(path).status_code == 404, path
        assert world.as_("admin").get(path).status_code == 403, path
    token = {"Authorization": f"Bearer {world.tokens['outsider']}"}
    pdf = client.get(f"{PREFIX}{base}/consents/{consent_id}/files/form.pdf", headers=token)
    assert pdf.status_code == 404 and b"%PDF" not in pdf.data
    check = world.as_("outsider").post(
        f"{base}/consent-check",
        json={"sender": world.dept_id, "recipient": world.partner_id, "categories": ["arrears"]},
    )
    assert check.status_code == 404


def test_sharing_requests_lie_within_the_consent(world, client, spec, rows):
    _active(world, "arrears", "household_budget", actor="partner")
    partner = world.as_("partner")
    path = f"/residents/{world.resident_id}/sharing-requests"
    created = partner.post(
        path,
        json={"department_ids": [world.dept_id], "categories": ["arrears"], "note": "支援のため"},
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["asked"] == [{"department_id": world.dept_id, "categories": ["arrears"]}]
    assert [r["id"] for r in world.as_("staff").get(path).get_json()["items"]] == [body["id"]]
    outside = partner.post(path, json={"department_ids": [world.dept_id], "categories": ["assets"]})
    assert outside.status_code == 409
    error = outside.get_json()["error"]
    assert error["code"] == "consent_missing"
    assert "納税課→ぷらっとホームの『財産の状況』を認める有効な同意がありません" in error["message"]
    assert rows(SharingRequest) == 1


def test_a_named_department_sees_its_own_grants_and_nothing_else(world, client, db, rows):
    """同意の範囲に名前のある所管課: existence, number, status, validity, its own grants."""
    api = world.as_("staff")
    base = f"/residents/{world.resident_id}/consents"
    draft = {
        "grants": [
            {
                "from_department_id": world.dept_id,
                "to_department_id": world.partner_id,
                "categories": ["arrears"],
            },
            {
                "from_department_id": world.dept_id,
                "to_department_id": world.other_id,
                "categories": ["private_debts"],
            },
        ],
        "purposes": ["生活再建の支援", "介護保険料の分納"],
    }
    consent_id = api.post(base, json=draft).get_json()["id"]
    path = f"{base}/{consent_id}"
    assert api.post(f"{path}/form").status_code == 200
    seen = world.as_("partner").get(path).get_json()
    assert seen["access"] == "named"
    assert seen["grants"] == [
        {
            "from_department_id": world.dept_id,
            "to_department_id": world.partner_id,
            "categories": ["arrears"],
        }
    ]
    # Not the grant to 介護保険課, not the purposes, not the printed statement, no files.
    for hidden in ("purposes", "statement_text", "files", "obtained_by"):
        assert hidden not in seen
    listed = world.as_("partner").get(base).get_json()["items"]
    assert [c["grants"] for c in listed] == [seen["grants"]]
    token = {"Authorization": f"Bearer {world.tokens['partner']}"}
    form = client.get(f"{PREFIX}{path}/files/form.pdf", headers=token)
    assert form.status_code == 403 and form.get_json()["error"]["code"] == "not_owner"
    # A department the consent does not name learns nothing of it.
    assert world.as_("outsider").get(path).status_code == 404
    # The gate answers a department about its own pairs only.
    check = {"sender": world.dept_id, "recipient": world.other_id, "categories": ["arrears"]}
    asked = world.as_("partner").post(f"/residents/{world.resident_id}/consent-check", json=check)
    assert asked.status_code == 403 and asked.get_json()["error"]["code"] == "not_a_party"
