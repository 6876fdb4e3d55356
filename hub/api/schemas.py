"""JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the API reads and writes.

Response schemas refuse properties they do not list, so a field added to hub/api/serialize.py
without being documented here fails the tests that check real responses against them.
"""

from __future__ import annotations

from typing import Any

from hub.models import CaseStatus, DepartmentKind, Role

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    """An object with exactly these properties (all required unless a list is given)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


def text(max_length: int, description: str = "") -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length}
    return {**schema, "description": description} if description else schema


def items_of(name: str) -> Schema:
    return obj({"items": {"type": "array", "items": ref(name)}})


ID: Schema = {"type": "integer", "minimum": 1}
IDS: Schema = {"type": "array", "items": ID, "maxItems": 50}
TIMESTAMP: Schema = {"type": "string", "format": "date-time", "description": "UTC (ISO 8601)"}
MAYBE_TIMESTAMP: Schema = {**TIMESTAMP, "type": ["string", "null"]}
PAGE_NUMBER: Schema = {"type": "integer", "minimum": 1, "description": "ページ番号（1から）"}
STATUS: Schema = {
    "type": "string",
    "enum": [s.value for s in CaseStatus],
    "description": "open: 対応中 / monitoring: 見守り / closed: 終了",
}
ROLE: Schema = {
    "type": "string",
    "enum": [r.value for r in Role],
    "description": "staff: 担当者 / manager: 管理職 / admin: システム管理者",
}
KIND: Schema = {
    "type": "string",
    "enum": [k.value for k in DepartmentKind],
    "description": "collection: 公債権所管 / support: 支援所管 / other: その他",
}
ATENA: Schema = {"type": "string", "pattern": r"^\d{1,15}$", "description": "宛名番号"}

_DEPARTMENT_REF = {"id": ID, "code": {"type": "string"}, "name": {"type": "string"}}
_DEPARTMENT_INPUT = {
    "code": text(32, "英小文字で始まる英数字・ハイフン・下線（2〜32文字）"),
    "name": text(100, "所管課名"),
    "kind": KIND,
    "contact_phone": text(30),
    "contact_email": text(254),
    "is_active": {"type": "boolean"},
    "requires_approval": {
        "type": "boolean",
        "description": "共有（ケースの情報共有）の送信前に管理職の承認を要する",
    },
}
_RESIDENT_REF = {
    "id": ID,
    "atena_no": ATENA,
    "name": {"type": "string", "description": "氏名"},
    "kana": {"type": "string", "description": "カナ氏名（全角カタカナ）"},
}
_RESIDENT = {
    **_RESIDENT_REF,
    "birth_date": {"type": ["string", "null"], "format": "date", "description": "生年月日"},
    "address": {"type": "string"},
    "phone": {"type": "string"},
    "created_by_department_id": ID,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
_RESIDENT_INPUT = {
    "atena_no": text(40, "宛名番号（数字15桁以内。全角数字も可）"),
    "name": text(100, "氏名"),
    "kana": text(100, "カナ氏名（半角カナ・ひらがなも可。全角カタカナで保存）"),
    "birth_date": {
        "type": ["string", "null"],
        "description": "生年月日（1980-04-01、昭和55年4月1日、S55.4.1 など）",
    },
    "address": text(200),
    "phone": text(20),
}
_USER_PATCH = {
    "display_name": text(100, "氏名"),
    "department_id": ID,
    "role": ROLE,
    "is_active": {"type": "boolean"},
}
_CASE_REF = {
    "id": ID,
    "status": STATUS,
    "lead_department": ref("DepartmentRef"),
    "opened_at": TIMESTAMP,
}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {"type": "string", "examples": ["invalid_input"]},
                    "message": {"type": "string", "description": "利用者に示す日本語の説明"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "項目名ごとの日本語のメッセージ",
                    },
                },
                required=["code", "message"],
            )
        }
    ),
    "Page": obj(
        {
            "items": {"type": "array"},
            "page": PAGE_NUMBER,
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
        }
    ),
    "DepartmentRef": obj(_DEPARTMENT_REF),
    "Department": obj(
        {
            **_DEPARTMENT_REF,
            "kind": KIND,
            "contact_phone": {"type": "string"},
            "contact_email": {"type": "string"},
            "is_active": {"type": "boolean"},
            "requires_approval": {"type": "boolean"},
        }
    ),
    "DepartmentList": items_of("Department"),
    "ClaimType": obj(
        {
            "id": ID,
            "code": {"type": "string"},
            "name": {"type": "string"},
            "department_id": ID,
            "limitation_years": {"type": "integer", "description": "消滅時効の年数"},
            "is_enforced": {"type": "boolean", "description": "強制徴収公債権かどうか"},
        }
    ),
    "ClaimTypeList": items_of("ClaimType"),
    "User": obj(
        {
            "id": ID,
            "login_id": {"type": "string"},
            "display_name": {"type": "string"},
            "role": ROLE,
            "department": ref("DepartmentRef"),
            "is_active": {"type": "boolean"},
            "last_login_at": MAYBE_TIMESTAMP,
            "created_at": TIMESTAMP,
        }
    ),
    "UserList": items_of("User"),
    "ResidentRef": obj(_RESIDENT_REF),
    "Resident": obj(_RESIDENT),
    "ResidentDetail": obj(
        {
            **_RESIDENT,
            "cases": {
                "type": "array",
                "items": ref("CaseRef"),
                "description": "自所管が関わるケース",
            },
        }
    ),
    "ResidentPage": {"allOf": [ref("Page"), {"properties": {"items": {"items": ref("Resident")}}}]},
    "CaseRef": obj(_CASE_REF),
    "Case": obj(
        {
            "id": ID,
            "resident": ref("ResidentRef"),
            "status": STATUS,
            "summary": {
                "type": ["string", "null"],
                "description": "相談の概要（主管課の記録: 他の所管課には null）",
            },
            "is_lead": {
                "type": "boolean",
                "description": "利用者の所管課が主管課か（主管課だけがケースの記録を変更できる）",
            },
            "lead_department": ref("DepartmentRef"),
            "departments": {
                "type": "array",
                "items": ref("DepartmentRef"),
                "description": "関係所管（主管課を含む）",
            },
            "opened_at": TIMESTAMP,
            "closed_at": MAYBE_TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
    "CasePage": {"allOf": [ref("Page"), {"properties": {"items": {"items": ref("Case")}}}]},
    # Request bodies
    "ResidentInput": obj(_RESIDENT_INPUT, required=["atena_no", "name", "kana"]),
    "ResidentPatch": obj(_RESIDENT_INPUT, required=[]),
    "ResidentSearch": obj(
        {"q": text(100, "宛名番号（前方一致）・氏名・カナ"), "page": PAGE_NUMBER}, required=[]
    ),
    "CaseInput": obj(
        {
            "resident_id": ID,
            "atena_no": text(40, "resident_id の代わりに宛名番号で指定"),
            "summary": text(2000, "相談の概要"),
            "department_ids": {**IDS, "description": "関係所管（自所管は自動で加わる）"},
        },
        required=[],
        anyOf=[{"required": ["resident_id"]}, {"required": ["atena_no"]}],
    ),
    "CasePatch": obj({"status": STATUS, "summary": text(2000, "相談の概要")}, required=[]),
    "CaseSearch": obj(
        {"q": text(100, "対象者の宛名番号・氏名・カナ"), "status": STATUS, "page": PAGE_NUMBER},
        required=[],
    ),
    "CaseDepartmentsInput": obj({"department_ids": {**IDS, "minItems": 1}}),
    "UserInput": obj(
        {
            "login_id": {"type": "string", "pattern": r"^[A-Za-z0-9._-]{3,64}$"},
            **_USER_PATCH,
            "password": {"type": "string", "minLength": 12, "maxLength": 128},
        },
        required=["login_id", "display_name", "department_id", "role", "password"],
    ),
    "UserPatch": obj(_USER_PATCH, required=[]),
    "DepartmentInput": obj(_DEPARTMENT_INPUT, required=["code", "name", "kind"]),
    "DepartmentPatch": obj(_DEPARTMENT_INPUT, required=[]),
}
