"""The application factory."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pylopdf_fonts_jp
from flask import (
    Flask,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from hub import audit, jp, panels, workdays
from hub.api import auth as api_auth
from hub.api import errors as api_errors
from hub.api.blueprint import HubOpenAPI
from hub.api.errors import Error, validation_error_response
from hub.auth.passwords import hasher_for
from hub.config import Config, load_config
from hub.db import Database
from hub.errors import Conflict, HubError, NotFound
from hub.extensions import csrf, limiter, login_manager
from hub.models import User
from hub.security import API_PREFIX, PUBLIC_ENDPOINTS, set_security_headers
from hub.storage import Storage
from hub.validation import MAX_ID
from hub.web import actor, close_session, db, end_request

STATUS_MESSAGES = {
    400: "リクエストの内容が正しくありません。",
    401: "ログインが必要です。",
    403: "この操作を行う権限がありません。",
    404: "お探しのページまたはデータは見つかりません。",
    405: "この操作はこのページでは利用できません。",
    413: "送信されたデータが大きすぎます。",
    423: "アカウントがロックされています。",
    429: (
        "短時間にリクエストが集中したため、しばらく受け付けを停止しています。"
        "1分ほど待ってから再度お試しください。"
    ),
}


class _CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, its signing serializer made once per application rather
    than on every request (the secret key is fixed when the app is built)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = "tsunagu.session_serializer"
        if key not in app.extensions:
            app.extensions[key] = super().get_signing_serializer(app)
        return app.extensions[key]


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """Build the hub: configuration, database, extensions, blueprints and error pages."""
    cfg = config if isinstance(config, Config) else load_config(config)
    template_dir = resources.files("hub.templates")
    # flask-openapi3's Flask: the API blueprints' models give the OpenAPI document (hub.api.spec).
    app = HubOpenAPI(
        __name__,
        template_folder=str(template_dir),
        instance_path=cfg.instance_path,
        static_folder="static",
        doc_ui=False,
        validation_error_status=400,
        validation_error_model=Error,
        validation_error_callback=validation_error_response,
    )
    app.config.update(
        SECRET_KEY=cfg.secret_key,
        TESTING=cfg.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cfg.session_cookie_secure,
        SESSION_COOKIE_NAME="tsunagu_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # An upload plus the rest of its form; hub.storage enforces the file's own cap.
        MAX_CONTENT_LENGTH=cfg.upload_max_bytes + 1024 * 1024,
        RATELIMIT_STORAGE_URI=cfg.ratelimit_storage_url,
        RATELIMIT_HEADERS_ENABLED=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # the default provider's
    app.session_interface = _CookieSessions()
    if cfg.proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=cfg.proxy_count, x_proto=cfg.proxy_count
        )
    app.logger.setLevel(cfg.log_level)
    app.extensions["tsunagu.config"] = cfg
    app.extensions["tsunagu.db"] = Database(cfg.database_url)
    app.extensions["tsunagu.hasher"] = hasher_for(cfg)
    # Built now, so a missing or malformed storage key stops the start, not the first upload.
    app.extensions["tsunagu.storage"] = Storage.from_config(cfg)

    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)

    panels.init_app(app)
    api_auth.init_app(app)  # before every other hook: the API answers by token only
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    return app


@cache
def _font() -> tuple[bytes, str]:
    """The fallback font's bytes and an ETag for them, read once per process."""
    data = Path(pylopdf_fonts_jp.sans_path()).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:32]


#: The session's user, on every page (built once: ``Session.get`` keys its statement anew
#: on each call).
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def _load_user(user_id: str) -> User | None:
    try:
        user = db().scalar(_USER_BY_ID, {"user_id": int(user_id)})
    except ValueError:
        return None
    return user if user is not None and user.is_active else None


