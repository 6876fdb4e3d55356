"""Bearer-token authentication for every request under /api/v1, before anything else runs.

The hook is registered on the application (``before_app_request``), not only on the blueprint:
a request for an unknown API path or with a method a route does not take matches no endpoint,
so blueprint hooks would not run and the web login guard would answer with an HTML redirect.
Blueprints are registered before the app's own hooks, so this one runs first.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from hub import audit
from hub.api import bp
from hub.api.inputs import MAX_ID
from hub.auth.services import user_for_token
from hub.errors import NotFound
from hub.models import User
from hub.residents.services import require_case_worker
from hub.security import API_PREFIX
from hub.web import db

#: Where hub/app.py mounts the blueprint, and the server URL of the OpenAPI document.
PREFIX = API_PREFIX
#: API bodies are small JSON objects; anything larger is refused before it is read.
MAX_BODY_BYTES = 1024 * 1024

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


@bp.before_app_request
def authenticate() -> Response | None:
    """Require a valid bearer token for every path under /api/v1, then route errors as JSON."""
    if not _is_api_path(request.path):
        return None
    request.max_content_length = MAX_BODY_BYTES
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
    return None
