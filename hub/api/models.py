"""The pieces every API contract is built from: strict bodies, ids, texts, dates, pages, refs.

Each request and response of the API is one pydantic model, used to parse the request, to
serialise the answer and to generate the OpenAPI document (hub.api.spec). Packages declare
their own models next to their routes from these pieces.

- ``Body``: a request body. Unknown fields are refused, JSON types are strict (``"1"`` is not
  an id), a whole-number float is an integer (``40.0`` is 40), and ``null`` is refused for
  a field that is only optional (leave the field out instead) unless the model names it in
  ``NULLABLE``.
- ``Query``: query parameters (strings by nature, converted; unknown ones refused).
- ``Out``: a response; ``respond()`` serialises it.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Generic, Protocol, TypeVar

from flask import Response, current_app
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from hub.models import Case, CaseStatus, ClaimType, Department, DepartmentKind, Resident, Role, User
from hub.validation import MAX_ID

T = TypeVar("T")


def whole_number(value: Any) -> Any:
    """40.0 is the integer 40 (JSON has one number type); 40.5 stays a float and is refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: An integer given as a JSON number (40 or 40.0; never "40", never true). A bounded one
#: puts its bounds before the conversion, so the document shows them as minimum/maximum:
#: ``Annotated[int, Field(strict=True, ge=1, le=200), BeforeValidator(whole_number)]``.
Int = Annotated[int, Field(strict=True), BeforeValidator(whole_number)]
#: A row id: 1 … 2³¹−1 (an id beyond is 404 in a path, 400 in a body).
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID), BeforeValidator(whole_number)]
#: Ids of a list (a case's departments, a message's recipients): at most 50.
Ids = Annotated[list[Id], Field(max_length=50)]


def query_int(value: Any) -> Any:
    """ASCII digits are a number (a query string has nothing else); the rest stays text."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return int(value)
    return value


#: An id in a query string (ASCII digits only).
QueryId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID), BeforeValidator(query_int)]
#: Ids repeated in a query string (``?window=1&window=2``): at most 50.
QueryIds = Annotated[list[QueryId], Field(max_length=50)]
#: An optional value that may be left out but not sent as null (see Body).
Maybe = SkipJsonSchema[None]


def _printable(value: str) -> str:
    """Refuse control and format characters (a NUL byte reaches no database)."""
    if any(unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\n\r\t" for ch in value):
        raise PydanticCustomError("control_character", "制御文字は使えません。")
    return value


#: Text without control characters; a field gives its length: ``Field(max_length=100)``.
Text = Annotated[str, Strict(), AfterValidator(_printable)]
#: true or false (never "true", never 1).
Flag = Annotated[bool, Strict()]


#: Search words: never in a URL, at most 100 characters, no control characters.
SearchText = Annotated[
    str,
    Field(strict=True, max_length=100, title="検索語"),
    AfterValidator(_printable),
]
PAGE_MESSAGE = "ページ番号は1以上の整数で指定してください。"


def _page(value: Any) -> int:
    value = whole_number(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PydanticCustomError("page_number", PAGE_MESSAGE)
    return value


def _query_page(value: Any) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        value = int(value)
    return _page(value)


#: A page number from 1 in a body; a page past the end is the last page.
PageNumber = Annotated[
    int,
    PlainValidator(_page),
    WithJsonSchema({"type": "integer", "minimum": 1, "title": "ページ番号"}),
]
#: The same in a query string (ASCII digits).
QueryPage = Annotated[
    int,
    PlainValidator(_query_page),
    WithJsonSchema({"type": "integer", "minimum": 1, "title": "ページ番号"}),
]
#: A timestamp in UTC, ISO 8601 with Z: 2026-04-01T00:30:00Z.
Timestamp = Annotated[
    datetime,
    PlainSerializer(
        lambda v: v.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        return_type=str,
        when_used="json",
    ),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "UTC (ISO 8601)"}),
]
Day = Annotated[date, Field(description="YYYY-MM-DD")]


def no_null_defaults(schema: dict[str, Any]) -> None:
    """Document a field that may be left out without ``default: null``: left out, it is absent
    (and a type that refuses null would make the document invalid)."""
    for field in schema.get("properties", {}).values():
        if field.get("default", 0) is None:
            del field["default"]


class Body(BaseModel):
    """A request body: closed, strict JSON types, and ``null`` only where the model says so."""

    # Strictness is per type (Int, Id, Text, Flag): an enum is given by its value.
    model_config = ConfigDict(extra="forbid", json_schema_extra=no_null_defaults)
    #: Fields that accept null (meaning "clear it"); any other field refuses null.
    NULLABLE: ClassVar[frozenset[str]] = frozenset()
    #: Fields whose errors are keyed by the path inside them, as the service parsing their
    #: content keys its own (a hearing sheet's ``sections``: ``household_budget.take_home``).
    KEYED_INSIDE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise PydanticCustomError(
                "null_not_allowed", "null は指定できません（指定しないときは項目ごと省略）。"
            )
        return value


class SchemaOnce(BaseModel):
    """Request parameters (a query string, headers) whose schema flask-openapi3 asks for on
    every request it reads them (about 3 ms each time for a query, 0.1 ms for a header): made
    once per model for the default arguments. Only read there; the OpenAPI document passes its
    own arguments and gets a fresh one."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return super().model_json_schema(*args, **kwargs)
        found = _SCHEMAS.get(cls)
        if found is None:
            found = _SCHEMAS[cls] = super().model_json_schema()
        return found


_SCHEMAS: dict[type[SchemaOnce], dict[str, Any]] = {}


