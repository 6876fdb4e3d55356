"""The OpenAPI paths and schemas of the consent routes (hub/api/consents.py).

They are added to ``openapi.PATHS`` and ``schemas.SCHEMAS`` when this module is imported
(hub/api/__init__.py imports it with the routes), so the document lists them like the rest.
"""

from __future__ import annotations

from typing import Any

from hub.api.openapi import CONSENTS as TAG
from hub.api.openapi import PARAMETERS, PATHS, op
from hub.api.schemas import ID, IDS, SCHEMAS, TIMESTAMP, Schema, obj, ref, text
from hub.documents.categories import ORDER
from hub.documents.consent.models import ConsentStatus, WithdrawalMethod

DATE: Schema = {"type": "string", "format": "date"}
MAYBE_DATE: Schema = {"type": ["string", "null"], "format": "date"}
MAYBE_TIMESTAMP: Schema = {**TIMESTAMP, "type": ["string", "null"]}
CATEGORY: Schema = {
    "type": "string",
    "enum": [c.value for c in ORDER],
    "description": " / ".join(f"{c.value}: {c.label}" for c in ORDER),
}
CATEGORIES: Schema = {"type": "array", "items": CATEGORY, "minItems": 1, "uniqueItems": True}
_USER_REF = obj({"id": ID, "display_name": {"type": "string"}})
_MAYBE_FILE: Schema = {"oneOf": [ref("StoredFileInfo"), {"type": "null"}]}
_GRANT = obj(
    {
        "from_department_id": {**ID, "description": "提供元の所管課"},
        "to_department_id": {**ID, "description": "提供先の所管課"},
        "categories": {**CATEGORIES, "description": "提供してよい情報の区分"},
    }
)
_DRAFT = {
    "grants": {"type": "array", "items": _GRANT, "minItems": 1, "description": "同意の範囲"},
    "purposes": {
        "type": "array",
        "items": text(100),
        "minItems": 1,
        "maxItems": 10,
        "description": "利用の目的（設定の選択肢または自由記述）",
    },
    "valid_until": {**DATE, "description": "有効期限（この日まで有効。省略時は設定の日数後）"},
}

