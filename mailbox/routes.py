"""Mailbox screens (連絡): inbox, sent box, a message with its receipts, compose, sharing
requests, approvals, notifications and what is owed or awaited.

Each route loads through a service (which checks access: 404 for other departments, 403 for
administrators), calls it and renders. Search words are personal data: they are posted, kept
encrypted in the session and never put in a URL.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from hub import jp
from hub.documents.hearing import routes as hearing_routes
from hub.errors import Forbidden, HubError, InvalidInput, NotFound
from hub.mailbox import (
    access,
    adopt,
    approval,
    compose,
    inbox,
    notify,
    presenters,
    read,
    reminders,
    sharing_requests,
)
from hub.mailbox import followups as lists
from hub.mailbox.models import MessageKind, WorkStatus
from hub.mailbox.read import MessageView
from hub.models import Role
from hub.validation import parse_id
from hub.web import actor, db, get_private, put_private, send_stored

bp = Blueprint("mailbox", __name__, url_prefix="/mailbox")
SEARCH_KEY = "mailbox_search"
#: Inbox filters carried in the query string (never the search words).
QUERY_FILTERS = ("kind", "case_id", "due", "overdue", "recalled", "unread", "status", "mine")
CHIPS = (
    ("unread", "未読"),
    ("due", "回答待ち"),
    ("overdue", "期限超過"),
    ("recalled", "取消し"),
    ("mine", "自分の担当"),
)


def refusal(exc: HubError) -> None:
    """Let 403/404 reach the error page; before re-rendering a form, undo what was begun."""
    if exc.status in (403, 404):
        raise exc
    db().rollback()


def require_worker() -> None:
    if not actor().can_read_cases:
        raise Forbidden(access.ADMIN_REFUSED)


def new_key() -> str:
    return secrets.token_urlsafe(24)


# -------------------------------------------------------------------------- inbox


def _query_filters() -> dict[str, str]:
    return {k: request.args[k] for k in QUERY_FILTERS if request.args.get(k)}


@bp.get("/")
def inbox_page():
    """List the department's inbox: unread first, filtered, 50 at a time."""
    require_worker()
    user, words = actor(), get_private(SEARCH_KEY, "")
    chosen = _query_filters()
    f = inbox.parse_filter({**chosen, "q": words})
    page = inbox.inbox(db(), user, f, request.args.get("cursor") or None)
    return render_template(
        "mailbox/inbox.html",
        page=page,
        chosen=chosen,
        words=words,
        chips=CHIPS,
        kinds=list(MessageKind),
        statuses=list(WorkStatus),
        today=jp.today(),
        days_left=lists.days_left,
        # Each row links its message and its case: the links' fixed part is built once, not
        # fifty times (werkzeug's URL building was a tenth of the page).
        message_href=url_for(".show", message_id=0).removesuffix("0"),
        case_href=url_for(".inbox_page", case_id=0).removesuffix("0"),
    )


@bp.post("/search")
def search():
    """Remember the search words (encrypted in the session) and show the inbox."""
    words = request.form.get("q", "").strip()
    if len(words) > 100:
        words = words[:100]
    put_private(SEARCH_KEY, words)
    back = request.form.get("back") == "sent"
    filters = {k: request.form[k] for k in QUERY_FILTERS if request.form.get(k)}
    if back:
        return redirect(url_for(".sent"))
    return redirect(url_for(".inbox_page", **_safe_filters(filters)))


def _safe_filters(filters: Mapping[str, str]) -> dict[str, str]:
    """Keep only well-formed filters for the redirect (a bad one would be a 400 there)."""
    try:
        inbox.parse_filter(filters)
    except InvalidInput:
        return {}
    return dict(filters)


@bp.post("/search/clear")
def clear_search():
    """Forget the search words."""
    session.pop(SEARCH_KEY, None)
    if request.form.get("back") == "sent":
        return redirect(url_for(".sent"))
    return redirect(url_for(".inbox_page"))


@bp.get("/sent")
def sent():
    """List what the department sent, with each recipient's receipt."""
    require_worker()
    words = get_private(SEARCH_KEY, "")
    page = inbox.sent(db(), actor(), request.args.get("cursor") or None, q=words)
    return render_template(
        "mailbox/sent.html", page=page, words=words, badges=presenters.badges, today=jp.today()
    )


# ------------------------------------------------------------------------ message


