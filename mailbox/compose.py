"""Read a compose form (or JSON body) into a draft: recipients, text and the documents carried.

Nothing here writes; :mod:`hub.mailbox.send` checks the draft against consent and sends it.
Each document is frozen as shared: a hearing-sheet version keeps only the sections chosen, so
the copy a recipient opens holds exactly the categories that were checked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent.models import Consent, ConsentStatus
from hub.documents.consent.scope import category_key
from hub.documents.hearing.models import HearingSheet
from hub.documents.hearing.sections import filtered_copy, sheet_categories
from hub.mailbox import policy
from hub.mailbox.models import DocumentKind, MessageDocument, MessageKind
from hub.models import Case, Department, DepartmentKind, User
from hub.validation import Fields, parse_id

SUBJECT_MAX = 200
BODY_MAX = 10_000
MAX_RECIPIENTS = 30
MAX_ATTACHMENTS = 10
FIELDS = (
    "kind",
    "case_id",
    "recipient_ids",
    "subject",
    "body",
    "feedback_due",
    "body_categories",
    "sheet_version",
    "sheet_categories",
    "consent_id",
    "policy",
    "attachment_categories",
    "parent_id",
    "idempotency_key",
)

#: The choices below as types, for the API's contracts (a test keeps them equal to the keys).
PolicyPattern = Literal["1", "2", "3"]
SupportStatus = Literal["not_contacted", "in_support", "referred", "ended", "unreachable"]
DebtStatus = Literal["", "paying", "arranging", "in_arrears", "none"]

#: 徴収可否の判断・今後の方針 (seed 000 ⑺): the three example policies.
PATTERNS = policy.PATTERNS
SUPPORT_STATUSES = {
    "not_contacted": "未接触",
    "in_support": "支援中",
    "referred": "他機関へ繋いだ",
    "ended": "支援終了",
    "unreachable": "連絡が取れない",
}
DEBT_STATUSES = {
    "": "記載なし",
    "paying": "約定どおり返済中",
    "arranging": "債務整理・返済計画の調整中",
    "in_arrears": "返済が滞っている",
    "none": "民間債務なし",
}


@dataclass(frozen=True)
class Upload:
    """A file sent with the message (its bytes are checked and stored on sending)."""

    filename: str
    data: bytes


@dataclass
class Draft:
    kind: MessageKind
    case: Case | None
    recipients: list[Department]
    subject: str
    body: str
    feedback_due: date | None
    documents: list[MessageDocument] = field(default_factory=list)
    #: Categories the body text itself carries (chosen by the sender).
    body_categories: list[str] = field(default_factory=list)
    uploads: list[tuple[Upload, list[str]]] = field(default_factory=list)
    parent_id: int | None = None
    thread_id: int | None = None
    idempotency_key: str | None = None

    @property
    def categories(self) -> list[str]:
        carried = set(self.body_categories)
        for document in self.documents:
            carried.update(document.categories)
        for _upload, categories in self.uploads:
            carried.update(categories)
        return sorted(carried, key=category_key)


def digest(content: Any) -> str:
    """SHA-256 of structured content in a canonical JSON form."""
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def categories_field(fields: Fields, name: str, label: str) -> list[str]:
    raw = fields.data.get(name)
    if raw in (None, "", []):
        return []
    known = {c.value for c in ORDER}
    if not isinstance(raw, list) or not all(isinstance(c, str) and c in known for c in raw):
        fields.error(name, f"{label}の値が正しくありません。")
        return []
    return sorted(set(raw), key=category_key)


def recipient_ids(fields: Fields) -> list[int]:
    raw = fields.data.get("recipient_ids")
    if raw in (None, "", []):
        fields.error("recipient_ids", "宛先の所管課を1つ以上選んでください。")
        return []
    items = raw if isinstance(raw, list) else [raw]
    ids = [None if isinstance(i, bool) else parse_id(i) for i in items]
    if None in ids:
        fields.error("recipient_ids", "宛先の所管課の指定が正しくありません。")
        return []
    if len(items) > MAX_RECIPIENTS:
        fields.error("recipient_ids", f"宛先は{MAX_RECIPIENTS}所管課までです。")
        return []
    return sorted({i for i in ids if i is not None})


def recipients(
    session: Session, fields: Fields, user: User, ids: Sequence[int], *, case_message: bool
) -> list[Department]:
    """Load the recipient departments: existing, active, not the sender, of a working kind."""
    if not ids:
        return []
    if user.department_id in ids:
        fields.error("recipient_ids", "自所管課は宛先に指定できません。")
        return []
    found = list(
        session.scalars(select(Department).where(Department.id.in_(ids)).order_by(Department.id))
    )
    if len(found) != len(ids) or not all(d.is_active for d in found):
        fields.error("recipient_ids", "存在しない、または無効な所管課が宛先に含まれています。")
        return []
    if case_message:
        other = [d.name for d in found if d.kind == DepartmentKind.OTHER]
        if other:
            fields.error(
                "recipient_ids",
                f"{'、'.join(other)}は公債権所管・支援所管ではないため、"
                "対象者の情報を共有する宛先にできません。",
            )
            return []
    return found


def hearing_sheet_document(
    session: Session, fields: Fields, user: User, case: Case
) -> MessageDocument | None:
    """The chosen hearing-sheet version, filtered to the chosen sections (all filled by default)."""
    raw = fields.data.get("sheet_version")
    if raw in (None, ""):
        return None
    version = parse_id(raw)
    sheet = (
        session.scalar(
            select(HearingSheet).where(
                HearingSheet.case_id == case.id, HearingSheet.version == version
            )
        )
        if version is not None
        else None
    )
    if sheet is None:
        fields.error("sheet_version", "このケースのヒアリングシートの版ではありません。")
        return None
    if sheet.department_id != user.department_id:
        fields.error(
            "sheet_version",
            f"このヒアリングシート（第{sheet.version}版）は{sheet.department.name}が作成したものです。"
            "共有できるのは自所管課が作成したシートです。",
        )
        return None
    filled = {c.value for c in sheet_categories(sheet)}
    chosen = categories_field(fields, "sheet_categories", "共有する項目")
    if not chosen:
        chosen = sorted(filled, key=category_key)
    empty = [InformationCategory(c).label for c in chosen if c not in filled]
    if empty:
        fields.error("sheet_categories", f"記入のない項目は共有できません: {'、'.join(empty)}")
        return None
    if not chosen:
        fields.error("sheet_version", "このヒアリングシートには共有できる記入がありません。")
        return None
    content = {
        "version": sheet.version,
        "saved_at": sheet.created_at.isoformat(),
        "sections": filtered_copy(sheet.data, [InformationCategory(c) for c in chosen]),
    }
    return MessageDocument(
        kind=DocumentKind.HEARING_SHEET,
        title=f"共通ヒアリングシート 第{sheet.version}版",
        categories=chosen,
        hearing_sheet_id=sheet.id,
        content=content,
        sha256=digest(content),
    )


def consent_document(
    session: Session, fields: Fields, user: User, case: Case
) -> MessageDocument | None:
    """The consent's signed form, so the recipient sees what the resident agreed to.

    It carries no information category of its own; like a body-only message it needs a
    consent that lets the sender give the recipient at least one category.
    """
    raw = fields.data.get("consent_id")
    if raw in (None, ""):
        return None
    consent_id = parse_id(raw)
    consent = session.get(Consent, consent_id) if consent_id is not None else None
    if consent is None or consent.resident_id != case.resident_id:
        fields.error("consent_id", "この対象者の同意ではありません。")
        return None
    if consent.obtaining_department_id != user.department_id:
        fields.error(
            "consent_id", f"この同意書は{consent.obtaining_department.name}が取得したものです。"
        )
        return None
    if consent.status == ConsentStatus.DRAFT or consent.scan_id is None:
        fields.error("consent_id", "有効化されていない同意書は添付できません。")
        return None
    content = {
        "consent_id": consent.id,
        "obtained_on": consent.obtained_on.isoformat() if consent.obtained_on else None,
        "valid_until": consent.valid_until.isoformat(),
        "purposes": list(consent.purposes),
        "statement_text": consent.statement_text,
    }
    return MessageDocument(
        kind=DocumentKind.CONSENT_FORM,
        title=f"同意書（同意書番号{consent.id}）",
        categories=[],
        consent_id=consent.id,
        stored_file_id=consent.scan_id,
        content=content,
        sha256=consent.scan.sha256 if consent.scan else digest(content),
    )


def policy_document(fields: Fields, claim_names: Mapping[int, str]) -> MessageDocument | None:
    """徴収可否の判断・今後の方針 (pattern ①②③, per-claim decisions): ``collection_decision``."""
    raw = fields.data.get("policy")
    if raw in (None, "", {}):
        return None
    if not isinstance(raw, Mapping):
        fields.error("policy", "方針の指定が正しくありません。")
        return None
    content, error = policy.content(raw, claim_names)
    if content is None or error:
        fields.error("policy", error)
        return None
    return MessageDocument(
        kind=DocumentKind.POLICY,
        title="徴収可否の判断・今後の方針",
        categories=[InformationCategory.COLLECTION_DECISION.value],
        content=content,
        sha256=digest(content),
    )


def feedback_document(fields: Fields) -> MessageDocument:
    """The structured feedback (what was done, support status, private debts, next steps)."""
    done = fields.text("done", "実施した支援・対応", max_length=4000, required=True)
    status = fields.choice("support_status", "支援の状況", SUPPORT_STATUSES)
    debts = fields.choice("debt_status", "民間債権の支払状況", DEBT_STATUSES, required=False)
    debts_note = fields.text("debt_note", "民間債権の支払状況（詳細）", max_length=2000)
    next_steps = fields.text("next_steps", "今後の予定", max_length=2000)
    free = fields.text("free_text", "その他", max_length=4000)
    categories = [InformationCategory.SUPPORT_STATUS.value]
    if (debts and debts != "none") or debts_note:
        categories.append(InformationCategory.PRIVATE_DEBTS.value)
    content = {
        "done": done,
        "support_status": status,
        "support_status_label": SUPPORT_STATUSES.get(status, ""),
        "debt_status": debts,
        "debt_status_label": DEBT_STATUSES.get(debts, ""),
        "debt_note": debts_note,
        "next_steps": next_steps,
        "free_text": free,
    }
    return MessageDocument(
        kind=DocumentKind.FEEDBACK,
        title="フィードバック",
        categories=categories,
        content=content,
        sha256=digest(content),
    )
