"""Consents over the API: the same services as the screens, so the same rules and audits.

The consent wizard's steps, its files (read with the bearer token; no signed link is needed),
the gate's question, sharing requests, and adding departments to a case within consent.
"""

from __future__ import annotations

from flask import Response, request, url_for

from hub import storage
from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, case_workers_only, errors, file_responses
from hub.api.cases import CaseOut
from hub.api.models import CasePath, ConsentPath, Query, ResidentPath, respond
from hub.documents.consent import access, membership, paper_form, questions, services, sharing
from hub.documents.consent.models import Consent
from hub.documents.consent.schemas import (
    CaseDepartmentsInput,
    ConsentActivation,
    ConsentCheck,
    ConsentDecision,
    ConsentInput,
    ConsentList,
    ConsentOut,
    ConsentPatch,
    ConsentWithdrawal,
    ScanUpload,
    SharingRequestInput,
    SharingRequestList,
    SharingRequestOut,
)
from hub.errors import InvalidInput
from hub.models import StoredFile
from hub.web import config, db

bp = api_blueprint(
    "consent_api",
    __name__,
    "同意",
    "同意の作成から撤回まで、同意の確認、情報共有の依頼、同意の範囲での関係所管の追加",
)
case_workers_only(bp, "consent")
#: Scans are uploads, not small JSON: they may be as large as the storage accepts.
_MULTIPART_SLACK = 64 * 1024
_CONSENT = {200: ConsentOut, **errors(403, 404, 409)}


@bp.before_request
def _scan_upload() -> None:
    """Let a scan be as large as the storage takes, and refuse a body that is no upload (a
    part without a name included) before the form is read into the model."""
    if request.endpoint != f"{bp.name}.upload_consent_scan":
        return
    request.max_content_length = config().upload_max_bytes + _MULTIPART_SLACK
    if request.mimetype != "multipart/form-data":
        raise InvalidInput(
            "署名済み同意書は multipart/form-data の file 項目で送ってください。",
            fields={"file": "ファイルを multipart/form-data で送ってください。"},
        )
    if None in request.files or None in request.form:
        raise InvalidInput(
            "名前（name）のない項目があります。"
            "署名済み同意書は file という名前の項目で送ってください。",
            fields={"file": '署名済み同意書は name="file" の項目で送ってください。'},
        )


def _consent(consent: Consent, status: int = 200, location: str | None = None) -> Response:
    return respond(ConsentOut.of(consent, api_user()), status, location)


