"""Compose pages: a share or notice (greying what consent does not cover) and a sharing request.

Routes of the ``mailbox`` blueprint (defined in hub.mailbox.routes); the app factory imports
this module before it registers the blueprint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import (
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hub import jp
from hub.cases import services as cases
from hub.documents.categories import ORDER
from hub.documents.hearing import services as hearing
from hub.documents.render.policy import DECISIONS
from hub.errors import HubError, InvalidInput
from hub.mailbox import (
    access,
    checks,
    compose,
    presenters,
    send,
    sharing_requests,
)
from hub.mailbox.models import MessageStatus
from hub.mailbox.routes import bp, new_key, refusal, require_worker
from hub.models import Department, DepartmentKind
from hub.validation import parse_id
from hub.web import actor, db


def _choices(form: Mapping[str, Any]) -> presenters.ComposeChoices:
    """Load the case (and the message answered) the form is about, checking access."""
    user = actor()
    parent = None
    raw_parent = form.get("parent_id") or ""
    if raw_parent:
        parent_id = parse_id(raw_parent)
        if parent_id is None:
            raise InvalidInput(fields={"parent_id": "返信先の連絡の指定が正しくありません。"})
        parent = access.message(db(), user, parent_id, "message.compose_form").message
    case = None
    raw_case = parent.case_id if parent is not None and parent.case_id else form.get("case_id")
    if raw_case not in (None, ""):
        case_id = parse_id(raw_case)
        if case_id is None:
            raise InvalidInput(fields={"case_id": "ケースの指定が正しくありません。"})
        case = cases.get_visible(db(), user, case_id, action="message.compose_form")
    choices = presenters.ComposeChoices(case, parent)
    if case is not None:
        choices.sheets = presenters.own_sheets(db(), user, case)
        choices.consents = presenters.own_consents(db(), user, case, jp.today())
    return choices


def _initial_form(choices: presenters.ComposeChoices) -> MultiDict:
    form: MultiDict[str, Any] = MultiDict()
    parent, case = choices.parent, choices.case
    kind = request.args.get("kind", "")
    form["kind"] = kind if kind in ("share", "notice") else ("share" if case else "notice")
    if case is not None:
        form["case_id"] = str(case.id)
    if parent is not None:
        form["parent_id"] = str(parent.id)
        user = actor()
        # Quote the subject only while it is ours to read (a recalled share's is not).
        if access.readable_message(db(), user, parent.id) is not None:
            subject = parent.subject
            subject = subject if subject.startswith("Re: ") else f"Re: {subject}"
            form["subject"] = subject[: compose.SUBJECT_MAX]
        ids = {parent.sender_department_id, *(r.department_id for r in parent.recipients)}
        for dept_id in sorted(ids - {user.department_id}):
            form.add("recipient_ids", str(dept_id))
    return form


def _render_compose(
    choices: presenters.ComposeChoices,
    form: MultiDict,
    status: int = 200,
    exc: HubError | None = None,
):
    user = actor()
    categories = presenters.chosen_categories(form, choices.sheets)
    options = checks.recipient_options(db(), user, choices.case, categories)
    missing = getattr(exc, "missing", None) or []
    return render_template(
        "mailbox/compose.html",
        choices=choices,
        case=choices.case,
        parent=choices.parent,
        form=form,
        checked=set(form.getlist("recipient_ids")),
        options=options,
        categories=categories,
        all_categories=ORDER,
        sheet_sections=presenters.SHEET_SECTIONS,
        patterns=compose.PATTERNS,
        claim_types=hearing.claim_types(db()) if choices.case else [],
        decisions=DECISIONS,
        refused=presenters.refused_rows(missing),
        errors=exc.fields if exc else {},
        # A refusal has its own panel (per recipient and category) instead of the one-liner.
        error=exc.message.split("\n")[0] if exc and not missing else None,
        idempotency_key=form.get("idempotency_key") or new_key(),
        subject_max=compose.SUBJECT_MAX,
        body_max=compose.BODY_MAX,
        max_attachments=compose.MAX_ATTACHMENTS,
    ), status


@bp.route("/compose", methods=["GET", "POST"])
def compose_page():
    """Write a share (about a case) or a notice, and send it within the consent."""
    require_worker()
    if request.method == "GET":
        choices = _choices(request.args)
        return _render_compose(choices, _initial_form(choices))
    try:
        message = send.send(
            db(), actor(), presenters.compose_data(request.form), presenters.uploads(request.files)
        ).message
    except HubError as exc:
        refusal(exc)
        choices = _choices(request.form)
        return _render_compose(choices, request.form, exc.status, exc)
    if message.status == MessageStatus.PENDING_APPROVAL:
        flash("連絡を作成しました。所属の管理職の承認後に送信されます（承認待ち）。", "success")
    else:
        flash(f"連絡を送信しました（連絡番号{message.id}）。", "success")
    return redirect(url_for(".show", message_id=message.id))


@bp.get("/compose/options")
def options():
    """Which departments the chosen categories may go to: names and reasons, no personal data."""
    require_worker()
    choices = _choices({"case_id": request.args.get("case_id", "")})
    categories = presenters.parse_categories(request.args.get("categories", ""))
    found = checks.recipient_options(db(), actor(), choices.case, categories)
    return jsonify(
        categories=categories,
        recipients=[
            {"id": o.department.id, "allowed": o.allowed, "reasons": o.reasons} for o in found
        ],
    )


# ---------------------------------------------------------------- sharing request


def _collection_departments() -> list[Department]:
    """The departments a sharing request can ask: active collection departments but ours."""
    query = select(Department).where(
        Department.is_active,
        Department.kind == DepartmentKind.COLLECTION,
        Department.id != actor().department_id,
    )
    return list(db().scalars(query.order_by(Department.id)))


def _render_request(case, form: MultiDict, status: int = 200, exc: HubError | None = None):
    return render_template(
        "mailbox/request.html",
        case=case,
        departments=_collection_departments(),
        categories=ORDER,
        form=form,
        checked=set(form.getlist("department_ids")),
        chosen=set(form.getlist("categories")),
        reasons=getattr(exc, "reasons", []),
        errors=exc.fields if exc else {},
        error=exc.message.split("\n")[0] if exc else None,
        idempotency_key=form.get("idempotency_key") or new_key(),
    ), status


@bp.route("/cases/<int:case_id>/request", methods=["GET", "POST"])
def request_sharing(case_id: int):
    """情報共有の依頼: ask collection departments for what the consent lets them give us."""
    user = actor()
    if request.method == "GET":
        case = cases.get_visible(db(), user, case_id, action="sharing_request.compose")
        return _render_request(case, MultiDict())
    try:
        sent = sharing_requests.request_sharing(
            db(), user, case_id, presenters.request_data(request.form)
        )
    except HubError as exc:
        refusal(exc)
        case = cases.get_visible(db(), user, case_id, action="sharing_request.compose")
        return _render_request(case, request.form, exc.status, exc)
    flash(f"情報共有を依頼しました（連絡番号{sent.message.id}）。", "success")
    return redirect(url_for(".show", message_id=sent.message.id))
