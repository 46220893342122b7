"""Caching headers (security review, issue 10, item 16): what a signed-in person sees, and what a share
link shows, is never kept by a browser or a proxy; static files keep their caching."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.test_api import token_for
from tests.test_sharing import make_link
from tests.web import new_assessment_with_revision


def test_signed_in_pages_are_not_stored(client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, label="First")
    for path in (
        "/",
        f"/assessments/{assessment_id}",
        f"/assessments/{assessment_id}/revisions/1",
        f"/assessments/{assessment_id}/sharing",
        "/account",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path


def test_redirects_and_errors_for_signed_in_people_are_not_stored(client: FlaskClient) -> None:
    assert client.get("/login").headers.get("Cache-Control") == "no-store"  # a redirect home when signed in
    assert client.get("/assessments/999").headers.get("Cache-Control") == "no-store"


def test_the_share_page_is_not_stored(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    token = make_link(client, assessment_id)
    auditor = app.test_client()  # not signed in: the link is all it has
    page = auditor.get(f"/share/{token}")
    assert page.status_code == 200
    assert page.headers.get("Cache-Control") == "no-store", "the report is confidential"
    assert auditor.get(f"/share/{token}/export?format=json").headers.get("Cache-Control") == "no-store"


def test_anonymous_html_pages_are_not_stored(anonymous: FlaskClient) -> None:
    login = anonymous.get("/login")
    assert login.status_code == 200
    assert login.headers.get("Cache-Control") == "no-store"  # it carries a CSRF token
    assert anonymous.get("/share/not-a-token").headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize("path", ["/static/css/advisor.css", "/static/js/advisor.js", "/static/favicon.svg"])
def test_static_files_keep_their_caching(client: FlaskClient, anonymous: FlaskClient, path: str) -> None:
    for who in (client, anonymous):
        with who.get(path) as response:  # a streamed file: closed here
            assert response.status_code == 200, path
            assert "no-store" not in response.headers.get("Cache-Control", ""), path


def test_routes_that_set_their_own_caching_keep_it(client: FlaskClient, anonymous: FlaskClient) -> None:
    for who in (client, anonymous):
        schema = who.get("/schemas/export.schema.json")
        assert schema.headers["Cache-Control"] == "public, max-age=3600"


def test_api_answers_to_a_token_are_not_stored(app: Flask, client: FlaskClient) -> None:
    headers = token_for(app, "owner@example.com")
    response = app.test_client().get("/api/v1/assessments", headers=headers)
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") == "no-store"
