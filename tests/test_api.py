"""The JSON API (contract §7): tokens, access, stale writes, limits, malformed input, and its OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor.extensions import db
from advisor.models import User
from advisor.services import accounts, workspaces
from tests.conftest import make_user
from tests.helpers import BASE_ANSWERS


def token_for(app: Flask, email: str) -> dict[str, str]:
    with app.app_context():
        user = accounts.find_user(db.session, email)
        assert user is not None
        raw, _ = accounts.create_api_token(db.session, user, "tests")
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    make_user(app, "owner@example.com")
    return app.test_client()


@pytest.fixture
def owner(app: Flask, api: FlaskClient) -> dict[str, str]:
    return token_for(app, "owner@example.com")


def create(api: FlaskClient, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    response = api.post(
        "/api/v1/assessments", json={"title": "API plan", "answers": BASE_ANSWERS, **extra}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_openapi_needs_no_token(api: FlaskClient) -> None:
    spec = api.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/assessments/{assessment_id}/checklist/{item_id}" in spec["paths"]


def test_every_route_needs_a_valid_token(api: FlaskClient) -> None:
    for method, path in (
        ("get", "/api/v1/assessments"),
        ("post", "/api/v1/assessments"),
        ("get", "/api/v1/assessments/1"),
        ("post", "/api/v1/assessments/1/revisions"),
        ("get", "/api/v1/assessments/1/revisions/1"),
        ("patch", "/api/v1/assessments/1/checklist/x"),
        ("get", "/api/v1/assessments/1/export"),
        ("post", "/api/v1/evaluate"),
    ):
        for headers in ({}, {"Authorization": "Bearer adv_not-a-real-token"}, {"Authorization": "Basic abc"}):
            response = getattr(api, method)(path, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers)
            assert response.get_json()["errors"][0]["key"] == "Authorization"


def test_create_read_revise_and_statuses(api: FlaskClient, owner: dict[str, str]) -> None:
    created = create(api, owner, label="from CI")
    assert created["revision"] == 1
    assert created["result"]["decisions"][0]["id"] == "hosting"
    assessment = api.get(f"/api/v1/assessments/{created['id']}", headers=owner).get_json()
    assert assessment["title"] == "API plan"
    assert assessment["workspace"]["name"] == "owner@example.com (personal)"
    assert assessment["answers"]["experience"] == "intermediate"
    assert assessment["statuses"] == {}

    revised = api.post(
        f"/api/v1/assessments/{created['id']}/revisions",
        json={"answers": {**BASE_ANSWERS, "air_gapped": True}, "base_revision": 1},
        headers=owner,
    )
    assert revised.status_code == 201
    assert revised.get_json()["number"] == 2
    assert revised.headers["Location"].endswith(f"/api/v1/assessments/{created['id']}/revisions/2")
    stale = api.post(
        f"/api/v1/assessments/{created['id']}/revisions",
        json={"answers": BASE_ANSWERS, "base_revision": 1},
        headers=owner,
    )
    assert stale.status_code == 409
    assert stale.get_json()["errors"][0]["key"] == "base_revision"
    first = api.get(f"/api/v1/assessments/{created['id']}/revisions/1", headers=owner).get_json()
    assert first["answers"]["air_gapped"] is False, "a revision reads back as it was stored"
    assert api.get(f"/api/v1/assessments/{created['id']}/revisions/3", headers=owner).status_code == 404

    url = f"/api/v1/assessments/{created['id']}/checklist/psa-restricted-enforce"
    done = api.patch(url, json={"status": "done", "note": "namespaces labelled", "base_version": 0}, headers=owner)
    assert done.status_code == 200
    assert done.get_json() == {
        "item_id": "psa-restricted-enforce",
        "status": "done",
        "note": "namespaces labelled",
        "owner": "",
        "version": 1,
        "acceptance": None,
        "due_on": None,
        "overdue": False,
        "verification": None,
    }
    conflict = api.patch(url, json={"status": "todo", "base_version": 0}, headers=owner)
    assert conflict.status_code == 409
    assert "the stored version is 1" in conflict.get_json()["errors"][0]["message"]
    listed = api.get("/api/v1/assessments?q=api", headers=owner).get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["checklist"]["done"] == 1


def test_invalid_bodies_are_400_with_named_keys(api: FlaskClient, owner: dict[str, str]) -> None:
    raw = api.post("/api/v1/assessments", data="{not json", headers={**owner, "Content-Type": "application/json"})
    assert raw.status_code == 400
    assert raw.get_json()["errors"][0]["key"] == "(body)"
    wrong = api.post("/api/v1/assessments", json={"title": 5, "answers": [], "colour": "red"}, headers=owner)
    assert wrong.status_code == 400
    keys = {e["key"] for e in wrong.get_json()["errors"]}
    assert keys == {"title", "answers", "colour"}
    bad_answers = api.post("/api/v1/assessments", json={"title": "x", "answers": {"experience": "guru"}}, headers=owner)
    assert bad_answers.status_code == 400
    assert {"key": "answers.experience", "message": "got 'guru'; allowed: novice, intermediate, expert"} in (
        bad_answers.get_json()["errors"]
    )
    created = create(api, owner)
    status = api.patch(
        f"/api/v1/assessments/{created['id']}/checklist/psa-restricted-enforce",
        json={"status": "finished", "base_version": True},
        headers=owner,
    )
    assert status.status_code == 400
    assert {e["key"] for e in status.get_json()["errors"]} == {"status", "base_version"}, "every problem at once"
    unknown_item = api.patch(
        f"/api/v1/assessments/{created['id']}/checklist/nope", json={"status": "done", "base_version": 0}, headers=owner
    )
    assert unknown_item.status_code == 404


def test_too_large_is_413(app: Flask, api: FlaskClient, owner: dict[str, str]) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = api.post(
        "/api/v1/evaluate", data='{"x": "' + "a" * 20_000 + '"}', headers={**owner, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["message"] == "What you sent is too large."


def test_access_follows_workspace_roles(app: Flask, api: FlaskClient, owner: dict[str, str]) -> None:
    make_user(app, "viewer@example.com")
    make_user(app, "stranger@example.com")
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == "owner@example.com")).scalar_one()
        team = workspaces.create_workspace(db.session, "Team", user)
        workspaces.add_member(db.session, team, "viewer@example.com", "viewer", None)
        db.session.commit()
        team_id = team.id
    created = create(api, owner, workspace=team_id)
    viewer, stranger = token_for(app, "viewer@example.com"), token_for(app, "stranger@example.com")
    base = f"/api/v1/assessments/{created['id']}"
    assert api.get(base, headers=viewer).status_code == 200
    assert api.get(f"{base}/export?format=json", headers=viewer).status_code == 200
    refused = api.post(f"{base}/revisions", json={"answers": BASE_ANSWERS, "base_revision": 1}, headers=viewer)
    assert refused.status_code == 403
    assert (
        api.patch(
            f"{base}/checklist/psa-restricted-enforce", json={"status": "done", "base_version": 0}, headers=viewer
        ).status_code
        == 403
    )
    # a body is checked before the assessment is looked up: a malformed one is refused alike whether or not the
    # assessment exists, and a well-formed one from a stranger meets the same 404 as an absent assessment
    for method, path, body in (
        ("get", base, None),
        ("get", f"{base}/revisions/1", None),
        ("get", f"{base}/export", None),
        ("post", f"{base}/revisions", {"answers": BASE_ANSWERS, "base_revision": 1}),
        ("patch", f"{base}/checklist/psa-restricted-enforce", {"status": "done", "base_version": 0}),
    ):
        response = getattr(api, method)(path, headers=stranger, json=body)
        assert response.status_code == 404, (method, path)
        assert "API plan" not in response.get_data(as_text=True)
    assert api.get("/api/v1/assessments", headers=stranger).get_json()["total"] == 0
    elsewhere = api.post(
        "/api/v1/assessments", json={"title": "x", "answers": BASE_ANSWERS, "workspace": team_id}, headers=stranger
    )
    assert elsewhere.status_code == 404
    viewer_create = api.post(
        "/api/v1/assessments", json={"title": "x", "answers": BASE_ANSWERS, "workspace": team_id}, headers=viewer
    )
    assert viewer_create.status_code == 403


def test_export_formats_and_audit(app: Flask, api: FlaskClient, owner: dict[str, str]) -> None:
    created = create(api, owner)
    base = f"/api/v1/assessments/{created['id']}/export"
    expected = {
        "json": "application/json",
        "csv": "text/csv",
        "markdown": "text/markdown",
        "adr": "application/zip",
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv_tables": "application/zip",
    }
    for fmt, mimetype in expected.items():
        response = api.get(f"{base}?format={fmt}", headers=owner)
        assert response.status_code == 200, fmt
        assert response.mimetype == mimetype
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert api.get(f"{base}?format=docx", headers=owner).status_code == 400
    assert api.get(f"{base}?format=json&revision=9", headers=owner).status_code == 404
    with app.app_context():
        from advisor.models import AuditEvent

        exported = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "exported")).scalars().all()
        assert [e.detail["format"] for e in exported] == list(expected)
        assert {e.actor for e in exported} == {"owner@example.com"}


def _post_raw(api: FlaskClient, path: str, body: str, headers: dict[str, str]) -> Any:
    return api.post(path, data=body.encode(), headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"title": "x", "answers": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"title": "\\ud800", "answers": {}}', "surrogate"),
        ('{"title": "x\\udfff y", "answers": {}}', "surrogate"),
        ('{"title": "x", "answers": {"compliance": [["soc2"]]}}', "answers.compliance[0]"),
        ('{"title": "x", "answers": {"compliance": [{"a": 1}]}}', "answers.compliance[0]"),
        ('{"title": "x", "answers": {"priorities": {"isolation": {"a": [1]}}}}', "answers.priorities.isolation"),
        ("[1, 2]", "not list"),
        ('"text"', "not str"),
    ],
)
def test_odd_bodies_answer_400_never_500(api: FlaskClient, owner: dict[str, str], body: str, message: str) -> None:
    """Issue 10.5: deep nesting, lone surrogates and wrong types inside the answers are the client's mistake."""
    for path in ("/api/v1/assessments", "/api/v1/evaluate"):
        response = _post_raw(api, path, body, owner)
        assert response.status_code == 400, (path, response.get_data(as_text=True)[:300])
        errors = response.get_json()["errors"]
        if path == "/api/v1/assessments" or message.startswith(("nested", "surrogate", "not ")):
            assert any(message in e["key"] + " " + e["message"] for e in errors), errors


