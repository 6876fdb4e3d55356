"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json (a token is needed).

Each operation's ``operationId`` is its Flask endpoint without the ``api.`` prefix; a test
checks that the document and ``app.url_map`` list exactly the same paths and methods.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Response, jsonify

from hub.api import bp
from hub.api.auth import MAX_BODY_BYTES, PREFIX
from hub.api.hearing_schemas import HEARING_SCHEMAS
from hub.api.schemas import SCHEMAS, STATUS, Schema, ref

DESCRIPTION = """\
つなぐハブの JSON API です。画面と同じサービスを呼ぶので、所管課ごとの閲覧範囲・権限・監査記録は
画面と同じです。

- 認証は利用者ごとの APIトークンのみ（`Authorization: Bearer tsu_…`）。
  ログインのセッション Cookie は使えません。
  トークンは画面の「アカウント」または `tsunagu user token LOGIN_ID` で発行します。
- 検索語は個人情報のため URL に含めず、`POST …/search` の本文で送ります。
- エラーは常に `{"error": {"code", "message", "fields"?}}` です。定義されていないメソッドには
  405（`method_not_allowed`）、存在しない URL には 404 を返します。
- 日付は `YYYY-MM-DD`、日時は UTC の ISO 8601（例 `2026-04-01T00:30:00Z`）です。
"""

_ERRORS = {
    400: (
        "BadRequest",
        "本文やパラメータの誤り: `invalid_json`（JSONオブジェクトでない）、"
        "`unknown_fields`（不明な項目）、`invalid_input`（項目ごとのメッセージは `fields`）",
    ),
    401: ("Unauthorized", "`unauthorized`: トークンがない、無効化された、または利用者が無効"),
    403: (
        "Forbidden",
        "`forbidden`: 権限がない（管理APIは管理者のみ。管理者は対象者・ケースを扱えない）",
    ),
    404: ("NotFound", "`not_found`: 存在しない、または自所管から見えない"),
    409: (
        "Conflict",
        "重複（`duplicate_atena_no`、`duplicate_login_id`、"
        "`duplicate_department_code`、`duplicate_department_name`、`conflict`）、"
        "古い版にもとづく保存・判断（`sheet_outdated`）、同意の範囲外（`consent_missing`）、"
        "同意の範囲外となり取り消された連絡（`recalled`）",
    ),
    413: ("TooLarge", f"`too_large`: 本文が {MAX_BODY_BYTES // 1024} KiB を超えている"),
}
_BODY_ERRORS = (400, 413)


def _json(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses() -> dict[str, Any]:
    responses = {
        name: {"description": text, "content": _json(ref("Error"))}
        for name, text in _ERRORS.values()
    }
    responses["Unauthorized"]["headers"] = {
        "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
    }
    return responses


def _id_parameter(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"{what}のID",
        "schema": {"type": "integer", "minimum": 1},
    }


PARAMETERS = {
    "page": {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "default": 1},
        "description": "ページ番号",
    },
    "status": {
        "name": "status",
        "in": "query",
        "required": False,
        "schema": STATUS,
        "description": "状態で絞り込む",
    },
    "resident_id": _id_parameter("resident_id", "対象者"),
    "case_id": _id_parameter("case_id", "ケース"),
    "user_id": _id_parameter("user_id", "利用者"),
    "department_id": _id_parameter("department_id", "所管課"),
    "version": {
        "name": "version",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1},
        "description": "ヒアリングシートの版（省略すると最新）",
    },
    "from_version": {
        "name": "from",
        "in": "query",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
        "description": "比較元の版",
    },
    "to_version": {
        "name": "to",
        "in": "query",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
        "description": "比較先の版",
    },
}