SCHEMAS.update(
    {
        "StoredFileInfo": obj(
            {
                "name": {"type": "string"},
                "content_type": {"type": "string"},
                "size": {"type": "integer", "minimum": 0},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            }
        ),
        "Consent": obj(
            {
                "access": {
                    "type": "string",
                    "enum": ["obtaining", "named"],
                    "description": "obtaining: 取得した所管課（すべて）/ named: 範囲に名前のある"
                    "所管課（自所管課への・からの範囲だけ。目的・文面・ファイルは含まない）",
                },
                "id": ID,
                "resident": ref("ResidentRef"),
                "status": {
                    "type": "string",
                    "enum": [s.value for s in ConsentStatus],
                    "description": "draft: 作成中 / active: 有効 / withdrawn: 撤回 / expired: "
                    "期限切れ（有効期限を過ぎた有効な同意も expired）",
                },
                "obtaining_department": ref("DepartmentRef"),
                "obtained_by": _USER_REF,
                "obtained_on": {**MAYBE_DATE, "description": "同意日（有効化で記録）"},
                "method": {"type": "string", "enum": ["signed_form"]},
                "purposes": {"type": "array", "items": {"type": "string"}},
                "valid_until": DATE,
                "grants": {"type": "array", "items": _GRANT},
                "statement_text": {
                    "type": "string",
                    "description": "同意書に印字した目的外利用・提供の内容（作成前は空）",
                },
                "withdrawal_clause": {"type": "string"},
                "form_generated_at": MAYBE_TIMESTAMP,
                "files": obj(
                    {"form_pdf": _MAYBE_FILE, "form_docx": _MAYBE_FILE, "scan": _MAYBE_FILE}
                ),
                "activated_at": MAYBE_TIMESTAMP,
                "withdrawal": {
                    "oneOf": [
                        obj(
                            {
                                "withdrawn_on": DATE,
                                "method": {
                                    "type": "string",
                                    "enum": [m.value for m in WithdrawalMethod],
                                },
                                "reason": {"type": "string"},
                                "withdrawn_by": _USER_REF,
                                "recorded_at": TIMESTAMP,
                            }
                        ),
                        obj({"withdrawn_on": DATE}),
                        {"type": "null"},
                    ]
                },
                "expired_at": MAYBE_TIMESTAMP,
                "created_at": TIMESTAMP,
            },
            required=[
                "access",
                "id",
                "resident",
                "status",
                "obtaining_department",
                "obtained_on",
                "method",
                "valid_until",
                "grants",
                "withdrawal",
                "expired_at",
            ],
        ),
        "ConsentList": obj({"items": {"type": "array", "items": ref("Consent")}}),
        "ConsentDecision": obj(
            {
                "allowed": {"type": "boolean"},
                "missing": {
                    "type": "array",
                    "items": obj({"category": CATEGORY, "reason": {"type": "string"}}),
                    "description": "足りない情報の区分と、その理由（日本語）",
                },
                "consent_ids": {
                    "type": "array",
                    "items": ID,
                    "description": "認められた区分を根拠づける同意",
                },
            }
        ),
        "SharingRequest": obj(
            {
                "id": ID,
                "resident_id": ID,
                "requesting_department": ref("DepartmentRef"),
                "requested_by": _USER_REF,
                "asked": {
                    "type": "array",
                    "items": obj({"department_id": ID, "categories": CATEGORIES}),
                },
                "note": {"type": "string"},
                "consent_ids": {"type": "array", "items": ID},
                "created_at": TIMESTAMP,
            }
        ),
        "SharingRequestList": obj({"items": {"type": "array", "items": ref("SharingRequest")}}),
        # Request bodies
        "ConsentInput": obj(_DRAFT, required=["grants", "purposes"]),
        "ConsentPatch": obj(_DRAFT, required=[]),
        "ConsentActivation": obj({"obtained_on": {**DATE, "description": "本人が記入した同意日"}}),
        "ConsentWithdrawal": obj(
            {
                "withdrawn_on": {**DATE, "description": "撤回日（本人が申し出た日）"},
                "method": {"type": "string", "enum": [m.value for m in WithdrawalMethod]},
                "reason": text(1000, "撤回の理由"),
            }
        ),
        "ConsentCheck": obj(
            {
                "sender": {**ID, "description": "提供元の所管課"},
                "recipient": {**ID, "description": "提供先の所管課"},
                "categories": CATEGORIES,
                "date": {**DATE, "description": "判定する日（省略時は今日）"},
            },
            required=["sender", "recipient", "categories"],
        ),
        "SharingRequestInput": obj(
            {
                "department_ids": {**IDS, "minItems": 1, "description": "依頼先の所管課"},
                "categories": CATEGORIES,
                "note": text(2000, "依頼の内容"),
            },
            required=["department_ids", "categories"],
        ),
    }
)

PARAMETERS["consent_id"] = {
    "name": "consent_id",
    "in": "path",
    "required": True,
    "description": "同意のID（同意書番号）",
    "schema": {"type": "integer", "minimum": 1},
}

_R, _C = ("resident_id",), ("resident_id", "consent_id")
_SCAN_TYPES = ("application/pdf", "image/png", "image/jpeg")


def _file_op(endpoint: str, summary: str, types: tuple[str, ...]) -> dict[str, Any]:
    operation = op(endpoint, TAG, summary, "Consent", params=_C, errors=(403, 404))
    operation["responses"]["200"] = {
        "description": "ファイル（Content-Disposition: attachment）",
        "content": {t: {"schema": {"type": "string", "contentMediaType": t}} for t in types},
    }
    return operation