def load_models() -> None:
    """Import every package's models, so the metadata (Alembic, tests) knows all tables."""
    import hub.documents.consent.models
    import hub.documents.hearing.models
    import hub.documents.printing.models
    import hub.mailbox.models

    # hub.mailbox.packets adds the mailbox's parts to case packets and sends them as shares.
    import hub.mailbox.packets

    # hub.mailbox.read connects the recall to consent withdrawal and expiry.
    import hub.mailbox.read

    # hub.meetings.access tells organisers when a consent stops covering a participant.
    import hub.meetings.access
    import hub.meetings.models
    import hub.models
    import hub.scheduler.models  # noqa: F401


def _register_blueprints(app: HubOpenAPI) -> None:
    """Register each package's blueprints, API modules and page panels, in a fixed order."""
    from hub.admin.routes import bp as admin_bp
    from hub.api import admin as admin_api
    from hub.api import cases as cases_api
    from hub.api import reference as reference_api
    from hub.api import residents as residents_api
    from hub.api import spec
    from hub.auth.routes import bp as auth_bp
    from hub.cases.routes import bp as cases_bp
    from hub.dashboard import bp as dashboard_bp
    from hub.documents import errors as documents_errors
    from hub.documents.consent import api as consent_api
    from hub.documents.consent import panels as consent_panels
    from hub.documents.consent.case_routes import bp as membership_bp
    from hub.documents.consent.routes import bp as consents_bp
    from hub.documents.hearing import api as hearing_api
    from hub.documents.hearing import case_panel as hearing_panel
    from hub.documents.hearing.routes import bp as hearing_bp
    from hub.documents.printing import admin_api as windows_api
    from hub.documents.printing import api as printing_api
    from hub.documents.printing import panels as printing_panels
    from hub.documents.printing.admin_routes import bp as windows_bp
    from hub.documents.printing.routes import bp as printing_bp
    from hub.mailbox import api as mailbox_api
    from hub.mailbox import (
        compose_routes,  # noqa: F401 - adds the compose pages to the blueprint
        packets,  # noqa: F401 - adds the mailbox's parts to case packets
    )
    from hub.mailbox import nav as mailbox_nav
    from hub.mailbox import panels as mailbox_panels
    from hub.mailbox import tiles as mailbox_tiles
    from hub.mailbox.print_routes import bp as printouts_bp
    from hub.mailbox.routes import bp as mailbox_bp
    from hub.meetings import api as meetings_api
    from hub.meetings import panels as meetings_panels
    from hub.meetings import report as meetings_report
    from hub.meetings import (
        study_api,
        study_routes,  # noqa: F401 - adds the study pages to the blueprint
    )
    from hub.meetings.routes import bp as meetings_bp
    from hub.reports import api as reports_api
    from hub.reports import figures as report_figures
    from hub.reports import panels as reports_panels
    from hub.reports.routes import bp as reports_bp
    from hub.residents.routes import bp as residents_bp
    from hub.scheduler import tiles as scheduler_tiles
    from hub.scheduler.routes import bp as scheduler_bp

    for bp in (
        auth_bp,
        dashboard_bp,
        residents_bp,
        cases_bp,
        admin_bp,
        hearing_bp,
        consents_bp,
        membership_bp,
        mailbox_bp,
        printing_bp,
        printouts_bp,
        windows_bp,
        scheduler_bp,
        meetings_bp,
        reports_bp,
    ):
        app.register_blueprint(bp)
    panels.add_resident_panel(app, consent_panels.resident_panel)
    panels.add_resident_panel(app, mailbox_panels.resident_panel)  # 提供記録
    panels.add_resident_panel(app, printing_panels.resident_panel)  # 相談先のご案内
    panels.add_case_panel(app, hearing_panel.case_panel)  # the flow: sheet, criteria, consent
    panels.add_case_panel(app, consent_panels.case_panel)
    panels.add_case_panel(app, mailbox_panels.case_panel)
    panels.add_case_panel(app, printing_panels.case_panel)  # printouts, case packets
    panels.add_case_panel(app, meetings_panels.case_panel)  # ケース会議
    # Dashboard tiles exist only for features that exist (mail, feedback, consents, jobs).
    panels.add_dashboard_tiles(app, mailbox_tiles.dashboard_tiles)
    panels.add_dashboard_tiles(app, scheduler_tiles.dashboard_tiles)
    panels.add_dashboard_tiles(app, meetings_panels.dashboard_tiles)
    panels.add_admin_tiles(app, scheduler_tiles.admin_tiles)
    panels.add_nav(app, mailbox_nav.nav_links)
    panels.add_nav(app, meetings_panels.nav_links)
    panels.add_nav(app, reports_panels.nav_links)  # 連携状況 (managers, administrators)
    report_figures.add_table(meetings_report.conferences_held)  # ケース会議 in 連携状況
    panels.add_stylesheet(app, "css/mailbox.css")
    panels.add_stylesheet(app, "css/meetings.css")
    panels.add_stylesheet(app, "css/reports.css")
    panels.add_admin_tiles(app, printing_panels.admin_tiles)
    # The JSON API: each package's blueprint under /api/v1, as its pages are registered.
    apis = (
        reference_api,
        residents_api,
        cases_api,
        admin_api,
        consent_api,
        hearing_api,
        printing_api,
        windows_api,
        mailbox_api,
        meetings_api,
        study_api,
        reports_api,
        spec,
    )
    for api in apis:
        app.register_api(api.bp, url_prefix=API_PREFIX)
        csrf.exempt(api.bp)  # the API takes bearer tokens only, never the session cookie
    spec.add_error_codes(app, api_errors.ERROR_CODES)
    spec.add_error_codes(app, documents_errors.ERROR_CODES)
    spec.add_error_codes(app, mailbox_api.ERROR_CODES)
    spec.add_error_codes(app, meetings_api.ERROR_CODES)
    spec.add_error_codes(app, study_api.ERROR_CODES)

    @app.get("/fonts/noto-sans-jp.otf", doc_ui=False)
    def font():
        """Serve the fallback font for characters office fonts lack (see hub.css).

        From memory: a browser that leaves the page drops the 4.5 MB download halfway, and a
        file opened for it would then be left to the garbage collector.
        """
        data, etag = _font()
        return send_file(
            io.BytesIO(data), mimetype="font/otf", max_age=31_536_000, etag=etag, conditional=True
        )

    @app.get("/healthz", doc_ui=False)
    def health():
        """Answer that the process is up (no database access, no data)."""
        return jsonify(status="ok")


