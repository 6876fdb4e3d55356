"""What the mailbox screens show: form data for the services, documents as readable rows,
receipts per recipient, the compose choices and the navigation's counts.

Nothing here decides who may see what; the services do (hub.mailbox.access, send, read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, literal, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from hub import jp
from hub.db import row_limit
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent.models import Consent, ConsentStatus
from hub.documents.consent.scope import category_key
from hub.documents.hearing import display
from hub.documents.hearing import services as hearing
from hub.documents.hearing.models import HearingSheet
from hub.documents.hearing.schema import SECTIONS
from hub.documents.hearing.sections import sheet_categories
from hub.mailbox import access, compose, followups, policy
from hub.mailbox.compose import Upload
from hub.mailbox.models import (
    Delivery,
    DocumentKind,
    Message,
    MessageDocument,
    MessageStatus,
    Notification,
)
from hub.models import Case, Role, User
from hub.panels import NAV_COUNT_CAP

#: The hearing-sheet sections a sender can choose, in the sheet's order.
SHEET_SECTIONS = [(category.value, label) for label, category in SECTIONS.values()]
POLICY_CATEGORY = InformationCategory.COLLECTION_DECISION.value
MAX_FILE_FIELDS = compose.MAX_ATTACHMENTS + 1


# ------------------------------------------------------------------ forms → service input


def lines(value: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the services accept only LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def compose_data(form: MultiDict) -> dict[str, Any]:
    """The compose form in the shape hub.mailbox.send.build reads (the JSON API's shape)."""
    data: dict[str, Any] = {
        name: form.get(name, "")
        for name in (
            "kind",
            "case_id",
            "parent_id",
            "subject",
            "body",
            "feedback_due",
            "sheet_version",
            "consent_id",
            "idempotency_key",
        )
    }
    data["body"] = lines(data["body"])
    data["recipient_ids"] = form.getlist("recipient_ids")
    for name in ("body_categories", "sheet_categories", "attachment_categories"):
        data[name] = form.getlist(name)
    if form.get("policy_pattern"):
        data["policy"] = {
            "pattern": form.get("policy_pattern", ""),
            "note": lines(form.get("policy_note", "")),
            "stop_execution": form.get("policy_stop") == "1",
            "claims": policy_claims(form),
        }
    return data


#: The per-claim columns of the compose form's policy table (``policy_<column>_<claim id>``).
POLICY_COLUMNS = ("decision", "monthly", "months", "start", "until", "note")


def policy_claims(form: MultiDict) -> list[dict[str, Any]]:
    """The policy table's rows that have a decision, in the shape hub.mailbox.policy reads."""
    rows = []
    for claim_id in form.getlist("policy_claim")[:50]:
        row = {c: form.get(f"policy_{c}_{claim_id}", "").strip() for c in POLICY_COLUMNS}
        if row["decision"]:
            rows.append({"claim_type_id": claim_id, **row})
    return rows


def uploads(files: MultiDict) -> list[Upload]:
    """The files chosen in the compose form (empty file inputs left out)."""
    chosen = [f for f in files.getlist("attachments") if f and f.filename]
    return [Upload(f.filename, f.read()) for f in chosen[:MAX_FILE_FIELDS]]


def request_data(form: MultiDict) -> dict[str, Any]:
    """The sharing-request form in the shape hub.mailbox.sharing_requests.request_sharing reads."""
    ids = []
    for raw in form.getlist("department_ids"):
        ids.append(int(raw) if raw.isdigit() and len(raw) < 10 else raw)
    return {
        "department_ids": ids,
        "categories": form.getlist("categories"),
        "note": lines(form.get("note", "")),
        "subject": form.get("subject", ""),
        "feedback_due": form.get("feedback_due", ""),
        "idempotency_key": form.get("idempotency_key", ""),
    }


FEEDBACK_FORM = ("done", "support_status", "debt_status", "debt_note", "next_steps", "free_text")


def feedback_data(form: MultiDict) -> dict[str, Any]:
    data = {name: lines(form.get(name, "")) for name in FEEDBACK_FORM}
    data["idempotency_key"] = form.get("idempotency_key", "")
    data["subject"] = form.get("subject", "")
    return data


# ------------------------------------------------------------------------- compose


@dataclass
class SheetChoice:
    sheet: HearingSheet
    #: The categories of the version's filled sections.
    filled: list[str]


@dataclass
class ComposeChoices:
    case: Case | None
    parent: Message | None
    sheets: list[SheetChoice] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)


