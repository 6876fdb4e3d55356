"""An API blueprint as every package makes one: the hub's conventions in one place.

A package declares its routes on ``api_blueprint("consents_api", __name__, "同意")`` with its
models, and the app factory registers it under /api/v1 (``app.register_api(bp,
url_prefix=API_PREFIX)``), exactly as it registers its pages. Each operation's ``operationId``
is its view function's name; every operation may answer 401 (no valid token), 400 (input the
models refuse) and 413 (a body too large), in the hub's error envelope.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_openapi3 import APIBlueprint, OpenAPI, Tag
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError

from hub import audit
from hub.api.auth import api_user
from hub.api.errors import Error
from hub.residents.services import require_case_worker
from hub.web import READS, db, read_again_with_the_lock


def _operation_id(*, name: str = "", path: str = "", method: str = "", bp_name: str = "") -> str:
    """The view function's name: ``show_case``, ``send_message`` … (unique across the API)."""
    return name


def api_blueprint(name: str, import_name: str, tag: str, description: str = "") -> APIBlueprint:
    """A blueprint of API routes, tagged for the document, answering 400/401 as the hub does."""
    return APIBlueprint(
        name,
        import_name,
        abp_tags=[Tag(name=tag, description=description or None)],
        abp_responses={400: Error, 401: Error, 413: Error},
        operation_id_callback=_operation_id,
    )


def case_workers_only(bp: APIBlueprint, object_type: str) -> None:
    """Refuse administrators (403, audited) before a request's body is even read: they
    configure the hub and read no resident's data."""

    @bp.before_request
    def _case_workers() -> None:
        user = api_user()
        require_case_worker(db(), user, request.endpoint or "", object_type=object_type)


#: An operation's documented answers by status, as flask-openapi3 takes them.
Responses = dict[str | int, type[BaseModel] | dict[Any, Any] | None]


def errors(*statuses: int) -> Responses:
    """The error answers an operation documents besides 400 and 401 (403, 404, 409 …)."""
    return {status: Error for status in statuses}


def file_responses(*types: str, codes: tuple[int, ...] = (403, 404)) -> Responses:
    """The answers of an operation that sends a file of one of these types (and its errors)."""
    content = {t: {"schema": {"type": "string", "format": "binary"}} for t in types}
    answer = {"description": "ファイル（Content-Disposition: attachment）", "content": content}
    return {200: answer, **errors(*codes)}


class HubOpenAPI(OpenAPI):
    """flask-openapi3's Flask, merging the operations of one path from several blueprints
    (``GET /departments`` is everyone's reference data, ``POST /departments`` the admin's);
    the library keeps only the last blueprint's operations of a path.

    A read (GET) runs once more when the database lets it down in a way a second try mends: on
    SQLite, a read that writes met a newer commit while upgrading its read transaction (again,
    holding the write lock: hub.web.read_again_with_the_lock); on PostgreSQL, a pooled
    connection the server had closed.
    """

    def preprocess_request(self) -> Any:
        try:
            return super().preprocess_request()
        except DBAPIError as exc:
            _mend_for_a_second_try(exc)
            return super().preprocess_request()

    def dispatch_request(self) -> Any:
        try:
            return super().dispatch_request()
        except DBAPIError as exc:
            _mend_for_a_second_try(exc)
            return super().dispatch_request()

    def register_api(self, api: APIBlueprint, **options: Any) -> None:
        before = dict(self.paths)
        super().register_api(api, **options)
        for path, earlier in before.items():
            current = self.paths.get(path)
            if current is None or current is earlier:
                continue
            for method in ("get", "put", "post", "delete", "patch"):
                if getattr(current, method) is None and getattr(earlier, method) is not None:
                    setattr(current, method, getattr(earlier, method))


def _busy(exc: DBAPIError) -> bool:
    """SQLITE_BUSY (also _SNAPSHOT): the write lock could not be had from this read."""
    return "locked" in str(exc.orig) or "busy" in str(exc.orig).lower()


def _mend_for_a_second_try(exc: DBAPIError) -> None:
    """Make a read ready to run again after ``exc``, or raise it when a second try would not
    mend it (a write, or another error)."""
    session = g.get("db_session")
    if session is None or request.method not in READS:
        raise exc
    if exc.connection_invalidated:
        # The server closed a pooled connection (a restart): the pool has dropped it; the
        # read runs again on a fresh one, the logged-in user loaded anew.
        session.rollback()
        g.pop("_login_user", None)
    elif session.info.get(audit.DEFER) and _busy(exc):
        read_again_with_the_lock()
    else:
        raise exc