def _upload_op() -> dict[str, Any]:
    operation = op(
        "upload_consent_scan",
        TAG,
        "署名済み同意書（スキャン）の登録。PDF・PNG・JPEG を中身で判定し、危険なファイルは拒否",
        "Consent",
        params=_C,
        errors=(400, 403, 404, 409, 413),
    )
    operation["requestBody"] = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "contentMediaType": "application/octet-stream"}
                    },
                    "required": ["file"],
                }
            }
        },
    }
    return operation


_BASE = "/residents/{resident_id}/consents"
PATHS.update(
    {
        _BASE: {
            "get": op(
                "list_consents",
                TAG,
                "対象者の同意の一覧",
                "ConsentList",
                params=_R,
                errors=(400, 403, 404),
            ),
            "post": op(
                "create_consent",
                TAG,
                "同意の作成（下書き。取得する所管課は自所管）",
                "Consent",
                status=201,
                body="ConsentInput",
                params=_R,
                errors=(403, 404),
            ),
        },
        _BASE + "/{consent_id}": {
            "get": op("show_consent", TAG, "同意の詳細", "Consent", params=_C, errors=(403, 404)),
            "patch": op(
                "update_consent",
                TAG,
                "下書きの範囲・目的・有効期限の変更（同意書の作成前のみ）",
                "Consent",
                body="ConsentPatch",
                params=_C,
                errors=(403, 404, 409),
            ),
        },
        _BASE + "/{consent_id}/form": {
            "post": op(
                "generate_consent_form",
                TAG,
                "同意書（PDF・Word）の作成。以後、範囲は変更不可",
                "Consent",
                params=_C,
                errors=(403, 404, 409),
            ),
            "delete": op(
                "discard_consent_form",
                TAG,
                "作成した同意書の破棄（有効化前のみ。範囲を変更するため）",
                "Consent",
                params=_C,
                errors=(403, 404, 409),
            ),
        },
        _BASE + "/{consent_id}/scan": {"post": _upload_op()},
        _BASE + "/{consent_id}/activate": {
            "post": op(
                "activate_consent",
                TAG,
                "同意の有効化（署名済み同意書の登録が必要）",
                "Consent",
                body="ConsentActivation",
                params=_C,
                errors=(403, 404, 409),
            ),
        },
        _BASE + "/{consent_id}/withdraw": {
            "post": op(
                "withdraw_consent",
                TAG,
                "撤回の記録（取り消し不可）",
                "Consent",
                body="ConsentWithdrawal",
                params=_C,
                errors=(403, 404, 409),
            ),
        },
        _BASE + "/{consent_id}/files/form.pdf": {
            "get": _file_op("download_consent_form_pdf", "同意書（PDF）", ("application/pdf",)),
        },
        _BASE + "/{consent_id}/files/form.docx": {
            "get": _file_op(
                "download_consent_form_docx",
                "同意書（Word）",
                ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
            ),
        },
        _BASE + "/{consent_id}/files/scan": {
            "get": _file_op("download_consent_scan", "署名済み同意書", _SCAN_TYPES),
        },
        "/residents/{resident_id}/consent-check": {
            "post": op(
                "check_consent",
                TAG,
                "同意の確認: 提供元→提供先に、その日、指定の区分を提供できるか（監査あり）",
                "ConsentDecision",
                body="ConsentCheck",
                params=_R,
                errors=(403, 404),
            ),
        },
        "/residents/{resident_id}/sharing-requests": {
            "get": op(
                "list_sharing_requests",
                TAG,
                "情報共有の依頼の一覧（自所管が依頼元または依頼先）",
                "SharingRequestList",
                params=_R,
                errors=(400, 403, 404),
            ),
            "post": op(
                "create_sharing_request",
                TAG,
                "情報共有の依頼（依頼先→自所管の提供が有効な同意の範囲内であること。範囲外は 409）",
                "SharingRequest",
                status=201,
                body="SharingRequestInput",
                params=_R,
                errors=(403, 404, 409),
            ),
        },
    }
)