def op(
    endpoint: str,
    tag: str,
    summary: str,
    result: str | Schema,
    *,
    status: int = 200,
    body: str | None = None,
    params: tuple[str, ...] = (),
    errors: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Describe one operation; 401 is always possible, body errors whenever there is a body."""
    codes = {401, *errors, *(_BODY_ERRORS if body else ())}
    responses: dict[str, Any] = {
        str(status): {
            "description": "成功",
            "content": _json(ref(result) if isinstance(result, str) else result),
        }
    }
    for code in sorted(codes):
        responses[str(code)] = {"$ref": f"#/components/responses/{_ERRORS[code][0]}"}
    operation: dict[str, Any] = {
        "operationId": endpoint,
        "tags": [tag],
        "summary": summary,
        "responses": responses,
    }
    if params:
        operation["parameters"] = [{"$ref": f"#/components/parameters/{p}"} for p in params]
    if body:
        operation["requestBody"] = {"required": True, "content": _json(ref(body))}
    return operation


ME, REF, RESIDENTS, CASES, ADMIN = "利用者", "基本情報", "対象者", "ケース", "管理（管理者のみ）"
HEARING = "ヒアリングシート・共通目安"
CONSENTS = "同意"  # paths and schemas: hub/api/consents_doc.py adds them to PATHS and SCHEMAS
MAILBOX = "連絡"  # paths and schemas: hub/api/mailbox_doc.py

PATHS: dict[str, dict[str, Any]] = {
    "/openapi.json": {
        "get": op("openapi", REF, "この OpenAPI 3.1 文書", {"type": "object"}),
    },
    "/me": {"get": op("me", ME, "トークンの利用者", "User")},
    "/departments": {
        "get": op("list_departments", REF, "所管課の一覧", "DepartmentList"),
        "post": op(
            "create_department",
            ADMIN,
            "所管課の登録",
            "Department",
            status=201,
            body="DepartmentInput",
            errors=(403, 409),
        ),
    },
    "/departments/{department_id}": {
        "patch": op(
            "update_department",
            ADMIN,
            "所管課の変更",
            "Department",
            body="DepartmentPatch",
            params=("department_id",),
            errors=(403, 404, 409),
        ),
    },
    "/claim-types": {"get": op("list_claim_types", REF, "債権の一覧", "ClaimTypeList")},
    "/residents": {
        "get": op(
            "list_residents",
            RESIDENTS,
            "自所管から見える対象者の一覧",
            "ResidentPage",
            params=("page",),
            errors=(400, 403),
        ),
        "post": op(
            "create_resident",
            RESIDENTS,
            "対象者の登録",
            "Resident",
            status=201,
            body="ResidentInput",
            errors=(403, 409),
        ),
    },
    "/residents/search": {
        "post": op(
            "search_residents",
            RESIDENTS,
            "対象者の検索（宛名番号・氏名・カナ）",
            "ResidentPage",
            body="ResidentSearch",
            errors=(403,),
        ),
    },
    "/residents/{resident_id}": {
        "get": op(
            "show_resident",
            RESIDENTS,
            "対象者の詳細",
            "ResidentDetail",
            params=("resident_id",),
            errors=(403, 404),
        ),
        "patch": op(
            "update_resident",
            RESIDENTS,
            "対象者の訂正（省略した項目はそのまま）",
            "Resident",
            body="ResidentPatch",
            params=("resident_id",),
            errors=(403, 404, 409),
        ),
    },
    "/cases": {
        "get": op(
            "list_cases",
            CASES,
            "自所管が関わるケースの一覧",
            "CasePage",
            params=("page", "status"),
            errors=(400, 403),
        ),
        "post": op(
            "create_case",
            CASES,
            "ケースの作成（自所管が主管）",
            "Case",
            status=201,
            body="CaseInput",
            errors=(403, 404),
        ),
    },
    "/cases/search": {
        "post": op(
            "search_cases",
            CASES,
            "ケースの検索（対象者の宛名番号・氏名・カナ、状態）",
            "CasePage",
            body="CaseSearch",
            errors=(403,),
        ),
    },
    "/cases/{case_id}": {
        "get": op(
            "show_case", CASES, "ケースの詳細", "Case", params=("case_id",), errors=(403, 404)
        ),
        "patch": op(
            "update_case",
            CASES,
            "ケースの状態・概要の変更",
            "Case",
            body="CasePatch",
            params=("case_id",),
            errors=(403, 404),
        ),
    },
    "/cases/{case_id}/departments": {
        "post": op(
            "add_case_departments",
            CASES,
            "関係所管の追加（主管課のみ・本人の同意の範囲で）",
            "Case",
            body="CaseDepartmentsInput",
            params=("case_id",),
            errors=(403, 404, 409),
        ),
    },
    "/cases/{case_id}/sheet": {
        "get": op(
            "show_sheet",
            HEARING,
            "ヒアリングシートの版（算出値・納付計画の提案つき）",
            "HearingSheet",
            params=("case_id", "version"),
            errors=(400, 403, 404),
        ),
    },
    "/cases/{case_id}/sheet/versions": {
        "get": op(
            "list_sheet_versions",
            HEARING,
            "ヒアリングシートの版の一覧（新しい順）",
            "HearingSheetList",
            params=("case_id",),
            errors=(400, 403, 404),
        ),
        "post": op(
            "create_sheet_version",
            HEARING,
            "新しい版の保存（算出値も計算して保存）",
            "HearingSheet",
            status=201,
            body="HearingSheetInput",
            params=("case_id",),
            errors=(403, 404, 409),
        ),
    },
    "/cases/{case_id}/sheet/compare": {
        "get": op(
            "compare_sheet_versions",
            HEARING,
            "2つの版の項目ごとの比較",
            "HearingComparison",
            params=("case_id", "from_version", "to_version"),
            errors=(400, 403, 404),
        ),
    },
    "/cases/{case_id}/sheet/calculate": {
        "post": op(
            "calculate_sheet",
            HEARING,
            "保存せずに算出値・納付計画・共通目安の提案を計算",
            "HearingCalculation",
            body="HearingCalculateInput",
            params=("case_id",),
            errors=(403, 404),
        ),
    },
    "/cases/{case_id}/criteria": {
        "get": op(
            "show_criteria",
            HEARING,
            "共通目安の提案と現在の判断",
            "HearingCriteria",
            params=("case_id",),
            errors=(403, 404),
        ),
        "put": op(
            "update_criteria",
            HEARING,
            "共通目安の判断の記録（提案と異なる判断には理由が必要）",
            "HearingCriteria",
            body="HearingCriteriaInput",
            params=("case_id",),
            errors=(403, 404, 409),
        ),
    },
    "/users": {
        "get": op("list_users", ADMIN, "利用者の一覧", "UserList", errors=(403,)),
        "post": op(
            "create_user",
            ADMIN,
            "利用者の登録",
            "User",
            status=201,
            body="UserInput",
            errors=(403, 409),
        ),
    },
    "/users/{user_id}": {
        "patch": op(
            "update_user",
            ADMIN,
            "利用者の変更（氏名・所管課・権限・有効）",
            "User",
            body="UserPatch",
            params=("user_id",),
            errors=(403, 404),
        ),
    },
}


def document() -> dict[str, Any]:
    """Return the OpenAPI document (a fresh copy the caller may change)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {"title": "つなぐハブ API", "version": "1.0.0", "description": DESCRIPTION},
            "servers": [{"url": PREFIX}],
            "security": [{"bearerAuth": []}],
            "tags": [
                {"name": name}
                for name in (ME, REF, RESIDENTS, CASES, HEARING, CONSENTS, MAILBOX, ADMIN)
            ],
            "paths": PATHS,
            "components": {
                "schemas": {**SCHEMAS, **HEARING_SCHEMAS},
                "responses": _responses(),
                "parameters": PARAMETERS,
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "tsu_…",
                        "description": "利用者ごとの APIトークン",
                    },
                },
            },
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI 3.1 document of this API."""
    return jsonify(document())
