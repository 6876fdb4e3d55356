"""Reading API requests: JSON object bodies, query parameters, strict JSON types.

Text fields are checked by the services (hub.validation); this module adds what a form never
needs: the body must be a JSON object, unknown fields are refused, and ids, id lists, flags and
choices must have their JSON type (``"1"`` or ``true`` is not an id, ``0`` is not a status).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from flask import request

from hub.errors import InvalidInput
from hub.models import CaseStatus
from hub.validation import MAX_ID, Fields, reject_unknown

ID, IDS, BOOLEAN, TEXT = "id", "ids", "boolean", "text"
_TYPE_MESSAGES = {
    TEXT: "{label}は文字列で指定してください。",
    ID: "{label}はID（1以上の整数）で指定してください。",
    IDS: "{label}はID（1以上の整数）の配列で指定してください。",
    BOOLEAN: "{label}は true または false で指定してください。",
}
MAX_PAGE = 100_000
_PAGE_MESSAGE = "ページ番号は1以上の整数で指定してください。"


def _invalid_json(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_json")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object(allowed: Iterable[str]) -> dict[str, Any]:
    """Read the body as a JSON object holding only the allowed fields."""
    if not request.is_json:
        raise _invalid_json("本文はJSON（Content-Type: application/json）で送ってください。")
    try:
        data = json.loads(request.get_data(cache=True), parse_constant=_no_constant)
        json.dumps(data, ensure_ascii=False).encode()  # a lone surrogate is not text
    except (ValueError, RecursionError):
        raise _invalid_json("本文が正しいJSONではありません。") from None
    if not isinstance(data, dict):
        raise _invalid_json("本文はJSONオブジェクト（{ … }）で送ってください。")
    reject_unknown(data, allowed)
    return data


def query_args(allowed: Iterable[str]) -> Mapping[str, str]:
    """Return the query parameters, refusing unknown ones (a search term above all)."""
    allowed = set(allowed)
    if "q" in request.args and "q" not in allowed:
        raise InvalidInput(
            "検索語は個人情報のためURLに含められません。"
            "検索は POST …/search の本文で送ってください。",
            code="unknown_fields",
            fields={"q": "検索語はURLではなく本文で送ってください。"},
        )
    reject_unknown(request.args, allowed)
    return request.args


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return _is_int(value) and 1 <= value <= MAX_ID


def require_types(data: Mapping[str, Any], types: Mapping[str, tuple[str, str]]) -> None:
    """Check that the given fields, when present and not null, have their JSON type."""
    errors = {}
    for field, (kind, label) in types.items():
        value = data.get(field)
        if value is None:
            continue
        ok = {
            TEXT: isinstance(value, str),
            ID: _is_id(value),
            IDS: isinstance(value, list) and all(_is_id(v) for v in value),
            BOOLEAN: isinstance(value, bool),
        }[kind]
        if not ok:
            errors[field] = _TYPE_MESSAGES[kind].format(label=label)
    if errors:
        raise InvalidInput(fields=errors)


def page_number(value: Any) -> int:
    """Read a page number from a JSON body: an integer from 1; absent means 1."""
    if value is None:
        return 1
    if not _is_int(value) or value < 1:
        raise InvalidInput(fields={"page": _PAGE_MESSAGE})
    return min(value, MAX_PAGE)


def query_page(args: Mapping[str, str]) -> int:
    """Read a page number from the query string: ASCII digits only."""
    raw = args.get("page")
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        raise InvalidInput(fields={"page": _PAGE_MESSAGE})
    return page_number(int(raw))


def search_terms(data: Mapping[str, Any], *, with_status: bool = False) -> tuple[str, str]:
    """Read the search term (and the case status filter) from a search body."""
    require_types(data, {"status": (TEXT, "状態")})
    fields = Fields(data)
    q = fields.text("q", "検索語", max_length=100)
    status = ""
    if with_status:
        status = fields.choice("status", "状態", [s.value for s in CaseStatus], required=False)
    fields.check()
    return q, status
