"""Consents over the API: the same services as the screens, so the same rules and audits.

Files are read with the bearer token (no signed link is needed); everything else is JSON.
The OpenAPI paths and schemas of these routes are in hub/api/consents_doc.py.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from sqlalchemy import select

from hub import jp, storage
from hub.api import serialize
from hub.api.auth import api_user
from hub.api.inputs import ID, IDS, TEXT, json_object, query_args, require_types
from hub.api.legacy import bp
from hub.documents.categories import ORDER
from hub.documents.consent import access, forms, gate, scope, services, sharing
from hub.documents.consent.models import Consent, SharingRequest
from hub.errors import InvalidInput
from hub.models import Department, StoredFile, User
from hub.validation import Fields
from hub.web import config, db

#: Scans are uploads, not small JSON: they may be as large as the storage accepts.
_MULTIPART_SLACK = 64 * 1024


# ------------------------------------------------------------------ serialisation


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "display_name": user.display_name} if user else None


def _file(stored: StoredFile | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {
        "name": stored.original_name,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
    }


def consent_json(consent: Consent, user: User) -> dict[str, Any]:
    """A consent as the user's department may see it (see hub.documents.consent.access)."""
    seen = access.view(consent, user)
    if not seen.is_obtaining:
        return _named_json(seen)
    withdrawal = None
    if consent.withdrawn_on is not None:
        withdrawal = {
            "withdrawn_on": serialize.day(consent.withdrawn_on),
            "method": consent.withdrawal_method.value,
            "reason": consent.withdrawal_reason,
            "withdrawn_by": _user_ref(consent.withdrawn_by),
            "recorded_at": serialize.timestamp(consent.withdrawn_at),
        }
    return {
        "access": seen.role,
        "id": consent.id,
        "resident": serialize.resident_ref(consent.resident),
        "status": consent.status_on(jp.today()).value,
        "obtaining_department": serialize.department_ref(consent.obtaining_department),
        "obtained_by": _user_ref(consent.obtained_by),
        "obtained_on": serialize.day(consent.obtained_on),
        "method": consent.method.value,
        "purposes": list(consent.purposes),
        "valid_until": serialize.day(consent.valid_until),
        "grants": scope.to_json(consent.grants),
        "statement_text": consent.statement_text,
        "withdrawal_clause": consent.withdrawal_clause,
        "form_generated_at": serialize.timestamp(consent.form_generated_at),
        "files": {kind: _file(stored) for kind, stored in consent.files().items()},
        "activated_at": serialize.timestamp(consent.activated_at),
        "withdrawal": withdrawal,
        "expired_at": serialize.timestamp(consent.expired_at),
        "created_at": serialize.timestamp(consent.created_at),
    }


def _named_json(seen: access.ConsentView) -> dict[str, Any]:
    """What a department named in the scope sees: that the consent exists, its terms in time,
    and the grants to and from itself; nothing of the others, the purposes or the files."""
    consent = seen.consent
    withdrawal = None
    if consent.withdrawn_on is not None:
        withdrawal = {"withdrawn_on": serialize.day(consent.withdrawn_on)}
    return {
        "access": seen.role,
        "id": consent.id,
        "resident": serialize.resident_ref(consent.resident),
        "status": consent.status_on(jp.today()).value,
        "obtaining_department": serialize.department_ref(consent.obtaining_department),
        "obtained_on": serialize.day(consent.obtained_on),
        "method": consent.method.value,
        "valid_until": serialize.day(consent.valid_until),
        "grants": scope.to_json(seen.grants),
        "withdrawal": withdrawal,
        "expired_at": serialize.timestamp(consent.expired_at),
    }


def _request_json(item: SharingRequest, user: User) -> dict[str, Any]:
    return {
        "id": item.id,
        "resident_id": item.resident_id,
        "requesting_department": serialize.department_ref(item.requesting_department),
        "requested_by": _user_ref(item.requested_by),
        "asked": [
            {"department_id": department_id, "categories": categories}
            for department_id, categories in item.by_department(user.department_id).items()
        ],
        "note": item.note,
        "consent_ids": list(item.consent_ids),
        "created_at": serialize.timestamp(item.created_at),
    }


def _decision_json(decision: gate.Decision) -> dict[str, Any]:
    return {
        "allowed": decision.allowed,
        "missing": [{"category": m.category, "reason": m.reason} for m in decision.missing],
        "consent_ids": decision.consent_ids,
    }


# ------------------------------------------------------------------ input


