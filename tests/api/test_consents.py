"""Consents over the API: the wizard's steps, the gate's question, sharing requests, isolation.
Every JSON answer is checked against the OpenAPI document by the ``Api`` client."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
import uploads_samples as samples
from api.conftest import check_against_document

import hub.documents
from hub import jp
from hub.documents.consent import services, sharing
from hub.documents.consent.models import Consent, SharingRequest
from hub.errors import InvalidInput
from hub.models import StoredFile
from hub.storage.errors import REJECTIONS

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
    # Fields are named by their dotted path in the body.
    refused = api.post(base, json=stringly).get_json()["error"]["fields"]
    assert refused == {"grants.0.to_department_id": "提供先は整数で指定してください。"}
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
    assert "情報の区分の値が正しくありません" in odd.get_json()["error"]["fields"]["categories.0"]


def test_a_hostile_scan_is_refused_over_the_api(world, client, spec, rows):
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


NOT_A_CATEGORY = [{}, {"category": "arrears"}, [], ["arrears"], 1, None]


def test_an_object_or_array_among_categories_is_a_400_naming_it(world, rows, subtests):
    """Found by a property-based run: an unhashable item in a list of categories was a 500."""
    consent_id = _active(world, "arrears", actor="partner")
    api, partner = world.as_("staff"), world.as_("partner")
    base = f"/residents/{world.resident_id}"
    before = (rows(Consent), rows(SharingRequest))
    for item in NOT_A_CATEGORY:
        with subtests.test(item=item):
            draft = _draft(world)
            draft["grants"][0]["categories"] = ["arrears", item]
            created = api.post(f"{base}/consents", json=draft)
            assert created.status_code == 400
            assert "grants.0.categories.1" in created.get_json()["error"]["fields"]
            edited = api.patch(f"{base}/consents/{consent_id}", json={"grants": draft["grants"]})
            assert edited.status_code == 400
            assert "grants.0.categories.1" in edited.get_json()["error"]["fields"]
            asked = partner.post(
                f"{base}/sharing-requests",
                json={"department_ids": [world.dept_id], "categories": [item]},
            )
            assert asked.status_code == 400
            assert "情報の区分" in asked.get_json()["error"]["fields"]["categories.0"]
            question = {"sender": world.dept_id, "recipient": world.partner_id}
            checked = api.post(f"{base}/consent-check", json={**question, "categories": [item]})
            assert "categories.0" in checked.get_json()["error"]["fields"]
    assert (rows(Consent), rows(SharingRequest)) == before


def test_the_services_refuse_an_unhashable_category_too(world, db):
    """The same input reaching a service (not through the API's models) is a field error."""
    draft = _draft(world)
    draft["grants"][0]["categories"] = [{}]
    with pytest.raises(InvalidInput) as refused:
        services.create_draft(db, world.users["staff"], world.resident_id, draft)
    assert "grants" in refused.value.fields
    asked = {"department_ids": [world.partner_id], "categories": [["arrears"]]}
    with pytest.raises(InvalidInput) as refused:
        sharing.create(db, world.users["staff"], world.resident_id, asked)
    assert "categories" in refused.value.fields


def _multipart(client, world, path: str, body: bytes, boundary: str = "X"):
    return client.post(
        f"{PREFIX}{path}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Authorization": f"Bearer {world.tokens['staff']}"},
    )


def test_a_scan_part_without_a_name_is_a_400(world, client, spec, rows):
    """Found by a property-based run: a multipart part with no name was a 500."""
    api = world.as_("staff")
    consent = api.post(f"/residents/{world.resident_id}/consents", json=_draft(world)).get_json()
    path = f"/residents/{world.resident_id}/consents/{consent['id']}"
    api.post(f"{path}/form")
    stored = rows(StoredFile)
    pdf = samples.fpdf_pdf()
    nameless_file = (
        b'--X\r\nContent-Disposition: form-data; filename="scan.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + pdf + b"\r\n--X--\r\n"
    )
    nameless_field = b"--X\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--X--\r\n"
    for body in (nameless_file, nameless_field):
        response = _multipart(client, world, f"{path}/scan", body)
        check_against_document(spec, "POST", f"{path}/scan", response)
        assert response.status_code == 400
        assert "file" in response.get_json()["error"]["fields"]
    assert rows(StoredFile) == stored
    # Named, the same file is taken.
    named = nameless_file.replace(b"form-data;", b'form-data; name="file";')
    assert _multipart(client, world, f"{path}/scan", named).status_code == 200


