"""Login, logout, one's own password and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from hub import audit
from hub.auth import services
from hub.errors import HubError
from hub.extensions import limiter
from hub.models import ApiToken
from hub.web import actor, config, db, hasher

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return config().login_rate_limit


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Show the login form and log a user in."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("dashboard.index"))
    if request.method == "GET":
        return render_template("auth/login.html", login_id="")
    login_id = request.form.get("login_id", "")
    try:
        user = services.authenticate(
            db(), config(), hasher(), login_id, request.form.get("password", "")
        )
    except HubError as exc:
        return render_template(
            "auth/login.html", error=exc.message, login_id=login_id[:64]
        ), exc.status
    next_url = _safe_next(request.args.get("next"))
    session.clear()  # a fresh session on login: no fixation
    login_user(user)
    session.permanent = True
    current_app.logger.info("login user_id=%s", user.id)
    return redirect(next_url)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out and forget the session."""
    user = actor()
    audit.record(db(), user, "logout", user)
    logout_user()
    session.clear()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
def account():
    """Show one's own account: password change and API tokens."""
    tokens = (
        db().query(ApiToken).filter_by(user_id=current_user.id).order_by(ApiToken.id.desc()).all()
    )
    return render_template("auth/account.html", tokens=tokens, errors={})


@bp.route("/account/password", methods=["POST"])
def change_password():
    """Change one's own password."""
    try:
        services.change_password(
            db(),
            hasher(),
            current_user,
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            request.form.get("new_password_confirm", ""),
        )
    except HubError as exc:
        tokens = db().query(ApiToken).filter_by(user_id=current_user.id).all()
        return render_template(
            "auth/account.html", tokens=tokens, errors=exc.fields, error=exc.message
        ), exc.status
    flash("パスワードを変更しました。", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/tokens", methods=["POST"])
def create_token():
    """Create an API token and show it once."""
    try:
        _token, plain = services.create_token(db(), current_user, request.form.get("name", ""))
    except HubError as exc:
        tokens = db().query(ApiToken).filter_by(user_id=current_user.id).all()
        return render_template(
            "auth/account.html", tokens=tokens, errors=exc.fields, error=exc.message
        ), exc.status
    tokens = (
        db().query(ApiToken).filter_by(user_id=current_user.id).order_by(ApiToken.id.desc()).all()
    )
    return render_template("auth/account.html", tokens=tokens, errors={}, new_token=plain)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    """Revoke one of one's own API tokens."""
    services.revoke_token(db(), current_user, token_id)
    flash("APIトークンを無効にしました。", "success")
    return redirect(url_for("auth.account"))