def _grant_types(data: dict[str, Any]) -> None:
    """Ids inside grants must be JSON integers, as everywhere in the API."""
    grants = data.get("grants")
    if not isinstance(grants, list):
        return
    for item in grants:
        if isinstance(item, dict):
            require_types(
                {k: item.get(k) for k in ("from_department_id", "to_department_id")},
                {"from_department_id": (ID, "提供元"), "to_department_id": (ID, "提供先")},
            )


def _location(consent: Consent) -> str:
    return url_for(".show_consent", resident_id=consent.resident_id, consent_id=consent.id)


# ------------------------------------------------------------------ consents


@bp.get("/residents/<int:resident_id>/consents")
def list_consents(resident_id: int) -> Response:
    """List a visible resident's consents, newest first."""
    query_args([])
    user = api_user()
    _resident, views = services.list_for_resident(db(), user, resident_id)
    return jsonify(items=[consent_json(v.consent, user) for v in views])


@bp.post("/residents/<int:resident_id>/consents")
def create_consent(resident_id: int) -> Response:
    """Start a consent (draft) taken by the user's department."""
    data = json_object(services.DRAFT_FIELDS)
    require_types(data, {"valid_until": (TEXT, "有効期限")})
    _grant_types(data)
    consent = services.create_draft(db(), api_user(), resident_id, data)
    return serialize.created(consent_json(consent, api_user()), _location(consent))


@bp.get("/residents/<int:resident_id>/consents/<int:consent_id>")
def show_consent(resident_id: int, consent_id: int) -> Response:
    """Show one consent of a visible resident."""
    consent = access.consent(db(), api_user(), resident_id, consent_id, "consent.view")
    return jsonify(consent_json(consent, api_user()))


@bp.patch("/residents/<int:resident_id>/consents/<int:consent_id>")
def update_consent(resident_id: int, consent_id: int) -> Response:
    """Change a draft's scope, purposes or validity end; fields left out keep their value."""
    data = json_object(services.DRAFT_FIELDS)
    require_types(data, {"valid_until": (TEXT, "有効期限")})
    _grant_types(data)
    user = api_user()
    current = db().get(Consent, consent_id)
    if current is not None and current.resident_id == resident_id:
        data = {
            "grants": scope.to_json(current.grants),
            "purposes": list(current.purposes),
            "valid_until": current.valid_until.isoformat(),
            **data,
        }
    consent = services.update_draft(db(), user, resident_id, consent_id, data)
    return jsonify(consent_json(consent, api_user()))


@bp.post("/residents/<int:resident_id>/consents/<int:consent_id>/form")
def generate_consent_form(resident_id: int, consent_id: int) -> Response:
    """Generate the form (PDF and Word) from the scope; the scope is frozen from then on."""
    consent = forms.generate(db(), api_user(), resident_id, consent_id)
    return jsonify(consent_json(consent, api_user()))


@bp.delete("/residents/<int:resident_id>/consents/<int:consent_id>/form")
def discard_consent_form(resident_id: int, consent_id: int) -> Response:
    """Discard a draft's form (and scan) so that its scope can change."""
    consent = forms.discard(db(), api_user(), resident_id, consent_id)
    return jsonify(consent_json(consent, api_user()))


@bp.post("/residents/<int:resident_id>/consents/<int:consent_id>/scan")
def upload_consent_scan(resident_id: int, consent_id: int) -> Response:
    """Register the signed scan, sent as multipart/form-data in the field ``file``."""
    request.max_content_length = config().upload_max_bytes + _MULTIPART_SLACK
    if request.mimetype != "multipart/form-data":
        raise InvalidInput(
            "署名済み同意書は multipart/form-data の file 項目で送ってください。",
            code="invalid_input",
            fields={"file": "ファイルを multipart/form-data で送ってください。"},
        )
    upload = request.files.get("file")
    unknown = sorted((set(request.files) | set(request.form)) - {"file"})
    if unknown:
        raise InvalidInput(
            f"不明な項目があります: {', '.join(unknown)}",
            code="unknown_fields",
            fields={name: "この項目は受け付けていません。" for name in unknown},
        )
    if upload is None:
        raise InvalidInput(fields={"file": "署名済み同意書のファイルを指定してください。"})
    consent = forms.upload_scan(
        db(), api_user(), resident_id, consent_id, upload.stream, upload.filename or "scan"
    )
    return jsonify(consent_json(consent, api_user()))


@bp.post("/residents/<int:resident_id>/consents/<int:consent_id>/activate")
def activate_consent(resident_id: int, consent_id: int) -> Response:
    """Put the consent in force (the signed scan must be registered)."""
    data = json_object(services.ACTIVATE_FIELDS)
    require_types(data, {"obtained_on": (TEXT, "同意日")})
    consent = services.activate(db(), api_user(), resident_id, consent_id, data)
    return jsonify(consent_json(consent, api_user()))


