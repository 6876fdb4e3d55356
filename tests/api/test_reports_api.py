"""連携状況 over the API: counts as the screen shows them (a withheld cell is null with its
text), managers and the administrator only, a backwards period a 400 naming the field. Every
answer is checked against the OpenAPI document by the ``Api`` client."""

from __future__ import annotations

from hub.models import Role


def test_the_report_over_the_api(api, make_user, make_department, token_for):
    home = make_department("納税課", code="nozei")
    manager = api.as_(token_for(make_user(Role.MANAGER, department=home)))
    admin = api.as_(token_for(make_user(Role.ADMIN, department=home)))
    staff = api.as_(token_for(make_user(department=home)))

    mine = manager.get("/reports/collaboration?from=2026-04-01&to=2026-11-30").get_json()
    assert mine["scope"] == "納税課" and mine["small_cell"] == 3
    assert mine["period_from"] == "2026-04-01" and mine["period_to"] == "2026-11-30"
    keys = [t["key"] for t in mine["tables"]]
    assert keys[:6] == ["cases", "consents", "shares", "requests", "feedback", "criteria"]
    criteria = next(t for t in mine["tables"] if t["key"] == "criteria")
    assert [r["cells"] for r in criteria["rows"]] == [[{"count": 0, "text": "0"}]] * 6

    assert admin.get("/reports/collaboration").get_json()["scope"] == "市全体"
    refused = staff.get("/reports/collaboration")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    backwards = manager.get("/reports/collaboration?from=2026-11-01&to=2026-10-01")
    assert backwards.status_code == 400 and "to" in backwards.get_json()["error"]["fields"]
