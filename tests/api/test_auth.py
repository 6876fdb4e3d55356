"""Bearer tokens: the only way into the API; revoked tokens and disabled users are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from helpers import login
from hub.auth.services import revoke_token
from hub.models import ApiToken, User


def _refused(response, *, invalid: bool) -> None:
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert "APIトークン" in response.get_json()["error"]["message"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid


def test_token_lifecycle_create_use_revoke(api, db, make_user, token_for, audited):
    user = make_user()
    token = token_for(user)
    me = api.as_(token).get("/me")
    assert me.status_code == 200
    assert me.get_json()["login_id"] == user.login_id
    assert db.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
    db.commit()
    token_id = db.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    revoke_token(db, user, token_id)
    db.commit()
    _refused(api.as_(token).get("/me"), invalid=True)
    denied = audited("api.authenticate")
    assert [(e.outcome, e.user_id) for e in denied] == [("denied", None)]
    assert "revoked" in denied[0].reason
    assert token not in denied[0].reason


def test_disabled_user_token_stops_working_and_works_again_when_enabled(
    api, db, make_user, token_for
):
    user = make_user()
    token = token_for(user)
    assert api.as_(token).get("/me").status_code == 200
    db.get(User, user.id).is_active = False
    db.commit()
    _refused(api.as_(token).get("/me"), invalid=True)
    db.get(User, user.id).is_active = True
    db.commit()
    assert api.as_(token).get("/me").status_code == 200


NO_BEARER_TOKEN = [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "tsu_abc"]
UNKNOWN_TOKENS = ["tsu_not-a-real-token", "abc", "tsu_" + "x" * 200, "tsu_ä", "tsu_\u3000"]


def test_missing_or_unknown_token_is_refused_and_audited(api, audited, subtests):
    for header in NO_BEARER_TOKEN:
        with subtests.test(header=header):
            headers = {} if header is None else {"Authorization": header}
            _refused(api.get("/me", headers=headers), invalid=False)
    for token in UNKNOWN_TOKENS:
        with subtests.test(token=token):
            _refused(api.as_(token).get("/me"), invalid=True)
    reasons = [e.reason for e in audited("api.authenticate")]
    assert reasons.count("no bearer token") == len(NO_BEARER_TOKEN)
    assert len(reasons) == len(NO_BEARER_TOKEN) + len(UNKNOWN_TOKENS)


def test_scheme_is_case_insensitive_but_must_be_bearer(api, make_user, token_for):
    token = token_for(make_user())
    assert api.get("/me", headers={"Authorization": f"bearer {token}"}).status_code == 200
    _refused(api.get("/me", headers={"Authorization": f"Token {token}"}), invalid=False)
    _refused(api.get(f"/me?access_token={token}"), invalid=False)


def test_session_cookie_is_never_accepted(client, api, make_user, rows):
    from hub.models import Resident

    user = make_user()
    assert login(client, user).status_code == 302
    assert client.get("/").status_code == 200  # the browser session works for the screens
    _refused(api.get("/me"), invalid=False)
    before = rows(Resident)
    body = {"atena_no": "123", "name": "山田 花子", "kana": "ヤマダ ハナコ"}
    _refused(api.post("/residents", body), invalid=False)
    assert rows(Resident) == before


def test_every_path_under_the_api_needs_a_token(api, world):
    for path in (
        "/openapi.json",
        "/me",
        "/departments",
        "/no-such-thing",
        f"/cases/{world.case_id}",
    ):
        _refused(api.get(path), invalid=False)
    _refused(api.request("DELETE", f"/cases/{world.case_id}"), invalid=False)
    _refused(api.post("/residents/search", {"q": "ヤマダ"}), invalid=False)


def test_api_answers_set_no_cookie_and_are_not_cached(api, world):
    response = world.as_("staff").get(f"/cases/{world.case_id}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.only_backend("postgresql")  # row locks
def test_a_token_being_marked_used_does_not_make_other_requests_wait(
    db, database, make_user, token_for
):
    """PostgreSQL: at the minute's turn one request marks the token; the others go on."""
    from hub.auth.services import user_for_token

    user = make_user()
    plain = token_for(user)
    db.commit()
    first, second = database.session(), database.session()
    try:
        first.execute(text("SET LOCAL lock_timeout = '5s'"))
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        assert user_for_token(first, plain).id == user.id
        first.flush()  # holds the token's row lock until it commits
        assert user_for_token(second, plain).id == user.id  # no wait, no lock timeout
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()
    assert db.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