def own_sheets(session: Session, user: User, case: Case) -> list[SheetChoice]:
    """The case's hearing-sheet versions written by the user's department, newest first."""
    sheets = session.scalars(
        select(HearingSheet)
        .where(HearingSheet.case_id == case.id, HearingSheet.department_id == user.department_id)
        .order_by(HearingSheet.version.desc())
    )
    return [
        SheetChoice(s, sorted((c.value for c in sheet_categories(s)), key=category_key))
        for s in sheets
    ]


def own_consents(session: Session, user: User, case: Case, today: date) -> list[Consent]:
    """The resident's consents in force that the user's department took (with a signed scan)."""
    found = session.scalars(
        select(Consent)
        .where(
            Consent.resident_id == case.resident_id,
            Consent.obtaining_department_id == user.department_id,
        )
        .order_by(Consent.id.desc())
    )
    return [c for c in found if c.scan_id and c.status_on(today) == ConsentStatus.ACTIVE]


def chosen_categories(form: Mapping[str, Any], sheets: list[SheetChoice]) -> list[str]:
    """The categories the form as filled in would carry (what the gate will be asked)."""
    get_list = form.getlist if hasattr(form, "getlist") else lambda _n: []
    known = {c.value for c in ORDER}
    carried = set(get_list("body_categories")) | set(get_list("attachment_categories"))
    version = form.get("sheet_version", "")
    chosen = next((s for s in sheets if str(s.sheet.version) == version), None)
    if chosen is not None:
        carried |= set(get_list("sheet_categories")) or set(chosen.filled)
    if form.get("policy_pattern"):
        carried.add(POLICY_CATEGORY)
    return sorted(carried & known, key=category_key)


def parse_categories(raw: str) -> list[str]:
    """Categories from the options endpoint's comma-separated query value (unknown dropped)."""
    known = {c.value for c in ORDER}
    return sorted({c for c in raw.split(",") if c in known}, key=category_key)


