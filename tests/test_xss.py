"""A hostile string typed into every free-text field comes out escaped on every page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from advisor.extensions import db
from advisor.models import Revision
from tests.conftest import make_user
from tests.web import (
    answer_all_steps,
    create_assessment,
    csrf_token,
    form_post,
    html,
    save_revision,
)

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>\"&"
RAW_MARKERS = ("<script>alert", "<img src=x")


def assert_escaped(page: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in page, f"unescaped user text on {where}"


def test_hostile_text_is_escaped_everywhere(app: Flask, client: FlaskClient) -> None:
    make_user(app, "colleague@example.com")
    page = html(client.get("/workspaces/"))
    workspace_url = client.post("/workspaces/", data={"csrf_token": csrf_token(page), "name": HOSTILE}).headers[
        "Location"
    ]
    workspace_id = workspace_url.rsplit("/", 1)[1]
    assessment_id = create_assessment(client, title=HOSTILE, description=HOSTILE, workspace=workspace_id)
    answer_all_steps(client, assessment_id)
    assert save_revision(client, assessment_id, label=HOSTILE[:100]).status_code == 302
    with app.app_context():
        item = db.session.execute(db.select(Revision)).scalar_one().result["checklist"][0]["id"]
    form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{item}",
        {"status": "in_progress", "note": HOSTILE, "owner": HOSTILE[:200], "version": "0"},
        page_url=f"/assessments/{assessment_id}",
    )
    sharing = html(client.get(f"/assessments/{assessment_id}/sharing"))
    created = client.post(
        f"/assessments/{assessment_id}/sharing",
        data={"csrf_token": csrf_token(sharing), "label": HOSTILE[:100], "revision": "latest", "days": "3"},
    )
    token = re.search(r"/share/([^<]+)</code>", html(created))
    assert token
    # a second revision so compare has two sides, and a conflict so the refused input is echoed back
    form_post(
        client, f"/assessments/{assessment_id}/answers/hosting", {"infrastructure": "on_prem", "air_gapped": "true"}
    )
    assert save_revision(client, assessment_id, label="second").status_code == 302
    conflict = client.post(
        f"/assessments/{assessment_id}/checklist/{item}",
        data={"csrf_token": csrf_token(sharing), "status": "done", "note": HOSTILE, "owner": "x", "version": "0"},
    )
    pages = {
        "dashboard": "/",
        "search": "/?q=%3Cscript%3E",
        "report": f"/assessments/{assessment_id}",
        "revision 1": f"/assessments/{assessment_id}/revisions/1",
        "revisions": f"/assessments/{assessment_id}/revisions",
        "compare": f"/assessments/{assessment_id}/compare?a=1&b=2",
        "activity": f"/assessments/{assessment_id}/activity",
        "sharing": f"/assessments/{assessment_id}/sharing",
        "details": f"/assessments/{assessment_id}/details",
        "delete": f"/assessments/{assessment_id}/delete",
        "review": f"/assessments/{assessment_id}/answers/review",
        "workspaces": "/workspaces/",
        "workspace": workspace_url,
        "conflict message": conflict.headers["Location"],
    }
    escaped_title = str(escape(HOSTILE))
    for where, url in pages.items():
        body = html(client.get(url))
        assert_escaped(body, where)
    report = html(client.get(f"/assessments/{assessment_id}"))
    assert escaped_title in report
    assert str(escape(HOSTILE)) in html(client.get(f"/assessments/{assessment_id}/activity"))
    shared = html(app.test_client().get(f"/share/{token.group(1)}"))
    assert_escaped(shared, "shared report")
    assert escaped_title in shared


def test_hostile_text_in_the_new_assessment_form_error(client: FlaskClient) -> None:
    page = html(client.get("/assessments/new"))
    response = client.post(
        "/assessments/new", data={"csrf_token": csrf_token(page), "title": "", "description": HOSTILE, "workspace": "1"}
    )
    assert_escaped(html(response), "new assessment form")


def test_hostile_search_and_step_input_are_escaped(client: FlaskClient) -> None:
    assert_escaped(html(client.get("/?q=" + HOSTILE)), "search box")
    assessment_id = create_assessment(client)
    response = form_post(
        client, f"/assessments/{assessment_id}/answers/namespaces", {"applications": HOSTILE, "action": "next"}
    )
    assert response.status_code == 422
    assert_escaped(html(response), "questionnaire error")


def test_nul_characters_are_refused_cleanly(client: FlaskClient) -> None:
    """PostgreSQL cannot store NUL in text: a search ignores it, a form gets a 400, never a 500."""
    assert client.get("/?q=a%00b").status_code == 200
    page = html(client.get("/assessments/new"))
    response = client.post(
        "/assessments/new",
        data={
            "csrf_token": csrf_token(page),
            "title": "bad\x00title",
            "description": "",
            "workspace": re.search(r'<option (?:selected )?value="(\d+)"', page).group(1),
        },
    )  # type: ignore[union-attr]
    assert response.status_code in (302, 400)
    assert "Traceback" not in html(response)