def _register_request_hooks(app: Flask) -> None:
    cfg: Config = app.extensions["tsunagu.config"]
    idle = timedelta(minutes=cfg.session_idle_minutes)

    @app.before_request
    def guard():
        """Expire idle sessions, then require a login outside the public allow-list."""
        endpoint = request.endpoint or ""
        # The API authenticates by token in its own hook (hub.api.auth), for every path under
        # its prefix, including unknown paths and wrong methods that match no endpoint.
        if endpoint in PUBLIC_ENDPOINTS or request.path.startswith(API_PREFIX + "/"):
            return None
        expired = _expire_idle_session(idle)
        if not current_user.is_authenticated:
            if expired:
                flash(
                    "一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。",
                    "warning",
                )
            if request.method == "GET" and request.endpoint is not None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return render_template("error.html", status=401, message=STATUS_MESSAGES[401]), 401
        # An id longer than any row's is a 404, never an overflow in the database driver.
        if any(isinstance(v, int) and v > MAX_ID for v in (request.view_args or {}).values()):
            raise NotFound()
        if current_user.must_change_password and endpoint not in {
            "auth.account",
            "auth.change_password",
            "auth.logout",
        }:
            flash(
                "管理者がパスワードを再設定しました。新しいパスワードを設定してください。",
                "warning",
            )
            return redirect(url_for("auth.account"))
        return None

    app.after_request(set_security_headers)
    app.after_request(end_request)
    app.teardown_request(close_session)