def refused_rows(missing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A refusal grouped by recipient: its name, then each missing category and the need."""
    by_department: dict[int, dict[str, Any]] = {}
    for item in missing:
        row = by_department.setdefault(
            item["department_id"], {"department": item["department"], "items": []}
        )
        row["items"].append(item)
    return list(by_department.values())


# ------------------------------------------------------------------ reading documents


@dataclass(frozen=True)
class DocumentView:
    document: MessageDocument
    #: Hearing sheet: [(section title, [display.Line])].
    sections: list[tuple[str, list[display.Line]]] = field(default_factory=list)
    #: Feedback, policy, consent form: [(label, text)].
    rows: list[tuple[str, str]] = field(default_factory=list)
    is_file: bool = False


def _day(value: str | None) -> str:
    return jp.wareki(date.fromisoformat(value)) if value else display.NONE


def document_view(session: Session, document: MessageDocument) -> DocumentView:
    """A shared document as the page shows it: a sheet's sections, a definition list, a file."""
    content = document.content or {}
    is_file = document.stored_file_id is not None
    if document.kind == DocumentKind.HEARING_SHEET:
        found = display.lines(content.get("sections") or {}, hearing.claim_names(session))
        return DocumentView(document, sections=display.grouped(found), is_file=is_file)
    if document.kind == DocumentKind.FEEDBACK:
        rows = [
            ("実施した支援・対応", content.get("done") or display.NONE),
            ("支援の状況", content.get("support_status_label") or display.NONE),
            ("民間債権の支払状況", content.get("debt_status_label") or display.NONE),
            ("支払状況の詳細", content.get("debt_note") or display.NONE),
            ("今後の予定", content.get("next_steps") or display.NONE),
            ("その他", content.get("free_text") or display.NONE),
        ]
        return DocumentView(document, rows=rows, is_file=is_file)
    if document.kind == DocumentKind.POLICY:
        rows = [
            ("今後の方針", content.get("label") or display.NONE),
            ("滞納繰越分の執行停止", "執行停止とする" if content.get("stop_execution") else "—"),
            ("説明", content.get("note") or display.NONE),
        ]
        rows += [(c.get("claim", ""), policy.claim_line(c)) for c in content.get("claims") or []]
        return DocumentView(document, rows=rows, is_file=is_file)
    if document.kind == DocumentKind.PACKET:
        withheld = [InformationCategory(c).label for c in content.get("withheld") or []]
        rows = [
            ("ページ数", f"{content['pages']}ページ" if content.get("pages") else display.NONE),
            ("含めなかった情報", "、".join(withheld) or "なし"),
        ]
        return DocumentView(document, rows=rows, is_file=is_file)
    if document.kind == DocumentKind.CONSENT_FORM:
        rows = [
            ("取得日", _day(content.get("obtained_on"))),
            ("有効期限", _day(content.get("valid_until"))),
            ("利用目的", "、".join(content.get("purposes") or []) or display.NONE),
        ]
        return DocumentView(document, rows=rows, is_file=is_file)
    return DocumentView(document, is_file=is_file)


# ------------------------------------------------------------------------ receipts


@dataclass(frozen=True)
class Receipt:
    """What the sender sees of one recipient department."""

    department: str
    delivery: Delivery | None
    #: Short badges in order: 配信済み, 開封, 確認済み, フィードバック受領, 辞退, 取消し.
    badges: list[tuple[str, str]]


def badges(delivery: Delivery | None, message: Message) -> list[tuple[str, str]]:
    """(css modifier, text) pairs for a recipient's receipt."""
    if delivery is None:
        return [("wait", message.status.label)]
    if delivery.is_recalled:
        return [("recalled", "取消し")]
    out = [("delivered", "配信済み")]
    out.append(("read", "開封済み") if delivery.is_read else ("unread", "未開封"))
    if delivery.acknowledged_at:
        out.append(("ack", "確認済み"))
    if delivery.feedback_received_at:
        out.append(("feedback", "回答受領"))
    elif delivery.declined_at:
        out.append(("declined", "辞退"))
    elif delivery.feedback_due:
        left = followups.days_left(delivery.feedback_due)
        if left is not None and left < 0:
            out.append(("overdue", f"回答期限超過（{-left}開庁日）"))
        else:
            out.append(("due", "回答待ち"))
    return out


def receipts(message: Message) -> list[Receipt]:
    """One receipt per addressed department (deliveries once sent; the addressees before)."""
    if message.status == MessageStatus.SENT:
        return [Receipt(d.department.name, d, badges(d, message)) for d in message.deliveries]
    return [Receipt(r.department.name, None, badges(None, message)) for r in message.recipients]


def replies(session: Session, user: User, message: Message) -> list[Message]:
    """Answers to the message whose content the user's department may read (not recalled)."""
    found = session.scalars(
        select(Message).where(Message.parent_id == message.id).order_by(Message.id)
    )
    return [m for m in found if access.readable_message(session, user, m.id) is not None]


# ------------------------------------------------------------------- navigation


@dataclass(frozen=True)
class NavCounts:
    unread: int
    approvals: int
    notifications: int


def _capped(query: Select[Any]) -> Any:
    """How many rows ``query`` finds, counted up to NAV_COUNT_CAP + 1 (a scalar subquery)."""
    found = query.limit(row_limit(NAV_COUNT_CAP + 1)).subquery()
    return select(func.count()).select_from(found).scalar_subquery()


def _nav_counts_statement(manager: bool) -> Select[Any]:
    """The menu's three numbers in one statement (approvals only for a manager)."""
    department = bindparam("department_id", type_=Integer)
    unread = _capped(
        select(Delivery.id).where(Delivery.department_id == department, Delivery.read_rank == 0)
    )
    approvals: Any = literal(0)
    if manager:
        approvals = _capped(
            select(Message.id).where(
                Message.sender_department_id == department,
                Message.status == MessageStatus.PENDING_APPROVAL,
            )
        )
    notifications = _capped(
        select(Notification.id).where(
            Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
        )
    )
    return select(unread, approvals, notifications)


#: Built once (every page runs one): building and keying the statement cost more than the
#: database's answer.
_NAV_COUNTS = {manager: _nav_counts_statement(manager) for manager in (False, True)}


def nav_counts(session: Session, user: User) -> NavCounts | None:
    """The menu's numbers for logged-in case workers (None for others), in one statement.

    Each is counted up to NAV_COUNT_CAP + 1 index entries (shown 「99+」): a page's menu costs
    the same with 50 unread deliveries as with 50,000. The exact numbers are the inbox's own
    (:func:`hub.mailbox.inbox.counts`, on the dashboard and the inbox API).
    """
    if not user.is_authenticated or not user.can_read_cases or not session.is_active:
        return None
    statement = _NAV_COUNTS[user.role == Role.MANAGER]
    params = {"department_id": user.department_id, "user_id": user.id}
    row = session.execute(statement, params).one()
    return NavCounts(int(row[0]), int(row[1]), int(row[2]))