def test_a_lone_surrogate_in_any_text_field_is_refused(api: FlaskClient, owner: dict[str, str]) -> None:
    created = create(api, owner)
    base = f"/api/v1/assessments/{created['id']}"
    for method, path, body in (
        ("post", f"{base}/revisions", '{"answers": {}, "base_revision": 1, "label": "\\ud800"}'),
        (
            "patch",
            f"{base}/checklist/psa-restricted-enforce",
            '{"status": "done", "base_version": 0, "note": "\\ud800"}',
        ),
        (
            "patch",
            f"{base}/checklist/psa-restricted-enforce",
            '{"status": "done", "base_version": 0, "owner": "\\udbff"}',
        ),
        ("post", "/api/v1/assessments", '{"title": "x", "description": "\\ud800", "answers": {}}'),
    ):
        response = getattr(api, method)(path, data=body.encode(), headers={**owner, "Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.get_data(as_text=True)[:300])
        assert "surrogate" in response.get_json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 200), ("description", 5000), ("label", 100), ("note", 5000), ("owner", 200)]
)
def test_the_api_keeps_the_forms_limits(api: FlaskClient, owner: dict[str, str], field: str, limit: int) -> None:
    """Issue 10.6: the API refuses what the web forms refuse."""
    created = create(api, owner)
    base = f"/api/v1/assessments/{created['id']}"
    if field in ("title", "description"):
        call = ("post", "/api/v1/assessments", {"title": "x", "answers": BASE_ANSWERS})
    elif field == "label":
        call = ("post", f"{base}/revisions", {"answers": {**BASE_ANSWERS, "services": 9}, "base_revision": 1})
    else:
        call = ("patch", f"{base}/checklist/psa-restricted-enforce", {"status": "done", "base_version": 0})
    method, path, body = call
    over = getattr(api, method)(path, json={**body, field: "y" * (limit + 1)}, headers=owner)
    assert over.status_code == 400
    assert over.get_json()["errors"] == [{"key": field, "message": f"at most {limit} characters (got {limit + 1})"}]
    at_limit = getattr(api, method)(path, json={**body, field: "y" * limit}, headers=owner)
    assert at_limit.status_code in (200, 201), at_limit.get_json()