@bp.post("/residents/<int:resident_id>/consents/<int:consent_id>/withdraw")
def withdraw_consent(resident_id: int, consent_id: int) -> Response:
    """Record the resident's withdrawal (irreversible)."""
    data = json_object(services.WITHDRAW_FIELDS)
    require_types(
        data,
        {
            "withdrawn_on": (TEXT, "撤回日"),
            "method": (TEXT, "撤回の方法"),
            "reason": (TEXT, "理由"),
        },
    )
    consent = services.withdraw(db(), api_user(), resident_id, consent_id, data)
    return jsonify(consent_json(consent, api_user()))


def _send(resident_id: int, consent_id: int, kind: str) -> Response:
    query_args([])
    stored, data = forms.read_file(db(), api_user(), resident_id, consent_id, kind)
    response = Response(data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = storage.content_disposition(stored.original_name)
    return response


@bp.get("/residents/<int:resident_id>/consents/<int:consent_id>/files/form.pdf")
def download_consent_form_pdf(resident_id: int, consent_id: int) -> Response:
    """Download the generated form as PDF."""
    return _send(resident_id, consent_id, "form_pdf")


@bp.get("/residents/<int:resident_id>/consents/<int:consent_id>/files/form.docx")
def download_consent_form_docx(resident_id: int, consent_id: int) -> Response:
    """Download the generated form as Word."""
    return _send(resident_id, consent_id, "form_docx")


@bp.get("/residents/<int:resident_id>/consents/<int:consent_id>/files/scan")
def download_consent_scan(resident_id: int, consent_id: int) -> Response:
    """Download the signed scan."""
    return _send(resident_id, consent_id, "scan")


# ------------------------------------------------------------------ the gate and requests


@bp.post("/residents/<int:resident_id>/consent-check")
def check_consent(resident_id: int) -> Response:
    """Ask the gate whether a sender may give a recipient these categories on a date."""
    data = json_object(["sender", "recipient", "categories", "date"])
    require_types(
        data, {"sender": (ID, "提供元"), "recipient": (ID, "提供先"), "date": (TEXT, "日付")}
    )
    user = api_user()
    resident = access.resident(db(), user, resident_id, "consent.check", record=False)
    fields = Fields(data)
    on_date = fields.optional_date("date", "日付") or jp.today()
    categories = data.get("categories")
    if not (isinstance(categories, list) and categories and all(c in ORDER for c in categories)):
        fields.error("categories", "情報の区分を1つ以上、正しい値で指定してください。")
    ids = {data.get("sender"), data.get("recipient")}
    for name in ("sender", "recipient"):
        if data.get(name) is None:
            fields.error(name, "所管課のIDを指定してください。")
    if None not in ids:
        if len(ids) == 1:
            fields.error("recipient", "提供元と提供先が同じ所管課です。")
        elif len(db().scalars(select(Department.id).where(Department.id.in_(ids))).all()) != 2:
            fields.error("recipient", "存在しない所管課が指定されています。")
    fields.check()
    access.require_party(db(), user, resident.id, data["sender"], data["recipient"])
    decision = gate.check(
        db(), user, resident.id, data["sender"], data["recipient"], categories, on_date
    )
    return jsonify(_decision_json(decision))


@bp.get("/residents/<int:resident_id>/sharing-requests")
def list_sharing_requests(resident_id: int) -> Response:
    """List the sharing requests about a resident that concern the user's department."""
    query_args([])
    items = sharing.list_for_resident(db(), api_user(), resident_id)
    return jsonify(items=[_request_json(item, api_user()) for item in items])


@bp.post("/residents/<int:resident_id>/sharing-requests")
def create_sharing_request(resident_id: int) -> Response:
    """Ask departments to share categories with ours; refused (409) outside the consent."""
    data = json_object(sharing.FIELDS)
    require_types(data, {"department_ids": (IDS, "依頼先"), "note": (TEXT, "依頼の内容")})
    item = sharing.create(db(), api_user(), resident_id, data)
    return serialize.created(_request_json(item, api_user()))


@bp.post("/cases/<int:case_id>/departments")
def add_case_departments(case_id: int) -> Response:
    """Add departments to a case (its lead only), each within the resident's consent (409)."""
    from hub.api.auth import case_worker
    from hub.documents.consent import membership

    data = json_object(["department_ids"])
    require_types(data, {"department_ids": (IDS, "関係所管")})
    user = case_worker("case.add_department", case_id)
    case = membership.join(db(), user, case_id, data.get("department_ids"))
    return jsonify(serialize.case(case, user))
