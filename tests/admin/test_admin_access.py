"""Only administrators reach the administration screens; refusals are audited."""

from __future__ import annotations

import re

import pytest

from helpers import csrf_token, login
from hub.models import Role, User


def _admin_requests(app, ids: dict[str, int]) -> list[tuple[str, str]]:
    """Every (method, URL) of the admin blueprint, with real ids filled in."""
    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        url = rule.build({name: ids[name] for name in rule.arguments})[1]
        requests += [(method, url) for method in sorted(rule.methods & {"GET", "POST"})]
    return requests


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_get_403_on_every_admin_route(
    app, logged_in, make_user, role, admin, reload, audit_log
):
    actor = make_user(role=role)
    client = logged_in(actor)
    token = csrf_token(client, "/account")
    ids = {"user_id": admin.id, "department_id": admin.department_id}
    requests = _admin_requests(app, ids)
    assert len(requests) >= 14
    wrong = []
    for method, url in requests:
        response = client.open(
            url,
            method=method,
            data={"csrf_token": token, "is_active": "0", "role": "staff", "display_name": "x"},
        )
        page = response.get_data(as_text=True)
        if response.status_code != 403 or "この画面はシステム管理者のみ利用できます。" not in page:
            wrong.append((method, url, response.status_code))
    assert wrong == []
    saved = reload(User, admin.id)
    assert (saved.is_active, saved.role, saved.must_change_password) == (True, Role.ADMIN, False)
    denied = audit_log("admin.access")
    assert len(denied) == len(requests)
    assert {(e[1], e[3]) for e in denied} == {(actor.id, "denied")}


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users")


def test_admin_menu_is_shown_only_to_administrators(logged_in, make_user, app, admin):
    staff_page = logged_in(make_user()).get("/").get_data(as_text=True)
    assert 'href="/admin/"' not in staff_page
    admin_client = app.test_client()
    login(admin_client, admin)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert re.search(r'<a href="/admin/"\s+aria-current="page">管理</a>', page)
