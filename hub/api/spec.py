"""The OpenAPI 3.1 document, generated from the registered routes and their models.

flask-openapi3 builds it from every API blueprint the app factory registered; this module only
adds what no single route knows: the description, the servers (paths are written relative to
/api/v1), the bearer scheme, and the error codes every package declared. Served at
``GET /api/v1/openapi.json`` (a token is needed, like everything under /api/v1).
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask, Response, current_app, jsonify
from flask_openapi3 import OpenAPI

from hub.api.auth import MAX_BODY_BYTES
from hub.api.blueprint import api_blueprint
from hub.security import API_PREFIX

bp = api_blueprint("openapi_api", __name__, "利用者・参照データ")
_CODES = "tsunagu.api_error_codes"
_DOC = "tsunagu.api_document"

DESCRIPTION = """\
つなぐハブの JSON API です。画面と同じサービスを呼ぶので、所管課ごとの閲覧範囲・権限・監査記録は
画面と同じです。

- 認証は利用者ごとの APIトークンのみ（`Authorization: Bearer tsu_…`）。
  ログインのセッション Cookie は使えません。
  トークンは画面の「アカウント」または `tsunagu user token LOGIN_ID` で発行します。
- 検索語は個人情報のため URL に含めず、`POST …/search` の本文で送ります。
- 本文は JSON オブジェクト（{max_kib} KiB まで）。知らない項目、型の違う値（`"1"` は ID ではない）、
  省略できる項目への `null` は 400 です（省略できる項目は、項目ごと省略します）。
  `40.0` のような小数点以下が0の数は整数として受け付けます。
- ページは1から。最後のページを超えた番号には最後のページを返します。
- エラーは常に `{{"error": {{"code", "message", "fields"?}}}}` です。定義されていないメソッドには
  405（`method_not_allowed`）、存在しない URL には 404 を返します。
- 日付は `YYYY-MM-DD`、日時は UTC の ISO 8601（例 `2026-04-01T00:30:00Z`）です。

エラーコード:

{codes}
"""


def add_error_codes(app: Flask, codes: dict[str, str]) -> None:
    """Let the document list a package's error codes (the app factory calls this)."""
    app.extensions.setdefault(_CODES, {}).update(codes)


def document(app: Flask | None = None) -> dict[str, Any]:
    """The document as served: built once per process from the app's routes and models."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy
    if _DOC not in app.extensions:
        spec = app.api_doc if isinstance(app, OpenAPI) else {}
        app.extensions[_DOC] = _finish(copy.deepcopy(spec), app.extensions.get(_CODES, {}))
    return app.extensions[_DOC]


def _finish(doc: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    listed = "\n".join(f"- `{code}`: {text}" for code, text in sorted(codes.items()))
    doc["info"] = {
        "title": "つなぐハブ API",
        "version": "1.0.0",
        "description": DESCRIPTION.format(max_kib=MAX_BODY_BYTES // 1024, codes=listed),
    }
    doc["servers"] = [{"url": API_PREFIX}]
    doc["paths"] = {
        path.removeprefix(API_PREFIX) or "/": item
        for path, item in sorted(doc.get("paths", {}).items())
    }
    components = doc.setdefault("components", {})
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "APIトークン（tsu_…）"}
    }
    doc["security"] = [{"bearerAuth": []}]
    error = components.get("schemas", {}).get("ErrorBody")
    if error is not None:
        error["properties"]["code"]["enum"] = sorted(codes)
    doc["tags"] = [{k: v for k, v in tag.items() if v is not None} for tag in doc.get("tags", [])]
    _drop_null_defaults(doc)
    return doc


def _drop_null_defaults(node: Any) -> None:
    """A field that may only be left out (``Maybe``) has no null in its schema; its Python
    default (None: "not sent") is not a value a client may send, so it is not documented."""
    if isinstance(node, dict):
        if "default" in node and node["default"] is None and not _allows_null(node):
            del node["default"]
        for value in node.values():
            _drop_null_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _drop_null_defaults(value)


def _allows_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_allows_null(s) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


@bp.get(
    "/openapi.json",
    responses={
        200: {
            "description": "この API の OpenAPI 3.1 文書",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(document())
