"""The OpenAPI document, generated from the routes and their models: valid 3.1, the same paths
and methods as the URL map, every error documented, true schemas, no two models of one name."""

from __future__ import annotations

import re

from openapi_spec_validator import validate
from pydantic import BaseModel

from helpers import operation_id
from hub.api.auth import PREFIX

METHODS = {"get", "post", "patch", "put", "delete"}


def _documented(spec) -> dict[tuple[str, str], str]:
    """(path, METHOD) → operationId, from the document."""
    return {
        (path, method.upper()): operation["operationId"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def _routed(app) -> dict[tuple[str, str], str]:
    """(path, METHOD) → operationId (the view's name), from the URL map."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[(path, method)] = operation_id(rule.endpoint)
    return routes


def test_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_document_and_url_map_list_the_same_operations(app, spec):
    routed, documented = _routed(app), _documented(spec)
    assert sorted(set(routed) - set(documented)) == [], "routes missing from the document"
    assert sorted(set(documented) - set(routed)) == [], "documented operations without a route"
    assert routed == documented, "operationId must be the route's endpoint"


def test_blueprint_is_mounted_where_the_document_says(app, spec):
    from flask import url_for

    with app.test_request_context():
        assert url_for("reference_api.me") == PREFIX + "/me"
    assert spec["servers"] == [{"url": PREFIX}]


def test_every_operation_documents_its_errors(spec):
    for (path, method), name in _documented(spec).items():
        operation = spec["paths"][path][method.lower()]
        codes = set(operation["responses"])
        assert "401" in codes, name
        if "requestBody" in operation:
            assert {"400", "413"} <= codes, name
        if "{" in path:
            assert "404" in codes, name
            names = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert set(re.findall(r"{(\w+)}", path)) <= names, name
        if name in {
            "list_users",
            "create_user",
            "update_user",
            "create_department",
            "update_department",
        }:
            assert "403" in codes, name
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    required = {"ResidentOut", "CaseOut", "DepartmentOut", "ClaimTypeOut", "UserOut", "Error"}
    assert required <= set(spec["components"]["schemas"])


def test_served_document_needs_a_token_and_equals_the_built_one(world, spec):
    assert world.as_(None).get("/openapi.json").status_code == 401
    response = world.as_("outsider").get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == spec


def test_real_answers_match_their_schemas(world, schema_errors, client):
    """Checked here with jsonschema directly (the Api client checks every answer the same way)."""
    token = {"Authorization": f"Bearer {world.tokens['staff']}"}
    answers = {
        "UserOut": client.get(PREFIX + "/me", headers=token),
        "DepartmentList": client.get(PREFIX + "/departments", headers=token),
        "ResidentPage": client.get(PREFIX + "/residents", headers=token),
        "ResidentDetail": client.get(f"{PREFIX}/residents/{world.resident_id}", headers=token),
        "CasePage": client.post(PREFIX + "/cases/search", json={"q": "ﾔﾏﾀﾞ"}, headers=token),
        "CaseOut": client.get(f"{PREFIX}/cases/{world.case_id}", headers=token),
        "Error": client.get(f"{PREFIX}/cases/{world.case_id + 1}", headers=token),
    }
    for name, response in answers.items():
        assert schema_errors(name, response.get_json()) == [], name
    assert answers["CasePage"].get_json()["total"] == 1


def test_schemas_catch_an_undocumented_or_mistyped_field(world, schema_errors):
    case = world.as_("staff").get(f"/cases/{world.case_id}").get_json()
    assert schema_errors("CaseOut", {**case, "created_by_id": 1})
    assert schema_errors("CaseOut", {**case, "status": "deleted"})
    assert schema_errors("CaseOut", {**case, "opened_at": "yesterday"})
    resident = world.as_("staff").get(f"/residents/{world.resident_id}").get_json()
    assert schema_errors("ResidentOut", resident)  # the detail carries "cases"
    del resident["cases"]
    assert schema_errors("ResidentOut", resident) == []
    assert schema_errors("ResidentOut", {**resident, "birth_date": 19800401})


def _models() -> list[type[BaseModel]]:
    found, pending = [], list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("hub.") and "[" not in cls.__name__:
            found.append(cls)
    return found


def test_no_two_models_share_a_name(app):
    """flask-openapi3 names a schema by its model's class name, and a second model of the same
    name would silently replace the first in the document."""
    names: dict[str, str] = {}
    clashes = []
    for cls in _models():
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in names and names[cls.__name__] != where:
            clashes.append(f"{cls.__name__}: {names[cls.__name__]} and {where}")
        names.setdefault(cls.__name__, where)
    assert clashes == []
