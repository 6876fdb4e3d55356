"""The rules behind tests/access/api_rules.py checked one by one (every endpoint × every actor
is the matrix in tests/access/test_matrix.py)."""

from __future__ import annotations

from access.api_rules import API_RULES

from helpers import is_api, operation_id

ACTORS = ("anonymous", "staff", "manager", "admin", "outsider")


def _api_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if is_api(rule)]


def test_api_rules_name_every_api_endpoint_and_every_actor(app):
    assert set(API_RULES) == {operation_id(rule.endpoint) for rule in _api_rules(app)}
    for endpoint, statuses in API_RULES.items():
        assert tuple(statuses) == ACTORS, endpoint


def test_manager_reads_like_staff_of_the_same_department(world):
    for path in ("/cases", "/residents", f"/cases/{world.case_id}"):
        staff = world.as_("staff").get(path).get_json()
        manager = world.as_("manager").get(path).get_json()
        assert staff == manager, path


def test_involved_department_reads_but_outsider_does_not(world):
    for path in (f"/cases/{world.case_id}", f"/residents/{world.resident_id}"):
        assert world.as_("partner").get(path).status_code == 200
        assert world.as_("outsider").get(path).status_code == 404


def test_admin_reads_configuration_but_no_resident_data(world):
    admin = world.as_("admin")
    for path in ("/users", "/departments", "/claim-types", "/me", "/openapi.json"):
        assert admin.get(path).status_code == 200, path
    for path in ("/cases", "/residents", f"/cases/{world.case_id}"):
        response = admin.get(path)
        assert response.status_code == 403, path
        assert "山田" not in response.get_data(as_text=True)
