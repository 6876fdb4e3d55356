"""Bearer-token authentication for every request under /api/v1, before anything else runs.

The hook is registered on the application (``init_app``), not on a blueprint: a request for an
unknown API path or with a method a route does not take matches no endpoint, so blueprint hooks
would not run and the web login guard would answer with an HTML redirect. The app factory
registers it before its own hooks, so it runs first. It also reads a JSON body strictly (a
broken body is refused here, once, for every route).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from hub import audit
from hub.auth.services import user_for_token
from hub.config import Config
from hub.errors import InvalidInput, NotFound
from hub.models import User
from hub.residents.services import require_case_worker
from hub.security import API_PREFIX
from hub.validation import MAX_ID
from hub.web import config, db

#: Where hub/app.py mounts the blueprint, and the server URL of the OpenAPI document.
PREFIX = API_PREFIX
#: API bodies are small JSON objects; anything larger is refused before it is read.
MAX_BODY_BYTES = 1024 * 1024
View = TypeVar("View", bound=Callable[..., object])


def body_limit(size: Callable[[Config], int]) -> Callable[[View], View]:
    """Let a route take a larger body than MAX_BODY_BYTES (files in it), sized from the
    configuration: ``@body_limit(lambda cfg: cfg.upload_max_bytes + MAX_BODY_BYTES)`` under
    the route decorator. The cap is set before anything reads the body."""

    def mark(view: View) -> View:
        view.max_body_bytes = size  # type: ignore[attr-defined]  # read by _body_limit
        return view

    return mark


def _body_limit() -> int:
    view = current_app.view_functions.get(request.endpoint or "")
    size = getattr(view, "max_body_bytes", None)
    return size(config()) if size is not None else MAX_BODY_BYTES


NO_CREDENTIALS_MESSAGE = (
    "APIトークンが必要です。「Authorization: Bearer tsu_…」ヘッダーでトークンを送ってください。"
)
REFUSED_MESSAGE = (
    "APIトークンが無効です。トークンが無効化されていないか、利用者が無効になっていないか"
    "確認してください。"
)


def api_user() -> User:
    """Return the user whose token authenticated this request."""
    return g.api_user


def case_worker(action: str, case_id: int) -> User:
    """Return the token's user, refusing administrators (403, audited) before a case is read."""
    user = api_user()
    require_case_worker(db(), user, action, object_type="case", object_id=case_id)
    return user


def _refuse_search_in_url() -> None:
    """Search words are personal data: never in a URL (they reach access logs)."""
    if "q" in request.args:
        raise InvalidInput(
            "検索語は個人情報のためURLに含められません。"
            "検索は POST …/search の本文で送ってください。",
            code="unknown_fields",
            fields={"q": "検索語はURLではなく本文で送ってください。"},
        )


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Build the API's error body for answers given before any view runs."""
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _token_user() -> tuple[User | None, bool]:
    """Return the token's user (None if refused) and whether a bearer token was sent at all."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None, False
    return user_for_token(db(), auth.token), True


def init_app(app: Flask) -> None:
    """Authenticate every request under /api/v1 before anything else the app does."""
    app.before_request(authenticate)


def authenticate() -> Response | None:
    """Require a valid bearer token for every path under /api/v1, then route errors as JSON."""
    if not _is_api_path(request.path):
        return None
    request.max_content_length = _body_limit()
    user, presented = _token_user()
    if user is None:
        reason = "unknown or revoked token, or disabled user" if presented else "no bearer token"
        audit.record(db(), None, "api.authenticate", outcome=audit.DENIED, reason=reason)
        challenge = 'Bearer realm="tsunagu"' + (', error="invalid_token"' if presented else "")
        return error_response(
            401,
            "unauthorized",
            REFUSED_MESSAGE if presented else NO_CREDENTIALS_MESSAGE,
            {"WWW-Authenticate": challenge},
        )
    g.api_user = user
    routing_error = request.routing_exception
    if isinstance(routing_error, MethodNotAllowed):
        allowed = sorted(set(routing_error.valid_methods or ()) - {"HEAD", "OPTIONS"})
        return error_response(
            405,
            "method_not_allowed",
            f"このURLでは {request.method} は使えません。使えるメソッド: {', '.join(allowed)}",
            {"Allow": ", ".join(allowed)},
        )
    if routing_error is not None:
        raise routing_error
    # An id beyond the integer columns cannot exist; the driver would fail on it.
    if any(isinstance(v, int) and v > MAX_ID for v in (request.view_args or {}).values()):
        raise NotFound()
    _refuse_search_in_url()
    if request.method in ("POST", "PUT", "PATCH") and request.is_json:
        _strict_json()
    return None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _strict_json() -> None:
    """Refuse a JSON body that is not a JSON object (NaN, a lone surrogate, a list …).

    The models read the parsed object afterwards (Flask caches it); a body they would never
    see — broken JSON reads as "nothing" in the library — is answered here.
    """
    try:
        data = json.loads(request.get_data(cache=True), parse_constant=_no_constant)
        json.dumps(data, ensure_ascii=False).encode()  # a lone surrogate is not text
    except (ValueError, RecursionError):
        raise InvalidInput("本文が正しいJSONではありません。", code="invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidInput("本文はJSONオブジェクト（{ … }）で送ってください。", code="invalid_json")