def test_a_scan_upload_is_multipart_with_one_file_part(world, client, spec):
    api = world.as_("staff")
    consent = api.post(f"/residents/{world.resident_id}/consents", json=_draft(world)).get_json()
    path = f"/residents/{world.resident_id}/consents/{consent['id']}/scan"
    api.post(f"/residents/{world.resident_id}/consents/{consent['id']}/form")
    as_json = api.post(path, json={"file": "JVBERi0="})
    assert as_json.get_json()["error"]["fields"] == {
        "file": "ファイルを multipart/form-data で送ってください。"
    }
    as_text = api.post(path, data={"file": "%PDF-1.4"}, content_type="multipart/form-data")
    assert as_text.status_code == 400 and "file" in as_text.get_json()["error"]["fields"]
    extra = {"file": (io.BytesIO(samples.fpdf_pdf()), "scan.pdf"), "note": "x"}
    unknown = api.post(path, data=extra, content_type="multipart/form-data")
    assert unknown.get_json()["error"]["code"] == "unknown_fields"


def test_a_patch_keeps_what_it_leaves_out(world, db):
    """The service merges a partial change itself (the API does not read the consent first)."""
    staff = world.users["staff"]
    consent = services.create_draft(db, staff, world.resident_id, _draft(world, "arrears"))
    purposes = list(consent.purposes)
    later = jp.today().replace(year=jp.today().year + 1)
    changed = services.update_draft(
        db, staff, world.resident_id, consent.id, {"valid_until": later.isoformat()}
    )
    assert changed.valid_until == later and changed.purposes == purposes
    assert [g.category for g in changed.grants] == ["arrears"]


def test_the_document_tells_the_two_shapes_of_a_consent_apart(spec):
    schemas = spec["components"]["schemas"]
    shapes = {ref["$ref"].rsplit("/", 1)[1] for ref in schemas["ConsentOut"]["oneOf"]}
    assert shapes == {"ObtainingConsent", "NamedConsent"}
    named = schemas["NamedConsent"]
    assert named["additionalProperties"] is False
    assert set(named["properties"]) == {
        "access",
        "id",
        "resident",
        "status",
        "obtaining_department",
        "obtained_on",
        "method",
        "valid_until",
        "grants",
        "withdrawal",
        "expired_at",
    }
    assert named["properties"]["access"]["const"] == "named"
    obtaining = set(schemas["ObtainingConsent"]["properties"])
    assert {"purposes", "statement_text", "files", "obtained_by"} <= obtaining


def test_every_error_code_of_the_documents_package_is_documented(spec):
    """Each ``code="…"`` the package raises is listed in the document (and so in the
    Error schema the test client checks answers against)."""
    root = Path(hub.documents.__file__).parent
    raised = set()
    for source in root.rglob("*.py"):
        raised |= set(re.findall(r'code\s*=\s*"([a-z_]+)"', source.read_text(encoding="utf-8")))
    documented = set(spec["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"])
    assert raised and raised <= documented, sorted(raised - documented)
    assert set(REJECTIONS) <= documented  # hub.storage's reasons for refusing an upload


def test_a_scan_may_be_larger_than_a_json_body(world, client, config):
    """JSON bodies stop at 1 MiB; a scan may be as large as the storage takes."""
    api = world.as_("staff")
    consent = api.post(f"/residents/{world.resident_id}/consents", json=_draft(world)).get_json()
    path = f"/residents/{world.resident_id}/consents/{consent['id']}"
    api.post(f"{path}/form")
    large = _uncompressed_png(700, 600)
    assert len(large) > 1024 * 1024
    # Encoded here: the test client would spool a large upload to a file it never closes.
    assert _multipart(client, world, f"{path}/scan", _file_part(large)).status_code == 200
    too_large = b"\x89PNG" + b"\0" * (config.upload_max_bytes + 128 * 1024)
    assert _multipart(client, world, f"{path}/scan", _file_part(too_large)).status_code == 413


def _file_part(data: bytes, name: str = "scan.png") -> bytes:
    head = f'--X\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
    return head.encode() + b"Content-Type: image/png\r\n\r\n" + data + b"\r\n--X--\r\n"


def _uncompressed_png(width: int, height: int) -> bytes:
    """A real PNG whose pixels are stored, not compressed: large for its size on screen."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rows = b"".join(b"\x00" + bytes([200, 60, 40]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )
