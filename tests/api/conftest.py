"""API fixtures: bearer tokens, a client that checks every answer against the OpenAPI
document, and a small world of departments, users, a resident and a case."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from hub.api.spec import document
from hub.auth.services import create_token
from hub.db import Database
from hub.models import AuditEvent, Department, DepartmentKind, Role, User

PREFIX = "/api/v1"
_NO_BODY = object()


@pytest.fixture
def spec(app) -> dict[str, Any]:
    """The OpenAPI document generated from the app's routes and models."""
    return document(app)


def validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """Validate against a schema that may refer to the document's components."""
    return Draft202012Validator(
        {"allOf": [schema], "components": spec["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.fixture
def schema_errors(spec) -> Callable[[str, Any], list[str]]:
    """Return the messages of a body's errors against a schema of the document, by name."""

    def check(name: str, body: Any) -> list[str]:
        schema = {"$ref": f"#/components/schemas/{name}"}
        return [error.message for error in validator(spec, schema).iter_errors(body)]

    return check


def documented_operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    """Find the operation a request hits; literal paths win over templated ones."""
    path = path.split("?", 1)[0]
    for template in sorted(spec["paths"], key=lambda t: t.count("{")):
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return spec["paths"][template].get(method.lower())
    return None


def documented_content(spec: dict[str, Any], operation: dict[str, Any], status: int) -> dict:
    """The media types an operation documents for a status, with their schemas."""
    responses = operation["responses"]
    assert str(status) in responses, f"{operation['operationId']} answered {status}, undocumented"
    response = responses[str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]


def response_schema(spec: dict[str, Any], operation: dict[str, Any], status: int) -> dict:
    return documented_content(spec, operation, status)["application/json"]["schema"]


def check_against_document(spec: dict[str, Any], method: str, path: str, response) -> None:
    """Every answer is JSON — or a file of a type the operation documents — never a 500, and
    matches the schema documented for its status."""
    assert response.status_code < 500, response.get_data(as_text=True)
    operation = documented_operation(spec, method, path)
    if response.mimetype != "application/json" and operation is not None:
        types = documented_content(spec, operation, response.status_code)
        assert response.mimetype in types, (response.status_code, response.mimetype, list(types))
        assert response.headers["Content-Disposition"].startswith("attachment; ")
        return
    assert response.mimetype == "application/json", (response.status_code, response.mimetype)
    if operation is None:  # an unknown path or an undocumented method
        assert response.status_code in (401, 404, 405)
        schema = spec["components"]["schemas"]["Error"]
    else:
        schema = response_schema(spec, operation, response.status_code)
    errors = sorted(validator(spec, schema).iter_errors(response.get_json()), key=str)
    assert not errors, f"{method} {path} {response.status_code}: {[e.message for e in errors]}"


class Api:
    """The Flask test client for /api/v1, with a token, checking answers against the document."""

    def __init__(self, client, spec: dict[str, Any], token: str | None = None) -> None:
        self.client, self.spec, self.token = client, spec, token

    def as_(self, token: str | None) -> Api:
        return Api(self.client, self.spec, token)

    def request(self, method: str, path: str, json: Any = _NO_BODY, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if json is not _NO_BODY:
            kwargs["json"] = json
        response = self.client.open(PREFIX + path, method=method, headers=headers, **kwargs)
        check_against_document(self.spec, method, path, response)
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = _NO_BODY, **kwargs):
        return self.request("POST", path, json, **kwargs)

    def patch(self, path: str, json: Any = _NO_BODY, **kwargs):
        return self.request("PATCH", path, json, **kwargs)


@pytest.fixture
def token_for(db) -> Callable[[User], str]:
    """Create an API token for a user (committed) and return the plain token."""

    def make(user: User, name: str = "テスト用") -> str:
        _token, plain = create_token(db, user, name)
        db.commit()
        return plain

    return make


@pytest.fixture
def api(client, spec) -> Api:
    """The API client without a token; ``api.as_(token)`` adds one."""
    return Api(client, spec)


@dataclass
class World:
    """Departments A (lead), B (involved) and C (not involved), their people and one case."""

    dept_id: int
    partner_id: int
    other_id: int
    admin_dept_id: int
    departments: dict[str, Department]
    users: dict[str, User]
    tokens: dict[str, str]
    resident_id: int
    atena_no: str
    case_id: int
    client: Api

    def as_(self, actor: str) -> Api:
        return self.client.as_(self.tokens.get(actor))


@pytest.fixture
def world(api, make_department, make_user, make_resident, make_case, token_for) -> World:
    dept = make_department("納税課", code="nozei")
    partner = make_department("ぷらっとホーム", kind=DepartmentKind.SUPPORT, code="plat")
    other = make_department("介護保険課", code="kaigo")
    admin_dept = make_department("財政課", kind=DepartmentKind.OTHER, code="zaisei")
    users = {
        "staff": make_user(department=dept, login_id="nozei01"),
        "manager": make_user(Role.MANAGER, department=dept, login_id="nozei-mgr"),
        "partner": make_user(department=partner, login_id="plat01"),
        "outsider": make_user(department=other, login_id="kaigo01"),
        "admin": make_user(Role.ADMIN, department=admin_dept, login_id="admin"),
    }
    resident = make_resident("山田 太郎", "ヤマダ タロウ", department=dept, atena_no="0001000001")
    case = make_case(resident=resident, lead=dept, departments=[partner], summary="分納の相談")
    return World(
        dept_id=dept.id,
        partner_id=partner.id,
        other_id=other.id,
        admin_dept_id=admin_dept.id,
        departments={"lead": dept, "partner": partner, "other": other, "admin": admin_dept},
        users=users,
        tokens={name: token_for(user) for name, user in users.items()},
        resident_id=resident.id,
        atena_no=resident.atena_no,
        case_id=case.id,
        client=api,
    )


def count_rows(database: Database, model) -> int:
    """Count a table's rows on a short connection of its own (no lock left behind)."""
    with database.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def audit_events(database: Database, action: str) -> list[AuditEvent]:
    """Read the audit events of one action, in chain order, in a session of their own."""
    with database.session() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


@pytest.fixture
def rows(database) -> Callable[[Any], int]:
    return lambda model: count_rows(database, model)


@pytest.fixture
def audited(database) -> Callable[[str], list[AuditEvent]]:
    return lambda action: audit_events(database, action)
