"""The OpenAPI document stays true: schemathesis drives the live app from it.

Every generated request must get an answer that is not a server error and that matches
the document: declared status code, declared content type, body valid against its schema.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from advisor.extensions import db
from advisor.services import accounts, workspaces
from advisor.services import assessments as svc
from tests.conftest import make_user
from tests.helpers import BASE_ANSWERS

EXAMPLES = 25  # per operation; bounded so the suite stays quick
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def token(app: Flask) -> str:
    make_user(app, "owner@example.com")
    with app.app_context():
        user = accounts.find_user(db.session, "owner@example.com")
        assert user is not None
        raw, _ = accounts.create_api_token(db.session, user, "schemathesis")
        personal = workspaces.personal_workspace(db.session, user)
        assessment = svc.create_assessment(db.session, personal.id, "Seeded", "", user.email)
        svc.save_revision(db.session, assessment, BASE_ANSWERS, 0, None, user.email, app.extensions["advisor.kb"])
        db.session.commit()
    return raw


def test_api_matches_its_openapi_document(app: Flask, token: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 16, "every operation but the document itself"
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