def test_the_api_answers_json_before_the_first_account(app: Flask) -> None:
    """Issue 10.7: no account yet, no token: 401 JSON, never a redirect to the set-up page."""
    client = app.test_client()
    response = client.get("/api/v1/assessments")
    assert response.status_code == 401
    assert response.get_json()["errors"][0]["key"] == "Authorization"
    assert client.get("/api/v1/nothing-here").get_json()["errors"]


def test_unknown_api_paths_and_methods_answer_json(api: FlaskClient, owner: dict[str, str]) -> None:
    for headers in ({}, owner):
        missing = api.get("/api/v1/nothing-here", headers=headers)
        assert missing.status_code == 404
        assert missing.is_json
        assert missing.get_json()["errors"][0]["message"]
        wrong_method = api.delete("/api/v1/assessments", headers=headers)
        assert wrong_method.status_code == 405
        assert wrong_method.is_json
        assert "GET" in wrong_method.headers["Allow"]
    assert api.get("/api/nothing").is_json


def test_an_answer_unlike_its_model_is_a_server_error_not_a_broken_promise(
    api: FlaskClient, owner: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers are checked against the models the OpenAPI document is written from: a view that drifts from
    them fails loudly (500, logged) instead of sending clients a body the document says cannot happen."""
    created = create(api, owner)
    from advisor.views import api as api_views

    monkeypatch.setattr(api_views, "statuses_json", lambda _a: {"x": {"status": "finished"}})
    response = api.get(f"/api/v1/assessments/{created['id']}", headers=owner)
    assert response.status_code == 500
    assert response.get_json()["errors"][0]["message"]
    assert "finished" not in response.get_data(as_text=True)


def test_query_parameters_are_checked_and_named(api: FlaskClient, owner: dict[str, str]) -> None:
    created = create(api, owner)
    cases = [
        ("/api/v1/assessments?page=0", {"key": "page", "message": "at least 1"}),
        ("/api/v1/assessments?page=two", {"key": "page", "message": "expected a whole number"}),
        (
            "/api/v1/assessments?show=deleted",
            {"key": "show", "message": "got 'deleted'; allowed: active, archived, all"},
        ),
        (
            f"/api/v1/assessments/{created['id']}/export?format=docx",
            {
                "key": "format",
                "message": "got 'docx'; allowed: pdf, markdown, csv, compliance_csv, csv_tables, xlsx, json, adr, "
                "oscal, bundle",
            },
        ),
        (
            f"/api/v1/assessments/{created['id']}/export?format=bundle&app=ok&app=not%20ok",
            {
                "key": "app",
                "message": "application names are letters, digits and “-”, starting and ending with a letter or "
                "digit, at most 40 characters, optionally after its team and “/” (payments/checkout): not “not ok”",
            },
        ),
        (f"/api/v1/assessments/{created['id']}/export?revision=-1", {"key": "revision", "message": "at least 1"}),
    ]
    for url, problem in cases:
        response = api.get(url, headers=owner)
        assert response.status_code == 400, url
        assert response.get_json()["errors"] == [problem], url
    assert api.get("/api/v1/assessments?page=1&colour=red", headers=owner).status_code == 200, "unknown: ignored"


def test_ids_past_what_the_database_holds_are_absent(api: FlaskClient, owner: dict[str, str]) -> None:
    """PostgreSQL refuses to compare an integer column with 2**31: such ids answer 404, never 500."""
    created = create(api, owner)
    huge = 2**31
    for url in (
        f"/api/v1/assessments/{huge}",
        f"/api/v1/assessments/{huge}/export?format=json",
        f"/api/v1/assessments/{created['id']}/revisions/{huge}",
    ):
        response = api.get(url, headers=owner)
        assert response.status_code == 404, (url, response.get_data(as_text=True)[:200])
    assert api.get(f"/api/v1/assessments/{created['id']}/export?revision={huge}", headers=owner).status_code == 400
