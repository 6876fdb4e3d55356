"""The API's error envelope, its codes, and validation errors in our words.

Every error is ``{"error": {"code", "message", "fields"?}}``: a stable code for programs, a
Japanese message for people, and a message per field (its dotted path) when input was wrong.
The library's validation errors (pydantic, raised by flask-openapi3 before a view runs) are
turned into the same envelope with HTTP 400 (never 422) and Japanese field messages.

The codes are documented from registries: this module's for the core, and each package's
(``ERROR_CODES`` in its own module), handed to the spec builder by the app factory. A test
reads every ``code="…"`` in the source and fails on one no registry names.
"""

from __future__ import annotations

import re
from typing import Any, get_args

from flask import Response, jsonify
from pydantic import BaseModel, Field, ValidationError

from hub.api.models import Body, Out, Query
from hub.storage.errors import REJECTIONS

#: Codes the core answers with (packages add theirs through the app factory).
ERROR_CODES: dict[str, str] = {
    "invalid_input": "入力の誤り（項目ごとのメッセージは fields）",
    "invalid_json": "本文がJSONオブジェクトでない",
    "unknown_fields": "受け付けない項目がある",
    "unauthorized": "トークンがない・無効・利用者が無効",
    "forbidden": "権限がない（管理APIは管理者のみ、管理者は対象者・ケースを扱えない）",
    "not_found": "存在しない、または自所管課から見えない",
    "not_owner": "他の所管課の記録は変更できない（主管課・同意を取得した所管課だけ）",
    "method_not_allowed": "このURLでは使えないメソッド",
    "too_large": "本文（またはアップロードするファイル）が大きすぎる",
    "rate_limited": "短時間に要求が集中した",
    "conflict": "同じデータが同時に登録された",
    "duplicate_atena_no": "宛名番号が登録済み",
    "duplicate_login_id": "ログインIDが登録済み",
    "duplicate_department_code": "所管課コードが登録済み",
    "duplicate_department_name": "所管課名が登録済み",
    "cannot_disable_self": "自分自身は無効にできない",
    "login_failed": "ログインIDまたはパスワードの誤り",
    "account_locked": "ログインの失敗が続いたためロック中",
    "upload_rejected": "受け付けられないファイル",
    "file_unreadable": "保存したファイルを読めない",
    # Why hub.storage refused an upload (too_large above): the first sentence of its message.
    **{code: text.split("。")[0] for code, text in REJECTIONS.items() if code != "too_large"},
}


class ErrorBody(Out):
    code: str = Field(description="安定したエラーコード（一覧は API の説明を参照）")
    message: str = Field(description="利用者に示す日本語の説明")
    fields: dict[str, str] | None = Field(
        default=None, description="項目（本文内のドット区切りのパス）ごとの日本語メッセージ"
    )


class Error(Out):
    """エラー: {"error": {"code", "message", "fields"?}}."""

    error: ErrorBody


#: pydantic error type → what is wrong, in Japanese, after the field's label (「状態」…).
_MESSAGES = {
    "missing": "を指定してください。",
    "extra_forbidden": "この項目は受け付けていません。",
    "null_not_allowed": "に null は指定できません（指定しないときは項目ごと省略）。",
    "string_type": "は文字列で指定してください。",
    "int_type": "は整数で指定してください。",
    "int_parsing": "は整数で指定してください。",
    "int_from_float": "は整数で指定してください。",
    "bool_type": "は true または false で指定してください。",
    "bool_parsing": "は true または false で指定してください。",
    "list_type": "は配列で指定してください。",
    "dict_type": "はオブジェクトで指定してください。",
    "model_type": "はオブジェクトで指定してください。",
    "model_attributes_type": "はオブジェクトで指定してください。",
    "date_type": "は 2026-04-01 の形の日付で指定してください。",
    "date_parsing": "は 2026-04-01 の形の日付で指定してください。",
    "date_from_datetime_parsing": "は 2026-04-01 の形の日付で指定してください。",
    "control_character": "に使えない制御文字が含まれています。",
    "literal_error": "の値が正しくありません。",
    "enum": "の値が正しくありません。",
    "string_pattern_mismatch": "の形式が正しくありません。",
}


#: Our own error types whose message already says everything.
_SELF_DESCRIBED = {"page_number"}


