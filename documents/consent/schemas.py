"""The consent API's contracts: each request and response one model (hub.api.models pieces).

A consent answers in one of two shapes, told apart by ``access``: the obtaining department
sees all of it; a department named in its scope sees that it exists, its terms in time and
the grants to and from itself, never the other grants, the purposes, the printed statement or
the files (hub.documents.consent.access).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PlainValidator, RootModel, WithJsonSchema
from werkzeug.datastructures import FileStorage

from hub import jp
from hub.api.models import (
    Body,
    Day,
    DepartmentRef,
    Id,
    Maybe,
    Out,
    PersonRef,
    ResidentRef,
    Text,
    Timestamp,
)
from hub.documents.categories import ORDER, InformationCategory
from hub.documents.consent import access, scope
from hub.documents.consent.access import ConsentView
from hub.documents.consent.gate import Decision
from hub.documents.consent.models import (
    Consent,
    ConsentMethod,
    ConsentStatus,
    SharingRequest,
    WithdrawalMethod,
)
from hub.models import StoredFile, User

CATEGORIES = " / ".join(f"{c.value}: {c.label}" for c in ORDER)
STATUS = (
    "draft: 作成中 / active: 有効 / withdrawn: 撤回 / expired: 期限切れ"
    "（有効期限を過ぎた有効な同意も expired）"
)
DATE_TEXT = "YYYY-MM-DD（令和8年4月1日 などの和暦も可）"
#: Categories as a request gives them: known values, at least one.
CategoryList = Annotated[list[InformationCategory], Field(min_length=1, max_length=len(ORDER))]


# ------------------------------------------------------------------ request bodies


class GrantInput(Body):
    """One sender → recipient pair of a scope and the categories it may give."""

    from_department_id: Id = Field(title="提供元", description="提供元の所管課のID")
    to_department_id: Id = Field(title="提供先", description="提供先の所管課のID")
    categories: CategoryList = Field(title="情報の区分", description=CATEGORIES)


class ConsentPatch(Body):
    """A draft's scope, purposes or validity end to change; fields left out keep their value."""

    grants: list[GrantInput] | Maybe = Field(
        None, min_length=1, max_length=scope.MAX_GRANTS, title="同意の範囲"
    )
    purposes: list[Annotated[Text, Field(max_length=100)]] | Maybe = Field(
        None,
        min_length=1,
        max_length=10,
        title="利用の目的",
        description="設定の選択肢または自由記述（1項目100文字以内）",
    )
    valid_until: Text | Maybe = Field(
        None,
        max_length=40,
        title="有効期限",
        description=f"この日まで有効。{DATE_TEXT}。作成時に省略すると設定の日数後",
    )


class ConsentInput(ConsentPatch):
    """A consent to start (a draft taken by the user's department)."""

    grants: list[GrantInput] = Field(min_length=1, max_length=scope.MAX_GRANTS, title="同意の範囲")
    purposes: list[Annotated[Text, Field(max_length=100)]] = Field(
        min_length=1, max_length=10, title="利用の目的"
    )


class ConsentActivation(Body):
    obtained_on: Text = Field(
        max_length=40, title="同意日", description=f"本人が記入した同意日。{DATE_TEXT}"
    )


class ConsentWithdrawal(Body):
    withdrawn_on: Text = Field(
        max_length=40, title="撤回日", description=f"本人が申し出た日。{DATE_TEXT}"
    )
    method: WithdrawalMethod = Field(title="撤回の方法", description="written: 書面 / oral: 口頭")
    reason: Text = Field(max_length=1000, title="撤回の理由")


class ConsentCheck(Body):
    """The gate's question: may ``sender`` give ``recipient`` these categories on ``date``?"""

    sender: Id = Field(title="提供元", description="提供元の所管課のID")
    recipient: Id = Field(title="提供先", description="提供先の所管課のID")
    categories: CategoryList = Field(title="情報の区分", description=CATEGORIES)
    date: Text | Maybe = Field(
        None, max_length=40, title="日付", description=f"判定する日（省略時は今日）。{DATE_TEXT}"
    )


