"""Login, lockout, rate limit, idle timeout, CSRF and the headers every page carries."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from helpers import PASSWORD, csrf_token, login, post_form, with_config
from hub.models import AuditEvent, Role


def _audit(db, action):
    db.expire_all()
    return db.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    ).all()


def test_login_opens_the_dashboard_and_is_audited(client, make_user, db):
    user = make_user()
    response = login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "のダッシュボード" in page
    assert user.department.name in page
    events = _audit(db, "login")
    assert [(e.user_id, e.outcome) for e in events] == [(user.id, "allowed")]


@pytest.mark.parametrize("login_id", ["nobody", ""])
def test_unknown_user_gets_the_same_message_as_a_wrong_password(client, make_user, db, login_id):
    user = make_user()
    wrong = login(client, user, password="wrong-password-123")
    unknown = login(client, login_id, password="wrong-password-123")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "ログインIDまたはパスワードが正しくありません" in response.get_data(as_text=True)
    assert [e.outcome for e in _audit(db, "login")] == ["failed", "failed"]


def test_account_locks_after_repeated_failures_and_unlocks_later(client, make_user, db):
    user = make_user()
    statuses = [login(client, user, password=f"wrong-{i}-password").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    locked = login(client, user)  # even the right password is refused while locked
    assert locked.status_code == 423
    assert "ロック" in locked.get_data(as_text=True)
    db.refresh(user)
    assert user.locked_until is not None
    user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    assert login(client, user).status_code == 302


def test_disabled_user_cannot_log_in(client, make_user):
    user = make_user(is_active=False)
    assert login(client, user).status_code == 401


def test_login_rate_limit_per_address_answers_429_in_japanese(config, db, make_user):
    from hub.app import create_app

    app = create_app(with_config(config, login_rate_limit="3 per minute"))
    client = app.test_client()
    user = make_user()
    statuses = [login(client, user, password="wrong-password-xx").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert "しばらく" in login(client, user).get_data(as_text=True)
    app.extensions["tsunagu.db"].dispose()


def test_post_without_csrf_token_is_refused(client, make_user, db):
    user = make_user()
    response = client.post("/login", data={"login_id": user.login_id, "password": PASSWORD})
    assert response.status_code == 400
    assert "フォームの有効期限が切れたか" in response.get_data(as_text=True)
    login(client, user)
    # A state change without the token does nothing: still logged in afterwards.
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_pages_require_login_and_return_after_it(client, make_user):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/cases/")
    user = make_user()
    token = csrf_token(client)
    back = client.post(
        "/login?next=/cases/",
        data={"login_id": user.login_id, "password": PASSWORD, "csrf_token": token},
    )
    assert back.headers["Location"] == "/cases/"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(client, make_user, target):
    user = make_user()
    token = csrf_token(client)
    response = client.post(
        f"/login?next={target}",
        data={"login_id": user.login_id, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_idle_session_expires_with_a_message(client, make_user, db):
    user = make_user()
    login(client, user)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["_seen"] = (datetime.now(UTC) - timedelta(minutes=31)).timestamp()
    response = client.get("/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "一定時間操作がなかったため、ログアウトしました" in page
    assert 'name="password"' in page
    assert [e.user_id for e in _audit(db, "session.expired")] == [user.id]


def test_logout_ends_the_session(client, make_user, db):
    user = make_user()
    login(client, user)
    response = post_form(client, "/logout", form_page="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert len(_audit(db, "logout")) == 1


def test_security_headers_and_cookie_flags(client, make_user):
    user = make_user()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


def test_static_files_and_health_are_public(client):
    with client.get("/static/css/hub.css") as css:
        assert css.status_code == 200
        assert css.mimetype == "text/css"
    assert client.get("/healthz").get_json() == {"status": "ok"}
    with client.get("/fonts/noto-sans-jp.otf") as font:
        assert font.status_code == 200
        assert font.mimetype == "font/otf"
        assert "no-store" not in font.headers.get("Cache-Control", "")
        assert font.data[:4] == b"OTTO"  # an OpenType font, served whole
        etag = font.headers["ETag"]
    with client.get("/fonts/noto-sans-jp.otf", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304  # a browser that has it downloads nothing


def test_reset_password_forces_a_new_one_before_anything_else(client, make_user, db, hasher):
    from hub.admin import services

    admin = make_user(role=Role.ADMIN)
    user = make_user()
    temporary = services.reset_password(db, admin, hasher, user)
    db.commit()
    response = login(client, user, password=temporary)
    assert response.status_code == 302
    assert client.get("/cases/").headers["Location"] == "/account"
    changed = post_form(
        client,
        "/account/password",
        {
            "current_password": temporary,
            "new_password": "a-brand-new-passphrase",
            "new_password_confirm": "a-brand-new-passphrase",
        },
    )
    assert changed.status_code == 302
    assert client.get("/cases/").status_code == 200


def test_password_change_errors_name_the_field(client, make_user):
    login(client, make_user())
    short = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "new_password_confirm": "short"},
    )
    assert short.status_code == 400
    assert "12文字以上" in short.get_data(as_text=True)
    wrong = post_form(
        client,
        "/account/password",
        {
            "current_password": "not-my-password",
            "new_password": "long-enough-pass",
            "new_password_confirm": "long-enough-pass",
        },
    )
    assert "現在のパスワードが正しくありません" in wrong.get_data(as_text=True)