class Query(SchemaOnce):
    """Query parameters: unknown ones are refused; values arrive as strings and are converted."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=no_null_defaults)


class Out(BaseModel):
    """A response: exactly these fields (the document says ``additionalProperties: false``)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


def respond(model: BaseModel, status: int = 200, location: str | None = None) -> Response:
    """Serialise a response model as the answer (with ``Location`` for a created object)."""
    response = current_app.response_class(
        model.model_dump_json(), status=status, mimetype="application/json"
    )
    if location:
        response.headers["Location"] = location
    return response


# ------------------------------------------------------------------ shared shapes


class Items(Out, Generic[T]):
    items: list[T]


class Page(Out, Generic[T]):
    items: list[T]
    page: int = Field(
        ge=1, description="このページの番号（最後のページを超えたときは最後のページ）"
    )
    pages: int = Field(ge=1, description="ページ数")
    per_page: int
    total: int = Field(ge=0, description="件数")

    @classmethod
    def of(cls, result: Any, item: Any) -> Page[T]:
        """Build a page from a hub.pagination.Page, converting each row with ``item``."""
        return cls(
            items=[item(row) for row in result.items],
            page=result.page,
            pages=result.pages,
            per_page=result.per_page,
            total=result.total,
        )


class NamedPerson(Protocol):
    """A staff member as a list row names them."""

    @property
    def id(self) -> int: ...
    @property
    def display_name(self) -> str: ...


class DepartmentRef(Out):
    id: int
    code: str
    name: str

    @classmethod
    def of(cls, dept: Department) -> DepartmentRef:
        return cls(id=dept.id, code=dept.code, name=dept.name)


class DepartmentOut(DepartmentRef):
    kind: DepartmentKind = Field(
        description="collection: 公債権所管 / support: 支援所管 / other: その他"
    )
    contact_phone: str
    contact_email: str
    is_active: bool
    requires_approval: bool = Field(description="共有の送信前に管理職の承認を要する")

    @classmethod
    def of(cls, dept: Department) -> DepartmentOut:
        return cls.model_validate(dept)


class ClaimTypeOut(Out):
    id: int
    code: str
    name: str
    department_id: int
    limitation_years: int = Field(description="消滅時効の年数")
    is_enforced: bool = Field(description="強制徴収公債権")


class PersonRef(Out):
    """A staff member as other records show them: id and name."""

    id: int
    display_name: str

    @classmethod
    def of(cls, user: User | NamedPerson | None) -> PersonRef | None:
        return cls(id=user.id, display_name=user.display_name) if user else None


class UserOut(Out):
    id: int
    login_id: str
    display_name: str
    role: Role = Field(description="staff: 担当者 / manager: 管理職 / admin: システム管理者")
    department: DepartmentRef
    is_active: bool
    last_login_at: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            login_id=user.login_id,
            display_name=user.display_name,
            role=user.role,
            department=DepartmentRef.of(user.department),
            is_active=user.is_active,
            last_login_at=user.last_login_at,
            created_at=user.created_at,
        )


class ResidentRef(Out):
    id: int
    atena_no: str = Field(description="宛名番号", pattern=r"^\d{1,15}$")
    name: str = Field(description="氏名")
    kana: str = Field(description="カナ氏名（全角カタカナ）")

    @classmethod
    def of(cls, resident: Resident) -> ResidentRef:
        return cls(
            id=resident.id, atena_no=resident.atena_no, name=resident.name, kana=resident.kana
        )


class CaseRef(Out):
    id: int
    status: CaseStatus = Field(description="open: 対応中 / monitoring: 見守り / closed: 終了")
    lead_department: DepartmentRef
    opened_at: Timestamp

    @classmethod
    def of(cls, case: Case) -> CaseRef:
        return cls(
            id=case.id,
            status=case.status,
            lead_department=DepartmentRef.of(case.lead_department),
            opened_at=case.opened_at,
        )


def claim_type_out(claim: ClaimType) -> ClaimTypeOut:
    return ClaimTypeOut.model_validate(claim)


# ------------------------------------------------------------------ path parameters


class ResidentPath(BaseModel):
    resident_id: int = Field(ge=1, description="対象者のID")


class CasePath(BaseModel):
    case_id: int = Field(ge=1, description="ケースのID")


class ConsentPath(ResidentPath):
    consent_id: int = Field(ge=1, description="同意のID（同意書番号）")


class MessagePath(BaseModel):
    message_id: int = Field(ge=1, description="連絡のID（連絡番号）")


class DocumentPath(MessagePath):
    document_id: int = Field(ge=1, description="連絡に付いた資料のID")


class UserPath(BaseModel):
    user_id: int = Field(ge=1, description="利用者のID")


class DepartmentPath(BaseModel):
    department_id: int = Field(ge=1, description="所管課のID")


__all__ = [
    "Body",
    "CasePath",
    "CaseRef",
    "ClaimTypeOut",
    "ConsentPath",
    "Day",
    "DepartmentOut",
    "DepartmentPath",
    "DepartmentRef",
    "DocumentPath",
    "Flag",
    "Id",
    "Ids",
    "Int",
    "Items",
    "Maybe",
    "MessagePath",
    "Out",
    "Page",
    "PageNumber",
    "PersonRef",
    "Query",
    "QueryId",
    "QueryIds",
    "QueryPage",
    "ResidentPath",
    "ResidentRef",
    "SearchText",
    "Text",
    "Timestamp",
    "UserOut",
    "UserPath",
    "no_null_defaults",
    "query_int",
    "respond",
    "whole_number",
]
