"""Requests generated from the OpenAPI document (Schemathesis) never get a 5xx, and every answer
is one the document describes: its status, its content type, its schema.

The document is generated from the routes and their models, so this checks the models against
what the services really answer, with inputs nobody wrote by hand (nulls, control characters,
huge numbers, nested objects where a list of strings is expected …). A small budget per
operation keeps the suite quick; an outside run (``schemathesis run …``) can go further.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hub.api.spec import document

#: Generated cases per operation and actor: the suite's budget.
EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("actor", ["staff", "admin"])
def test_generated_requests_get_no_5xx_and_documented_answers(app, world, actor):
    schema = schemathesis.openapi.from_dict(document(app))
    headers = {"Authorization": f"Bearer {world.tokens[actor]}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the document lists no operation"
    failures = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:
            case.call_and_validate(app=app, headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
