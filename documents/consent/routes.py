"""Consent screens: the wizard (scope grid → form → signed scan → activate), withdrawal,
signed downloads and sharing requests. Each route loads, lets a service check access, renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from hub import jp, settings, storage
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent import access, links, paper_form, services, sharing, views
from hub.documents.consent import settings as consent_settings
from hub.documents.consent.models import Consent
from hub.errors import Forbidden, HubError
from hub.web import actor, config, db

bp = Blueprint("consents", __name__, url_prefix="/residents/<int:resident_id>")


@bp.app_template_filter("category_label")
def category_label(value: str) -> str:
    """Show an information category by its Japanese name."""
    return InformationCategory(value).label


def _draft_data(form: MultiDict) -> dict[str, Any]:
    """Turn the wizard form into the service's input (the API's shape)."""
    other = [line for line in form.get("other_purposes", "").splitlines() if line.strip()]
    return {
        "grants": views.grants_from_cells(form.getlist("grant")),
        "purposes": form.getlist("purpose") + other,
        "valid_until": form.get("valid_until", ""),
    }


def _refusal(exc: HubError) -> None:
    """Let 403/404 reach the error page; before re-rendering a form, undo what was begun.

    Denials already audited survive the rollback (hub.db.finish puts them back).
    """
    if exc.status in (403, 404):
        raise exc
    db().rollback()


@bp.route("/consents/new", methods=["GET", "POST"])
def new(resident_id: int):
    """Start a consent: choose recipients × categories, purposes and the validity end."""
    if request.method == "GET":
        resident = access.resident(db(), actor(), resident_id, "consent.new_form")
        return _wizard(resident, None, views.form_of(db(), None))
    try:
        consent = services.create_draft(db(), actor(), resident_id, _draft_data(request.form))
    except HubError as exc:
        _refusal(exc)
        resident = access.resident(db(), actor(), resident_id, "consent.new_form")
        return _wizard(resident, None, request.form, exc), exc.status
    flash(f"同意書番号{consent.id}の下書きを保存しました。次に同意書を作成します。", "success")
    return redirect(url_for(".show", resident_id=resident_id, consent_id=consent.id))


@bp.route("/consents/<int:consent_id>/edit", methods=["GET", "POST"])
def edit(resident_id: int, consent_id: int):
    """Change a draft's scope, purposes or validity end (until its form is generated)."""
    if request.method == "GET":
        consent = access.consent(
            db(), actor(), resident_id, consent_id, "consent.edit_form", obtaining_only=True
        )
        services.require_editable(consent)
        return _wizard(consent.resident, consent, views.form_of(db(), consent))
    try:
        services.update_draft(db(), actor(), resident_id, consent_id, _draft_data(request.form))
    except HubError as exc:
        _refusal(exc)
        consent = access.consent(db(), actor(), resident_id, consent_id, "consent.edit_form")
        return _wizard(consent.resident, consent, request.form, exc), exc.status
    flash("同意の範囲を保存しました。", "success")
    return redirect(url_for(".show", resident_id=resident_id, consent_id=consent_id))


def _wizard(resident, consent: Consent | None, form: Mapping, exc: HubError | None = None):
    return render_template(
        "documents/consent/wizard.html",
        resident=resident,
        consent=consent,
        grid=views.grid(db(), actor()),
        categories=ORDER,
        headings=views.heading,
        form=views.WizardForm.of(form, services.purpose_choices(db())),
        purpose_choices=services.purpose_choices(db()),
        errors=exc.fields if exc else {},
        error=exc.message if exc else None,
    )


@bp.get("/consents/<int:consent_id>")
def show(resident_id: int, consent_id: int):
    """Show a consent with the next step of the wizard, or its withdrawal."""
    consent = access.consent(db(), actor(), resident_id, consent_id, "consent.view")
    return _show(consent)


def _show(consent: Consent, exc: HubError | None = None, form: Mapping | None = None):
    user = actor()
    seen = access.view(consent, user)
    if not seen.is_obtaining:
        return render_template(
            "documents/consent/show_named.html",
            consent=consent,
            resident=consent.resident,
            rows=paper_form.rows_of(db(), consent, seen.grants),
            today=jp.today(),
        )
    minutes = settings.get(db(), consent_settings.LINK_MINUTES.key)
    return render_template(
        "documents/consent/show.html",
        consent=consent,
        resident=consent.resident,
        rows=paper_form.rows_of(db(), consent),
        links=views.download_links(config().secret_key, consent, user),
        link_minutes=minutes,
        today=jp.today(),
        is_obtaining=consent.obtaining_department_id == user.department_id,
        form=form or {"obtained_on": jp.today().isoformat()},
        errors=exc.fields if exc else {},
        error=exc.message if exc else None,
    )


def _step(resident_id: int, consent_id: int, action, done: str, *args):
    """Run one wizard step; on success go back to the consent, else show why there."""
    try:
        action(db(), actor(), resident_id, consent_id, *args)
    except HubError as exc:
        _refusal(exc)
        consent = access.consent(db(), actor(), resident_id, consent_id, "consent.view")
        return _show(consent, exc, request.form), exc.status
    flash(done, "success")
    return redirect(url_for(".show", resident_id=resident_id, consent_id=consent_id))