def _expire_idle_session(idle: timedelta) -> bool:
    """Log out a session idle for longer than allowed; return True if it just expired."""
    if not current_user.is_authenticated:
        return False
    now = datetime.now(UTC).timestamp()
    last = session.get("_seen")
    if last is not None and now - last > idle.total_seconds():
        user = actor()
        audit.record(db(), user, "session.expired", user)
        logout_user()
        session.clear()
        return True
    session["_seen"] = now
    return False


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, code: str, message: str, fields: dict | None = None):
    if _wants_json():
        body: dict[str, Any] = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return jsonify(error=body), status
    return render_template(
        "error.html", status=status, message=message, fields=fields or {}
    ), status


#: Refusals that must always leave an audit event (400s are input mistakes, not refusals).
AUDITED_REFUSALS = (403, 404, 409)


def _audit_unrecorded_refusal(status: int, code: str) -> None:
    """Audit a refusal whose service did not (an administrator's 403 before any lookup …).

    Services refuse through ``audit.refuse`` with the object and the reason; this is the net
    under them, so that every 403/404/409 a signed-in user receives is an audit event.
    """
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    if status not in AUDITED_REFUSALS or user is None or db().info.get(audit.REFUSAL_RECORDED):
        return
    args = request.view_args or {}
    name = next(
        (n for n in ("message_id", "consent_id", "case_id", "resident_id") if n in args), ""
    )
    audit.record(
        db(),
        user,
        request.endpoint or "http.unrouted",
        object_type=name.removesuffix("_id"),
        object_id=args.get(name, ""),
        outcome=audit.DENIED,
        reason=f"{status} {code}",
    )


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HubError)
    def hub_error(exc: HubError):
        _audit_unrecorded_refusal(exc.status, exc.code)
        if _wants_json():
            # to_dict(): subclasses add details (a refused send lists what is missing).
            return jsonify(exc.to_dict()), exc.status
        return _error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError):
        return _error_response(
            400,
            "csrf_failed",
            "フォームの有効期限が切れたか、不正な送信です。画面を再読み込みしてからもう一度操作してください。",
        )

    @app.errorhandler(IntegrityError)
    def integrity_error(_exc: IntegrityError):
        # Two requests registering the same thing at once: the database refused the second.
        exc = Conflict(
            "同じデータが同時に登録されました。画面を再読み込みして確認してください。",
            code="conflict",
        )
        return _error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        code = {429: "rate_limited", 413: "too_large", 405: "method_not_allowed"}.get(
            status, (exc.name or "error").lower().replace(" ", "_")
        )
        if request.endpoint is not None:  # a route of ours refused (not an unknown URL)
            _audit_unrecorded_refusal(status, code)
        return _error_response(status, code, STATUS_MESSAGES.get(status, "エラーが発生しました。"))


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["wareki"] = jp.wareki
    app.jinja_env.filters["yen"] = jp.yen

    def local_datetime(dt: datetime | None) -> str:
        value = jp.local(dt)
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    app.jinja_env.filters["datetime"] = local_datetime

    def due_note(due: date | None) -> str:
        """（日曜日のため期限は12月21日） when a due date falls on a closed day."""
        if due is None or workdays.is_workday(due):
            return ""
        day = workdays.effective_due(due)
        return f"（{workdays.closed_reason(due)}のため期限は{day.month}月{day.day}日）"

    app.jinja_env.filters["due_note"] = due_note

    @app.context_processor
    def hub_settings() -> dict[str, Any]:
        # Only numbers the screens explain to users; never secrets.
        cfg: Config = app.extensions["tsunagu.config"]
        return {
            "hub_settings": {
                "login_max_failures": cfg.login_max_failures,
                "login_lock_minutes": cfg.login_lock_minutes,
                "session_idle_minutes": cfg.session_idle_minutes,
            }
        }