def _render_message(view: MessageView, status: int = 200, **extra: Any):
    user = actor()
    message = view.message
    if view.is_recalled:
        return render_template("mailbox/tombstone.html", view=view, message=message), status
    context: dict[str, Any] = {
        "view": view,
        "message": message,
        "documents": [presenters.document_view(db(), d) for d in view.documents],
        "replies": presenters.replies(db(), user, message),
        # The message answered, if its content is still ours to read (not recalled).
        "parent": (
            access.readable_message(db(), user, message.parent_id) if message.parent_id else None
        ),
        "form": MultiDict(),
        "errors": {},
        "error": None,
        "decline_errors": {},
        "support_statuses": compose.SUPPORT_STATUSES,
        "debt_statuses": compose.DEBT_STATUSES,
        "statuses": list(WorkStatus),
        "idempotency_key": new_key(),
        "is_manager": user.role == Role.MANAGER,
        "days_left": lists.days_left,
        "reasons": [],
    }
    # The request's reminder history: every recipient's for the sender, one's own otherwise.
    context["reminders"] = reminders.history(
        db(), message.id, None if view.delivery is None else view.delivery.department_id
    )
    if view.is_sender:
        context["receipts"] = presenters.receipts(message)
    else:
        context["colleagues"] = read.colleagues(db(), user)
    context.update(extra)
    return render_template("mailbox/message.html", **context), status


@bp.get("/messages/<int:message_id>")
def show(message_id: int):
    """Open a message (recording the first open) or show its tombstone."""
    return _render_message(read.open_message(db(), actor(), message_id))


@bp.get("/messages/<int:message_id>/documents/<int:document_id>")
def document(message_id: int, document_id: int) -> ResponseReturnValue:
    """Download a shared file after checking consent again (409 once recalled)."""
    doc, _data = read.open_document(db(), actor(), message_id, document_id, read_file=False)
    if doc.stored_file is None:
        return redirect(url_for(".show", message_id=message_id, _anchor=f"doc-{doc.id}"))
    return send_stored(db(), doc.stored_file)


@bp.post("/messages/<int:message_id>/documents/<int:document_id>/own-sheet")
def own_sheet(message_id: int, document_id: int):
    """Start the department's own hearing sheet from a shared one (on its own case)."""
    try:
        case, sections, note = adopt.sheet_from(db(), actor(), message_id, document_id)
    except HubError as exc:
        refusal(exc)
        view = read.open_message(db(), actor(), message_id)
        return _render_message(view, exc.status, error=exc.message)
    return hearing_routes.render_prefilled(case, sections, note)


def _after(message_id: int, action, done: str, *args):
    """Run a recipient's action; on a fixable error show the message again with the reason."""
    try:
        action(db(), actor(), message_id, *args)
    except HubError as exc:
        refusal(exc)
        view = read.open_message(db(), actor(), message_id)
        return _render_message(view, exc.status, error=exc.message)
    flash(done, "success")
    return redirect(url_for(".show", message_id=message_id))


@bp.post("/messages/<int:message_id>/acknowledge")
def acknowledge(message_id: int):
    """確認しました: tell the sender the department has read it."""
    return _after(message_id, read.acknowledge, "「確認しました」を送信元に伝えました。")


@bp.post("/messages/<int:message_id>/triage")
def triage(message_id: int):
    """Set the department's 担当者 and 対応状況 of a received message."""
    data = {k: request.form[k] for k in read.TRIAGE_FIELDS if k in request.form}
    return _after(message_id, read.triage, "担当者・対応状況を更新しました。", data)


@bp.post("/messages/<int:message_id>/feedback")
def feedback(message_id: int):
    """Send the structured feedback back to the sender (consent-checked in that direction)."""
    try:
        sent = sharing_requests.send_feedback(
            db(), actor(), message_id, presenters.feedback_data(request.form)
        )
    except HubError as exc:
        refusal(exc)
        view = read.open_message(db(), actor(), message_id)
        return _render_message(
            view,
            exc.status,
            form=request.form,
            errors=exc.fields,
            error=exc.message,
            reasons=getattr(exc, "missing", None) or getattr(exc, "reasons", []),
            idempotency_key=request.form.get("idempotency_key") or new_key(),
        )
    flash(f"フィードバックを送信しました（連絡番号{sent.message.id}）。", "success")
    return redirect(url_for(".show", message_id=message_id))