class SharingRequestInput(Body):
    department_ids: list[Id] = Field(
        min_length=1, max_length=50, title="依頼先", description="依頼先の所管課のID"
    )
    categories: CategoryList = Field(title="依頼する情報の区分", description=CATEGORIES)
    note: Text | Maybe = Field(None, max_length=2000, title="依頼の内容")


class CaseDepartmentsInput(Body):
    """Departments to add to a case, each within the resident's consent."""

    department_ids: list[Id] = Field(
        min_length=1, max_length=50, title="関係所管", description="追加する所管課のID"
    )


def _uploaded(value: Any) -> FileStorage:
    if not isinstance(value, FileStorage):
        raise ValueError("ファイルとして（multipart/form-data のファイルの項目で）送ってください。")
    return value


#: A file part of a multipart/form-data request (the library reads it from request.files).
UploadedFile = Annotated[
    FileStorage, PlainValidator(_uploaded), WithJsonSchema({"type": "string", "format": "binary"})
]


class ScanUpload(Body):
    """The signed form's scan, as multipart/form-data in the part named ``file``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    file: UploadedFile = Field(
        title="署名済み同意書のファイル",
        description="PDF・PNG・JPEG（拡張子ではなく中身で判定。危険なファイルは拒否）",
    )


# ------------------------------------------------------------------ responses


class GrantOut(Out):
    from_department_id: int = Field(description="提供元の所管課")
    to_department_id: int = Field(description="提供先の所管課")
    categories: list[InformationCategory] = Field(description="提供してよい情報の区分")


def grants_out(grants: list) -> list[GrantOut]:
    return [GrantOut.model_validate(item) for item in scope.to_json(grants)]


class StoredFileInfo(Out):
    name: str
    content_type: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def of(cls, stored: StoredFile | None) -> StoredFileInfo | None:
        if stored is None:
            return None
        return cls(
            name=stored.original_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
        )


class ConsentFiles(Out):
    form_pdf: StoredFileInfo | None
    form_docx: StoredFileInfo | None
    scan: StoredFileInfo | None


class Withdrawal(Out):
    withdrawn_on: Day
    method: WithdrawalMethod
    reason: str
    withdrawn_by: PersonRef
    recorded_at: Timestamp


class WithdrawalDay(Out):
    withdrawn_on: Day


class _ConsentTerms(Out):
    """What every department the consent concerns sees of it."""

    id: int = Field(description="同意書番号")
    resident: ResidentRef
    status: ConsentStatus = Field(description=STATUS)
    obtaining_department: DepartmentRef
    obtained_on: Day | None = Field(description="同意日（有効化で記録）")
    method: ConsentMethod = Field(description="signed_form: 署名した同意書")
    valid_until: Day = Field(description="有効期限（この日まで有効）")
    expired_at: Timestamp | None


class ObtainingConsent(_ConsentTerms):
    """The consent as the department that obtained it sees it: all of it."""

    access: Literal["obtaining"] = Field(description="obtaining: 同意を取得した所管課")
    obtained_by: PersonRef
    purposes: list[str] = Field(description="利用の目的")
    grants: list[GrantOut] = Field(description="同意の範囲（すべて）")
    statement_text: str = Field(
        description="同意書に印字した目的外利用・提供の内容（同意書の作成前は空）"
    )
    withdrawal_clause: str
    form_generated_at: Timestamp | None
    files: ConsentFiles
    activated_at: Timestamp | None
    withdrawal: Withdrawal | None
    created_at: Timestamp


class NamedConsent(_ConsentTerms):
    """The consent as a department named in its scope sees it: its own grants only."""

    access: Literal["named"] = Field(
        description="named: 範囲に名前のある所管課（目的・文面・ファイルは含まない）"
    )
    grants: list[GrantOut] = Field(description="自所管課への・からの範囲だけ")
    withdrawal: WithdrawalDay | None


ConsentBody = Annotated[ObtainingConsent | NamedConsent, Field(discriminator="access")]


class ConsentOut(RootModel[ConsentBody]):
    """A consent as the user's department may see it (``access`` says which shape)."""

    @classmethod
    def of(cls, consent: Consent, user: User) -> ConsentOut:
        return cls(consent_body(access.view(consent, user)))