def _message(error: dict[str, Any], label: str) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _SELF_DESCRIBED:
        return str(error["msg"])
    if kind == "extra_forbidden":
        return _MESSAGES[kind]
    if kind in _MESSAGES:
        text = _MESSAGES[kind]
        if kind in ("literal_error", "enum") and ctx.get("expected"):
            choices = str(ctx["expected"]).replace(" or ", ", ")  # pydantic's English "a or b"
            text = text.removesuffix("。") + f"（{choices}のいずれか）。"
        return f"{label}{text}"
    if kind == "string_too_long":
        return f"{label}は{ctx.get('max_length')}文字以内で指定してください。"
    if kind == "string_too_short":
        return f"{label}は{ctx.get('min_length')}文字以上で指定してください。"
    if kind == "too_long":
        unit = "文字" if isinstance(error.get("input"), str) else "件"
        return f"{label}は{ctx.get('max_length')}{unit}以内で指定してください。"
    if kind == "too_short":
        return f"{label}は{ctx.get('min_length')}件以上で指定してください。"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label}は{ctx.get('ge', ctx.get('gt'))}以上で指定してください。"
    if kind in ("less_than_equal", "less_than"):
        return f"{label}は{ctx.get('le', ctx.get('lt'))}以下で指定してください。"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    return f"{label}の値が正しくありません。"


#: A field name, or an object's key made of digits (the 共通目安 "1" … "6").
_FIELD = re.compile(r"^(?:[a-z_][a-z0-9_]*|[0-9]+)$")
#: Tags pydantic puts in a location for the branch of a union (``is_active.bool``).
_BRANCHES = {"none", "bool", "int", "str", "float", "list", "dict", "date", "datetime"}


def _parts(loc: tuple[Any, ...]) -> list[str | int]:
    """The field's path: names and list indexes; union branch tags and the part of the
    request (body, query) left out."""
    kept: list[str | int] = [
        p for p in loc if isinstance(p, int) or (_FIELD.match(str(p)) and p not in _BRANCHES)
    ]
    return [p for p in kept if p not in ("body", "query", "path", "form")]


def _models() -> dict[str, type[BaseModel]]:
    """Every request model by name (pydantic names a validation error by its model)."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [Body, Query]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.__name__, cls)
        pending += cls.__subclasses__()
    return found


def _label(model: type[BaseModel] | None, parts: list[str | int]) -> str:
    """The Japanese title of the field the path ends at (its name when it has none)."""
    label = ""
    for part in parts:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        if field is None:
            return label or str(part)
        label = field.title or part
        model = _nested_model(field.annotation)
    return label or "本文"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        for inner in (candidate, *get_args(candidate)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def field_messages(error: ValidationError) -> dict[str, str]:
    """One Japanese message per field path. A value failing every branch of ``X | None`` is
    described by the X branch (the None branch only says it is not null). A field the model
    names in ``KEYED_INSIDE`` keys its errors by the path inside it."""
    model = _models().get(error.title)
    inside: frozenset[str] = getattr(model, "KEYED_INSIDE", frozenset())
    found: dict[str, str] = {}
    errors = sorted(error.errors(include_url=False), key=lambda e: e["type"] == "none_required")
    for item in errors:
        parts = _parts(tuple(item["loc"]))
        label = _label(model, parts)
        if len(parts) > 1 and parts[0] in inside:
            parts = parts[1:]
        path = ".".join(str(p) for p in parts) or "body"
        if item["type"] == "none_required" and any(
            key == path or key.startswith(f"{path}.") for key in found
        ):
            continue  # the X branch said what is wrong inside the value
        found.setdefault(path, _message(dict(item), label))
    return found


def validation_error_response(error: ValidationError) -> Response:
    """The answer to input the models refuse: 400, our envelope, Japanese messages."""
    fields = field_messages(error)
    body = {
        "code": "invalid_input",
        "message": "入力内容に誤りがあります。各項目のメッセージを確認してください。",
        "fields": fields,
    }
    unknown = [e for e in error.errors() if e["type"] == "extra_forbidden"]
    if len(unknown) == len(error.errors()):
        body["code"] = "unknown_fields"
        body["message"] = f"不明な項目があります: {', '.join(sorted(fields))}"
    if set(fields) == {"body"}:
        body["code"] = "invalid_json"
        body["message"] = "本文はJSONオブジェクト（{ … }）で送ってください。"
    response = jsonify(error=body)
    response.status_code = 400
    return response