@bp.post("/messages/<int:message_id>/decline")
def decline(message_id: int):
    """Decline a sharing request with a reason."""
    try:
        reason = presenters.lines(request.form.get("reason", ""))
        sharing_requests.decline(db(), actor(), message_id, reason)
    except HubError as exc:
        refusal(exc)
        view = read.open_message(db(), actor(), message_id)
        return _render_message(
            view, exc.status, error=exc.message, decline_errors=exc.fields, form=request.form
        )
    flash("依頼を辞退しました。理由は依頼元に伝わります。", "success")
    return redirect(url_for(".show", message_id=message_id))


# ------------------------------------------------------------------------ approvals


@bp.get("/approvals")
def approvals():
    """Messages of the department waiting for a manager's approval."""
    return _render_approvals()


def _render_approvals(status: int = 200, exc: HubError | None = None):
    user = actor()
    if user.role != Role.MANAGER:
        raise Forbidden("承認待ちの一覧は所属の管理職が使います。")
    pending = approval.pending_approvals(db(), user)
    return render_template(
        "mailbox/approvals.html",
        pending=[(m, presenters.receipts(m)) for m in pending],
        error=exc.message.split("\n")[0] if exc else None,
        reasons=getattr(exc, "reasons", []),
        errors=exc.fields if exc else {},
    ), status


def _decide(message_id: int, action, done: str, *args):
    """Approve or return a message; on a refusal show the list again with the reason."""
    try:
        action(db(), actor(), message_id, *args)
    except HubError as exc:
        refusal(exc)
        return _render_approvals(exc.status, exc)
    flash(done, "success")
    return redirect(url_for(".approvals"))


@bp.post("/approvals/<int:message_id>/approve")
def approve(message_id: int):
    """承認: check consent again today and send."""
    comment = presenters.lines(request.form.get("comment", ""))
    done = f"連絡番号{message_id}を承認し、送信しました。"
    return _decide(message_id, approval.approve, done, comment)


@bp.post("/approvals/<int:message_id>/return")
def return_to_sender(message_id: int):
    """差戻し: send the message back to its author with a comment."""
    comment = presenters.lines(request.form.get("comment", ""))
    done = f"連絡番号{message_id}を差し戻しました。"
    return _decide(message_id, approval.return_to_sender, done, comment)


# -------------------------------------------------------------- notifications, follow-ups


@bp.get("/notifications")
def notifications():
    """The user's latest in-app notifications."""
    require_worker()
    user = actor()
    return render_template("mailbox/notifications.html", items=notify.latest(db(), user.id))


@bp.post("/notifications/read")
def mark_read():
    """Mark one notification (or all of them) read."""
    require_worker()
    raw = request.form.get("notification_id", "")
    notification_id = parse_id(raw) if raw else None
    if raw and notification_id is None:
        raise InvalidInput(fields={"notification_id": "通知の指定が正しくありません。"})
    notify.mark_read(db(), actor().id, notification_id)
    return redirect(url_for(".notifications"))


@bp.get("/followups")
def followups():
    """フィードバック・依頼: what we owe, what we wait for, what nobody has opened.

    ``?late=1`` keeps only what is overdue (the dashboard's tiles lead here).
    """
    require_worker()
    user = actor()
    late = request.args.get("late") == "1"
    owed, waiting = lists.owed(db(), user), lists.open_requests(db(), user)
    if late:
        owed = [d for d in owed if (lists.days_left(d.feedback_due) or 0) < 0]
        waiting = [d for d in waiting if (lists.days_left(d.feedback_due) or 0) < 0]
    return render_template(
        "mailbox/followups.html",
        owed=owed,
        waiting=waiting,
        unopened=[] if late else lists.unopened(db(), user),
        late=late,
        days_left=lists.days_left,
        today=jp.today(),
    )


@bp.get("/notifications/<int:notification_id>")
def open_notification(notification_id: int):
    """Open what a notification points to; it is read from now on."""
    require_worker()
    user = actor()
    found = notify.own(db(), user.id, notification_id)
    if found is None:
        raise NotFound()
    notify.mark_read(db(), user.id, found.id)
    if found.message_id is not None:
        return redirect(url_for(".show", message_id=found.message_id))
    if found.link_path.startswith("/") and not found.link_path.startswith("//"):
        return redirect(found.link_path)
    return redirect(url_for(".notifications"))