class ConsentList(Out):
    items: list[ConsentBody]

    @classmethod
    def of(cls, views: list[ConsentView]) -> ConsentList:
        return cls(items=[consent_body(seen) for seen in views])


def consent_body(seen: ConsentView) -> ObtainingConsent | NamedConsent:
    """The consent cut to what ``seen`` lets the user's department know of it."""
    consent = seen.consent
    terms = {
        "id": consent.id,
        "resident": ResidentRef.of(consent.resident),
        "status": consent.status_on(jp.today()),
        "obtaining_department": DepartmentRef.of(consent.obtaining_department),
        "obtained_on": consent.obtained_on,
        "method": consent.method,
        "valid_until": consent.valid_until,
        "grants": grants_out(seen.grants),
        "expired_at": consent.expired_at,
    }
    if not seen.is_obtaining:
        withdrawn = consent.withdrawn_on
        return NamedConsent(
            access="named",
            withdrawal=WithdrawalDay(withdrawn_on=withdrawn) if withdrawn else None,
            **terms,
        )
    files = {kind: StoredFileInfo.of(stored) for kind, stored in consent.files().items()}
    return ObtainingConsent(
        access="obtaining",
        obtained_by=PersonRef.of(consent.obtained_by),
        purposes=list(consent.purposes),
        statement_text=consent.statement_text,
        withdrawal_clause=consent.withdrawal_clause,
        form_generated_at=consent.form_generated_at,
        files=ConsentFiles(**files),
        activated_at=consent.activated_at,
        withdrawal=_withdrawal(consent),
        created_at=consent.created_at,
        **terms,
    )


def _withdrawal(consent: Consent) -> Withdrawal | None:
    if consent.withdrawn_on is None:
        return None
    return Withdrawal(
        withdrawn_on=consent.withdrawn_on,
        method=consent.withdrawal_method,
        reason=consent.withdrawal_reason,
        withdrawn_by=PersonRef.of(consent.withdrawn_by),
        recorded_at=consent.withdrawn_at,
    )


class MissingCategory(Out):
    category: InformationCategory
    reason: str = Field(description="足りない理由（日本語）")


class ConsentDecision(Out):
    """The gate's answer."""

    allowed: bool
    missing: list[MissingCategory] = Field(description="足りない情報の区分と、その理由")
    consent_ids: list[int] = Field(description="認められた区分を根拠づける同意")

    @classmethod
    def of(cls, decision: Decision) -> ConsentDecision:
        return cls(
            allowed=decision.allowed,
            missing=[
                MissingCategory(category=m.category, reason=m.reason) for m in decision.missing
            ],
            consent_ids=decision.consent_ids,
        )


class AskedOf(Out):
    department_id: int
    categories: list[InformationCategory]


class SharingRequestOut(Out):
    id: int
    resident_id: int
    requesting_department: DepartmentRef
    requested_by: PersonRef
    asked: list[AskedOf] = Field(
        description="依頼先と情報の区分（依頼先の所管課には自所管課への依頼だけ）"
    )
    note: str
    consent_ids: list[int] = Field(description="依頼の時点で範囲を根拠づけた同意")
    created_at: Timestamp

    @classmethod
    def of(cls, item: SharingRequest, user: User) -> SharingRequestOut:
        asked = item.by_department(user.department_id)
        return cls(
            id=item.id,
            resident_id=item.resident_id,
            requesting_department=DepartmentRef.of(item.requesting_department),
            requested_by=PersonRef.of(item.requested_by),
            asked=[AskedOf(department_id=d, categories=c) for d, c in asked.items()],
            note=item.note,
            consent_ids=list(item.consent_ids),
            created_at=item.created_at,
        )


class SharingRequestList(Out):
    items: list[SharingRequestOut]