def _file(stored_and_data: tuple[StoredFile, bytes]) -> Response:
    stored, data = stored_and_data
    response = Response(data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = storage.content_disposition(stored.original_name)
    return response


# ------------------------------------------------------------------ consents

_BASE = "/residents/<int:resident_id>/consents"
_ONE = _BASE + "/<int:consent_id>"


@bp.get(_BASE, responses={200: ConsentList, **errors(403, 404)})
def list_consents(path: ResidentPath, query: Query) -> Response:
    """List a visible resident's consents, newest first."""
    _resident, views = services.list_for_resident(db(), api_user(), path.resident_id)
    return respond(ConsentList.of(views))


@bp.post(_BASE, responses={201: ConsentOut, **errors(403, 404)})
def create_consent(path: ResidentPath, body: ConsentInput) -> Response:
    """Start a consent (draft) taken by the user's department."""
    data = body.model_dump(exclude_unset=True, mode="json")
    consent = services.create_draft(db(), api_user(), path.resident_id, data)
    location = url_for(".show_consent", resident_id=consent.resident_id, consent_id=consent.id)
    return _consent(consent, 201, location)


@bp.get(_ONE, responses={200: ConsentOut, **errors(403, 404)})
def show_consent(path: ConsentPath) -> Response:
    """Show one consent of a visible resident, as the user's department may see it."""
    user = api_user()
    return _consent(access.consent(db(), user, path.resident_id, path.consent_id, "consent.view"))


@bp.patch(_ONE, responses=_CONSENT)
def update_consent(path: ConsentPath, body: ConsentPatch) -> Response:
    """Change a draft's scope, purposes or validity end; fields left out keep their value."""
    data = body.model_dump(exclude_unset=True, mode="json")
    consent = services.update_draft(db(), api_user(), path.resident_id, path.consent_id, data)
    return _consent(consent)


@bp.post(_ONE + "/form", responses=_CONSENT)
def generate_consent_form(path: ConsentPath) -> Response:
    """Generate the form (PDF and Word) from the scope; the scope is frozen from then on."""
    return _consent(paper_form.generate(db(), api_user(), path.resident_id, path.consent_id))


@bp.delete(_ONE + "/form", responses=_CONSENT)
def discard_consent_form(path: ConsentPath) -> Response:
    """Discard a draft's form (and scan) so that its scope can change."""
    return _consent(paper_form.discard(db(), api_user(), path.resident_id, path.consent_id))


@bp.post(_ONE + "/scan", responses={**_CONSENT, **errors(413)})
def upload_consent_scan(path: ConsentPath, form: ScanUpload) -> Response:
    """Register the signed scan, sent as multipart/form-data in the part named ``file``."""
    upload = form.file
    consent = paper_form.upload_scan(
        db(), api_user(), path.resident_id, path.consent_id, upload.stream, upload.filename or ""
    )
    return _consent(consent)


@bp.post(_ONE + "/activate", responses=_CONSENT)
def activate_consent(path: ConsentPath, body: ConsentActivation) -> Response:
    """Put the consent in force (the signed scan must be registered)."""
    data = body.model_dump(mode="json")
    return _consent(services.activate(db(), api_user(), path.resident_id, path.consent_id, data))


@bp.post(_ONE + "/withdraw", responses=_CONSENT)
def withdraw_consent(path: ConsentPath, body: ConsentWithdrawal) -> Response:
    """Record the resident's withdrawal (irreversible)."""
    data = body.model_dump(mode="json")
    return _consent(services.withdraw(db(), api_user(), path.resident_id, path.consent_id, data))


@bp.get(_ONE + "/files/form.pdf", responses=file_responses(storage.PDF))
def download_consent_form_pdf(path: ConsentPath, query: Query) -> Response:
    """Download the generated form as PDF."""
    return _file(
        paper_form.read_file(db(), api_user(), path.resident_id, path.consent_id, "form_pdf")
    )


@bp.get(_ONE + "/files/form.docx", responses=file_responses(storage.DOCX))
def download_consent_form_docx(path: ConsentPath, query: Query) -> Response:
    """Download the generated form as Word."""
    return _file(
        paper_form.read_file(db(), api_user(), path.resident_id, path.consent_id, "form_docx")
    )


@bp.get(_ONE + "/files/scan", responses=file_responses(*sorted(paper_form.SCAN_TYPES)))
def download_consent_scan(path: ConsentPath, query: Query) -> Response:
    """Download the signed scan."""
    return _file(paper_form.read_file(db(), api_user(), path.resident_id, path.consent_id, "scan"))


# ------------------------------------------------------------------ the gate and requests


@bp.post(
    "/residents/<int:resident_id>/consent-check",
    responses={200: ConsentDecision, **errors(403, 404)},
)
def check_consent(path: ResidentPath, body: ConsentCheck) -> Response:
    """Ask the gate whether a sender may give a recipient these categories on a date."""
    decision = questions.ask(
        db(),
        api_user(),
        path.resident_id,
        body.sender,
        body.recipient,
        [c.value for c in body.categories],
        body.date or "",
    )
    return respond(ConsentDecision.of(decision))


_REQUESTS = "/residents/<int:resident_id>/sharing-requests"


@bp.get(_REQUESTS, responses={200: SharingRequestList, **errors(403, 404)})
def list_sharing_requests(path: ResidentPath, query: Query) -> Response:
    """List the sharing requests about a resident that concern the user's department."""
    user = api_user()
    items = sharing.list_for_resident(db(), user, path.resident_id)
    return respond(SharingRequestList(items=[SharingRequestOut.of(i, user) for i in items]))


@bp.post(_REQUESTS, responses={201: SharingRequestOut, **errors(403, 404, 409)})
def create_sharing_request(path: ResidentPath, body: SharingRequestInput) -> Response:
    """Ask departments to share categories with ours; refused (409) outside the consent."""
    user = api_user()
    data = body.model_dump(exclude_unset=True, mode="json")
    item = sharing.create(db(), user, path.resident_id, data)
    return respond(SharingRequestOut.of(item, user), 201)


# ------------------------------------------------------------------ membership


@bp.post("/cases/<int:case_id>/departments", responses={200: CaseOut, **errors(403, 404, 409)})
def add_case_departments(path: CasePath, body: CaseDepartmentsInput) -> Response:
    """Add departments to a case (its lead only), each within the resident's consent (409)."""
    user = api_user()
    case = membership.join(db(), user, path.case_id, body.department_ids)
    return respond(CaseOut.of(case, user))