@bp.post("/consents/<int:consent_id>/form")
def generate(resident_id: int, consent_id: int):
    """Generate the consent form (PDF and Word) from the scope, freezing the scope."""
    done = "同意書を作成しました。印刷して本人に説明し、署名をもらってください。"
    return _step(resident_id, consent_id, paper_form.generate, done)


@bp.post("/consents/<int:consent_id>/form/discard")
def discard_form(resident_id: int, consent_id: int):
    """Discard a draft's generated form so that its scope can be changed."""
    done = "作成した同意書を破棄しました。範囲を変更してから、同意書を作り直してください。"
    return _step(resident_id, consent_id, paper_form.discard, done)


@bp.post("/consents/<int:consent_id>/scan")
def upload_scan(resident_id: int, consent_id: int):
    """Register the scan of the signed form."""
    upload = request.files.get("scan")
    if upload is None or not upload.filename:
        fields = {"scan": "署名済み同意書のファイルを選んでください。"}
        consent = access.consent(db(), actor(), resident_id, consent_id, "consent.view")
        exc = HubError("ファイルが選ばれていません。", code="invalid_input", fields=fields)
        return _show(consent, exc), 400
    done = "署名済み同意書を登録しました。内容を確認して、同意を有効にしてください。"
    return _step(
        resident_id, consent_id, paper_form.upload_scan, done, upload.stream, upload.filename
    )


@bp.post("/consents/<int:consent_id>/activate")
def activate(resident_id: int, consent_id: int):
    """Put the consent in force (the signed scan must be registered)."""
    done = "同意を有効にしました。この範囲で情報を共有できます。"
    return _step(resident_id, consent_id, services.activate, done, request.form)


@bp.route("/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
def withdraw(resident_id: int, consent_id: int):
    """Record the resident's withdrawal of a consent (irreversible)."""
    if request.method == "GET":
        consent = access.consent(db(), actor(), resident_id, consent_id, "consent.withdraw_form")
        services.require_withdrawable(consent, jp.today())
        return _withdraw_form(consent, {"withdrawn_on": jp.today().isoformat()})
    try:
        services.withdraw(db(), actor(), resident_id, consent_id, request.form)
    except HubError as exc:
        _refusal(exc)
        consent = access.consent(db(), actor(), resident_id, consent_id, "consent.withdraw_form")
        return _withdraw_form(consent, request.form, exc), exc.status
    flash(f"同意書番号{consent_id}の撤回を記録しました。", "success")
    return redirect(url_for("residents.show", resident_id=resident_id))


def _withdraw_form(consent: Consent, form: Mapping, exc: HubError | None = None):
    return render_template(
        "documents/consent/withdraw.html",
        consent=consent,
        resident=consent.resident,
        rows=paper_form.rows_of(db(), consent, access.view(consent, actor()).grants),
        today=jp.today(),
        form=form,
        errors=exc.fields if exc else {},
        error=exc.message if exc else None,
    )


@bp.get("/consents/<int:consent_id>/download")
def download(resident_id: int, consent_id: int) -> Response:
    """Send a consent's file through a signed link that expires after a few minutes."""
    user = actor()
    consent = access.consent(
        db(), user, resident_id, consent_id, "consent.download_link", obtaining_only=True
    )
    minutes = settings.get(db(), consent_settings.LINK_MINUTES.key)
    link = links.verify(config().secret_key, request.args.get("t", ""), minutes * 60)
    kind = views.kind_of(consent, link.file_id)
    if link.consent_id != consent.id or link.user_id != user.id or kind is None:
        raise Forbidden(links.INVALID, code="link_invalid")
    stored, data = paper_form.read_file(db(), user, resident_id, consent_id, kind)
    response = Response(data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = storage.content_disposition(stored.original_name)
    return response


@bp.route("/sharing-requests/new", methods=["GET", "POST"])
def new_sharing_request(resident_id: int):
    """Ask other departments to share information with ours, within the consent."""
    user = actor()
    if request.method == "GET":
        resident = access.resident(db(), user, resident_id, "sharing_request.new_form")
        return _sharing_form(resident, MultiDict())
    data = {
        "department_ids": request.form.getlist("department_ids"),
        "categories": request.form.getlist("categories"),
        "note": request.form.get("note", ""),
    }
    try:
        sharing.create(db(), user, resident_id, data)
    except HubError as exc:
        _refusal(exc)
        resident = access.resident(db(), user, resident_id, "sharing_request.new_form")
        return _sharing_form(resident, request.form, exc), exc.status
    flash("情報共有の依頼を登録しました。", "success")
    return redirect(url_for("residents.show", resident_id=resident_id))


def _sharing_form(resident, form: Mapping, exc: HubError | None = None):
    return render_template(
        "documents/consent/sharing_request.html",
        resident=resident,
        options=views.sharing_options(db(), actor(), resident),
        categories=ORDER,
        headings=views.heading,
        form=form,
        reasons=getattr(exc, "reasons", []),
        errors=exc.fields if exc else {},
        error=exc.message.split("\n")[0] if exc else None,
    )
